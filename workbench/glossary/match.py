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
import uuid
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import ahocorasick
from sqlite_utils import Database

VERSION_KEY = "glossary_version"
REVISION_KEY = "glossary_revision"  # a random token, replaced on every change
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
    # Other concepts with the same source wording, whose renderings were folded in.
    other_concepts: tuple[str, ...] = ()

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


def _bytes_as_text(text: str) -> str:
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


def _fold(text: str) -> str:
    """``normalize(text)`` with the same length as ``text``, so positions map back 1:1."""
    if unicodedata.is_normalized("NFKC", text):  # fast C check; true for most sign text
        folded = text.casefold()
    else:
        folded = normalize(text)
    if len(folded) != len(text):  # rare: NFKC or casefold changes the length (ß, ﬁ, e + ◌́)
        folded = "".join(_fold_char(c) for c in text)
    return folded


def _fold_char(char: str) -> str:
    """One character folded as far as it stays one character."""
    for candidate in (unicodedata.normalize("NFKC", char).casefold(), char.casefold()):
        if len(candidate) == 1:
            return candidate
    return char


def _is_word_char(char: str) -> bool:
    # Combining marks (the accent of a decomposed "é") belong to the word they mark.
    return char.isalnum() or char in "'’" or unicodedata.category(char).startswith("M")


@dataclass
class Glossary:
    """A snapshot of the glossary for one source → target language pair."""

    source_lang: str
    target_lang: str
    version: int
    entries: dict[str, Entry] = field(default_factory=dict)  # normalized source term → entry
    _automaton: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # The automaton runs over UTF-8 bytes (spelled as latin-1 characters), not over
        # characters: pyahocorasick finds a node's child by a linear scan, and a Chinese
        # glossary's root has thousands of children, while a UTF-8 byte node has at most
        # 64. This makes matching about twice as fast on a large glossary.
        automaton = ahocorasick.Automaton()
        for key, entry in self.entries.items():
            encoded = _bytes_as_text(key)
            automaton.add_word(encoded, (len(encoded), len(key), entry))
        if self.entries:
            automaton.make_automaton()
        self._automaton = automaton
        self._word_bounded = self.source_lang.split("-")[0] not in _NO_WORD_BOUNDARY_LANGS

    def lookup(self, text: str) -> Entry | None:
        """The entry whose source term is exactly ``text`` (after width/case folding)."""
        return self.entries.get(normalize(text.strip()))

    def match(self, text: str, boundaries: Collection[int] | None = None) -> list[TermMatch]:
        """Every term in ``text``: longest first, leftmost first, never overlapping.

        With ``boundaries`` (positions between words) only terms that begin and end
        there are found, before overlaps are settled: :meth:`match_words`.
        """
        if not self.entries or not text:
            return []
        folded = _fold(text)
        raw = folded.encode("utf-8", "surrogatepass")
        ascii_only = len(raw) == len(folded)
        word_bounded = self._word_bounded
        candidates = []
        for end_index, (byte_length, length, entry) in self._automaton.iter(
                raw.decode("latin-1")):
            byte_start = end_index - byte_length + 1
            # UTF-8 is self-synchronizing: a match always starts on a character boundary.
            start = byte_start if ascii_only else len(
                raw[:byte_start].decode("utf-8", "surrogatepass"))
            end = start + length
            if word_bounded and (
                    (start > 0 and _is_word_char(folded[start - 1])
                     and _is_word_char(folded[start]))
                    or (end < len(folded) and _is_word_char(folded[end])
                        and _is_word_char(folded[end - 1]))):
                continue
            if boundaries is not None and not (start in boundaries and end in boundaries):
                continue
            candidates.append((start, end, entry))
        if len(candidates) <= 1:  # the common case on short sign texts
            return [TermMatch(*candidates[0])] if candidates else []
        # The automaton reports matches by end position; when none overlaps the previous
        # one there is nothing to choose, and the order is already by start.
        previous_end = -1
        for start, end, _entry in candidates:
            if start < previous_end:
                break
            previous_end = end
        else:
            return [TermMatch(*candidate) for candidate in candidates]
        # Longest match wins; among equals the leftmost. Then drop overlaps.
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
        chosen: list[TermMatch] = []
        for start, end, entry in candidates:
            if any(start < m.end and m.start < end for m in chosen):
                continue
            chosen.append(TermMatch(start, end, entry))
        chosen.sort(key=lambda m: m.start)
        return chosen

    def match_words(self, text: str) -> list[TermMatch]:
        """The terms of :meth:`match` that cover whole words: for prose.

        In running text a one-character sign term is mostly part of a longer word
        (全面 is not 面 Noodles, 环境 not 环 Ring). Chinese and Japanese are cut
        into words with jieba (:mod:`workbench.zhwords`); word-spaced languages
        are matched on word boundaries anyway.
        """
        if self._word_bounded or not text:
            return self.match(text)
        from workbench import zhwords

        return self.match(text, boundaries=zhwords.word_boundaries(text))

    def __len__(self) -> int:
        return len(self.entries)


