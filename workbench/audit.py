"""Append-only audit history, chained by hash.

Every change to a record calls :func:`record` inside the same transaction as
the change. Each event's hash covers its own content and the previous event's
hash, so editing or deleting any event breaks the chain from that point on,
and :func:`verify` names the first event where it breaks.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from workbench.db import equal_conditions
from workbench.messages import Message, msg, nmsg

if TYPE_CHECKING:  # the user type only: auth imports this module
    from workbench.auth import User

GENESIS_HASH = "0" * 64


def now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds (sortable text)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _canonical(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str,
                      separators=(",", ":"))


def _event_hash(prev_hash: str, event: dict[str, Any]) -> str:
    payload = json.dumps(
        [prev_hash, event["id"], event["ts"], event["actor_id"], event["actor_name"],
         event["action"], event["entity_type"], event["entity_id"],
         event["before_json"], event["after_json"]],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(db: Database, actor: User | None, action: str, entity_type: str,
           entity_id: Any, before: Any = None, after: Any = None) -> int:
    """Append one audit event and return its id.

    Must run inside the caller's write transaction (``workbench.db.transaction``)
    so the event commits or rolls back with the change it describes. ``actor``
    is a user object with ``id`` and ``username`` (``id`` None for the system).
    """
    if not db.conn.in_transaction:
        raise RuntimeError("audit.record() must run inside the change's transaction")
    last = db.execute("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
    prev_hash = last[1] if last else GENESIS_HASH
    event_id: int = (last[0] + 1) if last else 1
    event: dict[str, Any] = {
        "id": event_id,
        "ts": now_iso(),
        "actor_id": getattr(actor, "id", None),
        "actor_name": getattr(actor, "username", None) or "system",
        "action": action,
        "entity_type": entity_type,
        "entity_id": None if entity_id is None else str(entity_id),
        "before_json": _canonical(before),
        "after_json": _canonical(after),
    }
    event["prev_hash"] = prev_hash
    event["hash"] = _event_hash(prev_hash, event)
    db.table("audit_events").insert(event)
    return event_id


@dataclass
class VerifyResult:
    """Outcome of :func:`verify`: ``ok``, how many events, and the first bad one."""

    ok: bool
    checked: int
    bad_event_id: int | None = None
    reason: Message | None = None

    def message(self) -> Message:
        """The outcome for people (``workbench audit verify``)."""
        if self.ok:
            return nmsg("OK: %(n)s audit event, chain intact",
                        "OK: %(n)s audit events, chain intact", self.checked)
        return msg("BROKEN at event %(id)s: %(reason)s", id=self.bad_event_id,
                   reason=self.reason or "")

    def __str__(self) -> str:
        return self.message().render()


def verify(db: Database) -> VerifyResult:
    """Walk the whole chain and report the first event that was edited, inserted or removed."""
    prev_hash = GENESIS_HASH
    expected_id = 1
    checked = 0
    for row in db.query("SELECT * FROM audit_events ORDER BY id"):
        if row["id"] != expected_id:
            return VerifyResult(False, checked, expected_id,
                                msg("event %(id)s is missing (next is %(next)s)",
                                    id=expected_id, next=row["id"]))
        if row["prev_hash"] != prev_hash:
            return VerifyResult(False, checked, row["id"],
                                msg("its link to the previous event does not match "
                                    "(an earlier event was removed or replaced)"))
        if _event_hash(prev_hash, row) != row["hash"]:
            return VerifyResult(False, checked, row["id"],
                                msg("its content does not match its hash (the event was "
                                    "edited)"))
        prev_hash = row["hash"]
        expected_id += 1
        checked += 1
    return VerifyResult(True, checked)


def history(db: Database, entity_type: str, entity_id: Any) -> list[dict[str, Any]]:
    """Every event about one record, oldest first, with before/after decoded."""
    rows = db.query(
        "SELECT * FROM audit_events WHERE entity_type = ? AND entity_id = ? ORDER BY id",
        [entity_type, str(entity_id)],
    )
    return [_decoded(r) for r in rows]


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["before"] = json.loads(row["before_json"]) if row["before_json"] else None
    row["after"] = json.loads(row["after_json"]) if row["after_json"] else None
    return row


def search(db: Database, *, entity_type: str | None = None, entity_id: str | None = None,
           actor: str | None = None, action: str | None = None,
           since: str | None = None, until: str | None = None,
           limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Filter the audit log, newest first; returns (page of events, total count)."""
    where, params = equal_conditions([("entity_type", entity_type), ("entity_id", entity_id),
                                      ("actor_name", actor), ("action", action)])
    if since:
        where.append("ts >= ?")
        params.append(since)
    if until:
        where.append("ts < ?")
        params.append(until)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    total = db.execute(f"SELECT count(*) FROM audit_events {clause}", params).fetchone()[0]
    rows = db.query(f"SELECT * FROM audit_events {clause} ORDER BY id DESC LIMIT ? OFFSET ?",
                    params + [limit, offset])
    return [_decoded(r) for r in rows], total


def facets(db: Database) -> dict[str, list[str]]:
    """Distinct entity types and actions, for filter menus."""
    return {
        "entity_types": [r[0] for r in db.execute(
            "SELECT DISTINCT entity_type FROM audit_events ORDER BY 1")],
        "actions": [r[0] for r in db.execute(
            "SELECT DISTINCT action FROM audit_events ORDER BY 1")],
    }
