"""Actions on many translation units at once, each unit through the one-unit action.

Translators tick units in the queue and **send them to review** or **accept
machine drafts** as their translations; reviewers tick units and **approve**
them, after a **preview** that lists exactly what will be approved and what is
skipped, and why. Every unit goes through the same function as on its own page
(:mod:`workbench.review.workflow`), so the four-eyes rule, versions and audit
events are the same; each unit is its own savepoint, so one refusal does not
undo the others.

A unit is skipped from bulk approval while a question to a county is open on
it, or while QA reports an error or a warning that no reviewer dismissed (the
reviewer opens the unit and decides there). Sign units and document segments
are never approved in one list: the preview takes the queue's kind.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from workbench import auth
from workbench.db import transaction
from workbench.errors import WorkbenchError
from workbench.messages import Message, MessageLike, msg, nmsg
from workbench.review import workflow
from workbench.review.qa import blocking, current_findings, open_errors, store_findings

MAX_ITEMS = 500  # units one bulk action may take (a queue page holds at most 200)


@dataclass
class BulkResult:
    """What a bulk action did: the unit ids done, and those refused with the reason."""

    done: list[int] = field(default_factory=list)
    # (unit id, why): the reason is a message, rendered in the reader's language.
    refused: list[tuple[int, MessageLike]] = field(default_factory=list)

    @property
    def approved(self) -> list[int]:
        """The units approved (for a bulk approval: :attr:`done`)."""
        return self.done


@dataclass
class PlannedUnit:
    """A ticked unit as the preview shows it: the unit now, and why it is skipped (or None)."""

    unit: dict[str, Any]
    skipped: Message | None = None


@dataclass
class ApprovalPlan:
    """What a bulk approval would do: the units it approves and those it skips."""

    ready: list[PlannedUnit] = field(default_factory=list)
    skipped: list[PlannedUnit] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)  # ids that no longer exist


def _items(items: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    unique = list(dict.fromkeys(items))
    return unique[:MAX_ITEMS]


def approval_blocker(db: Database, actor: auth.User, unit: Mapping[str, Any], version: int,
                     settings: Mapping[str, Any] | None = None,
                     kind: str | None = None) -> Message | None:
    """Why bulk approval skips this unit (None when it may be approved as ticked).

    Checked in this order: another kind than the list's, changed since it was
    ticked, QA findings not dismissed, a question to a county still open, not in
    review, written by the reviewer (four-eyes).
    """
    if kind and unit["kind"] != kind:
        return msg("Sign texts and document segments are approved in separate lists.")
    if unit["version"] != version:
        return msg("It changed after you ticked it (version %(then)s, now %(now)s): open it "
                   "and check the new wording.", then=version, now=unit["version"])
    problems = blocking(current_findings(db, unit))
    if problems:
        return nmsg("QA is not clean (%(n)s finding): %(first)s",
                    "QA is not clean (%(n)s findings): %(first)s",
                    len(problems), first=problems[0]["message"])
    if unit.get("needs_clarification"):
        return msg("A question to the county is still open.")
    if unit["state"] != "in_review":
        return msg("Only wording in review can be approved.")
    if "approve" not in workflow.allowed_actions(actor, unit, settings, db=db):
        return msg("You wrote this wording. Under the four-eyes rule another reviewer "
                   "must approve it.")
    return None


def plan_approval(db: Database, actor: auth.User, items: Iterable[tuple[int, int]],
                  settings: Mapping[str, Any] | None = None,
                  kind: str | None = None) -> ApprovalPlan:
    """The preview of a bulk approval: exactly what :func:`approve` would approve and skip.

    Read-only except for QA results computed on the way (bookkeeping).
    """
    auth.require(actor, "review.approve")
    plan = ApprovalPlan()
    for unit_id, version in _items(items):
        unit = next(db.query("SELECT * FROM translation_units WHERE id = ?", [unit_id]), None)
        if unit is None:
            plan.missing.append(unit_id)
            continue
        reason = approval_blocker(db, actor, unit, version, settings, kind)
        (plan.skipped if reason else plan.ready).append(PlannedUnit(unit, reason))
    return plan


def approve(db: Database, actor: auth.User, items: Iterable[tuple[int, int]],
            settings: Mapping[str, Any] | None = None, kind: str | None = None) -> BulkResult:
    """Approve each (unit id, version) that :func:`approval_blocker` lets through.

    The checks run again, inside each unit's savepoint, so what the preview
    showed cannot have changed underneath: a unit edited since is refused.
    """
    auth.require(actor, "review.approve")
    def approve_one(unit_id: int, version: int) -> None:
        unit = workflow.get_unit(db, unit_id)
        store_findings(db, unit)  # QA of the wording as it is now
        reason = approval_blocker(db, actor, unit, version, settings, kind)
        if reason is not None:
            raise WorkbenchError(reason)
        workflow.approve(db, actor, unit_id, version, settings=settings)

    return _each_unit(db, items, approve_one)


def submit(db: Database, actor: auth.User, items: Iterable[tuple[int, int]],
           settings: Mapping[str, Any] | None = None, *,
           qa_confirmed: bool = False) -> BulkResult:
    """Send ticked units to review: translated wording as it is, a machine draft adopted as
    the translator's own first (four-eyes: its author is now the translator).

    Units with QA errors are refused with the first error unless ``qa_confirmed``;
    a translator opens them to fix or confirm.
    """
    auth.require(actor, "review.translate")
    return _each_unit(db, items, lambda unit_id, version: _submit_one(
        db, actor, unit_id, version, settings, qa_confirmed))


def _submit_one(db: Database, actor: auth.User, unit_id: int, version: int,
                settings: Mapping[str, Any] | None, qa_confirmed: bool) -> None:
    unit = workflow.get_unit(db, unit_id)
    if unit["state"] not in ("translated", "machine_draft"):
        raise WorkbenchError(msg("Only translated wording and machine drafts can be sent "
                                 "to review from the list."))
    errors = [] if qa_confirmed else open_errors(db, unit)
    if errors:
        raise WorkbenchError(nmsg("QA finds %(n)s error: %(first)s",
                                  "QA finds %(n)s errors: %(first)s",
                                  len(errors), first=errors[0].message))
    if unit["state"] == "machine_draft":
        workflow.save_and_submit(db, actor, unit_id, unit["target_text"] or "", version,
                                 settings)
    else:
        workflow.submit(db, actor, unit_id, version, settings)


def accept_drafts(db: Database, actor: auth.User, items: Iterable[tuple[int, int]],
                  settings: Mapping[str, Any] | None = None) -> BulkResult:
    """Accept ticked machine drafts as the translator's translations (state *translated*).

    Authorship follows the text: whoever adopts a machine draft as it is becomes
    its author, so under four-eyes they cannot also approve it.
    """
    auth.require(actor, "review.translate")
    def accept_one(unit_id: int, version: int) -> None:
        unit = workflow.get_unit(db, unit_id)
        if unit["state"] != "machine_draft":
            raise WorkbenchError(msg("Only machine drafts can be accepted."))
        workflow.save_translation(db, actor, unit_id, unit["target_text"] or "", version,
                                  settings)

    return _each_unit(db, items, accept_one)


def _each_unit(db: Database, items: Iterable[tuple[int, int]],
               action: Callable[[int, int], None]) -> BulkResult:
    """Apply ``action`` to each (unit id, version), each in its own savepoint inside one
    transaction: a refused unit (a WorkbenchError) is listed with its reason and leaves
    nothing half done, the others go through."""
    result = BulkResult()
    with transaction(db):
        for unit_id, version in _items(items):
            try:
                with transaction(db):
                    action(unit_id, version)
            except WorkbenchError as error:
                result.refused.append((unit_id, error.message))
            else:
                result.done.append(unit_id)
    return result
