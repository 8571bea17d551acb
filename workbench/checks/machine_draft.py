"""The problems an engine recorded in its own draft, as long as the wording still has them.

The model-server engine verifies its drafts (glossary terms used, no forbidden
rendering, placeholders kept) and, when asking again did not help, keeps the
draft with *flags* (:mod:`workbench.mt.verify`). The unit carries them
(``draft_flags``); this check re-tests each flag against the wording as it is
now, so the problem is a finding until someone fixes it, and disappears as
soon as the wording is right. Placeholder flags are left to the placeholder
check when it runs (it sees the same problem).
"""
from __future__ import annotations

from workbench.checks.base import ERROR, Check, CheckContext, Finding
from workbench.messages import N_, msg


class MachineDraftCheck(Check):
    """What the engine found wrong in its draft and could not get fixed."""

    id = "machine_draft"
    name = N_("Machine draft held to the glossary")
    severity = ERROR
    explanation = N_("A model-server engine checks its own draft: every glossary term of the "
                     "Chinese is rendered as the glossary says (preferred or admitted), no "
                     "forbidden rendering is used, and a document segment's placeholders all "
                     "come back. What the model did not fix when asked again stays with the "
                     "draft and is shown here until the wording is corrected. Fix: use the "
                     "glossary's rendering, or restore the placeholder.")

    def applies(self, ctx: CheckContext) -> bool:
        return super().applies(ctx) and bool(ctx.extra.get("draft_flags"))

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        # Imported here: the verification lives with the engines, which import the checks.
        from workbench.mt.verify import PLACEHOLDER_KINDS, flag_message, still_broken

        findings = []
        for flag in ctx.extra.get("draft_flags") or []:
            if not isinstance(flag, dict):
                continue
            if flag.get("kind") in PLACEHOLDER_KINDS and "placeholders" in ctx.active:
                continue
            if still_broken(flag, source, target, ctx.target_lang or lang):
                renderings = flag.get("renderings") or []
                findings.append(self.finding(
                    msg("Machine draft: %(problem)s", problem=flag_message(flag)),
                    suggestion=renderings[0] if renderings else None))
        return findings
