"""Turning errors into pages: the one place domain errors become HTTP responses."""
from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from workbench.errors import WorkbenchError

TITLES = {
    400: _l("Bad request"), 403: _l("Not allowed"), 404: _l("Not found"),
    409: _l("Conflict"), 413: _l("File too large"), 429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}


def _page(status: int, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status,
                           title=str(TITLES.get(status, _("Error"))), message=message), status


def init_app(app: Any) -> None:
    """Register handlers for domain errors, CSRF failures and HTTP errors."""

    @app.errorhandler(WorkbenchError)
    def _domain_error(error: WorkbenchError) -> Any:
        from workbench.web.forms import error_message

        return _page(error.http_status, error_message(error))

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> Any:
        return _page(400, _("The form expired or was not sent from this site. "
                            "Reload the page and try again."))

    @app.errorhandler(403)
    def _forbidden(_error: Any) -> Any:
        return _page(403, _("Your role does not allow this page."))

    @app.errorhandler(404)
    def _not_found(_error: Any) -> Any:
        return _page(404, _("There is no such page or record."))

    @app.errorhandler(413)
    def _too_large(_error: Any) -> Any:
        # A route may bound its body below the app-wide limit (public reports do).
        limit = (request.max_content_length or app.config["MAX_CONTENT_LENGTH"]) // (1024 * 1024)
        return _page(413, _("The upload is larger than the limit of %(mb)s MB.", mb=limit))

    @app.errorhandler(500)
    def _server_error(_error: Any) -> Any:
        app.logger.exception("Error on %s", request.path)
        return _page(500, _("The server could not finish this request."))
