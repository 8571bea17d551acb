"""Document formats: how a file is recognized, read into blocks and written back translated.

A format is one small :class:`DocumentFormat` with an ``id`` (stored with each
uploaded document), a ``name``, its file-name ``extensions`` and three methods:
:meth:`~DocumentFormat.detect` refuses bytes that are not of the format,
:meth:`~DocumentFormat.parse` reads the blocks to translate (within the upload
limits) and :meth:`~DocumentFormat.write_translated` writes the original file
again with its translations. Formats are registered through the
``register_document_formats`` hook (the built-in DOCX, plain text, Markdown and
XLIFF 1.2/2.0 in :mod:`workbench.documents.plugin`); upload
(:mod:`workbench.documents.store`) and export (:mod:`workbench.documents.export`)
ask :func:`workbench.plugins.document_formats`, never the file name themselves.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, ClassVar

from workbench import plugins
from workbench.documents.docx import Block
from workbench.errors import ValidationError
from workbench.files.limits import UploadLimits, count_exceeded
from workbench.messages import N_, Message, msg


@dataclass
class ParsedDocument:
    """What an uploaded file yields before it is stored.

    ``targets`` holds the translations a bilingual file brought (locator → tagged
    text); ``source_lang``/``target_lang`` are what the file itself says, if anything.
    """

    fmt: str
    blocks: list[Block]
    targets: dict[str, str] = field(default_factory=dict)
    source_lang: str | None = None
    target_lang: str | None = None
    title: str = ""


@dataclass(frozen=True)
class TranslatedFile:
    """What writing a translated file needs.

    ``translations`` maps each block's locator to its translated (tagged) text;
    ``rows`` are the document's segments with their unit in ``lang`` (state,
    target text, tags), in order; ``banner`` is the DRAFT note to show at the
    top when the file is a draft (``draft``), else None.
    """

    original: bytes
    translations: Mapping[str, str]
    rows: list[dict[str, Any]]
    lang: str
    draft: bool = False
    banner: str | None = None


class DocumentFormat:
    """Base class of a document format; subclasses set the class attributes and methods."""

    id: ClassVar[str] = ""
    name: ClassVar[str] = ""  # a message id: mark it with N_()
    extensions: ClassVar[tuple[str, ...]] = ()  # lower case, with the dot
    mimetype: ClassVar[str] = "application/octet-stream"
    # The extension of the translated file (without the dot).
    extension: ClassVar[str] = ""
    # A bilingual file (XLIFF) brings translations and its own target language.
    bilingual: ClassVar[bool] = False
    # Plain text of some kind: a "txt" or "md" export gives the translated file.
    plain_text: ClassVar[bool] = False

    @property
    def label(self) -> Message:
        """The format's name as a translatable message."""
        return Message(self.name)

    def detect(self, file_name: str, data: bytes) -> None:
        """Raise a ValidationError when ``data`` is not a file of this format."""

    def parse(self, data: bytes, limits: UploadLimits) -> ParsedDocument:
        """The blocks to translate, read within ``limits``."""
        raise NotImplementedError

    def write_translated(self, file: TranslatedFile) -> bytes:
        """The original file with every translated block replaced."""
        raise NotImplementedError

    def exports_as(self, export_id: str) -> bool:
        """Whether asking for the export ``export_id`` gives this format's translated file."""
        return export_id == self.id or (self.plain_text and export_id in TEXT_EXPORTS)


# Exports that mean "as text": a text document's own form, any other as plain text.
TEXT_EXPORTS = ("txt", "md")


def with_banner(text: str, banner: str | None) -> str:
    """A text file's content with the DRAFT banner on top, when there is one."""
    return f"{banner}\n\n{text}" if banner else text


class DocxFormat(DocumentFormat):
    """Word documents: paragraphs of the body, tables, headers, footers and notes."""

    id = "docx"
    name = N_("Word (.docx)")
    extensions = (".docx",)
    mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    extension = "docx"

    def detect(self, file_name: str, data: bytes) -> None:
        """A .docx is a ZIP package; an old .doc renamed is not."""
        if not data.startswith(b"PK"):
            raise ValidationError.single(msg(
                "“%(name)s” is not a real .docx file (perhaps an old .doc renamed). "
                "Save it as .docx in Word or WPS.", name=file_name), column="file")

    def parse(self, data: bytes, limits: UploadLimits) -> ParsedDocument:
        """Every paragraph, within the package limits."""
        from workbench.documents.docx import read_docx
        from workbench.files.packages import check_package

        check_package(data, limits, msg("the Word document"))
        return ParsedDocument(self.id, read_docx(data))

    def write_translated(self, file: TranslatedFile) -> bytes:
        """The original document with its paragraphs' text runs replaced."""
        from workbench.documents.docx import write_translated_docx

        return write_translated_docx(file.original, dict(file.translations), file.banner)


