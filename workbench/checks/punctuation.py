"""Check 8: punctuation and spacing (full-width marks, final full stop, spaces)."""
from __future__ import annotations

import re
import unicodedata

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


class PunctuationCheck(Check):
    """Full-width punctuation, a final full stop on a sign, and stray or missing spaces."""

    id = "punctuation"
    name = N_("Punctuation and spacing")
    explanation = N_("A foreign sign uses half-width (ASCII) punctuation, never Chinese "
                     "full-width marks; a sign phrase has no final full stop; there are no "
                     "double spaces, no spaces at the start or end, no spaces around hyphens "
                     "or the “//” line break, a space after a colon or comma, and brackets "
                     "come in pairs. Fix: retype the marks in half-width form and remove or "
                     "add the spaces as shown.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        if not target:
            return findings
        sign = ctx.profile != "prose"
        if lang not in CJK_LANGS:
            for match in FULL_WIDTH.finditer(target):
                char = match.group()
                ascii_form = _FULL_WIDTH_ASCII.get(char) or unicodedata.normalize("NFKC", char)
                findings.append(self.finding(
                    msg("Full-width character “%(char)s”: use the half-width “%(fixed)s”.",
                        char=char, fixed=ascii_form),
                    match.start(), match.end(), suggestion=ascii_form))
        stripped = target.strip()
        if target != target.lstrip():
            findings.append(self.finding(msg("Remove the space at the start."), 0,
                                         len(target) - len(target.lstrip()), severity=WARNING))
        if target != target.rstrip():
            findings.append(self.finding(msg("Remove the space at the end."),
                                         len(target.rstrip()),
                                         len(target), severity=WARNING))
        for match in DOUBLE_SPACE.finditer(target):
            findings.append(self.finding(msg("Double space: use a single space."), match.start(),
                                         match.end(), suggestion=" ", severity=WARNING))
        if lang in CJK_LANGS:
            return findings
        if sign and stripped.endswith(".") and not stripped.endswith("..") \
                and not FINAL_ABBREVIATIONS.search(stripped) and not is_sentence(stripped):
            end = target.rstrip()
            findings.append(self.finding(
                msg("A sign phrase takes no final full stop: remove it."), len(end) - 1,
                len(end), suggestion=""))
        for match in SPACED_HYPHEN.finditer(target):
            findings.append(self.finding(
                msg("No spaces around a hyphen (e.g. “Check-in”; for a range of times write "
                    "08:00-18:00)."), match.start(), match.end(), suggestion="-"))
        for match in SPACED_SLASHES.finditer(target):
            findings.append(self.finding(
                msg("No spaces around the “//” line break (CAUTION//Wet Floor)."),
                match.start(), match.end(), suggestion="//", severity=WARNING))
        for match in COLON_NO_SPACE.finditer(target):
            findings.append(self.finding(msg("Put a space after the colon."), match.start(),
                                         match.end(), suggestion=": "))
        for match in COMMA_NO_SPACE.finditer(target):
            findings.append(self.finding(msg("Put a space after the comma."), match.start(),
                                         match.end(), suggestion=", ", severity=WARNING))
        for match in SPACE_BEFORE.finditer(target):
            findings.append(self.finding(msg("No space before a punctuation mark."),
                                         match.start(),
                                         match.end(), suggestion="", severity=WARNING))
        for match in SPACED_APOSTROPHE.finditer(target):
            findings.append(self.finding(msg("No spaces around an apostrophe (People's)."),
                                         match.start(), match.end(), suggestion="'"))
        findings += self._pairs(target)
        return findings

    def _pairs(self, target: str) -> list[Finding]:
        """Unbalanced brackets (and an odd number of straight double quotes)."""
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
