"""Machine drafts for a whole document, as a job of the job system (kind ``documents.draft``).

:func:`start_draft` checks the request and queues the run for a worker (or
runs it at once in the foreground: the CLI). The job, :func:`draft_document`,
drafts the segments still ``new`` in batches: the drafts are computed outside
any transaction (a neural engine may take seconds), then each batch is written
in one short transaction with an audit event per unit, so translators keep
saving their work meanwhile. Between batches it reports progress, which is
where a cancel takes effect. A run stopped half-way (cancelled, or its worker
killed) leaves whole batches only; running again drafts just the segments that
are still new, so nothing is drafted twice.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlite_utils import Database

from workbench import auth, jobs
from workbench.db import transaction
from workbench.documents import store
from workbench.errors import ValidationError
from workbench.messages import MessageLike, dumps, from_data, msg, nmsg
from workbench.mt.base import PROFILE_PROSE, DraftContext
from workbench.review.units import apply_machine_draft
from workbench.rowtypes import JobRun
from workbench.vocabulary import LANGUAGES

JOB_KIND = "documents.draft"
BATCH = 25


def _pending_units(db: Database, doc_id: int, targets: list[str]) -> list[dict[str, Any]]:
    placeholders = ",".join("?" * len(targets))
    return list(db.query(
        f"""SELECT u.id, u.source_text, u.target_lang, s.id AS segment_id FROM doc_segments s
            JOIN doc_blocks b ON b.id = s.block_id
            JOIN doc_segment_units su ON su.segment_id = s.id
            JOIN translation_units u ON u.id = su.unit_id
            WHERE s.document_id = ? AND u.state = 'new' AND su.target_lang IN ({placeholders})
            ORDER BY su.target_lang, b.block_no, s.seg_no""", [doc_id, *targets]))


def _require_drafter(actor: auth.User) -> None:
    if not (auth.can(actor, "documents.translate") or auth.can(actor, "documents.manage")):
        auth.require(actor, "documents.translate")


def draft_arguments(db: Database, actor: auth.User, doc_id: int, *, engine: str | None = None,
                    target: str | None = None,
                    settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Check a drafting request; the run's arguments (document, target languages, engine)."""
    _require_drafter(actor)
    document = store.get_document(db, doc_id)
    targets = document["targets"]
    if target:
        lang = store.base_lang(target)
        if lang not in targets:
            raise ValidationError.single(
                msg("The document has no target language “%(target)s”.", target=target),
                column="target", value=target)
        targets = [lang]
    if engine:
        from workbench.mt.base import get_engine

        get_engine(engine, db, dict(settings or {}))  # unknown/unavailable: a clear error now
    return {"document_id": doc_id, "targets": targets, "engine": engine or None}


def start_draft(db: Database, actor: auth.User, doc_id: int, *, settings: Mapping[str, Any],
                engine: str | None = None, target: str | None = None,
                background: bool = True,
                echo: Callable[..., None] | None = None) -> int:
    """Draft every untranslated segment: queued for a worker, or here with ``background``
    False (the CLI); returns the run's id. One drafting per document at a time."""
    arguments = draft_arguments(db, actor, doc_id, engine=engine, target=target,
                                settings=settings)
    subject = ("document", doc_id)
    if background:
        return jobs.start(db, actor, JOB_KIND, arguments, settings=settings, subject=subject,
                          exclusive=True)
    return int(jobs.run_now(db, actor, JOB_KIND, arguments, settings=settings, echo=echo,
                            subject=subject, exclusive=True)["id"])


def _neighbours(db: Database, doc_id: int, around: int) -> dict[int, DraftContext]:
    """Each segment's context for engines that use it: the segments before and after it.

    Table cells, headings and list items are segments like any other: a model
    drafting a cell sees the cells around it.
    """
    if around <= 0:
        return {}
    rows = db.execute("""SELECT s.id, s.source_text FROM doc_segments s
                         JOIN doc_blocks b ON b.id = s.block_id
                         WHERE s.document_id = ? ORDER BY b.block_no, s.seg_no""",
                      [doc_id]).fetchall()
    texts = [text for _id, text in rows]
    return {segment_id: DraftContext(before=tuple(texts[max(0, i - around):i]),
                                     after=tuple(texts[i + 1:i + 1 + around]))
            for i, (segment_id, _text) in enumerate(rows)}


def draft_document(db: Database, *, progress: Callable[..., None], actor: auth.User,
                   settings: Mapping[str, Any], document_id: int,
                   targets: list[str] | None = None, engine: str | None = None) -> dict[str, Any]:
    """The ``documents.draft`` job: draft the document's new segments batch by batch."""
    from workbench.mt.pipeline import draft_texts

    targets = targets or store.get_document(db, document_id)["targets"]
    source_lang = store.get_document(db, document_id)["source_lang"]
    pending = _pending_units(db, document_id, targets)
    contexts = _neighbours(db, document_id, int(settings.get("MT_CONTEXT_SEGMENTS", 2) or 0))
    progress(0, len(pending))
    done = drafted = 0
    no_draft_reasons: dict[str, int] = {}
    for start in range(0, len(pending), BATCH):
        batch = pending[start:start + BATCH]
        by_lang: dict[str, list[dict[str, Any]]] = {}
        for unit in batch:
            by_lang.setdefault(unit["target_lang"], []).append(unit)
        results: list[tuple[dict[str, Any], Any]] = []
        for lang, units in by_lang.items():
            drafts = draft_texts(db, [u["source_text"] for u in units], source=source_lang,
                                 target=lang, engine=engine, settings=dict(settings),
                                 profile=PROFILE_PROSE,
                                 contexts=[contexts.get(u["segment_id"]) for u in units])
            results.extend(zip(units, drafts, strict=True))
        with transaction(db):
            for unit, draft in results:
                if not draft or not (draft.text or "").strip():
                    reason = (draft.reason if draft else None) or msg("no draft")
                    # Counted by the stored form of the message (a message is not hashable).
                    key = dumps(reason) or ""
                    no_draft_reasons[key] = no_draft_reasons.get(key, 0) + 1
                    continue
                if apply_machine_draft(db, actor, unit["id"], draft):
                    drafted += 1
        done += len(batch)
        progress(done, len(pending))
    skipped = sum(no_draft_reasons.values())
    return {"drafted": drafted, "processed": done, "without_draft": skipped,
            "summary": _summary(drafted, skipped, no_draft_reasons)}


def _summary(drafted: int, skipped: int, reasons: Mapping[str, int]) -> MessageLike:
    summary = nmsg("%(n)s segment drafted", "%(n)s segments drafted", drafted)
    if not skipped:
        return summary
    top = max(reasons, key=lambda reason: reasons[reason])
    return msg("%(drafted)s; %(without)s (e.g. “%(reason)s”)", drafted=summary,
               reason=from_data(top),
               without=nmsg("%(n)s without a confident draft",
                            "%(n)s without a confident draft", skipped))


def draft_title(arguments: Mapping[str, Any]) -> MessageLike:
    """What a drafting run works on: the document's number and languages."""
    targets = arguments.get("targets") or []
    return msg("Machine drafts for document %(id)s (%(targets)s)",
               id=arguments.get("document_id"),
               targets=[LANGUAGES.label(code) for code in targets] if targets
               else msg("all languages"))


def latest_run(db: Database, doc_id: int) -> JobRun | None:
    """The document's most recent drafting run, or None."""
    return jobs.latest_run(db, JOB_KIND, "document", doc_id)
