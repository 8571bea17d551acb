"""Checked imports waiting for confirmation: kept on the server, per user, within a quota.

A dry run that finds the file clean keeps the file (and its ZIP of photos) in
``<UPLOAD_DIR>/imports`` with a row in ``pending_imports``; the page hands the
user an unguessable token in a form field, never in the session cookie. A
user has at most ``PENDING_IMPORT_MAX_COUNT`` pending imports of at most
``PENDING_IMPORT_MAX_BYTES`` together (the oldest make room for a new one);
each expires after ``PENDING_IMPORT_HOURS``. Keeping, confirming, discarding
and expiring are audited (entity ``pending_import``); a confirmed import is
removed in the import's own write transaction.
"""
from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.errors import NotFound
from workbench.files.limits import UploadLimits, check_size
from workbench.inventory.importer import ImportReport, import_inventory
from workbench.messages import msg

ENTITY = "pending_import"
STRAY_FILE_SECONDS = 3600
DEFAULTS = {"PENDING_IMPORT_HOURS": 24, "PENDING_IMPORT_MAX_BYTES": 100 * 1024 * 1024,
            "PENDING_IMPORT_MAX_COUNT": 5}


def _setting(settings: Mapping[str, Any], name: str) -> int:
    value = settings.get(name)
    return int(DEFAULTS[name] if value in (None, "") else value)


def folder(upload_dir: str | Path) -> Path:
    """Where pending files are kept."""
    path = Path(upload_dir) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _files(upload_dir: str | Path, token: str) -> tuple[Path, Path]:
    base = folder(upload_dir)
    return base / f"{token}.data", base / f"{token}.zip"


def _remove_files(upload_dir: str | Path, token: str) -> None:
    for path in _files(upload_dir, token):
        path.unlink(missing_ok=True)


def _row(db: Database, actor: auth.User, token: str) -> dict[str, Any]:
    row = next(db.query("SELECT * FROM pending_imports WHERE token = ? AND user_id = ?",
                        [token, actor.id]), None) if token and actor.id else None
    if row is None:
        raise NotFound(msg("This import expired or was already done; upload the file again."))
    return row


def list_pending(db: Database, actor: auth.User) -> list[dict[str, Any]]:
    """The user's checked imports waiting for confirmation, newest first."""
    now = audit.now_iso()
    return [dict(row, summary=json.loads(row["summary_json"] or "{}"))
            for row in db.query("SELECT id, token, file_name, bytes, has_photos, summary_json, "
                                "created_at, expires_at FROM pending_imports WHERE user_id = ? "
                                "AND expires_at > ? ORDER BY created_at DESC", [actor.id, now])]


def list_all(db: Database) -> list[dict[str, Any]]:
    """Every pending import with its owner (for the administrator's command line)."""
    return list(db.query("SELECT p.id, p.file_name, p.bytes, p.created_at, p.expires_at, "
                         "u.username FROM pending_imports p JOIN users u ON u.id = p.user_id "
                         "ORDER BY p.created_at"))


def stage(db: Database, actor: auth.User, data: bytes, file_name: str, *,
          county: str | int | None, photos_zip: bytes | None, upload_dir: str | Path,
          settings: Mapping[str, Any]) -> tuple[ImportReport, str | None]:
    """Dry-run an import; when it would change something, keep it for confirmation.

    Returns the report and the token to confirm it with (None when there is
    nothing to write). ValidationError lists the file's problems.
    """
    limits = UploadLimits.from_settings(settings)
    report = import_inventory(db, actor, data, file_name, county=county, dry_run=True,
                              photos_zip=photos_zip, limits=limits)
    if not (report.signs_created or report.signs_updated or report.sites_created
            or report.sites_updated):
        return report, None
    size = len(data) + len(photos_zip or b"")
    quota = _setting(settings, "PENDING_IMPORT_MAX_BYTES")
    check_size(size, quota, "PENDING_IMPORT_MAX_BYTES")
    expire(db, upload_dir)
    _make_room(db, actor, upload_dir, size, quota, _setting(settings, "PENDING_IMPORT_MAX_COUNT"))
    token = secrets.token_urlsafe(24)
    data_path, zip_path = _files(upload_dir, token)
    data_path.write_bytes(data)
    if photos_zip is not None:
        zip_path.write_bytes(photos_zip)
    now = datetime.now(UTC)
    expires = now + timedelta(hours=_setting(settings, "PENDING_IMPORT_HOURS"))
    summary = {"sites_created": report.sites_created, "signs_created": report.signs_created,
               "signs_updated": report.signs_updated, "rows": report.rows}
    try:
        with transaction(db):
            pending_id = db.conn.execute(
                "INSERT INTO pending_imports (token, user_id, file_name, options_json, bytes, "
                "has_photos, summary_json, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [token, actor.id, Path(file_name).name[:200], json.dumps({"county": county}),
                 size, int(photos_zip is not None), json.dumps(summary),
                 now.isoformat(timespec="microseconds"),
                 expires.isoformat(timespec="microseconds")]).lastrowid
            audit.record(db, actor, "inventory.pending_keep", ENTITY, pending_id, None,
                         {"file": Path(file_name).name, "bytes": size, **summary})
    except BaseException:
        _remove_files(upload_dir, token)
        raise
    return report, token


