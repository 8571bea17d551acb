"""Bulk import of sign inventories from CSV and XLSX, all or nothing, in explicit phases.

1. **read** — :func:`workbench.files.spreadsheets.read_sheet` streams the rows within the
   upload limits (rows, columns, cells; for XLSX every ZIP member and the sheet's
   extent are checked before python-calamine reads it);
2. **map headers** — :func:`workbench.inventory.columns.map_headers` finds the columns
   (Chinese or English names) and remembers how the file named them;
3. **check rows** — :class:`workbench.inventory.rows.RowChecker` collects *every*
   problem (row, column as the file named it, reason, value, allowed values);
4. **plan** — :func:`workbench.inventory.plan.make_plan` matches existing sites and
   signs, prepares photos and runs the QA checks, outside any write transaction;
5. **write** — :func:`workbench.inventory.write.write_plan` writes in one short
   transaction, after checking that the counties did not change since the plan
   (if they did, the plan is made again).

The upsert key is the sign code when the file gives one (codes are unique per
county), else county + site + location + Chinese text, so importing the same
file twice changes nothing. A dry run stops after the plan.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench import auth
from workbench.errors import Problem, ValidationError
from workbench.files.limits import UploadLimits, check_size, limits_of
from workbench.files.spreadsheets import Sheet, read_sheet
from workbench.files.zipfiles import BoundedZip, open_zip
from workbench.inventory import columns
from workbench.inventory.columns import (
    COLUMNS,
    TEMPLATE_COLUMNS,
    HeaderMap,
    map_headers,
)
from workbench.inventory.plan import ImportPlan, make_plan, photo_index
from workbench.inventory.rows import CheckedRows, RowChecker, county_lookup, nfkc
from workbench.inventory.template import template_csv, template_xlsx
from workbench.inventory.write import StalePlan, write_plan
from workbench.messages import Message, msg, nmsg

__all__ = [
    "COLUMNS",
    "TEMPLATE_COLUMNS",
    "ImportReport",
    "import_inventory",
    "template_csv",
    "template_xlsx",
]

# A plan made stale by another writer is made again this often before giving up.
PLAN_ATTEMPTS = 3
PREVIEW_ROWS = 50


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool
    rows: int = 0
    sites_created: int = 0
    sites_updated: int = 0
    signs_created: int = 0
    signs_updated: int = 0
    signs_unchanged: int = 0
    photos: int = 0
    findings: int = 0
    import_id: int | None = None
    lock_seconds: float | None = None  # how long the write transaction held the lock
    encoding: str | None = None
    warnings: list[Message] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> Message:
        """One line for people."""
        numbers = {"sites": self.sites_created, "signs": self.signs_created,
                   "updated": self.signs_updated, "unchanged": self.signs_unchanged,
                   "photos": self.photos, "rows": self.rows}
        if self.dry_run:
            return msg("Would create %(sites)s sites and %(signs)s signs, would update "
                       "%(updated)s signs (%(unchanged)s unchanged, %(photos)s photos) from "
                       "%(rows)s rows.", **numbers)
        return msg("Created %(sites)s sites and %(signs)s signs, updated %(updated)s signs "
                   "(%(unchanged)s unchanged, %(photos)s photos) from %(rows)s rows.", **numbers)


def import_inventory(db: Database, actor: auth.User, data: bytes, file_name: str, *,
                     county: str | int | None = None, dry_run: bool = False,
                     photos_zip: bytes | None = None, upload_dir: str | Path | None = None,
                     max_photo_bytes: int | None = None, run_checks: bool = True,
                     limits: UploadLimits | dict[str, Any] | None = None,
                     also: Callable[[Database, int], None] | None = None) -> ImportReport:
    """Check a CSV/XLSX inventory and (unless ``dry_run``) write it in one transaction.

    ``county`` (id, name or code) is the default for rows without a county and
    the only county rows may name. An officer may import only into their own
    county. Raises ValidationError listing every problem; nothing is written
    then. ``limits`` are the upload limits (settings or :class:`UploadLimits`);
    ``also(db, import_id)`` runs inside the write transaction.
    """
    auth.require(actor, "inventory.submit")
    limits = limits_of(limits)
    photo_limit = max_photo_bytes or limits.max_photo_bytes
    check_size(len(data), limits.max_import_bytes, "MAX_IMPORT_BYTES")
    sheet = read_sheet(data, file_name, limits)  # read (lazily: rows stream below)
    report = ImportReport(dry_run=dry_run, encoding=sheet.encoding)
    header, rows, default_county = _header_phase(db, actor, sheet, county, report)
    archive = _photo_archive(photos_zip, limits)
    checked = _row_phase(db, actor, header, rows, default_county, archive, sheet.kind)
    for _attempt in range(PLAN_ATTEMPTS):
        for planned in checked.planned:
            planned.existing = None
        # The plan reveals more problems (photos, signs no longer editable): every
        # problem of the file is reported at once.
        plan, problems = make_plan(db, actor, checked, header, archive=archive,
                                   max_photo_bytes=photo_limit,
                                   run_checks=run_checks and not checked.problems)
        if checked.problems or problems:
            raise _problems_error(checked.problems + problems)
        _fill_report(report, plan)
        if dry_run or not plan.changes_anything:
            return report  # nothing to change: write nothing at all
        if plan.photos and upload_dir is None:
            raise ValidationError.single(msg("No upload folder is configured for photos."))
        try:
            written = write_plan(db, actor, plan, file_name, upload_dir=upload_dir,
                                 run_checks=run_checks, also=also)
        except StalePlan:
            continue
        report.import_id = written["import_id"]
        report.lock_seconds = written["lock_seconds"]
        report.created_ids = list(written["created"].values())
        report.updated_ids = list(written["updated"].values())
        report.findings = written["findings"] if run_checks else 0
        return report
    raise ValidationError.single(msg(
        "The inventory of these counties kept changing while the import was being written; "
        "nothing was imported. Try again in a moment."))


# --- header phase --------------------------------------------------------------------------

def _header_phase(db: Database, actor: auth.User, sheet: Sheet, county: str | int | None,
                  report: ImportReport
                  ) -> tuple[HeaderMap, Iterator[tuple[int, list[Any]]], dict[str, Any] | None]:
    rows = sheet.rows
    first = next(rows, None)
    if first is None:
        raise ValidationError.single(msg("The file is empty."))
    _number, cells = first
    merged = next((ref for ref in sheet.merged if _first_row(ref) <= 2), None)
    if merged:
        raise ValidationError.single(msg(
            "The header has merged cells (%(cells)s). Use one header row with one column name "
            "per cell, as in the template.", cells=merged), row=1)
    header = map_headers(cells)
    if len(header.positions) < columns.MIN_RECOGNIZED:
        _no_header(rows, cells)
    default_county = _default_county(db, actor, county)
    problems = header.problems + columns.missing_required(header, default_county is not None)
    if problems:
        raise ValidationError(problems, summary=msg(
            "The header has problems; nothing was imported."))
    if header.extra:
        report.warnings.append(msg("Columns ignored (not in the template): %(columns)s",
                                   columns=", ".join(header.extra)))
    return header, rows, default_county


def _first_row(reference: str) -> int:
    digits = "".join(ch for ch in reference.split(":")[0] if ch.isdigit())
    return int(digits or 0)


def _no_header(rows: Iterator[tuple[int, list[Any]]], first_cells: list[Any]) -> None:
    """Explain why row 1 is not a header: a title row above it, blank rows, or no template."""
    for number, cells in rows:
        if columns.recognized_count(cells) >= columns.MIN_RECOGNIZED:
            if any(str(cell).strip() for cell in first_cells if cell is not None):
                raise ValidationError.single(msg(
                    "Row 1 is a title or merged header row. The column names must be in row 1: "
                    "delete the rows above them (see the template)."), row=1)
            raise ValidationError.single(msg(
                "Row 1 is empty; the column names must be in row 1 (found them in row "
                "%(row)s).", row=number), row=1)
        if number >= 10:
            break
    raise ValidationError.single(columns.not_a_header(first_cells), row=1, value=", ".join(
        str(cell) for cell in first_cells[:6] if cell not in (None, "")))


def _default_county(db: Database, actor: auth.User,
                    county: str | int | None) -> dict[str, Any] | None:
    found = None
    if county not in (None, ""):
        if isinstance(county, int) or str(county).isdigit():
            found = next(db.query("SELECT * FROM counties WHERE id = ?", [int(county)]), None)
        else:
            found = county_lookup(db).get(nfkc(str(county)).lower())
        if found is None:
            raise ValidationError.single(msg("Unknown county %(county)s.", county=str(county)),
                                         column=COLUMNS[1].label, value=county)
    scope = auth.county_scope(actor)
    if scope is not None:
        if found is not None and found["id"] != scope:
            raise ValidationError.single(msg("You may only import signs of your own county."),
                                         column=COLUMNS[1].label, value=found["name_zh"])
        found = found or next(db.query("SELECT * FROM counties WHERE id = ?", [scope]))
    return found


# --- rows, photos, problems ----------------------------------------------------------------

def _photo_archive(photos_zip: bytes | None, limits: UploadLimits) -> BoundedZip | None:
    if photos_zip is None:
        return None
    return open_zip(photos_zip, limits, msg("the ZIP of photos"))


def _row_phase(db: Database, actor: auth.User, header: HeaderMap,
               rows: Iterator[tuple[int, list[Any]]], default_county: dict[str, Any] | None,
               archive: BoundedZip | None, kind: str) -> CheckedRows:
    names = set(photo_index(archive)) if archive is not None else None
    checker = RowChecker(db, actor, header, default_county, names, convert_cells=kind != "csv")
    for number, cells in rows:
        checker.check(number, cells)
    checked = checker.result
    if checked.rows == 0 and not checked.problems:
        raise ValidationError.single(msg("The file has a header but no rows of signs."))
    return checked


def _problems_error(problems: list[Problem]) -> ValidationError:
    problems.sort(key=lambda p: p.row or 0)
    return ValidationError(problems, summary=nmsg(
        "%(n)s problem was found; nothing was imported. Correct the file and import it again.",
        "%(n)s problems were found; nothing was imported. Correct the file and import it "
        "again.", len(problems)))


def _fill_report(report: ImportReport, plan: ImportPlan) -> None:
    report.rows = plan.rows
    report.sites_created = len(plan.sites_to_create)
    report.sites_updated = len(plan.sites_to_update)
    report.signs_created = len(plan.creates)
    report.signs_updated = len(plan.updates)
    report.signs_unchanged = plan.unchanged
    report.photos = len(plan.photos)
    report.findings = sum(len(found) for found in plan.findings.values())
    changed = plan.creates + [update.planned for update in plan.updates]
    report.preview = [{"row": p.row, "site": p.site, "location": p.sign["location"],
                       "zh": p.sign["zh"], "action": p.sign["action"],
                       "change": "create" if p.existing is None else "update"}
                      for p in changed[:PREVIEW_ROWS]]
