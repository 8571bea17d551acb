"""Rows of a CSV or XLSX file, streamed within the limits, for every spreadsheet importer.

:func:`read_sheet` decides the kind by content (a ZIP is XLSX), then:

- **CSV** is decoded by the one text rule (:mod:`workbench.files.decoding`), split
  on ``,`` ``;`` or tab (whichever the first line uses most) and yielded a record
  at a time; rows, columns and cells are counted as they come.
- **XLSX** is checked first by a streaming scan (:mod:`workbench.files.xlsxscan`)
  — every member's real size, the first sheet's last row and column, its cells,
  the shared-string table — and only a workbook within the limits is handed to
  python-calamine, which is fast and reads Excel's 1900 and 1904 date systems.

Rows come as ``(row number, cells)`` with 1-based numbers as a spreadsheet
program shows them; cells are str (CSV) or calamine's values (str, float, int,
bool, date, datetime, time, timedelta; empty cells are ``""``).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from workbench.errors import ValidationError
from workbench.files import decoding, xlsxscan
from workbench.files.limits import UploadLimits, count_exceeded
from workbench.files.zipfiles import open_zip
from workbench.messages import msg

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DELIMITERS = (",", ";", "\t")
# A physical CSV line with this many delimiters per allowed column cannot be a
# row of the allowed width, even with quoted delimiters inside cells.
DELIMITERS_PER_COLUMN = 4


@dataclass
class Sheet:
    """A read spreadsheet: its rows (lazily), the CSV encoding, merged header ranges."""

    rows: Iterator[tuple[int, list[Any]]]
    kind: str
    encoding: str | None = None
    merged: list[str] = field(default_factory=list)


def cell_reference(row: int, column: int) -> str:
    """``A1`` notation of a 1-based (row, column)."""
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return f"{letters}{row}"


def read_sheet(data: bytes, file_name: str, limits: UploadLimits) -> Sheet:
    """The rows of CSV or XLSX bytes (chosen by content, then by extension)."""
    if not data.strip():
        raise ValidationError.single(msg("The file is empty."))
    if data.startswith(ZIP_MAGIC):
        return read_xlsx(data, limits)
    if data.startswith(OLE_MAGIC):
        raise ValidationError.single(msg(
            "Old Excel .xls files cannot be read; save the sheet as .xlsx or CSV."))
    if PurePath(file_name or "").suffix.lower() in (".xlsx", ".xlsm"):
        raise ValidationError.single(msg("The file is not a readable .xlsx workbook."))
    return read_csv(data, limits)


# --- CSV -----------------------------------------------------------------------------------

def read_csv(data: bytes, limits: UploadLimits) -> Sheet:
    """CSV rows in any accepted encoding and delimiter, bounded while they are read."""
    encoding = decoding.detect_encoding(data, msg("the CSV file"))
    lines = decoding.text_lines(data, encoding)
    first = next(lines, "")
    delimiter = max(DELIMITERS, key=first.count)
    if first.count(delimiter) == 0:
        delimiter = ","
    return Sheet(_csv_rows(first, lines, delimiter, limits), "csv", encoding)


def _bounded_lines(first: str, lines: Iterator[str], delimiter: str,
                   limits: UploadLimits) -> Iterator[str]:
    widest = limits.import_max_columns * DELIMITERS_PER_COLUMN
    for line in _chain(first, lines):
        if line.count(delimiter) > widest:
            raise _too_many_columns(limits)
        yield line


def _chain(first: str, lines: Iterator[str]) -> Iterator[str]:
    yield first
    yield from lines


def _csv_rows(first: str, lines: Iterator[str], delimiter: str,
              limits: UploadLimits) -> Iterator[tuple[int, list[Any]]]:
    reader = csv.reader(_bounded_lines(first, lines, delimiter, limits), delimiter=delimiter)
    number, cells = 0, 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ValidationError.single(msg(
                "The CSV file cannot be read at row %(row)s: %(reason)s", row=number + 1,
                reason=str(error)), row=number + 1) from None
        number += 1
        _check_row(number, len(row), limits)
        cells += len(row)
        if cells > limits.import_max_cells:
            raise count_exceeded(msg("cells"), limits.import_max_cells, "IMPORT_MAX_CELLS",
                                 row=number)
        yield number, row


def _check_row(number: int, width: int, limits: UploadLimits) -> None:
    if number > limits.import_max_rows + 1:  # the header row does not count
        raise count_exceeded(msg("rows"), limits.import_max_rows, "IMPORT_MAX_ROWS",
                             hint=msg("Split it into smaller files."))
    if width > limits.import_max_columns:
        raise _too_many_columns(limits, number)


def _too_many_columns(limits: UploadLimits, row: int | None = None) -> ValidationError:
    return count_exceeded(msg("columns"), limits.import_max_columns, "IMPORT_MAX_COLUMNS",
                          row=row)


# --- XLSX ----------------------------------------------------------------------------------

def read_xlsx(data: bytes, limits: UploadLimits) -> Sheet:
    """The first worksheet's rows, read by calamine once the scan found it within limits."""
    archive = open_zip(data, limits, msg("the workbook"))
    try:
        extent, shared_strings = xlsxscan.scan_workbook(archive, limits)
    finally:
        archive.close()
    _check_extent(extent, shared_strings, limits)
    worksheet = _calamine_sheet(data)
    merged = [f"{cell_reference(top + 1, left + 1)}:{cell_reference(bottom + 1, right + 1)}"
              for (top, left), (bottom, right) in (worksheet.merged_cell_ranges or [])]
    return Sheet(_xlsx_rows(worksheet), "xlsx", None, merged)


def _check_extent(extent: xlsxscan.SheetExtent, shared_strings: int,
                  limits: UploadLimits) -> None:
    if extent.last_row > limits.import_max_rows + 1:
        raise count_exceeded(msg("rows"), limits.import_max_rows, "IMPORT_MAX_ROWS",
                             hint=msg("Split it into smaller files."))
    if extent.last_column > limits.import_max_columns:
        raise _too_many_columns(limits)
    # calamine holds the block from A1 to the last cell, empty cells included.
    if max(extent.cells, extent.last_row * extent.last_column,
           shared_strings) > limits.import_max_cells:
        raise count_exceeded(msg("cells"), limits.import_max_cells, "IMPORT_MAX_CELLS")


def _calamine_sheet(data: bytes) -> Any:
    import python_calamine

    unreadable = msg("The file is not a readable .xlsx workbook (old .xls files: save as "
                     ".xlsx).")
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise ValidationError.single(msg("The workbook has no worksheet."))
        return workbook.get_sheet_by_index(0)
    except python_calamine.CalamineError as error:
        raise ValidationError.single(msg("%(problem)s (%(detail)s)", problem=unreadable,
                                         detail=str(error))) from None
    except BaseException as error:
        if type(error).__name__ != "PanicException":
            raise
        raise ValidationError.single(unreadable) from None


def _xlsx_rows(worksheet: Any) -> Iterator[tuple[int, list[Any]]]:
    # calamine yields rows from the first row of the sheet, but columns from the
    # first column that holds a value: pad them back to column A.
    start = worksheet.start
    padding = [""] * (start[1] if start else 0)
    for index, row in enumerate(worksheet.iter_rows()):
        yield index + 1, (padding + row) if padding else row
