"""CSV export of public reports for the office (UTF-8 with BOM, formula-safe). No Flask.

One row per report the user may see, with the same filters as the queue.
Reporters' contact data is never exported: the file travels by e-mail and
USB stick, the queue is where contact details are read.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any, BinaryIO

from sqlite_utils import Database

from workbench import auth
from workbench.exports.sheets import neutralize
from workbench.messages import Translator
from workbench.reports.intake import format_tracking_code
from workbench.reports.queue import filter_clause
from workbench.vocabulary import REPORT_CHANNELS, REPORT_KINDS, REPORT_MATCHES, REPORT_STATUSES

COLUMNS = ("id", "tracking_code", "received_at", "status", "kind", "description",
           "suggestion", "sign_code", "sign_zh", "site", "county", "match", "place",
           "latitude", "longitude", "location_source", "duplicate_of", "photo",
           "rejection_reason", "decided_by", "decided_at", "fixed_at", "channel")


def _rows(db: Database, user: auth.User, filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
    clause, params = filter_clause(user, dict(filters, grouped=False))
    yield from db.query(f"""
        SELECT r.*, s.sign_code AS linked_code, s.zh AS sign_zh, st.name_zh AS site_zh,
               c.name_zh AS county_zh
        FROM reports r LEFT JOIN signs s ON s.id = r.sign_id
        LEFT JOIN sites st ON st.id = r.site_id LEFT JOIN counties c ON c.id = r.county_id
        {clause} ORDER BY r.id""", params)


def _line(row: dict[str, Any], translator: Translator | None) -> list[Any]:
    return [
        row["id"], format_tracking_code(row["tracking_code"]), row["created_at"][:19],
        REPORT_STATUSES.text(row["status"], translator),
        REPORT_KINDS.text(row["kind"], translator), row["description"], row["suggestion"],
        row["linked_code"] or row["sign_code"] or "", row["sign_zh"] or "",
        row["site_zh"] or "", row["county_zh"] or "",
        REPORT_MATCHES.text(row["match_method"], translator) if row["match_method"] else "",
        row["place"], row["latitude"], row["longitude"], row["location_source"] or "",
        row["duplicate_of"] or "", "yes" if row["photo_file"] else "",
        row["rejection_reason"] or "", row["decided_by"] or "", (row["decided_at"] or "")[:19],
        (row["fixed_at"] or "")[:19], REPORT_CHANNELS.text(row["channel"], translator)]


def write_reports_csv(db: Database, user: auth.User, stream: BinaryIO,
                      filters: dict[str, Any] | None = None,
                      translator: Translator | None = None) -> int:
    """Write the reports the user may see as CSV to ``stream``; returns the row count.

    Every text cell that a spreadsheet would run as a formula is neutralized.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    count = 0
    for row in _rows(db, user, filters or {}):
        writer.writerow([neutralize(cell) for cell in _line(row, translator)])
        count += 1
    text.flush()
    text.detach()
    return count
