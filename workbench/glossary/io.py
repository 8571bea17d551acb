"""Glossary files in and out: CSV (UTF-8, UTF-8 with BOM, GB18030), XLSX and TBX-Basic.

Readers turn a file into :class:`~workbench.glossary.model.ConceptRecord` s and
collect *every* problem (file, line, column, reason) before anything is
written; :func:`import_file` and :func:`load_directory` then upsert the records
all-or-nothing through :func:`workbench.glossary.store.apply_records`.
Writers export the glossary (or some of its languages) in the same formats, so
that an export imports back to the same glossary.

CSV layout (one concept per row; see ``glossaries/README.md``): ``id``,
``domain``, ``function``, ``source``, ``verified``, ``notes``, and per language
``<lang>`` (preferred) and ``<lang>_<status>`` (admitted, deprecated,
forbidden); several terms in one cell are separated by ``|``.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Iterable, Iterator

from sqlite_utils import Database

from workbench import auth
from workbench.errors import ValidationError
from workbench.files import decoding, formulas, spreadsheets
from workbench.files.limits import DEFAULT_LIMITS, UploadLimits, check_size, limits_of
from workbench.files.xmlguard import parse_xml
from workbench.messages import msg, nmsg
from workbench.glossary.model import (
    DEFAULT_SOURCE, SOURCE_LANG, STATUSES, ConceptRecord, TermRecord, file_lang,
    load_all_concepts, normalize_lang, ordered_terms,
)
from workbench.glossary.store import (
    LOAD_PREFIX, ApplyReport, FileProblem, apply_records, problem, validate_records,
)

if TYPE_CHECKING:
    from lxml import etree

FORMATS = ("tbx", "csv", "xlsx")
FIXED_COLUMNS = ("id", "domain", "function", "source", "verified", "notes")
MULTI_VALUE_SEPARATOR = "|"
_TRUE = {"1", "true", "yes", "y", "是", "x", "✓"}
_FALSE = {"", "0", "false", "no", "n", "否"}
GLOSSARY_FILE_SUFFIXES = (".csv", ".tbx", ".xlsx")


@dataclass
class ParsedFile:
    """What a reader found in one file: records, the languages it carries, and problems."""

    name: str
    records: list[ConceptRecord] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)
    problems: list[FileProblem] = field(default_factory=list)
    encoding: str | None = None


# --- encodings -----------------------------------------------------------------------------

def decode_text(data: bytes, name: str = "") -> tuple[str | None, str | None, FileProblem | None]:
    """Decode a text file by the workbench's one rule (:mod:`workbench.files.decoding`).

    Returns (text, encoding, problem): a file that is neither UTF-8 (with or without
    BOM), UTF-16 with a BOM nor GB18030 is refused rather than guessed at, since a
    wrong guess would store garbled terms.
    """
    try:
        text, encoding = decoding.decode(data, msg("the file"))
    except ValidationError as error:
        return None, None, FileProblem(error.message, file=name or None)
    return text, encoding, None


# --- tables (CSV, XLSX) --------------------------------------------------------------------

@dataclass
class _Column:
    index: int
    name: str
    kind: str  # a fixed column name, or "term"
    lang: str | None = None
    status: str | None = None


def _classify_header(header: list[str], name: str) -> tuple[list[_Column], list[FileProblem]]:
    columns: list[_Column] = []
    found: list[FileProblem] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(header):
        label = (raw or "").strip().lstrip("\ufeff")
        if not label:
            continue
        key = label.lower()
        if key in seen:
            found.append(problem(msg("The column appears twice (columns %(first)s and "
                                     "%(second)s).", first=seen[key] + 1, second=index + 1),
                                 row=1, column=label, file=name))
            continue
        seen[key] = index
        if key in FIXED_COLUMNS:
            columns.append(_Column(index, key, key))
            continue
        lang_part, status = label, "preferred"
        if "_" in label:
            head, _sep, tail = label.rpartition("_")
            if tail.lower() in STATUSES:
                lang_part, status = head, tail.lower()
        lang = file_lang(lang_part)
        if lang is None:
            if re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*", lang_part):
                reason = (f"Unknown language {lang_part!r}: a column is a BCP 47 language "
                          "code (zh, en, ru, ja, ko …), optionally followed by _admitted, "
                          "_deprecated or _forbidden.")
            else:
                reason = (f"Unknown column; the columns are {', '.join(FIXED_COLUMNS)} and "
                          "one per language (zh, en, en_admitted, en_forbidden …).")
            found.append(problem(reason, row=1, column=label, file=name))
            continue
        columns.append(_Column(index, label, "term", lang, status))
    if not any(c.kind == "domain" for c in columns):
        found.append(problem(msg("The column 'domain' is missing."), row=1, column="domain",
                             file=name))
    if not any(c.kind == "term" for c in columns):
        found.append(problem(msg("No language column (zh, en …) was found."), row=1,
                             file=name))
    return columns, found


def _split_terms(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(MULTI_VALUE_SEPARATOR) if part.strip()]


def parse_table(rows: Iterable[tuple[int, list[Any]]], name: str) -> ParsedFile:
    """Records from table rows given as (line number, cells), the first row the header."""
    parsed = ParsedFile(name)
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        parsed.problems.append(problem(msg("The file is empty."), file=name))
        return parsed
    columns, header_problems = _classify_header([_cell_text(c) for c in first[1]], name)
    parsed.problems.extend(header_problems)
    if header_problems:
        return parsed
    parsed.languages = {c.lang for c in columns if c.lang}
    width = len(first[1])
    for line, cells in iterator:
        texts = [_cell_text(c) for c in cells]
        if not any(t.strip() for t in texts):
            continue
        if len(texts) > width and any(t.strip() for t in texts[width:]):
            parsed.problems.append(problem(
                msg("The row has %(cells)s cells but the header only %(width)s (a separator "
                    "inside a cell without quotes?).", cells=len(texts), width=width),
                row=line, file=name))
            continue
        record = ConceptRecord(id=None, domain="", line=line, origin=name)
        for column in columns:
            value = texts[column.index].strip() if column.index < len(texts) else ""
            if column.kind == "term":
                for text in _split_terms(formulas.unguard(value)):
                    record.terms.append(TermRecord(column.lang or "", text, column.status or ""))
            elif column.kind == "id":
                record.id = value or None
            elif column.kind == "domain":
                record.domain = value.lower()
            elif column.kind == "function":
                record.function = value.lower() or None
            elif column.kind == "source":
                record.source = value or DEFAULT_SOURCE
            elif column.kind == "notes":
                record.notes = formulas.unguard(value)
            elif column.kind == "verified":
                flag = value.lower()
                if flag in _TRUE:
                    record.verified = True
                elif flag not in _FALSE:
                    parsed.problems.append(problem(
                        msg("Write 1 (verified) or 0 (to be confirmed)."), record,
                        column="verified", value=value))
        record.terms = ordered_terms(record.terms)
        parsed.records.append(record)
    return parsed


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_rows(data: bytes, name: str, reader: Any,
               limits: UploadLimits | None) -> ParsedFile:
    """Records from the rows a bounded spreadsheet reader yields; its refusals as problems."""
    encoding = None
    try:
        sheet = reader(data, limits or DEFAULT_LIMITS)
        encoding = sheet.encoding
        parsed = parse_table(sheet.rows, name)
    except ValidationError as error:
        parsed = ParsedFile(name)
        parsed.problems.extend(FileProblem(p.reason, row=p.row, column=p.column, value=p.value,
                                           file=name) for p in error.problems)
    parsed.encoding = encoding
    return parsed


def read_csv(data: bytes, name: str = "glossary.csv",
             limits: UploadLimits | None = None) -> ParsedFile:
    """Parse CSV bytes (encoding by the one rule; comma, semicolon or tab separated)."""
    return _read_rows(data, name, spreadsheets.read_csv, limits)


def read_xlsx(data: bytes, name: str = "glossary.xlsx",
              limits: UploadLimits | None = None) -> ParsedFile:
    """Parse the first worksheet of an XLSX workbook (same columns as CSV)."""
    return _read_rows(data, name, spreadsheets.read_xlsx, limits)


# --- TBX -----------------------------------------------------------------------------------

# Our four statuses as TBX-Basic administrativeStatus values. ISO 704 calls a term
# that must not be used "deprecated", which is our "forbidden"; our "deprecated"
# (still seen, no longer recommended) is TBX-Basic's notRecommendedTerm.
STATUS_TO_TBX = {
    "preferred": "preferredTerm-admn-sts",
    "admitted": "admittedTerm-admn-sts",
    "deprecated": "notRecommendedTerm-admn-sts",
    "forbidden": "deprecatedTerm-admn-sts",
}
TBX_TO_STATUS = {
    "preferredterm-admn-sts": "preferred", "standardizedterm-admn-sts": "preferred",
    "legalterm-admn-sts": "preferred", "regulatedterm-admn-sts": "preferred",
    "admittedterm-admn-sts": "admitted",
    "notrecommendedterm-admn-sts": "deprecated", "supersededterm-admn-sts": "deprecated",
    "obsoleteterm-admn-sts": "deprecated",
    "deprecatedterm-admn-sts": "forbidden",
    "preferred": "preferred", "admitted": "admitted", "deprecated": "deprecated",
    "forbidden": "forbidden",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def read_tbx(data: bytes, name: str = "glossary.tbx",
             limits: UploadLimits | None = None) -> ParsedFile:
    """Parse TBX (TBX-Basic v2 ``martif``/``termEntry`` or TBX v3 ``tbx``/``conceptEntry``).

    Concept data: ``descrip type="subjectField"`` (domain; ``general`` when absent),
    ``descrip type="x-signFunction"``, ``admin type="source"``, ``admin type="x-verified"``,
    ``note``. Term data: ``termNote type="administrativeStatus"`` and ``partOfSpeech``.
    """
    parsed = ParsedFile(name)
    try:
        root = parse_xml(data, limits or DEFAULT_LIMITS, msg("the TBX file"),
                         remove_comments=True)
    except ValidationError as error:
        parsed.problems.append(FileProblem(error.message, file=name))
        return parsed
    if _local(root.tag) not in ("martif", "tbx"):
        parsed.problems.append(problem(msg("This is not a TBX file (no martif or tbx root)."),
                                       row=root.sourceline, file=name))
        return parsed
    for entry in root.iter():
        if _local(entry.tag) not in ("termEntry", "conceptEntry"):
            continue
        record = ConceptRecord(id=entry.get("id") or None, domain="general",
                               line=entry.sourceline, origin=name)
        notes: list[str] = []
        for child in entry:
            kind, category = _local(child.tag), (child.get("type") or "")
            value = "".join(child.itertext()).strip()
            if kind in ("descrip", "admin") and category == "subjectField":
                record.domain = value.lower()
            elif kind in ("descrip", "admin") and category == "x-signFunction":
                record.function = value.lower() or None
            elif kind in ("admin", "descrip") and category == "source":
                record.source = value or DEFAULT_SOURCE
            elif kind == "admin" and category == "x-verified":
                if value.lower() in _TRUE:
                    record.verified = True
                elif value.lower() not in _FALSE:
                    parsed.problems.append(problem(msg("x-verified must be 1 or 0."), record,
                                                   column="verified", value=value))
            elif kind == "note" and value:
                notes.append(value)
            elif kind in ("langSet", "langSec"):
                _read_language(child, record, parsed)
        record.notes = "\n".join(notes)
        record.terms = ordered_terms(record.terms)
        parsed.records.append(record)
    if not parsed.records and not parsed.problems:
        parsed.problems.append(problem(msg("The TBX file holds no termEntry."), file=name))
    return parsed


def _read_language(node: Any, record: ConceptRecord, parsed: ParsedFile) -> None:
    raw_lang = node.get(XML_LANG) or node.get("lang") or ""
    lang = file_lang(raw_lang)
    if lang is None:
        parsed.problems.append(problem(
            msg("Unknown language in xml:lang (use BCP 47: zh, en …)."),
            row=node.sourceline, column="xml:lang", value=raw_lang, file=parsed.name))
        return
    parsed.languages.add(lang)
    for group in node:
        if _local(group.tag) not in ("tig", "ntig", "termSec"):
            continue
        text, status, pos = "", "preferred", None
        for item in group.iter():
            kind, category = _local(item.tag), item.get("type") or ""
            if kind == "term":
                text = "".join(item.itertext()).strip()
            elif kind == "termNote" and category == "administrativeStatus":
                value = "".join(item.itertext()).strip()
                mapped = TBX_TO_STATUS.get(value.lower())
                if mapped is None:
                    parsed.problems.append(problem(
                        msg("Unknown administrativeStatus; use one of: %(allowed)s.",
                            allowed=", ".join(STATUS_TO_TBX.values())), row=item.sourceline,
                        column="administrativeStatus", value=value, file=parsed.name))
                else:
                    status = mapped
            elif kind == "termNote" and category == "partOfSpeech":
                pos = "".join(item.itertext()).strip() or None
        record.terms.append(TermRecord(lang, text, status, pos))


def _text_child(parent: etree._Element, tag: str, text: str,
                attrib: dict[str, str] | None = None) -> etree._Element:
    """Append ``<tag attrib…>text</tag>`` to ``parent``."""
    from lxml import etree

    # Annotated: types-lxml's SubElement overloads do not resolve under mypy.
    child: etree._Element = etree.SubElement(parent, tag, attrib)
    child.text = text
    return child


def write_tbx(records: Iterable[ConceptRecord], stream: BinaryIO, *,
              title: str = "Signbench glossary") -> None:
    """Write TBX-Basic (``martif type="TBX-Basic"``): every language of a concept in one entry.

    lxml writes it because translate-toolkit's ``tbxfile`` writes one source and one
    target language per unit; the result still parses with ``tbxfile``.
    """
    from lxml import etree

    root = etree.Element("martif", {"type": "TBX-Basic", XML_LANG: "en"})
    header = etree.SubElement(root, "martifHeader")
    file_desc = etree.SubElement(header, "fileDesc")
    title_stmt = etree.SubElement(file_desc, "titleStmt")
    _text_child(title_stmt, "title", title)
    source_desc = etree.SubElement(file_desc, "sourceDesc")
    _text_child(source_desc, "p", (
        "Exported from Signbench. Statuses: preferredTerm, admittedTerm, notRecommendedTerm "
        "(deprecated) and deprecatedTerm (forbidden: known wrong renderings)."))
    encoding_desc = etree.SubElement(header, "encodingDesc")
    _text_child(encoding_desc, "p", "TBXBasicXCSV02.xcs", {"type": "XCSURI"})
    body = etree.SubElement(etree.SubElement(root, "text"), "body")
    for record in records:
        entry = etree.SubElement(body, "termEntry", {"id": record.id or ""})
        _text_child(entry, "descrip", record.domain, {"type": "subjectField"})
        if record.function:
            _text_child(entry, "descrip", record.function, {"type": "x-signFunction"})
        _text_child(entry, "admin", record.source, {"type": "source"})
        _text_child(entry, "admin", "1" if record.verified else "0", {"type": "x-verified"})
        if record.notes:
            _text_child(entry, "note", record.notes)
        for lang in record.languages():
            lang_set = etree.SubElement(entry, "langSet", {XML_LANG: lang})
            for term in record.terms_in(lang):
                tig = etree.SubElement(lang_set, "tig")
                _text_child(tig, "term", term.text)
                _text_child(tig, "termNote", STATUS_TO_TBX[term.status],
                            {"type": "administrativeStatus"})
                if term.pos:
                    _text_child(tig, "termNote", term.pos, {"type": "partOfSpeech"})
    stream.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True, doctype=(
                                    '<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">')))


# --- CSV / XLSX writers --------------------------------------------------------------------

def table_columns(records: list[ConceptRecord], langs: list[str]) -> list[tuple[str, str, str]]:
    """Export columns as (header, lang, status): a language's preferred column always,
    its other status columns when some concept uses them."""
    used = {(t.lang, t.status) for r in records for t in r.terms}
    columns = []
    for lang in langs:
        for status in STATUSES:
            if status == "preferred" or (lang, status) in used:
                columns.append((lang if status == "preferred" else f"{lang}_{status}",
                                lang, status))
    return columns


def table_rows(records: list[ConceptRecord], langs: list[str]) -> Iterator[list[str]]:
    """Header then one row per concept, formula-like cells guarded with a leading apostrophe."""
    term_columns = table_columns(records, langs)
    yield ["id", "domain", "function", "source", "verified"] + [h for h, _l, _s in
                                                                term_columns] + ["notes"]
    for record in records:
        cells = [record.id or "", record.domain, record.function or "", record.source,
                 "1" if record.verified else "0"]
        for _header, lang, status in term_columns:
            cells.append(formulas.guard(f" {MULTI_VALUE_SEPARATOR} ".join(
                t.text for t in record.terms_in(lang, status))))
        cells.append(formulas.guard(record.notes or ""))
        yield cells


def write_csv(records: list[ConceptRecord], langs: list[str], stream: BinaryIO, *,
              encoding: str = "utf-8-sig") -> None:
    """Write CSV (UTF-8 with BOM by default, so that Excel shows Chinese correctly)."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerows(table_rows(records, langs))
    stream.write(text.getvalue().encode(encoding))


