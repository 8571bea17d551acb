"""Durable background work: every long task runs as a job, in a worker process, on huey.

- :mod:`~workbench.jobs.kinds`: job kinds (registered through the ``register_job_kinds`` hook);
- :mod:`~workbench.jobs.store`: the ``job_runs`` table and its audited state machine;
- :mod:`~workbench.jobs.runner`: executing a run (progress, cancel, errors, retries);
- :mod:`~workbench.jobs.queue`: the huey queue in ``JOBS_DB`` beside the database;
- :mod:`~workbench.jobs.consumer`: ``workbench worker`` (heartbeat, taking back lost runs);
- :mod:`~workbench.jobs.files`: files written atomically and downloaded with permission.

Domain code starts work with :func:`start` (queued for a worker) or
:func:`run_now` (the CLI's foreground, with a progress bar); both record the
same run. The web and the CLI read runs with :func:`get_run` /
:func:`visible_run` / :func:`list_runs`, and people act with :func:`cancel`
and :func:`retry`.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from workbench import auth
from workbench.db import open_db
from workbench.errors import WorkbenchError
from workbench.jobs import runner, store
from workbench.jobs.files import atomic_output, output_dir, result_file
from workbench.jobs.kinds import JobKind, get_kind, kind_label
from workbench.jobs.runner import Echo, JobCancelled, TransientError
from workbench.jobs.store import get_run, latest_run, list_runs, may_manage, visible_run
from workbench.jobs.workers import is_stale, live_workers, worker_name
from workbench.messages import msg
from workbench.rowtypes import JobRun

__all__ = [
    "JobKind", "JobCancelled", "TransientError", "atomic_output", "cancel",
    "get_kind", "get_run", "is_stale", "kind_label", "latest_run", "list_runs",
    "live_workers", "may_manage", "output_dir", "result_file", "retry",
    "run_now", "start", "visible_run",
]


def start(db: Database, actor: auth.User, kind_id: str,
          arguments: Mapping[str, Any] | None = None, *, settings: Mapping[str, Any],
          subject: tuple[str, int] | None = None, county_id: int | None = None,
          exclusive: bool = False) -> int:
    """Record a run (audited) and queue it for a worker; returns the run's id."""
    from workbench.jobs.queue import queue_for

    run_id = store.create_run(db, actor, kind_id, arguments, subject=subject,
                              county_id=county_id, exclusive=exclusive)
    queue_for(settings).enqueue(run_id)
    return run_id


def run_now(db: Database, actor: auth.User, kind_id: str,
            arguments: Mapping[str, Any] | None = None, *, settings: Mapping[str, Any],
            echo: Echo | None = None, subject: tuple[str, int] | None = None,
            county_id: int | None = None, exclusive: bool = False) -> JobRun:
    """Record a run and execute it here and now (the CLI without ``--background``).

    ``echo(done, total, message)`` sees every progress report (a progress bar).
    The job's error is raised after it is recorded; transient errors are
    retried here after their backoff. Returns the run, done; a run that was
    cancelled meanwhile (or taken over by a worker) raises a WorkbenchError.
    """
    run_id = store.create_run(db, actor, kind_id, arguments, subject=subject,
                              county_id=county_id, exclusive=exclusive)
    worker = worker_name("cli/")
    while runner.execute(settings, run_id, worker=worker, echo=echo, reraise=True) == "queued":
        run = store.get_run(db, run_id)
        if run["not_before"]:
            wait = (datetime.fromisoformat(run["not_before"]) - store.now()).total_seconds()
            time.sleep(max(0.0, wait))
    run = store.get_run(db, run_id)
    if run["state"] == "cancelled":
        raise WorkbenchError(msg("Job %(id)s was cancelled.", id=run_id))
    if run["state"] != "done":
        raise WorkbenchError(msg("Job %(id)s did not finish here; see `workbench jobs show "
                                 "%(id)s`.", id=run_id))
    return run


def cancel(db: Database, actor: auth.User, run_id: int) -> JobRun:
    """Cancel a queued run, or ask a running one to stop (its starter, staff, admins)."""
    return store.request_cancel(db, actor, run_id)


def retry(db: Database, actor: auth.User, run_id: int,
          settings: Mapping[str, Any]) -> JobRun:
    """Queue a failed, cancelled or interrupted run again (its starter, staff, admins)."""
    from workbench.jobs.queue import queue_for

    store.retry(db, actor, run_id)
    queue_for(settings).enqueue(run_id)
    return store.get_run(db, run_id)


def wait(settings: Mapping[str, Any], run_id: int, timeout: float = 60.0,
         interval: float = 0.1) -> JobRun:
    """Wait until a run is no longer queued or running (CLI, tests, benchmarks); returns it."""
    db = open_db(settings["DATABASE"])
    try:
        deadline = time.monotonic() + timeout
        while True:
            run = store.get_run(db, run_id)
            if not run["active"] or time.monotonic() > deadline:
                return run
            time.sleep(interval)
    finally:
        db.close()
