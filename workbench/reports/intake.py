"""Taking in a public report: limits, honeypot, checks, photo, tracking code. No Flask.

:func:`submit_report` is the one way a report enters the workbench, whether
from the public web form or the partner API. In order:

1. the rate limits (:mod:`workbench.reports.limits`) — before anything is
   parsed, so a flood costs little;
2. the honeypot field (a form field people never see, bots fill in);
3. every field is checked and *all* problems are listed; nothing is stored
   unless everything is right;
4. the photo is checked by content and re-encoded by the sign-photo code
   (:func:`workbench.inventory.photos.prepare_photo`): its EXIF GPS position
   is read and kept as the report's location, and the stored JPEG carries no
   metadata at all;
5. the report, its files and its audit event are written in one transaction.

The reporter gets a random tracking code, the only key to the report's
public status page.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import insert_row, transaction
from workbench.errors import Problem, ValidationError
from workbench.inventory import photos
from workbench.messages import msg
from workbench.reports import limits
from workbench.vocabulary import REPORT_CHANNELS, REPORT_KINDS

# Tracking codes: 12 characters without look-alikes (0/O, 1/I/L), about 59 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
MAX_LENGTHS = {"description": 2000, "suggestion": 500, "contact": 200, "place": 300}
SIGN_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_\-./]{0,39}$")
DEFAULT_MAX_PHOTO_BYTES = 10 * 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def public_actor(channel: str = "web") -> auth.User:
    """Who public submissions are recorded as: no id, a role that may do nothing else."""
    return auth.User(id=None, username=f"public:{channel}", role="public")


@dataclass
class ReportInput:
    """What a reporter sent, as text (forms and multipart send text); photo as bytes."""

    kind: str = ""
    description: str = ""
    suggestion: str = ""
    contact: str = ""
    sign_code: str | None = None
    place: str = ""
    county: str | None = None  # county id, code or name, optional
    latitude: Any = None
    longitude: Any = None
    photo: bytes | None = None
    photo_name: str = "photo"
    honeypot: str = ""
    channel: str = "web"
    locale: str | None = None


@dataclass
class Receipt:
    """What the reporter gets back."""

    report_id: int
    tracking_code: str


@dataclass
class _Clean:
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def normalize_sign_code(value: str | None) -> str | None:
    """A sign code as stored (NFKC, upper case, trimmed), or None when empty."""
    code = unicodedata.normalize("NFKC", value or "").strip().upper()
    return code or None


def normalize_tracking_code(value: str | None) -> str:
    """A typed tracking code as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-]+", "", unicodedata.normalize("NFKC", value or "")).upper()


