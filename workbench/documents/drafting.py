"""Machine drafts for a whole document, in the background, with progress and cancel.

:func:`start_draft_job` records a job (audited) and, unless told otherwise,
runs it on a thread with its own database connection. The job drafts the
segments still ``new`` in batches: the drafts are computed outside any
transaction (a neural engine may take seconds), then each batch is written in
one short transaction with an audit event per unit, so translators keep saving
their work meanwhile. Progress is stored in ``doc_jobs`` (bookkeeping) and read
by the web page; a cancel request is honoured between batches.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import open_db, transaction
from workbench.documents import store
from workbench.errors import Conflict, NotFound, ValidationError
from workbench.messages import render
from workbench.review.units import apply_machine_draft

log = logging.getLogger(__name__)
BATCH = 25
ACTIVE = ("queued", "running")
# A job that has not reported progress for this long is taken as dead (a batch of
# drafts takes seconds, even with a neural engine).
STALE_SECONDS = 600


def _job(db: Database, job_id: int) -> dict[str, Any]:
    row = next(db.query("SELECT * FROM doc_jobs WHERE id = ?", [job_id]), None)
    if row is None:
        raise NotFound("No such job.")
    return row


def get_job(db: Database, job_id: int) -> dict[str, Any]:
    """A job with its progress as a percentage."""
    job = dict(_job(db, job_id))
    job["percent"] = round(100 * job["done"] / job["total"]) if job["total"] else \
        (100 if job["status"] == "done" else 0)
    job["active"] = job["status"] in ACTIVE
    return job


def latest_job(db: Database, doc_id: int) -> dict[str, Any] | None:
    """The document's most recent job, or None."""
    row = db.execute("SELECT id FROM doc_jobs WHERE document_id = ? ORDER BY id DESC LIMIT 1",
                     [doc_id]).fetchone()
    return get_job(db, row[0]) if row else None


def _pending_units(db: Database, doc_id: int, targets: list[str]) -> list[dict[str, Any]]:
    placeholders = ",".join("?" * len(targets))
    return list(db.query(
        f"""SELECT u.id, u.source_text, u.target_lang FROM doc_segments s
            JOIN doc_blocks b ON b.id = s.block_id
            JOIN doc_segment_units su ON su.segment_id = s.id
            JOIN translation_units u ON u.id = su.unit_id
            WHERE s.document_id = ? AND u.state = 'new' AND su.target_lang IN ({placeholders})
            ORDER BY su.target_lang, b.block_no, s.seg_no""", [doc_id, *targets]))


def start_draft_job(db: Database, actor: auth.User, doc_id: int, *, engine: str | None = None,
                    target: str | None = None, settings: Mapping[str, Any] | None = None,
                    background: bool = True) -> int:
    """Queue drafting of every untranslated segment; returns the job id.

    With ``background`` the job runs on a thread (web); without, it runs now (CLI, tests).
    """
    if not (auth.can(actor, "documents.translate") or auth.can(actor, "documents.manage")):
        auth.require(actor, "documents.translate")
    document = store.get_document(db, doc_id)
    targets = document["targets"]
    if target:
        lang = store.base_lang(target)
        if lang not in targets:
            raise ValidationError.single(f"The document has no target language “{target}”.",
                                         column="target", value=target)
        targets = [lang]
    if engine:
        from workbench.mt import get_engine

        get_engine(engine, db, dict(settings or {}))  # unknown/unavailable: a clear error now
    now = audit.now_iso()
    with transaction(db):
        _fail_stale_jobs(db, doc_id)
        running = db.execute("SELECT id FROM doc_jobs WHERE document_id = ? AND status IN "
                             "('queued', 'running')", [doc_id]).fetchone()
        if running:
            raise Conflict("This document is already being drafted; wait for it or cancel it.")
        total = len(_pending_units(db, doc_id, targets))
        job_id = db["doc_jobs"].insert({
            "document_id": doc_id, "kind": "draft", "engine": engine or "",
            "status": "queued", "total": total, "done": 0, "drafted": 0,
            # Until the job runs, its message holds the target languages it drafts.
            "cancel_requested": 0, "message": ";".join(targets), "started_by": actor.username,
            "created_at": now, "updated_at": now}).last_pk
        audit.record(db, actor, "document.draft_start", store.ENTITY, doc_id, None,
                     {"job": job_id, "engine": engine, "targets": targets, "segments": total})
    if background:
        path = db.execute("PRAGMA database_list").fetchone()[2]
        thread = threading.Thread(target=_run_in_thread,
                                  args=(path, job_id, actor, dict(settings or {})),
                                  name=f"doc-draft-{job_id}", daemon=True)
        thread.start()
    else:
        run_job(db, job_id, actor, dict(settings or {}))
    return job_id


