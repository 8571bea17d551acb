"""Punctuation and spacing: one check per rule, each switched on and off by its own id.

The rules form the family ``punctuation`` (ids ``punctuation.<rule>``): switching
the family off (``workbench check disable punctuation``) switches off every rule,
and a finding's key uses the family (:func:`workbench.checks.base.finding_key`), so
a reviewer's dismissal made when the rules were one check still holds.
"""
from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

from workbench.checks.base import WARNING, Check, CheckContext, Finding
from workbench.messages import N_, msg

# CJK punctuation and full-width forms (U+3000–303F, U+FF00–FFEF). Curly quotes,
# the dash and the ellipsis are ordinary English typography and are not flagged.
FULL_WIDTH = re.compile(r"[\u3000-\u303f\uff00-\uffef]")
# Full-width characters NFKC does not map to ASCII.
_FULL_WIDTH_ASCII = {"、": ",", "。": ".", "「": "\"", "」": "\"", "『": "\"", "』": "\"",
                     "【": "[", "】": "]", "《": "\"", "》": "\"", "〈": "<", "〉": ">",
                     "〔": "(", "〕": ")", "～": "~", "\u3000": " "}
# Abbreviations that legitimately end a sign with a full stop (the "Rd." style, a.m.).
FINAL_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Rd|St|Ave|Blvd|Sq|Bldg|Co|Ltd|Inc|Jr|Dr|Mt|No|etc|approx|Dept|Corp|Univ)"
    r"|\b[ap]\.m|\b[A-Z])\.$", re.IGNORECASE)
# Where a full stop may end the text: a sentence, not a title-case phrase.
_SENTENCE_WORDS = 6
DOUBLE_SPACE = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")
SPACED_HYPHEN = re.compile(r"(?<=[A-Za-z0-9])(?: +-+ *| *-+ +)(?=[A-Za-z0-9])")
SPACED_SLASHES = re.compile(r" +// *|// +")
COLON_NO_SPACE = re.compile(r"(?<=[A-Za-z]):(?=[A-Za-z])")
SPACE_BEFORE = re.compile(r"(?<=\w) +(?=[,;!?])|(?<=[A-Za-z]) +(?=:)")
COMMA_NO_SPACE = re.compile(r",(?=[A-Za-z])")
SPACED_APOSTROPHE = re.compile(r"(?<=[A-Za-z])(?: +['’] *| *['’] +)(?=(?:s|t|re|ll|ve|d|m)\b)")
PAIRS = {"(": ")", "[": "]", "{": "}"}
# Languages whose signs use full-width punctuation themselves.
CJK_LANGS = frozenset({"zh", "ja"})


def is_sentence(text: str) -> bool:
    """Whether a sign text reads as a sentence (where a full stop is normal)."""
    words = text.split()
    if len(words) >= _SENTENCE_WORDS:
        return True
    # Sentence case with several words ("Please keep the door closed.").
    return len(words) >= 4 and sum(1 for w in words[1:] if w[:1].islower()) >= 2


class PunctuationRule(Check):
    """A rule of the punctuation family: it runs on a non-empty target and flags each match
    of its ``pattern`` with its message (subclasses with more logic override ``check``)."""

    family = "punctuation"
    pattern: ClassVar[re.Pattern[str] | None] = None
    message: ClassVar[str] = ""
    suggestion: ClassVar[str | None] = None
    # Languages whose signs use full-width punctuation have only the spacing rules.
    skip_cjk: ClassVar[bool] = True

    def applies(self, ctx: CheckContext) -> bool:
        if not ctx.target or (self.skip_cjk and ctx.lang in CJK_LANGS):
            return False
        return super().applies(ctx)

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        if self.pattern is None:
            return []
        return [self.finding(msg(self.message), match.start(), match.end(),
                             suggestion=self.suggestion) for match in self.pattern.finditer(target)]


