"""Finding glossary terms in a text: an Aho-Corasick automaton per glossary version.

:func:`load_glossary` builds (and caches) an in-memory snapshot of the glossary
for one language pair; :meth:`Glossary.match` finds every term in a text as
longest, leftmost, non-overlapping matches with their positions. Chinese (and
Japanese) sources match anywhere; Latin-script and Cyrillic sources only on
word boundaries. The cache key includes the glossary version, which every
glossary change bumps (:func:`bump_version`), so a change is seen at once.
"""
from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

import ahocorasick
from sqlite_utils import Database

VERSION_KEY = "glossary_version"
# Scripts written without spaces between words: a term may start anywhere.
_NO_WORD_BOUNDARY_LANGS = {"zh", "ja", "ko", "th", "lo", "km", "my"}


@dataclass(frozen=True)
class Entry:
    """One source term of a concept, with the concept's renderings in the target language."""

    source_text: str
    concept_id: str
    domain: str
    function: str | None
    source_status: str
    preferred: tuple[str, ...] = ()
    admitted: tuple[str, ...] = ()
    deprecated: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    verified: bool = False
    notes: str = ""

    @property
    def target(self) -> str | None:
        """The preferred rendering, else the first admitted one, else None."""
        if self.preferred:
            return self.preferred[0]
        return self.admitted[0] if self.admitted else None

    @property
    def acceptable(self) -> tuple[str, ...]:
        """Every rendering a sign may use: preferred, then admitted."""
        return self.preferred + self.admitted


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a text at ``[start, end)``."""

    start: int
    end: int
    entry: Entry

    @property
    def text(self) -> str:
        """The matched source term."""
        return self.entry.source_text


def normalize(text: str) -> str:
    """Fold width variants (ＡＢＣ → ABC) and case so matching ignores them.

    NFKC keeps string length for CJK and ASCII, so positions stay valid.
    """
    return unicodedata.normalize("NFKC", text).casefold()


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char in "'’"


@dataclass
class Glossary:
    """A snapshot of the glossary for one source → target language pair."""

    source_lang: str
    target_lang: str
    version: int
    entries: dict[str, Entry] = field(default_factory=dict)  # normalized source term → entry
    _automaton: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        automaton = ahocorasick.Automaton()
        for key, entry in self.entries.items():
            automaton.add_word(key, (len(key), entry))
        if self.entries:
            automaton.make_automaton()
        self._automaton = automaton
        self._word_bounded = self.source_lang.split("-")[0] not in _NO_WORD_BOUNDARY_LANGS

    def lookup(self, text: str) -> Entry | None:
        """The entry whose source term is exactly ``text`` (after width/case folding)."""
        return self.entries.get(normalize(text.strip()))

    def match(self, text: str) -> list[TermMatch]:
        """Every term in ``text``: longest first, leftmost first, never overlapping."""
        if not self.entries or not text:
            return []
        folded = normalize(text)
        if len(folded) != len(text):  # rare: a character that NFKC expands
            folded = text.casefold()
        candidates = []
        for end_index, (length, entry) in self._automaton.iter(folded):
            start = end_index - length + 1
            end = end_index + 1
            if self._word_bounded and (
                    (start > 0 and _is_word_char(folded[start - 1]) and _is_word_char(folded[start]))
                    or (end < len(folded) and _is_word_char(folded[end])
                        and _is_word_char(folded[end - 1]))):
                continue
            candidates.append((start, end, entry))
        # Longest match wins; among equals the leftmost. Then drop overlaps.
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken = [False] * len(folded)
        chosen = []
        for start, end, entry in candidates:
            if any(taken[start:end]):
                continue
            for i in range(start, end):
                taken[i] = True
            chosen.append(TermMatch(start, end, entry))
        chosen.sort(key=lambda m: m.start)
        return chosen

    def __len__(self) -> int:
        return len(self.entries)


_cache: dict[tuple[str, int, str, str], Glossary] = {}
_cache_lock = threading.Lock()


def glossary_version(db: Database) -> int:
    """The current glossary version (bumped on every change)."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [VERSION_KEY]).fetchone()
    return int(row[0]) if row else 0


def bump_version(db: Database) -> int:
    """Mark the glossary as changed (call inside the change's transaction)."""
    db.execute(
        """INSERT INTO settings (key, value) VALUES (?, '1')
           ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1""", [VERSION_KEY])
    return glossary_version(db)


def _db_key(db: Database) -> str:
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] or f"memory:{id(db.conn)}"


def _build(db: Database, source_lang: str, target_lang: str, version: int) -> Glossary:
    rows = db.execute(
        """SELECT s.text, s.status, c.id, c.domain, c.function, c.verified, c.notes,
                  t.text, t.status
           FROM glossary_terms s
           JOIN glossary_concepts c ON c.id = s.concept_id
           LEFT JOIN glossary_terms t ON t.concept_id = c.id AND t.lang = ?
           WHERE s.lang = ? AND s.status != 'forbidden'
           ORDER BY c.id, s.position, s.id, t.position, t.id""", [target_lang, source_lang])
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for (source_text, source_status, concept_id, domain, function, verified, notes,
         target_text, target_status) in rows:
        slot = grouped.setdefault((normalize(source_text), concept_id), {
            "source_text": source_text, "concept_id": concept_id, "domain": domain,
            "function": function, "source_status": source_status, "verified": bool(verified),
            "notes": notes or "", "preferred": [], "admitted": [], "deprecated": [],
            "forbidden": []})
        if target_text is not None and target_text not in slot[target_status]:
            slot[target_status].append(target_text)
    entries: dict[str, Entry] = {}
    for (key, _concept), slot in grouped.items():
        entry = Entry(**{k: tuple(v) if isinstance(v, list) else v for k, v in slot.items()})
        current = entries.get(key)
        # The same wording in two concepts: prefer the one whose term is preferred and
        # that has a rendering in the target language.
        if current is None or _rank(entry) > _rank(current):
            entries[key] = entry
    return Glossary(source_lang, target_lang, version, entries)


def _rank(entry: Entry) -> tuple[int, int, int]:
    return (int(bool(entry.acceptable)), int(entry.source_status == "preferred"),
            int(entry.verified))


def load_glossary(db: Database, source_lang: str, target_lang: str) -> Glossary:
    """The glossary for a language pair, rebuilt only when the glossary version changed."""
    version = glossary_version(db)
    key = (_db_key(db), version, source_lang, target_lang)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    glossary = _build(db, source_lang, target_lang, version)
    with _cache_lock:
        for stale in [k for k in _cache if k[0] == key[0] and k[2:] == key[2:]]:
            del _cache[stale]
        _cache[key] = glossary
    return glossary


def match(text: str, source_lang: str, target_lang: str, db: Database) -> list[TermMatch]:
    """Every glossary term in ``text`` (longest, non-overlapping, with positions)."""
    return load_glossary(db, source_lang, target_lang).match(text)


def from_entries(source_lang: str, target_lang: str, entries: Iterable[Entry],
                 version: int = 0) -> Glossary:
    """A glossary built from entries in memory (benchmarks, tests, tools)."""
    return Glossary(source_lang, target_lang, version,
                    {normalize(e.source_text): e for e in entries})
