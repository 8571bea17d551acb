"""Helpers shared by the web forms."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import flash
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from workbench.errors import ValidationError
from workbench.web.i18n import message_text, translator


def select_choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as the options of a select, radio or check-box field.

    WTForms 3.3 deprecates bare tuples as choices (4.0 drops them); every form
    builds its options here, so the pairs helpers keep serving templates too.
    """
    return [SelectChoice(value, label) for value, label in pairs]


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
