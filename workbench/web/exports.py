"""The exports page: start an export, watch its progress, download it (again).

Views call :mod:`workbench.exports` and render. An export runs in a background
thread; its page polls ``/exports/<id>/progress`` (``static/exports.js``) so
nobody waits on a request and other users are not blocked.
"""
from __future__ import annotations

from typing import Any

from flask import (Blueprint, current_app, flash, jsonify, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from workbench import auth, counties
from workbench.db import get_db
from workbench.errors import ValidationError
from workbench.exports import jobs
from workbench.exports.exchange import import_xliff
from workbench.exports.selection import SIGN_STATUSES, resolve_filter
from workbench.inventory import records
from workbench.web import nav_item
from workbench.web.i18n import message_text
from workbench.web.security import current_actor, permission_required

bp = Blueprint("exports", __name__, url_prefix="/exports")
nav_item("exports.index", _l("Exports"), "export.run", order=60)

KIND_LABELS = {
    "sheet-xlsx": _l("Fabrication sheet (XLSX)"),
    "sheet-csv": _l("Fabrication sheet (CSV)"),
    "proofs": _l("Print proofs (PDF)"),
    "package": _l("County package (ZIP)"),
    "tmx": _l("Approved translations (TMX)"),
    "tbx": _l("Glossary (TBX)"),
    "xliff": _l("Units to translate (XLIFF 2.0)"),
}
STATUS_LABELS = {
    "running": _l("Running"), "done": _l("Done"), "empty": _l("Nothing to export"),
    "failed": _l("Failed"),
}


def _locale_label(table: dict[str, tuple[str, str]], code: str) -> str:
    from flask_babel import get_locale

    return records.label(table, code, "zh" if str(get_locale()).startswith("zh") else "en")


class ExportForm(FlaskForm):
    """What to export and which signs."""

    kind = SelectField(_l("Export"), choices=[])
    county = SelectField(_l("County"), choices=[], validators=[Optional()])
    site = StringField(_l("Site"), validators=[Optional()])
    sector = SelectField(_l("Sector"), choices=[], validators=[Optional()])
    status = SelectField(_l("Sign status"), choices=[], validators=[Optional()])
    lang = SelectField(_l("Language"), choices=[], validators=[Optional()])
    approved_since = StringField(_l("Approved from"), validators=[Optional()],
                                 render_kw={"type": "date"})
    approved_until = StringField(_l("Approved until"), validators=[Optional()],
                                 render_kw={"type": "date"})


class XliffImportForm(FlaskForm):
    """An outside translator's XLIFF file to bring back into review."""

    file = FileField(_l("XLIFF file"), validators=[FileRequired()])


def _export_form(user: auth.User) -> ExportForm:
    form = ExportForm()
    form.kind.choices = [(kind_id, str(label)) for kind_id, label in KIND_LABELS.items()]
    scope = auth.county_scope(user)
    county_rows = [c for c in counties.list_counties(get_db(), include_inactive=False)
                   if scope is None or c["id"] == scope]
    form.county.choices = ([] if scope is not None else [("", _("All counties"))]) + [
        (str(c["id"]), c["name_zh"]) for c in county_rows]
    form.sector.choices = [("", _("All sectors"))] + [
        (code, _locale_label(records.SECTORS, code)) for code in records.SECTORS]
    form.status.choices = [("", _("Any status"))] + [
        (code, _locale_label(records.STATUSES, code)) for code in SIGN_STATUSES]
    form.lang.choices = [("", _("All languages"))] + [
        (code, _locale_label(records.LANGUAGES, code)) for code in records.LANGUAGES]
    return form


def _render_index(form: ExportForm, import_form: XliffImportForm | None = None,
                  import_report: Any = None, status: int = 200) -> Any:
    db = get_db()
    user = current_actor()
    page = max(1, request.args.get("page", 1, type=int))
    size = current_app.config["PAGE_SIZE"]
    rows, total = jobs.list_exports(db, user, limit=size, offset=(page - 1) * size)
    return render_template(
        "exports/index.html", form=form, import_form=import_form or XliffImportForm(),
        import_report=import_report, exports=rows, total=total, page=page,
        pages=max(1, -(-total // size)), kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS), status


@bp.route("/", methods=["GET"])
@permission_required("export.run")
def index():
    """Start an export, and every past export to download again."""
    return _render_index(_export_form(current_actor()))


@bp.route("/", methods=["POST"])
@permission_required("export.run")
def create():
    """Start an export in the background and go to its progress page."""
    user = current_actor()
    form = _export_form(user)
    if not form.validate_on_submit():
        return _render_index(form, status=400)
    db = get_db()
    try:
        flt = resolve_filter(
            db, user, county=form.county.data or None, site=form.site.data or None,
            sector=form.sector.data or None, status=form.status.data or None,
            lang=form.lang.data or None, approved_since=form.approved_since.data or None,
            approved_until=form.approved_until.data or None)
        export_id = jobs.start(db, user, form.kind.data, flt)
    except ValidationError as error:
        flash(str(error), "error")
        return _render_index(form, status=400)
    jobs.run_in_background(current_app.config["DATABASE"], user, export_id,
                           dict(current_app.config))
    return redirect(url_for("exports.detail", export_id=export_id))


@bp.route("/<int:export_id>")
@permission_required("export.run")
def detail(export_id: int):
    """One export: its progress while it runs, then its outcome and download link."""
    row = jobs.get_export(get_db(), current_actor(), export_id)
    return render_template("exports/detail.html", export=row, kind_labels=KIND_LABELS,
                           status_labels=STATUS_LABELS)


@bp.route("/<int:export_id>/progress")
@permission_required("export.run")
def progress(export_id: int):
    """How far the export is (JSON, polled by the page)."""
    state = jobs.progress_of(get_db(), current_actor(), export_id)
    state["status_label"] = str(STATUS_LABELS.get(state["status"], state["status"]))
    state["message"] = message_text(state["message"], "\n")
    state["finished_at"] = (state.get("finished_at") or "")[:19].replace("T", " ")
    state["download_url"] = (url_for("exports.download", export_id=export_id)
                             if state["status"] == "done" else None)
    response = jsonify(state)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:export_id>/download")
@permission_required("export.run")
def download(export_id: int):
    """The export's file (the same file every time it is downloaded)."""
    path, row = jobs.export_file(get_db(), current_actor(), export_id, current_app.config)
    kind = jobs.KINDS.get(row["kind"])
    return send_file(path, as_attachment=True, download_name=row["file_name"],
                     mimetype=kind.mimetype if kind else "application/octet-stream")


@bp.route("/xliff-import", methods=["POST"])
@permission_required("export.run", "review.translate")
def xliff_import():
    """Bring an outside translator's XLIFF back: each translation goes to review."""
    import_form = XliffImportForm()
    form = _export_form(current_actor())
    if not import_form.validate_on_submit():
        return _render_index(form, import_form, status=400)
    upload = import_form.file.data
    data = upload.read(current_app.config["MAX_IMPORT_BYTES"] + 1)
    if len(data) > current_app.config["MAX_IMPORT_BYTES"]:
        flash(_("The file is larger than the import limit."), "error")
        return _render_index(form, import_form, status=400)
    try:
        report = import_xliff(get_db(), current_actor(), data, upload.filename or "file.xlf",
                              settings=current_app.config)
    except ValidationError as error:
        flash(str(error), "error")
        return _render_index(form, import_form, status=400)
    flash(_("%(sent)s translation(s) sent to review, %(left)s left untranslated, "
            "%(refused)s refused.", sent=len(report.submitted), left=report.untranslated,
            refused=len(report.problems)), "success" if not report.problems else "warning")
    return _render_index(form, XliffImportForm(formdata=None), import_report=report)
