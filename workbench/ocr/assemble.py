"""From recognized lines to the sign's texts: group by script and layout, then join.

Lines in the same script that stand next to each other — stacked (one under
the other, overlapping horizontally) or side by side (same row, a small gap) —
form one *block*, one text. A block's rows are joined top to bottom: Chinese
without spaces, Latin with a space, or with ``//`` after a signal word, as the
standard writes a warning's two lines ("CAUTION//Wet Floor").

Nothing is guessed. One Chinese block becomes the sign's Chinese, one English
Latin block its installed English. Several blocks of one script, Latin words
that could as well be pinyin as English, Latin text that reads as no known
words (typically Cyrillic seen through a Latin model) and scripts the shipped
models do not read become *questions* (:class:`Question`) for the officer.

Normalization fixes only what is an OCR artefact by construction: full-width
forms in Latin text, and spaces the recognizer dropped between two words
(``WetFloor`` → ``Wet Floor``: split only where every part is a dictionary
word and the whole is not).
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import lru_cache

from workbench.messages import Message, msg
from workbench.ocr import scripts
from workbench.vocabulary import OCR_SCRIPTS

SIGNAL_WORDS = frozenset({"CAUTION", "DANGER", "WARNING", "NOTICE", "ATTENTION"})

# Layout thresholds, in units of the taller line's height.
ROW_GAP = 1.6  # side by side: at most this far apart horizontally
STACK_GAP = 1.1  # stacked: at most this far apart vertically
ROW_OVERLAP = 0.5  # side by side: share at least half the smaller height


@dataclass
class Line:
    """A recognized line with its geometry and script; ``block`` is set by grouping."""

    text: str
    box: list[list[int]]
    confidence: float
    script: str
    block: int | None = None

    @property
    def x0(self) -> float:
        return min(p[0] for p in self.box)

    @property
    def x1(self) -> float:
        return max(p[0] for p in self.box)

    @property
    def y0(self) -> float:
        return min(p[1] for p in self.box)

    @property
    def y1(self) -> float:
        return max(p[1] for p in self.box)

    @property
    def height(self) -> float:
        """The text height along the box's sides (a rotated box is taller than its text)."""
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = self.box[:4]
        left: float = ((ax - dx) ** 2 + (ay - dy) ** 2) ** 0.5
        right: float = ((bx - cx) ** 2 + (by - cy) ** 2) ** 0.5
        return max(1.0, (left + right) / 2)

    @property
    def centre_y(self) -> float:
        return sum(p[1] for p in self.box) / len(self.box)


@dataclass
class Option:
    """One answer to a question: the text it puts in the field (empty: leave it out)."""

    value: str
    label: Message


@dataclass
class Question:
    """Something the officer must decide: ``kind`` (vocabulary ``OCR_QUESTIONS``),
    the form ``field`` it concerns (``zh``, ``en`` …, or None for a notice), the
    message, the answers, and the lines it is about."""

    kind: str
    field: str | None
    message: Message
    options: list[Option] = dc_field(default_factory=list)
    lines: list[int] = dc_field(default_factory=list)


@dataclass
class Block:
    """Lines of one script that stand together: one text."""

    script: str
    lines: list[int]
    text: str = ""


@dataclass
class Assembly:
    """What the lines say: the Chinese, the foreign texts by language, the questions."""

    zh: str
    foreign: dict[str, str]
    questions: list[Question]
    blocks: list[Block]


# ---------------------------------------------------------------------------
# Geometry

def _vertical_overlap(a: Line, b: Line) -> float:
    return min(a.y1, b.y1) - max(a.y0, b.y0)


def _side_by_side(a: Line, b: Line) -> bool:
    tall = max(a.height, b.height)
    if _vertical_overlap(a, b) < ROW_OVERLAP * min(a.height, b.height):
        return False
    gap = max(a.x0, b.x0) - min(a.x1, b.x1)
    return gap <= ROW_GAP * tall


def _stacked(a: Line, b: Line) -> bool:
    upper, lower = (a, b) if a.centre_y <= b.centre_y else (b, a)
    if min(a.x1, b.x1) - max(a.x0, b.x0) <= 0:
        return False
    gap = lower.y0 - upper.y1
    return gap <= STACK_GAP * max(a.height, b.height)


def adjacent(a: Line, b: Line) -> bool:
    """Whether two lines stand together on the sign (same row or one under the other)."""
    return _side_by_side(a, b) or _stacked(a, b)


