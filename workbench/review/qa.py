"""QA of translation units: stored findings per version, and reviewers' dismissals.

The QA checks (:mod:`workbench.checks`) run on a unit's wording whenever it
changes; the findings of each version are kept in ``unit_findings`` (message
id and parameters, never rendered text) and the current version's summary in
``unit_qa``. Both are recomputable output, not records.

A reviewer who judges that a finding does not apply **dismisses** it on that
unit, with a reason (:func:`dismiss_finding`, audited). A dismissed finding
is shown as such, with who and why, and no longer blocks bulk approval or
counts in the queue's QA filter. The dismissal is tied to the finding's key
(:meth:`workbench.checks.Finding.key`: the check, the message and its
parameters, and the words flagged), so it survives edits elsewhere in the
wording, and a change that makes QA say something new brings a new finding
that nobody has dismissed.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from sqlite_utils import Database

from workbench import audit, auth, messages
from workbench.db import transaction
from workbench.errors import NotFound, ValidationError
from workbench.messages import msg, nmsg
from workbench.rowtypes import UnitFinding

ENTITY = "translation_unit"
MAX_REASON_LENGTH = 500
BLOCKING_SEVERITIES = ("error", "warning")
# A unit's kind → the profile its wording is checked (and machine-drafted) with.
UNIT_PROFILES = {"sign": "sign", "segment": "prose"}


def qa_profile(unit: Mapping[str, Any]) -> str:
    """The profile of a unit's wording: "sign" for a sign's, "prose" for a document segment's."""
    return UNIT_PROFILES[unit.get("kind") or "sign"]


def run_qa(db: Database, unit: Mapping[str, Any], text: str | None = None) -> list[Any]:
    """QA findings for ``text`` (default: the unit's wording) as the QA checks see it.

    The unit's kind names the profile (:func:`qa_profile`): a sign's
    wording is checked with every sign rule, a document segment as prose (placeholders
    checked, the sign-only rules left out).
    """
    from workbench.checks import run_checks
    text = unit["target_text"] if text is None else text
    if not text:
        return []
    return list(run_checks(db, unit["source_text"], text, unit["target_lang"],
                           function=unit.get("function"), profile=qa_profile(unit),
                           source_lang=unit.get("source_lang") or "zh",
                           context=_draft_context(unit)))


def _draft_context(unit: Mapping[str, Any]) -> dict[str, Any] | None:
    """The QA context of a unit's machine draft: what its engine recorded as wrong, and the
    fuzzy memory match it copied (checks ``machine_draft`` and ``memory_match``)."""
    import json

    context: dict[str, Any] = {}
    for column, key, kind in (("draft_flags", "draft_flags", list),
                              ("draft_memory", "memory_match", dict)):
        try:
            value = json.loads(unit.get(column) or "null")
        except ValueError:
            continue
        if isinstance(value, kind) and value:
            context[key] = value
    return context or None


def dismissals(db: Database, unit_id: int) -> dict[str, dict[str, Any]]:
    """The unit's dismissals by finding key (who, when, why, what was flagged)."""
    return {row["finding_key"]: row for row in db.query(
        "SELECT * FROM finding_dismissals WHERE unit_id = ? ORDER BY id", [unit_id])}


def _readable(row: Mapping[str, Any], dismissed: Mapping[str, dict[str, Any]]) -> UnitFinding:
    """A stored finding row as pages use it: message as a Message, its dismissal if any."""
    return cast(UnitFinding, dict(row, message=messages.from_data(row["message"]),
                                  dismissal=dismissed.get(row.get("finding_key") or "")))


def _summary(db: Database, unit: Mapping[str, Any], rows: list[UnitFinding]) -> None:
    """Write ``unit_qa``: the findings of the current version that still count."""
    active = [r for r in rows if r.get("dismissal") is None]
    db.execute(
        """INSERT INTO unit_qa (unit_id, version, errors, warnings, dismissed, checked_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(unit_id) DO UPDATE SET version = excluded.version,
             errors = excluded.errors, warnings = excluded.warnings,
             dismissed = excluded.dismissed, checked_at = excluded.checked_at""",
        [unit["id"], unit["version"], sum(r["severity"] == "error" for r in active),
         sum(r["severity"] == "warning" for r in active), len(rows) - len(active),
         audit.now_iso()])


def store_findings(db: Database, unit: Mapping[str, Any]) -> list[UnitFinding]:
    """Check the unit's current wording and store the findings for its version.

    Findings of earlier versions stay (the history shows what QA said about
    each draft and edit); ``unit_qa`` holds the summary of the current one,
    dismissed findings left out. Both are recomputable output (unaudited), so
    this may run inside an action's transaction or on its own. Returns the rows
    with ``message`` as a :class:`~workbench.messages.Message` and ``dismissal``.
    """
    findings = run_qa(db, unit)
    text = unit["target_text"] or ""
    rows = [{"unit_id": unit["id"], "version": unit["version"], "check_id": f.check,
             "severity": f.severity, "message": messages.dumps(f.message),
             "start_pos": f.start, "end_pos": f.end, "suggestion": f.suggestion,
             "finding_key": f.key(text)} for f in findings]
    with transaction(db):
        db.execute("DELETE FROM unit_findings WHERE unit_id = ? AND version = ?",
                   [unit["id"], unit["version"]])
        if rows:
            db.table("unit_findings").insert_all(rows)
        dismissed = dismissals(db, unit["id"]) if rows else {}
        readable = [_readable(row, dismissed) for row in rows]
        _summary(db, unit, readable)
    return readable


