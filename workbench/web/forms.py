"""Helpers shared by the web forms: problems next to their fields, errors as one message."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from flask import flash
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from workbench.errors import Problem, ValidationError, WorkbenchError
from workbench.vocabulary import HISTORY_FIELDS, LANGUAGES, TERM_STATUSES
from workbench.web.i18n import message_text, translator

# A glossary file's term column: a language, optionally with the term status (en_admitted).
_TERM_COLUMN = re.compile(r"^([a-z]{2,3}(?:-[A-Za-z0-9]+)*)(?:_(admitted|deprecated|forbidden))?$")


def column_label(column: str | None, form: FlaskForm | None = None) -> str | None:
    """A problem's column as the reader knows it: the form field's label, the field's name
    in the interface language, a glossary term column by language and status; a column
    named by the user's own file stays as the file named it."""
    if not column:
        return column
    field = getattr(form, column, None) if form is not None else None
    if field is not None and hasattr(field, "label"):
        return str(field.label.text)
    if column in HISTORY_FIELDS:
        return HISTORY_FIELDS.text(column, translator())
    term = _TERM_COLUMN.match(column)
    if term and term.group(1) in LANGUAGES:
        language = LANGUAGES.text(term.group(1), translator())
        status = term.group(2) or "preferred"
        return f"{language} · {TERM_STATUSES.text(status, translator())}"
    return column


def problem_text(problem: Problem, form: FlaskForm | None = None) -> str:
    """One problem as a line in the interface language, its column named for the reader."""
    return dataclasses.replace(problem, column=column_label(problem.column, form)).render(
        translator())


def error_message(error: WorkbenchError, form: FlaskForm | None = None) -> str:
    """An error as one message: a validation error with a single problem says it once."""
    if not isinstance(error, ValidationError):
        return error.render(translator())
    summary = message_text(error.summary)
    problems = error.problems
    if len(problems) == 1 and message_text(problems[0].reason) == summary:
        return problem_text(problems[0], form)
    lines = [summary] + [problem_text(problem, form) for problem in problems[:50]]
    if len(problems) > 50:
        lines.append("…")
    return "\n".join(lines)


def flash_error(error: WorkbenchError, form: FlaskForm | None = None) -> None:
    """Flash a domain error for the user, in their language."""
    flash(error_message(error, form), "error")


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
        field: Any = getattr(form, problem.column or "", None)
        if field is not None and hasattr(field, "errors") and problem.column not in flashed:
            field.errors = list(field.errors) + [message_text(problem.reason)]
        else:
            flash(problem_text(problem, form), "error")
