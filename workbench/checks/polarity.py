"""Prohibition reversed: the text forbids what the Chinese offers, or the other way round.

吸烟区 "No Smoking", 入口 "No Entry": the words are right and the pattern is
fine, but the sign now forbids what the Chinese points to. 禁止吸烟 "Smoking
Area": the sign invites what the Chinese forbids. The check compares the
polarity of the two texts: a Chinese text with no word of negation
(``data/negation_zh.txt``) whose English opens with "No …", says "Do Not …",
"… Prohibited" and the like; or a one-clause Chinese prohibition (禁止, 严禁,
请勿 …) whose English holds no word of prohibition or restriction
(``data/negation_en.txt``: No, Not, Only, Keep Off, Closed …). A glossary
rendering of the prohibition itself ("Quiet Please" for 请勿大声喧哗) is
always accepted.
"""
from __future__ import annotations

import functools
import re

from workbench.checks.base import WARNING, Check, CheckContext, Finding
from workbench.checks.data import word_list
from workbench.checks.expected import glossary_expectations
from workbench.checks.targetmatch import find_rendering
from workbench.messages import N_, msg

# English that forbids: "No X" (not "No. 1"), "Do Not", "Don't", "X Prohibited" …
_FORBIDS = re.compile(r"^\s*(?:[A-Z]+//)?No\b(?!\.)(?!\s*\d)|\bdo\s+not\b|\bdon[’']t\b|"
                      r"\bprohibited\b|\bforbidden\b|\bnot\s+allowed\b|\bnot\s+permitted\b",
                      re.IGNORECASE)
# Chinese operators of a prohibition (one clause: 禁止吸烟, 请勿触摸).
_PROHIBITS = re.compile(r"禁止|严禁|请勿|切勿|不要|不准|不得|不许|谢绝|止步|免进|莫入|^勿")
_CLAUSES = re.compile(r"[\s，,。；;！!？?、]")


@functools.lru_cache(maxsize=1)
def _negations_en() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(r"(?<![A-Za-z])" + re.escape(phrase).replace(r"\ ", r"\s+")
                            + r"(?![A-Za-z])", re.IGNORECASE)
                 for phrase in word_list("negation_en.txt"))


class PolarityCheck(Check):
    """A sign that forbids what the Chinese offers, or offers what it forbids."""

    id = "polarity"
    name = N_("Prohibition reversed")
    languages = frozenset({"en"})
    profiles = frozenset({"sign"})
    explanation = N_("The English must forbid what the Chinese forbids and nothing else: "
                     "吸烟区 is a Smoking Area, not “No Smoking”; 禁止吸烟 is “No Smoking”, not "
                     "“Smoking Area”. The check compares the two: a Chinese text without any "
                     "word of negation rendered as a prohibition, and a Chinese prohibition "
                     "(禁止, 严禁, 请勿 …) rendered without any word that forbids or restricts "
                     "(No, Not, Only, Keep Off, Closed …). Fix: write the sign the Chinese is.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        if not target.strip() or not re.search(r"[\u3400-\u9fff]", source):
            return []
        forbids = _FORBIDS.search(target)
        negated_zh = any(word in source for word in word_list("negation_zh.txt"))
        if forbids and not negated_zh and not self._glossary_rendering(ctx, forbidding=True):
            start, end = forbids.span()
            return [self.finding(
                msg("“%(written)s” forbids something, but the Chinese “%(source)s” forbids "
                    "nothing: write what the sign offers or names.",
                    written=target.strip(), source=source.strip()),
                start + len(target[start:end]) - len(target[start:end].lstrip()), end)]
        prohibition = _PROHIBITS.search(source.strip())
        if prohibition is None or len(_CLAUSES.split(source.strip())) > 1 \
                or any(p.search(target) for p in _negations_en()) \
                or self._glossary_rendering(ctx):
            return []
        return [self.finding(
            msg("“%(written)s” does not forbid anything, but the Chinese is a prohibition "
                "(%(operator)s): write it as one (No …, Do Not …, … Prohibited).",
                written=target.strip(), operator=prohibition.group()),
            severity=WARNING)]

    @staticmethod
    def _glossary_rendering(ctx: CheckContext, forbidding: bool = False) -> bool:
        """Whether the text holds the glossary's rendering of a term that is the prohibition
        itself (请勿大声喧哗 "Quiet Please"), or (``forbidding``) a rendering of a term of
        the source that forbids in English itself (请节约粮食 "Please Do Not Waste Food")."""
        target = " ".join(ctx.target.split())
        for entry, _start, _end in glossary_expectations(ctx):
            if not forbidding and not _PROHIBITS.search(entry.source_text):
                continue
            if any(find_rendering(rendering, target, ctx.target_lang)
                   for rendering in entry.acceptable
                   if not forbidding or _FORBIDS.search(rendering)):
                return True
        return False
