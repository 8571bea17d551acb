"""Changes to the glossary proposed by translators and decided by reviewers.

A translator (permission ``glossary.propose``) submits the concept as they think
it should be; a reviewer or staff member (``glossary.edit``) accepts it — which
saves the concept exactly as proposed — or rejects it with a reason. Nobody
decides on their own proposal. Every step is audited (entity type
``glossary_proposal``; an accepted change is also a ``concept`` event).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.errors import Conflict, NotFound, PermissionDenied, ValidationError
from workbench.glossary.model import (
    ConceptRecord, TermRecord, change_summary, concept_row, display_order, load_all_concepts,
)
from workbench.glossary.store import save_concept, validate_record
from workbench.messages import msg
from workbench.vocabulary import PROPOSAL_STATUSES

ENTITY = "glossary_proposal"


@dataclass
class Proposal:
    """A proposal with its proposed concept and, for a change, the concept as it is now."""

    id: int
    kind: str
    concept_id: str | None
    proposed: ConceptRecord
    current: ConceptRecord | None
    comment: str
    status: str
    proposed_by: int | None
    proposed_by_name: str
    proposed_at: str
    decided_by_name: str | None
    decided_at: str | None
    decision_comment: str
    base_updated_at: str | None

    @property
    def changes(self) -> list[dict[str, Any]]:
        """What accepting it would change (see :func:`model.change_summary`)."""
        return change_summary(self.current.as_dict() if self.current else None,
                              self.proposed.as_dict())

    @property
    def is_open(self) -> bool:
        """Whether a reviewer can still accept or reject it."""
        return self.status == "open"


def _record_from_dict(data: dict[str, Any]) -> ConceptRecord:
    return ConceptRecord(
        id=data.get("id"), domain=data.get("domain") or "", function=data.get("function"),
        source=data.get("source") or "common usage", verified=bool(data.get("verified")),
        notes=data.get("notes") or "",
        terms=display_order(TermRecord(t["lang"], t["text"], t["status"], t.get("pos"))
                            for t in data.get("terms", [])))


def _from_row(db: Database, row: dict[str, Any],
              current: dict[str, ConceptRecord] | None = None) -> Proposal:
    if current is None:
        current = load_all_concepts(db, [row["concept_id"]]) if row["concept_id"] else {}
    return Proposal(
        id=row["id"], kind=row["kind"], concept_id=row["concept_id"],
        proposed=_record_from_dict(json.loads(row["payload_json"])),
        current=current.get(row["concept_id"]) if row["concept_id"] else None,
        comment=row["comment"], status=row["status"], proposed_by=row["proposed_by"],
        proposed_by_name=row["proposed_by_name"], proposed_at=row["proposed_at"],
        decided_by_name=row["decided_by_name"], decided_at=row["decided_at"],
        decision_comment=row["decision_comment"], base_updated_at=row["base_updated_at"])


def propose(db: Database, actor: auth.User, record: ConceptRecord, comment: str = "") -> int:
    """Submit a new concept (``record.id`` None) or a change to an existing one; returns its id."""
    auth.require(actor, "glossary.propose")
    problems = validate_record(record)
    if problems:
        raise ValidationError(list(problems),
                              summary=msg("The proposal has problems; nothing was sent."))
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError.single(msg("The comment is longer than 2,000 characters."),
                                     column="comment")
    with transaction(db):
        base = None
        if record.id:
            current = load_all_concepts(db, [record.id]).get(record.id)
            if current is None:
                raise NotFound(msg("No such concept in the glossary."))
            if current.as_dict() == record.as_dict():
                raise ValidationError.single(msg("The proposal changes nothing."))
            base = concept_row(db, record.id)["updated_at"]
        row = {
            "concept_id": record.id, "kind": "update" if record.id else "create",
            "payload_json": json.dumps(record.as_dict(), ensure_ascii=False),
            "base_updated_at": base, "comment": comment, "status": "open",
            "proposed_by": actor.id, "proposed_by_name": actor.username,
            "proposed_at": audit.now_iso(), "decision_comment": "",
        }
        # A one-row insert into a table keyed by ``id`` reports that id.
        proposal_id = cast(int, db.table("glossary_proposals").insert(row).last_pk)
        audit.record(db, actor, "proposal.create", ENTITY, proposal_id, None,
                     dict(row, id=proposal_id, payload=record.as_dict()))
    return proposal_id


def get_proposal(db: Database, proposal_id: int) -> Proposal:
    """One proposal; NotFound if there is none."""
    row = next(db.query("SELECT * FROM glossary_proposals WHERE id = ?", [proposal_id]), None)
    if row is None:
        raise NotFound(msg("No such proposal."))
    return _from_row(db, row)


def list_proposals(db: Database, *, status: str | None = "open", concept_id: str | None = None,
                   proposed_by: int | None = None, limit: int = 100) -> list[Proposal]:
    """Proposals, newest first, filtered by status, concept and proposer."""
    where, params = [], []
    for column, value in (("status", status), ("concept_id", concept_id),
                          ("proposed_by", proposed_by)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    rows = list(db.query(f"SELECT * FROM glossary_proposals {clause} "
                         f"ORDER BY id DESC LIMIT ?", params + [limit]))
    current = load_all_concepts(db, {r["concept_id"] for r in rows if r["concept_id"]})
    return [_from_row(db, row, current) for row in rows]


def count_open(db: Database) -> int:
    """How many proposals wait for a decision (home page)."""
    count: int = db.execute("SELECT count(*) FROM glossary_proposals WHERE status = 'open'"
                            ).fetchone()[0]
    return count


def _decide(db: Database, actor: auth.User, proposal_id: int, status: str,
            comment: str) -> Proposal:
    with transaction(db):
        before = next(db.query("SELECT * FROM glossary_proposals WHERE id = ?", [proposal_id]),
                      None)
        if before is None:
            raise NotFound(msg("No such proposal."))
        if before["status"] != "open":
            raise Conflict(msg("This proposal is already %(status)s.",
                               status=PROPOSAL_STATUSES.label(before["status"])))
        if status != "withdrawn" and before["proposed_by"] is not None \
                and before["proposed_by"] == actor.id:
            raise PermissionDenied(msg("You cannot decide on your own proposal; "
                                       "another reviewer must."))
        after = dict(before, status=status, decided_by=actor.id, decided_by_name=actor.username,
                     decided_at=audit.now_iso(), decision_comment=(comment or "").strip())
        if status == "accepted":
            proposed = _record_from_dict(json.loads(before["payload_json"]))
            if before["kind"] == "update":
                if before["concept_id"] is None:
                    raise Conflict(msg("The concept of this proposal was deleted; reject it."))
                row = next(db.query("SELECT updated_at FROM glossary_concepts WHERE id = ?",
                                    [before["concept_id"]]), None)
                if row is None:
                    raise Conflict(msg("The concept of this proposal was deleted; reject it."))
                proposed.id = before["concept_id"]
                concept_id = save_concept(db, actor, proposed,
                                          expected_updated_at=before["base_updated_at"],
                                          action=f"proposal:{proposal_id}")
            else:
                proposed.id = None
                concept_id = save_concept(db, actor, proposed, action=f"proposal:{proposal_id}")
                after["concept_id"] = concept_id
        db.table("glossary_proposals").update(proposal_id, {
            k: after[k] for k in ("status", "decided_by", "decided_by_name", "decided_at",
                                  "decision_comment", "concept_id")})
        audit.record(db, actor, _ACTIONS[status], ENTITY, proposal_id,
                     {"status": before["status"]},
                     {k: after[k] for k in ("status", "decided_by_name", "decision_comment",
                                            "concept_id")})
    return get_proposal(db, proposal_id)


_ACTIONS = {"accepted": "proposal.accept", "rejected": "proposal.reject",
            "withdrawn": "proposal.withdraw"}


def accept(db: Database, actor: auth.User, proposal_id: int, comment: str = "") -> Proposal:
    """Save the proposed concept as proposed and close the proposal (reviewers, staff).

    Conflict when the concept changed after the proposal was made: the reviewer
    looks at the current version and rejects or re-proposes, so that no one's
    change is silently overwritten.
    """
    auth.require(actor, "glossary.edit")
    return _decide(db, actor, proposal_id, "accepted", comment)


def reject(db: Database, actor: auth.User, proposal_id: int, comment: str = "") -> Proposal:
    """Close the proposal without changing the glossary; the comment says why."""
    auth.require(actor, "glossary.edit")
    if not (comment or "").strip():
        raise ValidationError.single(msg("Say why the proposal is rejected."), column="comment")
    return _decide(db, actor, proposal_id, "rejected", comment)


def withdraw(db: Database, actor: auth.User, proposal_id: int) -> Proposal:
    """The proposer takes back an open proposal."""
    proposal = get_proposal(db, proposal_id)
    if proposal.proposed_by != actor.id:
        raise PermissionDenied(msg("Only the proposer can withdraw a proposal."))
    return _decide(db, actor, proposal_id, "withdrawn", "")
