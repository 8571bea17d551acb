"""Check 2: known Chinglish and machine-translation signatures (data table ``chinglish.tsv``)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from workbench.checks.base import Check, CheckContext, Finding
from workbench.checks.data import table
from workbench.messages import N_, Message, msg


@dataclass(frozen=True)
class Signature:
    """One known bad rendering: a pattern, the Chinese it needs, and the fix."""

    pattern: re.Pattern[str]
    zh: str
    severity: str
    suggestion: str
    reason: str


@functools.lru_cache(maxsize=1)
def signatures() -> tuple[Signature, ...]:
    """The signatures of ``data/chinglish.tsv``, compiled."""
    compiled = []
    for row in table("chinglish.tsv"):
        pattern = re.compile(r"(?<![A-Za-z'])(?:" + row["pattern"] + r")(?![A-Za-z])",
                             re.IGNORECASE)
        compiled.append(Signature(pattern, row.get("zh", ""), row.get("severity") or "error",
                                  row.get("suggestion", ""), row.get("reason", "")))
    return tuple(compiled)


@functools.lru_cache(maxsize=1)
def _prefilter() -> re.Pattern[str]:
    # One combined pattern first: most texts have no signature at all.
    return re.compile("|".join(f"(?:{s.pattern.pattern})" for s in signatures()),
                      re.IGNORECASE)


def _source_matches(condition: str, source: str) -> bool:
    """``zh`` column: space-separated texts the Chinese must contain (``a|b``: one of them);
    ``!text``: a text it must not contain."""
    for part in condition.split():
        if part.startswith("!"):
            if part[1:] in source:
                return False
        elif not any(option in source for option in part.split("|")):
            return False
    return True


def _message(written: str, signature: Signature) -> Message:
    """The finding's message: the words, the table's reason (a message id of its own,
    extracted from the table for translation) and the fix when the reason does not say it."""
    reason = Message(signature.reason)
    if signature.suggestion and signature.suggestion not in signature.reason:
        return msg("“%(written)s” is a known mistranslation. %(reason)s Write “%(fix)s”.",
                   written=written, reason=reason, fix=signature.suggestion)
    return msg("“%(written)s” is a known mistranslation. %(reason)s", written=written,
               reason=reason)


class ChinglishCheck(Check):
    """Renderings that the campaign found again and again on wrong signs."""

    id = "chinglish"
    name = N_("Chinglish and machine-translation errors")
    languages = frozenset({"en"})
    explanation = N_("Known word-by-word and machine-translation renderings (“Deformed Man "
                     "Toilet”, “Car Rent”, “Carefully Slide”, “Export” for 出口) are replaced "
                     "by the standard wording. Fix: use the suggested wording or the "
                     "glossary's term. The list is a data table "
                     "(workbench/checks/data/chinglish.tsv) and can be extended.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        if not target or not _prefilter().search(target):
            return []
        findings: list[Finding] = []
        taken: list[tuple[int, int]] = []
        for signature in signatures():
            if not _source_matches(signature.zh, source):
                continue
            for match in signature.pattern.finditer(target):
                start, end = match.span()
                if any(start < e and s < end for s, e in taken):
                    continue  # overlaps a signature reported already
                taken.append((start, end))
                findings.append(self.finding(
                    _message(match.group(), signature), start, end,
                    suggestion=signature.suggestion or None, severity=signature.severity))
        return findings
