"""The ``llm`` engine: any OpenAI-compatible model server, held to the glossary.

Importing the package registers the engine (``llm`` and one ``llm:NAME`` per
named endpoint); see :mod:`workbench.mt.llm.engine` for how it drafts,
:mod:`workbench.mt.llm.endpoints` for configuration and where texts go.
"""
from workbench.mt.llm.engine import LLMEngine  # noqa: F401  registers the engine
