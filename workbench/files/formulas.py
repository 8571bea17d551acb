"""The formula guard of every spreadsheet and CSV the workbench writes.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula (and tab or carriage return can smuggle one in): a
term like ``=HYPERLINK(…)`` in a glossary or a sign text would run on the
reader's machine. Every text cell that could be read so gets a leading
apostrophe, the spreadsheet convention for "this is text", in CSV and XLSX
alike; importers take it off again (:func:`unguard`) so that a file exported
and imported back stays the same.
"""
from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def guard(value: Any) -> Any:
    """A cell made inert: formula-like text gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return GUARD + value
    return value


def guard_row(values: list[Any]) -> list[Any]:
    """Every cell of a row guarded."""
    return [GUARD + value if isinstance(value, str) and value.startswith(FORMULA_START)
            else value for value in values]


def unguard(text: str) -> str:
    """Undo :func:`guard` on text read back: ``'=…`` → ``=…`` (other apostrophes stay)."""
    if text.startswith(GUARD) and text[1:2] and text[1] in FORMULA_START:
        return text[1:]
    return text
