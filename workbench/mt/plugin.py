"""The drafting engines the workbench brings and its drafting commands.

A built-in plugin (see :mod:`workbench.plugins`). Neural engines import torch,
transformers and ctranslate2 only when a model is used, and the model-server
engine opens no connection until it drafts, so listing engines stays cheap.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.hooks import hookimpl

if TYPE_CHECKING:  # pragma: no cover
    import click

    from workbench.mt.base import Engine


@hookimpl
def register_engines() -> list[type[Engine]]:
    """The rule engine, the two local neural engines and the model-server family."""
    from workbench.mt.ct2 import CTranslate2Engine
    from workbench.mt.llm import LLMEngine
    from workbench.mt.marian import MarianEngine
    from workbench.mt.rules import RuleEngine

    return [RuleEngine, MarianEngine, CTranslate2Engine, LLMEngine]


@hookimpl
def register_commands() -> list[click.Command]:
    """``draft``, ``engines``, ``model`` and ``llm``."""
    from workbench.mt.cli import draft, engines, llm, model

    return [draft, engines, model, llm]