def format_tracking_code(code: str) -> str:
    """A tracking code in groups of four, easier to read out and copy (ABCD-EFGH-JKMN)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _text(value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value or ""))
    return _CONTROL.sub("", text).strip()


def _coordinate(value: Any, column: str, low: float, high: float,
                clean: _Clean) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        number = float("nan")
    if not low <= number <= high:  # also refuses NaN
        clean.problems.append(Problem(msg("Not a valid coordinate."), column=column,
                                      value=str(value)[:40]))
        return None
    return round(number, 7)


def _county_id(db: Database, value: str | None, clean: _Clean) -> int | None:
    key = _text(value)
    if not key:
        return None
    row = db.execute(
        "SELECT id FROM counties WHERE active = 1 AND (CAST(id AS TEXT) = ? OR lower(code) = "
        "lower(?) OR name_zh = ? OR lower(name_en) = lower(?)) LIMIT 1",
        [key, key, key, key]).fetchone()
    if row is None:
        clean.problems.append(Problem(msg("Unknown county."), column="county", value=key[:40]))
        return None
    county_id: int = row[0]
    return county_id


def _check_texts(report: ReportInput, clean: _Clean) -> None:
    for name, limit in MAX_LENGTHS.items():
        text = _text(getattr(report, name))
        if len(text) > limit:
            clean.problems.append(Problem(
                msg("Too long: at most %(limit)s characters.", limit=limit), column=name))
        clean.values[name] = text[:limit]
    if report.kind not in REPORT_KINDS:
        clean.problems.append(Problem(msg("Choose what is wrong with the sign."),
                                      column="kind"))
    elif report.kind == "other" and not clean.values["description"]:
        clean.problems.append(Problem(msg("Describe what is wrong."), column="description"))
    clean.values["kind"] = report.kind


def _check_sign(db: Database, report: ReportInput, clean: _Clean) -> None:
    code = normalize_sign_code(report.sign_code)
    clean.values["sign_code"] = code
    if code is None:
        return
    if not SIGN_CODE_RE.match(code) or db.execute(
            "SELECT 1 FROM signs WHERE sign_code = ?", [code]).fetchone() is None:
        clean.problems.append(Problem(msg("No sign has this code. Check the code on the "
                                          "sign, or leave it empty."), column="sign_code",
                                      value=code[:40]))


def check_input(db: Database, report: ReportInput) -> dict[str, Any]:
    """Every field checked; the clean values, or ValidationError listing every problem."""
    clean = _Clean()
    _check_texts(report, clean)
    _check_sign(db, report, clean)
    clean.values["latitude"] = _coordinate(report.latitude, "latitude", -90, 90, clean)
    clean.values["longitude"] = _coordinate(report.longitude, "longitude", -180, 180, clean)
    if (clean.values["latitude"] is None) != (clean.values["longitude"] is None):
        clean.problems.append(Problem(msg("Give both latitude and longitude, or neither."),
                                      column="latitude"))
        clean.values["latitude"] = clean.values["longitude"] = None
    clean.values["reported_county_id"] = _county_id(db, report.county, clean)
    if report.channel not in REPORT_CHANNELS:
        clean.problems.append(Problem(msg("Unknown channel."), column="channel"))
    clean.values["channel"] = report.channel
    if clean.problems:
        raise ValidationError(clean.problems, summary=msg(
            "The report has problems; please correct them and send it again."))
    return clean.values


def _needs_place(values: dict[str, Any], has_photo: bool) -> bool:
    """A report not about a known sign must say where the sign is (or show it)."""
    return not (values["sign_code"] or has_photo or values["place"]
                or values["latitude"] is not None or values["reported_county_id"])


def _new_tracking_code(db: Database) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.execute("SELECT 1 FROM reports WHERE tracking_code = ?", [code]).fetchone() is None:
            return code


def _write_photo(upload_dir: str | Path, report_id: int,
                 photo: photos.PreparedPhoto) -> tuple[str, str]:
    folder = Path(upload_dir) / "reports" / str(report_id)
    folder.mkdir(parents=True, exist_ok=True)
    stem = uuid.uuid4().hex
    (folder / f"{stem}.jpg").write_bytes(photo.data)
    (folder / f"{stem}_thumb.jpg").write_bytes(photo.thumbnail)
    return f"reports/{report_id}/{stem}.jpg", f"reports/{report_id}/{stem}_thumb.jpg"


def _prepare_photo(report: ReportInput, settings: Mapping[str, Any],
                   values: dict[str, Any]) -> photos.PreparedPhoto | None:
    if not report.photo:
        return None
    limit = int(settings.get("REPORT_MAX_PHOTO_BYTES") or DEFAULT_MAX_PHOTO_BYTES)
    try:
        prepared = photos.prepare_photo(report.photo, report.photo_name or "photo", limit)
    except ValidationError as error:
        raise ValidationError([Problem(p.reason, column="photo") for p in error.problems],
                              summary=error.summary) from None
    if prepared.latitude is not None:
        # Where the photo was taken is where the sign is: it wins over the device's place.
        values.update(latitude=prepared.latitude, longitude=prepared.longitude,
                      location_source="photo")
    return prepared


def _audit_view(row: dict[str, Any]) -> dict[str, Any]:
    """What the audit history keeps of a new report: no contact data, no address key."""
    kept = {k: v for k, v in row.items() if k not in ("contact", "address_key")}
    kept["has_contact"] = bool(row.get("contact"))
    return kept


def submit_report(db: Database, report: ReportInput, *, settings: Mapping[str, Any],
                  address: str | None = None) -> Receipt:
    """Take in one public report (see the module's docstring); returns its tracking code.

    Raises :class:`workbench.reports.limits.RateLimited` when the sender or the
    sign has used up its window, and ValidationError listing every problem.
    """
    key = limits.address_key(address, settings.get("SECRET_KEY"))
    sign_code = normalize_sign_code(report.sign_code)
    limits.check(db, limits.RateLimits.from_settings(settings), key, sign_code)
    if _text(report.honeypot):
        limits.record_attempt(db, key, sign_code, limits.HONEYPOT)
        # Say nothing a bot could learn from: the same words as any refusal.
        raise ValidationError.single(msg("The report could not be accepted."))
    try:
        values = check_input(db, report)
        values["location_source"] = "device" if values["latitude"] is not None else None
        prepared = _prepare_photo(report, settings, values)
        if _needs_place(values, prepared is not None):
            raise ValidationError.single(msg("Say where the sign is, or add a photo of it."),
                                         column="place")
    except ValidationError:
        limits.record_attempt(db, key, sign_code, limits.INVALID)
        raise
    now = audit.now_iso()
    actor = public_actor(values["channel"])
    with transaction(db):
        # Again, now holding the write lock: concurrent submissions that all passed the
        # first check cannot together go over the limit.
        limits.check(db, limits.RateLimits.from_settings(settings), key, sign_code)
        code = _new_tracking_code(db)
        row = dict(values, tracking_code=code, status="new", locale=report.locale,
                   address_key=key, created_at=now, updated_at=now)
        report_id = insert_row(db, "reports", row)
        if prepared is not None:
            photo_file, photo_thumb = _write_photo(settings.get("UPLOAD_DIR") or ".",
                                                   report_id, prepared)
            photo_columns = {"photo_file": photo_file, "photo_thumb": photo_thumb,
                             "photo_width": prepared.width, "photo_height": prepared.height,
                             "photo_bytes": len(prepared.data),
                             "photo_sha256": prepared.sha256}
            db.table("reports").update(report_id, photo_columns)
            row.update(photo_columns)
        audit.record(db, actor, "report.submit", "report", report_id, None,
                     _audit_view(dict(row, id=report_id)))
        limits.record_attempt(db, key, sign_code, limits.ACCEPTED)
    return Receipt(report_id, code)
