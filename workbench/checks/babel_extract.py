"""Babel extraction of the checks' data-table text that users read.

The Chinglish table's ``reason`` column is shown inside QA findings, so each
reason is a message id like any other: ``make messages`` extracts it with this
method (``babel.cfg``), translators translate it in the catalogue, and the
check wraps it in a :class:`~workbench.messages.Message`.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO


def extract_table_column(fileobj: BinaryIO, keywords: Any, comment_tags: Any,
                         options: dict[str, str]) -> Iterator[tuple[int, None, str, list[str]]]:
    """Yield ``(line, None, text, comments)`` for each non-empty cell of the column named by
    the ``column`` option (default ``reason``) of a tab-separated table."""
    column = options.get("column", "reason")
    index: int | None = None
    for number, raw in enumerate(fileobj, start=1):
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if index is None:
            index = cells.index(column) if column in cells else -1
            continue
        if 0 <= index < len(cells) and cells[index]:
            yield number, None, cells[index], [f"data table column {column}"]
