"""The review workflow: one function per action on a translation unit.

A translation unit (one Chinese text in one target language, shared by every
sign that carries it) moves through the states in :data:`TRANSITIONS`::

    new / machine_draft ──save──▶ translated ──submit──▶ in_review ──approve──▶ approved
                                      ▲                      │
                                      └──save── rejected ◀───┘ reject (with a reason)

Approved wording can only be changed by a reviewer, and the change sends it
back to ``in_review``. Every action:

* checks the actor's role (``auth.require``) against the transition table;
* checks the version the actor loaded (optimistic locking): saving over a newer
  version raises :class:`~workbench.errors.Conflict` carrying both texts, it
  never overwrites silently;
* runs in one transaction with its audit event, writes a ``unit_versions`` row
  (the history) and refreshes the status of every sign that shares the unit.

The four-eyes rule (setting ``FOUR_EYES``, on by default): authorship follows
the text — a save that does not change a person's wording changes no author
(whoever adopts a machine draft unchanged becomes its author) — and a
reviewer may not approve wording whose current text they wrote at any point of
this review cycle (since the unit was last approved, or created). Re-saving a
reviewer's wording unchanged therefore does not let that reviewer approve it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.errors import (
    Conflict, NotFound, PermissionDenied, Problem, ValidationError,
)
from workbench.messages import dumps, msg, nmsg

STATES: tuple[str, ...] = ("new", "machine_draft", "translated", "in_review", "approved",
                           "rejected")
MAX_TEXT_LENGTH = 2000  # a sign's wording
MAX_SEGMENT_LENGTH = 20000  # a document segment's
ENTITY = "translation_unit"

# (action, state before) → (state after, permission needed). The one place the
# workflow's rules are written; anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("save", "new"): ("translated", "review.translate"),
    ("save", "machine_draft"): ("translated", "review.translate"),
    ("save", "translated"): ("translated", "review.translate"),
    ("save", "rejected"): ("translated", "review.translate"),
    # Fixing wording that is waiting for review keeps it in review, with the
    # editor as its new author (so they cannot approve their own fix).
    ("save", "in_review"): ("in_review", "review.translate"),
    # Approved wording: only a reviewer may change it, and it goes back to review.
    ("save", "approved"): ("in_review", "review.approve"),
    ("submit", "translated"): ("in_review", "review.translate"),
    ("approve", "in_review"): ("approved", "review.approve"),
    ("reject", "in_review"): ("rejected", "review.approve"),
    # A revert is a new wording chosen by a reviewer: it goes through review again.
    ("revert", "machine_draft"): ("in_review", "review.approve"),
    ("revert", "translated"): ("in_review", "review.approve"),
    ("revert", "in_review"): ("in_review", "review.approve"),
    ("revert", "approved"): ("in_review", "review.approve"),
    ("revert", "rejected"): ("in_review", "review.approve"),
}

# Why an action is refused in a state the table does not list it for.
REFUSALS = {
    "save": msg("This translation cannot be edited in its current state."),
    "submit": msg("Only translated wording can be sent to review: save it first."),
    "approve": msg("Only wording in review can be approved."),
    "reject": msg("Only wording in review can be rejected."),
    "revert": msg("This translation cannot be reverted in its current state."),
}

# What the audit log and the conflict view show of a unit.
PUBLIC_FIELDS = ("id", "state", "target_text", "version", "author_name", "updated_by",
                 "updated_at", "approved_by", "approved_at", "rejection_reason")


def allowed_actions(user: auth.User | None, unit: Mapping[str, Any],
                    settings: Mapping[str, Any] | None = None, *,
                    db: Database | None = None) -> set[str]:
    """The actions ``user`` may take on ``unit`` now (for showing only the buttons that work).

    With ``db`` the four-eyes rule also looks at the unit's history (who wrote
    the current text earlier in this review cycle); without it, only at the
    current author.
    """
    actions = {action for (action, state), (_after, permission) in TRANSITIONS.items()
               if state == unit["state"] and auth.can(user, permission)}
    if "approve" in actions and _four_eyes_blocks(user, unit, settings, db):
        actions.discard("approve")
    return actions


def _four_eyes(settings: Mapping[str, Any] | None) -> bool:
    return bool((settings or {}).get("FOUR_EYES", True))


def review_cycle_start(db: Database, unit_id: int) -> int:
    """The version at which the unit was last approved (0 when never): the cycle began after it."""
    row = db.execute("SELECT max(version) FROM unit_versions WHERE unit_id = ? "
                     "AND action = 'approve'", [unit_id]).fetchone()
    return row[0] or 0


def wrote_current_text(db: Database | None, user_id: int, unit: Mapping[str, Any]) -> bool:
    """Whether ``user_id`` authored the unit's current text at any point of this review cycle."""
    if unit.get("author_id") == user_id:
        return True
    if db is None or not unit.get("target_text"):
        return False
    return db.execute(
        """SELECT 1 FROM unit_versions WHERE unit_id = ? AND version > ? AND author_id = ?
           AND target_text = ? LIMIT 1""",
        [unit["id"], review_cycle_start(db, unit["id"]), user_id,
         unit["target_text"]]).fetchone() is not None


