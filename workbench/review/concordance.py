"""Concordance: where a word or phrase was translated before, for the translator's editor.

A translator who meets 游客中心 in a new text wants to see how it was rendered
on the signs already approved and in the translation memory, whatever the rest
of those texts said. The search looks for the words in the Chinese (or in the
translation) of every memory entry and every approved unit of the language
pair, and lists each distinct pair once with where it comes from. It is a
plain substring search (``LIKE`` with the user's text escaped), bounded by
``limit``: the memory and the approved wording of a province are tens of
thousands of rows, which SQLite scans in milliseconds.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from workbench.db import like_pattern

MAX_QUERY_LENGTH = 100
ORIGINS = ("memory", "approved")


@dataclass(frozen=True)
class ConcordanceHit:
    """One earlier translation containing the words: source, target, where it comes from."""

    source_text: str
    target_text: str
    origin: str  # memory | approved
    unit_id: int | None = None
    # Where the words stand in the source (or the target), for highlighting.
    start: int | None = None
    end: int | None = None
    in_target: bool = False


def _hit(source: str, target: str, origin: str, unit_id: int | None,
         query: str) -> ConcordanceHit:
    position = source.casefold().find(query.casefold())
    if position >= 0:
        return ConcordanceHit(source, target, origin, unit_id, position, position + len(query))
    position = target.casefold().find(query.casefold())
    if position >= 0:
        return ConcordanceHit(source, target, origin, unit_id, position,
                              position + len(query), True)
    return ConcordanceHit(source, target, origin, unit_id)


def search(db: Database, query: str, source_lang: str = "zh", target_lang: str = "en",
           limit: int = 30) -> list[ConcordanceHit]:
    """Earlier translations whose source or target contains ``query`` (case-insensitive).

    Approved units first (they are what signs carry now), then memory entries;
    each (source, target) pair appears once. Shorter sources first: a term is
    easiest to read in a short text.
    """
    words = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    if not words:
        return []
    pattern = like_pattern(words)
    found: dict[tuple[str, str], ConcordanceHit] = {}
    approved = db.execute(
        """SELECT id, source_text, target_text FROM translation_units
           WHERE state = 'approved' AND source_lang = ? AND target_lang = ?
             AND target_text IS NOT NULL
             AND (source_text LIKE ? ESCAPE '\\' OR target_text LIKE ? ESCAPE '\\')
           ORDER BY length(source_text), id LIMIT ?""",
        [source_lang, target_lang, pattern, pattern, limit])
    for unit_id, source, target in approved:
        found.setdefault((source, target), _hit(source, target, "approved", unit_id, words))
    remembered = db.execute(
        """SELECT source_text, target_text, unit_id FROM translation_memory
           WHERE source_lang = ? AND target_lang = ?
             AND (source_text LIKE ? ESCAPE '\\' OR target_text LIKE ? ESCAPE '\\')
           ORDER BY length(source_text), id LIMIT ?""",
        [source_lang, target_lang, pattern, pattern, limit])
    for source, target, unit_id in remembered:
        found.setdefault((source, target), _hit(source, target, "memory", unit_id, words))
    return list(found.values())[:limit]
