"""The office's queue of public reports: lists, one report, and the decisions. No Flask.

Staff see every report; a county officer sees the reports of their county
only (another county's report, or one no county is known for yet, answers
"not found"). Statuses::

    new ──confirm──▶ confirmed ──fix──▶ fixed
     └──────reject──────┴──▶ rejected (with a reason the reporter reads)

Confirming links the report to a sign (triage's match, or a sign code the
office gives): the sign's action becomes *correct* and, while the report is
confirmed, the sign carries a ``public_report`` QA finding
(:func:`sign_findings_from_reports`, read by
:func:`workbench.inventory.records.refresh_findings`). Confirm and fix apply
to the report's whole group (the first open report about a sign and its
duplicates); reject applies to one report. Every step is audited.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import row_or_not_found, transaction
from workbench.errors import NotFound, ValidationError
from workbench.messages import Message, dumps, from_data, msg
from workbench.reports.intake import normalize_sign_code, normalize_tracking_code
from workbench.rowtypes import SignFinding
from workbench.vocabulary import REPORT_KINDS, REPORT_STATUSES

CHECK_ID = "public_report"
MAX_REASON = 500
FILTERS = ("status", "county_id", "kind", "matched", "q", "sign_id")


# --- reading ---------------------------------------------------------------------------------

def _scope_clause(user: auth.User) -> tuple[list[str], list[Any]]:
    auth.require(user, "reports.view")
    scope = auth.county_scope(user)
    return (["r.county_id = ?"], [scope]) if scope is not None else ([], [])


def filter_clause(user: auth.User, filters: dict[str, Any]) -> tuple[str, list[Any]]:
    """The WHERE clause (and parameters) of the reports the user may see that match."""
    where, params = _scope_clause(user)
    for key in ("status", "kind"):
        if filters.get(key):
            where.append(f"r.{key} = ?")
            params.append(filters[key])
    for key in ("county_id", "sign_id"):
        value = str(filters.get(key) or "")
        if value == "none" and key == "county_id":
            where.append("r.county_id IS NULL")
        elif value:
            where.append(f"r.{key} = ?")
            params.append(int(value) if value.isdigit() else -1)
    if filters.get("matched") in ("yes", "no"):
        where.append("r.sign_id IS NOT NULL" if filters["matched"] == "yes"
                     else "r.sign_id IS NULL")
    query = str(filters.get("q") or "").strip()
    if query:
        where.append("(r.tracking_code = ? OR r.sign_code = ? OR s.sign_code = ?)")
        params += [normalize_tracking_code(query)] + [normalize_sign_code(query)] * 2
    if filters.get("grouped", True) and not query:
        where.append("r.duplicate_of IS NULL")
    return ("WHERE " + " AND ".join(where)) if where else "", params


def list_reports(db: Database, user: auth.User, filters: dict[str, Any] | None = None, *,
                 page: int = 1, page_size: int = 50) -> tuple[list[dict[str, Any]], int]:
    """One page of the reports the user may see, newest first; (rows, total).

    Unless ``grouped`` is False (or a code is searched for), only the first
    report of each group is listed, with how many duplicates it has.
    """
    clause, params = filter_clause(user, dict(filters or {}))
    joins = "LEFT JOIN signs s ON s.id = r.sign_id"
    total = db.execute(f"SELECT count(*) FROM reports r {joins} {clause}", params).fetchone()[0]
    rows = list(db.query(f"""
        SELECT r.id, r.tracking_code, r.kind, r.status, r.description, r.suggestion,
               r.sign_code AS given_code, r.place, r.created_at, r.updated_at, r.county_id,
               r.photo_thumb IS NOT NULL AS has_photo, r.match_method, r.duplicate_of,
               s.sign_code, s.zh AS sign_zh, c.name_zh AS county_zh, c.name_en AS county_en,
               (SELECT count(*) FROM reports d WHERE d.duplicate_of = r.id) AS duplicates
        FROM reports r {joins} LEFT JOIN counties c ON c.id = r.county_id
        {clause} ORDER BY r.id DESC LIMIT ? OFFSET ?""",
        params + [page_size, (max(1, page) - 1) * page_size]))
    return rows, total


def report_row(db: Database, report_id: int) -> dict[str, Any]:
    """One report's row as stored; NotFound when there is none (no visibility check)."""
    return row_or_not_found(db, "SELECT * FROM reports WHERE id = ?", [report_id],
                            msg("No such report."))


