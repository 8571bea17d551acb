"""The job system's commands: ``worker``, ``jobs`` and ``run`` (web server and worker).

A built-in plugin (see :mod:`workbench.plugins`), registered exactly as an
office's own plugin is. The job kinds themselves come from the parts that own
them (``register_job_kinds`` in their plugin modules).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.hooks import hookimpl

if TYPE_CHECKING:  # pragma: no cover
    import click


@hookimpl
def register_commands() -> list[click.Command]:
    """``workbench worker``, ``workbench jobs`` and ``workbench run``."""
    from workbench.jobs.cli import jobs_group, run_command, worker

    return [worker, jobs_group, run_command]
