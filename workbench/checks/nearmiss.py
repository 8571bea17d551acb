"""Near misses: a word one or two letters away from the word the sign should carry.

A spelling checker passes real words in the wrong place ("Pubic Toilets" for
公共厕所, "Hunan" for 华南) and names it does not know ("Aisan"). Here each word
of the installed text is compared with the words it is expected to hold —
the glossary's accepted renderings of the terms in the Chinese and the rule
engine's draft — and a word within a small edit distance (rapidfuzz's OSA
distance: a swap of two letters is one edit) of an expected word that the text
does not hold gets a finding naming that word.

Not a near miss: an inflection (Toilet/Toilets), a British or American spelling
(Centre/Center), a word the text also holds elsewhere, a word that is itself
expected, or a pinyin name of the Chinese.
"""
from __future__ import annotations

import functools
import re

from rapidfuzz.distance import OSA

from workbench.checks.base import Check, CheckContext, Finding, Token
from workbench.checks.expected import Expected, expected_renderings, words
from workbench.checks.data import word_list
from workbench.checks.spelling import is_english_word
from workbench.messages import N_, msg

MIN_LENGTH = 4  # shorter words have too many real-word neighbours (Men/Man, Gate/Late)
# British / American spelling pairs reduced to one form before comparing.
_VARIANTS = [(re.compile(pattern), replacement) for pattern, replacement in (
    (r"our\b", "or"), (r"tre\b", "ter"), (r"([^aeiou])re\b", r"\1er"), (r"ise\b", "ize"),
    (r"isation\b", "ization"), (r"yse\b", "yze"), (r"ogue\b", "og"), (r"ll", "l"),
    (r"ae", "e"), (r"oe", "e"))]
_INFLECTIONS = ("s", "es", "'s", "'", "s'", "d", "ed", "ing", "er", "ers")


@functools.lru_cache(maxsize=65536)
def _variant_form(word: str) -> str:
    for pattern, replacement in _VARIANTS:
        word = pattern.sub(replacement, word)
    return word


def _inflected(a: str, b: str) -> bool:
    """Whether one word is the other with an ending (toilet/toilets, store/stored)."""
    shorter, longer = sorted((a, b), key=len)
    stems = {shorter, shorter[:-1] if shorter.endswith("e") else shorter,
             shorter[:-1] + "i" if shorter.endswith("y") else shorter}
    return any(longer == stem + ending for stem in stems for ending in _INFLECTIONS)


@functools.lru_cache(maxsize=262144)
def _same_word(written: str, expected: str) -> bool:
    return written == expected or _inflected(written, expected) \
        or _variant_form(written) == _variant_form(expected)


def _derived(a: str, b: str) -> bool:
    """Two words of one family differing in their last letters (Tourism/Tourist,
    Culture/Cultural): both right in their place, so never each other's near miss."""
    shared = 0
    while shared < min(len(a), len(b)) and a[shared] == b[shared]:
        shared += 1
    return shared >= 5 and shared >= min(len(a), len(b)) - 2


def _allowed(expected: str) -> int:
    """Edits tolerated: one for words up to seven letters, two beyond."""
    return 1 if len(expected) <= 7 else 2


class NearMissCheck(Check):
    """Words a letter or two away from the expected rendering (real-word errors included)."""

    id = "near_miss"
    # Sign texts: a document sentence varies its words too freely to hold them to one draft.
    profiles = frozenset({"sign"})
    name = N_("Near misses of the expected wording")
    languages = frozenset({"en"})
    explanation = N_("Each word is compared with the words the sign is expected to carry: the "
                     "glossary's renderings of the terms in the Chinese and the rule engine's "
                     "draft. A word one or two letters away from an expected word that the "
                     "text does not contain is most likely a misspelling of it, even when it "
                     "is a real word a spelling checker passes (“Pubic” for Public, “Hunan” "
                     "for Huanan, “Aisan” for Asian). Fix: write the expected word.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        if not source.strip() or not ctx.tokens:
            return []
        candidates = self._candidates(ctx, self._expected_words(ctx, with_draft=False))
        if not candidates:
            return []  # every word is a word of the glossary's renderings: no draft needed
        expected = self._expected_words(ctx)
        candidates = [(token, written) for token, written in candidates
                      if not any(_same_word(written, word) for word in expected)]
        held = {token.lower.replace("’", "'") for token in ctx.tokens}
        missing = {word: item for word, item in expected.items()
                   if not any(_same_word(have, word) for have in held)}
        if not candidates or not missing:
            return []
        findings = []
        for token, written in candidates:
            best = self._closest(written, missing, is_english_word(token.text))
            if best is None:
                continue
            word, item = best
            shown = _in_case_of(token.text, word)
            findings.append(self.finding(
                msg("“%(written)s” is one letter or two away from “%(expected)s”, which "
                    "%(chinese)s is expected to read: write “%(expected)s”.",
                    written=token.text, expected=shown, chinese=item.source_text),
                token.start, token.end, suggestion=shown))
        return findings

    @classmethod
    def _candidates(cls, ctx: CheckContext,
                    expected: dict[str, Expected]) -> list[tuple[Token, str]]:
        """Words that might misspell an expected word: long enough, not a function word, not
        a pinyin name of the Chinese, not a word of the expected renderings themselves."""
        aligned = cls._pinyin_tokens(ctx)
        function_words = word_list("function_words.txt")
        found = []
        for index, token in enumerate(ctx.tokens):
            written = token.lower.replace("’", "'")
            if len(written) < MIN_LENGTH or index in aligned or written in function_words \
                    or any(_same_word(written, word) for word in expected):
                continue
            found.append((token, written))
        return found

    @staticmethod
    def _expected_words(ctx: CheckContext, with_draft: bool = True) -> dict[str, Expected]:
        found: dict[str, Expected] = {}
        for item in expected_renderings(ctx, with_draft):
            for word in words(item.text):
                lowered = word.lower().replace("’", "'")
                if len(lowered) >= MIN_LENGTH:
                    found.setdefault(lowered, item)
        return found

    @staticmethod
    def _pinyin_tokens(ctx: CheckContext) -> set[int]:
        """Words that spell the pinyin of the Chinese: names, not misspellings."""
        from workbench.checks.pinyin import HAN, analyse

        return set(analyse(ctx).aligned) if HAN.search(ctx.source) else set()

    @staticmethod
    def _closest(written: str, missing: dict[str, Expected],
                 real_word: bool) -> tuple[str, Expected] | None:
        best: tuple[int, str, Expected] | None = None
        for word, item in missing.items():
            if word[:1] != written[:1] or abs(len(word) - len(written)) > _allowed(word):
                continue
            if real_word and _derived(written, word):
                continue
            distance = OSA.distance(written, word)
            if 0 < distance <= _allowed(word) and (best is None or distance < best[0]):
                best = (distance, word, item)
        return (best[1], best[2]) if best else None


def expected_correction(ctx: CheckContext, written: str) -> str | None:
    """The expected word (glossary rendering or draft) that ``written`` misspells, if any, in
    the case the text writes it: a better correction than a dictionary's guess ("Shoping" →
    Shopping, not Hoping, on a 购物中心 sign)."""
    lowered = written.lower().replace("’", "'")
    if len(lowered) < MIN_LENGTH:
        return None
    best = NearMissCheck._closest(lowered, NearMissCheck._expected_words(ctx), False)
    return _in_case_of(written, best[0]) if best else None


def _in_case_of(written: str, word: str) -> str:
    """``word`` in the case the text writes (BAGGAGE for BAGGAGF, Public for Pubic)."""
    if written.isupper() and len(written) > 1:
        return word.upper()
    if written[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
