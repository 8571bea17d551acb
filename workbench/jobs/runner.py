"""Executing one run: claim it, call its kind's function with progress, record the outcome.

The same code runs a job in a worker process (huey calls :func:`execute`) and
in the foreground of a CLI command (:func:`run_now` in ``workbench.jobs``).
The kind's function works on a connection of its own; state, progress and
heartbeats go through a second connection, so a long read in the job never
holds up the progress writes (or anybody else's writes: WAL).

Outcomes: a result → ``done``; :class:`JobCancelled` from ``progress()`` →
``cancelled``; a :class:`~workbench.errors.TemporaryFailure` (:class:`TransientError`,
a database that stayed busy, a model server that kept failing) or a timeout →
queued again after a backoff until ``JOBS_MAX_ATTEMPTS``; a
:class:`~workbench.errors.WorkbenchError` → ``failed`` with its message; any
other exception → ``failed`` with a short message, the traceback in the log.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from workbench.db import open_db
from workbench.errors import TemporaryFailure, WorkbenchError
from workbench.jobs import store
from workbench.jobs.kinds import get_kind
from workbench.messages import MessageLike, msg

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.25  # seconds between progress writes (the last one is always written)

Echo = Callable[[int, int, MessageLike | None], None]
Requeue = Callable[[int, float], None]

# Runs this process is executing now: the worker's heartbeat keeps exactly these alive.
_in_flight: set[int] = set()
_in_flight_lock = threading.Lock()


def in_flight() -> list[int]:
    """Ids of the runs this process is executing."""
    with _in_flight_lock:
        return sorted(_in_flight)


class JobCancelled(Exception):
    """Raised by ``progress()`` once the run was cancelled; the job stops there.

    ``superseded`` is set when the run was taken away from this execution (its
    worker was presumed dead and the run queued again): nothing more is recorded.
    """

    def __init__(self, superseded: bool = False) -> None:
        super().__init__("superseded" if superseded else "cancelled")
        self.superseded = superseded


class TransientError(TemporaryFailure):
    """A temporary failure (an engine timed out, a server is restarting): retry later.

    Engines and kinds raise it; the run is queued again with a growing delay
    until ``JOBS_MAX_ATTEMPTS`` runs were made.
    """

    def __init__(self, message: MessageLike | None = None) -> None:
        super().__init__(message if message is not None
                         else msg("A temporary problem stopped the job; it will be tried again."))


def is_transient(error: BaseException) -> bool:
    """Whether an error is worth retrying: transient, busy database, timeout."""
    if isinstance(error, (TemporaryFailure, TimeoutError)):
        return True
    return isinstance(error, sqlite3.OperationalError) and any(
        word in str(error).lower() for word in ("locked", "busy"))


class Progress:
    """The ``progress(done, total, message=None)`` callback handed to a kind's function.

    Writes at most every :data:`PROGRESS_INTERVAL` (and always the final step),
    refreshes the run's heartbeat, and at every call raises :class:`JobCancelled`
    once a cancel was asked or the run was taken away. Call it outside your own
    write transactions: it writes through a second connection.
    """

    def __init__(self, db: Any, owned: store.Claim, echo: Echo | None = None) -> None:
        self.db = db
        self.owned = owned
        self.echo = echo
        self._last = 0.0

    def __call__(self, done: int, total: int, message: MessageLike | None = None) -> None:
        if self.echo:
            self.echo(done, total, message)
        moment = time.monotonic()
        final = bool(total) and done >= total
        try:
            if moment - self._last < PROGRESS_INTERVAL and not final and message is None:
                cancel = store.cancel_asked(self.db, self.owned)  # a read, no write
                if cancel:
                    # A cancelled run keeps how far it got, throttled or not.
                    store.report_progress(self.db, self.owned, int(done), int(total), message)
            else:
                self._last = moment
                cancel = store.report_progress(self.db, self.owned, int(done), int(total),
                                               message)
        except store.Superseded:
            raise JobCancelled(superseded=True) from None
        except sqlite3.OperationalError as error:
            if not is_transient(error):
                raise
            return  # the database is busy: the next report will do
        if cancel:
            raise JobCancelled()


def _result_dict(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    return {"value": value}


def execute(settings: Mapping[str, Any], run_id: int, *, worker: str,
            requeue: Requeue | None = None, echo: Echo | None = None,
            reraise: bool = False) -> str | None:
    """Run a queued run to its end; returns the state it ended in (None: not ours to run).

    ``requeue(run_id, delay)`` queues it again after a transient error;
    ``reraise`` (the CLI's foreground) raises the job's error after recording it
    as failed (a transient error is recorded as queued again and not raised).
    """
    control = open_db(settings["DATABASE"])
    try:
        owned = store.claim(control, run_id, worker)
        if owned is None:
            return None
        with _in_flight_lock:
            _in_flight.add(run_id)
        try:
            return _run_claimed(control, owned, settings, requeue, echo, reraise)
        finally:
            with _in_flight_lock:
                _in_flight.discard(run_id)
    finally:
        control.close()


def _run_claimed(control: Any, owned: store.Claim, settings: Mapping[str, Any],
                 requeue: Requeue | None, echo: Echo | None, reraise: bool) -> str | None:
    run = store.get_run(control, owned.run_id)
    try:
        result = _call(control, owned, run, settings, echo)
    except JobCancelled as stop:
        if stop.superseded:
            return None
        store.cancelled(control, owned)
        return "cancelled"
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the run
        state = _record_failure(control, owned, error, settings, requeue)
        if reraise and state == "failed":
            raise
        return state
    except BaseException:
        # Ctrl+C in the foreground, or the process is exiting: the person stopped it.
        store.cancel_unfinished(control, owned, store.starter(control, run))
        raise
    store.finish(control, owned, result)
    return "done"


def _call(control: Any, owned: store.Claim, run: Mapping[str, Any],
          settings: Mapping[str, Any], echo: Echo | None) -> dict[str, Any]:
    kind = get_kind(run["kind"])
    work = open_db(settings["DATABASE"])
    try:
        progress = Progress(control, owned, echo)
        extras = {"actor": store.starter(control, run), "settings": settings,
                  "run_id": owned.run_id}
        return _result_dict(kind.call(work, run["arguments"], progress, extras))
    finally:
        work.close()


def _record_failure(control: Any, owned: store.Claim, error: Exception,
                    settings: Mapping[str, Any], requeue: Requeue | None) -> str:
    if is_transient(error):
        message = error.message if isinstance(error, WorkbenchError) else msg(
            "The database or an engine was busy (%(error)s).", error=str(error))
        delay = store.retry_later(control, owned, message, int(settings["JOBS_MAX_ATTEMPTS"]),
                                  float(settings["JOBS_RETRY_DELAY"]))
        if delay is None:
            return "failed"
        if requeue:
            requeue(owned.run_id, delay)
        return "queued"
    if isinstance(error, WorkbenchError):
        store.fail(control, owned, error.message)
    else:
        log.exception("Job %s (%s) failed", owned.run_id, owned.worker)
        store.fail(control, owned, msg("The job failed because of an error on the server "
                                       "(%(error)s).", error=type(error).__name__))
    return "failed"
