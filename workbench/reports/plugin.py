"""Public error reports' part of the workbench: the ``report`` command and the triage job.

A built-in plugin (see :mod:`workbench.plugins`), registered exactly as an
office's own plugin is; what it names is imported when a hook is first called.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.hooks import hookimpl
from workbench.messages import N_

if TYPE_CHECKING:  # pragma: no cover
    import click

    from workbench.jobs.kinds import JobKind


@hookimpl
def register_commands() -> list[click.Command]:
    """``workbench report``: the office's queue of public reports."""
    from workbench.reports.cli import report

    return [report]


@hookimpl
def register_job_kinds() -> list[JobKind]:
    """The triage of a new report (OCR of its photo, matching, QA)."""
    from workbench.jobs.kinds import JobKind

    return [JobKind("reports.triage", N_("Triage of a public report (OCR, matching, QA)"),
                    "workbench.reports:triage_job")]