class TextFormat(DocumentFormat):
    """Plain text: each non-empty line is a paragraph."""

    id = "txt"
    name = N_("plain text (.txt)")
    extensions = (".txt", ".text")
    mimetype = "text/plain; charset=utf-8"
    extension = "txt"
    plain_text = True

    def detect(self, file_name: str, data: bytes) -> None:
        """Text has no NUL bytes (a binary file renamed has)."""
        if b"\x00" in data[:4096]:
            raise ValidationError.single(msg("“%(name)s” is not a text file.", name=file_name),
                                         column="file")

    def decode(self, data: bytes) -> str:
        """The file's text by the workbench's one decoding rule (BOM, UTF-8, GB18030)."""
        from workbench.documents import textfmt

        return textfmt.decode(data)

    def parse(self, data: bytes, limits: UploadLimits) -> ParsedDocument:
        """The lines, within the paragraph limit."""
        text = self.decode(data)
        if text.count("\n") + 1 > limits.document_max_paragraphs:
            raise count_exceeded(msg("lines"), limits.document_max_paragraphs,
                                 "DOCUMENT_MAX_PARAGRAPHS")
        return ParsedDocument(self.id, self.read(text))

    def read(self, text: str) -> list[Block]:
        """The blocks of the decoded text."""
        from workbench.documents import textfmt

        return textfmt.read_txt(text)

    def write_translated(self, file: TranslatedFile) -> bytes:
        """The original text with each translated line replaced, under the banner."""
        text = self.write_text(self.decode(file.original), file.translations)
        return with_banner(text, file.banner).encode("utf-8")

    def write_text(self, original: str, translations: Mapping[str, str]) -> str:
        """The decoded original with its translations."""
        from workbench.documents import textfmt

        return textfmt.write_txt(original, dict(translations))


class MarkdownFormat(TextFormat):
    """Markdown: paragraphs, headings, list items, quotes and table cells; code left alone."""

    id = "md"
    name = N_("Markdown (.md)")
    extensions = (".md", ".markdown")
    mimetype = "text/markdown; charset=utf-8"
    extension = "md"

    def read(self, text: str) -> list[Block]:
        """The Markdown blocks (markers kept outside the text)."""
        from workbench.documents import textfmt

        return textfmt.read_markdown(text)[0]

    def write_text(self, original: str, translations: Mapping[str, str]) -> str:
        """The original's skeleton with the translated blocks."""
        from workbench.documents import textfmt

        blocks, skeleton = textfmt.read_markdown(original)
        return textfmt.write_markdown(skeleton, {b.locator: b for b in blocks},
                                      dict(translations))


class XliffFormat(DocumentFormat):
    """XLIFF 1.2 and 2.0 from another CAT tool, with any translations it already holds."""

    id = "xliff"
    name = N_("XLIFF 1.2/2.0 (.xlf, .xliff)")
    extensions = (".xlf", ".xliff", ".xlf2")
    mimetype = "application/xliff+xml"
    extension = "xlf"
    bilingual = True

    def detect(self, file_name: str, data: bytes) -> None:
        """An XLIFF file names its root element early."""
        if b"<xliff" not in data[:4096]:
            raise ValidationError.single(
                msg("“%(name)s” does not look like an XLIFF file.", name=file_name),
                column="file")

    def parse(self, data: bytes, limits: UploadLimits) -> ParsedDocument:
        """The units (with existing targets), the languages and the title."""
        from workbench.files.xliff import read_xliff

        found = read_xliff(data, limits)
        return ParsedDocument(self.id, found.blocks, found.targets, found.source_lang,
                              found.target_lang, found.title)

    def write_translated(self, file: TranslatedFile) -> bytes:
        """The original file with its targets filled in and their states.

        A unit the workbench split into sentences goes back whole: its sentences
        joined, approved only when every one of them is.
        """
        from workbench.documents import segmentation
        from workbench.files.xliff import write_back

        tables = {row["locator"]: row["tags"] for row in file.rows}
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in file.rows:
            grouped.setdefault(row["locator"], []).append(row)
        glue = segmentation.joiner(file.lang)
        targets = {}
        for locator, group in grouped.items():
            if not all(row["target_text"] for row in group):
                continue
            states = [row["state"] for row in group]
            if not file.draft and any(state != "approved" for state in states):
                continue
            state = "approved" if all(s == "approved" for s in states) else next(
                s for s in states if s != "approved")
            targets[locator] = (glue.join(row["target_text"] for row in group), state)
        return write_back(file.original, targets, tables, file.lang)


def document_format(format_id: str) -> DocumentFormat:
    """The registered format with this id, or a ValidationError naming the known ones."""
    known = plugins.document_formats()
    found = known.get(format_id)
    if found is None:
        raise ValidationError.single(
            msg("Unknown document format %(format)s; known formats: %(known)s.",
                format=format_id, known=", ".join(known)), column="format", value=format_id)
    return found


def format_for_name(file_name: str) -> DocumentFormat | None:
    """The registered format a file name's extension says, if any."""
    suffix = PurePath(file_name or "").suffix.lower()
    for candidate in plugins.document_formats().values():
        if suffix in candidate.extensions:
            return candidate
    return None


def supported() -> list[Message]:
    """The names of every registered format, for messages."""
    return [candidate.label for candidate in plugins.document_formats().values()]
