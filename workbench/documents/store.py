"""Documents: upload, segmentation into translation units, listing, stats, merge and split.

How documents use the shared translation units: every segment (``doc_segments``)
gets one unit per target language (``doc_segment_units``) of kind ``segment``
and scope ``doc:<document id>:<segment id>``. The segment id in the scope keeps
two identical sentences of one document apart, so each is reviewed in its own
place, while the review workflow (:mod:`workbench.review.workflow`) handles the
states, the four-eyes rule, the history and the translation memory exactly as
for signs.
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any, cast

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.documents import formats, segmentation, tags
from workbench.documents.docx import Block
from workbench.documents.formats import ParsedDocument
from workbench.errors import NotFound, PermissionDenied, Problem, ValidationError
from workbench.files.limits import UploadLimits, check_size, count_exceeded, limits_of
from workbench.messages import msg

# What to do with files of formats documents cannot be uploaded in.
_UNSUPPORTED_HINTS = {
    ".doc": msg("Open it in Word or WPS and save it as .docx."),
    ".wps": msg("Open it in WPS and save it as .docx."),
    ".pdf": msg("Convert the PDF to .docx first (keep the original layout for reference)."),
    ".rtf": msg("Save it as .docx."),
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TARGET_LANGS = ("en", "ru", "ja", "ko", "fr", "de", "es", "pt", "ar", "vi", "th", "ms", "id")
STATES = ("new", "machine_draft", "translated", "in_review", "approved", "rejected")
_LANG = re.compile(r"^[a-z]{2,3}$")
ENTITY = "document"


def max_bytes(settings: Mapping[str, Any] | None) -> int:
    """The largest document accepted (setting ``MAX_DOCUMENT_BYTES``, default 20 MB)."""
    return int((settings or {}).get("MAX_DOCUMENT_BYTES") or DEFAULT_MAX_BYTES)


def base_lang(code: str | None) -> str:
    """``zh-CN`` → ``zh``; the workbench keys languages by their base code."""
    return (code or "").strip().replace("_", "-").split("-")[0].lower()


def detect_format(file_name: str, data: bytes, settings: Mapping[str, Any] | None = None) -> str:
    """The id of the document's format (by file name, checked against the content); a clear
    message when no registered format takes it."""
    if not data:
        raise ValidationError.single(msg("The file is empty."), column="file")
    check_size(len(data), max_bytes(settings), "MAX_DOCUMENT_BYTES")
    found = formats.format_for_name(file_name)
    if found is None:
        suffix = PurePath(file_name or "").suffix.lower()
        hint = _UNSUPPORTED_HINTS.get(suffix)
        reason = msg("“%(name)s” cannot be translated here: supported are %(formats)s.",
                     name=file_name, formats=formats.supported())
        if hint is not None:
            reason = msg("%(reason)s %(hint)s", reason=reason, hint=hint)
        raise ValidationError.single(reason, column="file", value=suffix or file_name)
    found.detect(file_name, data)
    return found.id


def parse_file(fmt: str, data: bytes,
               limits: UploadLimits | Mapping[str, Any] | None = None) -> ParsedDocument:
    """Read the blocks of a file of a registered format, within the upload limits.

    The languages a bilingual file names come back as base codes (``zh-CN`` → ``zh``).
    """
    parsed = formats.document_format(fmt).parse(data, limits_of(limits))
    parsed.source_lang = base_lang(parsed.source_lang) or None
    parsed.target_lang = base_lang(parsed.target_lang) or None
    return parsed


def _clean_targets(targets: Iterable[str], source_lang: str) -> list[str]:
    cleaned: list[str] = []
    problems = []
    for raw in targets:
        lang = base_lang(raw)
        if not lang:
            continue
        if not _LANG.match(lang):
            problems.append(Problem(msg("Not a language code (use e.g. en, ru, ja, ko)."),
                                    column="targets", value=raw))
        elif lang == source_lang:
            problems.append(Problem(
                msg("A target language must differ from the source language."),
                column="targets", value=raw))
        elif lang not in cleaned:
            cleaned.append(lang)
    if problems:
        raise ValidationError(problems, summary=problems[0].reason)
    if not cleaned:
        raise ValidationError.single(msg("Choose at least one target language."),
                                     column="targets")
    return cleaned


def _clean_date(value: str | None) -> str | None:
    if not value:
        return None
    from datetime import date
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValidationError.single(msg("The due date must be a date like 2026-12-31."),
                                     column="due_date", value=value) from None


def _check_assignees(db: Database, user_ids: Iterable[int | str | None]) -> list[int]:
    # Forms may send empty choices; they assign nobody.
    ids = sorted({int(u) for u in user_ids if u is not None and u != ""})
    for user_id in ids:
        user = auth.get_user(db, user_id)
        if user is None or not auth.can(user, "documents.translate"):
            raise ValidationError.single(
                msg("Only translators and reviewers can be assigned to a document."),
                column="assignees", value=user_id)
    return ids


def create_document(db: Database, actor: auth.User, file_name: str, data: bytes, *,
                    targets: Iterable[str] | None = None, title: str | None = None,
                    domain: str = "policy", due_date: str | None = None,
                    assignees: Iterable[int] = (), source_lang: str | None = None,
                    settings: Mapping[str, Any] | None = None) -> int:
    """Upload a document: check, parse, segment, and create its translation units; its id.

    One summary audit event records the document with its counts (a bulk import).
    """
    auth.require(actor, "documents.manage")
    fmt = detect_format(file_name, data, settings)
    limits = limits_of(settings)
    parsed = parse_file(fmt, data, limits)
    source = base_lang(source_lang or parsed.source_lang or "zh")
    # Default: the XLIFF file's target language, else English.
    wanted = [t for t in (targets or []) if t] or \
        ([parsed.target_lang] if parsed.target_lang else ["en"])
    target_langs = _clean_targets(wanted, source)
    due = _clean_date(due_date)
    assignee_ids = _check_assignees(db, assignees)
    title = (title or parsed.title or PurePath(file_name).stem or file_name).strip()[:200]
    if not parsed.blocks:
        raise ValidationError.single(msg("“%(name)s” contains no text to translate.",
                                         name=file_name), column="file")
    rules = segmentation.load_rules(db)
    splitter = segmentation.segmenter(rules, source)
    target_splitter = segmentation.segmenter(rules, target_langs[0])
    planned: list[tuple[Block, list[tuple[str, str | None]]]] = []
    total = 0
    bilingual = formats.document_format(fmt).bilingual
    for block in parsed.blocks:
        pieces = _plan_block(block, bilingual, splitter, target_splitter,
                             parsed.targets.get(block.locator))
        total += len(pieces)
        if total > limits.document_max_segments:  # stop before planning the rest
            raise count_exceeded(msg("translation segments"), limits.document_max_segments,
                                 "DOCUMENT_MAX_SEGMENTS", hint=msg("Split it into parts."))
        planned.append((block, pieces))
    if total == 0:
        raise ValidationError.single(msg("“%(name)s” contains no text to translate.",
                                         name=file_name), column="file")
    now = audit.now_iso()
    with transaction(db):
        doc_id = _inserted_id(db.table("documents").insert({
            "title": title, "file_name": PurePath(file_name).name[:200], "file_format": fmt,
            "source_lang": source, "targets": ";".join(target_langs), "domain": domain or "",
            "due_date": due, "status": "open", "created_by": actor.username,
            "created_at": now, "updated_at": now}).last_pk)
        db.table("document_files").insert({"document_id": doc_id, "data": data, "bytes": len(data),
                                     "sha256": hashlib.sha256(data).hexdigest()})
        db.conn.executemany("INSERT INTO document_assignees (document_id, user_id) VALUES (?, ?)",
                            [(doc_id, u) for u in assignee_ids])
        words = _insert_segments(db, actor, doc_id, source, target_langs, domain, planned,
                                 now)
        db.execute("UPDATE documents SET segment_count = ?, word_count = ? WHERE id = ?",
                   [total, words, doc_id])
        audit.record(db, actor, "document.create", ENTITY, doc_id, None, {
            "title": title, "file_name": file_name, "format": fmt, "source_lang": source,
            "targets": target_langs, "domain": domain, "due_date": due,
            "assignees": assignee_ids, "blocks": len(planned), "segments": total,
            "words": words, "units": total * len(target_langs),
            "imported_translations": len(parsed.targets)})
    return doc_id


def _inserted_id(last_pk: Any) -> int:
    """The id sqlite-utils reports for a one-row insert into a table keyed by ``id``."""
    return cast(int, last_pk)


def _new_row_id(cursor: sqlite3.Cursor) -> int:
    """The rowid of the row an ``INSERT`` just added (set after every successful insert)."""
    return cast(int, cursor.lastrowid)


def _plan_block(block: Block, bilingual: bool, splitter: segmentation.Segmenter,
                target_splitter: segmentation.Segmenter,
                existing: str | None) -> list[tuple[str, str | None]]:
    """The segments of a block, each with the translation a bilingual file brought for it.

    A bilingual (XLIFF) unit that holds several sentences is split with the source
    rules and its translation with the target language's rules; when the two do
    not give the same number of sentences the unit stays whole, as the other tool
    left it.
    """
    pieces = splitter.split(block.text)
    pairs: list[tuple[str, str | None]]
    if bilingual:
        if existing and len(pieces) > 1:
            translated = target_splitter.split(existing)
            pairs = list(zip(pieces, translated, strict=True)) if len(translated) == len(pieces) \
                else [(block.text.strip(), existing)]
        elif len(pieces) > 1:
            pairs = [(piece, None) for piece in pieces]
        else:
            pairs = [(block.text.strip(), existing)]
    else:
        pairs = [(piece, None) for piece in pieces]
    return [(text, target) for text, target in pairs if segmentation.is_translatable(text)]


def _insert_segments(db: Database, actor: auth.User, doc_id: int, source: str,
                     target_langs: list[str], domain: str,
                     planned: list[tuple[Block, list[tuple[str, str | None]]]],
                     now: str) -> int:
    words = 0
    for block_no, (block, pieces) in enumerate(planned):
        if not pieces:
            continue
        block_id = _new_row_id(db.execute(
            """INSERT INTO doc_blocks (document_id, block_no, locator, kind, style, source_text,
                   tags_json) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [doc_id, block_no, block.locator, block.kind, block.style or "", block.text,
             json.dumps(block.tags, ensure_ascii=False)]))
        for seg_no, (piece, imported) in enumerate(pieces):
            count = segmentation.count_words(piece)
            words += count
            segment_id = _new_row_id(db.execute(
                "INSERT INTO doc_segments (document_id, block_id, seg_no, source_text, words) "
                "VALUES (?, ?, ?, ?, ?)", [doc_id, block_id, seg_no, piece, count]))
            _create_units(db, actor, doc_id, segment_id, source, target_langs, domain, piece,
                          now, imported)
    return words


