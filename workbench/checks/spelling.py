"""Check 3: English spelling (pyspellchecker's dictionary, shipped with the package).

Words are not flagged when they are pinyin of the Chinese (aligned by the
pinyin analysis), a known name, a word of a glossary rendering, an
abbreviation in capitals, or in ``data/english_extra.txt`` (British
spellings, sign vocabulary).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING

from workbench.checks.base import Check, CheckContext, Finding
from workbench.checks.data import word_list
from workbench.messages import N_, msg

if TYPE_CHECKING:
    from spellchecker import SpellChecker


@functools.lru_cache(maxsize=1)
def _checker() -> SpellChecker:
    from spellchecker import SpellChecker
    return SpellChecker(language="en", distance=2)


@functools.lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    checker = _checker()
    return frozenset(checker.word_frequency.dictionary.keys()) | word_list("english_extra.txt")


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@functools.lru_cache(maxsize=200000)
def is_english_word(word: str) -> bool:
    """Whether ``word`` is an English word (any case, possessive 's and accents allowed)."""
    words = _dictionary()
    lowered = word.lower().replace("’", "'")
    candidates = {lowered, _plain(lowered)}
    for candidate in list(candidates):
        if candidate.endswith("'s") or candidate.endswith("s'"):
            candidates.add(candidate[:-2] if candidate.endswith("'s") else candidate[:-1])
        if candidate.endswith("'"):
            candidates.add(candidate[:-1])
    return any(c in words for c in candidates)


# Word-forming parts: a known word with one of these is a word ("Rebooking", "Contactless").
PREFIXES = ("re", "un", "pre", "non", "co", "anti", "multi", "self", "over", "under", "sub",
            "inter", "trans", "cyber", "tele", "para", "micro", "mini", "eco", "bio", "e",
            "mis", "out", "post", "semi", "super", "ultra")
SUFFIXES = ("less", "ness", "ful", "wear", "ware", "ism", "ist", "ists")
# Parts of a compound must be common words: "sta" + "ion" does not make "Staion" a word.
_COMMON = 2e-6
# Names of medical departments and sciences ("Nephrology", "Gastroscopy").
LEARNED_ENDINGS = ("ology", "ologist", "ologists", "oscopy", "ectomy", "otomy", "iatrics",
                   "iatric")


@functools.lru_cache(maxsize=200000)
def is_word_formation(word: str) -> bool:
    """A compound or derivation of known words: homestay, womenswear, rebooking, nephrology."""
    lowered = word.lower()
    if len(lowered) < 6:
        return False
    if lowered.endswith(LEARNED_ENDINGS):
        return True
    words = _dictionary()
    for prefix in PREFIXES:
        if lowered.startswith(prefix) and lowered[len(prefix):] in words \
                and len(lowered) - len(prefix) >= 3:
            return True
    frequency = _checker().word_usage_frequency
    for suffix in SUFFIXES:
        base = lowered[:-len(suffix)]
        if lowered.endswith(suffix) and len(base) >= 3 and frequency(base) >= _COMMON:
            return True
    # Two common words of at least three letters each (show + times, green + way).
    return any(frequency(lowered[:i]) >= _COMMON and frequency(lowered[i:]) >= _COMMON
               for i in range(3, len(lowered) - 2))


# A word this frequent (per word of running English text) is one a sign would use.
COMMON_WORD_FREQUENCY = 2e-6


@functools.lru_cache(maxsize=65536)
def common_word_one_edit_away(word: str) -> str | None:
    """A common English word one edit (or one swap of two letters) away from ``word``."""
    lowered = word.lower()
    if lowered in _known_names():
        return None
    checker = _checker()
    candidates = [c for c in checker.edit_distance_1(lowered) if c in _dictionary()
                  and checker.word_usage_frequency(c) >= COMMON_WORD_FREQUENCY]
    return max(candidates, key=checker.word_usage_frequency) if candidates else None


@functools.lru_cache(maxsize=4096)
def suggest(word: str) -> str | None:
    """The dictionary's most likely correction of a misspelled word, in the word's case."""
    lowered = word.lower()
    # Long words make the edit-distance-2 search slow; distance 1 is enough there.
    checker = _checker()
    if len(lowered) > 12:
        candidates = checker.edit_distance_1(lowered) & set(_dictionary())
        correction = max(candidates, key=checker.word_usage_frequency) if candidates else None
    else:
        correction = checker.correction(lowered)
    if not correction or correction == lowered:
        return None
    if word.isupper():
        return correction.upper()
    if word[:1].isupper():
        return correction[:1].upper() + correction[1:]
    return correction


def _glossary_words(ctx: CheckContext) -> frozenset[str]:
    glossary = ctx.glossary
    if glossary is None or not len(glossary):
        return frozenset()
    return _words_of_glossary(glossary)


_glossary_cache: dict[int, tuple[object, frozenset[str]]] = {}


def _words_of_glossary(glossary: object) -> frozenset[str]:
    cached = _glossary_cache.get(id(glossary))
    if cached is not None and cached[0] is glossary:
        return cached[1]
    words: set[str] = set()
    for entry in getattr(glossary, "entries", {}).values():
        for rendering in entry.preferred + entry.admitted:
            words.update(w.lower() for w in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*",
                                                       rendering))
    frozen = frozenset(words)
    _glossary_cache.clear()  # one glossary version at a time
    _glossary_cache[id(glossary)] = (glossary, frozen)
    return frozen