def _visible_row(db: Database, user: auth.User, report_id: int) -> dict[str, Any]:
    auth.require(user, "reports.view")
    row = report_row(db, report_id)
    scope = auth.county_scope(user)
    if scope is not None and row["county_id"] != scope:
        raise NotFound(msg("No such report."))  # another county's report does not exist
    return row


def _decoded_triage(row: dict[str, Any]) -> dict[str, Any]:
    triage = json.loads(row["triage_json"]) if row["triage_json"] else {}
    triage["note"] = from_data(triage.get("note"))
    for finding in triage.get("findings", []):
        finding["message"] = from_data(finding["message"])
    return triage


def get_report(db: Database, user: auth.User, report_id: int) -> dict[str, Any]:
    """One report with its triage, sign, county, group and history."""
    report = _visible_row(db, user, report_id)
    report["triage"] = _decoded_triage(report)
    report["sign"] = next(db.query(
        """SELECT s.id, s.sign_code, s.zh, s.status, s.action, s.location, s.county_id,
                  st.name_zh AS site_zh FROM signs s JOIN sites st ON st.id = s.site_id
           WHERE s.id = ?""", [report["sign_id"]]), None) if report["sign_id"] else None
    report["county"] = next(db.query("SELECT * FROM counties WHERE id = ?",
                                     [report["county_id"]]), None)
    head = report["duplicate_of"] or report["id"]
    report["group"] = list(db.query(
        "SELECT id, tracking_code, kind, status, created_at, description FROM reports "
        "WHERE (id = ? OR duplicate_of = ?) AND id != ? ORDER BY id", [head, head, report_id]))
    report["history"] = audit.history(db, "report", report_id)
    return report


def photo_path(db: Database, user: auth.User, report_id: int, thumbnail: bool = False) -> str:
    """The stored photo (relative to the upload folder) of a report the user may see."""
    row = _visible_row(db, user, report_id)
    name: str | None = row["photo_thumb"] if thumbnail else row["photo_file"]
    if not name:
        raise NotFound(msg("This report has no photo."))
    return name


def counts_per_county(db: Database, user: auth.User,
                      county_id: int | None = None) -> list[dict[str, Any]]:
    """Reports per county and status for the dashboard (officers: their county only).

    A row with ``county_id`` None counts the reports no county is known for yet.
    """
    where, params = _scope_clause(user)
    if county_id and not where:
        where, params = ["r.county_id = ?"], [county_id]
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    counts: dict[Any, dict[str, Any]] = {}
    for row in db.query(f"""
            SELECT r.county_id, c.name_zh, c.name_en, r.status, count(*) AS n
            FROM reports r LEFT JOIN counties c ON c.id = r.county_id {clause}
            GROUP BY r.county_id, r.status ORDER BY c.sort_order IS NULL, c.sort_order""",
            params):
        entry = counts.setdefault(row["county_id"], {
            "county_id": row["county_id"], "county_zh": row["name_zh"],
            "county_en": row["name_en"], "total": 0,
            **{status: 0 for status in REPORT_STATUSES.codes}})
        entry[row["status"]] = row["n"]
        entry["total"] += row["n"]
    return list(counts.values())


def count_new(db: Database, user: auth.User) -> int:
    """How many new reports wait for the user (their county's, for an officer)."""
    if not auth.can(user, "reports.view"):
        return 0
    where, params = _scope_clause(user)
    clause = " AND ".join(where + ["r.status = 'new'"])
    count: int = db.execute(f"SELECT count(*) FROM reports r WHERE {clause}",
                            params).fetchone()[0]
    return count


# --- the report's finding on its sign ----------------------------------------------------------

