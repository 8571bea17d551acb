"""Automatic QA checks for sign wording.

    from workbench.checks import run_checks, Finding
    findings = run_checks(db, source="小心地滑", target="Carefully Slide", target_lang="en")

Each check is a small class (see :mod:`workbench.checks.base`) registered
through the ``register_checks`` hook: the built-in ones in
:mod:`workbench.checks.plugin`, an office's own in its plugin package.
:func:`workbench.plugins.checks` lists them all, in the order findings are
reported; :func:`run_checks` runs every check that applies to the language and
profile and is not switched off for the project (:mod:`workbench.checks.settings`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from collections.abc import Iterable, Mapping
from typing import Any

from sqlite_utils import Database

from workbench import plugins
from workbench.checks.base import (  # noqa: F401
    ERROR, MARKUP_PROFILES, PROFILES, WARNING, Check, CheckContext, Finding,
)
from workbench.checks.settings import disabled_checks, set_check_enabled  # noqa: F401
from workbench.messages import Message, Translator, msg

logger = logging.getLogger(__name__)

__all__ = ["run_checks", "Finding", "Check", "CheckContext", "disabled_checks",
           "set_check_enabled", "list_checks"]


def _load_glossary(db: Database | None, source_lang: str, target_lang: str) -> Any:
    if db is None:
        return None
    from workbench.glossary.match import load_glossary
    try:
        return load_glossary(db, source_lang, target_lang)
    except Exception as error:  # noqa: BLE001 - only a missing glossary schema is tolerated
        if "no such table" in str(error):
            return None
        raise


def run_checks(db: Database | None, source: str, target: str, target_lang: str,
               function: str | None = None, profile: str = "sign",
               context: dict[str, Any] | None = None, *, source_lang: str = "zh",
               only: Iterable[str] | None = None,
               disabled: Iterable[str] | None = None,
               settings: Mapping[str, Any] | None = None) -> list[Finding]:
    """Run the QA checks on one source/target pair and return the findings.

    ``db`` may be None: then the glossary and the inventory are not consulted
    (unless ``context`` carries ``glossary`` or ``other_renderings``).
    ``function`` is the sign's kind when known (prohibition, warning, …);
    ``profile`` is "sign", "prose" or "term". ``only`` limits the run to some
    check ids; ``disabled`` overrides the project's switched-off checks.
    ``settings`` are the project's settings (style choices such as
    ``ROAD_NAME_CAPITALS``); by default the process's own.
    Findings come sorted by position, whole-text findings first.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; use one of {', '.join(PROFILES)}")
    extra = dict(context or {})
    if settings is not None:
        extra["settings"] = settings
    source = source or ""
    target = target or ""
    term_base = extra.pop("glossary", None)
    if term_base is None:
        term_base = _load_glossary(db, source_lang, target_lang)
    switched_off = frozenset(disabled) if disabled is not None else disabled_checks(db)
    wanted = frozenset(only) if only is not None else None
    registered = plugins.checks()
    active = frozenset(check_id for check_id in registered if check_id not in switched_off
                       and (wanted is None or check_id in wanted))
    as_written = CheckContext(source=source, target=target, target_lang=target_lang or "",
                              db=db, function=function, profile=profile, extra=extra,
                              glossary=term_base, source_lang=source_lang, active=active)
    plain = _plain_view(as_written)
    findings: list[Finding] = []
    for check_id, check in registered.items():
        if check_id in active:
            if check.sees_markup or plain is None:
                findings.extend(_run_one(check, as_written))
            else:
                findings.extend(plain.mapped(_run_one(check, plain.ctx)))
    findings = _without_repeats(findings)
    findings.sort(key=lambda f: (-1 if f.start is None else f.start,
                                 -1 if f.end is None else f.end))
    return findings


def _run_one(check: Check, ctx: CheckContext) -> list[Finding]:
    """One check's findings on one text; a check that fails says so instead of hiding others."""
    try:
        if check.applies(ctx):
            return list(check.check(ctx.source, ctx.target, ctx.lang, ctx))
        return []
    except Exception as error:  # noqa: BLE001 - one faulty check must not hide the others
        logger.exception("QA check %s failed on %r / %r", check.id, ctx.source, ctx.target)
        return [Finding(check.id, WARNING, msg(
            "The check “%(check)s” could not run on this text (%(error)s).",
            check=Message(check.name), error=type(error).__name__), None, None)]


@dataclass
class _PlainView:
    """The texts without placeholders, and where each plain character sits in the target."""

    ctx: CheckContext
    positions: list[int]

    def mapped(self, findings: list[Finding]) -> list[Finding]:
        """Findings on the plain target moved onto the target as written."""
        positions = self.positions
        for finding in findings:
            if finding.start is not None and positions:
                start = min(finding.start, len(positions) - 1)
                end_index = min(max((finding.end or finding.start) - 1, start),
                                len(positions) - 1)
                finding.start = positions[start]
                finding.end = positions[end_index] + 1
        return findings


def _plain_view(ctx: CheckContext) -> _PlainView | None:
    """For a profile whose texts carry placeholders (prose: ``{1}…{/1}``), the view the
    ordinary checks read: without them, so ``{1}`` is not read as the number 1 and a term
    split by a bold run is still found. None when the texts are read as written."""
    if ctx.profile not in MARKUP_PROFILES:
        return None
    from workbench.documents import tags

    if not (tags.has_tags(ctx.source) or tags.has_tags(ctx.target)):
        return None
    plain: list[str] = []
    positions: list[int] = []
    cursor = 0
    for token in tags.tokens(ctx.target):
        if token.kind == "text":
            plain.append(token.value)
            positions.extend(range(cursor, cursor + len(token.value)))
        cursor += len(token.markup)
    plain_ctx = replace(ctx, source=tags.strip_tags(ctx.source), target="".join(plain),
                        extra=ctx.extra, _memo={})
    return _PlainView(plain_ctx, positions)


def _without_repeats(findings: list[Finding]) -> list[Finding]:
    """One finding per stretch of text: a later check that flags exactly the same words
    (the glossary and the Chinglish table both naming "Car Rent") adds nothing."""
    at_span: dict[tuple[int, int], int] = {}
    kept: list[Finding] = []
    for finding in findings:
        if finding.start is not None and finding.end is not None:
            span = (finding.start, finding.end)
            if span in at_span:
                index = at_span[span]
                if finding.severity == ERROR and kept[index].severity != ERROR:
                    kept[index] = finding  # keep the more serious of the two
                continue
            at_span[span] = len(kept)
        kept.append(finding)
    return kept


def list_checks(db: Database | None = None,
                translator: Translator | None = None) -> list[dict[str, Any]]:
    """Every registered check as plain data (name and explanation in the translator's
    language), with whether it is on for the project."""
    off = disabled_checks(db)
    return [dict(check.describe(translator), enabled=check_id not in off)
            for check_id, check in plugins.checks().items()]
