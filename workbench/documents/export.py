"""Exports of a document: translated file, bilingual DOCX, XLIFF, TMX, plain text.

The translated file is written by the document's own format (the registry in
:mod:`workbench.documents.formats`: DOCX, text, Markdown, or the original XLIFF
filled in); asking for ``txt`` or ``md`` gives a text document's own form and
any other document's translation as plain text. A translated file is final only
when every segment in that language is approved; otherwise it can only be had as
a draft, on explicit request, and says so on its first line (and, for DOCX, in
its properties) and in its file name. Every export writes an audit event (what
was delivered, when, by whom).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth, plugins
from workbench.db import transaction
from workbench.documents import formats, segmentation, store, tags
from workbench.documents.formats import TEXT_EXPORTS, DocumentFormat, TranslatedFile
from workbench.errors import ValidationError
from workbench.messages import msg
from workbench.vocabulary import LANGUAGES

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xliff": "application/xliff+xml", "tmx": "application/x-tmx+xml",
    "txt": "text/plain; charset=utf-8",
}
# Exports any document has, whatever its format (besides its own translated file).
EXCHANGE_EXPORTS = ("bilingual-docx", "xliff", "tmx")


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
        first_target: str = document["targets"][0]
        return first_target
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


def export_formats() -> list[str]:
    """Every export a document may be asked for: each registered format's translated file,
    the exchange files and text."""
    found = list(plugins.document_formats())
    return found + [fmt for fmt in (*EXCHANGE_EXPORTS, *TEXT_EXPORTS) if fmt not in found]


def export_document(db: Database, actor: auth.User, doc_id: int, fmt: str, *,
                    target: str | None = None, draft: bool = False) -> ExportFile:
    """Build an export of the document in ``fmt`` for ``target`` (default: first target).

    Raises ValidationError for a final translated file while segments are unapproved.
    """
    # Delivering files is the staff's job (documents.manage), as for sign exports.
    auth.require(actor, "documents.manage")
    known = export_formats()
    if fmt not in known:
        raise ValidationError.single(
            msg("Unknown export format “%(format)s”; use one of %(known)s.", format=fmt,
                known=", ".join(known)), column="format", value=fmt)
    document = store.get_document(db, doc_id)
    source = formats.document_format(document["file_format"])
    lang = _target_lang(document, target)
    rows = _rows(db, doc_id, lang)
    translations, unapproved = _block_translations(rows, lang, draft)
    stem = f"{_stem(document)}.{lang}"
    result: ExportFile
    if source.exports_as(fmt) or fmt in TEXT_EXPORTS:
        if unapproved and not draft:
            raise ValidationError.single(msg(
                "%(unapproved)s of %(total)s segments in %(lang)s are not approved yet, so "
                "the translated file cannot be exported as final. Approve them first, or "
                "export a draft (it is clearly marked as a draft).", unapproved=unapproved,
                total=len(rows), lang=LANGUAGES.label(lang)), column="format")
        result = _translated_file(db, document, source, fmt, lang, rows, translations, stem,
                                  draft and unapproved > 0, unapproved)
    elif fmt == "bilingual-docx":
        result = _bilingual_docx(document, lang, rows, stem, unapproved)
    elif fmt == "xliff":
        result = _xliff20(document, lang, rows, stem, unapproved)
    elif fmt == "tmx":
        result = _tmx(db, document)
    else:  # another format's translated file: only from a document of that format
        raise ValidationError.single(msg(
            "Only a document uploaded as %(format)s can be exported as a translated "
            "%(format)s; use the bilingual DOCX instead.",
            format=formats.document_format(fmt).label), column="format")
    with transaction(db):
        audit.record(db, actor, "document.export", store.ENTITY, doc_id, None, {
            "format": fmt, "target": lang, "draft": result.draft, "file_name": result.file_name,
            "bytes": len(result.data), "unapproved": unapproved})
    return result


def _bilingual_docx(document: Mapping[str, Any], lang: str, rows: list[dict[str, Any]],
                    stem: str, unapproved: int) -> ExportFile:
    """Source | translation in a table, for proofreading; unapproved rows marked."""
    from workbench.documents.docx import write_bilingual_docx

    note = ""
    if unapproved:
        note = (f"DRAFT — {unapproved} of {len(rows)} segments are not approved yet "
                f"(marked in the translation column). 草稿：{unapproved} 句尚未审定。")
    data = write_bilingual_docx(document["title"], document["source_lang"], lang,
                                [(r["source_text"], r["target_text"] or "", r["state"])
                                 for r in rows], note)
    return ExportFile(f"{stem}.bilingual.docx", MIME["docx"], data, bool(unapproved),
                      unapproved)


def _xliff20(document: Mapping[str, Any], lang: str, rows: list[dict[str, Any]], stem: str,
             unapproved: int) -> ExportFile:
    """The segments as XLIFF 2.0, with their states, for another CAT tool."""
    from workbench.files.xliff import write_xliff20

    data = write_xliff20(document["title"], document["file_name"],
                         document["source_lang"], lang,
                         [{"id": r["segment_id"], "locator": r["locator"],
                           "source": r["source_text"], "target": r["target_text"],
                           "state": r["state"], "tags": r["tags"]} for r in rows])
    return ExportFile(f"{stem}.xlf", MIME["xliff"], data, False, unapproved)


def _tmx(db: Database, document: Mapping[str, Any]) -> ExportFile:
    """Approved segments only, every target language (the one TMX writer, placeholders as
    TMX inline codes)."""
    import io

    from workbench.files.tmx import TmxUnit, write_tmx

    merged: dict[int, TmxUnit] = {}
    for other in document["targets"]:
        for row in _rows(db, document["id"], other):
            unit = merged.setdefault(row["segment_id"], TmxUnit(
                f"s{row['segment_id']}", [(document["source_lang"], row["source_text"])]))
            if row["state"] == "approved" and row["target_text"]:
                unit.variants.append((other, row["target_text"]))
    buffer = io.BytesIO()
    write_tmx(buffer, [u for u in merged.values() if len(u.variants) > 1],
              source_lang=document["source_lang"], segtype="sentence", markup=True)
    return ExportFile(f"{_stem(document)}.tmx", MIME["tmx"], buffer.getvalue(), False,
                      sum(1 for u in merged.values() if len(u.variants) == 1))


def _translated_file(db: Database, document: Mapping[str, Any], source: DocumentFormat,
                     fmt: str, lang: str, rows: list[dict[str, Any]],
                     translations: dict[str, str], stem: str, is_draft: bool,
                     unapproved: int) -> ExportFile:
    """The document translated: written by its own format, else (text asked for a document
    that is not text) its translated paragraphs as plain text."""
    banner = (f"DRAFT — NOT APPROVED: {unapproved} of {len(rows)} segments are not approved "
              f"yet. 草稿，未经审定。") if is_draft else None
    suffix = ".DRAFT" if is_draft else ""
    if source.exports_as(fmt):
        data = source.write_translated(TranslatedFile(
            store.original_file(db, document["id"]), translations, rows, lang, is_draft,
            banner))
        return ExportFile(f"{stem}{suffix}.{source.extension}", source.mimetype, data,
                          is_draft, unapproved)
    seen: list[str] = []
    for row in rows:
        if row["locator"] not in seen:
            seen.append(row["locator"])
    text = "\n\n".join(tags.strip_tags(translations[locator]) for locator in seen) + "\n"
    return ExportFile(f"{stem}{suffix}.txt", MIME["txt"],
                      formats.with_banner(text, banner).encode("utf-8"), is_draft, unapproved)