def write_xlsx(records: list[ConceptRecord], langs: list[str], stream: BinaryIO) -> None:
    """Write an XLSX workbook (one sheet, same columns as CSV; text cells never formulas).

    Cells are typed as text *and* formula-like ones keep the guard apostrophe: a
    spreadsheet program re-saving the sheet, or a user editing the cell, would
    otherwise turn ``=…`` into a live formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import TYPE_STRING

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("glossary")
    sheet.freeze_panes = "B2"
    for row in table_rows(records, langs):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = TYPE_STRING
            cells.append(cell)
        sheet.append(cells)
    workbook.save(stream)


# --- high level: import, export, load a folder ----------------------------------------------

def read_file(data: bytes, name: str, limits: UploadLimits | None = None) -> ParsedFile:
    """Parse a glossary file by its extension (.csv/.txt/.tsv, .xlsx, .tbx/.xml)."""
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(data, name, limits)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(data, name, limits)
    if suffix in (".tbx", ".xml"):
        return read_tbx(data, name, limits)
    parsed = ParsedFile(name)
    parsed.problems.append(problem(msg("Unknown file type; use .csv, .xlsx or .tbx."),
                                   file=name))
    return parsed


def import_file(db: Database, actor: auth.User, data: bytes, name: str, *,
                dry_run: bool = False,
                limits: UploadLimits | Mapping[str, Any] | None = None,
                settings: Mapping[str, Any] | None = None) -> ApplyReport:
    """Import one glossary file: validate every row, then upsert all or nothing."""
    limits = limits_of(limits)
    check_size(len(data), limits.max_import_bytes, "MAX_IMPORT_BYTES")
    parsed = read_file(data, name, limits)
    problems = parsed.problems + validate_records(parsed.records)
    if problems:
        problems.sort(key=lambda p: (p.row or 0))
        raise ValidationError(list(problems), summary=nmsg(
            "%(name)s has %(n)s problem; nothing was saved.",
            "%(name)s has %(n)s problems; nothing was saved.", len(problems), name=name))
    return apply_records(db, actor, parsed.records, covered_langs=parsed.languages,
                         dry_run=dry_run, action=f"import:{Path(name).name}", settings=settings)


def glossary_files(folder: str | Path) -> list[Path]:
    """The glossary files under ``folder`` (recursively), in a stable order."""
    folder = Path(folder)
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and p.suffix.lower() in GLOSSARY_FILE_SUFFIXES and not p.name.startswith("."))


def folder_checksum(folder: str | Path) -> str:
    """A digest of every glossary file's name and content (cheap "did anything change")."""
    digest = hashlib.sha256()
    for path in glossary_files(folder):
        digest.update(str(path.relative_to(folder)).encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def load_directory(db: Database, actor: auth.User, folder: str | Path, *, dry_run: bool = False,
                   lenient: bool = False, overwrite_local_edits: bool = False) -> ApplyReport:
    """Load every glossary file in a folder as one upsert (all or nothing unless lenient).

    Concepts edited in the workbench since they were loaded (by a reviewer, an
    import or an accepted proposal), and concepts deleted there, are left as they
    are unless ``overwrite_local_edits``: a new release of the shipped files must
    not undo a reviewer's correction.

    Lenient (used by ``workbench init``) skips the files and rows that have problems
    and lists them in the report, so that one bad row in shipped data cannot stop
    the application from starting.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError.single(msg("No such folder: %(folder)s", folder=folder))
    records: list[ConceptRecord] = []
    problems: list[FileProblem] = []
    for path in glossary_files(folder):
        parsed = read_file(path.read_bytes(), str(path.relative_to(folder)))
        problems.extend(parsed.problems)
        if lenient:
            bad_lines = {p.row for p in parsed.problems}
            if any(p.row is None or p.row == 1 for p in parsed.problems):
                continue  # the file itself or its header is wrong: skip the whole file
            records.extend(r for r in parsed.records if r.line not in bad_lines)
        else:
            records.extend(parsed.records)
    if not lenient:
        problems.extend(validate_records(records))
    if problems and not lenient:
        raise ValidationError(list(problems), summary=(
            nmsg("The glossary files have %(n)s problem; nothing was saved.",
                 "The glossary files have %(n)s problems; nothing was saved.", len(problems))))
    # Shipped files are concept-complete: each concept's terms are replaced in every
    # language, so a term removed from a file is removed from the glossary.
    report = apply_records(db, actor, records, covered_langs=None, dry_run=dry_run,
                           lenient=lenient, action=f"{LOAD_PREFIX}{folder.name}",
                           keep_local_edits=not overwrite_local_edits)
    report.problems = problems + report.problems
    return report


def export_records(db: Database, langs: list[str] | None = None,
                   domain: str | None = None) -> tuple[list[ConceptRecord], list[str]]:
    """The glossary for export (concept order by id), limited to ``langs`` if given."""
    concepts = list(load_all_concepts(db).values())
    if domain:
        concepts = [c for c in concepts if c.domain == domain]
    present = list(dict.fromkeys(t.lang for c in concepts for t in c.terms))
    ordered = [lang for lang in (SOURCE_LANG, "en") if lang in present] + sorted(
        lang for lang in present if lang not in (SOURCE_LANG, "en"))
    if langs:
        wanted = [normalize_lang(lang) or lang for lang in langs]
        ordered = [lang for lang in wanted]
        for concept in concepts:
            concept.terms = [t for t in concept.terms if t.lang in wanted]
    for concept in concepts:
        rank = {lang: i for i, lang in enumerate(ordered)}
        concept.terms = ordered_terms(sorted(concept.terms, key=lambda t: rank.get(t.lang, 99)))
    return concepts, ordered


def export_glossary(db: Database, fmt: str, stream: BinaryIO, *, langs: list[str] | None = None,
                    domain: str | None = None) -> int:
    """Write the glossary as ``tbx``, ``csv`` or ``xlsx``; returns the number of concepts."""
    if fmt not in FORMATS:
        raise ValidationError.single(msg("Unknown format %(fmt)s; use %(formats)s.",
                                         fmt=repr(fmt), formats=", ".join(FORMATS)),
                                     column="format", value=fmt)
    if langs:
        unknown = [lang for lang in langs if normalize_lang(lang) is None]
        if unknown:
            raise ValidationError.single(msg("Unknown language code(s): %(codes)s.",
                                             codes=", ".join(unknown)),
                                         column="lang")
    records, ordered = export_records(db, langs, domain)
    # A concept with no term in the chosen languages has nothing to exchange.
    records = [r for r in records if r.terms]
    if fmt == "tbx":
        write_tbx(records, stream)
    elif fmt == "csv":
        write_csv(records, ordered, stream)
    else:
        write_xlsx(records, ordered, stream)
    return len(records)
