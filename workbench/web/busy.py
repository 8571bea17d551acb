"""A busy database never costs a user their edit.

SQLite lets one writer at a time; a long write (a large import) can hold the
lock past the busy timeout. Every view is wrapped by :func:`retry_on_busy`:
when the database stays busy and the request has not changed anything yet,
the view runs again (``BUSY_RETRIES`` times, after a short random pause). If
it is still busy, the answer is a 503 page that says so and carries the
user's form back to them — every text they typed, in a form that sends it
again — never a 500 and never a lost edit.
"""
from __future__ import annotations

import functools
import random
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from flask import current_app, g, render_template, request
from flask_babel import lazy_gettext as _l

from workbench.db import is_busy_error
from workbench.errors import Busy
from workbench.web.i18n import message_text

# Form fields shown to the user as text on the busy page (others travel hidden).
TEXT_FIELD_MIN_LENGTH = 30
FIELD_LABELS = {"text": _l("Translation"), "body": _l("Comment"), "note": _l("Note"),
                "reason": _l("Reason"), "question": _l("Question"), "comment": _l("Comment")}
RETRY_AFTER_SECONDS = 3


def _changes_so_far() -> int | None:
    """How many rows this request's connection has changed (None before it has one)."""
    database = g.get("db")
    return database.conn.total_changes if database is not None else None


def _rewind_uploads() -> None:
    # A retried view reads its uploads again from the start.
    for storage in request.files.values():
        stream = getattr(storage, "stream", None)
        if stream is not None and hasattr(stream, "seek"):
            try:
                stream.seek(0)
            except (OSError, ValueError):
                pass


def retry_on_busy(view: Callable) -> Callable:
    """Run ``view`` again while the database is busy and nothing was written yet."""
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        retries = max(0, int(current_app.config.get("BUSY_RETRIES", 2)))
        for attempt in range(retries + 1):
            before = _changes_so_far()
            try:
                return view(*args, **kwargs)
            except (Busy, sqlite3.OperationalError) as error:
                if not isinstance(error, Busy) and not is_busy_error(error):
                    raise
                after = _changes_so_far()
                wrote = before is not None and after is not None and after != before
                if attempt == retries or wrote:
                    # Something of this request may already be saved: running it
                    # again could do it twice, so the user decides.
                    if isinstance(error, Busy):
                        raise
                    raise Busy() from error
                current_app.logger.info("Database busy on %s; retry %s of %s",
                                        request.path, attempt + 1, retries)
                _rewind_uploads()
                time.sleep(random.uniform(0.05, 0.25))
        raise Busy()  # not reached: the loop returns or raises
    return wrapped


def wrap_views(app: Any) -> None:
    """Put :func:`retry_on_busy` around every view of the app (static files excepted)."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static" and not getattr(view, "_busy_wrapped", False):
            wrapped = retry_on_busy(view)
            wrapped._busy_wrapped = True  # type: ignore[attr-defined]
            app.view_functions[endpoint] = wrapped


def _form_fields() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The posted fields as (shown as text, kept hidden); the CSRF token is renewed, not kept."""
    shown: list[tuple[str, str]] = []
    hidden: list[tuple[str, str]] = []
    for name, value in request.form.items(multi=True):
        if name == "csrf_token":
            continue
        is_text = len(value) >= TEXT_FIELD_MIN_LENGTH or " " in value.strip() or \
            "\n" in value or name in ("text", "body", "note", "reason", "question", "comment")
        (shown if is_text else hidden).append((name, value))
    return shown, hidden


def field_label(name: str) -> str:
    """A form field's name as the busy page shows it."""
    return str(FIELD_LABELS.get(name, name))


def busy_page(error: Busy | None = None) -> Any:
    """The 503 answer: what happened, and the user's form to send again."""
    shown, hidden = _form_fields() if request.method == "POST" else ([], [])
    page = render_template(
        "errors/busy.html", message=message_text((error or Busy()).message),
        shown=shown, hidden=hidden, action=request.full_path.rstrip("?"),
        had_files=any(storage.filename for storage in request.files.values()),
        is_post=request.method == "POST", field_label=field_label)
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app: Any) -> None:
    """Answer a busy database with :func:`busy_page` wherever it surfaces."""

    @app.errorhandler(Busy)
    def _busy(error: Busy) -> Any:
        return busy_page(error)

    @app.errorhandler(sqlite3.OperationalError)
    def _operational(error: sqlite3.OperationalError) -> Any:
        if is_busy_error(error):
            return busy_page()
        raise error