# Built glossaries by (revision, source, target), the most recently used last. The
# revision is a random token that every change replaces, so a copy of a database (a
# backup restored, a test's copy of a template) shares the built automaton with its
# original until either changes.
_cache: OrderedDict[tuple[str, str, str], Glossary] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SIZE = 16  # language pairs × databases kept built in one process


def glossary_version(db: Database) -> int:
    """The current glossary version (bumped on every change)."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [VERSION_KEY]).fetchone()
    return int(row[0]) if row else 0


def bump_version(db: Database) -> int:
    """Mark the glossary as changed (call inside the change's transaction)."""
    db.execute(
        """INSERT INTO settings (key, value) VALUES (?, '1')
           ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1""", [VERSION_KEY])
    db.execute("""INSERT INTO settings (key, value) VALUES (?, ?)
                  ON CONFLICT(key) DO UPDATE SET value = excluded.value""",
               [REVISION_KEY, uuid.uuid4().hex])
    return glossary_version(db)


def _revision(db: Database, version: int) -> str:
    """The token naming this glossary's content (the database and version without one)."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [REVISION_KEY]).fetchone()
    return str(row[0]) if row else f"{_db_key(db)}#{version}"


def _db_key(db: Database) -> str:
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] or f"memory:{id(db.conn)}"


def _entry(slot: dict[str, Any]) -> Entry:
    """An entry from a concept's collected row values (renderings as lists by status)."""
    return Entry(source_text=slot["source_text"], concept_id=slot["concept_id"],
                 domain=slot["domain"], function=slot["function"],
                 source_status=slot["source_status"], preferred=tuple(slot["preferred"]),
                 admitted=tuple(slot["admitted"]), deprecated=tuple(slot["deprecated"]),
                 forbidden=tuple(slot["forbidden"]), verified=slot["verified"],
                 notes=slot["notes"])


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
    by_wording: dict[str, list[Entry]] = {}
    for (key, _concept), slot in grouped.items():
        by_wording.setdefault(key, []).append(_entry(slot))
    entries = {key: _merge(candidates) for key, candidates in by_wording.items()}
    return Glossary(source_lang, target_lang, version, entries)


# When one wording belongs to several concepts, the general sign vocabulary speaks
# first and document terminology last.
_DOMAIN_PRIORITY = {domain: rank for rank, domain in enumerate(reversed((
    "general", "transport", "tourism", "culture", "sports", "education", "medical", "post",
    "catering", "commerce", "place_names", "organizations", "policy")))}


def _rank(entry: Entry) -> tuple[int, int, int, int]:
    return (int(bool(entry.acceptable)), int(entry.source_status == "preferred"),
            int(entry.verified), _DOMAIN_PRIORITY.get(entry.domain, -1))


def _merge(candidates: list[Entry]) -> Entry:
    """One entry per wording: the best-ranked concept's, with the others' renderings folded in.

    The winner's preferred rendering is the draft; every other concept's acceptable
    renderings become admitted ones (a sign using them is not wrong), and a rendering
    is forbidden only if no concept accepts it.
    """
    if len(candidates) == 1:
        return candidates[0]
    candidates = sorted(candidates, key=_rank, reverse=True)
    winner = candidates[0]
    acceptable = list(winner.acceptable)
    for other in candidates[1:]:
        acceptable += [text for text in other.acceptable if text not in acceptable]
    admitted = tuple(text for text in acceptable if text not in winner.preferred)
    forbidden: list[str] = []
    for candidate in candidates:
        forbidden += [text for text in candidate.forbidden
                      if text not in acceptable and text not in forbidden]
    return replace(winner, admitted=admitted, forbidden=tuple(forbidden),
                   other_concepts=tuple(c.concept_id for c in candidates[1:]))


def load_glossary(db: Database, source_lang: str, target_lang: str) -> Glossary:
    """The glossary for a language pair, rebuilt only when the glossary version changed."""
    version = glossary_version(db)
    key = (_revision(db, version), source_lang, target_lang)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    glossary = _build(db, source_lang, target_lang, version)
    with _cache_lock:
        _cache[key] = glossary
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return glossary


def match(text: str, source_lang: str, target_lang: str, db: Database) -> list[TermMatch]:
    """Every glossary term in ``text`` (longest, non-overlapping, with positions)."""
    return load_glossary(db, source_lang, target_lang).match(text)


def from_entries(source_lang: str, target_lang: str, entries: Iterable[Entry],
                 version: int = 0) -> Glossary:
    """A glossary built from entries in memory (benchmarks, tests, tools)."""
    return Glossary(source_lang, target_lang, version,
                    {normalize(e.source_text): e for e in entries})
