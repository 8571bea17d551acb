"""Inline placeholders of document segments must come back in the translation.

A document segment carries its formatting as placeholders (``{1}…{/1}`` for
bold, italic, underline or a link; ``{2/}`` for a footnote reference, a tab, a
field). Each must appear in the translation as often as in the source, pairs
must open before they close, and no placeholder may be invented: otherwise the
exported document loses formatting or a footnote. Runs on the prose profile and
reads the texts as written (the other checks read them without placeholders).
"""
from __future__ import annotations

from workbench.checks.base import ERROR, Check, CheckContext, Finding
from workbench.documents import tags
from workbench.messages import N_, msg, nmsg


class PlaceholderCheck(Check):
    """Every placeholder of the source, once each, well nested, none invented."""

    id = "placeholders"
    name = N_("Formatting placeholders")
    severity = ERROR
    profiles = frozenset({"prose"})
    sees_markup = True
    explanation = N_("Document segments mark formatting with placeholders such as {1}…{/1} "
                     "(bold, italic, underline, a link) and {2/} (a footnote reference, a tab, "
                     "a field). The translation must contain each of them as often as the "
                     "source, each pair opened before it is closed, and no others; otherwise "
                     "the exported document loses that formatting or footnote. Fix: put the "
                     "placeholders around the words that carry the formatting.")

    def applies(self, ctx: CheckContext) -> bool:
        return super().applies(ctx) and (tags.has_tags(ctx.source) or tags.has_tags(ctx.target))

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        wanted = tags.tag_counts(source)
        found = tags.tag_counts(target)
        for tag, count in sorted(wanted.items()):
            have = found.get(tag, 0)
            if have < count:
                message = (msg("The placeholder %(tag)s is missing from the translation "
                               "(%(have)s of %(count)s).", tag=tag, have=have, count=count)
                           if count > 1 else
                           msg("The placeholder %(tag)s is missing from the translation.",
                               tag=tag))
                findings.append(self.finding(message, suggestion=tag))
        positions: dict[str, list[tuple[int, int]]] = {}
        for match in tags.TAG.finditer(target):
            positions.setdefault(match.group(0), []).append((match.start(), match.end()))
        for tag, count in sorted(found.items()):
            extra = count - wanted.get(tag, 0)
            if extra > 0:
                start, end = positions[tag][-1]
                findings.append(self.finding(
                    msg("The placeholder %(tag)s is not in the source.", tag=tag)
                    if tag not in wanted else
                    nmsg("The placeholder %(tag)s occurs %(n)s more time than in the source.",
                         "The placeholder %(tag)s occurs %(n)s more times than in the source.",
                         extra, tag=tag),
                    start, end))
        # Pairs must open before they close.
        depth: dict[str, int] = {}
        for match in tags.TAG.finditer(target):
            closing, tag_id, single = match.group(1), match.group(2), match.group(3)
            if single:
                continue
            if closing:
                if depth.get(tag_id, 0) <= 0:
                    findings.append(self.finding(
                        msg("%(closing)s closes before %(opening)s opens.",
                            closing=f"{{/{tag_id}}}", opening=f"{{{tag_id}}}"),
                        match.start(), match.end()))
                else:
                    depth[tag_id] -= 1
            else:
                depth[tag_id] = depth.get(tag_id, 0) + 1
        return findings
