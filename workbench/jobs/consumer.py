"""``workbench worker``: huey's consumer with the job system's start-up, heartbeat and shutdown.

On start the worker takes back the runs a dead worker left ``running``
(interrupted, queued again while attempts remain) and makes sure every queued
run has a message. While it runs, its main loop beats every
``JOBS_HEARTBEAT_SECONDS`` (for itself and the runs it executes) and takes
back runs whose worker went silent. SIGTERM and Ctrl+C stop it at once: the
runs it was executing are queued again (the attempt is given back) and the
next worker resumes them.
"""
from __future__ import annotations

import logging
import signal
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from huey.consumer import Consumer

from workbench import migrations
from workbench.db import open_db
from workbench.jobs import runner, workers
from workbench.jobs.queue import JobQueue

log = logging.getLogger(__name__)

PARTIAL_MAX_AGE = 3600.0  # seconds: a temporary file this old belongs to no live run
# An idle worker looks for new messages at least this often (one indexed SQLite read).
POLL_MAX_SECONDS = 0.25


class WorkerConsumer(Consumer):  # type: ignore[misc]  # huey ships no type information
    """A huey consumer (threads) that beats and sweeps from its main loop."""

    def __init__(self, queue: JobQueue, db: Any, name: str, threads: int) -> None:
        super().__init__(queue.huey, workers=threads, periodic=False, worker_type="thread",
                         initial_delay=0.02, backoff=1.5, max_delay=POLL_MAX_SECONDS,
                         check_worker_health=True, health_check_interval=10)
        self.queue = queue
        self.db = db
        self.name = name
        self.beat_every = float(queue.settings["JOBS_HEARTBEAT_SECONDS"])
        self._next_beat = time.monotonic() + self.beat_every

    def loop(self, health_check_ts: float | None = None) -> float | None:
        """Huey's main-loop step, then the heartbeat when it is due."""
        checked: float | None = super().loop(health_check_ts)
        if time.monotonic() >= self._next_beat:
            self._next_beat = time.monotonic() + self.beat_every
            try:
                self.pulse()
            except Exception:  # noqa: BLE001 - a busy database must not stop the worker
                log.exception("Heartbeat failed")
        return checked

    def pulse(self) -> None:
        """Beat for this worker and its runs; take back runs whose worker went silent."""
        settings = self.queue.settings
        workers.beat(self.db, self.name, runner.in_flight())
        for run_id in workers.sweep(self.db, float(settings["JOBS_STALE_SECONDS"]),
                                    int(settings["JOBS_MAX_ATTEMPTS"])):
            log.warning("Job %s lost its worker; queued again", run_id)
            self.queue.enqueue(run_id)

    def _set_signal_handlers(self) -> None:
        # Ctrl+C stops at once like SIGTERM: running jobs are queued again rather than
        # waited for (an export may take minutes).
        super()._set_signal_handlers()
        signal.signal(signal.SIGINT, self._handle_stop_signal)


def _messages_waiting(queue: JobQueue) -> set[int]:
    waiting = set()
    for task in [*queue.huey.pending(), *queue.huey.scheduled()]:
        if task.args:
            waiting.add(int(task.args[0]))
    return waiting


def recover(queue: JobQueue, db: Any) -> list[int]:
    """Take back runs of dead workers and give every queued run a message; returns them."""
    settings = queue.settings
    taken_back = workers.sweep(db, float(settings["JOBS_STALE_SECONDS"]),
                               int(settings["JOBS_MAX_ATTEMPTS"]))
    for run_id in taken_back:
        log.warning("Job %s was interrupted (its worker stopped); queued again", run_id)
    waiting = _messages_waiting(queue)
    enqueued = []
    for run_id, delay in workers.due_runs(db):
        if run_id not in waiting:
            queue.enqueue(run_id, delay)
            enqueued.append(run_id)
    return enqueued


def remove_old_partials(settings: Mapping[str, Any]) -> int:
    """Delete temporary files (``.name.part``) that no live run can still be writing."""
    folder = Path(settings.get("EXPORT_DIR") or "")
    if not folder.is_dir():
        return 0
    limit = time.time() - PARTIAL_MAX_AGE
    removed = 0
    for partial in folder.glob(".*.part"):
        if partial.stat().st_mtime < limit:
            partial.unlink(missing_ok=True)
            removed += 1
    return removed


def run_worker(settings: Mapping[str, Any], threads: int | None = None) -> None:
    """Run a worker until SIGTERM or Ctrl+C (``workbench worker``)."""
    settings = dict(settings, JOBS_IMMEDIATE=False)
    threads = max(1, int(threads or settings["JOBS_WORKERS"]))
    db = open_db(settings["DATABASE"])
    migrations.apply(db)
    queue = JobQueue(settings)
    name = workers.worker_name()
    workers.register(db, name, threads)
    recover(queue, db)
    remove_old_partials(settings)
    consumer = WorkerConsumer(queue, db, name, threads)
    log.info("Worker %s: %s thread(s), queue %s", name, threads, settings["JOBS_DB"])
    try:
        consumer.run()
    finally:
        for run_id in workers.release(db, name, int(settings["JOBS_MAX_ATTEMPTS"])):
            queue.enqueue(run_id)
            log.info("Job %s queued again for the next worker", run_id)
        workers.stopped(db, name)
        db.close()
