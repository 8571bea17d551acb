"""The exports page: start an export, watch its progress, download it (again).

Views call :mod:`workbench.exports` and render. An export is a job run by a
worker process (:mod:`workbench.jobs`); its page shows the job's progress box,
which ``static/jobs.js`` keeps up to date, and the file is downloaded from the
job (``/jobs/<id>/file``), so nobody waits on a request.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from workbench import auth, counties, plugins
from workbench.db import get_db, page_count, page_offset
from workbench.errors import ValidationError
from workbench.exports import runs
from workbench.exports.exchange import import_xliff
from workbench.exports.selection import resolve_filter
from workbench.inventory import dashboard
from workbench.vocabulary import LANGUAGES, SECTORS, SIGN_LANGUAGES, SIGN_STATUSES
from workbench.web.forms import flash_error, select_choices
from workbench.web.i18n import message_text, translator
from workbench.web.uploads import read_upload
from workbench.web.security import current_actor, permission_required
from workbench.web.params import page_arg

bp = Blueprint("exports", __name__, url_prefix="/exports")



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
    form.kind.choices = select_choices((kind.id, message_text(kind.message))
                                      for kind in plugins.export_kinds().values())
    scope = auth.county_scope(user)
    county_rows = [c for c in counties.list_counties(get_db(), include_inactive=False)
                   if scope is None or c["id"] == scope]
    form.county.choices = select_choices(
        ([] if scope is not None else [("", _("All counties"))])
        + [(str(c["id"]), c["name_zh"]) for c in county_rows])
    form.sector.choices = select_choices(
        [("", _("All sectors"))] + SECTORS.choices(translator()))
    form.status.choices = select_choices(
        [("", _("Any status"))] + SIGN_STATUSES.choices(translator()))
    form.lang.choices = select_choices([("", _("All languages"))] + [
        (code, LANGUAGES.text(code, translator())) for code in SIGN_LANGUAGES])
    return form


def _render_index(form: ExportForm, import_form: XliffImportForm | None = None,
                  import_report: Any = None, status: int = 200) -> Any:
    db = get_db()
    user = current_actor()
    page = page_arg()
    size = current_app.config["PAGE_SIZE"]
    rows, total = runs.list_exports(db, user, limit=size, offset=page_offset(page, size))
    return render_template(
        "exports/index.html", form=form, import_form=import_form or XliffImportForm(),
        import_report=import_report, exports=rows, total=total, page=page,
        pages=page_count(total, size),
        readiness=dashboard.county_progress(db, user)), status


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
        run_id = runs.start_export(db, user, form.kind.data, flt, current_app.config)
    except ValidationError as error:
        flash_error(error)
        return _render_index(form, status=400)
    return redirect(url_for("exports.detail", run_id=run_id))


@bp.route("/<int:run_id>")
@permission_required("export.run")
def detail(run_id: int):
    """One export: its progress while it runs, then its outcome and download link."""
    run = runs.get_export(get_db(), current_actor(), run_id)
    return render_template("exports/detail.html", export=run)


@bp.route("/xliff-import", methods=["POST"])
@permission_required("export.run", "review.translate")
def xliff_import():
    """Bring an outside translator's XLIFF back: each translation goes to review."""
    import_form = XliffImportForm()
    form = _export_form(current_actor())
    if not import_form.validate_on_submit():
        return _render_index(form, import_form, status=400)
    upload = import_form.file.data
    try:
        data = read_upload(upload, "MAX_IMPORT_BYTES") or b""
        report = import_xliff(get_db(), current_actor(), data, upload.filename or "file.xlf",
                              settings=current_app.config)
    except ValidationError as error:
        flash_error(error)
        return _render_index(form, import_form, status=400)
    flash(_("%(sent)s translation(s) sent to review, %(left)s left untranslated, "
            "%(refused)s refused.", sent=len(report.submitted), left=report.untranslated,
            refused=len(report.problems)), "success" if not report.problems else "warning")
    return _render_index(form, XliffImportForm(formdata=None), import_report=report)