class FullWidthRule(PunctuationRule):
    """Chinese full-width marks in a foreign text."""

    id = "punctuation.full_width"
    name = N_("Punctuation: full-width marks")
    explanation = N_("A foreign sign uses half-width (ASCII) punctuation, never Chinese "
                     "full-width marks. Fix: retype the mark in half-width form.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        findings = []
        for match in FULL_WIDTH.finditer(target):
            char = match.group()
            ascii_form = _FULL_WIDTH_ASCII.get(char) or unicodedata.normalize("NFKC", char)
            findings.append(self.finding(
                msg("Full-width character “%(char)s”: use the half-width “%(fixed)s”.",
                    char=char, fixed=ascii_form),
                match.start(), match.end(), suggestion=ascii_form))
        return findings


class EdgeSpaceRule(PunctuationRule):
    """A space at the start or the end of the text."""

    id = "punctuation.edge_space"
    name = N_("Punctuation: space at the start or end")
    severity = WARNING
    skip_cjk = False
    explanation = N_("A sign text has no spaces at the start or the end. Fix: remove them.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        findings = []
        if target != target.lstrip():
            findings.append(self.finding(msg("Remove the space at the start."), 0,
                                         len(target) - len(target.lstrip())))
        if target != target.rstrip():
            findings.append(self.finding(msg("Remove the space at the end."),
                                         len(target.rstrip()), len(target)))
        return findings


class DoubleSpaceRule(PunctuationRule):
    """Two or more spaces between words."""

    id = "punctuation.double_space"
    name = N_("Punctuation: double space")
    severity = WARNING
    skip_cjk = False
    pattern = DOUBLE_SPACE
    message = N_("Double space: use a single space.")
    suggestion = " "
    explanation = N_("Words are separated by one space. Fix: remove the extra spaces.")


class FinalStopRule(PunctuationRule):
    """A final full stop on a sign phrase (sentences and abbreviations may end with one)."""

    id = "punctuation.final_stop"
    name = N_("Punctuation: final full stop")
    profiles = frozenset({"sign", "term"})
    explanation = N_("A sign phrase has no final full stop (a sentence or an abbreviation "
                     "such as “Rd.” may end with one). Fix: remove the full stop.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        stripped = target.strip()
        if stripped.endswith(".") and not stripped.endswith("..") \
                and not FINAL_ABBREVIATIONS.search(stripped) and not is_sentence(stripped):
            end = target.rstrip()
            return [self.finding(msg("A sign phrase takes no final full stop: remove it."),
                                 len(end) - 1, len(end), suggestion="")]
        return []


class SpacedHyphenRule(PunctuationRule):
    """Spaces around a hyphen between words or numbers."""

    id = "punctuation.spaced_hyphen"
    name = N_("Punctuation: spaces around a hyphen")
    pattern = SPACED_HYPHEN
    message = N_("No spaces around a hyphen (e.g. “Check-in”; for a range of times write "
                 "08:00-18:00).")
    suggestion = "-"
    explanation = N_("A hyphen joins words or numbers without spaces. Fix: remove the spaces.")


class SpacedSlashesRule(PunctuationRule):
    """Spaces around the “//” line break."""

    id = "punctuation.spaced_slashes"
    name = N_("Punctuation: spaces around “//”")
    severity = WARNING
    pattern = SPACED_SLASHES
    message = N_("No spaces around the “//” line break (CAUTION//Wet Floor).")
    suggestion = "//"
    explanation = N_("The “//” line break has no spaces around it. Fix: remove the spaces.")


class ColonSpaceRule(PunctuationRule):
    """A colon directly followed by a letter."""

    id = "punctuation.colon_space"
    name = N_("Punctuation: space after a colon")
    pattern = COLON_NO_SPACE
    message = N_("Put a space after the colon.")
    suggestion = ": "
    explanation = N_("A colon is followed by a space. Fix: add the space.")


class CommaSpaceRule(PunctuationRule):
    """A comma directly followed by a letter."""

    id = "punctuation.comma_space"
    name = N_("Punctuation: space after a comma")
    severity = WARNING
    pattern = COMMA_NO_SPACE
    message = N_("Put a space after the comma.")
    suggestion = ", "
    explanation = N_("A comma is followed by a space. Fix: add the space.")


class SpaceBeforeRule(PunctuationRule):
    """A space before a comma, semicolon, exclamation or question mark, or colon."""

    id = "punctuation.space_before"
    name = N_("Punctuation: space before a mark")
    severity = WARNING
    pattern = SPACE_BEFORE
    message = N_("No space before a punctuation mark.")
    suggestion = ""
    explanation = N_("No space comes before a comma, semicolon, colon, exclamation or question "
                     "mark. Fix: remove the space.")


class SpacedApostropheRule(PunctuationRule):
    """Spaces around an apostrophe (People ' s)."""

    id = "punctuation.spaced_apostrophe"
    name = N_("Punctuation: spaces around an apostrophe")
    pattern = SPACED_APOSTROPHE
    message = N_("No spaces around an apostrophe (People's).")
    suggestion = "'"
    explanation = N_("An apostrophe has no spaces around it. Fix: remove the spaces.")


class BracketsRule(PunctuationRule):
    """Unbalanced brackets, and an odd number of straight double quotes."""

    id = "punctuation.brackets"
    name = N_("Punctuation: brackets and quotes in pairs")
    explanation = N_("Brackets and quotation marks come in pairs. Fix: add the missing one "
                     "or remove the stray one.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        stack: list[tuple[str, int]] = []
        findings = []
        closing = {v: k for k, v in PAIRS.items()}
        for index, char in enumerate(target):
            if char in PAIRS:
                stack.append((char, index))
            elif char in closing:
                if stack and stack[-1][0] == closing[char]:
                    stack.pop()
                else:
                    findings.append(self.finding(
                        msg("“%(char)s” closes a bracket that was never opened.", char=char),
                        index, index + 1))
        for char, index in stack:
            findings.append(self.finding(
                msg("“%(char)s” is never closed: add “%(closing)s”.", char=char,
                    closing=PAIRS[char]), index, index + 1))
        if target.count('"') % 2:
            index = target.rindex('"')
            findings.append(self.finding(msg("Unpaired quotation mark."), index, index + 1,
                                         severity=WARNING))
        return findings


# In the order the single punctuation check reported them.
RULES: tuple[type[PunctuationRule], ...] = (
    FullWidthRule, EdgeSpaceRule, DoubleSpaceRule, FinalStopRule, SpacedHyphenRule,
    SpacedSlashesRule, ColonSpaceRule, CommaSpaceRule, SpaceBeforeRule, SpacedApostropheRule,
    BracketsRule,
)
