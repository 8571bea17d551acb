"""Worker processes: who is alive, heartbeats, and taking back runs whose worker died.

A worker is named ``host:pid``. Its main loop beats every
``JOBS_HEARTBEAT_SECONDS``: the ``job_workers`` row and the ``heartbeat_at``
of every run it is executing. A running run has lost its worker when

- the worker ran on this host and its process is gone (``kill -9``, a crash, a
  reboot): noticed at once, or
- its heartbeat is older than ``JOBS_STALE_SECONDS`` (a worker on another host,
  or a run whose execution ended without recording its outcome).

:func:`sweep` marks such runs ``interrupted`` and queues them again while they
have attempts left (a worker sweeps when it starts and at every beat).
"""
from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.jobs import store
from workbench.messages import MessageLike, dumps, msg

SYSTEM = "jobs"  # the actor of what the job system does on nobody's behalf


def worker_name(prefix: str = "") -> str:
    """This process as a worker: ``host:pid`` (``prefix`` marks e.g. a CLI foreground run)."""
    return f"{prefix}{socket.gethostname()}:{os.getpid()}"


def _host_and_pid(worker: str | None) -> tuple[str, int | None]:
    if not worker:
        return "", None
    name = worker.split("/", 1)[-1]
    host, _, pid = name.rpartition(":")
    return host, int(pid) if pid.isdigit() else None


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def owner_gone(run: Mapping[str, Any], stale_before: str) -> bool:
    """Whether a running run's worker is gone (see the module's docstring).

    A run executed in the foreground of a command (``cli/…``) or inline
    (``inline/…``) has no heartbeat loop of its own between progress reports:
    on this host it is gone only when its process is.
    """
    host, pid = _host_and_pid(run["worker"])
    silent = not run["heartbeat_at"] or run["heartbeat_at"] < stale_before
    if host == socket.gethostname() and pid is not None:
        if not process_alive(pid):
            return True
        return silent and "/" not in (run["worker"] or "")
    return silent


def is_stale(run: Mapping[str, Any], stale_seconds: float) -> bool:
    """A running run whose heartbeat stopped (shown as a warning until a worker takes it back)."""
    if run["state"] != "running":
        return False
    limit = store.iso(store.now() - timedelta(seconds=stale_seconds))
    return not run["heartbeat_at"] or run["heartbeat_at"] < limit


# --- the workers table -------------------------------------------------------------------------

def register(db: Database, worker: str, threads: int) -> None:
    """Record a starting worker process (bookkeeping)."""
    host, pid = _host_and_pid(worker)
    stamp = audit.now_iso()
    with transaction(db):
        db.table("job_workers").upsert({"id": worker, "host": host, "pid": pid or 0,
                                        "threads": threads, "started_at": stamp,
                                        "beat_at": stamp, "stopped_at": None},
                                       pk="id")


def beat(db: Database, worker: str, run_ids: list[int]) -> None:
    """The worker is alive, and so are the runs it is executing (``run_ids``)."""
    stamp = audit.now_iso()
    with transaction(db):
        db.execute("UPDATE job_workers SET beat_at = ? WHERE id = ?", [stamp, worker])
        if run_ids:
            db.execute(f"""UPDATE job_runs SET heartbeat_at = ?
                           WHERE state = 'running' AND worker = ?
                             AND id IN ({','.join('?' * len(run_ids))})""",
                       [stamp, worker, *run_ids])


def stopped(db: Database, worker: str) -> None:
    """The worker process is stopping."""
    with transaction(db):
        db.execute("UPDATE job_workers SET stopped_at = ? WHERE id = ?",
                   [audit.now_iso(), worker])


def live_workers(db: Database, stale_seconds: float) -> list[dict[str, Any]]:
    """Workers that beat recently and did not stop."""
    limit = store.iso(store.now() - timedelta(seconds=stale_seconds))
    return list(db.query("SELECT * FROM job_workers WHERE stopped_at IS NULL AND beat_at >= ? "
                         "ORDER BY started_at", [limit]))


# --- taking runs back --------------------------------------------------------------------------

def interrupt(db: Database, run_id: int, max_attempts: int, reason: MessageLike, *,
              count_attempt: bool = True, only_worker: str | None = None) -> bool:
    """Mark a running run interrupted (audited) and queue it again while attempts remain.

    ``count_attempt`` False gives the attempt back (the worker was stopped on
    purpose, the run did nothing wrong). Returns whether the run was queued again.
    """
    actor = auth.system_actor(SYSTEM)
    with transaction(db):
        row = next(db.query("SELECT * FROM job_runs WHERE id = ? AND state = 'running'",
                            [run_id]), None)
        if row is None or (only_worker and row["worker"] != only_worker):
            return False
        attempts: int = row["attempts"] if count_attempt else max(0, row["attempts"] - 1)
        again = attempts < max_attempts
        db.table("job_runs").update(run_id, {"state": "interrupted", "claim": None,
                                       "attempts": attempts, "error": dumps(reason),
                                       "finished_at": audit.now_iso()})
        audit.record(db, actor, "job.interrupted", store.ENTITY, run_id,
                     {"state": "running", "worker": row["worker"]},
                     store._encode({"state": "interrupted", "reason": reason,
                                    "attempts": attempts, "queued_again": again}))
        if again:
            db.table("job_runs").update(run_id, {"state": "queued", "finished_at": None})
            audit.record(db, actor, "job.retry", store.ENTITY, run_id,
                         {"state": "interrupted"},
                         {"state": "queued", "automatic": True, "attempts": attempts,
                          "max_attempts": max_attempts})
    return again


def sweep(db: Database, stale_seconds: float, max_attempts: int) -> list[int]:
    """Take back every running run whose worker is gone; returns the ids queued again."""
    limit = store.iso(store.now() - timedelta(seconds=stale_seconds))
    requeued = []
    for run in list(db.query("SELECT id, worker, heartbeat_at FROM job_runs "
                             "WHERE state = 'running'")):
        if owner_gone(run, limit):
            reason = msg("Interrupted: the worker %(worker)s stopped during the run.",
                         worker=run["worker"] or "?")
            if interrupt(db, run["id"], max_attempts, reason):
                requeued.append(run["id"])
    return requeued


def release(db: Database, worker: str, max_attempts: int) -> list[int]:
    """A worker stopping on purpose queues its running runs again (attempts given back)."""
    requeued = []
    for (run_id,) in db.execute("SELECT id FROM job_runs WHERE state = 'running' AND worker = ?",
                                [worker]).fetchall():
        reason = msg("Interrupted: the worker %(worker)s was stopped; the job is queued again.",
                     worker=worker)
        if interrupt(db, run_id, max_attempts, reason, count_attempt=False, only_worker=worker):
            requeued.append(run_id)
    return requeued


def due_runs(db: Database) -> list[tuple[int, float]]:
    """Queued runs and how many seconds until each may start (to enqueue them again)."""
    moment = store.now()
    due = []
    for run_id, not_before in db.execute("SELECT id, not_before FROM job_runs "
                                         "WHERE state = 'queued' ORDER BY id").fetchall():
        delay = 0.0
        if not_before:
            delay = max(0.0, (datetime.fromisoformat(not_before) - moment).total_seconds())
        due.append((run_id, delay))
    return due
