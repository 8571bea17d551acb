"""Hanyu Pinyin for the specific part of names, written by GB/T 16159.

The syllables of one name are one word with a capital first letter and no tone
marks; an apostrophe separates a syllable starting with a, o or e from the one
before it (Bo'ao, Xi'an). ü is written ``v`` (Wanlv), ``u`` or ``ü`` as the
``PINYIN_U_STYLE`` setting says. Readings of polyphonic characters come from
word segmentation (jieba, with glossary terms added to its dictionary) and
pypinyin's phrase dictionary, taught the readings of established place names
found in the glossary (e.g. 蚌埠 Bengbu).
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable

from pypinyin import Style, load_phrases_dict, pinyin

from workbench import zhwords

_lock = threading.Lock()  # pypinyin's phrase dictionary is global too
_taught: dict[str, str] = {}  # Chinese → the spelling its reading was learnt from
_PINYIN_WORD = re.compile(r"^[A-Z][a-z]+(?:'[a-z]+)*$")


def _tagged(chinese: str) -> tuple[tuple[str, str], ...]:
    """Words of ``chinese`` with jieba's part-of-speech tags (ns: place name)."""
    return zhwords.tagged(chinese, hmm=False)


def is_place_word(chinese: str) -> bool:
    """Whether ``chinese`` is one word that the dictionary knows as a place name (杭州, 上海)."""
    words = _tagged(chinese)
    return len(words) == 1 and words[0][1] == "ns" and len(chinese) >= 2


def words_of(chinese: str) -> tuple[str, ...]:
    """The dictionary words ``chinese`` is made of (聚福楼 → 聚, 福, 楼; 黄鹤楼 → 黄鹤楼)."""
    return tuple(word for word, _flag in _tagged(chinese))


def is_common_word(chinese: str) -> bool:
    """Whether ``chinese`` is one everyday word (环岛 roundabout, 铁路 railway), not a name."""
    words = _tagged(chinese)
    return len(words) == 1 and not words[0][1].startswith(("ns", "nr", "nz", "nt"))


def leading_place(chinese: str) -> str:
    """The place name ``chinese`` starts with (上海梅山 → 上海), or an empty string."""
    words = _tagged(chinese)
    if words and words[0][1] == "ns" and len(words[0][0]) >= 2:
        return words[0][0]
    return ""


def add_words(words: Iterable[str]) -> None:
    """Add (glossary) words to the segmenter's dictionary so names split as the glossary says."""
    zhwords.add_words(words)


def _plain(syllable: str) -> str:
    # Tone marks off, ü kept as v until the writing style is applied.
    syllable = syllable.replace("ü", "v")
    return "".join(c for c in unicodedata.normalize("NFD", syllable)
                   if not unicodedata.combining(c))


def _reading(chinese: str, romanized: str) -> list[str] | None:
    """The toned readings of ``chinese`` that spell ``romanized``, or None."""
    if chinese in _taught or not _PINYIN_WORD.match(romanized) or len(chinese) < 2:
        return None
    target = _folded(romanized)
    # pypinyin's stubs type ``errors`` as returning str; it accepts the readings as lists.
    candidates = pinyin(chinese, style=Style.TONE, heteronym=True,
                        errors=lambda c: [[c]])  # type: ignore[arg-type, return-value]
    if len(candidates) != len(chinese):
        return None
    chosen: list[str] = []

    def walk(index: int, offset: int) -> bool:
        if index == len(candidates):
            return offset == len(target)
        for reading in candidates[index]:
            plain = _plain(reading)
            for variant in {plain, plain.replace("v", "u"), plain.replace("v", "yu")}:
                if target.startswith(variant, offset):
                    chosen.append(reading)
                    if walk(index + 1, offset + len(variant)):
                        return True
                    chosen.pop()
        return False

    return chosen if walk(0, 0) else None


def teach_readings(names: Iterable[tuple[str, str]]) -> int:
    """Learn readings from established one-word pinyin names (蚌埠 / Bengbu); returns how many.

    A name is learnt only when its spelling is a possible reading of its characters.
    pypinyin rebuilds its segmenter on every dictionary change, so all are added at once.
    """
    names = list(names)
    phrases = {}
    for chinese, romanized in names:
        readings = _reading(chinese, romanized)
        if readings:
            phrases[chinese] = [[reading] for reading in readings]
    if phrases:
        spelled = dict(names)
        with _lock:
            load_phrases_dict(phrases)
            _taught.update({c: _folded(spelled[c]) for c in phrases})
    return len(phrases)


def _folded(romanized: str) -> str:
    return romanized.lower().replace("'", "").replace("ü", "v")


def teach_reading(chinese: str, romanized: str) -> bool:
    """Learn one reading (see :func:`teach_readings`); True if it is (now) known that way."""
    if chinese in _taught:
        return _taught[chinese] == _folded(romanized)
    return teach_readings([(chinese, romanized)]) == 1


def apply_u_style(word: str, u_style: str = "v") -> str:
    """Write the ü of a pinyin word as the setting says (v: Wanlv, u: Wanlu, ü: Wanlü)."""
    plain = word.replace("ü", "v")
    if u_style == "u":
        return plain.replace("v", "u")
    if u_style in ("ü", "umlaut"):
        return plain.replace("v", "ü")
    return plain


def syllables(chinese: str) -> list[str]:
    """Toneless syllables of ``chinese`` (ü as v), read word by word."""
    words = zhwords.words(chinese, hmm=False) if len(chinese) > 1 else [chinese]
    result = []
    # pypinyin's stubs type ``errors`` as returning str; it accepts a list of readings.
    readings = pinyin(words, style=Style.NORMAL,
                      errors=lambda chars: list(chars))  # type: ignore[arg-type, return-value]
    for reading in readings:
        result.append(_plain(reading[0]))
    return result


def write_syllables(parts: list[str], u_style: str = "v") -> str:
    """Join syllables into one name word: capital first letter, apostrophe before a/o/e."""
    written = []
    for index, syllable in enumerate(parts):
        syllable = apply_u_style(syllable.lower(), u_style)
        if index and syllable[:1] in ("a", "o", "e"):
            written.append("'")
        written.append(syllable)
    word = "".join(written)
    return word[:1].upper() + word[1:]


# Readings of polyphonic characters at the start of a place name where the dictionary
# reads the everyday word (长海 is Changhai, not "Zhanghai"; 重庆 Chongqing).
_NAME_INITIAL_READINGS = {"长": ("zhang", "chang"), "重": ("zhong", "chong")}


def name_pinyin(chinese: str, u_style: str = "v") -> str:
    """The specific part of a name in pinyin as one word (龙昆 → Longkun, 博鳌 → Bo'ao)."""
    parts = syllables(chinese)
    override = _NAME_INITIAL_READINGS.get(chinese[:1])
    if override and parts and parts[0] == override[0] and chinese not in _taught:
        parts[0] = override[1]
    return write_syllables(parts, u_style)
