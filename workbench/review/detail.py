"""Everything the review screen shows about one unit, gathered for the web layer.

The signs carrying the unit (location, site, county, photos), the glossary
terms found in the Chinese text with their preferred and forbidden renderings,
translation-memory matches with scores, the QA findings of the current wording,
and drafts from every available engine side by side (:func:`engine_drafts`,
fetched separately because neural engines may take a moment).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from workbench import auth
from workbench.errors import WorkbenchError
from workbench.messages import MessageLike, msg
from workbench.review.qa import qa_profile

log = logging.getLogger(__name__)

SIGNS_SHOWN = 20
PHOTOS_PER_SIGN = 3


def signs_for_unit(db: Database, unit_id: int, user: auth.User,
                   limit: int = SIGNS_SHOWN) -> tuple[list[dict[str, Any]], int]:
    """The signs carrying the unit (the user's county only, for officers) and how many in all."""
    scope = auth.county_scope(user)
    where, params = "su.unit_id = ?", [unit_id]
    if scope is not None:
        where += " AND s.county_id = ?"
        params.append(scope)
    total = db.execute(f"SELECT count(*) FROM sign_units su JOIN signs s ON s.id = su.sign_id "
                       f"WHERE {where}", params).fetchone()[0]
    signs = list(db.query(
        f"""SELECT s.id, s.sign_code, s.location, s.function, s.zh, s.languages, s.status,
                   s.quantity, s.latitude, s.longitude, s.county_id,
                   st.id AS site_id, st.name_zh AS site_name, st.name_en AS site_name_en,
                   st.address AS site_address, st.latitude AS site_latitude,
                   st.longitude AS site_longitude, c.name_zh AS county_name
            FROM sign_units su JOIN signs s ON s.id = su.sign_id
            JOIN sites st ON st.id = s.site_id JOIN counties c ON c.id = s.county_id
            WHERE {where} ORDER BY s.photo_count DESC, s.id LIMIT ?""", params + [limit]))
    for sign in signs:
        sign["photos"] = list(db.query(
            "SELECT id, original_name, width, height FROM sign_photos WHERE sign_id = ? "
            "ORDER BY id LIMIT ?", [sign["id"], PHOTOS_PER_SIGN]))
        sign["current_texts"] = {r["lang"]: r["text"] for r in db.query(
            "SELECT lang, text FROM sign_current_texts WHERE sign_id = ?", [sign["id"]])}
    return signs, total


@dataclass
class TermHit:
    """A glossary term found in the source text, with its renderings in the target language."""

    start: int
    end: int
    source: str
    concept_id: str
    preferred: tuple[str, ...]
    admitted: tuple[str, ...]
    forbidden: tuple[str, ...]
    in_target: bool = False  # an acceptable rendering appears in the current wording
    # The preferred renderings as the unit would use them (a sign: cased as a sign).
    inserts: tuple[str, ...] = ()


def glossary_terms(db: Database, unit: Mapping[str, Any]) -> list[TermHit]:
    """The glossary terms in the unit's Chinese text (longest, leftmost, non-overlapping).

    In a document segment (prose) only terms covering whole words count: 全面
    is not 面 "Noodles" (:meth:`workbench.glossary.match.Glossary.match_words`).
    """
    from workbench.glossary.match import load_glossary

    glossary = load_glossary(db, unit["source_lang"], unit["target_lang"])
    target = (unit.get("target_text") or "").casefold()
    source = unit["source_text"]
    found = glossary.match_words(source) if unit.get("kind") == "segment" else \
        glossary.match(source)
    from workbench.mt.rules.casing import for_sign

    sign = unit.get("kind", "sign") == "sign"
    hits = []
    for match in found:
        entry = match.entry
        inserts = tuple(for_sign(text, entry.domain, entry.function, unit["target_lang"])
                        if sign else text for text in entry.preferred)
        hits.append(TermHit(match.start, match.end, entry.source_text, entry.concept_id,
                            entry.preferred, entry.admitted, entry.forbidden,
                            any(r.casefold() in target for r in entry.acceptable), inserts))
    return hits


@dataclass
class SourcePiece:
    """A stretch of the source text: plain, or a glossary term (``term``) to highlight."""

    text: str
    term: TermHit | None = None


def source_pieces(source: str, hits: list[TermHit]) -> list[SourcePiece]:
    """The source text cut at the glossary terms found in it, in reading order."""
    pieces: list[SourcePiece] = []
    position = 0
    for hit in sorted(hits, key=lambda h: h.start):
        if hit.start < position:
            continue  # matches never overlap; be safe anyway
        if hit.start > position:
            pieces.append(SourcePiece(source[position:hit.start]))
        pieces.append(SourcePiece(source[hit.start:hit.end], hit))
        position = hit.end
    if position < len(source):
        pieces.append(SourcePiece(source[position:]))
    return pieces


def memory_matches(db: Database, unit: Mapping[str, Any],
                   settings: Mapping[str, Any] | None = None, limit: int = 5) -> list[Any]:
    """Translation-memory matches for the source text (exact first), with scores 0–100."""
    from workbench.mt import memory

    threshold = float((settings or {}).get("TM_FUZZY_THRESHOLD", 75))
    return memory.lookup(db, unit["source_text"], unit["source_lang"], unit["target_lang"],
                         threshold=threshold, limit=limit)


@dataclass
class MemoryShown:
    """A memory match as the editors show it: the match and how its source differs."""

    match: Any
    diff: list[Any]


def memory_with_diffs(db: Database, unit: Mapping[str, Any],
                      settings: Mapping[str, Any] | None = None,
                      fallback: Mapping[str, Any] | None = None) -> list[MemoryShown]:
    """Memory matches, each with the diff from its source to the unit's source.

    ``fallback`` is another form of the unit (a document segment without its
    placeholders) asked when the unit itself has no match.
    """
    from workbench.review.history import word_diff

    matches = memory_matches(db, unit, settings)
    if not matches and fallback is not None:
        matches = memory_matches(db, fallback, settings)
    return [MemoryShown(m, word_diff(m.source_text, unit["source_text"], unit["source_lang"]))
            for m in matches]


@dataclass
class FuzzyDraft:
    """The memory match a unit's fuzzy draft copied, and how its Chinese differs."""

    source: str
    target: str
    score: float | None
    diff: list[Any]


def fuzzy_draft(unit: Mapping[str, Any]) -> FuzzyDraft | None:
    """What a fuzzy memory draft was a translation of (``draft_memory``), with the diff."""
    import json

    from workbench.review.history import word_diff

    try:
        stored = json.loads(unit.get("draft_memory") or "null")
    except ValueError:
        return None
    if not isinstance(stored, dict) or not stored.get("source"):
        return None
    return FuzzyDraft(stored["source"], stored.get("target") or "", stored.get("score"),
                      word_diff(stored["source"], unit["source_text"], unit.get("source_lang")))


@dataclass
class EngineDraft:
    """One engine's draft for the unit (or why it has none)."""

    engine: str
    name: MessageLike
    text: str = ""
    score: float | None = None
    model: str | None = None
    reason: MessageLike | None = None
    terms: list[Any] = field(default_factory=list)
    unknown: list[Any] = field(default_factory=list)  # untranslated parts of a partial draft
    # What the engine found wrong in its own draft (messages): a glossary term not
    # used, a placeholder lost.
    problems: list[Any] = field(default_factory=list)


def engine_drafts(db: Database, unit: Mapping[str, Any],
                  settings: dict[str, Any]) -> list[EngineDraft]:
    """A draft from every available engine that translates the unit's language pair.

    Memory is left out here (it has its own panel); an engine that fails says
    why instead of hiding the others.
    """
    from workbench.mt import list_engines
    from workbench.mt.base import DraftContext
    from workbench.mt.pipeline import draft_texts
    from workbench.mt.verify import flag_message

    source, target = unit["source_lang"], unit["target_lang"]
    profile = qa_profile(unit)
    context = DraftContext(function=unit.get("function"))
    drafts = []
    for info in list_engines(settings):
        if (source, target) not in [tuple(pair) for pair in info.pairs]:
            continue
        try:
            draft = draft_texts(db, [unit["source_text"]], source, target, engine=info.id,
                                settings=settings, use_memory=False, profile=profile,
                                contexts=[context])[0]
        except WorkbenchError as error:
            drafts.append(EngineDraft(info.id, info.name, reason=error.message))
            continue
        except Exception as error:  # noqa: BLE001 - one broken engine must not hide the rest
            log.exception("Engine %s failed on unit %s", info.id, unit["id"])
            drafts.append(EngineDraft(info.id, info.name, reason=msg(
                "The engine failed: %(error)s", error=f"{type(error).__name__}: {error}")))
            continue
        drafts.append(EngineDraft(info.id, info.name, draft.text, draft.score, draft.model,
                                  draft.reason, list(draft.terms), list(draft.unknown),
                                  [flag_message(flag) for flag in draft.flags]))
    return drafts
