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


def glossary_terms(db: Database, unit: Mapping[str, Any]) -> list[TermHit]:
    """The glossary terms in the unit's Chinese text (longest, leftmost, non-overlapping)."""
    from workbench.glossary import load_glossary

    glossary = load_glossary(db, unit["source_lang"], unit["target_lang"])
    target = (unit.get("target_text") or "").casefold()
    hits = []
    for match in glossary.match(unit["source_text"]):
        entry = match.entry
        hits.append(TermHit(match.start, match.end, entry.source_text, entry.concept_id,
                            entry.preferred, entry.admitted, entry.forbidden,
                            any(r.casefold() in target for r in entry.acceptable)))
    return hits


def memory_matches(db: Database, unit: Mapping[str, Any],
                   settings: Mapping[str, Any] | None = None, limit: int = 5) -> list[Any]:
    """Translation-memory matches for the source text (exact first), with scores 0–100."""
    from workbench.mt import memory

    threshold = float((settings or {}).get("TM_FUZZY_THRESHOLD", 75))
    return memory.lookup(db, unit["source_text"], unit["source_lang"], unit["target_lang"],
                         threshold=threshold, limit=limit)


@dataclass
class EngineDraft:
    """One engine's draft for the unit (or why it has none)."""

    engine: str
    name: str
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
    from workbench.mt.base import PROFILE_PROSE, PROFILE_SIGN, DraftContext
    from workbench.mt.pipeline import draft_texts
    from workbench.mt.verify import flag_message

    source, target = unit["source_lang"], unit["target_lang"]
    profile = PROFILE_PROSE if unit.get("kind") == "segment" else PROFILE_SIGN
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
