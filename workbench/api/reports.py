"""``POST /api/reports`` and ``GET /api/reports/<tracking code>`` for partner apps.

The same fields, checks and limits as the public form (one function,
:func:`workbench.reports.submit_and_triage`); answers are JSON, messages in
the language of ``Accept-Language``. No session and no CSRF token (the
blueprint is exempt): nothing here acts on anyone's behalf. The request body
is bounded before it is parsed.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from workbench import counties, reports
from workbench.api import openapi
from workbench.db import get_db
from workbench.errors import NotFound, ValidationError
from workbench.reports import intake
from workbench.reports import public as public_data
from workbench.vocabulary import REPORT_STATUS_NOTES, REPORT_STATUSES
from workbench.web.i18n import message_text, translator
from workbench.web.public import body_limit, photo_limit_text
from workbench.web.security import csrf, public_access

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


@bp.before_request
def _bound_body() -> None:
    request.max_content_length = body_limit()


def _error(status: int, code: str, message: str, **extra: Any) -> Response:
    response = jsonify(dict({"error": code, "message": message}, **extra))
    response.status_code = status
    return response


@bp.errorhandler(ValidationError)
def _invalid(error: ValidationError) -> Response:
    problems = [{"field": problem.column, "message": message_text(problem.reason)}
                for problem in error.problems]
    return _error(400, "invalid", message_text(error.summary), problems=problems)


@bp.errorhandler(NotFound)
def _not_found(error: NotFound) -> Response:
    return _error(404, "not_found", error.render(translator()))


@bp.errorhandler(reports.RateLimited)
def _rate_limited(error: reports.RateLimited) -> Response:
    response = _error(429, "rate_limited", error.render(translator()),
                      retry_after=error.retry_after)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def _http_error(error: HTTPException) -> Response:
    """Every HTTP error of the API as JSON (registered per code below: the app's own
    handlers for 404, 413 … are per code too, and a code's handler wins over a class's)."""
    if error.code == 413:
        return _error(413, "too_large", _("The photo is too large: at most %(size)s.",
                                          size=photo_limit_text()))
    status = error.code or 500
    return _error(status, "server_error" if status >= 500 else "invalid",
                  error.description or "")


for _code in (400, 403, 404, 405, 413, 415, 500):
    bp.register_error_handler(_code, _http_error)


def _number(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def _report_input() -> intake.ReportInput:
    form = request.form
    upload = request.files.get("photo")
    data = upload.read() if upload is not None else None
    return intake.ReportInput(
        kind=form.get("kind", ""), description=form.get("description", ""),
        suggestion=form.get("suggestion", ""), contact=form.get("contact", ""),
        sign_code=form.get("sign_code") or None, place=form.get("place", ""),
        county=form.get("county") or None, latitude=_number(form.get("latitude")),
        longitude=_number(form.get("longitude")), photo=data or None,
        photo_name=(upload.filename or "photo") if upload is not None else "photo",
        honeypot=form.get("website", ""), channel="api", locale=str(get_locale()))


@bp.route("/reports", methods=["POST"])
@public_access
def submit():
    """Take in a report (multipart/form-data); 201 with the tracking code."""
    if request.mimetype not in FORM_TYPES:
        return _error(415, "unsupported_media_type",
                      _("Send the report as multipart/form-data."))
    receipt = reports.submit_and_triage(get_db(), _report_input(),
                                        settings=current_app.config,
                                        address=request.remote_addr)
    code = intake.format_tracking_code(receipt.tracking_code)
    status_url = url_for("api.status", tracking_code=code, _external=True)
    response = jsonify({
        "tracking_code": code, "status": "new",
        "status_label": message_text(REPORT_STATUSES.label("new")),
        "tracking_url": url_for("public.track", code=code, _external=True),
        "status_url": status_url})
    response.status_code = 201
    response.headers["Location"] = status_url
    return response


@bp.route("/reports/<tracking_code>", methods=["GET"])
@public_access
def status(tracking_code: str):
    """A report's public status, as on its tracking page."""
    report = public_data.public_status(get_db(), tracking_code)
    response = jsonify({
        "tracking_code": report["tracking_code"], "status": report["status"],
        "status_label": message_text(REPORT_STATUSES.label(report["status"])),
        "note": message_text(REPORT_STATUS_NOTES.label(report["status"])),
        "kind": report["kind"], "received_on": report["received_on"],
        "updated_on": report["updated_on"], "fixed_on": report["fixed_on"],
        "rejection_reason": report["rejection_reason"]})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/openapi.json", methods=["GET"])
@public_access
def openapi_document():
    """The OpenAPI 3.1 document of this API."""
    county_codes = [c["code"] for c in counties.list_counties(get_db(), include_inactive=False)]
    return jsonify(openapi.document(current_app.config, request.url_root, county_codes))
