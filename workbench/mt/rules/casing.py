"""Capitalization and punctuation of English signs as GB/T 30240.1 says they are written.

Title case with lower-case function words (unless first, or first after the
``//`` line break), signal words in capitals, a content word after a hyphen
capitalized, no full stop, no full-width punctuation, single spaces, no spaces
around hyphens, spaces around ``&``.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from workbench.mt.rules.tables import load_tables

_FULL_WIDTH = str.maketrans({"，": ",", "。": ".", "：": ":", "；": ";", "！": "!", "？": "?",
                             "（": "(", "）": ")", "“": '"', "”": '"', "‘": "'", "’": "'",
                             "、": ",", "—": "-", "－": "-", "～": "~"})
_SPACES = re.compile(r"\s+")


def _keeps_own_case(word: str) -> bool:
    # Acronyms, codes and names with inner capitals (ATM, TCM, F1, iPhone) stay as written.
    letters = [c for c in word if c.isalpha()]
    return (len(letters) >= 2 and all(c.isupper() for c in letters)) or any(
        c.isupper() for c in word[1:]) or any(c.isdigit() for c in word)


@functools.cache
def _unit_symbols() -> frozenset[str]:
    return frozenset(load_tables().units.values())


def _case_word(word: str, first: bool) -> str:
    tables = load_tables()
    bare = word.strip("()\"'")
    if bare.upper() in tables.signal_words and (first or bare.isupper()):
        return word.upper()
    if _keeps_own_case(bare) or bare in _unit_symbols():
        return word
    if len(bare) == 1 and bare.isupper() and not first:
        return word  # a code letter: Area A, Gate B
    parts = word.split("-")
    cased = []
    for index, part in enumerate(parts):
        lower = part.lower()
        if lower in tables.function_words and not (first and index == 0):
            cased.append(lower)
        elif part:
            cased.append(part[0].upper() + part[1:])
        else:
            cased.append(part)
    return "-".join(cased)


def title_case(text: str, proper: Iterable[str] = ()) -> str:
    """Title case per line (``//`` separates lines), signal words in capitals.

    The words of ``proper`` names keep their own writing (Sun Yat-sen University).
    """
    keep = {word for name in proper for word in name.split() if word[:1].isupper()}
    lines = []
    for line in text.split("//"):
        words = line.split()
        lines.append(" ".join(word if word in keep and index else _case_word(word, index == 0)
                              for index, word in enumerate(words)))
    return "//".join(lines)


def for_sign(text: str, domain: str | None, function: str | None, lang: str = "en") -> str:
    """A glossary rendering as a sign writes it.

    Wording written for running text — a policy term, a rendering in lower case —
    is cased as a sign (title case) when a sign uses it: "free trade port" → "Free
    Trade Port". Names keep their own writing, and only English is re-cased.
    """
    if lang.split("-")[0] != "en" or not text or function == "name":
        return text
    if domain == "policy" or text[:1].islower():
        return title_case(text)
    return text


def tidy(text: str) -> str:
    """Half-width punctuation, single spaces, no final full stop, no spaces around hyphens."""
    text = unicodedata.normalize("NFC", text.translate(_FULL_WIDTH))
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"\s*&\s*", " & ", text)
    text = re.sub(r"\s*//\s*", "//", text)
    text = _SPACES.sub(" ", text).strip()
    return text.rstrip(".。").rstrip()


def sentence_case(text: str) -> str:
    """First letter of each line in capitals (Russian signs), the rest as written."""
    return "//".join(line[:1].upper() + line[1:] for line in text.split("//"))


def sentence(text: str, proper: Iterable[str] = ()) -> str:
    """Sentence case for a notice written as a sentence (GB/T 30240.1).

    The first word takes a capital; the others are written in lower case except
    the words of names (``proper``), acronyms, codes and signal words in capitals.
    """
    keep = {word for name in proper for word in name.split()}
    lines = []
    for line in text.split("//"):
        words = []
        for index, word in enumerate(line.split()):
            bare = word.strip("()\"',.;:!?")
            if index == 0:
                words.append(word[:1].upper() + word[1:])
            elif bare in keep or _keeps_own_case(bare) or bare.isupper():
                words.append(word)
            else:
                words.append(word.lower())
        lines.append(" ".join(words))
    return "//".join(lines)
