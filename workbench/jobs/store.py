"""The record of job runs (table ``job_runs``) and the state machine.

::

    queued ──▶ running ──▶ done
      ▲  │        │ ├────▶ failed      (an error; a transient one is retried first)
      │  │        │ ├────▶ cancelled   (asked by the starter, staff or an admin)
      │  │        │ └────▶ interrupted (its worker stopped; queued again while attempts remain)
      │  └──▶ cancelled
      └──── retry (failed, cancelled, interrupted)

Every state change writes its audit event in the same transaction
(``job.start``, ``job.run``, ``job.done``, ``job.failed``, ``job.cancel``,
``job.cancelled``, ``job.retry``, ``job.interrupted``). Progress and heartbeats
rewrite the row many times a minute and are bookkeeping. A worker owns a
running run through ``claim`` (a random token written when it starts the run):
every later write of that execution names the claim, so a run taken away (after
an interruption) can no longer be changed by the execution that lost it.
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, cast

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import row_or_not_found, transaction
from workbench.rowtypes import JobRun
from workbench.errors import Conflict, NotFound, ValidationError
from workbench.jobs.kinds import get_kind
from workbench.messages import Message, MessageLike, dumps, from_data, msg

ENTITY = "job"
ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled", "interrupted")
RETRYABLE = ("failed", "cancelled", "interrupted")


@dataclass(frozen=True)
class Claim:
    """One execution of a run by a worker: what its writes must name."""

    run_id: int
    token: str
    attempt: int
    worker: str


class Superseded(Exception):
    """The run is no longer this execution's (interrupted and taken over, or finished)."""


# --- encoding ----------------------------------------------------------------------------------

