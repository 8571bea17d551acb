"""The review workflow's part of the workbench: the ``review`` command and its jobs
(machine drafts for signs, QA checks of wording not checked yet).

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
    """``workbench review``."""
    from workbench.review.cli import review

    return [review]


@hookimpl
def register_job_kinds() -> list[JobKind]:
    """Drafting the signs' new units, and checking wording not checked yet."""
    from workbench.jobs.kinds import JobKind

    return [
        JobKind("inventory.draft", N_("Machine drafts for signs"),
                "workbench.review.units:draft_units_job", permission="inventory.submit"),
        JobKind("review.check", N_("QA checks of wording not checked yet"),
                "workbench.review.qa:check_pending_job", permission="review.view"),
    ]
