"""The county package: one ZIP with everything a county hands to its sign makers.

Contents (``<code>`` is the county's code, e.g. ``haikou``)::

    <code>-signs.xlsx     fabrication sheet (second sheet: signs left out)
    <code>-signs.csv      the same sheet as CSV (UTF-8 with BOM)
    <code>-proofs.pdf     one print proof per sign
    photos/<sign code>-<n>.jpg   the survey photos of the exported signs
    missing.csv           signs left out: which languages lack approved wording, and why
    README.txt            summary: what is in the package, what is missing
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from workbench.errors import ValidationError
from workbench.exports import proofs, sheets
from workbench.exports.selection import (ExportFilter, NothingToExport, Progress, SignRecord,
                                         iter_signs, nothing_message, photo_names)
from workbench.localtime import local_time, settings_zone
from workbench.messages import Message, msg, render, translator_for


@dataclass
class PackageResult:
    """What went into a county package."""

    rows: int = 0
    photos: int = 0
    missing: list[SignRecord] = field(default_factory=list)
    photos_not_found: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)


def write_package(db: Database, flt: ExportFilter, stream: BinaryIO | str | Path, *,
                  settings: Mapping[str, Any] | None = None,
                  progress: Progress | None = None, actor_name: str = "") -> PackageResult:
    """Write a county's ZIP package; raises NothingToExport when nothing is approved.

    The filter must name a county (a package is per county). Signs are read
    once; the sheet, the proofs and the photo list all come from that reading.
    """
    settings = settings or {}
    if not flt.county_id:
        raise ValidationError.single(msg("A package is made per county: choose a county."),
                                     column="county")
    county = next(db.query("SELECT * FROM counties WHERE id = ?", [flt.county_id]))
    records = list(iter_signs(db, flt))
    complete = [r for r in records if r.complete]
    result = PackageResult(missing=[r for r in records if not r.complete])
    if not complete:
        raise NothingToExport(nothing_message(db, flt))
    total = len(complete) * 2  # proofs, then photos
    upload_dir = Path(settings.get("UPLOAD_DIR") or ".")
    prefix = county["code"]
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, data: bytes, *, compress: bool = True) -> None:
            archive.writestr(name, data, zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
            result.names.append(name)

        buffer = io.BytesIO()
        sheet = sheets.write_xlsx(db, flt, buffer, records=records)
        add(f"{prefix}-signs.xlsx", buffer.getvalue(), compress=False)
        buffer = io.BytesIO()
        sheets.write_csv(db, flt, buffer, records=records)
        add(f"{prefix}-signs.csv", buffer.getvalue())

        def proof_progress(done: int, _total: int) -> None:
            if progress:
                progress(done, total)

        buffer = io.BytesIO()
        proof_result = proofs.write_proofs(db, flt, buffer, settings=settings,
                                           records=_counting(complete, proof_progress))
        result.warnings += proof_result.warnings
        add(f"{prefix}-proofs.pdf", buffer.getvalue(), compress=False)
        for index, record in enumerate(complete, start=1):
            for stored, name in zip(record.photos, photo_names(record), strict=True):
                path = upload_dir / stored
                # Stored names come from the database; refuse anything leaving UPLOAD_DIR.
                if not _inside(path, upload_dir) or not path.is_file():
                    result.photos_not_found.append(f"{record.sign_code}: {stored}")
                    continue
                archive.write(path, name, zipfile.ZIP_STORED)  # JPEG does not compress
                result.names.append(name)
                result.photos += 1
            if progress and index % 200 == 0:
                progress(len(complete) + index, total)
        buffer = io.BytesIO()
        sheets.write_missing_csv(result.missing, buffer)
        add("missing.csv", buffer.getvalue())
        result.rows = sheet.rows
        add("README.txt", summary_text(county, flt, result, actor_name,
                                       settings_zone(settings)).encode("utf-8"))
    if progress:
        progress(total, total)
    return result


def _counting(records: list[SignRecord], progress: Progress) -> Any:
    for index, record in enumerate(records, start=1):
        yield record
        if index % 50 == 0 or index == len(records):
            progress(index, len(records))


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def summary_text(county: Mapping[str, Any], flt: ExportFilter, result: PackageResult,
                 actor_name: str = "", zone: ZoneInfo | None = None) -> str:
    """The package's README: what it holds and, sign by sign, what is still missing.

    Times are shown in ``zone`` (the workbench's default zone when None).
    """
    now = local_time(datetime.now(timezone.utc), zone or settings_zone(None))
    chinese = translator_for("zh")
    lines = [
        f"Signbench county package — {county['name_zh']} {county['name_en']}",
        f"标识制作资料包 — {county['name_zh']}",
        "",
        f"Made: {now}" + (f" by {actor_name}" if actor_name else ""),
        f"Filter: {render(flt.describe())} / 筛选条件：{render(flt.describe(), chinese)}",
        "",
        f"Signs with all wording approved (in the sheet and the proofs): {result.rows}",
        f"已全部审定、可制作的标识: {result.rows}",
        f"Photos included: {result.photos}",
        f"Signs left out because wording is not yet approved: {len(result.missing)}",
        f"因译文未审定而未纳入的标识: {len(result.missing)}",
        "",
        "Only approved wording is in this package. A sign whose text in any required",
        "language is not approved is listed below (and in missing.csv), never exported",
        "with a draft.",
        "",
        "Files:",
    ]
    lines += [f"  {name}" for name in result.names if not name.startswith("photos/")]
    if result.photos:
        lines.append(f"  photos/ ({result.photos} files)")
    if result.missing:
        lines += ["", "Missing approved wording / 缺少审定译文:"]
        for record in result.missing:
            states = "; ".join(sheets.missing_state(lang, state)
                               for lang, state in record.missing.items())
            lines.append(f"  {record.sign_code}  {record.site}  {record.zh}  — {states}")
    if result.photos_not_found:
        lines += ["", "Photo files not found on the server:"]
        lines += [f"  {name}" for name in result.photos_not_found]
    return "\n".join(lines) + "\n"
