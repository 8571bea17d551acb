"""Translation memory: approved source → target pairs, looked up exactly and fuzzily.

Fuzzy lookup never compares a text with every entry. Each entry's normalized
source is indexed by its distinct character bigrams (with start/end markers)
and its length in ``translation_memory_grams``; a lookup fetches the entries
sharing the most bigrams within the length band that the threshold allows,
and scores only those with rapidfuzz (``fuzz.ratio``, 0–100).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from rapidfuzz import fuzz
from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.errors import NotFound, Problem, ValidationError
from workbench.messages import msg

ORIGINS = ("review", "import", "document", "manual")
# How many bigram-ranked candidates are scored with rapidfuzz per lookup.
CANDIDATES = 40
# Index rows a fuzzy lookup may count before it stops adding more common bigrams.
POSTINGS_BUDGET = 1500
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class MemoryMatch:
    """A translation-memory entry found for a text, with its similarity (100 = exact)."""

    id: int
    source_text: str
    target_text: str
    score: float
    exact: bool
    origin: str
    created_at: str
    unit_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def normalize(text: str) -> str:
    """The form texts are compared in: NFKC (full width → half width), one space, case folded."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _grams(norm: str) -> set[str]:
    marked = f"\x02{norm}\x03"
    return {marked[i:i + 2] for i in range(len(marked) - 1)}


def _pair(source_lang: str, target_lang: str) -> str:
    return f"{source_lang}>{target_lang}"


