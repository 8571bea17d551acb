"""Fabrication sheets: one row per sign with its approved wording, as CSV or XLSX.

CSV is UTF-8 with a byte-order mark so that Excel opens Chinese correctly;
XLSX is written by openpyxl in write-only mode (rows stream to disk, memory
stays flat for 100,000 signs). Every text cell that a spreadsheet would read
as a formula is neutralized (:func:`neutralize`).
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlite_utils import Database

from workbench.files.formulas import FORMULA_START, GUARD, guard

from workbench.messages import msg
from workbench.vocabulary import SECTORS, SIGN_FUNCTIONS, UNIT_STATES
from workbench.exports.selection import (BASE_COLUMNS, LANGUAGES_COLUMN, PHOTOS_COLUMN,
                                         ExportFilter, NothingToExport, Progress, SignRecord,
                                         bilingual, chinese_labels, day_in_range, iter_rows,
                                         language_label,
                                         languages_in, nothing_message, photo_file_names,
                                         photo_names, record_from_row, required_languages)

_FORMULA_CHARS = frozenset(FORMULA_START)



def missing_state(lang: str, state: str) -> str:
    """Why a language is missing from an export, in Chinese and English (the files are the
    same for every reader): ``俄语 Russian: 机器初稿 Machine draft``."""
    if lang == "sign":  # the sign itself was sent back
        return bilingual(msg("Sign rejected, back with the county"))
    reason = (msg("No translation unit") if state == "none" else UNIT_STATES.label(state))
    return f"{language_label(lang)}: {bilingual(reason)}"


def neutralize(value: Any) -> Any:
    """Make a cell inert (the workbench's one formula guard,
    :func:`workbench.files.formulas.guard`).

    The apostrophe is the spreadsheet convention for "this is text", so the
    wording stays readable (``'-20 °C``); numbers are left as numbers.
    """
    return guard(value)


@dataclass
class SheetResult:
    """What a sheet export wrote: rows, and the signs left out for missing approvals."""

    rows: int = 0
    missing: list[SignRecord] = field(default_factory=list)


def header(languages: list[str]) -> list[str]:
    """The sheet's column titles (Chinese and English, for sign makers and staff)."""
    return (["标识编号 Sign code", "市县 County", "场所 Site", "行业 Sector", "位置 Location",
             "功能 Function", "数量 Quantity", "尺寸 Size", "材质 Material", "中文 Chinese"]
            + [language_label(lang) for lang in languages]
            + ["审定人 Approved by", "审定日期 Approved on", "照片 Photos"])


def sign_row(record: SignRecord, languages: list[str]) -> list[Any]:
    """One sign's cells, neutralized; blank for a language the sign does not carry."""
    sectors, functions = chinese_labels(SECTORS), chinese_labels(SIGN_FUNCTIONS)
    cells = [record.sign_code, record.county, record.site,
             sectors.get(record.sector, record.sector), record.location,
             functions.get(record.function, record.function), record.quantity,
             record.size, record.material, record.zh]
    cells += [record.texts.get(lang, "") for lang in languages]
    cells += [record.approvers(), record.last_approved_at[:10],
              "; ".join(photo_names(record))]
    return [neutralize(cell) for cell in cells]


MISSING_HEADER = ["标识编号 Sign code", "市县 County", "场所 Site", "位置 Location",
                  "中文 Chinese", "缺少 Missing languages", "状态 Current state"]


def missing_row(record: SignRecord) -> list[Any]:
    """One line of the missing list: which languages lack approved wording, and why."""
    states = "; ".join(missing_state(lang, state) for lang, state in record.missing.items())
    return [neutralize(c) for c in (record.sign_code, record.county, record.site,
                                    record.location, record.zh,
                                    ";".join(record.missing), states)]


def _rows(records: Iterable[SignRecord], languages: list[str],
          result: SheetResult) -> Iterator[list[Any]]:
    for record in records:
        if record.complete:
            result.rows += 1
            yield sign_row(record, languages)
        else:
            result.missing.append(record)


def _fast_rows(db: Database, flt: ExportFilter, languages: list[str], result: SheetResult,
               progress: Progress | None) -> Iterator[list[Any]]:
    """The same rows as :func:`sign_row`, straight from the query's tuples.

    A sheet of 100,000 signs must not build an object per sign; this loop does
    the same work as :func:`workbench.exports.selection.record_from_row` plus
    :func:`sign_row` on plain tuples (a test checks that both give the same sheet).
    """
    text_at = [BASE_COLUMNS + 4 * index + 1 for index in range(len(languages))]
    index_of = {lang: index for index, lang in enumerate(languages)}
    # languages text → (positions of its required languages' wording, per column: carried?)
    required: dict[str, tuple[list[int], list[bool]]] = {}
    dated = bool(flt.approved_since or flt.approved_until)
    formula = _FORMULA_CHARS
    sectors, functions = chinese_labels(SECTORS), chinese_labels(SIGN_FUNCTIONS)
    for row in iter_rows(db, flt, languages, progress=progress):
        wanted = required.get(row[LANGUAGES_COLUMN])
        if wanted is None:
            indexes = [index_of[lang] for lang in required_languages(row[LANGUAGES_COLUMN])
                       if lang in index_of]
            wanted = required[row[LANGUAGES_COLUMN]] = (
                [text_at[index] for index in indexes],
                [index in indexes for index in range(len(languages))])
        positions, carries = wanted
        texts = [row[position] for position in positions]
        if None in texts or row[14] == "rejected":
            result.missing.append(record_from_row(row, languages))
            continue
        day = max([row[position + 2] or "" for position in positions])[:10]
        if dated and not day_in_range(day, flt):
            continue
        approvers = {row[position + 1] for position in positions}
        approver = (approvers.pop() or "") if len(approvers) == 1 else "; ".join(
            dict.fromkeys(row[p + 1] for p in positions if row[p + 1]))
        photos = "; ".join(photo_file_names(row[1], row[PHOTOS_COLUMN].split("\n"))) \
            if row[PHOTOS_COLUMN] else ""
        cells = [row[1], row[3], row[5], sectors.get(row[7], row[7]), row[8],
                 functions.get(row[9], row[9]), row[11], row[12], row[13]]
        cells += [row[position] if carried else ""
                  for position, carried in zip(text_at, carries, strict=True)]
        cells += [approver, day, photos]
        # The formula guard inlined (same rule as files.formulas.guard): 100,000 rows.
        cells = [(GUARD + cell) if cell and cell[0] in formula else cell for cell in cells]
        cells.insert(6, row[10])  # the quantity stays a number
        result.rows += 1
        yield cells


def _finish(db: Database, flt: ExportFilter, result: SheetResult) -> SheetResult:
    if not result.rows:
        raise NothingToExport(nothing_message(db, flt))
    return result


def write_csv(db: Database, flt: ExportFilter, stream: BinaryIO, *,
              progress: Progress | None = None,
              records: Iterable[SignRecord] | None = None) -> SheetResult:
    """Write the fabrication sheet as CSV (UTF-8 with BOM); raises NothingToExport if empty."""
    import io

    languages = languages_in(db, flt)
    result = SheetResult()
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=False)
    try:
        writer = csv.writer(text)
        writer.writerow(header(languages))
        writer.writerows(_rows(records, languages, result) if records is not None
                         else _fast_rows(db, flt, languages, result, progress))
        text.flush()
    finally:
        text.detach()
    return _finish(db, flt, result)


