"""The sign inventory's part of the workbench: the demo inventory on ``init --demo``, the
``inventory`` and ``demo`` commands, and its jobs (QA re-check, reading survey photos).

A built-in plugin (see :mod:`workbench.plugins`), registered exactly as an
office's own plugin is; what it names is imported when a hook is first called.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.hooks import hookimpl
from workbench.messages import N_

if TYPE_CHECKING:  # pragma: no cover
    import click

    from workbench.bootstrap import SeedStep
    from workbench.jobs.kinds import JobKind


@hookimpl
def seed_steps() -> list[SeedStep]:
    """The demo inventory, on request, into an empty inventory (after the glossary: the
    demo signs are QA-checked against it)."""
    from workbench.bootstrap import SeedStep
    from workbench.inventory.demo import seed_demo

    return [SeedStep("inventory-demo", seed_demo)]


@hookimpl
def register_commands() -> list[click.Command]:
    """``workbench inventory`` and ``workbench demo``."""
    from workbench.inventory.cli import demo_group, inventory

    return [inventory, demo_group]


@hookimpl
def register_job_kinds() -> list[JobKind]:
    """The QA re-check of installed sign texts and the reading of survey photos."""
    from workbench.jobs.kinds import JobKind

    return [
        JobKind("inventory.recheck", N_("QA re-check of installed sign texts"),
                "workbench.inventory.records:recheck_job", permission="inventory.manage"),
        JobKind("survey.read", N_("Reading survey photos (OCR)"),
                "workbench.inventory.survey:read_batch_job", permission="inventory.submit"),
    ]
