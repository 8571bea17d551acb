"""Helpers shared by the web forms."""
from __future__ import annotations

from collections.abc import Iterable

from flask import flash
from flask_wtf import FlaskForm

from workbench.errors import ValidationError
from workbench.web.i18n import message_text, translator


def show_problems(form: FlaskForm, error: ValidationError,
                  flash_columns: Iterable[str] = ()) -> None:
    """Put each problem of a domain ValidationError next to its form field.

    Problems about a column the form has no single field for (or one listed in
    ``flash_columns``) become flash messages that say where and what.
    """
    flashed = set(flash_columns)
    for problem in error.problems:
        field = getattr(form, problem.column or "", None)
        if field is not None and hasattr(field, "errors") and problem.column not in flashed:
            field.errors = list(field.errors) + [message_text(problem.reason)]
        else:
            flash(problem.render(translator()), "error")
