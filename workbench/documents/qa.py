"""QA of a document segment: the prose profile on the text, plus the placeholder check.

The ordinary checks see the texts without placeholders (so ``{1}`` is not read
as the number 1 and a term split by a bold run is still found); their finding
positions are mapped back onto the translation as written. The placeholder
check sees the texts as written.
"""
from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from workbench.documents import tags

PROFILE = "prose"


def _stripped_with_positions(text: str) -> tuple[str, list[int]]:
    """The text without placeholders, and for each of its characters the position in ``text``."""
    plain: list[str] = []
    positions: list[int] = []
    cursor = 0
    for token in tags.tokens(text):
        if token.kind == "text":
            plain.append(token.value)
            positions.extend(range(cursor, cursor + len(token.value)))
        cursor += len(token.markup)
    return "".join(plain), positions


def check_segment(db: Database | None, source: str, target: str, target_lang: str,
                  *, source_lang: str = "zh", context: dict[str, Any] | None = None) -> list[Any]:
    """Findings for one segment translation, positions in ``target`` as written."""
    from workbench.checks import run_checks
    from workbench.checks.placeholders import PlaceholderCheck

    if not target:
        return []
    plain_source = tags.strip_tags(source)
    plain_target, positions = _stripped_with_positions(target)
    findings = []
    if tags.has_tags(source) or tags.has_tags(target):
        findings = list(run_checks(db, source, target, target_lang, profile=PROFILE,
                                   context=context, source_lang=source_lang,
                                   only=[PlaceholderCheck.id]))
    others = run_checks(db, plain_source, plain_target, target_lang, profile=PROFILE,
                        context=context, source_lang=source_lang)
    for finding in others:
        if finding.check == PlaceholderCheck.id:
            continue
        if finding.start is not None and positions:
            start = min(finding.start, len(positions) - 1)
            end_index = min(max((finding.end or finding.start) - 1, start), len(positions) - 1)
            finding.start = positions[start]
            finding.end = positions[end_index] + 1
        findings.append(finding)
    findings.sort(key=lambda f: (-1 if f.start is None else f.start,
                                 -1 if f.end is None else f.end))
    return findings
