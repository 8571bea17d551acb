"""Export runs: the registry of export kinds, recording each run, progress, and re-download.

Every export — from the web page or the CLI — goes through :func:`start`
(checks the role, records the run and an ``export.start`` audit event) and
:func:`run` (writes the file under the exports folder, records rows and the
outcome with an ``export.done`` / ``export.empty`` / ``export.failed`` event).
The web starts :func:`run` in a background thread (:func:`run_in_background`)
and the page polls :func:`progress_of`; the CLI runs it in the foreground with
a progress bar. Progress goes to ``export_progress`` through a connection of
its own, so a long export's read never holds up other users' writes (WAL).
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import open_db, transaction
from workbench.errors import NotFound, ValidationError, WorkbenchError
from workbench.exports import exchange, package, proofs, sheets
from workbench.exports.selection import ExportFilter, NothingToExport, Progress
from workbench.messages import Message, dumps, nmsg

log = logging.getLogger(__name__)

ENTITY = "export"
PROGRESS_INTERVAL = 0.25  # seconds between progress writes
# A running export whose progress has not moved for this long was cut off (server restart).
STALE_AFTER_SECONDS = 15 * 60
# Big exports are CPU-bound; two at a time keeps the server answering everyone else.
_slots = threading.BoundedSemaphore(2)


@dataclass
class Outcome:
    """What an export wrote: rows (signs, units or concepts), signs left out, and notes
    for the person who ran it (messages: warnings such as QR codes leading nowhere)."""

    rows: int
    missing: int = 0
    notes: list[Message] = field(default_factory=list)


@dataclass(frozen=True)
class ExportKind:
    """One kind of export: how to name, describe and write it."""

    id: str
    name: str
    extension: str
    mimetype: str
    write: Callable[["Job"], Outcome]
    needs_county: bool = False
    needs_lang: bool = False
    uses_signs: bool = True  # whether the inventory filters apply


@dataclass
class Job:
    """Everything a writer needs for one run."""

    db: Database
    flt: ExportFilter
    path: Path
    settings: Mapping[str, Any]
    progress: Progress
    actor_name: str


def _sheet_csv(job: Job) -> Outcome:
    with open(job.path, "wb") as stream:
        result = sheets.write_csv(job.db, job.flt, stream, progress=job.progress)
    return Outcome(result.rows, len(result.missing))


def _sheet_xlsx(job: Job) -> Outcome:
    with open(job.path, "wb") as stream:
        result = sheets.write_xlsx(job.db, job.flt, stream, progress=job.progress)
    return Outcome(result.rows, len(result.missing))


def _proofs(job: Job) -> Outcome:
    with open(job.path, "wb") as stream:
        result = proofs.write_proofs(job.db, job.flt, stream, settings=job.settings,
                                     progress=job.progress)
    return Outcome(result.rows, len(result.missing), list(result.warnings))


def _tmx(job: Job) -> Outcome:
    with open(job.path, "wb") as stream:
        return Outcome(exchange.write_tmx(job.db, job.flt, stream, progress=job.progress))


def _tbx(job: Job) -> Outcome:
    with open(job.path, "wb") as stream:
        return Outcome(exchange.write_tbx(job.db, job.flt, stream))


def _xliff(job: Job) -> Outcome:
    with open(job.path, "wb") as stream:
        return Outcome(exchange.write_xliff(job.db, job.flt, job.flt.lang or "en", stream))


def _package(job: Job) -> Outcome:
    with open(job.path, "wb") as stream:
        result = package.write_package(job.db, job.flt, stream, settings=job.settings,
                                       progress=job.progress, actor_name=job.actor_name)
    notes = [nmsg("%(n)s photo included.", "%(n)s photos included.", result.photos)]
    if result.photos_not_found:
        notes.append(nmsg("%(n)s photo file was not found on the server.",
                          "%(n)s photo files were not found on the server.",
                          len(result.photos_not_found)))
    return Outcome(result.rows, len(result.missing), notes + list(result.warnings))


KINDS: dict[str, ExportKind] = {kind.id: kind for kind in (
    ExportKind("sheet-xlsx", "Fabrication sheet (XLSX)", "xlsx",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _sheet_xlsx),
    ExportKind("sheet-csv", "Fabrication sheet (CSV)", "csv", "text/csv; charset=utf-8",
               _sheet_csv),
    ExportKind("proofs", "Print proofs (PDF)", "pdf", "application/pdf", _proofs),
    ExportKind("package", "County package (ZIP)", "zip", "application/zip", _package,
               needs_county=True),
    ExportKind("tmx", "Approved translations (TMX)", "tmx", "application/x-tmx+xml", _tmx),
    ExportKind("tbx", "Glossary (TBX)", "tbx", "application/x-tbx+xml", _tbx,
               uses_signs=False),
    ExportKind("xliff", "Units to translate (XLIFF 2.0)", "xlf", "application/xliff+xml",
               _xliff, needs_lang=True),
)}


def export_dir(settings: Mapping[str, Any]) -> Path:
    """Where export files are kept (``EXPORT_DIR``, default ``<instance>/exports``)."""
    folder = settings.get("EXPORT_DIR") or Path(settings.get("INSTANCE_PATH") or ".") / "exports"
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _db_path(db: Database) -> str:
    return next(row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main")


def _public(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "kind", "filter_json", "county_id", "status", "rows",
                                "missing", "message", "file_name", "bytes", "created_by",
                                "created_at", "finished_at")}


def start(db: Database, actor: auth.User, kind_id: str, flt: ExportFilter) -> int:
    """Record a new export run (status ``running``) with its audit event; returns its id."""
    auth.require(actor, "export.run")
    kind = KINDS.get(kind_id)
    if kind is None:
        raise ValidationError.single(f"Unknown export {kind_id!r}; use one of "
                                     f"{', '.join(KINDS)}.", column="kind", value=kind_id)
    scope = auth.county_scope(actor)
    if scope is not None and flt.county_id != scope:
        raise NotFound("No such county.")  # resolve_filter already forces the scope
    if kind.needs_county and not flt.county_id:
        raise ValidationError.single("A county package needs a county.", column="county")
    if kind.needs_lang and not flt.lang:
        raise ValidationError.single("Choose the target language of the XLIFF file.",
                                     column="lang")
    now = audit.now_iso()
    row = {"kind": kind.id, "filter_json": flt.to_json(), "county_id": flt.county_id,
           "status": "running", "rows": 0, "missing": 0, "message": "",
           "created_by_id": actor.id, "created_by": actor.username, "created_at": now}
    with transaction(db):
        export_id = db["exports"].insert(row).last_pk
        db["export_progress"].insert({"export_id": export_id, "done": 0, "total": 0,
                                      "updated_at": now})
        audit.record(db, actor, "export.start", ENTITY, export_id, None,
                     {"kind": kind.id, "filter": flt.to_dict(), "by": actor.username})
    return export_id  # type: ignore[return-value]


class _ProgressWriter:
    """Writes progress through its own connection, at most every PROGRESS_INTERVAL seconds."""

    def __init__(self, db_path: str, export_id: int,
                 echo: Callable[[int, int], None] | None) -> None:
        self.db = open_db(db_path)
        self.export_id = export_id
        self.echo = echo
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if self.echo:
            self.echo(done, total)
        now = time.monotonic()
        if now - self.last < PROGRESS_INTERVAL and done < total:
            return
        self.last = now
        with transaction(self.db):
            self.db.execute("UPDATE export_progress SET done = ?, total = ?, updated_at = ? "
                            "WHERE export_id = ?", [done, total, audit.now_iso(),
                                                    self.export_id])

    def close(self) -> None:
        self.db.close()


def _file_name(db: Database, row: Mapping[str, Any], kind: ExportKind,
               flt: ExportFilter) -> str:
    scope = "all"
    if flt.county_id:
        scope = db.execute("SELECT code FROM counties WHERE id = ?",
                           [flt.county_id]).fetchone()[0]
    parts = [f"{row['id']:05d}", kind.id.split("-")[0], scope]
    if kind.needs_lang and flt.lang:
        parts.append(flt.lang)
    parts.append(row["created_at"][:10].replace("-", ""))
    return "-".join(parts) + "." + kind.extension


def run(db: Database, actor: auth.User, export_id: int, settings: Mapping[str, Any], *,
        echo: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Write the export's file and record the outcome; returns the finished row.

    Raises NothingToExport (after recording status ``empty``) when nothing
    approved matches, and re-raises any other error after recording ``failed``.
    """
    row = _row(db, export_id)
    kind = KINDS[row["kind"]]
    flt = ExportFilter.from_json(row["filter_json"])
    folder = export_dir(settings)
    final_name = _file_name(db, row, kind, flt)
    partial = folder / f".{final_name}.part"
    writer = _ProgressWriter(_db_path(db), export_id, echo)
    job = Job(db, flt, partial, dict(settings), writer, row["created_by"])
    try:
        with _slots:
            outcome = kind.write(job)
    except NothingToExport as error:
        partial.unlink(missing_ok=True)
        _finish(db, actor, row, "empty", str(error), 0, 0)
        raise
    except BaseException as error:
        partial.unlink(missing_ok=True)
        message = str(error) if isinstance(error, WorkbenchError) else \
            "The export failed because of an error on the server."
        if not isinstance(error, WorkbenchError):
            log.exception("Export %s failed", export_id)
        _finish(db, actor, row, "failed", message, 0, 0)
        raise
    finally:
        writer.close()
    final = folder / final_name
    os.replace(partial, final)
    return _finish(db, actor, row, "done", dumps(outcome.notes) if outcome.notes else "",
                   outcome.rows, outcome.missing,
                   file_path=str(final), file_name=final_name, size=final.stat().st_size)