def _four_eyes_blocks(user: auth.User | None, unit: Mapping[str, Any],
                      settings: Mapping[str, Any] | None, db: Database | None = None) -> bool:
    return (_four_eyes(settings) and user is not None and user.id is not None
            and wrote_current_text(db, user.id, unit))


def get_unit(db: Database, unit_id: int) -> dict[str, Any]:
    """One translation unit by id; NotFound when there is none."""
    row = next(db.query("SELECT * FROM translation_units WHERE id = ?", [unit_id]), None)
    if row is None:
        raise NotFound(msg("No such translation unit."))
    return row


def public(unit: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a unit that the audit log and the conflict view show."""
    return {key: unit.get(key) for key in PUBLIC_FIELDS}


def _transition(user: auth.User, action: str, unit: Mapping[str, Any]) -> str:
    """The state after ``action``; raises when the state or the role does not allow it."""
    rule = TRANSITIONS.get((action, unit["state"]))
    if rule is None:
        raise ValidationError.single(REFUSALS.get(action,
                                                  msg("This action is not possible now.")),
                                     column="state", value=unit["state"])
    after, permission = rule
    if not auth.can(user, permission):
        if action == "save" and unit["state"] == "approved":
            raise PermissionDenied(msg("Approved wording can only be changed by a reviewer."))
        raise PermissionDenied(msg("Your role does not allow this action."))
    return after


def _check_version(unit: Mapping[str, Any], expected_version: int | None,
                   attempted: dict[str, Any]) -> None:
    """Refuse to act on a unit that changed since the actor loaded it."""
    if expected_version is None:
        raise Conflict(msg("The request did not say which version of the translation you saw. "
                           "Reload it, then try again."), current=public(unit), attempted=attempted)
    if int(expected_version) != unit["version"]:
        raise Conflict(
            msg("Someone changed this translation after you opened it (you had version "
                "%(expected_version)s, it is now version %(version)s). Compare both texts, "
                "then save again.", expected_version=expected_version, version=unit['version']),
            current=public(unit), attempted=attempted)


def _clean_text(text: str | None, kind: str = "sign") -> str:
    if kind == "sign":
        # A sign's wording is one line: collapse whitespace a browser or a
        # copy-paste may bring (full-width spaces included).
        cleaned = " ".join((text or "").replace("\u3000", " ").split())
        limit = MAX_TEXT_LENGTH
    else:
        # A document segment keeps its inner spacing (tags, line breaks).
        cleaned = (text or "").strip()
        limit = MAX_SEGMENT_LENGTH
    if not cleaned:
        raise ValidationError.single(msg("The translation is empty."), column="text")
    if len(cleaned) > limit:
        raise ValidationError.single(
            msg("The translation is longer than %(limit)s characters.", limit=limit), column="text")
    return cleaned


def _ensure_base_version(db: Database, unit: Mapping[str, Any]) -> None:
    """Make sure the history has a row for the unit's current version.

    Units are created (and machine-drafted) by the inventory; the first time the
    workflow touches one, the version it finds is written down so that the
    history always starts from what the translator saw.
    """
    exists = db.execute("SELECT 1 FROM unit_versions WHERE unit_id = ? AND version = ?",
                        [unit["id"], unit["version"]]).fetchone()
    if exists:
        return
    action = "draft" if unit["state"] == "machine_draft" else "create"
    db.table("unit_versions").insert({
        "unit_id": unit["id"], "version": unit["version"], "state": unit["state"],
        "target_text": unit["target_text"], "action": action, "actor_id": None,
        "actor_name": unit.get("updated_by") or (unit.get("draft_engine") or "system"),
        "author_id": unit.get("author_id"), "author_name": unit.get("author_name"),
        "engine": unit.get("draft_engine"), "reason": None,
        "ts": unit.get("updated_at") or unit.get("created_at") or audit.now_iso(),
    })


def _apply(db: Database, actor: auth.User, unit: dict[str, Any], action: str,
           changes: dict[str, Any], *, reason: str | None = None,
           extra_audit: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write a new version of ``unit`` with ``changes``: history, audit, signs. In a transaction."""
    _ensure_base_version(db, unit)
    now = audit.now_iso()
    new_version = unit["version"] + 1
    values = dict(changes, version=new_version, updated_at=now, updated_by=actor.username)
    assignments = ", ".join(f"{column} = ?" for column in values)
    cursor = db.execute(
        f"UPDATE translation_units SET {assignments} WHERE id = ? AND version = ?",
        list(values.values()) + [unit["id"], unit["version"]])
    if cursor.rowcount != 1:
        # Another writer got in between our read and our write (cannot happen under
        # BEGIN IMMEDIATE, but the version guard must never rely on that alone).
        raise Conflict(msg("Someone changed this translation at the same moment. Reload it."),
                       current=public(get_unit(db, unit["id"])), attempted=changes)
    after = get_unit(db, unit["id"])
    db.table("unit_versions").insert({
        "unit_id": unit["id"], "version": new_version, "state": after["state"],
        "target_text": after["target_text"], "action": action, "actor_id": actor.id,
        "actor_name": actor.username, "author_id": after.get("author_id"),
        # A person's version was not written by the draft engine, which stays on the unit.
        "author_name": after.get("author_name"), "engine": None, "reason": reason, "ts": now,
    })
    audit.record(db, actor, f"unit.{action}", ENTITY, unit["id"], public(unit),
                 dict(public(after), **(extra_audit or {})))
    if after["state"] != unit["state"]:
        refresh_signs(db, actor, unit["id"])
    return after


def sign_ids_for_unit(db: Database, unit_id: int) -> list[int]:
    """The signs that carry this unit's text."""
    return [row[0] for row in db.execute(
        "SELECT sign_id FROM sign_units WHERE unit_id = ? ORDER BY sign_id", [unit_id])]


def refresh_signs(db: Database, actor: auth.User, unit_id: int) -> list[int]:
    """Let every sign sharing the unit follow its state (the inventory's rule); returns them."""
    from workbench.review import units as unit_store

    sign_ids = sign_ids_for_unit(db, unit_id)
    for sign_id in sign_ids:
        unit_store.refresh_sign_status(db, sign_id, actor=actor)
    return sign_ids


# --- QA (workbench.review.qa; kept importable from here) ------------------------------------

from workbench.review.qa import (  # noqa: E402  isort: skip
    blocking as blocking, check_pending as check_pending, current_findings as current_findings,
    open_errors as open_errors, run_qa as run_qa, store_findings as store_findings,
)


# --- actions -----------------------------------------------------------------------------------

class QaNotClean(ValidationError):
    """Sending wording to review stopped because QA finds errors in it.

    ``problems`` are the errors (their messages and suggested fixes); the
    translator fixes them, or confirms and sends the wording as it is
    (``qa_confirmed=True``): QA is a help, the reviewer decides.
    """


def _confirm_qa(db: Database, unit: Mapping[str, Any], text: str | None,
                qa_confirmed: bool) -> None:
    if qa_confirmed:
        return
    errors = open_errors(db, unit, text)
    if errors:
        raise QaNotClean([Problem(f.message, value=f.suggestion) for f in errors], summary=nmsg(
            "QA finds an error in this wording. Fix it, or confirm that you send the wording "
            "to review as it is.",
            "QA finds %(n)s errors in this wording. Fix them, or confirm that you send the "
            "wording to review as it is.", len(errors)))



def save_translation(db: Database, actor: auth.User, unit_id: int, text: str,
                     expected_version: int | None,
                     settings: Mapping[str, Any] | None = None, *,
                     note: str | None = None) -> dict[str, Any]:
    """Save a translator's or reviewer's wording; returns the unit as saved.

    From a machine draft, a new unit, a translated or rejected one the state
    becomes ``translated``; wording under review stays in review; approved
    wording (reviewers only) goes back to review. Authorship follows the text:
    the saver becomes the author when the wording changes, or when they adopt
    a machine draft as it is; saving a person's wording unchanged moves the
    state, never the author. ``note`` says why (kept in the history).
    """
    auth.require(actor, "review.translate")
    with transaction(db):
        unit = get_unit(db, unit_id)
        cleaned = _clean_text(text, unit["kind"])
        _check_version(unit, expected_version, {"target_text": cleaned,
                                                "version": expected_version})
        after_state = _transition(actor, "save", unit)
        changes: dict[str, Any] = {"state": after_state, "rejection_reason": None,
                                   "approved_by": None, "approved_at": None}
        changed = cleaned != unit["target_text"]
        # A machine's (or nobody's) text becomes the text of the person who
        # adopts it; a person's text stays theirs when it is saved unchanged.
        adopted = not changed and unit.get("author_id") is None
        if not changed and not adopted and unit["state"] == after_state:
            return unit  # nothing changes: no new version, no new author
        if changed or adopted:
            changes.update(target_text=cleaned, author_id=actor.id, author_name=actor.username)
        saved = _apply(db, actor, unit, "save", changes,
                       reason=" ".join((note or "").split())[:500] or None)
        store_findings(db, saved)
    return saved


def save_and_submit(db: Database, actor: auth.User, unit_id: int, text: str,
                    expected_version: int | None,
                    settings: Mapping[str, Any] | None = None, *,
                    note: str | None = None, qa_confirmed: bool = True) -> dict[str, Any]:
    """Save the wording and send it to review, both or neither (one transaction).

    With ``qa_confirmed=False`` wording with QA errors is neither saved nor sent:
    :class:`QaNotClean` lists the errors, and the translator fixes or confirms them.
    """
    auth.require(actor, "review.translate")
    with transaction(db):
        unit = get_unit(db, unit_id)
        _confirm_qa(db, unit, _clean_text(text, unit["kind"]), qa_confirmed)
        saved = save_translation(db, actor, unit_id, text, expected_version, settings,
                                 note=note)
        return submit(db, actor, unit_id, saved["version"], settings)


def submit(db: Database, actor: auth.User, unit_id: int, expected_version: int | None,
           settings: Mapping[str, Any] | None = None, *,
           qa_confirmed: bool = True) -> dict[str, Any]:
    """Send translated wording to review (see :func:`save_and_submit` for ``qa_confirmed``)."""
    auth.require(actor, "review.translate")
    with transaction(db):
        unit = get_unit(db, unit_id)
        _check_version(unit, expected_version, {"state": "in_review",
                                                "version": expected_version})
        after_state = _transition(actor, "submit", unit)
        _confirm_qa(db, unit, None, qa_confirmed)
        return _apply(db, actor, unit, "submit", {"state": after_state})


def approve(db: Database, actor: auth.User, unit_id: int, expected_version: int | None,
            add_to_glossary: bool = False,
            settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Approve wording under review: signs sharing it follow, the TM learns it.

    With ``add_to_glossary`` the pair is also recorded as a glossary term.
    Under the four-eyes rule the author of the wording cannot approve it.
    """
    auth.require(actor, "review.approve")
    with transaction(db):
        unit = get_unit(db, unit_id)
        _check_version(unit, expected_version, {"state": "approved",
                                                "version": expected_version})
        after_state = _transition(actor, "approve", unit)
        if _four_eyes_blocks(actor, unit, settings, db):
            raise PermissionDenied(msg(
                "You wrote this wording. Under the four-eyes rule another reviewer "
                "must approve it."))
        if not unit["target_text"]:
            raise ValidationError.single(msg("There is no wording to approve."), column="text")
        now = audit.now_iso()
        tm_id = _record_memory(db, actor, unit)
        concept_id = _record_glossary_term(db, actor, unit) if add_to_glossary else None
        return _apply(db, actor, unit, "approve", {
            "state": after_state, "approved_by": actor.username, "approved_at": now,
            "rejection_reason": None,
        }, extra_audit={"tm_entry": tm_id, "glossary_concept": concept_id})


def reject(db: Database, actor: auth.User, unit_id: int, expected_version: int | None,
           reason: str, settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Send wording under review back to the translator with a reason."""
    auth.require(actor, "review.approve")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError.single(msg("Say why the translation is rejected."), column="reason")
    with transaction(db):
        unit = get_unit(db, unit_id)
        _check_version(unit, expected_version, {"state": "rejected", "reason": reason,
                                                "version": expected_version})
        after_state = _transition(actor, "reject", unit)
        return _apply(db, actor, unit, "reject",
                      {"state": after_state, "rejection_reason": reason}, reason=reason)


def revert(db: Database, actor: auth.User, unit_id: int, to_version: int,
           expected_version: int | None,
           settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Bring back the wording of an earlier version; it goes through review again."""
    auth.require(actor, "review.approve")
    with transaction(db):
        unit = get_unit(db, unit_id)
        target = next(db.query(
            "SELECT * FROM unit_versions WHERE unit_id = ? AND version = ?",
            [unit_id, to_version]), None)
        if target is None or target["version"] >= unit["version"]:
            raise NotFound(msg("No such earlier version of this translation."))
        if not target["target_text"]:
            raise ValidationError.single(msg("That version has no wording to bring back."))
        _check_version(unit, expected_version, {"target_text": target["target_text"],
                                                "version": expected_version})
        after_state = _transition(actor, "revert", unit)
        reverted = _apply(db, actor, unit, "revert", {
            "target_text": target["target_text"], "state": after_state,
            "author_id": actor.id, "author_name": actor.username,
            "approved_by": None, "approved_at": None, "rejection_reason": None,
        }, reason=dumps(msg("Reverted to version %(version)s.", version=to_version)),
            extra_audit={"to_version": to_version})
        store_findings(db, reverted)
        return reverted


def bulk_approve(db: Database, actor: auth.User, items: Iterable[tuple[int, int]],
                 settings: Mapping[str, Any] | None = None) -> Any:
    """Approve each (unit id, version) that may be approved; refuse the others with a reason.

    Kept here for its callers: the bulk actions live in :mod:`workbench.review.bulk`
    (:func:`~workbench.review.bulk.approve`, with the preview and every skip reason).
    """
    from workbench.review import bulk

    return bulk.approve(db, actor, items, settings)


# --- side effects of approval --------------------------------------------------------------------

def _record_memory(db: Database, actor: auth.User, unit: Mapping[str, Any]) -> int:
    """Add the approved pair to the translation memory (origin ``review``); the entry id."""
    from workbench.mt import memory

    return memory.add_entry(db, actor, unit["source_text"], unit["target_text"],
                            unit["source_lang"], unit["target_lang"], "review",
                            unit_id=unit["id"])


def _record_glossary_term(db: Database, actor: auth.User, unit: Mapping[str, Any]) -> str:
    """Record the approved pair as a glossary term; returns the concept id.

    When a concept already has this source term, the wording is added to it:
    as the preferred rendering when it has none in that language yet, else as
    an admitted one (a standard's preferred term is never demoted from here).
    Otherwise a new concept is created, marked as coming from review.
    """
    from workbench.glossary import model, store

    source, target = unit["source_text"], unit["target_text"]
    source_lang, target_lang = unit["source_lang"], unit["target_lang"]
    row = db.execute(
        """SELECT concept_id FROM glossary_terms WHERE lang = ? AND text = ?
           AND status != 'forbidden' ORDER BY status = 'preferred' DESC, id LIMIT 1""",
        [source_lang, source]).fetchone()
    if row is not None:
        concept = model.get_concept(db, row[0])
        existing = concept.terms_in(target_lang)
        same = [t for t in existing if t.text.casefold() == target.casefold()]
        if same and same[0].status in ("preferred", "admitted"):
            return concept.id  # type: ignore[return-value]
        status = "admitted" if concept.terms_in(target_lang, "preferred") else "preferred"
        concept.terms = [t for t in concept.terms if t not in same]
        concept.terms.append(model.TermRecord(target_lang, target, status))
        return store.save_concept(db, actor, concept, action="review")
    unit_domain = unit.get("domain")
    domain = unit_domain if isinstance(unit_domain, str) and unit_domain in model.DOMAINS \
        else "general"
    function = unit.get("function") if unit.get("function") in model.FUNCTIONS else None
    record = model.ConceptRecord(
        id=None, domain=domain, function=function, source="review",
        notes=f"Approved in review (translation unit {unit['id']}).",
        terms=[model.TermRecord(source_lang, source, "preferred"),
               model.TermRecord(target_lang, target, "preferred")])
    return store.save_concept(db, actor, record, action="review")
