"""The drafting pipeline: translation memory first, then the engine chosen for the profile.

For each text: an exact translation-memory match of approved text, else the
best fuzzy match scoring at least ``TM_FUZZY_THRESHOLD``, else the engine's
draft. The engine depends on what is drafted (the *profile*): signs use
``MT_ENGINE_SIGNS`` and prose (document segments) ``MT_ENGINE_PROSE``, both
defaulting to ``MT_ENGINE``; ``MT_FALLBACK_SIGNS`` / ``MT_FALLBACK_PROSE`` name
an engine asked for the texts the first one leaves empty (the rule engine
refuses what it cannot draft confidently; a model server may then try).
Every draft says where it came from (``origin``, ``engine``, ``model``,
``tm_id``, ``tm_score``); drafts are proposals for a reviewer, never approvals.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from sqlite_utils import Database

from workbench.errors import WorkbenchError
from workbench.messages import msg
from workbench.mt import memory
from workbench.mt.base import (
    DRAFT_PROFILES,
    ORIGIN_TM_EXACT,
    ORIGIN_TM_FUZZY,
    PROFILE_PROSE,
    PROFILE_SIGN,
    Draft,
    DraftContext,
    empty_draft,
    engine_classes,
    get_engine,
)

log = logging.getLogger(__name__)

TM_ENGINE_ID = "memory"
# Settings naming the engine and the fallback engine of each profile.
PROFILE_SETTINGS = {PROFILE_SIGN: ("MT_ENGINE_SIGNS", "MT_FALLBACK_SIGNS"),
                    PROFILE_PROSE: ("MT_ENGINE_PROSE", "MT_FALLBACK_PROSE")}


def _settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    if settings is not None:
        return settings
    from workbench.config import load_settings
    return load_settings()


def _usable(engine_id: str | None, settings: dict[str, Any], source: str, target: str) -> bool:
    """Whether a configured engine exists, can run here and translates the pair."""
    if not engine_id:
        return False
    engine_class = engine_classes(settings).get(engine_id)
    return engine_class is not None and not engine_class.availability(settings) and \
        (source, target) in engine_class.language_pairs(settings)


def resolve_engine_id(engine: str | None, settings: dict[str, Any],
                      source: str = "zh", target: str = "en",
                      profile: str = PROFILE_SIGN) -> str:
    """The engine to use: the one asked for, else the profile's configured engine, else ``rules``.

    The profile's engine is ``MT_ENGINE_SIGNS`` / ``MT_ENGINE_PROSE``, else
    ``MT_ENGINE``. A configured engine that cannot run here (its model folder was
    removed, its server is not configured) or does not translate the pair falls
    back to ``rules`` so drafting keeps working; an engine asked for by name that
    cannot run is an error the caller sees.
    """
    if engine:
        return engine
    engine_key = PROFILE_SETTINGS.get(profile, PROFILE_SETTINGS[PROFILE_SIGN])[0]
    configured = settings.get(engine_key) or settings.get("MT_ENGINE") or "rules"
    return configured if _usable(configured, settings, source, target) else "rules"


def resolve_fallback_id(engine: str | None, primary: str, settings: dict[str, Any],
                        source: str = "zh", target: str = "en",
                        profile: str = PROFILE_SIGN) -> str | None:
    """The engine asked for texts the primary engine leaves empty, or None.

    Only when no engine was asked for by name: ``--engine rules`` means the rule
    engine alone.
    """
    if engine:
        return None
    setting = PROFILE_SETTINGS.get(profile, PROFILE_SETTINGS[PROFILE_SIGN])[1]
    fallback: str | None = settings.get(setting)
    if not fallback or fallback == primary or not _usable(fallback, settings, source, target):
        return None
    return fallback


def _from_memory(match: memory.MemoryMatch) -> Draft:
    return Draft(text=match.target_text, engine=TM_ENGINE_ID, model=None,
                 score=match.score / 100, origin=ORIGIN_TM_EXACT if match.exact
                 else ORIGIN_TM_FUZZY, tm_id=match.id, tm_score=match.score,
                 tm_source=match.source_text)


def _run_engine(db: Database, engine_id: str, texts: list[str], source: str, target: str,
                settings: dict[str, Any], profile: str,
                contexts: list[DraftContext]) -> list[Draft]:
    engine_obj = get_engine(engine_id, db, settings)
    if not engine_obj.supports(source, target):
        return [empty_draft(engine_id, msg("The engine %(engine)s does not translate "
                                           "%(source)s → %(target)s.", engine=repr(engine_id),
                                           source=source, target=target)) for _ in texts]
    return engine_obj.translate_in_context(texts, source, target, profile, contexts)


def _with_fallback(db: Database, fallback: str, texts: list[str], results: list[Draft],
                   source: str, target: str, settings: dict[str, Any], profile: str,
                   contexts: list[DraftContext]) -> list[Draft]:
    """The primary engine's drafts, with the empty and partial ones asked of the fallback.

    A partial draft (parts left in Chinese) is replaced by a complete draft of the
    fallback engine; a fallback that fails (its server is down) or gives nothing
    leaves the primary engine's draft as it was, with both reasons.
    """
    empty = [i for i, result in enumerate(results) if result.empty or result.partial]
    if not empty:
        return results
    try:
        second = _run_engine(db, fallback, [texts[i] for i in empty], source, target, settings,
                             profile, [contexts[i] for i in empty])
    except WorkbenchError as error:
        log.warning("fallback engine %s failed: %s", fallback, error)
        second = [empty_draft(fallback, error.message) for _ in empty]
    merged = list(results)
    for index, draft in zip(empty, second, strict=True):
        if not draft.empty and not draft.partial:
            merged[index] = draft
        elif results[index].empty and not draft.empty:
            merged[index] = draft  # a partial draft is better than none
        elif draft.reason:
            # Say why neither engine drafted it: the first engine's reason first.
            merged[index] = replace(results[index], reason=msg(
                "%(first)s (%(engine)s: %(second)s)", first=results[index].reason or "",
                engine=fallback, second=draft.reason))
    return merged


def draft_texts(db: Database, texts: list[str], source: str = "zh", target: str = "en",
                engine: str | None = None, settings: dict[str, Any] | None = None,
                use_memory: bool = True, *, profile: str = PROFILE_SIGN,
                contexts: list[DraftContext | None] | None = None) -> list[Draft]:
    """One draft per text, in order: translation memory (exact, then fuzzy), then the engine.

    ``profile`` is ``sign`` or ``prose`` (it chooses the engine and tells it what
    it drafts); ``contexts`` gives each text's :class:`DraftContext` (the sign's
    function, a segment's neighbours). Blank texts get an empty draft with a
    reason. Texts the memory does not cover are sent to the engine in one batch
    (each distinct text and function once).
    """
    if profile not in DRAFT_PROFILES:
        raise ValueError(f"unknown profile {profile!r}; use one of {', '.join(DRAFT_PROFILES)}")
    settings = _settings(settings)
    engine_id = resolve_engine_id(engine, settings, source, target, profile)
    threshold = float(settings.get("TM_FUZZY_THRESHOLD", 75))
    contexts = list(contexts) if contexts is not None else [None] * len(texts)
    drafts: list[Draft | None] = [None] * len(texts)
    pending: dict[tuple[str, str | None], list[int]] = {}
    for index, text in enumerate(texts):
        if not text or not text.strip():
            drafts[index] = empty_draft(engine_id, msg("The source text is empty."))
            continue
        if use_memory:
            matches = memory.lookup(db, text, source, target, threshold=threshold, limit=1)
            if matches:
                drafts[index] = _from_memory(matches[0])
                continue
        context = contexts[index]
        function = context.function if context is not None else None
        pending.setdefault((text.strip(), function), []).append(index)
    if pending:
        keys = list(pending)
        unique = [text for text, _function in keys]
        unique_contexts = [contexts[pending[key][0]] or DraftContext() for key in keys]
        results = _run_engine(db, engine_id, unique, source, target, settings, profile,
                              unique_contexts)
        fallback = resolve_fallback_id(engine, engine_id, settings, source, target, profile)
        if fallback:
            results = _with_fallback(db, fallback, unique, results, source, target, settings,
                                     profile, unique_contexts)
        for key, result in zip(keys, results, strict=True):
            for number, index in enumerate(pending[key]):
                # Each position gets its own object, so a caller may edit one draft.
                drafts[index] = result if number == 0 else replace(
                    result, terms=list(result.terms), flags=list(result.flags),
                    unknown=list(result.unknown))
    return drafts  # type: ignore[return-value]


def draft_text(db: Database, text: str, source: str = "zh", target: str = "en",
               engine: str | None = None, settings: dict[str, Any] | None = None,
               *, profile: str = PROFILE_SIGN, context: DraftContext | None = None) -> Draft:
    """The draft for one text (see :func:`draft_texts`)."""
    return draft_texts(db, [text], source, target, engine, settings, profile=profile,
                       contexts=[context])[0]
