"""Machine drafts: translation memory, the standards-aware rule engine, neural engines.

Public API::

    from workbench.mt import get_engine, list_engines, Draft
    from workbench.mt.pipeline import draft_texts
"""
from workbench.mt.base import (
    Draft,
    Engine,
    EngineInfo,
    EngineUnavailable,
    TermUse,
    empty_draft,
    get_engine,
    list_engines,
)

__all__ = [
    "Draft", "Engine", "EngineInfo", "EngineUnavailable", "TermUse", "empty_draft", "get_engine",
    "list_engines",
]