_SEVERITY_ORDER = """ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1
                     ELSE 2 END, start_pos, id"""


def current_findings(db: Database, unit: Mapping[str, Any]) -> list[UnitFinding]:
    """The stored findings of the unit's current version (checking it first if needed),
    each with its ``dismissal`` (None when the finding counts)."""
    checked = db.execute("SELECT version FROM unit_qa WHERE unit_id = ?",
                         [unit["id"]]).fetchone()
    if checked is None or checked[0] != unit["version"]:
        return store_findings(db, unit)
    dismissed = dismissals(db, unit["id"])
    return [_readable(row, dismissed) for row in db.query(
        f"SELECT * FROM unit_findings WHERE unit_id = ? AND version = ? {_SEVERITY_ORDER}",
        [unit["id"], unit["version"]])]


def blocking(findings: list[UnitFinding]) -> list[UnitFinding]:
    """The findings that stand in the way of bulk approval: errors and warnings not dismissed."""
    return [f for f in findings if f["severity"] in BLOCKING_SEVERITIES
            and f.get("dismissal") is None]


def open_errors(db: Database, unit: Mapping[str, Any], text: str | None = None) -> list[Any]:
    """QA errors in ``text`` (default: the unit's wording) that no reviewer dismissed on the unit.

    What a translator is warned about before sending wording to review.
    """
    wording = unit["target_text"] if text is None else text
    errors = [f for f in run_qa(db, unit, wording) if f.severity == "error"]
    if not errors:
        return []
    dismissed = dismissals(db, unit["id"])
    return [f for f in errors if f.key(wording or "") not in dismissed]


def check_pending(db: Database, limit: int | None = None,
                  progress: Callable[..., None] | None = None) -> int:
    """Check every unit with wording whose QA is missing or stale; returns how many."""
    sql = """SELECT u.* FROM translation_units u LEFT JOIN unit_qa q ON q.unit_id = u.id
             WHERE u.target_text IS NOT NULL AND u.target_text != ''
               AND (q.version IS NULL OR q.version != u.version) ORDER BY u.id"""
    units = list(db.query(sql + (f" LIMIT {int(limit)}" if limit else "")))
    for count, unit in enumerate(units, 1):
        store_findings(db, unit)
        if progress:
            progress(count, len(units))
    return len(units)


def check_pending_job(db: Database, *, progress: Callable[..., None],
                      limit: int | None = None) -> dict[str, Any]:
    """The ``review.check`` job: :func:`check_pending` with progress."""
    checked = check_pending(db, limit, progress=progress)
    return {"checked": checked,
            "summary": nmsg("%(n)s unit checked", "%(n)s units checked", checked)}


def _unit(db: Database, unit_id: int) -> dict[str, Any]:
    from workbench.review.workflow import get_unit

    return get_unit(db, unit_id)


def dismiss_finding(db: Database, actor: auth.User, unit_id: int, finding_key: str,
                    reason: str) -> dict[str, Any]:
    """Dismiss one finding of the unit's current wording, saying why; returns the dismissal.

    Only reviewers (``review.approve``) dismiss. The finding must be one QA
    reports on the current wording now; a finding already dismissed is refused.
    Audited as ``finding.dismiss`` on the unit.
    """
    auth.require(actor, "review.approve")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError.single(msg("Say why the finding does not apply."),
                                     column="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError.single(msg("The reason is longer than %(limit)s characters.",
                                         limit=MAX_REASON_LENGTH), column="reason")
    with transaction(db):
        unit = _unit(db, unit_id)
        finding = next((f for f in current_findings(db, unit)
                        if f["finding_key"] == finding_key), None)
        if finding is None:
            raise NotFound(msg("This finding is not reported on the current wording any more."))
        if finding["dismissal"] is not None:
            raise ValidationError.single(msg("This finding is dismissed already."))
        text = unit["target_text"] or ""
        start, end = finding["start_pos"], finding["end_pos"]
        row = {"unit_id": unit_id, "finding_key": finding_key, "check_id": finding["check_id"],
               "message": messages.dumps(finding["message"]),
               "flagged_text": text[start:end] if start is not None and end is not None
               else None, "reason": reason, "version": unit["version"],
               "dismissed_by_id": actor.id, "dismissed_by": actor.username,
               "dismissed_at": audit.now_iso()}
        row["id"] = db.table("finding_dismissals").insert(row).last_pk
        audit.record(db, actor, "finding.dismiss", ENTITY, unit_id, None,
                     {key: row[key] for key in ("finding_key", "check_id", "message",
                                                "flagged_text", "reason", "version")})
        store_findings(db, unit)
    return row


def restore_finding(db: Database, actor: auth.User, unit_id: int, finding_key: str) -> None:
    """Undo a dismissal: the finding counts again (audited as ``finding.restore``)."""
    auth.require(actor, "review.approve")
    with transaction(db):
        unit = _unit(db, unit_id)
        existing = dismissals(db, unit_id).get(finding_key)
        if existing is None:
            raise NotFound(msg("This finding is not dismissed."))
        db.execute("DELETE FROM finding_dismissals WHERE id = ?", [existing["id"]])
        audit.record(db, actor, "finding.restore", ENTITY, unit_id,
                     {key: existing[key] for key in ("finding_key", "check_id", "message",
                                                     "reason", "dismissed_by")}, None)
        store_findings(db, unit)
