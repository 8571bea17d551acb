"""Splitting paragraphs into sentence segments, by rules kept in a readable table.

The rules (``rules/segmentation.tsv``, SRX-like) say per language where a
sentence ends (``break``), where it does not (``nobreak``), and which spans are
never split (``protect``: 《书名号》, numbers such as 3.5, web addresses). A
project may replace the table; it is stored in ``settings`` (audited) and read by
:func:`load_rules`. Placeholders (:mod:`workbench.documents.tags`) are carried
into the segment they belong to and re-balanced at the cuts.
"""
from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.documents import tags
from workbench.errors import Problem, ValidationError
from workbench.messages import msg

RULES_FILE = Path(__file__).resolve().parent / "rules" / "segmentation.tsv"
SETTINGS_KEY = "documents.segmentation_rules"
ACTIONS = ("break", "nobreak", "protect")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_WORD = re.compile(r"[A-Za-z0-9À-ɏЀ-ӿ]+(?:['’.,-][A-Za-z0-9À-ɏЀ-ӿ]+)*")
# Languages written without spaces between sentences.
NO_SPACE_LANGS = frozenset({"zh", "ja"})


@dataclass(frozen=True)
class Rule:
    """One line of the rule table."""

    lang: str
    action: str
    before: str
    after: str
    note: str = ""
    line: int = 0


def parse_rules(text: str) -> list[Rule]:
    """Read a rule table (TSV); raises ValidationError naming every bad line."""
    rules, problems = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = raw.rstrip("\r\n").split("\t")
        if len(cells) < 3:
            problems.append(Problem(msg("A rule needs at least lang, action and before, "
                                        "separated by tabs."), row=number, value=raw[:60]))
            continue
        cells += [""] * (5 - len(cells))
        lang, action, before, after, note = (c.strip() if i < 2 else c
                                             for i, c in enumerate(cells[:5]))
        if action not in ACTIONS:
            problems.append(Problem(msg("Unknown action; use one of %(actions)s.",
                                        actions=", ".join(ACTIONS)),
                                    row=number, column="action", value=action))
            continue
        if not before:
            problems.append(Problem(msg("The 'before' pattern is empty."), row=number,
                                    column="before"))
            continue
        for column, pattern in (("before", before), ("after", after)):
            try:
                re.compile(pattern)
            except re.error as error:
                problems.append(Problem(msg("Not a valid regular expression: %(error)s.",
                                            error=error),
                                        row=number, column=column, value=pattern))
        rules.append(Rule(lang.lower() or "*", action, before, after, note.strip(), number))
    if problems:
        raise ValidationError(problems, summary=msg("The segmentation rules have problems; "
                                                    "nothing was saved."))
    return rules


def shipped_rules_text() -> str:
    """The rule table shipped with the workbench."""
    return RULES_FILE.read_text(encoding="utf-8")


def rules_text(db: Database | None) -> str:
    """The project's rule table: its own when set, else the shipped one."""
    if db is not None:
        row = db.execute("SELECT value FROM settings WHERE key = ?", [SETTINGS_KEY]).fetchone()
        if row and row[0]:
            own_rules: str = row[0]
            return own_rules
    return shipped_rules_text()


def load_rules(db: Database | None = None) -> list[Rule]:
    """The rules in force for the project (see :func:`rules_text`)."""
    return _parsed(rules_text(db))


_parse_cache: dict[str, list[Rule]] = {}
_cache_lock = threading.Lock()


def _parsed(text: str) -> list[Rule]:
    with _cache_lock:
        cached = _parse_cache.get(text)
    if cached is None:
        cached = parse_rules(text)
        with _cache_lock:
            _parse_cache.clear()
            _parse_cache[text] = cached
    return cached


def set_rules(db: Database, actor: auth.User, text: str | None) -> None:
    """Replace the project's rule table (validated first); ``None`` goes back to the shipped one."""
    if text is not None:
        text = text.replace("\r\n", "\n")
        parse_rules(text)
    with transaction(db):
        before = db.execute("SELECT value FROM settings WHERE key = ?",
                            [SETTINGS_KEY]).fetchone()
        if text is None:
            db.execute("DELETE FROM settings WHERE key = ?", [SETTINGS_KEY])
        else:
            db.execute("""INSERT INTO settings (key, value) VALUES (?, ?)
                          ON CONFLICT(key) DO UPDATE SET value = excluded.value""",
                       [SETTINGS_KEY, text])
        audit.record(db, actor, "documents.segmentation_rules", "setting", SETTINGS_KEY,
                     {"custom": bool(before and before[0])}, {"custom": text is not None,
                                                              "rules": text})


