"""A streaming look at an XLSX workbook before python-calamine reads it.

calamine builds a dense grid from the first to the last non-empty cell of a
sheet, and reserves the shared-string table's declared size up front: one cell
at ``ZZZZZZZZZ2`` or ``uniqueCount="99999999999"`` makes it allocate hundreds of
gigabytes and abort the whole process. This module streams the workbook's
members once (through :class:`~workbench.files.zipfiles.BoundedZip`, which
checks every member's real size and checksum) and measures, without building
anything: the extent of the first sheet's cells (last row, last column, number
of cells) and the shared-string table's declared and real entry counts.

The sheet is scanned on raw bytes (counts and small regular expressions over
1 MB chunks) when every cell carries its reference, as Excel, WPS, LibreOffice
and openpyxl write them; otherwise, or when a cell's reference disagrees with
its row, an exact event-based scan (expat) mirrors calamine's own positions.
"""
from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from workbench.errors import ValidationError
from workbench.files.limits import UploadLimits
from workbench.files.xmlguard import ENTITY_DECLARATION, parse_xml
from workbench.files.zipfiles import BoundedZip
from workbench.messages import MessageLike, msg

PACKAGE_RELS = "_rels/.rels"
OFFICE_DOCUMENT = "/officeDocument"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
SMALL_PART_BYTES = 16 * 1024 * 1024

# Cell references of 1–3 capital letters and 1–7 digits; any other form is left
# to the exact scan (which parses it as calamine does).
_CELL_LETTERS = re.compile(rb'<c r="([A-Z]{1,3})[0-9]{1,7}"')
_ROW_NUMBER = re.compile(rb'<row r="([0-9]{1,9})"')
# Cells or rows without a reference first: positions then come from counters.
_UNREFERENCED = re.compile(rb'<c[>/]|<row[>/]|<row (?!r=")')
_PREFIXED_ROOT = re.compile(rb"<[A-Za-z_][\w.-]*:worksheet\b")
_SST_START = re.compile(rb"<(?:[\w.-]+:)?sst\b([^>]*)>")
_SST_COUNT = re.compile(rb'\b(?:uniqueCount|count)="\s*([0-9]+)')


@dataclass
class SheetExtent:
    """How far a sheet's cells reach (1-based last row and column) and how many there are."""

    last_row: int = 0
    last_column: int = 0
    cells: int = 0


@dataclass
class WorkbookParts:
    """Where calamine will read: the first worksheet and the shared strings."""

    sheet: str
    shared_strings: str | None


def column_number(letters: str | bytes) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27 (letters of a cell reference)."""
    number = 0
    for char in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + (ord(char) - 64)
    return number


def _greater_number(value: int) -> bytes:
    """A regular expression for decimal numbers (leading zeros allowed) above ``value``."""
    digits = str(value)
    options = [rb"[1-9][0-9]{%d,}" % len(digits)]
    for index, digit in enumerate(digits):
        if digit != "9":
            options.append(digits[:index].encode() + b"[%d-9]" % (int(digit) + 1)
                           + (b"[0-9]{%d}" % (len(digits) - index - 1)
                              if index < len(digits) - 1 else b""))
    return rb"0*(?:" + b"|".join(options) + rb")"


class _FastSheetScan:
    """Counts and bounds on raw sheet bytes; ``exact_needed`` when it cannot be sure."""

    def __init__(self) -> None:
        self.extent = SheetExtent()
        self.exact_needed = False
        self._letters: set[bytes] = set()
        self._tail = b""
        self._first = True
        self._cells_without_reference = 0

    def feed(self, chunk: bytes) -> None:
        buffer = self._tail + chunk
        cut = buffer.rfind(b"<")
        part, self._tail = (buffer, b"") if cut < 0 else (buffer[:cut], buffer[cut:])
        self._scan(part)

    def close(self) -> None:
        self._scan(self._tail)
        self._tail = b""
        if self._letters:
            self.extent.last_column = max(column_number(letters) for letters in self._letters)

    def _scan(self, part: bytes) -> None:
        if self.exact_needed or not part:
            return
        refuse_entities(part, msg("the worksheet"))
        if self._first:
            self._first = False
            if _PREFIXED_ROOT.search(part[:4096]):
                self.exact_needed = True
                return
        cells = part.count(b'<c r="')
        if part.count(b"<c ") != cells or _UNREFERENCED.search(part):
            self.exact_needed = True
            return
        letters = _CELL_LETTERS.findall(part)
        if len(letters) != cells:  # a reference that is not A1-style: exact scan
            self.exact_needed = True
            return
        self.extent.cells += cells
        numbers = _ROW_NUMBER.findall(part)
        if numbers:
            self.extent.last_row = max(self.extent.last_row, max(map(int, numbers)))
        # A cell's own reference decides its place; one below the last row seen
        # so far contradicts its row element: the exact scan sorts that out.
        if cells and re.search(rb'<c r="[A-Z]{1,3}' + _greater_number(self.extent.last_row)
                               + rb'"', part):
            self.exact_needed = True
            return
        self._letters.update(letters)


def refuse_entities(part: bytes, what: MessageLike) -> None:
    """ValidationError when XML bytes declare entities (none of an XLSX needs any)."""
    if ENTITY_DECLARATION in part:
        raise ValidationError.single(msg(
            "XML entity declarations in %(what)s are refused for safety.", what=what))


def _split_reference(reference: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"\s*([A-Za-z]+)([0-9]+)\s*", reference)
    if match is None:
        return None
    return int(match.group(2)), column_number(match.group(1))


def _exact_extent(chunks: Iterable[bytes]) -> SheetExtent:
    """The extent as calamine positions cells: by reference, else by row and column counters."""
    extent = SheetExtent()
    state = {"row": 1, "column": 1, "depth": 0}

    def local(name: str) -> str:
        return name.rsplit(":", 1)[-1].rsplit("}", 1)[-1]

    def start(name: str, attributes: dict[str, str]) -> None:
        tag = local(name)
        if tag == "row":
            number = attributes.get("r")
            if number is not None and number.strip().isdigit():
                state["row"] = int(number)
            state["column"] = 1
        elif tag == "c":
            position = _split_reference(attributes.get("r", "")) if "r" in attributes else None
            row, column = position if position else (state["row"], state["column"])
            state["column"] = column + 1
            extent.cells += 1
            extent.last_row = max(extent.last_row, row)
            extent.last_column = max(extent.last_column, column)

    def end(name: str) -> None:
        if local(name) == "row":
            state["row"] += 1

    def no_entities(*_args: object) -> None:
        raise ValidationError.single(msg(
            "XML entity declarations in %(what)s are refused for safety.",
            what=msg("the worksheet")))

    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = no_entities
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as error:
        raise ValidationError.single(msg(
            "The worksheet is not well-formed XML (line %(line)s): %(reason)s",
            line=error.lineno, reason=xml.parsers.expat.errors.messages.get(error.code, ""))
        ) from None
    return extent


def sheet_extent(archive: BoundedZip, path: str) -> SheetExtent:
    """The extent of one worksheet's cells, scanned while streaming the member."""
    fast = _FastSheetScan()
    for chunk in archive.chunks(path):
        fast.feed(chunk)
        if fast.exact_needed:
            break
    if not fast.exact_needed:
        fast.close()
    if not fast.exact_needed:
        return fast.extent
    return _exact_extent(archive.chunks(path))


