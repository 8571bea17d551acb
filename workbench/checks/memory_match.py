"""A draft copied from a fuzzy translation-memory match, as long as nobody changed it.

A fuzzy match is the approved translation of a *similar* Chinese text: 小心地滑
(CAUTION//Wet Floor) drafted for 小心地滑倒. What the two Chinese texts do not
share is not translated in the draft (or translated although it is not there).
The unit keeps the match it copied (``translation_units.draft_memory``); this
check names the difference while the wording is still the memory's, and goes
away once someone has changed it.
"""
from __future__ import annotations

from workbench.checks.base import WARNING, Check, CheckContext, Finding
from workbench.messages import N_, msg


class MemoryMatchCheck(Check):
    """The parts of the Chinese that a copied fuzzy match does not translate."""

    id = "memory_match"
    name = N_("Fuzzy memory match")
    severity = WARNING
    explanation = N_("The draft is the approved translation of a similar Chinese text from "
                     "the translation memory. Where the two Chinese texts differ, the draft "
                     "leaves words untranslated or translates words this text does not have. "
                     "Fix: translate the difference, or confirm that it changes nothing.")

    def applies(self, ctx: CheckContext) -> bool:
        match = ctx.extra.get("memory_match")
        return super().applies(ctx) and isinstance(match, dict) and bool(match.get("source"))

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        from workbench.review.history import word_diff

        match = ctx.extra["memory_match"]
        if " ".join(target.split()) != " ".join(str(match.get("target") or "").split()):
            return []  # the wording is no longer the memory's
        memory_source = str(match["source"])
        pieces = word_diff(memory_source, source, ctx.source_lang)
        added = [piece.text.strip() for piece in pieces if piece.op == "insert"]
        dropped = [piece.text.strip() for piece in pieces if piece.op == "delete"]
        findings = []
        if any(added):
            findings.append(self.finding(msg(
                "The wording is the memory's translation of “%(memory)s”: “%(extra)s” of "
                "this text is not translated in it.", memory=memory_source,
                extra="…".join(piece for piece in added if piece))))
        if any(dropped):
            findings.append(self.finding(msg(
                "The wording is the memory's translation of “%(memory)s”: it also "
                "translates “%(missing)s”, which this text does not have.",
                memory=memory_source, missing="…".join(piece for piece in dropped if piece))))
        return findings