def _finding_message(report: dict[str, Any]) -> Message:
    description = (report["description"] or "").strip()
    if len(description) > 200:
        description = description[:199] + "…"
    if description:
        return msg("Public report #%(id)s, confirmed: %(kind)s — %(description)s",
                   id=report["id"], kind=REPORT_KINDS.label(report["kind"]),
                   description=description)
    return msg("Public report #%(id)s, confirmed: %(kind)s", id=report["id"],
               kind=REPORT_KINDS.label(report["kind"]))


def _finding_lang(report: dict[str, Any]) -> str:
    """The language the report's QA findings were about, when they name just one."""
    triage = json.loads(report["triage_json"]) if report["triage_json"] else {}
    languages = {f["lang"] for f in triage.get("findings", []) if f.get("severity") == "error"}
    return languages.pop() if len(languages) == 1 else "en"


def sign_findings_from_reports(db: Database,
                               sign_ids: Iterable[int]) -> dict[int, list[SignFinding]]:
    """The ``public_report`` findings of these signs: one per confirmed report of a sign."""
    ids = list(sign_ids)
    found: dict[int, list[SignFinding]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for report in db.query(
                f"SELECT id, sign_id, kind, description, suggestion, triage_json FROM reports "
                f"WHERE status = 'confirmed' AND sign_id IN ({','.join('?' * len(chunk))}) "
                f"ORDER BY id", chunk):
            found.setdefault(report["sign_id"], []).append({
                "lang": _finding_lang(report), "check_id": CHECK_ID, "severity": "error",
                "message": dumps(_finding_message(report)), "start_pos": None,
                "end_pos": None, "suggestion": report["suggestion"] or None})
    return found


# --- decisions ---------------------------------------------------------------------------------

def _decided(actor: auth.User) -> dict[str, Any]:
    now = audit.now_iso()
    return {"decided_by": actor.username, "decided_at": now, "updated_at": now}


def _group_members(db: Database, report: dict[str, Any], status: str) -> list[dict[str, Any]]:
    """The report and the other reports of its group that are in ``status``."""
    head = report["duplicate_of"] or report["id"]
    others = [row for row in db.query(
        "SELECT * FROM reports WHERE (id = ? OR duplicate_of = ?) AND id != ? AND status = ? "
        "ORDER BY id", [head, head, report["id"], status])]
    return [report] + others


def _ungroup(db: Database, actor: auth.User, report_id: int) -> None:
    """When a group's head leaves the group, its oldest duplicate heads what remains."""
    members = [r[0] for r in db.execute(
        "SELECT id FROM reports WHERE duplicate_of = ? ORDER BY id", [report_id])]
    if not members:
        return
    head, rest = members[0], members[1:]
    db.execute("UPDATE reports SET duplicate_of = NULL WHERE id = ?", [head])
    if rest:
        db.execute(f"UPDATE reports SET duplicate_of = ? WHERE id IN "
                   f"({','.join('?' * len(rest))})", [head, *rest])
    audit.record(db, actor, "report.regroup", "report", head, {"duplicate_of": report_id},
                 {"duplicate_of": None, "duplicates": rest})


def _sign_by_code(db: Database, actor: auth.User, code: str) -> dict[str, Any]:
    sign = next(db.query("SELECT * FROM signs WHERE sign_code = ?",
                         [normalize_sign_code(code)]), None)
    if sign is None:
        raise ValidationError.single(msg("No sign has this code."), column="sign_code",
                                     value=code)
    auth.check_county(actor, sign["county_id"])
    return sign


def _mark_sign_for_correction(db: Database, actor: auth.User, sign: dict[str, Any],
                              report_ids: list[int]) -> None:
    """The sign's action becomes *correct*; its findings now include the report's."""
    from workbench.inventory import records

    change = {"action": "correct", "updated_at": audit.now_iso()}
    if sign["action"] != "correct":
        db.table("signs").update(sign["id"], change)
    records.refresh_findings(db, [sign["id"]])
    audit.record(db, actor, "sign.report_confirmed", "sign", sign["id"],
                 {"action": sign["action"], "county_id": sign["county_id"]},
                 {"action": "correct", "county_id": sign["county_id"], "reports": report_ids})


def confirm_report(db: Database, actor: auth.User, report_id: int, *,
                   sign_code: str | None = None) -> list[int]:
    """Confirm a new report (and the new reports of its group); returns their ids.

    The sign is the one ``sign_code`` names, else the one triage matched; a
    report linked to no sign cannot be confirmed.
    """
    auth.require(actor, "reports.decide")
    with transaction(db):
        report = _visible_row(db, actor, report_id)
        if report["status"] != "new":
            raise ValidationError.single(msg("Only a new report can be confirmed."),
                                         column="status", value=report["status"])
        if sign_code and sign_code.strip():
            sign = _sign_by_code(db, actor, sign_code)
        elif report["sign_id"]:
            sign = next(db.query("SELECT * FROM signs WHERE id = ?", [report["sign_id"]]))
            auth.check_county(actor, sign["county_id"])
        else:
            raise ValidationError.single(msg("Give the code of the sign this report is about."),
                                         column="sign_code")
        relinked = sign["id"] != report["sign_id"]
        if relinked:
            _ungroup(db, actor, report_id)
            report = dict(report, duplicate_of=None)
        members = [report] if relinked else _group_members(db, report, "new")
        for member in members:
            change = dict(_decided(actor), status="confirmed", sign_id=sign["id"],
                          site_id=sign["site_id"], county_id=sign["county_id"])
            if relinked:
                change.update(match_method="staff", match_score=None, duplicate_of=None)
            db.table("reports").update(member["id"], change)
            audit.record(db, actor, "report.confirm", "report", member["id"],
                         {k: member[k] for k in ("status", "sign_id", "county_id")},
                         {k: change[k] for k in ("status", "sign_id", "county_id")})
        _mark_sign_for_correction(db, actor, sign, [m["id"] for m in members])
    return [m["id"] for m in members]


def reject_report(db: Database, actor: auth.User, report_id: int, reason: str) -> None:
    """Close one report without changing the sign; the reporter reads ``reason``."""
    from workbench.inventory import records

    auth.require(actor, "reports.decide")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError.single(msg("Give a reason; the reporter will read it."),
                                     column="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError.single(msg("Too long: at most %(limit)s characters.",
                                         limit=MAX_REASON), column="reason")
    with transaction(db):
        report = _visible_row(db, actor, report_id)
        if report["status"] not in ("new", "confirmed"):
            raise ValidationError.single(msg("This report is closed already."),
                                         column="status", value=report["status"])
        change = dict(_decided(actor), status="rejected", rejection_reason=reason,
                      duplicate_of=None)
        db.table("reports").update(report_id, change)
        audit.record(db, actor, "report.reject", "report", report_id,
                     {"status": report["status"], "duplicate_of": report["duplicate_of"]},
                     {"status": "rejected", "rejection_reason": reason})
        if report["duplicate_of"] is None:
            _ungroup(db, actor, report_id)
        if report["status"] == "confirmed" and report["sign_id"]:
            records.refresh_findings(db, [report["sign_id"]])


def mark_fixed(db: Database, actor: auth.User, report_id: int) -> list[int]:
    """The sign was corrected: the confirmed reports of the group become *fixed*."""
    from workbench.inventory import records

    auth.require(actor, "reports.decide")
    with transaction(db):
        report = _visible_row(db, actor, report_id)
        if report["status"] != "confirmed":
            raise ValidationError.single(msg("Only a confirmed report can be marked fixed."),
                                         column="status", value=report["status"])
        members = _group_members(db, report, "confirmed")
        for member in members:
            change = dict(_decided(actor), status="fixed", fixed_at=audit.now_iso())
            db.table("reports").update(member["id"], change)
            audit.record(db, actor, "report.fix", "report", member["id"],
                         {"status": "confirmed"}, {"status": "fixed",
                                                   "sign_id": member["sign_id"]})
        records.refresh_findings(db, [report["sign_id"]])
    return [m["id"] for m in members]