def shared_string_counts(archive: BoundedZip, path: str) -> tuple[int, int]:
    """(largest count the table declares, entries it really has)."""
    declared, entries, tail, first = 0, 0, b"", True
    entry = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
    for chunk in archive.chunks(path):
        buffer = tail + chunk
        cut = buffer.rfind(b"<")
        part, tail = (buffer, b"") if cut < 0 else (buffer[:cut], buffer[cut:])
        if first:
            start = _SST_START.search(part)
            if start is not None:
                first = False
                counts = _SST_COUNT.findall(start.group(1))
                declared = max((int(value) for value in counts), default=0)
        refuse_entities(part, msg("the workbook"))
        entries += len(entry.findall(part))
    refuse_entities(tail, msg("the workbook"))
    entries += len(entry.findall(tail))
    return declared, entries


def _rels_target(archive: BoundedZip, rels_path: str, base: str,
                 rel_id: str | None = None, suffix: str | None = None) -> str | None:
    if rels_path not in archive:
        return None
    root = parse_xml(archive.read(rels_path, SMALL_PART_BYTES), archive.limits,
                     msg("the workbook"))
    for rel in root:
        matches = (rel_id is not None and rel.get("Id") == rel_id) or (
            suffix is not None and (rel.get("Type") or "").endswith(suffix))
        if matches:
            target = rel.get("Target") or ""
            if target.startswith("/"):
                return target.lstrip("/")
            return str(PurePosixPath(base) / target) if base else target
    return None


def workbook_parts(archive: BoundedZip) -> WorkbookParts:
    """The first worksheet's member and the shared strings' member, as calamine finds them."""
    unreadable = ValidationError.single(msg(
        "The file is not a readable .xlsx workbook (old .xls files: save as .xlsx)."))
    workbook = _rels_target(archive, PACKAGE_RELS, "", suffix=OFFICE_DOCUMENT) or \
        "xl/workbook.xml"
    if workbook not in archive:
        raise unreadable
    folder = str(PurePosixPath(workbook).parent)
    root = parse_xml(archive.read(workbook, SMALL_PART_BYTES), archive.limits,
                     msg("the workbook"))
    first = next((node for node in root.iter() if isinstance(node.tag, str)
                  and node.tag.rsplit("}", 1)[-1] == "sheet"), None)
    if first is None:
        raise ValidationError.single(msg("The workbook has no worksheet."))
    rels = str(PurePosixPath(folder) / "_rels" / (PurePosixPath(workbook).name + ".rels"))
    sheet = _rels_target(archive, rels, folder, rel_id=first.get(REL_NS))
    if sheet is None or sheet not in archive:
        raise unreadable
    strings = str(PurePosixPath(folder) / "sharedStrings.xml")
    return WorkbookParts(sheet, strings if strings in archive else None)


def scan_workbook(archive: BoundedZip, limits: UploadLimits) -> tuple[SheetExtent, int]:
    """Check every member's real size, measure the first sheet; (extent, shared strings).

    The second value is the larger of the shared-string table's declared and
    real entry counts (what calamine will reserve and fill).
    """
    parts = workbook_parts(archive)
    extent = sheet_extent(archive, parts.sheet)
    strings = 0
    if parts.shared_strings:
        strings = max(shared_string_counts(archive, parts.shared_strings))
    for member in archive.infolist():
        if member.name in (parts.sheet, parts.shared_strings) or member.is_dir:
            continue
        xml_part = member.name.endswith((".xml", ".rels"))
        for chunk in archive.chunks(member.name):
            if xml_part:
                refuse_entities(chunk, msg("the workbook"))
    return extent, strings