def write_missing_csv(records: Iterable[SignRecord], stream: BinaryIO) -> int:
    """The list of signs left out of an export, as CSV; returns how many."""
    import io

    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    count = 0
    try:
        writer = csv.writer(text)
        writer.writerow(MISSING_HEADER)
        for record in records:
            writer.writerow(missing_row(record))
            count += 1
        text.flush()
    finally:
        text.detach()
    return count


def write_xlsx(db: Database, flt: ExportFilter, stream: BinaryIO | str | Path, *,
               progress: Progress | None = None,
               records: Iterable[SignRecord] | None = None) -> SheetResult:
    """Write the fabrication sheet as XLSX (write-only openpyxl); a second sheet lists the
    signs left out. Raises NothingToExport if no sign has all its wording approved."""
    from openpyxl import Workbook

    languages = languages_in(db, flt)
    result = SheetResult()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("标识 Signs")
    # Widths help sign makers read the wording without resizing columns.
    widths = [16, 12, 20, 12, 20, 10, 8, 12, 12, 24] + [36] * len(languages) + [16, 12, 30]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[_column_letter(index)].width = width
    sheet.freeze_panes = "B2"
    sheet.append(header(languages))
    rows = (_rows(records, languages, result) if records is not None
            else _fast_rows(db, flt, languages, result, progress))
    for row in rows:
        # openpyxl skips None cells entirely; an empty string would still be written.
        sheet.append([None if cell == "" else cell for cell in row])
    if not result.rows:
        workbook.close()
        return _finish(db, flt, result)
    missing_sheet = workbook.create_sheet("缺少 Missing")
    missing_sheet.append(MISSING_HEADER)
    for record in result.missing:
        missing_sheet.append(missing_row(record))
    workbook.save(stream)
    return result


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