def _encode(value: Any) -> Any:
    if isinstance(value, Message):
        return {"$message": value.to_dict()}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$message"}:
            return Message.from_dict(value["$message"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def encode_json(value: Any) -> str:
    """A result or arguments dictionary as JSON text; messages keep their id and parameters."""
    return json.dumps(_encode(value), ensure_ascii=False, sort_keys=True, default=str)


def decode_json(text: str | None) -> Any:
    """The value stored by :func:`encode_json`."""
    return _decode(json.loads(text)) if text else None


def _message(text: str | None) -> MessageLike | None:
    return from_data(json.loads(text)) if text else None


def now() -> datetime:
    """The current UTC time."""
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """A UTC time as the sortable ISO text the database stores."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


# --- reading -----------------------------------------------------------------------------------

def _decoded(row: Mapping[str, Any]) -> JobRun:
    run = cast(JobRun, dict(row))
    run["arguments"] = decode_json(row["arguments"]) or {}
    run["result"] = decode_json(row["result"])
    run["error"] = _message(row["error"])
    run["progress_message"] = _message(row["progress_message"])
    run["active"] = row["state"] in ACTIVE
    total, done = row["progress_total"], row["progress_done"]
    run["percent"] = 100 if row["state"] == "done" else (
        min(100, int(100 * done / total)) if total else 0)
    return run


def get_run(db: Database, run_id: int) -> JobRun:
    """One run with its arguments, result, error and progress message decoded."""
    return _decoded(row_or_not_found(db, "SELECT * FROM job_runs WHERE id = ?", [run_id],
                                     msg("No such job.")))


def may_see(user: auth.User, run: Mapping[str, Any]) -> bool:
    """Whether the user may see a run: their own, a kind they may follow, or all (staff).

    An officer never sees a run of another county, whoever started it.
    """
    scope = auth.county_scope(user)
    if scope is not None and run["county_id"] not in (None, scope):
        return False
    if run["started_by_id"] is not None and run["started_by_id"] == user.id:
        return True
    if auth.can(user, "jobs.view_all"):
        return True
    kind = _kind_or_none(run["kind"])
    return bool(kind and kind.view_permission and auth.can(user, kind.view_permission))


def may_manage(user: auth.User, run: Mapping[str, Any]) -> bool:
    """Whether the user may cancel or retry the run: who started it, staff and admins."""
    if not may_see(user, run):
        return False
    return (run["started_by_id"] is not None and run["started_by_id"] == user.id) or \
        auth.can(user, "jobs.manage")


def _kind_or_none(kind_id: str) -> Any:
    from workbench import plugins

    return plugins.job_kinds().get(kind_id)


def visible_run(db: Database, user: auth.User, run_id: int) -> JobRun:
    """A run the user may see (another's run answers NotFound, as if it did not exist)."""
    run = get_run(db, run_id)
    if not may_see(user, run):
        raise NotFound(msg("No such job."))
    return run


def list_runs(db: Database, user: auth.User, *, state: str | None = None,
              kind: str | None = None, kinds_prefix: str | None = None, mine: bool = False,
              limit: int = 50, offset: int = 0) -> tuple[list[JobRun], int]:
    """Runs the user may see, newest first: (page, total)."""
    where, params = _visibility_sql(user, mine)
    for column, value in (("state", state), ("kind", kind)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if kinds_prefix:
        where.append("kind LIKE ?")
        params.append(kinds_prefix + "%")
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    total = db.execute(f"SELECT count(*) FROM job_runs {clause}", params).fetchone()[0]
    rows = db.query(f"SELECT * FROM job_runs {clause} ORDER BY id DESC LIMIT ? OFFSET ?",
                    [*params, limit, offset])
    return [_decoded(row) for row in rows], total


def _visibility_sql(user: auth.User, mine: bool) -> tuple[list[str], list[Any]]:
    from workbench import plugins

    where: list[str] = []
    params: list[Any] = []
    scope = auth.county_scope(user)
    if scope is not None:
        where.append("(county_id IS NULL OR county_id = ?)")
        params.append(scope)
    if mine or not auth.can(user, "jobs.view_all"):
        followed = [] if mine else [k.id for k in plugins.job_kinds().values()
                                    if k.view_permission and auth.can(user, k.view_permission)]
        alternatives = ["started_by_id = ?"]
        params.append(user.id if user.id is not None else -1)
        if followed:
            alternatives.append(f"kind IN ({','.join('?' * len(followed))})")
            params.extend(followed)
        where.append("(" + " OR ".join(alternatives) + ")")
    return where, params


def latest_run(db: Database, kind: str, subject_type: str,
               subject_id: int) -> JobRun | None:
    """The newest run of a kind about one record (e.g. a document's drafting), or None."""
    row = next(db.query("SELECT * FROM job_runs WHERE subject_type = ? AND subject_id = ? "
                        "AND kind = ? ORDER BY id DESC LIMIT 1",
                        [subject_type, subject_id, kind]), None)
    return _decoded(row) if row else None


# --- starting ----------------------------------------------------------------------------------

def create_run(db: Database, actor: auth.User, kind_id: str,
               arguments: Mapping[str, Any] | None = None, *,
               subject: tuple[str, int] | None = None, county_id: int | None = None,
               exclusive: bool = False) -> int:
    """Record a queued run (audited ``job.start``); returns its id.

    With ``exclusive``, a second run of the same kind about the same subject is
    refused while one is queued or running.
    """
    kind = get_kind(kind_id)
    if kind.permission:
        auth.require(actor, kind.permission)
    if county_id is not None:
        auth.check_county(actor, county_id)
    elif auth.county_scope(actor) is not None:
        county_id = auth.county_scope(actor)  # an officer's run belongs to their county
    subject_type, subject_id = subject if subject else (None, None)
    text = encode_json(dict(arguments or {}))
    with transaction(db):
        if exclusive and subject:
            running = db.execute(
                "SELECT id FROM job_runs WHERE kind = ? AND subject_type = ? AND subject_id = ? "
                "AND state IN ('queued', 'running')", [kind_id, subject_type, subject_id]
            ).fetchone()
            if running:
                raise Conflict(msg("This work is already queued or running (job %(id)s); wait "
                                   "for it or cancel it.", id=running[0]))
        run_id = db.table("job_runs").insert({
            "kind": kind_id, "state": "queued", "arguments": text,
            "subject_type": subject_type, "subject_id": subject_id, "county_id": county_id,
            "started_by_id": actor.id, "started_by": actor.username,
            "created_at": audit.now_iso()}).last_pk
        audit.record(db, actor, "job.start", ENTITY, run_id, None,
                     {"kind": kind_id, "arguments": _for_audit(decode_json(text)),
                      "subject": [subject_type, subject_id] if subject else None})
    return int(run_id)  # type: ignore[arg-type]


def _for_audit(arguments: Mapping[str, Any], longest: int = 50) -> dict[str, Any]:
    """Arguments as the audit event keeps them: long id lists (the run has them) counted."""
    return {key: ({"count": len(value), "first": value[0], "last": value[-1]}
                  if isinstance(value, list) and len(value) > longest else value)
            for key, value in arguments.items()}


def starter(db: Database, run: Mapping[str, Any]) -> auth.User:
    """The person a run works for (the system actor of a CLI run)."""
    if run["started_by_id"] is not None:
        user = auth.get_user(db, run["started_by_id"])
        if user is not None:
            return user
    return auth.system_actor(run["started_by"] or None)


# --- a worker's execution ----------------------------------------------------------------------

def claim(db: Database, run_id: int, worker: str) -> Claim | None:
    """Take a queued run that is due (audited ``job.run``); None when it is not ours to run."""
    moment = now()
    token = secrets.token_hex(8)
    state = db.execute("SELECT state FROM job_runs WHERE id = ?", [run_id]).fetchone()
    if state is None or state[0] != "queued":
        return None  # a second message for a run already taken: no write lock needed
    with transaction(db):
        row = next(db.query("SELECT * FROM job_runs WHERE id = ?", [run_id]), None)
        if row is None or row["state"] != "queued":
            return None
        if row["not_before"] and row["not_before"] > iso(moment):
            return None  # a retry waiting for its backoff: the scheduled message will come
        stamp = iso(moment)
        db.execute("""UPDATE job_runs SET state = 'running', attempts = attempts + 1,
                          claim = ?, worker = ?, heartbeat_at = ?, started_at = ?,
                          not_before = NULL, cancel_requested = 0
                      WHERE id = ?""", [token, worker, stamp, stamp, run_id])
        audit.record(db, starter(db, row), "job.run", ENTITY, run_id, {"state": "queued"},
                     {"state": "running", "attempt": row["attempts"] + 1, "worker": worker})
    return Claim(run_id, token, row["attempts"] + 1, worker)


def report_progress(db: Database, owned: Claim, done: int, total: int,
                    message: MessageLike | None) -> bool:
    """Store progress and a heartbeat; returns whether a cancel was asked.

    Raises :class:`Superseded` when the run is no longer this execution's.
    """
    with transaction(db):
        changed = db.execute(
            """UPDATE job_runs SET progress_done = ?, progress_total = ?,
                   progress_message = coalesce(?, progress_message), heartbeat_at = ?
               WHERE id = ? AND claim = ? AND state = 'running'""",
            [done, total, dumps(message), audit.now_iso(), owned.run_id, owned.token]).rowcount
        if not changed:
            raise Superseded(owned.run_id)
        return bool(db.execute("SELECT cancel_requested FROM job_runs WHERE id = ?",
                               [owned.run_id]).fetchone()[0])


def cancel_asked(db: Database, owned: Claim) -> bool:
    """Whether a cancel was asked for an owned run (raises :class:`Superseded` if not ours)."""
    row = db.execute("SELECT cancel_requested FROM job_runs WHERE id = ? AND claim = ? "
                     "AND state = 'running'", [owned.run_id, owned.token]).fetchone()
    if row is None:
        raise Superseded(owned.run_id)
    return bool(row[0])


def _conclude(db: Database, owned: Claim, state: str, action: str, *,
              result: Any = None, error: MessageLike | None = None,
              extra: Mapping[str, Any] | None = None) -> bool:
    """Move an owned running run to a final state with its audit event; False if not ours."""
    with transaction(db):
        row = next(db.query("SELECT * FROM job_runs WHERE id = ? AND claim = ? AND "
                            "state = 'running'", [owned.run_id, owned.token]), None)
        if row is None:
            return False
        change: dict[str, Any] = {"state": state, "claim": None, "finished_at": audit.now_iso(),
                                  "error": dumps(error)}
        if result is not None:
            change["result"] = encode_json(result)
        if state == "done":
            change["progress_done"] = max(row["progress_done"], row["progress_total"])
        db.table("job_runs").update(owned.run_id, change)
        after = {"state": state, "attempt": owned.attempt, "worker": owned.worker,
                 **({"result": decode_json(change["result"])} if "result" in change else {}),
                 **({"error": error} if error is not None else {}),
                 **dict(extra or {})}
        audit.record(db, starter(db, row), action, ENTITY, owned.run_id,
                     {"state": "running"}, _encode(after))
    return True


def finish(db: Database, owned: Claim, result: Mapping[str, Any] | None) -> bool:
    """The run's work is done: store the result (audited ``job.done``)."""
    return _conclude(db, owned, "done", "job.done", result=dict(result or {}))


def fail(db: Database, owned: Claim, error: MessageLike) -> bool:
    """The run failed for good (audited ``job.failed``)."""
    return _conclude(db, owned, "failed", "job.failed", error=error)


def cancelled(db: Database, owned: Claim, result: Mapping[str, Any] | None = None) -> bool:
    """The run stopped because a cancel was asked (audited ``job.cancelled``)."""
    return _conclude(db, owned, "cancelled", "job.cancelled", result=result,
                     error=msg("Cancelled."))


def retry_later(db: Database, owned: Claim, error: MessageLike, max_attempts: int,
                base_delay: float) -> float | None:
    """After a transient error: queue the run again after a backoff, or fail it at the limit.

    Returns the delay in seconds when the run was queued again (audited
    ``job.retry``), None when it failed for good (audited ``job.failed``).
    """
    if owned.attempt >= max_attempts:
        fail(db, owned, msg("%(error)s (gave up after %(n)s attempts)", error=error,
                            n=owned.attempt))
        return None
    delay = base_delay * (2.0 ** (owned.attempt - 1))
    with transaction(db):
        row = next(db.query("SELECT * FROM job_runs WHERE id = ? AND claim = ? AND "
                            "state = 'running'", [owned.run_id, owned.token]), None)
        if row is None:
            return None
        db.table("job_runs").update(owned.run_id, {
            "state": "queued", "claim": None, "error": dumps(error),
            "not_before": iso(now() + timedelta(seconds=delay))})
        audit.record(db, starter(db, row), "job.retry", ENTITY, owned.run_id,
                     {"state": "running"}, _encode({"state": "queued", "automatic": True,
                                                    "delay_seconds": delay, "error": error,
                                                    "attempt": owned.attempt}))
    return delay


# --- people's actions ----------------------------------------------------------------------------

def _run_to_manage(db: Database, actor: auth.User, run_id: int) -> JobRun:
    """The run, if ``actor`` may act on it: not found for whom may not see it."""
    run = get_run(db, run_id)
    if not may_see(actor, run):
        raise NotFound(msg("No such job."))
    if not may_manage(actor, run):
        auth.require(actor, "jobs.manage")
    return run


def request_cancel(db: Database, actor: auth.User, run_id: int) -> JobRun:
    """Cancel a run: a queued one at once, a running one at its next progress report."""
    with transaction(db):
        run = _run_to_manage(db, actor, run_id)
        if run["state"] not in ACTIVE:
            raise ValidationError.single(msg("Only a queued or running job can be cancelled; "
                                             "this one is %(state)s.", state=_state(run)))
        if run["state"] == "queued":
            db.table("job_runs").update(run_id, {"state": "cancelled",
                                                 "finished_at": audit.now_iso(),
                                                 "error": dumps(msg("Cancelled."))})
        else:
            db.table("job_runs").update(run_id, {"cancel_requested": 1})
        audit.record(db, actor, "job.cancel", ENTITY, run_id, {"state": run["state"]},
                     {"state": "cancelled" if run["state"] == "queued" else "running",
                      "cancel_requested": True, "by": actor.username})
    return get_run(db, run_id)


def retry(db: Database, actor: auth.User, run_id: int) -> JobRun:
    """Queue a failed, cancelled or interrupted run again, with a fresh attempt budget."""
    with transaction(db):
        run = _run_to_manage(db, actor, run_id)
        if run["state"] not in RETRYABLE:
            raise ValidationError.single(msg("Only a failed, cancelled or interrupted job can "
                                             "be retried; this one is %(state)s.",
                                             state=_state(run)))
        db.table("job_runs").update(run_id, {
            "state": "queued", "attempts": 0, "cancel_requested": 0, "error": None,
            "finished_at": None, "not_before": None, "claim": None, "progress_done": 0})
        audit.record(db, actor, "job.retry", ENTITY, run_id, {"state": run["state"]},
                     {"state": "queued", "automatic": False, "by": actor.username})
    return get_run(db, run_id)


def _state(run: Mapping[str, Any]) -> Message | str:
    from workbench.vocabulary import JOB_STATES

    return JOB_STATES.label(run["state"])


def cancel_unfinished(db: Database, owned: Claim, actor: auth.User) -> bool:
    """A foreground run stopped by its user (Ctrl+C): cancelled, with who stopped it."""
    with transaction(db):
        row = next(db.query("SELECT * FROM job_runs WHERE id = ? AND claim = ? AND "
                            "state = 'running'", [owned.run_id, owned.token]), None)
        if row is None:
            return False
        db.table("job_runs").update(owned.run_id, {"state": "cancelled", "claim": None,
                                             "finished_at": audit.now_iso(),
                                             "error": dumps(msg("Cancelled."))})
        audit.record(db, actor, "job.cancel", ENTITY, owned.run_id, {"state": "running"},
                     {"state": "cancelled", "by": actor.username, "interrupted_by_user": True})
    return True
