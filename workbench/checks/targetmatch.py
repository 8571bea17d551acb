"""Finding a glossary rendering inside a target text, per script.

- Latin scripts: whole words, case-insensitive, hyphen and space treated alike.
- Russian (Cyrillic): word-form aware — "касса" matches "кассы", "кассу" — by
  comparing stems, since a ``\\b``-style exact match would call every inflected
  form "missing".
- Japanese and Chinese: substring (no spaces between words).
- Korean: substring with spaces ignored (주차 장 = 주차장).
"""
from __future__ import annotations

import functools
import re
import unicodedata

_LATIN_WORD_CHAR = re.compile(r"[\w']", re.UNICODE)
_WORD = re.compile(r"[\w’']+", re.UNICODE)
# Russian inflectional endings, longest first (nouns, adjectives, verbs).
_RU_ENDINGS = sorted("""а я о е ё ы и у ю ь й ой ей ий ый ая яя ое ее ые ие ого его ому ему
ом ем ым им ых их ую юю ов ев ам ям ами ями ах ях ою ею ть ться тся ет ит ут ют ат ят ешь
ишь""".split(), key=len, reverse=True)
NO_SPACE_LANGS = frozenset({"zh", "ja", "th", "lo", "km", "my"})


def fold(text: str) -> str:
    """Case and width folding that keeps the length (so positions stay valid)."""
    normalized = unicodedata.normalize("NFKC", text)
    if len(normalized) != len(text):
        normalized = text
    folded = normalized.casefold()
    if len(folded) != len(text):
        folded = text.lower()
    return folded.replace("’", "'").replace("ё", "е")


def _latin_key(text: str) -> str:
    return fold(text).replace("-", " ")


def ru_stem(word: str) -> str:
    """A crude Russian stem: the word without one inflectional ending (stem ≥ 3 letters)."""
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


@functools.lru_cache(maxsize=65536)
def _ru_term_stems(term: str) -> tuple[str, ...]:
    return tuple(ru_stem(w) for w in _WORD.findall(fold(term)))


def find_rendering(term: str, target: str, lang: str) -> list[tuple[int, int]]:
    """Every ``(start, end)`` where ``term`` occurs in ``target`` by the rules of ``lang``."""
    if not term or not target:
        return []
    base = lang.split("-")[0].lower()
    if base in NO_SPACE_LANGS:
        return _find_all(fold(target), fold(term))
    if base == "ko":
        return _find_ignoring_spaces(target, term)
    if base in {"ru", "uk", "be", "bg", "sr", "kk", "mn"}:
        return _find_word_forms(target, term)
    return _find_words(target, term)


def _find_all(haystack: str, needle: str) -> list[tuple[int, int]]:
    spans, start = [], haystack.find(needle)
    while start >= 0 and needle:
        spans.append((start, start + len(needle)))
        start = haystack.find(needle, start + 1)
    return spans


def _find_words(target: str, term: str) -> list[tuple[int, int]]:
    haystack, needle = _latin_key(target), _latin_key(term).strip()
    spans = []
    for start, end in _find_all(haystack, needle):
        # English plurals of the term count as the term (Toilet → Toilets).
        for suffix in ("s", "es"):
            if needle[-1:].isalpha() and haystack.startswith(suffix, end) and (
                    end + len(suffix) == len(haystack)
                    or not _LATIN_WORD_CHAR.match(haystack[end + len(suffix)])):
                end += len(suffix)
                break
        before = haystack[start - 1] if start else " "
        after = haystack[end] if end < len(haystack) else " "
        # A term ending in a letter must not run on into a longer word, and vice versa.
        if (_LATIN_WORD_CHAR.match(before) and _LATIN_WORD_CHAR.match(needle[0])) or \
                (_LATIN_WORD_CHAR.match(after) and _LATIN_WORD_CHAR.match(needle[-1])):
            continue
        spans.append((start, end))
    return spans


def _find_ignoring_spaces(target: str, term: str) -> list[tuple[int, int]]:
    positions = [i for i, ch in enumerate(target) if not ch.isspace()]
    compact = fold("".join(target[i] for i in positions))
    needle = fold("".join(ch for ch in term if not ch.isspace()))
    return [(positions[s], positions[e - 1] + 1) for s, e in _find_all(compact, needle)]


def _find_word_forms(target: str, term: str) -> list[tuple[int, int]]:
    stems = _ru_term_stems(term)
    if not stems:
        return []
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(fold(target))]
    spans = []
    for index in range(len(words) - len(stems) + 1):
        if all(_same_word(stem, words[index + k][0]) for k, stem in enumerate(stems)):
            spans.append((words[index][1], words[index + len(stems) - 1][2]))
    return spans


def _same_word(stem: str, word: str) -> bool:
    """``word`` is ``stem`` plus nothing or one inflectional ending."""
    if len(stem) < 3:
        return word == stem
    return word.startswith(stem) and (len(word) == len(stem) or word[len(stem):] in _RU_ENDING_SET)


_RU_ENDING_SET = frozenset(_RU_ENDINGS)
