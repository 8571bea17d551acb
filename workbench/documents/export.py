"""Exports of a document: translated file, bilingual DOCX, XLIFF, TMX, plain text.

The translated file (DOCX, text, Markdown, or the original XLIFF filled in) is
final only when every segment in that language is approved; otherwise it can
only be had as a draft, on explicit request, and says so on its first line
(and, for DOCX, in its properties) and in its file name. Every export writes an
audit event (what was delivered, when, by whom).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.documents import segmentation, store, tags
from workbench.errors import ValidationError
from workbench.messages import msg
from workbench.vocabulary import LANGUAGES

FORMATS = ("docx", "bilingual-docx", "xliff", "tmx", "txt", "md")
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xliff": "application/xliff+xml", "tmx": "application/x-tmx+xml",
    "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8",
}


@dataclass
class ExportFile:
    """A file to hand to the user."""

    file_name: str
    mimetype: str
    data: bytes
    draft: bool = False
    unapproved: int = 0


def _rows(db: Database, doc_id: int, lang: str) -> list[dict[str, Any]]:
    return store.segment_rows(db, doc_id, lang)


def _target_lang(document: Mapping[str, Any], target: str | None) -> str:
    if target is None:
        return document["targets"][0]
    lang = store.base_lang(target)
    if lang not in document["targets"]:
        raise ValidationError.single(
            msg("The document is not translated into “%(target)s”; its target languages are "
                "%(languages)s.", target=target,
                languages=[LANGUAGES.label(code) for code in document["targets"]]),
            column="target", value=target)
    return lang


def _block_translations(rows: list[dict[str, Any]], lang: str,
                        draft: bool) -> tuple[dict[str, str], int]:
    """locator → translated tagged text of the block, and how many segments were unapproved."""
    by_block: dict[str, list[str]] = {}
    unapproved = 0
    for row in rows:
        if row["state"] != "approved":
            unapproved += 1
        if row["state"] == "approved" or (draft and row["target_text"]):
            text = row["target_text"]
        else:
            text = row["source_text"]  # a draft shows what is not translated yet as it was
        by_block.setdefault(row["locator"], []).append(text)
    glue = segmentation.joiner(lang)
    return {locator: glue.join(parts) for locator, parts in by_block.items()}, unapproved


def _stem(document: Mapping[str, Any]) -> str:
    stem = PurePath(document["file_name"]).stem or f"document-{document['id']}"
    return stem.replace("/", "_")[:120]


def export_document(db: Database, actor: auth.User, doc_id: int, fmt: str, *,
                    target: str | None = None, draft: bool = False) -> ExportFile:
    """Build an export of the document in ``fmt`` for ``target`` (default: first target).

    Raises ValidationError for a final translated file while segments are unapproved.
    """
    # Delivering files is the staff's job (documents.manage), as for sign exports.
    auth.require(actor, "documents.manage")
    if fmt not in FORMATS:
        raise ValidationError.single(msg("Unknown export format “%(fmt)s”; use one of "
                                         "%(formats)s.", fmt=fmt, formats=", ".join(FORMATS)),
                                     column="format", value=fmt)
    document = store.get_document(db, doc_id)
    lang = _target_lang(document, target)
    rows = _rows(db, doc_id, lang)
    translations, unapproved = _block_translations(rows, lang, draft)
    stem = f"{_stem(document)}.{lang}"
    result: ExportFile
    if fmt in ("docx", "txt", "md") or (fmt == "xliff" and document["file_format"] == "xliff"):
        translated_fmt = fmt
        if fmt in ("txt", "md") and document["file_format"] in ("txt", "md"):
            translated_fmt = document["file_format"]
        final_file = (translated_fmt == document["file_format"]) or fmt in ("txt", "md")
        if final_file and unapproved and not draft:
            raise ValidationError.single(
                msg("%(unapproved)s of %(rows)s segments in %(lang)s are not approved yet, so "
                    "the translated file cannot be exported as final. Approve them first, or "
                    "export a draft (it is clearly marked as a draft).", unapproved=unapproved,
                    rows=len(rows), lang=LANGUAGES.label(lang)), column="format")
        result = _translated_file(db, document, fmt, lang, rows, translations, stem,
                                  draft and unapproved > 0, unapproved)
    elif fmt == "bilingual-docx":
        from workbench.documents.docx import write_bilingual_docx

        note = ""
        if unapproved:
            note = (f"DRAFT — {unapproved} of {len(rows)} segments are not approved yet "
                    f"(marked in the translation column). 草稿：{unapproved} 句尚未审定。")
        data = write_bilingual_docx(document["title"], document["source_lang"], lang,
                                    [(r["source_text"], r["target_text"] or "", r["state"])
                                     for r in rows], note)
        result = ExportFile(f"{stem}.bilingual.docx", MIME["docx"], data, bool(unapproved),
                            unapproved)
    elif fmt == "xliff":
        from workbench.documents.xliff import write_xliff20

        data = write_xliff20(document["title"], document["file_name"],
                             document["source_lang"], lang,
                             [{"id": r["segment_id"], "locator": r["locator"],
                               "source": r["source_text"], "target": r["target_text"],
                               "state": r["state"], "tags": r["tags"]} for r in rows])
        result = ExportFile(f"{stem}.xlf", MIME["xliff"], data, False, unapproved)
    else:  # tmx: approved segments only, every target language
        from workbench.documents.xliff import write_tmx

        merged: dict[int, dict[str, Any]] = {}
        for other in document["targets"]:
            for row in _rows(db, doc_id, other):
                slot = merged.setdefault(row["segment_id"], {
                    "id": row["segment_id"], "source": row["source_text"], "targets": {}})
                if row["state"] == "approved" and row["target_text"]:
                    slot["targets"][other] = row["target_text"]
        data = write_tmx(document["source_lang"], list(merged.values()))
        result = ExportFile(f"{_stem(document)}.tmx", MIME["tmx"], data, False,
                            sum(1 for m in merged.values() if not m["targets"]))
    with transaction(db):
        audit.record(db, actor, "document.export", store.ENTITY, doc_id, None, {
            "format": fmt, "target": lang, "draft": result.draft, "file_name": result.file_name,
            "bytes": len(result.data), "unapproved": unapproved})
    return result


def _translated_file(db: Database, document: Mapping[str, Any], fmt: str, lang: str,
                     rows: list[dict[str, Any]], translations: dict[str, str], stem: str,
                     is_draft: bool, unapproved: int) -> ExportFile:
    original = store.original_file(db, document["id"])
    banner = (f"DRAFT — NOT APPROVED: {unapproved} of {len(rows)} segments are not approved "
              f"yet. 草稿，未经审定。") if is_draft else None
    suffix = ".DRAFT" if is_draft else ""
    source_fmt = document["file_format"]
    if fmt == "docx":
        if source_fmt != "docx":
            raise ValidationError.single(
                msg("Only a document uploaded as DOCX can be exported as a translated DOCX; "
                    "use the bilingual DOCX instead."), column="format")
        from workbench.documents.docx import write_translated_docx

        data = write_translated_docx(original, translations, banner)
        return ExportFile(f"{stem}{suffix}.docx", MIME["docx"], data, is_draft, unapproved)
    if fmt == "xliff":
        from workbench.documents.xliff import write_back

        tables = {r["locator"]: r["tags"] for r in rows}
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            grouped.setdefault(row["locator"], []).append(row)
        glue = segmentation.joiner(lang)
        targets = {}
        # A unit the workbench split into sentences goes back whole: its sentences
        # joined, approved only when every one of them is.
        for locator, group in grouped.items():
            if not all(r["target_text"] for r in group):
                continue
            states = [r["state"] for r in group]
            if not is_draft and any(s != "approved" for s in states):
                continue
            state = "approved" if all(s == "approved" for s in states) else next(
                s for s in states if s != "approved")
            targets[locator] = (glue.join(r["target_text"] for r in group), state)
        data = write_back(original, targets, tables, lang)
        return ExportFile(f"{stem}{suffix}.xlf", MIME["xliff"], data, is_draft, unapproved)
    from workbench.documents import textfmt

    if source_fmt == "txt" and fmt in ("txt", "md"):
        text = textfmt.write_txt(textfmt.decode(original), translations)
        ext = "txt"
    elif source_fmt == "md" and fmt in ("txt", "md"):
        blocks, skeleton = textfmt.read_markdown(textfmt.decode(original))
        text = textfmt.write_markdown(skeleton, {b.locator: b for b in blocks}, translations)
        ext = "md"
    else:
        # Any other document as plain text: its translated paragraphs in order.
        seen: list[str] = []
        for row in rows:
            if row["locator"] not in seen:
                seen.append(row["locator"])
        text = "\n\n".join(tags.strip_tags(translations[locator]) for locator in seen) + "\n"
        ext = "txt"
    if banner:
        text = f"{banner}\n\n{text}"
    return ExportFile(f"{stem}{suffix}.{ext}", MIME[ext], text.encode("utf-8"), is_draft,
                      unapproved)

