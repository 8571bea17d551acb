"""Triage of a public report: read the photo, match the sign, run QA, group duplicates.

:func:`triage_report` is written as a job: it takes the report's id and the
settings, reports progress through a callback, runs no threads, and is
idempotent — running it again on an unchanged report changes nothing and
writes no audit event. For now it runs right after intake, in the same
request; the job system can run it as a job kind later.

The OCR step is :func:`read_photo_text`, the only place that knows about
:mod:`workbench.ocr`. Once the office has decided a report (confirmed,
fixed, rejected), triage no longer changes its sign, county or group; it
only refreshes what was read and the QA findings.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.errors import ValidationError
from workbench.messages import Message, msg, to_data
from workbench.reports import matching
from workbench.reports.queue import report_row

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
STEPS = 4  # read the photo, match, QA, save
DECIDED = frozenset({"confirmed", "fixed", "rejected"})
OPEN = ("new", "confirmed")
# The columns triage sets; a re-run that would write the same values writes nothing.
TRIAGE_COLUMNS = ("sign_id", "site_id", "county_id", "match_method", "match_score",
                  "duplicate_of", "triage_json")


def pending_ids(db: Database) -> list[int]:
    """The ids of the reports still new, oldest first (for re-running triage on them)."""
    return [row[0] for row in db.execute("SELECT id FROM reports WHERE status = 'new' "
                                         "ORDER BY id")]


def triage_actor() -> auth.User:
    """Who triage's changes are recorded as."""
    return auth.User(id=None, username="system:triage", role="system")


@dataclass
class PhotoText:
    """What OCR read on a report's photo: the Chinese, the foreign texts, the engine."""

    zh: str = ""
    foreign: dict[str, str] = field(default_factory=dict)
    engine: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"zh": self.zh, "foreign": dict(self.foreign), "engine": self.engine}


def read_photo_text(path: Path, settings: Mapping[str, Any]) -> tuple[PhotoText | None,
                                                                      Message | None]:
    """The OCR step: the text on the report's photo, or None and a note saying why not.

    OCR failing never fails triage: the office still sees the photo and the
    sign's current wording is checked instead.
    """
    if not settings.get("REPORT_OCR", True):
        return None, msg("Reading photos (OCR) is switched off.")
    from workbench import ocr

    try:
        result = ocr.read_image(path.read_bytes(), settings, name=path.name)
    except ocr.engine.OcrUnavailable:
        return None, msg("No OCR engine is installed, so the photo was not read.")
    except (OSError, ValidationError) as error:
        log.warning("OCR of %s failed: %s", path, error)
        return None, msg("The photo could not be read automatically.")
    return PhotoText(result.zh, dict(result.foreign), ocr.ENGINE_NAME), None


def _sign_for_qa(db: Database, sign_id: int | None) -> dict[str, Any] | None:
    if sign_id is None:
        return None
    sign = next(db.query("SELECT id, zh, function FROM signs WHERE id = ?", [sign_id]), None)
    if sign is not None:
        sign["texts"] = {r["lang"]: r["text"] for r in db.query(
            "SELECT lang, text FROM sign_current_texts WHERE sign_id = ? ORDER BY lang",
            [sign_id])}
    return sign


def qa_findings(db: Database, reading: PhotoText | None,
                sign: dict[str, Any] | None) -> tuple[list[dict[str, Any]], str | None]:
    """QA on the foreign text read from the photo, else on the sign's installed wording.

    Returns the findings (messages as stored data) and which text was checked
    (``photo`` or ``sign``; None when there was nothing to check).
    """
    from workbench.checks import run_checks

    if reading is not None and reading.foreign:
        source = reading.zh or (sign["zh"] if sign else "")
        texts, origin = reading.foreign, "photo"
    elif sign is not None and sign["texts"]:
        source, texts, origin = sign["zh"], sign["texts"], "sign"
    else:
        return [], None
    function = sign["function"] if sign else None
    found = []
    for lang, text in sorted(texts.items()):
        for finding in run_checks(db, source, text, lang, function=function, profile="sign"):
            found.append({"lang": lang, "text": text, "check": finding.check,
                          "severity": finding.severity, "message": to_data(finding.message),
                          "start": finding.start, "end": finding.end,
                          "suggestion": finding.suggestion})
    return found, origin