def _insert(db: Database, source: str, target: str, source_lang: str, target_lang: str,
            origin: str, created_by: str | None, unit_id: int | None, note: str) -> int:
    norm = normalize(source)
    cursor = db.execute(
        """INSERT INTO translation_memory (source_lang, target_lang, source_text, target_text,
               source_norm, origin, created_by, created_at, unit_id, note)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [source_lang, target_lang, source.strip(), target.strip(), norm, origin, created_by,
         audit.now_iso(), unit_id, note])
    entry_id = cursor.lastrowid
    assert entry_id is not None  # an INSERT always sets it
    pair = _pair(source_lang, target_lang)
    db.conn.executemany(
        "INSERT INTO translation_memory_grams (entry_id, pair, gram, length) VALUES (?, ?, ?, ?)",
        [(entry_id, pair, gram, len(norm)) for gram in _grams(norm)])
    return entry_id


def _existing(db: Database, source: str, target: str, source_lang: str,
              target_lang: str) -> int | None:
    row = db.execute(
        """SELECT id FROM translation_memory WHERE source_lang = ? AND target_lang = ?
           AND source_norm = ? AND target_text = ? ORDER BY id DESC LIMIT 1""",
        [source_lang, target_lang, normalize(source), target.strip()]).fetchone()
    return row[0] if row else None


def _validate(source: str, target: str, source_lang: str, target_lang: str,
              origin: str) -> None:
    problems = []
    if not source or not source.strip():
        problems.append("The source text is empty.")
    if not target or not target.strip():
        problems.append("The target text is empty.")
    if not source_lang or not target_lang or source_lang == target_lang:
        problems.append("Source and target languages must be given and differ.")
    if origin not in ORIGINS:
        problems.append(f"Unknown origin {origin!r} (one of {', '.join(ORIGINS)}).")
    if problems:
        raise ValidationError([Problem(p) for p in problems], summary=problems[0])


def add_entry(db: Database, actor: auth.User, source: str, target: str, source_lang: str,
              target_lang: str, origin: str = "review", *, unit_id: int | None = None,
              note: str = "") -> int:
    """Store an approved translation (audited) and return its entry id.

    Adding a pair that is already stored (same normalized source, same target)
    changes nothing and returns the existing id.
    """
    _validate(source, target, source_lang, target_lang, origin)
    with transaction(db):
        existing = _existing(db, source, target, source_lang, target_lang)
        if existing is not None:
            return existing
        created_by = getattr(actor, "username", None) or "system"
        entry_id = _insert(db, source, target, source_lang, target_lang, origin, created_by,
                           unit_id, note)
        audit.record(db, actor, "tm.add", "translation_memory", entry_id, after={
            "source_lang": source_lang, "target_lang": target_lang, "source": source.strip(),
            "target": target.strip(), "origin": origin, "unit_id": unit_id})
    return entry_id


def import_entries(db: Database, actor: auth.User, pairs: Iterable[tuple[str, str]],
                   source_lang: str, target_lang: str, origin: str = "import") -> int:
    """Store many pairs in one transaction and one summary audit event; returns the new count."""
    added = 0
    created_by = getattr(actor, "username", None) or "system"
    with transaction(db):
        for source, target in pairs:
            _validate(source, target, source_lang, target_lang, origin)
            if _existing(db, source, target, source_lang, target_lang) is None:
                _insert(db, source, target, source_lang, target_lang, origin, created_by, None, "")
                added += 1
        audit.record(db, actor, "tm.import", "translation_memory", None, after={
            "source_lang": source_lang, "target_lang": target_lang, "origin": origin,
            "added": added})
    return added


def delete_entry(db: Database, actor: auth.User, entry_id: int) -> None:
    """Remove an entry (e.g. a translation later found wrong); audited."""
    with transaction(db):
        rows = list(db.query("SELECT * FROM translation_memory WHERE id = ?", [entry_id]))
        if not rows:
            raise NotFound(msg("No translation-memory entry %(entry_id)s.", entry_id=entry_id))
        before = rows[0]
        db.execute("DELETE FROM translation_memory_grams WHERE entry_id = ?", [entry_id])
        db.execute("DELETE FROM translation_memory WHERE id = ?", [entry_id])
        audit.record(db, actor, "tm.delete", "translation_memory", entry_id, before=before)


def count(db: Database, source_lang: str | None = None, target_lang: str | None = None) -> int:
    """How many entries the memory holds (for one pair when given)."""
    if source_lang and target_lang:
        sql = "SELECT count(*) FROM translation_memory WHERE source_lang = ? AND target_lang = ?"
        pair_count: int = db.execute(sql, [source_lang, target_lang]).fetchone()[0]
        return pair_count
    total: int = db.execute("SELECT count(*) FROM translation_memory").fetchone()[0]
    return total


_COLUMNS = "id, source_text, target_text, origin, created_at, unit_id, source_norm"


def _match(row: tuple[Any, ...], score: float, exact: bool) -> MemoryMatch:
    return MemoryMatch(id=row[0], source_text=row[1], target_text=row[2], score=score,
                       exact=exact, origin=row[3], created_at=row[4], unit_id=row[5])


def _selective_grams(db: Database, pair: str, grams: list[str], shortest: int,
                     longest: int) -> list[str]:
    """The query's rarer bigrams, enough of them to find similar entries cheaply.

    Common bigrams (禁止, 中心…) occur in a large share of a memory; counting them for
    every entry is what makes a lookup slow, and they tell little about similarity.
    Grams are taken rarest first until their postings reach :data:`POSTINGS_BUDGET`;
    at least half of them are always kept so that a near-identical entry still ranks first.
    """
    if len(grams) <= 2:
        return grams
    counted = []
    for gram in grams:
        # Counting stops past the budget: a gram that common is never chosen before
        # the rarer ones, so its exact count does not matter and costs a full scan.
        postings = db.execute(
            """SELECT count(*) FROM (SELECT 1 FROM translation_memory_grams
               WHERE pair = ? AND gram = ? AND length BETWEEN ? AND ? LIMIT ?)""",
            [pair, gram, shortest, longest, POSTINGS_BUDGET + 1]).fetchone()[0]
        if postings:
            counted.append((postings, gram))
    counted.sort()
    chosen: list[str] = []
    total = 0
    minimum = max(2, (len(counted) + 1) // 2)
    for postings, gram in counted:
        if len(chosen) >= minimum and total + postings > POSTINGS_BUDGET:
            break
        chosen.append(gram)
        total += postings
    return chosen or grams


def lookup(db: Database, text: str, source_lang: str, target_lang: str,
           threshold: float = 75, limit: int = 5) -> list[MemoryMatch]:
    """Exact matches (newest first, score 100), then fuzzy ones scoring ≥ ``threshold``.

    Fuzzy candidates come from the bigram index, restricted to the lengths that
    could still reach the threshold, and are scored with ``rapidfuzz.fuzz.ratio``.
    """
    norm = normalize(text)
    if not norm:
        return []
    exact_rows = db.execute(
        f"""SELECT {_COLUMNS} FROM translation_memory WHERE source_lang = ? AND target_lang = ?
            AND source_norm = ? ORDER BY id DESC LIMIT ?""",
        [source_lang, target_lang, norm, limit]).fetchall()
    results = [_match(row, 100.0, True) for row in exact_rows]
    if len(results) >= limit or threshold > 100:
        return results[:limit]
    ratio = max(threshold, 1) / 100
    # fuzz.ratio = 2·common / (len_a + len_b) ≤ 2·min / (len_a + len_b): lengths outside
    # this band can never reach the threshold.
    shortest = int(len(norm) * ratio / (2 - ratio))
    longest = int(len(norm) * (2 - ratio) / ratio) + 1
    pair = _pair(source_lang, target_lang)
    grams = _selective_grams(db, pair, sorted(_grams(norm)), shortest, longest)
    placeholders = ",".join("?" * len(grams))
    candidates = db.execute(
        f"""SELECT entry_id FROM translation_memory_grams
            WHERE pair = ? AND gram IN ({placeholders}) AND length BETWEEN ? AND ?
            GROUP BY entry_id ORDER BY count(*) DESC, entry_id DESC LIMIT ?""",
        [pair, *grams, shortest, longest, CANDIDATES]).fetchall()
    exact_ids = {m.id for m in results}
    ids = [c[0] for c in candidates if c[0] not in exact_ids]
    if not ids:
        return results
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM translation_memory WHERE id IN ({','.join('?' * len(ids))})",
        ids).fetchall()
    fuzzy = []
    for row in rows:
        if row[6] == norm:
            continue
        score = round(fuzz.ratio(norm, row[6]), 1)
        if score >= threshold:
            fuzzy.append(_match(row, score, False))
    fuzzy.sort(key=lambda m: (-m.score, -m.id))
    return (results + fuzzy)[:limit]


def get_entry(db: Database, entry_id: int) -> MemoryMatch:
    """One entry by id (score 100)."""
    row = db.execute(f"SELECT {_COLUMNS} FROM translation_memory WHERE id = ?",
                     [entry_id]).fetchone()
    if row is None:
        raise NotFound(msg("No translation-memory entry %(entry_id)s.", entry_id=entry_id))
    return _match(row, 100.0, True)
