"""Check 7: capitalization of English signs (title case, signal words in capitals)."""
from __future__ import annotations

import re

from workbench.checks.base import WARNING, Check, CheckContext, Finding, register
from workbench.checks.data import word_list
from workbench.checks.punctuation import is_sentence
from workbench.messages import N_, msg

SIGNAL_WORDS = ("caution", "danger", "warning")
# Prepositions that are also adverb particles ("Way In", "Keep Off", "Line Up"): a capital
# is not wrong for them, so only their lower case is accepted silently, never flagged.
PARTICLES = frozenset({"in", "on", "off", "up", "out", "down", "over", "by", "through",
                       "about", "around", "back", "away"})
# Lower-case words that stay lower case in any position (units, symbols).
ALWAYS_LOWER = frozenset({"m", "km", "cm", "mm", "kg", "g", "t", "ml", "l", "h", "min", "s",
                          "am", "pm", "a.m", "p.m", "km/h", "x", "e", "vs", "etc"})
# Line breaks: "//", a new line, or a sentence end inside the sign.
SEGMENT = re.compile(r"//|\n|(?<=[!?:;.])\s+")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’]*(?:-[A-Za-z0-9][A-Za-z0-9'’]*)*")


@register
class CapitalsCheck(Check):
    """Title case with lower-case function words; CAUTION, DANGER, WARNING in capitals."""

    id = "capitals"
    name = N_("Capitalization")
    languages = frozenset({"en"})
    # Glossary terms serve running text as well as signs ("Hainan gibbon"), so their case
    # is checked where they are used on a sign, not in the glossary.
    profiles = frozenset({"sign"})
    explanation = N_("Sign phrases are in title case: every content word starts with a "
                     "capital; articles, conjunctions and short prepositions (a, the, and, of, "
                     "for, to, in …) are lower case unless they come first or right after the "
                     "“//” line break; a content word after a hyphen is capitalized too "
                     "(Door-to-Door). A whole phrase may be in capitals. Full sentences are in "
                     "sentence case. Fix: change the capitals as suggested.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        function_words = word_list("function_words.txt")
        for segment in _segments(target):
            text, offset = segment
            words = list(WORD.finditer(text))
            if not words:
                continue
            letters = [c for c in text if c.isalpha()]
            if letters and all(c.isupper() for c in letters):
                continue  # all capitals is allowed
            sentence = _sentence_case(text.strip(), function_words)
            for position, match in enumerate(words):
                word = match.group()
                start = offset + match.start()
                if word[0].isdigit():
                    continue  # 14th, 24-hour, 2nd: numbers are not capitalized
                if position == 0:
                    if word[0].islower() and word.lower() not in ALWAYS_LOWER:
                        fixed = word[0].upper() + word[1:]
                        findings.append(self.finding(
                            msg("Start with a capital: “%(fixed)s”.", fixed=fixed), start,
                            start + len(word), suggestion=fixed))
                    continue
                if sentence:
                    continue
                findings += self._word(word, start, function_words, position == len(words) - 1)
        return findings

    def _word(self, word: str, start: int, function_words: frozenset[str],
              last: bool) -> list[Finding]:
        findings = []
        parts = word.split("-")
        position = start
        for index, part in enumerate(parts):
            lowered = part.lower()
            base = lowered.split("'")[0].split("’")[0]
            if lowered in ALWAYS_LOWER or base in ALWAYS_LOWER:
                pass
            elif base in function_words:
                if part[0].isupper() and index == 0 and not last and base not in PARTICLES \
                        and not part.isupper():
                    findings.append(self.finding(
                        msg("“%(word)s” is a function word: write it in lower case in a title.",
                            word=part),
                        position, position + len(part), suggestion=lowered, severity=WARNING))
            elif part[0].islower() and index == 0:
                # Only the first part of a hyphenated word: "Self-service", "High-tech",
                # "Check-in" are written both ways on correct signs.
                fixed = part[0].upper() + part[1:]
                findings.append(self.finding(
                    msg("Title case: capitalize “%(word)s” (“%(fixed)s”).", word=part,
                        fixed=fixed), position, position + len(part), suggestion=fixed))
            position += len(part) + 1
        return findings


def _sentence_case(text: str, function_words: frozenset[str]) -> bool:
    """A full sentence written in sentence case (where title case does not apply)."""
    if not is_sentence(text):
        return False
    if re.search(r"[,;]|[.!?]$", text):
        return True
    content = [w for w in text.split()[1:] if w.lower() not in function_words and w[:1].isalpha()]
    return sum(1 for w in content if w[:1].islower()) * 2 > len(content)


def _segments(target: str) -> list[tuple[str, int]]:
    """The target cut at line breaks, with each piece's offset."""
    pieces = []
    position = 0
    for match in SEGMENT.finditer(target):
        pieces.append((target[position:match.start()], position))
        position = match.end()
    pieces.append((target[position:], position))
    return pieces


def signal_word_at_start(target: str) -> re.Match[str] | None:
    """A signal word (CAUTION, DANGER, WARNING) opening the text, in any case."""
    return re.match(r"\s*(" + "|".join(SIGNAL_WORDS) + r")\b", target, re.IGNORECASE)