def _finish(db: Database, actor: auth.User, row: Mapping[str, Any], status: str, message: str,
            rows: int, missing: int, *, file_path: str | None = None,
            file_name: str | None = None, size: int | None = None) -> dict[str, Any]:
    change = {"status": status, "message": message, "rows": rows, "missing": missing,
              "file_path": file_path, "file_name": file_name, "bytes": size,
              "finished_at": audit.now_iso()}
    with transaction(db):
        db["exports"].update(row["id"], change)
        db.execute("UPDATE export_progress SET done = total, updated_at = ? WHERE export_id = ?",
                   [change["finished_at"], row["id"]])
        after = _row(db, row["id"])
        audit.record(db, actor, f"export.{'done' if status == 'done' else status}", ENTITY,
                     row["id"], {"status": row["status"]},
                     dict(_public(after), filter=ExportFilter.from_json(
                         row["filter_json"]).to_dict()))
    return after


def export_now(db: Database, actor: auth.User, kind_id: str, flt: ExportFilter,
               settings: Mapping[str, Any], *,
               echo: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Start and run an export in this thread (the CLI); returns the finished row."""
    export_id = start(db, actor, kind_id, flt)
    return run(db, actor, export_id, settings, echo=echo)


def run_in_background(db_path: str, actor: auth.User, export_id: int,
                      settings: Mapping[str, Any]) -> threading.Thread:
    """Run an export in a daemon thread with its own connection (the web page polls)."""
    settings = dict(settings)

    def work() -> None:
        db = open_db(db_path)
        try:
            run(db, actor, export_id, settings)
        except WorkbenchError:
            pass  # recorded on the export's row; the page shows the message
        except Exception:  # noqa: BLE001 - recorded as failed, logged in run()
            pass
        finally:
            db.close()

    thread = threading.Thread(target=work, name=f"export-{export_id}", daemon=True)
    thread.start()
    return thread


# --- reading -----------------------------------------------------------------------------------

def _row(db: Database, export_id: int) -> dict[str, Any]:
    row = next(db.query("SELECT * FROM exports WHERE id = ?", [export_id]), None)
    if row is None:
        raise NotFound("No such export.")
    return row


def _check_scope(user: auth.User, row: Mapping[str, Any]) -> None:
    scope = auth.county_scope(user)
    if scope is not None and row["county_id"] != scope:
        raise NotFound("No such export.")


def get_export(db: Database, user: auth.User, export_id: int) -> dict[str, Any]:
    """One export run the user may see, with its filter decoded and its progress."""
    auth.require(user, "export.run")
    row = _row(db, export_id)
    _check_scope(user, row)
    row["filter"] = ExportFilter.from_json(row["filter_json"])
    progress = next(db.query("SELECT done, total, updated_at FROM export_progress "
                             "WHERE export_id = ?", [export_id]),
                    {"done": 0, "total": 0, "updated_at": None})
    row["done"], row["total"] = progress["done"], progress["total"]
    row["stale"] = _stale(row["status"], progress["updated_at"] or row["created_at"])
    row["kind_name"] = KINDS[row["kind"]].name if row["kind"] in KINDS else row["kind"]
    return row


def _stale(status: str, updated_at: str | None) -> bool:
    """Whether a 'running' export stopped reporting long ago (its process is gone)."""
    if status != "running" or not updated_at:
        return False
    from datetime import datetime, timezone

    age = datetime.now(timezone.utc) - datetime.fromisoformat(updated_at)
    return age.total_seconds() > STALE_AFTER_SECONDS


def progress_of(db: Database, user: auth.User, export_id: int) -> dict[str, Any]:
    """The state of a run for the polling page: status, done/total, rows, message."""
    row = get_export(db, user, export_id)
    percent = 100 if row["status"] != "running" else (
        int(100 * row["done"] / row["total"]) if row["total"] else 0)
    return {"id": row["id"], "status": row["status"], "done": row["done"],
            "total": row["total"], "percent": percent, "rows": row["rows"],
            "missing": row["missing"], "message": row["message"],
            "file_name": row["file_name"], "finished_at": row["finished_at"],
            "stale": row["stale"]}


def list_exports(db: Database, user: auth.User, *, limit: int = 50,
                 offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Past export runs the user may see, newest first; (page, total)."""
    auth.require(user, "export.run")
    scope = auth.county_scope(user)
    where, params = ("WHERE e.county_id = ?", [scope]) if scope is not None else ("", [])
    total = db.execute(f"SELECT count(*) FROM exports e {where}", params).fetchone()[0]
    rows = list(db.query(
        f"""SELECT e.*, c.name_zh AS county_zh, p.done, p.total, p.updated_at AS progress_at
            FROM exports e LEFT JOIN counties c ON c.id = e.county_id
            LEFT JOIN export_progress p ON p.export_id = e.id
            {where} ORDER BY e.id DESC LIMIT ? OFFSET ?""", params + [limit, offset]))
    for row in rows:
        row["filter"] = ExportFilter.from_json(row["filter_json"])
        row["kind_name"] = KINDS[row["kind"]].name if row["kind"] in KINDS else row["kind"]
        row["stale"] = _stale(row["status"], row["progress_at"] or row["created_at"])
    return rows, total


def export_file(db: Database, user: auth.User, export_id: int,
                settings: Mapping[str, Any]) -> tuple[Path, dict[str, Any]]:
    """The file of a finished export the user may see (to download it again)."""
    row = get_export(db, user, export_id)
    if row["status"] != "done" or not row["file_path"]:
        raise NotFound("This export has no file.")
    path = Path(row["file_path"])
    folder = export_dir(settings).resolve()
    try:
        path.resolve().relative_to(folder)
    except ValueError:
        raise NotFound("The export's file is no longer available.") from None
    if not path.is_file():
        raise NotFound("The export's file is no longer available.")
    return path, row