class Segmenter:
    """The compiled rules of one language."""

    def __init__(self, rules: list[Rule], lang: str) -> None:
        base = lang.split("-")[0].split("_")[0].lower()
        mine = [r for r in rules if r.lang in (base, "*")]
        self.lang = base
        self.breaks = [self._compile(r) for r in mine if r.action == "break"]
        self.nobreaks = [self._compile(r) for r in mine if r.action == "nobreak"]
        self.protects = [re.compile(r.before) for r in mine if r.action == "protect"]

    @staticmethod
    def _compile(rule: Rule) -> re.Pattern[str]:
        # A zero-width search at every position; the group ends where the break would be.
        after = f"(?=(?:{rule.after}))" if rule.after else ""
        return re.compile(f"(?=(?P<before>{rule.before}){after})")

    def boundaries(self, text: str) -> list[int]:
        """Positions (0 < p < len) where ``text`` is cut into sentences."""
        if not text:
            return []
        candidates: set[int] = set()
        for pattern in self.breaks:
            candidates.update(m.end("before") for m in pattern.finditer(text))
        if not candidates:
            return []
        for pattern in self.nobreaks:
            candidates.difference_update(m.end("before") for m in pattern.finditer(text))
        for pattern in self.protects:
            for match in pattern.finditer(text):
                candidates.difference_update(range(match.start() + 1, match.end()))
        return sorted(p for p in candidates if 0 < p < len(text) and text[p:].strip())

    def split_plain(self, text: str) -> list[str]:
        """Sentences of a text without placeholders (trimmed, none empty)."""
        cuts = [0] + self.boundaries(text) + [len(text)]
        pieces = [text[a:b].strip() for a, b in itertools.pairwise(cuts)]
        return [p for p in pieces if p]

    def split(self, text: str) -> list[str]:
        """Sentences of tagged text; each keeps its placeholders, pairs re-balanced."""
        plain_parts: list[str] = []
        # (plain offset, token) for every tag.
        placed: list[tuple[int, tags.Token]] = []
        offset = 0
        for token in tags.tokens(text):
            if token.kind == "text":
                plain_parts.append(token.value)
                offset += len(token.value)
            else:
                placed.append((offset, token))
        plain = "".join(plain_parts)
        cuts = self.boundaries(plain)
        if not cuts:
            return [text.strip()] if tags.strip_tags(text).strip() or placed else []
        bounds = [0] + cuts + [len(plain)]
        pieces: list[list[str]] = [[] for _ in range(len(bounds) - 1)]
        # Which piece each tag goes to: an opening tag at a cut starts the next
        # sentence; a closing or standalone one (e.g. a footnote mark) ends the previous.
        tag_index = 0
        for index, (start, end) in enumerate(itertools.pairwise(bounds)):
            position = start
            while True:
                next_tag = placed[tag_index] if tag_index < len(placed) else None
                if next_tag is not None and (
                        next_tag[0] < end
                        or (next_tag[0] == end and next_tag[1].kind != "open")
                        or index == len(pieces) - 1):
                    tag_at, token = next_tag
                    pieces[index].append(plain[position:tag_at])
                    pieces[index].append(token.markup)
                    position = tag_at
                    tag_index += 1
                    continue
                pieces[index].append(plain[position:end])
                break
        joined = ["".join(p).strip() for p in pieces]
        balanced = tags.balance(joined)
        return [p for p in balanced if tags.strip_tags(p).strip()]


_segmenters: dict[tuple[int, str], Segmenter] = {}


def segmenter(rules: list[Rule], lang: str) -> Segmenter:
    """A (cached) segmenter for the rule list and language."""
    key = (id(rules), lang)
    found = _segmenters.get(key)
    if found is None:
        found = Segmenter(rules, lang)
        if len(_segmenters) > 64:
            _segmenters.clear()
        _segmenters[key] = found
    return found


def split_sentences(text: str, lang: str = "zh", rules: list[Rule] | None = None) -> list[str]:
    """Split tagged text into sentences with the given rules (default: the shipped table)."""
    return segmenter(rules if rules is not None else _parsed(shipped_rules_text()),
                     lang).split(text)


def count_words(text: str) -> int:
    """Words for progress figures: each CJK character counts as one, Latin words as one."""
    plain = tags.strip_tags(text)
    return len(_CJK.findall(plain)) + len(_WORD.findall(_CJK.sub(" ", plain)))


def joiner(lang: str) -> str:
    """What goes between two sentences of one paragraph in ``lang``."""
    return "" if lang.split("-")[0].lower() in NO_SPACE_LANGS else " "


def is_translatable(text: str) -> bool:
    """Whether a text has anything to translate (letters or CJK, not only numbers and marks)."""
    plain = tags.strip_tags(text)
    return any(ch.isalpha() for ch in plain)
