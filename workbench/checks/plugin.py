"""The QA checks the workbench brings, its ``check`` command and the glossary re-check job.

A built-in plugin (see :mod:`workbench.plugins`): registered exactly as an
office's own plugin is. The modules are imported when the hooks are first
called, not when the plugin manager is built.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.hooks import hookimpl
from workbench.messages import N_

if TYPE_CHECKING:  # pragma: no cover
    import click

    from workbench.checks.base import Check
    from workbench.jobs.kinds import JobKind


@hookimpl
def register_checks() -> list[type[Check]]:
    """The built-in checks, in the order their findings are reported."""
    from workbench.checks import (
        calque, capitals, chinglish, consistency, generic_pinyin, glossary, grammar,
        machine_draft, meaning, memory_match, nearmiss, numbers, patterns, pinyin, placeholders,
        polarity, punctuation, script, spelling,
    )

    return [
        script.UntranslatedCheck,
        glossary.GlossaryCheck,
        meaning.MeaningCheck,
        polarity.PolarityCheck,
        chinglish.ChinglishCheck,
        calque.CalqueCheck,
        grammar.GrammarCheck,
        spelling.SpellingCheck,
        pinyin.PinyinCheck,
        nearmiss.NearMissCheck,
        generic_pinyin.GenericPinyinCheck,
        *punctuation.RULES,  # one check per rule, family "punctuation"
        capitals.CapitalsCheck,
        numbers.NumbersCheck,
        patterns.PatternCheck,
        consistency.ConsistencyCheck,
        machine_draft.MachineDraftCheck,
        placeholders.PlaceholderCheck,
        memory_match.MemoryMatchCheck,
    ]


@hookimpl
def register_commands() -> list[click.Command]:
    """``workbench check``: check a TSV file, list the checks, switch them on and off."""
    from workbench.checks.cli import check_group

    return [check_group]


@hookimpl
def register_job_kinds() -> list[JobKind]:
    """The QA re-check of what a glossary change touches."""
    from workbench.jobs.kinds import JobKind

    return [JobKind("glossary.recheck", N_("QA re-check after a glossary change"),
                    "workbench.checks.recheck:recheck_job", permission="glossary.edit")]