def _fail_stale_jobs(db: Database, doc_id: int) -> None:
    """Mark jobs that stopped reporting (the server was restarted mid-way) as failed."""
    from datetime import datetime, timedelta, timezone

    limit = (datetime.now(timezone.utc) - timedelta(seconds=STALE_SECONDS)).isoformat(
        timespec="microseconds")
    db.execute("""UPDATE doc_jobs SET status = 'failed', updated_at = ?,
                      message = 'Stopped without finishing (the server was restarted?).'
                  WHERE document_id = ? AND status IN ('queued', 'running')
                    AND updated_at < ?""", [audit.now_iso(), doc_id, limit])


def _run_in_thread(path: str, job_id: int, actor: auth.User, settings: dict[str, Any]) -> None:
    db = open_db(path)
    try:
        run_job(db, job_id, actor, settings)
    except Exception as error:  # noqa: BLE001 - a background failure is reported on the job
        log.exception("document draft job %s failed", job_id)
        _progress(db, job_id, status="failed", message=f"Drafting failed: {error}")
    finally:
        db.close()


def _progress(db: Database, job_id: int, **values: Any) -> None:
    values["updated_at"] = audit.now_iso()
    with transaction(db):
        db["doc_jobs"].update(job_id, values)


def run_job(db: Database, job_id: int, actor: auth.User, settings: dict[str, Any]) -> dict[str, Any]:
    """Draft the job's segments batch by batch; returns the finished job."""
    from workbench.mt.pipeline import draft_texts

    job = _job(db, job_id)
    doc_id = job["document_id"]
    targets = [t for t in job["message"].split(";") if t]
    source_lang = store.get_document(db, doc_id)["source_lang"]
    pending = _pending_units(db, doc_id, targets)
    _progress(db, job_id, status="running", total=len(pending), message="")
    done = drafted = 0
    no_draft_reasons: dict[str, int] = {}
    cancelled = False
    for start in range(0, len(pending), BATCH):
        if db.execute("SELECT cancel_requested FROM doc_jobs WHERE id = ?",
                      [job_id]).fetchone()[0]:
            cancelled = True
            break
        batch = pending[start:start + BATCH]
        by_lang: dict[str, list[dict[str, Any]]] = {}
        for unit in batch:
            by_lang.setdefault(unit["target_lang"], []).append(unit)
        results: list[tuple[dict[str, Any], Any]] = []
        for lang, units in by_lang.items():
            drafts = draft_texts(db, [u["source_text"] for u in units], source=source_lang,
                                 target=lang, engine=job["engine"] or None, settings=settings)
            results.extend(zip(units, drafts))
        with transaction(db):
            for unit, draft in results:
                if not draft or not (draft.text or "").strip():
                    # A reason is a message (unhashable); count it by its English text.
                    reason = render(draft.reason if draft else None) or "no draft"
                    no_draft_reasons[reason] = no_draft_reasons.get(reason, 0) + 1
                    continue
                if apply_machine_draft(db, actor, unit["id"], draft):
                    drafted += 1
            done += len(batch)
            db["doc_jobs"].update(job_id, {"done": done, "drafted": drafted,
                                           "updated_at": audit.now_iso()})
    skipped = sum(no_draft_reasons.values())
    summary = f"{drafted} drafted"
    if skipped:
        top = max(no_draft_reasons, key=lambda r: no_draft_reasons[r])
        summary += f"; {skipped} without a confident draft (e.g. “{top}”)"
    status = "cancelled" if cancelled else "done"
    with transaction(db):
        db["doc_jobs"].update(job_id, {"status": status, "message": summary,
                                       "updated_at": audit.now_iso()})
        audit.record(db, actor, f"document.draft_{status}", store.ENTITY, doc_id,
                     None, {"job": job_id, "drafted": drafted, "processed": done,
                            "without_draft": skipped})
    return get_job(db, job_id)


def cancel_job(db: Database, actor: auth.User, job_id: int) -> dict[str, Any]:
    """Ask a running job to stop after its current batch (audited)."""
    if not (auth.can(actor, "documents.translate") or auth.can(actor, "documents.manage")):
        auth.require(actor, "documents.translate")
    with transaction(db):
        job = _job(db, job_id)
        if job["status"] not in ACTIVE:
            return get_job(db, job_id)
        db["doc_jobs"].update(job_id, {"cancel_requested": 1, "updated_at": audit.now_iso()})
        audit.record(db, actor, "document.draft_cancel", store.ENTITY, job["document_id"],
                     {"job": job_id, "status": job["status"]}, {"cancel_requested": True})
    return get_job(db, job_id)


def wait(db: Database, job_id: int, timeout: float = 60.0) -> dict[str, Any]:
    """Wait until a job is no longer active (CLI and tests); returns it."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        job = get_job(db, job_id)
        if not job["active"] or time.monotonic() > deadline:
            return job
        time.sleep(0.05)
