"""The ``llm`` engine: any OpenAI-compatible model server, held to the glossary.

The engine (``llm``, and one ``llm:NAME`` per named endpoint) is registered by
:mod:`workbench.mt.plugin`; see :mod:`workbench.mt.llm.engine` for how it drafts,
:mod:`workbench.mt.llm.endpoints` for configuration and where texts go.
"""
from workbench.mt.llm.engine import LLMEngine

__all__ = ["LLMEngine"]
