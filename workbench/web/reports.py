"""The office's pages for public reports: the queue, one report, decisions, CSV export.

Staff see every report; a county officer sees their county's (another
county's report answers 404: the domain raises NotFound). Views call
:mod:`workbench.reports` and render; they hold no SQL.
"""
from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from flask import (Blueprint, Response, current_app, flash, redirect, render_template,
                   request, send_file, url_for)
from flask_babel import gettext as _

from workbench import auth, counties
from workbench.db import get_db, page_count
from workbench.errors import NotFound, ValidationError
from workbench.reports import export as report_export
from workbench.reports import queue, triage
from workbench.vocabulary import REPORT_CHANNELS, REPORT_KINDS, REPORT_MATCHES, REPORT_STATUSES
from workbench.web import home
from workbench.web.forms import flash_error
from workbench.web.i18n import translator
from workbench.web.security import current_actor, permission_required

bp = Blueprint("reports", __name__, url_prefix="/reports")

LIST_FILTERS = ("status", "county_id", "kind", "matched", "q")


def _filters() -> dict[str, str]:
    values = {key: request.args.get(key, "").strip() for key in LIST_FILTERS}
    return {key: value for key, value in values.items() if value}


def _vocabularies() -> dict[str, Any]:
    return {"kinds": REPORT_KINDS, "statuses": REPORT_STATUSES, "matches": REPORT_MATCHES,
            "channels": REPORT_CHANNELS}


@bp.route("/")
@permission_required("reports.view")
def index():
    """The queue: newest first, one line per group of duplicates, with filters."""
    db = get_db()
    user = current_actor()
    filters = _filters()
    page = max(1, request.args.get("page", 1, type=int))
    size = current_app.config["PAGE_SIZE"]
    rows, total = queue.list_reports(db, user, filters, page=page, page_size=size)
    county_choices = [] if auth.county_scope(user) is not None else [
        (str(c["id"]), c["name_zh"]) for c in counties.list_counties(db)]
    return render_template("reports/queue.html", rows=rows, total=total, page=page,
                           pages=page_count(total, size), filters=filters,
                           county_choices=county_choices, **_vocabularies())


@bp.route("/<int:report_id>")
@permission_required("reports.view")
def detail(report_id: int):
    """One report: what was sent, what triage found, its group, the decisions."""
    report = queue.get_report(get_db(), current_actor(), report_id)
    return render_template("reports/detail.html", report=report, **_vocabularies())


def _decide(report_id: int, action: Any, success: str) -> Any:
    try:
        action()
    except ValidationError as error:
        flash_error(error)
    else:
        flash(success, "success")
    return redirect(url_for("reports.detail", report_id=report_id))


@bp.route("/<int:report_id>/confirm", methods=["POST"])
@permission_required("reports.decide")
def confirm(report_id: int):
    """Confirm the report (and its group): the sign gets action *correct* and a finding."""
    sign_code = request.form.get("sign_code", "")
    return _decide(report_id, lambda: queue.confirm_report(
        get_db(), current_actor(), report_id, sign_code=sign_code),
        _("The report was confirmed; the sign is marked for correction."))


@bp.route("/<int:report_id>/reject", methods=["POST"])
@permission_required("reports.decide")
def reject(report_id: int):
    """Close the report without changing the sign; the reporter sees the reason."""
    reason = request.form.get("reason", "")
    return _decide(report_id, lambda: queue.reject_report(
        get_db(), current_actor(), report_id, reason),
        _("The report was closed. The reporter sees your reason."))


@bp.route("/<int:report_id>/fix", methods=["POST"])
@permission_required("reports.decide")
def fix(report_id: int):
    """The sign has been corrected: the report (and its group) is fixed."""
    return _decide(report_id, lambda: queue.mark_fixed(get_db(), current_actor(), report_id),
                   _("The report is marked fixed."))


@bp.route("/<int:report_id>/triage", methods=["POST"])
@permission_required("reports.decide")
def retriage(report_id: int):
    """Run triage again (after the inventory or the OCR engine changed)."""
    db = get_db()
    queue.get_report(db, current_actor(), report_id)  # NotFound outside the user's county
    return _decide(report_id, lambda: triage.triage_report(
        db, report_id, settings=current_app.config), _("Triage ran again."))


@bp.route("/<int:report_id>/photo")
@bp.route("/<int:report_id>/photo/thumb", endpoint="photo_thumb",
          defaults={"thumbnail": True})
@permission_required("reports.view")
def photo(report_id: int, thumbnail: bool = False):
    """The report's photo (re-encoded, without metadata), for users who may see the report."""
    name = queue.photo_path(get_db(), current_actor(), report_id, thumbnail)
    folder = Path(current_app.config["UPLOAD_DIR"]).resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        raise NotFound(_("The photo file is missing."))
    response = send_file(path, mimetype="image/jpeg", max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/export.csv")
@permission_required("reports.view")
def export_csv():
    """The reports the user may see (with the queue's filters) as CSV, UTF-8 with BOM."""
    buffer = io.BytesIO()
    report_export.write_reports_csv(get_db(), current_actor(), buffer, _filters(),
                                    translator())
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d")
    return Response(buffer.getvalue(), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="reports-{stamp}.csv"'})


@bp.app_template_filter("report_code")
def report_code(code: str | None) -> str:
    """A tracking code in readable groups (ABCD-EFGH-JKMN)."""
    from workbench.reports.intake import format_tracking_code

    return format_tracking_code(code or "")


def home_cards(db: Any, user: auth.User) -> list[home.WaitingItem]:
    """Public reports' card on the home page: new reports."""
    if not auth.can(user, "reports.view"):
        return []
    return [home.WaitingItem(_("New public reports"), queue.count_new(db, user),
                             url_for("reports.index", status="new"), "warning")]