def _make_room(db: Database, actor: auth.User, upload_dir: str | Path, size: int, quota: int,
               most: int) -> None:
    """Drop the user's oldest pending imports until the new one fits the quota."""
    rows = list(db.query("SELECT id, token, bytes FROM pending_imports WHERE user_id = ? "
                         "ORDER BY created_at", [actor.id]))
    total = sum(row["bytes"] for row in rows)
    while rows and (len(rows) >= most or total + size > quota):
        oldest = rows.pop(0)
        total -= oldest["bytes"]
        _drop(db, actor, oldest, upload_dir, "inventory.pending_replace")


def _drop(db: Database, actor: auth.User, row: Mapping[str, Any], upload_dir: str | Path,
          action: str) -> None:
    with transaction(db):
        db.execute("DELETE FROM pending_imports WHERE id = ?", [row["id"]])
        audit.record(db, actor, action, ENTITY, row["id"], {"bytes": row["bytes"]}, None)
    _remove_files(upload_dir, row["token"])


def discard(db: Database, actor: auth.User, token: str, upload_dir: str | Path) -> None:
    """The user gives up a pending import (audited); its files are removed."""
    _drop(db, actor, _row(db, actor, token), upload_dir, "inventory.pending_discard")


def confirm(db: Database, actor: auth.User, token: str, *, upload_dir: str | Path,
            settings: Mapping[str, Any]) -> ImportReport:
    """Import a pending file for real (checked again: the inventory may have changed).

    The pending row goes in the import's own transaction; on a ValidationError
    it stays (the user may try again or discard it) until it expires.
    """
    row = _row(db, actor, token)
    if row["expires_at"] <= audit.now_iso():
        _drop(db, actor, row, upload_dir, "inventory.pending_expire")
        raise NotFound(msg("This import expired or was already done; upload the file again."))
    data_path, zip_path = _files(upload_dir, token)
    if not data_path.is_file():
        _drop(db, actor, row, upload_dir, "inventory.pending_expire")
        raise NotFound(msg("This import expired or was already done; upload the file again."))
    options = json.loads(row["options_json"] or "{}")

    def done(db: Database, import_id: int) -> None:
        db.execute("DELETE FROM pending_imports WHERE id = ?", [row["id"]])
        audit.record(db, actor, "inventory.pending_confirm", ENTITY, row["id"],
                     {"bytes": row["bytes"]}, {"import_id": import_id})

    report = import_inventory(
        db, actor, data_path.read_bytes(), row["file_name"], county=options.get("county"),
        photos_zip=zip_path.read_bytes() if zip_path.is_file() else None,
        upload_dir=upload_dir, limits=UploadLimits.from_settings(settings), also=done)
    if report.import_id is None:  # nothing left to change: the pending import is used up
        _drop(db, actor, row, upload_dir, "inventory.pending_discard")
    else:
        _remove_files(upload_dir, token)
    return report


def expire(db: Database, upload_dir: str | Path, now: str | None = None) -> int:
    """Remove every pending import past its time, and stray files; how many were removed."""
    now = now or audit.now_iso()
    stale = list(db.query("SELECT id, token, bytes FROM pending_imports WHERE expires_at <= ?",
                          [now]))
    actor = auth.system_actor("pending-imports")
    for row in stale:
        _drop(db, actor, row, upload_dir, "inventory.pending_expire")
    # Files without a row: left by a crash. A file younger than an hour may belong
    # to an import being kept right now (files are written before the row).
    known = {row[0] for row in db.execute("SELECT token FROM pending_imports")}
    cutoff = time.time() - STRAY_FILE_SECONDS
    for path in folder(upload_dir).iterdir():
        if path.is_file() and path.stem not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
    return len(stale)