def group_head(db: Database, report_id: int, sign_id: int | None) -> int | None:
    """The open report this one duplicates: the first open one about the same sign."""
    if sign_id is None:
        return None
    if db.execute("SELECT 1 FROM reports WHERE duplicate_of = ? LIMIT 1",
                  [report_id]).fetchone():
        return None  # it heads a group already
    row = db.execute(
        "SELECT id FROM reports WHERE sign_id = ? AND id != ? AND status IN (?, ?) "
        "AND duplicate_of IS NULL ORDER BY id LIMIT 1", [sign_id, report_id, *OPEN]).fetchone()
    return row[0] if row else None


def _link(db: Database, report: dict[str, Any], reading: PhotoText | None,
          radius_m: float) -> matching.Match:
    """The report's sign: kept when decided, else found by :func:`matching.match_report`."""
    if report["status"] in DECIDED:
        return matching.Match(report["sign_id"], report["site_id"], report["county_id"],
                              report["match_method"], report["match_score"])
    return matching.match_report(
        db, sign_code=report["sign_code"], zh=reading.zh if reading else "",
        foreign=reading.foreign if reading else {}, latitude=report["latitude"],
        longitude=report["longitude"], county_id=report["reported_county_id"],
        radius_m=radius_m)


def triage_report(db: Database, report_id: int, *, settings: Mapping[str, Any] | None = None,
                  progress: Progress | None = None) -> dict[str, Any]:
    """Read, match, check and group one report; returns what triage found (as stored)."""
    settings = settings or {}
    tick = progress or (lambda _done, _total: None)
    report = report_row(db, report_id)
    reading, note = None, None
    if report["photo_file"]:
        reading, note = read_photo_text(
            Path(settings.get("UPLOAD_DIR") or ".") / report["photo_file"], settings)
    tick(1, STEPS)
    found = _link(db, report, reading, float(settings.get("REPORT_MATCH_RADIUS_M") or 300))
    tick(2, STEPS)
    findings, checked = qa_findings(db, reading, _sign_for_qa(db, found.sign_id))
    tick(3, STEPS)
    triage = {"reading": reading.to_dict() if reading else None, "note": to_data(note),
              "checked": checked, "findings": findings,
              "candidates": [c.to_dict() for c in found.candidates]}
    decided = report["status"] in DECIDED
    values = {
        "sign_id": found.sign_id, "site_id": found.site_id,
        "county_id": found.county_id or report["reported_county_id"],
        "match_method": found.method, "match_score": found.score,
        "duplicate_of": report["duplicate_of"] if decided
        else group_head(db, report_id, found.sign_id),
        "triage_json": _dumps(triage if not decided else _keep_candidates(report, triage))}
    _save(db, report, values)
    tick(4, STEPS)
    return triage


def _keep_candidates(report: dict[str, Any], triage: dict[str, Any]) -> dict[str, Any]:
    """A decided report keeps the candidates triage showed when it was decided."""
    before = json.loads(report["triage_json"]) if report["triage_json"] else {}
    return dict(triage, candidates=before.get("candidates", []))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _save(db: Database, report: dict[str, Any], values: dict[str, Any]) -> None:
    with transaction(db):
        current = report_row(db, report["id"])
        before = {column: current[column] for column in TRIAGE_COLUMNS}
        if current["status"] != report["status"]:
            # Decided while triage ran: the office's link stands; only what was read is new.
            values = dict(before, triage_json=values["triage_json"])
        if before == values:
            return  # nothing new: a re-run writes nothing
        db.table("reports").update(report["id"], dict(values, triaged_at=audit.now_iso()))
        summary = {"findings": len(json.loads(values["triage_json"]).get("findings", []))}
        audit.record(db, triage_actor(), "report.triage", "report", report["id"],
                     {k: v for k, v in before.items() if k != "triage_json"},
                     dict({k: v for k, v in values.items() if k != "triage_json"}, **summary))