def group_blocks(lines: list[Line]) -> list[Block]:
    """Group lines of one script that stand together into blocks, in reading order.

    A line of digits and punctuation (``Common``) joins the block of the nearest
    line it stands next to; alone, it forms no block.
    """
    parent = list(range(len(lines)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(lines):
        for j in range(i + 1, len(lines)):
            b = lines[j]
            if a.script == b.script != scripts.COMMON and adjacent(a, b):
                parent[find(j)] = find(i)
    for i, line in enumerate(lines):
        if line.script != scripts.COMMON:
            continue
        neighbours = [j for j, other in enumerate(lines)
                      if other.script != scripts.COMMON and adjacent(line, other)]
        if neighbours:
            nearest = min(neighbours, key=lambda j: abs(lines[j].centre_y - line.centre_y))
            parent[i] = find(nearest)
    members: dict[int, list[int]] = {}
    for i in range(len(lines)):
        members.setdefault(find(i), []).append(i)
    blocks = []
    for ids in members.values():
        scripts_in = {lines[k].script for k in ids} - {scripts.COMMON}
        if scripts_in:  # numbers standing alone make no text of their own
            ordered = sorted(ids, key=lambda k: _reading_key(lines[k]))
            blocks.append(Block(scripts_in.pop(), ordered))
    blocks.sort(key=lambda b: (min(lines[k].y0 for k in b.lines),
                               min(lines[k].x0 for k in b.lines)))
    for number, block in enumerate(blocks):
        for k in block.lines:
            lines[k].block = number
    return blocks


def _reading_key(line: Line) -> tuple[float, float]:
    return (line.centre_y, line.x0)


def rows_of(lines: list[Line], ids: list[int]) -> list[list[int]]:
    """The block's lines in rows (top to bottom), each row left to right."""
    rows: list[list[int]] = []
    for k in sorted(ids, key=lambda k: lines[k].centre_y):
        line = lines[k]
        for row in rows:
            first = lines[row[0]]
            if _vertical_overlap(first, line) >= ROW_OVERLAP * min(first.height, line.height):
                row.append(k)
                break
        else:
            rows.append([k])
    return [sorted(row, key=lambda k: lines[k].x0) for row in rows]


# ---------------------------------------------------------------------------
# Text normalization

WORD_RE = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:'[A-Za-z]+)?")


@lru_cache(maxsize=1)
def _word_tests() -> tuple[Callable[[str], bool], Callable[[str], bool]]:
    from workbench.checks.pinyin import is_pinyin_word
    from workbench.checks.spelling import is_english_word
    return is_english_word, is_pinyin_word


def is_english(word: str) -> bool:
    """A dictionary word (the spelling check's dictionary)."""
    return _word_tests()[0](word)


def is_pinyin(word: str) -> bool:
    """A run of pinyin syllables (Haikou, Xi'an)."""
    return _word_tests()[1](word)


# Short words a sign's English uses; longer pieces must be dictionary words. Without
# this limit a dictionary's two-letter oddities would cut "Nephrology" into "Ne ph ro logy".
SHORT_WORDS = frozenset({"a", "i", "an", "as", "at", "be", "by", "do", "go", "if", "in", "is",
                         "it", "me", "my", "no", "of", "on", "or", "so", "to", "up", "us",
                         "we"})


def _known(word: str) -> bool:
    if len(word) <= 2:
        return word.lower() in SHORT_WORDS and (len(word) > 1 or word in ("a", "A", "I"))
    return is_english(word)


def _derived_word(token: str) -> bool:
    """A derivation the dictionary lacks (Nephrology, Rebooking, Contactless). Compounds
    of two words are not counted: a dropped space makes exactly those (Keepoff)."""
    from workbench.checks.spelling import LEARNED_ENDINGS, PREFIXES, SUFFIXES
    lowered = token.lower()
    if lowered.endswith(LEARNED_ENDINGS):
        return True
    if any(lowered.startswith(p) and len(lowered) - len(p) >= 3 and is_english(lowered[len(p):])
           for p in PREFIXES):
        return True
    return any(lowered.endswith(x) and len(lowered) - len(x) >= 3
               and is_english(lowered[:-len(x)]) for x in SUFFIXES)


def _rarity(word: str) -> float:
    """How unusual a word is (−log of its frequency in the dictionary's corpus)."""
    from workbench.checks.spelling import _checker
    frequency = _checker().word_usage_frequency(word.lower())
    return -math.log(frequency) if frequency > 0 else 50.0


@lru_cache(maxsize=20000)
def _segment(token: str) -> tuple[str, ...] | None:
    """The dictionary words that spell ``token`` exactly: the fewest, and among as few
    the most common ones ("Bikesin" → Bikes in, not Bike sin); None when there are none."""
    size = len(token)
    best: list[tuple[int, float, tuple[str, ...]] | None] = [(0, 0.0, ())] + [None] * size
    for end in range(1, size + 1):
        for start in range(max(0, end - 20), end):
            head = best[start]
            piece = token[start:end]
            if head is None or not _known(piece):
                continue
            candidate = (head[0] + 1, head[1] + _rarity(piece), head[2] + (piece,))
            current = best[end]
            if current is None or candidate[:2] < current[:2]:
                best[end] = candidate
    found = best[size]
    return found[2] if found else None


# Word boundaries a recognizer's dropped space leaves visible: lower → upper case
# (WetFloor), an abbreviation before a word (EVCharger), an apostrophe before a
# capital (Referees'Room; pinyin apostrophes come before a lower-case letter: Xi'an).
CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
APOSTROPHE_CAPITAL_RE = re.compile(r"(?<=[a-z]')(?=[A-Z])")
# A number written against a word (Open24Hours); T2, B1, 24h keep their letters.
NUMBER_RE = re.compile(r"(\d+(?:[.:]\d+)*)")


def restore_spaces(token: str) -> str:
    """Put back spaces the recognizer dropped between words, where that is certain.

    A known word (or pinyin name) stays as it is. Otherwise the token is cut
    at lower→upper case changes (``WetFloor``) and, failing that, into the
    fewest dictionary words (``Waitin`` → ``Wait in``); only when every part is
    a word.
    """
    numbered = NUMBER_RE.split(token)
    if len(numbered) > 1 and all(not part or part.isdigit() or NUMBER_RE.fullmatch(part) or
                                 (len(part) >= 3 and _known(part)) for part in numbered):
        return " ".join(part for part in numbered if part)  # Open24Hours → Open 24 Hours
    if "-" in token.strip("-"):
        return "-".join(restore_spaces(part) for part in token.split("-"))
    if APOSTROPHE_CAPITAL_RE.search(token):
        return " ".join(restore_spaces(part) for part in APOSTROPHE_CAPITAL_RE.split(token))
    if not token.isalpha() or len(token) < 3:
        return token
    camel = CAMEL_RE.split(token)
    if len(camel) == 1 and is_english(token):
        return token
    if len(camel) > 1:
        parts = [restore_spaces(part) if not is_english(part) else part for part in camel]
        if all(all(_known(w) or is_pinyin(w) or (w.isupper() and len(w) <= 4)
                   for w in part.split()) for part in parts):
            return " ".join(parts)
    if len(token) < 4 or is_english(token) or is_pinyin(token) or _derived_word(token):
        return token
    pieces = _segment(token)
    if pieces and len(pieces) > 1:
        return " ".join(pieces)
    return token


def normalize_latin(text: str) -> str:
    """Latin text as the sign writes it: half-width forms, single spaces, dropped spaces
    restored, ``//`` after a leading signal word."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s*//\s*", "//", text)
    text = re.sub(r"\s+", " ", text).strip()
    words = [restore_spaces(word) for word in text.split(" ")]
    text = " ".join(words)
    first, _, rest = text.partition(" ")
    if first in SIGNAL_WORDS and rest and "//" not in text:
        text = f"{first}//{rest}"
    return text


def normalize_han(text: str) -> str:
    """Chinese text without the spaces a recognizer puts between characters."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)


def join_block(lines: list[Line], block: Block) -> str:
    """A block's text: rows top to bottom, lines in a row left to right."""
    rows = [[lines[k].text for k in row] for row in rows_of(lines, block.lines)]
    if block.script == scripts.HAN:
        return normalize_han("".join("".join(row) for row in rows))
    texts = [normalize_latin(" ".join(row)) for row in rows]
    joined = ""
    for text in texts:
        if not joined:
            joined = text
        elif joined in SIGNAL_WORDS:
            joined = f"{joined}//{text}"
        else:
            joined = f"{joined} {text}"
    return normalize_latin(joined) if block.script == scripts.LATIN else joined


# ---------------------------------------------------------------------------
# Deciding what is what

def latin_kind(text: str) -> str:
    """``english``, ``pinyin`` (every word pinyin, none English) or ``unknown`` (mostly
    no known words, or digits inside words: a script the model does not read, seen as
    Latin look-alikes)."""
    tokens = text.replace("//", " ").split()
    if any(re.search(r"[A-Za-z]\d|\d[A-Za-z]", t) and not re.fullmatch(r"[A-Z]*\d+[A-Z]*", t)
           for t in tokens):
        return "unknown"
    words = [w for w in WORD_RE.findall(text)]
    if not words:
        return "english"
    pinyin = [w for w in words if is_pinyin(w)]
    # Place names the dictionary knows (Haikou, Sanya) are no evidence of English;
    # English words that happen to spell pinyin syllables (Canteen, Men) are.
    english = [w for w in words if (is_english(w) and not _pinyin_name(w))
               or (w.isupper() and len(w) <= 4 and not is_pinyin(w))]
    if not english and len(pinyin) == len(words):
        return "pinyin"
    known = {w for w in words if is_english(w) or is_pinyin(w) or w.isupper() or _derived_word(w)}
    if len(known) * 2 < len(set(words)):
        return "unknown"
    return "english"


@lru_cache(maxsize=1)
def _names_in_dictionary() -> frozenset[str]:
    from workbench.checks.data import word_list
    return frozenset(w for w in word_list("english_extra.txt") if is_pinyin(w))


def _pinyin_name(word: str) -> bool:
    """A pinyin place name the English dictionary was taught (haikou, boao)."""
    return word.lower() in _names_in_dictionary()


def _script_name(script: str) -> Message | str:
    return OCR_SCRIPTS.label(script)


def _several(field_name: str, blocks: list[Block]) -> Question:
    options = [Option(block.text, msg("Use “%(text)s”", text=block.text)) for block in blocks]
    separator = "" if field_name == "zh" else " "
    joined = separator.join(block.text for block in blocks)
    options.append(Option(joined, msg("Use all of them together")))
    return Question("several_texts", field_name, msg(
        "The photo shows %(n)s separate %(script)s texts. Which one is this sign's?",
        n=len(blocks),
        script=_script_name(scripts.HAN if field_name == "zh" else scripts.LATIN)),
        options,
        [k for block in blocks for k in block.lines])


def _latin_question(block: Block, kind: str) -> Question:
    if kind == "pinyin":
        return Question("language", "en", msg(
            "“%(text)s” could be pinyin or the installed English. Which is it?",
            text=block.text), [Option(block.text, msg("It is the installed English")),
                               Option("", msg("It is pinyin: leave it out"))], block.lines)
    return Question("unsure", "en", msg(
        "“%(text)s” does not read as English or pinyin: it may be in a script the models "
        "do not read (Cyrillic, Japanese kana, Korean Hangul). Type the text as it is.",
        text=block.text), [Option(block.text, msg("Use it as the English anyway"))],
        block.lines)


def _unread_notice(script: str, ids: list[int]) -> Question:
    return Question("unread_script", None, msg(
        "The photo holds %(script)s text, which the shipped models do not read. Type it "
        "yourself.", script=_script_name(script)), [], ids)


def assemble(lines: list[Line]) -> Assembly:
    """Group, join and decide: the sign's Chinese, its foreign texts and the questions."""
    blocks = group_blocks(lines)
    for block in blocks:
        block.text = join_block(lines, block)
    questions: list[Question] = []
    han = [b for b in blocks if b.script == scripts.HAN and b.text]
    zh = ""
    if len(han) == 1:
        zh = han[0].text
    elif han:
        questions.append(_several("zh", han))
    latin = [b for b in blocks if b.script == scripts.LATIN and b.text]
    kinds = {id(b): latin_kind(b.text) for b in latin}
    english = [b for b in latin if kinds[id(b)] == "english"]
    foreign: dict[str, str] = {}
    for block in latin:
        if kinds[id(block)] != "english":
            questions.append(_latin_question(block, kinds[id(block)]))
    if len(english) == 1:
        foreign["en"] = english[0].text
    elif english:
        questions.append(_several("en", english))
    for script in (scripts.CYRILLIC, scripts.KANA, scripts.HANGUL):
        ids = [k for b in blocks if b.script == script for k in b.lines]
        if ids:
            questions.append(_unread_notice(script, ids))
    return Assembly(zh, foreign, questions, blocks)
