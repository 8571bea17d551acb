"""What the rule engine knows of words: renderings, the lexicon, numbers, source clean-up.

A :class:`Rendering` is a partial translation with its confidence, the glossary
terms it used and the source spans it had to leave untranslated. The
:class:`Lexicon` merges the glossary with the rule vocabulary (``words.tsv``,
``generics.tsv``) for one glossary snapshot and target language.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field

from workbench.glossary.match import Entry, Glossary
from workbench.mt.base import TermUse
from workbench.mt.rules import pinyin
from workbench.mt.rules.tables import Tables, load_tables, place_name_spellings

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
ASCII_RUN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-/]*")
_STRIP = "。．.！!，,；;：: \t\u3000"

# Confidence of each kind of draft, highest for what a standard or the glossary fixes.
SCORE_GLOSSARY = 0.95
SCORE_PATTERN = 0.85
SCORE_COMPOSED = 0.75
SCORE_NAME_KNOWN = 0.85
SCORE_NAME_PINYIN = 0.7
SCORE_PARTIAL = 0.3


@dataclass
class Rendering:
    """A partial translation: text, confidence, glossary terms used, untranslated spans."""

    text: str
    score: float
    terms: list[TermUse] = field(default_factory=list)
    verbatim: bool = False  # a whole glossary entry: its casing is kept as written
    unknown: tuple[str, ...] = ()  # source spans left as they are (a partial draft)
    proper: tuple[str, ...] = ()  # names inside the text: their capitals stay in sentences


def joined(parts: list[Rendering], text: str, score: float | None = None) -> Rendering:
    """One rendering made of ``parts`` (their terms and unknown spans kept) with ``text``."""
    return Rendering(text, min([p.score for p in parts] + ([score] if score is not None else [])),
                     [t for p in parts for t in p.terms],
                     unknown=tuple(u for p in parts for u in p.unknown),
                     proper=tuple(n for p in parts for n in p.proper))


@dataclass(frozen=True)
class Lex:
    """One known word: its rendering and where it comes from."""

    en: str
    entry: Entry | None  # set when the rendering comes from the glossary
    is_name: bool = False
    bare: str = ""  # a name's rendering without its level (海南省 → Hainan), when known


def is_name_entry(entry: Entry) -> bool:
    """Whether a glossary entry is a proper name (its sign function is ``name``)."""
    return entry.function == "name"


def bare_name(entry: Entry, tables: Tables) -> str:
    """A name's rendering for use before a generic: without a trailing level word.

    海南省 is "Hainan Province" on its own but "Hainan" in 海南大学 Hainan University;
    the glossary's admitted "Hainan" is preferred there over cutting words off.
    """
    for rendering in entry.acceptable:
        if not any(rendering.endswith(" " + level) for level in tables.admin_levels):
            return rendering
    return entry.target or ""


def _is_name_part(entry: Entry) -> bool:
    # The glossary's generic name parts: place-name vocabulary that is not a name itself.
    return entry.domain == "place_names" and not entry.function


class Lexicon:
    """Glossary + rule vocabulary for one glossary snapshot and target language."""

    def __init__(self, glossary: Glossary, tables: Tables, target: str) -> None:
        self.glossary = glossary
        self.target = target
        self.items: dict[str, Lex] = {}
        if target == "en":
            for zh, en in tables.words.items():
                self.items[zh] = Lex(en, None)
            for zh, generic in tables.generics.items():
                self.items.setdefault(zh, Lex(generic.en, None))
        else:
            for zh, wording in tables.foreign_words.get(target, {}).items():
                self.items[zh] = Lex(wording, None)
        for key, entry in glossary.entries.items():
            if not entry.target or not CJK.search(key):
                continue
            if key in self.items and (_is_name_part(entry) or entry.source_status != "preferred"):
                # Generic name parts (台 Terrace, 山 Mountain) are for names, and a concept's
                # other Chinese wordings (大厅 under 餐厅) belong to that concept; in a
                # compound the sign vocabulary reads better (服务台 Service Desk).
                continue
            is_name = is_name_entry(entry)
            self.items[key] = Lex(entry.target, entry, is_name,
                                  bare_name(entry, tables) if is_name else "")
        self.max_length = max((len(k) for k in self.items), default=1)
        # Established names teach pypinyin their readings and jieba their boundaries.
        if target == "en":
            names = [e for e in glossary.entries.values() if is_name_entry(e) or
                     e.domain == "place_names"]
            spellings = place_name_spellings()
            pinyin.add_words([e.source_text for e in names] + list(spellings))
            pinyin.teach_readings([(e.source_text, e.target.split(" ")[0])
                                   for e in names if e.target] + list(spellings.items()))


_lexicons: dict[tuple[int, str, int], Lexicon] = {}
_lexicon_lock = threading.Lock()


def lexicon_for(glossary: Glossary, target: str) -> Lexicon:
    """The lexicon of a glossary snapshot (built once per snapshot and language)."""
    key = (id(glossary), target, glossary.version)
    lexicon = _lexicons.get(key)
    if lexicon is None or lexicon.glossary is not glossary:
        lexicon = Lexicon(glossary, load_tables(), target)
        with _lexicon_lock:
            if len(_lexicons) > 16:
                _lexicons.clear()
            _lexicons[key] = lexicon
    return lexicon


def term(entry: Entry, target: str | None = None) -> TermUse:
    """The record of a glossary term a draft used."""
    return TermUse(entry.source_text, target or entry.target or "", entry.concept_id)


CHINESE_NUMERAL = "[一二三四五六七八九十]{1,3}|\\d{1,3}"
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_ORDINAL_WORDS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth",
                  "Ninth", "Tenth", "Eleventh", "Twelfth")


def chinese_number(numeral: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23, 15 → 15 (up to 99)."""
    if numeral.isdigit():
        return int(numeral)
    if "十" not in numeral:
        return _DIGITS.get(numeral) if len(numeral) == 1 else None
    tens, _sep, ones = numeral.partition("十")
    value = (_DIGITS.get(tens, 0) if tens else 1) * 10
    if ones:
        if ones not in _DIGITS:
            return None
        value += _DIGITS[ones]
    return value


def ordinal_number(number: int) -> str:
    """1 → 1st, 2 → 2nd, 3 → 3rd, 11 → 11th, 22 → 22nd (road and ring-road ordinals)."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"


def ordinal_word(number: int) -> str:
    """1 → First, 2 → Second … (organization ordinals); larger numbers as 13th."""
    if 1 <= number <= len(_ORDINAL_WORDS):
        return _ORDINAL_WORDS[number - 1]
    return ordinal_number(number)


def clean_source(text: str) -> str:
    """Full-width letters/digits folded, spaces collapsed, leading/trailing punctuation off."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", " ", text).strip(_STRIP)
    return text