class SpellingCheck(Check):
    """English words that are not in the dictionary (names of the Chinese excepted)."""

    id = "spelling"
    name = N_("English spelling")
    languages = frozenset({"en"})
    explanation = N_("Every English word is spelled correctly (British or American spelling). "
                     "Pinyin names that match the Chinese, glossary terms and known "
                     "abbreviations (ATM, VIP, TCM, WC) are not spelling errors. Fix: correct "
                     "the word as suggested.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        tokens = ctx.tokens
        if not tokens:
            return []
        unknown = [(i, t) for i, t in enumerate(tokens) if not is_english_word(t.text)]
        if not unknown:
            return []
        from workbench.checks.pinyin import HAN, analyse, is_pinyin_word
        # Token indexes the pinyin analysis accounts for.
        aligned = set(analyse(ctx).aligned) if HAN.search(source) else set()
        if "pinyin" in ctx.active and HAN.search(source):
            from workbench.checks.pinyin import near_misses
            aligned.update(near_misses(ctx))  # the pinyin check names the right spelling
        # A glossary term checked on its own must not vouch for its own spelling.
        glossary_words = _glossary_words(ctx) if ctx.profile != "term" else frozenset()
        names = _known_names()
        findings = []
        for index, token in unknown:
            word = token.text
            lowered = word.lower().replace("’", "'")
            if index in aligned or lowered in glossary_words or lowered in names:
                continue
            if re.fullmatch(r"[A-Z]{2,8}s?", word):
                continue  # an abbreviation in capitals (ATM, VIP, UNESCO, MSMEs)
            if is_word_formation(word):
                continue
            if len(word) == 1:
                continue
            if word[:1].isupper() and is_pinyin_word(word) and len(word) > 3 \
                    and not common_word_one_edit_away(word):
                # A capitalized pinyin name that is not in the Chinese (e.g. the city in
                # "Sanya Phoenix Airport"): a name, not a misspelling. But a common English
                # word one edit away ("Aisan" for Asian) says it is a typo.
                continue
            correction = _expected_correction(ctx, word) or suggest(word)
            message = (msg("“%(word)s” is not an English word. Did you mean “%(correction)s”?",
                           word=word, correction=correction) if correction
                       else msg("“%(word)s” is not an English word.", word=word))
            findings.append(self.finding(message, token.start, token.end,
                                         suggestion=correction))
        return findings


def _expected_correction(ctx: CheckContext, word: str) -> str | None:
    """The word the sign is expected to carry that ``word`` misspells (see near_miss)."""
    if not ctx.source.strip() or ctx.profile == "term":
        return None
    from workbench.checks.nearmiss import expected_correction

    return expected_correction(ctx, word)


@functools.lru_cache(maxsize=1)
def _known_names() -> frozenset[str]:
    from workbench.checks.pinyin import place_names
    return frozenset(s.lower().replace("’", "'") for name in place_names().values()
                     for spelling in name.spellings for s in spelling.split())