def _create_units(db: Database, actor: auth.User, doc_id: int, segment_id: int, source: str,
                  target_langs: list[str], domain: str, text: str, now: str,
                  imported: str | None = None) -> list[int]:
    unit_ids = []
    for index, lang in enumerate(target_langs):
        prefill = imported if index == 0 and imported else None
        unit_id = _new_row_id(db.execute(
            """INSERT INTO translation_units (kind, scope, source_lang, source_text, target_lang,
                   state, target_text, draft_engine, domain, created_at, updated_at, updated_by)
               VALUES ('segment', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [f"doc:{doc_id}:{segment_id}", source, text, lang,
             "translated" if prefill else "new", prefill, "xliff" if prefill else None,
             domain or None, now, now, actor.username]))
        db.execute("INSERT INTO doc_segment_units (segment_id, target_lang, unit_id) "
                   "VALUES (?, ?, ?)", [segment_id, lang, unit_id])
        unit_ids.append(unit_id)
    return unit_ids


# --- changes -------------------------------------------------------------------------------------

def update_document(db: Database, actor: auth.User, doc_id: int, *,
                    title: str | None = None, due_date: str | None = None,
                    domain: str | None = None, status: str | None = None,
                    assignees: Iterable[int] | None = None) -> dict[str, Any]:
    """Change a document's title, due date, domain, status or assignees (audited)."""
    auth.require(actor, "documents.manage")
    with transaction(db):
        before = get_document(db, doc_id)
        changes: dict[str, Any] = {}
        if title is not None and title.strip():
            changes["title"] = title.strip()[:200]
        if due_date is not None:
            changes["due_date"] = _clean_date(due_date)
        if domain is not None:
            changes["domain"] = domain.strip()[:40]
        if status is not None:
            if status not in ("open", "delivered", "archived"):
                raise ValidationError.single(msg("Unknown status."), column="status", value=status)
            changes["status"] = status
        if changes:
            changes["updated_at"] = audit.now_iso()
            db.table("documents").update(doc_id, changes)
        if assignees is not None:
            ids = _check_assignees(db, assignees)
            db.execute("DELETE FROM document_assignees WHERE document_id = ?", [doc_id])
            db.conn.executemany(
                "INSERT INTO document_assignees (document_id, user_id) VALUES (?, ?)",
                [(doc_id, u) for u in ids])
        after = get_document(db, doc_id)
        audit.record(db, actor, "document.update", ENTITY, doc_id, _public(before),
                     _public(after))
    return after


def _public(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: document.get(k) for k in ("title", "due_date", "domain", "status", "targets")} | {
        "assignees": [a["username"] for a in document.get("assignees", [])]}


def delete_document(db: Database, actor: auth.User, doc_id: int) -> None:
    """Delete a document, its segments and their units (audited; approved TM entries stay)."""
    auth.require(actor, "documents.manage")
    with transaction(db):
        document = get_document(db, doc_id)
        unit_ids = [r[0] for r in db.execute(
            """SELECT su.unit_id FROM doc_segment_units su JOIN doc_segments s
               ON s.id = su.segment_id WHERE s.document_id = ?""", [doc_id])]
        db.execute("DELETE FROM documents WHERE id = ?", [doc_id])
        for start in range(0, len(unit_ids), 500):
            chunk = unit_ids[start:start + 500]
            db.execute(f"DELETE FROM translation_units WHERE id IN "
                       f"({','.join('?' * len(chunk))})", chunk)
        audit.record(db, actor, "document.delete", ENTITY, doc_id, _public(document),
                     {"units_deleted": len(unit_ids)})


def _block_segments(db: Database, block_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM doc_segments WHERE block_id = ? ORDER BY seg_no",
                         [block_id]))


def _replace_segments(db: Database, actor: auth.User, doc_id: int, block_id: int,
                      old: list[dict[str, Any]], new_texts: list[str], action: str) -> list[int]:
    """Swap segments of one block for new ones (fresh units); audited; returns the new ids."""
    document = get_document(db, doc_id)
    old_units = list(db.query(
        f"""SELECT u.id, u.state, u.target_text, u.target_lang FROM doc_segment_units su
            JOIN translation_units u ON u.id = su.unit_id
            WHERE su.segment_id IN ({','.join('?' * len(old))})""", [s["id"] for s in old]))
    first_no = min(s["seg_no"] for s in old)
    count_new = len(new_texts)
    # Shift the following segments to make room (or close the gap).
    shift = count_new - len(old)
    last_no = max(s["seg_no"] for s in old)
    for segment in old:
        db.execute("DELETE FROM doc_segments WHERE id = ?", [segment["id"]])
    for unit in old_units:
        db.execute("DELETE FROM translation_units WHERE id = ?", [unit["id"]])
    if shift:
        # Two steps so the numbers never collide on the way.
        db.execute("UPDATE doc_segments SET seg_no = -(seg_no + ?) WHERE block_id = ? "
                   "AND seg_no > ?", [shift, block_id, last_no])
        db.execute("UPDATE doc_segments SET seg_no = -seg_no WHERE block_id = ? AND seg_no < 0",
                   [block_id])
    now = audit.now_iso()
    new_ids = []
    for offset, text in enumerate(new_texts):
        words = segmentation.count_words(text)
        segment_id = _new_row_id(db.execute(
            "INSERT INTO doc_segments (document_id, block_id, seg_no, source_text, words) "
            "VALUES (?, ?, ?, ?, ?)", [doc_id, block_id, first_no + offset, text, words]))
        _create_units(db, actor, doc_id, segment_id, document["source_lang"],
                      document["targets"], document["domain"], text, now)
        new_ids.append(segment_id)
    total, words = db.execute("SELECT count(*), coalesce(sum(words), 0) FROM doc_segments "
                              "WHERE document_id = ?", [doc_id]).fetchone()
    db.execute("UPDATE documents SET segment_count = ?, word_count = ?, updated_at = ? "
               "WHERE id = ?", [total, words, now, doc_id])
    audit.record(db, actor, action, ENTITY, doc_id,
                 {"segments": [{"id": s["id"], "text": s["source_text"]} for s in old],
                  "units": old_units},
                 {"segments": [{"id": i, "text": t}
                               for i, t in zip(new_ids, new_texts, strict=True)]})
    return new_ids


def _check_editable(db: Database, segment_ids: list[int]) -> None:
    approved = db.execute(
        f"""SELECT count(*) FROM doc_segment_units su JOIN translation_units u
            ON u.id = su.unit_id WHERE su.segment_id IN ({','.join('?' * len(segment_ids))})
            AND u.state IN ('approved', 'in_review')""", segment_ids).fetchone()[0]
    if approved:
        raise ValidationError.single(
            msg("A segment that is under review or approved cannot be merged or split; "
                "ask a reviewer to reject it first."))


def merge_with_next(db: Database, actor: auth.User, doc_id: int, segment_id: int) -> int:
    """Merge a segment with the next one of the same paragraph; returns the merged segment's id.

    The merged segment starts untranslated in every language (the old units go).
    """
    auth.require(actor, "documents.translate")
    with transaction(db):
        segment = next(db.query("SELECT * FROM doc_segments WHERE id = ? AND document_id = ?",
                                [segment_id, doc_id]), None)
        if segment is None:
            raise NotFound(msg("No such segment in this document."))
        siblings = _block_segments(db, segment["block_id"])
        index = next(i for i, s in enumerate(siblings) if s["id"] == segment_id)
        if index + 1 >= len(siblings):
            raise ValidationError.single(
                msg("This is the last segment of its paragraph; only segments of one paragraph "
                    "can be merged."))
        pair = siblings[index:index + 2]
        _check_editable(db, [s["id"] for s in pair])
        document = get_document(db, doc_id)
        glue = segmentation.joiner(document["source_lang"])
        merged = _merge_tags(pair[0]["source_text"] + glue + pair[1]["source_text"])
        return _replace_segments(db, actor, doc_id, segment["block_id"], pair, [merged],
                                 "document.segment_merge")[0]


_CLOSE_OPEN = re.compile(r"\{/(\d+)\}(\s*)\{\1\}")


def _merge_tags(text: str) -> str:
    return _CLOSE_OPEN.sub(lambda m: m.group(2), text)


def split_segment(db: Database, actor: auth.User, doc_id: int, segment_id: int,
                  position: int) -> list[int]:
    """Split a segment at a character position of its source (placeholders re-balanced)."""
    auth.require(actor, "documents.translate")
    with transaction(db):
        segment = next(db.query("SELECT * FROM doc_segments WHERE id = ? AND document_id = ?",
                                [segment_id, doc_id]), None)
        if segment is None:
            raise NotFound(msg("No such segment in this document."))
        text = segment["source_text"]
        position = int(position)
        # Never cut inside a placeholder.
        for match in tags.TAG.finditer(text):
            if match.start() < position < match.end():
                position = match.end()
        left, right = text[:position].strip(), text[position:].strip()
        if not tags.strip_tags(left).strip() or not tags.strip_tags(right).strip():
            raise ValidationError.single(msg("Choose a split point with text on both sides."),
                                         column="position", value=position)
        _check_editable(db, [segment_id])
        pieces = tags.balance([left, right])
        pieces = [_drop_empty_pairs(p) for p in pieces]
        return _replace_segments(db, actor, doc_id, segment["block_id"], [segment], pieces,
                                 "document.segment_split")


_EMPTY_PAIR = re.compile(r"\{(\d+)\}\{/\1\}")


def _drop_empty_pairs(text: str) -> str:
    return _EMPTY_PAIR.sub("", text)


def require_translate(user: auth.User) -> None:
    """Raise PermissionDenied unless the user may work on document segments."""
    if not auth.can(user, "documents.translate"):
        raise PermissionDenied(msg("Your role does not allow translating documents."))


# Moved to workbench.documents.reading; importable from here as before.
from workbench.documents.reading import _decode as _decode  # noqa: E402
from workbench.documents.reading import count_segments as count_segments  # noqa: E402
from workbench.documents.reading import get_document as get_document  # noqa: E402
from workbench.documents.reading import get_segment as get_segment  # noqa: E402
from workbench.documents.reading import list_documents as list_documents  # noqa: E402
from workbench.documents.reading import original_file as original_file  # noqa: E402
from workbench.documents.reading import segment_position as segment_position  # noqa: E402
from workbench.documents.reading import segment_rows as segment_rows  # noqa: E402
from workbench.documents.reading import stats as stats  # noqa: E402
from workbench.documents.reading import unit_in_document as unit_in_document  # noqa: E402
