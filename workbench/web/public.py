"""Public report pages, no sign-in: the QR page of a sign, the general page, tracking.

* ``/r/<sign code>`` — where a proof's QR code points: the sign's approved
  wording and a "report a problem" form;
* ``/r/`` — report any sign, with a photo and the place;
* ``/r/track/<tracking code>`` — what became of a report.

Phone-first, in the visitor's language (Chinese or English, from the browser
unless they switch). Nothing internal is shown. The request body is bounded
to the photo limit *before* it is parsed: CSRF is checked here, after the
bound is set, instead of by the app-wide check (which would parse first).
"""
from __future__ import annotations

from typing import Any

from flask import (Blueprint, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from workbench import counties, reports
from workbench.db import get_db
from workbench.errors import ValidationError, WorkbenchError
from workbench.reports import intake
from workbench.reports import public as public_data
from workbench.vocabulary import REPORT_KINDS, REPORT_STATUS_NOTES, REPORT_STATUSES
from workbench.web.errors import TITLES
from workbench.web.forms import select_choices, show_problems
from workbench.web.i18n import message_text, translator
from workbench.web.security import csrf, public_access

bp = Blueprint("public", __name__, url_prefix="/r")
csrf.exempt(bp)  # checked in _bound_and_protect, once the body's size is bounded
# Form fields other than the photo are small; this leaves room for them and the encoding.
FORM_OVERHEAD_BYTES = 256 * 1024


def body_limit() -> int:
    """The largest request body the public report endpoints read (photo + fields)."""
    return int(current_app.config["REPORT_MAX_PHOTO_BYTES"]) + FORM_OVERHEAD_BYTES


@bp.before_request
def _bound_and_protect() -> None:
    request.max_content_length = body_limit()
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


@bp.errorhandler(WorkbenchError)
def _public_error(error: WorkbenchError) -> Any:
    return _error_page(error.http_status, error.render(translator()))


@bp.errorhandler(CSRFError)
def _public_csrf_error(_error: CSRFError) -> Any:
    return _error_page(400, _("The form expired or was not sent from this site. "
                              "Reload the page and try again."))


def photo_limit_text() -> str:
    """The photo size limit for people: "10 MB", "0.5 MB"."""
    megabytes = int(current_app.config["REPORT_MAX_PHOTO_BYTES"]) / (1024 * 1024)
    return f"{megabytes:.1f} MB" if megabytes < 10 and megabytes % 1 else f"{megabytes:.0f} MB"


@bp.context_processor
def _limits() -> dict[str, Any]:
    return {"photo_limit": photo_limit_text()}


@bp.errorhandler(413)
def _public_too_large(_error: Any) -> Any:
    return _error_page(413, _("The photo is too large: at most %(size)s.",
                              size=photo_limit_text()))


def _error_page(status: int, message: str) -> Any:
    return render_template("public/error.html", status=status,
                           title=str(TITLES.get(status, _("Error"))), message=message), status


class ReportForm(FlaskForm):
    """The report form; the domain (``reports.intake``) checks every value."""

    kind = RadioField(_l("What is wrong?"), choices=[], validate_choice=False)
    description = TextAreaField(_l("Describe the problem"))
    suggestion = StringField(_l("Your suggestion for the wording (optional)"))
    photo = FileField(_l("Photo of the sign (optional)"))
    place = StringField(_l("Where is the sign?"))
    county = SelectField(_l("City or county"), choices=[], validate_choice=False)
    latitude = HiddenField()
    longitude = HiddenField()
    contact = StringField(_l("E-mail or phone, if the office may contact you (optional)"))
    # The honeypot: hidden from people by the stylesheet, filled in by bots.
    website = StringField(_l("Leave this field empty"))


def _form() -> ReportForm:
    form = ReportForm()
    form.kind.choices = select_choices(REPORT_KINDS.choices(translator()))
    zh = str(get_locale()).startswith("zh")
    form.county.choices = select_choices([("", "—")] + [
        (c["code"], c["name_zh"] if zh else c["name_en"])
        for c in counties.list_counties(get_db(), include_inactive=False)])
    return form


def _input(form: ReportForm, sign_code: str | None) -> intake.ReportInput:
    upload = request.files.get("photo")
    data, name = None, "photo"
    if upload is not None and upload.filename:
        data, name = upload.read(), upload.filename
    return intake.ReportInput(
        kind=form.kind.data or "", description=form.description.data or "",
        suggestion=form.suggestion.data or "", contact=form.contact.data or "",
        sign_code=sign_code, place=form.place.data or "", county=form.county.data or None,
        latitude=form.latitude.data, longitude=form.longitude.data, photo=data,
        photo_name=name, honeypot=form.website.data or "",
        channel="web", locale=str(get_locale()))


def _submit(form: ReportForm, sign_code: str | None) -> tuple[Any, int]:
    """Send the form to intake; a redirect to tracking, or the status to render with."""
    try:
        receipt = reports.submit_and_triage(get_db(), _input(form, sign_code),
                                            settings=current_app.config,
                                            address=request.remote_addr)
    except reports.RateLimited as error:
        flash(message_text(error.message), "error")
        return None, 429
    except ValidationError as error:
        show_problems(form, error)
        if not any(getattr(form, p.column or "", None) is not None for p in error.problems):
            flash(message_text(error.summary), "error")
        return None, 400
    flash(_("Thank you! Your report was received. Keep your tracking code to follow it: "
            "%(code)s", code=intake.format_tracking_code(receipt.tracking_code)), "success")
    return redirect(url_for("public.track", code=intake.format_tracking_code(
        receipt.tracking_code)), code=303), 303


@bp.route("/", methods=["GET", "POST"])
@public_access
def report_any():
    """Report any sign: what is wrong, a photo, the place."""
    form = _form()
    status = 200
    if request.method == "POST":
        response, status = _submit(form, None)
        if response is not None:
            return response
    return render_template("public/report.html", form=form), status


@bp.route("/<path:sign_code>", methods=["GET", "POST"])
@public_access
def sign_page(sign_code: str):
    """A sign's page (its QR code leads here): its wording and the report form."""
    sign = public_data.public_sign(get_db(), sign_code)
    form = _form()
    status = 200
    if request.method == "POST":
        response, status = _submit(form, sign["sign_code"])
        if response is not None:
            return response
    return render_template("public/sign.html", sign=sign, form=form), status


@bp.route("/track", methods=["GET"])
@public_access
def track_lookup():
    """The tracking code typed in: go to its status page."""
    code = intake.normalize_tracking_code(request.args.get("code"))
    if not code:
        return redirect(url_for("public.report_any"))
    return redirect(url_for("public.track", code=intake.format_tracking_code(code)))


@bp.route("/track/<code>")
@public_access
def track(code: str):
    """What became of a report: its status, and the reason when it was not taken up."""
    report = public_data.public_status(get_db(), code)
    response = current_app.make_response(render_template(
        "public/track.html", report=report, kinds=REPORT_KINDS, statuses=REPORT_STATUSES,
        notes=REPORT_STATUS_NOTES))
    response.headers["Cache-Control"] = "no-store"
    return response
