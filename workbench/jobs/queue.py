"""The huey queue: messages that say "run job N", in a SQLite file beside the database.

``job_runs`` is the truth about every run; a huey message only wakes a worker
up. A message for a run that is no longer queued is dropped by the runner's
claim, so enqueueing twice is harmless, and a worker enqueues every queued run
again when it starts (a message lost with a crash cannot strand a run).

With ``JOBS_IMMEDIATE`` the message runs at once, in the process that enqueues
it (tests, debugging): huey's immediate mode, with in-memory storage.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from huey import SqliteHuey

from workbench.jobs import runner
from workbench.jobs.workers import worker_name

log = logging.getLogger(__name__)

QUEUE_NAME = "signbench"


class JobQueue:
    """A huey instance on the jobs file, with the one task that executes a run."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)
        self.immediate = bool(settings.get("JOBS_IMMEDIATE"))
        path = Path(settings["JOBS_DB"])
        path.parent.mkdir(parents=True, exist_ok=True)
        self.huey = SqliteHuey(QUEUE_NAME, filename=str(path), results=False,
                               immediate=self.immediate, utc=True, timeout=10)
        # The task's name is what a message names: producer and worker must agree.
        self.task = self.huey.task(name="run_job")(self._run)

    @property
    def worker(self) -> str:
        """The name this process's executions record (``inline/…`` in immediate mode)."""
        return worker_name("inline/" if self.immediate else "")

    def _run(self, run_id: int) -> None:
        try:
            runner.execute(self.settings, run_id, worker=self.worker, requeue=self.enqueue)
        except Exception:  # noqa: BLE001 - recorded on the run; never crash a worker thread
            log.exception("Job %s could not be recorded", run_id)

    def enqueue(self, run_id: int, delay: float = 0.0) -> None:
        """Ask a worker to run this run (after ``delay`` seconds)."""
        if delay > 0 and not self.immediate:
            self.task.schedule(args=(run_id,), delay=delay)
            return
        if delay > 0:
            time.sleep(delay)  # immediate mode runs retries inline, after their backoff
        self.task(run_id)

    def pending(self) -> int:
        """Messages waiting in the queue (not counting scheduled retries)."""
        return self.huey.pending_count() if not self.immediate else 0


_queues: dict[tuple[str, str, bool], JobQueue] = {}
_lock = threading.Lock()


def queue_for(settings: Mapping[str, Any]) -> JobQueue:
    """The process's queue for these settings (one per jobs file and database)."""
    key = (str(settings["JOBS_DB"]), str(settings["DATABASE"]),
           bool(settings.get("JOBS_IMMEDIATE")))
    with _lock:
        queue = _queues.get(key)
        if queue is None:
            queue = _queues[key] = JobQueue(settings)
        return queue
