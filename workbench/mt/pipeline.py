"""The drafting pipeline: translation memory first, then the configured engine.

For each text: an exact translation-memory match of approved text, else the
best fuzzy match scoring at least ``TM_FUZZY_THRESHOLD``, else the engine's
draft. Every draft says where it came from (``origin``, ``engine``, ``tm_id``,
``tm_score``); drafts are proposals for a reviewer, never approvals.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlite_utils import Database

from workbench.messages import msg
from workbench.mt import memory
from workbench.mt.base import (
    ORIGIN_TM_EXACT,
    ORIGIN_TM_FUZZY,
    Draft,
    empty_draft,
    engine_classes,
    get_engine,
)

TM_ENGINE_ID = "memory"


def _settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    if settings is not None:
        return settings
    from workbench.config import load_settings
    return load_settings()


def resolve_engine_id(engine: str | None, settings: dict[str, Any],
                      source: str = "zh", target: str = "en") -> str:
    """The engine to use: the one asked for, else the configured MT_ENGINE, else ``rules``.

    A configured engine that cannot run here (its model folder was removed) or
    does not translate the pair falls back to ``rules`` so drafting keeps working;
    an engine asked for by name that cannot run is an error the caller sees.
    """
    if engine:
        return engine
    configured = settings.get("MT_ENGINE") or "rules"
    engine_class = engine_classes().get(configured)
    if engine_class is None or engine_class.availability(settings) or \
            (source, target) not in engine_class.language_pairs(settings):
        return "rules"
    return configured


def _from_memory(match: memory.MemoryMatch) -> Draft:
    return Draft(text=match.target_text, engine=TM_ENGINE_ID, model=None,
                 score=match.score / 100, origin=ORIGIN_TM_EXACT if match.exact
                 else ORIGIN_TM_FUZZY, tm_id=match.id, tm_score=match.score,
                 tm_source=match.source_text)


def draft_texts(db: Database, texts: list[str], source: str = "zh", target: str = "en",
                engine: str | None = None, settings: dict[str, Any] | None = None,
                use_memory: bool = True) -> list[Draft]:
    """One draft per text, in order: translation memory (exact, then fuzzy), then the engine.

    Blank texts get an empty draft with a reason. Texts the memory does not
    cover are sent to the engine in one batch (each distinct text once).
    """
    settings = _settings(settings)
    engine_id = resolve_engine_id(engine, settings, source, target)
    threshold = float(settings.get("TM_FUZZY_THRESHOLD", 75))
    drafts: list[Draft | None] = [None] * len(texts)
    pending: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        if not text or not text.strip():
            drafts[index] = empty_draft(engine_id, msg("The source text is empty."))
            continue
        if use_memory:
            matches = memory.lookup(db, text, source, target, threshold=threshold, limit=1)
            if matches:
                drafts[index] = _from_memory(matches[0])
                continue
        pending.setdefault(text.strip(), []).append(index)
    if pending:
        engine_obj = get_engine(engine_id, db, settings)
        unique = list(pending)
        if not engine_obj.supports(source, target):
            results = [empty_draft(engine_id, msg(
                "The engine %(engine)s does not translate %(source)s → %(target)s.",
                engine=engine_id, source=source, target=target)) for _ in unique]
        else:
            results = engine_obj.translate_batch(unique, source, target)
        for text, result in zip(unique, results):
            for number, index in enumerate(pending[text]):
                # Each position gets its own object, so a caller may edit one draft.
                drafts[index] = result if number == 0 else replace(
                    result, terms=list(result.terms), unknown=list(result.unknown))
    return drafts  # type: ignore[return-value]


def draft_text(db: Database, text: str, source: str = "zh", target: str = "en",
               engine: str | None = None, settings: dict[str, Any] | None = None) -> Draft:
    """The draft for one text (see :func:`draft_texts`)."""
    return draft_texts(db, [text], source, target, engine, settings)[0]
