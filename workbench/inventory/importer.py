"""Bulk import of sign inventories from CSV and XLSX, all or nothing.

Real county spreadsheets are messy, so the reader accepts UTF-8 (with or
without BOM) and GB18030/GBK CSV, Excel numbers and dates, Chinese or English
header names, full-width codes; it rejects title rows and merged header cells
with a clear message and ignores extra columns with a warning. Validation
collects *every* problem (row, column, reason, value) before anything is
written; a clean file is written in one transaction. The upsert key is the
sign code when the file gives one, else county + site + location + Chinese
text, so importing the same file twice changes nothing.

Speed: rows are validated with plain dict lookups and written with
``executemany``; QA checks are cached per distinct (text, language, function).
The import writes one audit event (``inventory.import``) listing every sign
created or changed, instead of one event per sign (see benchmarks/).
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import operator
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.errors import Problem, ValidationError
from workbench.inventory import photos as photo_store
from workbench.inventory import records
from workbench.review import units as unit_store


BULK_CACHE_KIB = 128 * 1024


@dataclass(frozen=True)
class Column:
    """One import column: its key, Chinese header, whether required, and other names."""

    key: str
    zh: str
    required: bool
    aliases: tuple[str, ...]
    help_en: str
    help_zh: str


COLUMNS: tuple[Column, ...] = (
    Column("sign_code", "标牌编号", False, ("编号", "标识编号", "标识牌编号", "code", "sign code"),
           "Optional stable code; generated (e.g. HK-000123) when empty.",
           "可选；留空时自动生成（如 HK-000123）。"),
    Column("county", "县市", True, ("市县", "市县区", "县区", "所属市县", "市县名称", "county"),
           "County or city, e.g. 海口市 / Haikou.", "市县名称，如 海口市。"),
    Column("site", "场所", True, ("场所名称", "单位", "单位名称", "地点", "site name", "site"),
           "Name of the site (airport, hospital, scenic spot…) in Chinese.",
           "场所（单位）中文名称。"),
    Column("sector", "行业", True, ("领域", "行业领域", "行业类别", "sector"),
           "transport, tourism_culture, education, health, public_facilities, government, "
           "commerce (or 交通, 旅游文化, 教育, 医疗卫生, 城乡公共设施, 政务服务, 商业).",
           "交通、旅游文化、教育、医疗卫生、城乡公共设施、政务服务、商业。"),
    Column("location", "位置", False, ("具体位置", "设置位置", "点位", "位置描述", "location"),
           "Where in the site, e.g. T1 出发大厅 12 号登机口.", "场所内的具体位置。"),
    Column("function", "功能", True, ("标识功能", "信息类型", "功能类别", "标识类型", "function"),
           "facility, warning, prohibition, instruction, notice, name "
           "(or 功能设施, 警示警告, 限令禁止, 指示指令, 说明提示, 名称).",
           "功能设施、警示警告、限令禁止、指示指令、说明提示、名称。"),
    Column("zh", "中文", True, ("中文内容", "中文文字", "标识中文", "中文译写", "chinese", "zh"),
           "The Chinese text of the sign.", "标识牌上的中文。"),
    Column("en_current", "现有英文", False, ("英文", "现有英文译文", "英文现状", "english",
                                          "en current", "en"),
           "English text installed now (empty if none).", "现有英文（没有则留空）。"),
    Column("ru_current", "现有俄文", False, ("俄文", "russian", "ru current", "ru"),
           "Russian text installed now.", "现有俄文。"),
    Column("ja_current", "现有日文", False, ("日文", "japanese", "ja current", "ja"),
           "Japanese text installed now.", "现有日文。"),
    Column("ko_current", "现有韩文", False, ("韩文", "korean", "ko current", "ko"),
           "Korean text installed now.", "现有韩文。"),
    Column("languages", "语种", False, ("所需语种", "外语语种", "目标语种", "语言", "languages"),
           "Required languages, e.g. en;ru (English is always required).",
           "需要的外语，如 en;ru（英语必需）。"),
    Column("quantity", "数量", False, ("块数", "个数", "quantity", "qty"),
           "How many identical signs (default 1).", "同样标识牌的数量（默认 1）。"),
    Column("size", "尺寸", False, ("规格", "size"), "Free text, e.g. 60×40 cm.", "如 60×40 cm。"),
    Column("material", "材质", False, ("材料", "material"), "Free text, e.g. 铝板.", "如 铝板。"),
    Column("action", "处置", True, ("处置方式", "处理方式", "整改类型", "措施", "action"),
           "keep, correct or new (保留, 更正, 新设).", "保留、更正、新设。"),
    Column("photo", "照片", False, ("照片文件", "图片", "照片文件名", "photo"),
           "File name of a photo in the accompanying ZIP.", "随附 ZIP 中的照片文件名。"),
    Column("latitude", "纬度", False, ("lat", "latitude"), "Decimal degrees, e.g. 19.9353.",
           "十进制度，如 19.9353。"),
    Column("longitude", "经度", False, ("lon", "lng", "longitude"),
           "Decimal degrees, e.g. 110.4589.", "十进制度，如 110.4589。"),
    Column("address", "地址", False, ("场所地址", "详细地址", "address"),
           "Optional address of the site.", "可选，场所地址。"),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
TEMPLATE_COLUMNS = tuple(c for c in COLUMNS if c.key != "address")


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[*＊:：]", "", text)
    return re.sub(r"\s+", " ", text).strip()


HEADER_ALIASES: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.key, _column.key.replace("_", " "), _column.zh, *_column.aliases):
        HEADER_ALIASES[_header_key(_name)] = _column.key


def header_label(column: Column) -> str:
    """The template's bilingual header: ``县市 county``."""
    return f"{column.zh} {column.key}"


def match_header(cell: Any) -> str | None:
    """The column key a header cell names (Chinese, English or both), or None."""
    text = _header_key("" if cell is None else str(cell))
    if not text:
        return None
    if text in HEADER_ALIASES:
        return HEADER_ALIASES[text]
    text = re.sub(r"[（(].*?[)）]", " ", text).strip()
    if text in HEADER_ALIASES:
        return HEADER_ALIASES[text]
    ascii_part = "_".join(re.findall(r"[a-z]+", text))
    chinese_part = "".join(re.findall(r"[\u3400-\u9fff]+", text))
    for candidate in (ascii_part, ascii_part.replace("_", " "), chinese_part):
        if candidate and candidate in HEADER_ALIASES:
            return HEADER_ALIASES[candidate]
    return None


# ---------------------------------------------------------------------------
# Reading files

@dataclass
class Table:
    """A read spreadsheet: header cells, data rows (with their row numbers), warnings."""

    header: list[Any]
    rows: list[tuple[int, list[Any]]]
    encoding: str | None = None
    merged_header: str | None = None


def decode_csv(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 / detected."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # GB18030 is a superset of GBK and GB2312: the usual encoding of Excel's
    # "CSV" export on Chinese Windows.
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ValidationError.single(
            "The CSV file's encoding could not be recognised; save it as UTF-8 CSV.")
    return str(best), best.encoding


def read_csv(data: bytes) -> Table:
    """Read a CSV file of any accepted encoding and delimiter."""
    text, encoding = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError.single("The file is empty.") from None
    except csv.Error as error:
        raise ValidationError.single(f"The CSV file cannot be read: {error}") from None
    try:
        rows = [(number, row) for number, row in enumerate(reader, start=2)]
    except csv.Error as error:
        raise ValidationError.single(f"The CSV file cannot be read: {error}") from None
    return Table(header, rows, encoding)


def _merged_ranges(data: bytes, sheet_index: int = 0) -> list[str]:
    """Merged cell ranges of a worksheet (read-only openpyxl does not expose them)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        sheet_ids = re.findall(r'<(?:\w+:)?sheet\b[^>]*?r:id="([^"]+)"', workbook)
        if sheet_index >= len(sheet_ids):
            return []
        target = None
        for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
            tag = rel.group(0)
            if f'Id="{sheet_ids[sheet_index]}"' in tag:
                target = re.search(r'Target="([^"]+)"', tag).group(1)  # type: ignore[union-attr]
        if not target:
            return []
        path = target.lstrip("/") if target.startswith("/") else str(
            PurePosixPath("xl") / target)
        try:
            sheet = archive.read(path).decode("utf-8", "replace")
        except KeyError:
            return []
    return re.findall(r'<(?:\w+:)?mergeCell\b[^>]*ref="([^"]+)"', sheet)


def read_xlsx(data: bytes) -> Table:
    """Read the first worksheet of an XLSX file (values, not formulas).

    The fast streaming reader (:mod:`workbench.inventory.xlsx`) does the work;
    openpyxl's read-only mode is the fallback for workbooks it does not handle.
    """
    from workbench.inventory import xlsx

    try:
        sheet = xlsx.read_first_sheet(data)
    except (xlsx.XlsxError, KeyError, ValueError, IndexError, zipfile.BadZipFile,
            etree_errors()):
        return _read_xlsx_openpyxl(data)
    if not sheet.rows:
        raise ValidationError.single("The workbook's first sheet is empty.")
    # Blank rows above the header are skipped as a person would read the sheet.
    header_number, header = sheet.rows[0]
    if header_number != 1:
        raise ValidationError.single(
            f"Row 1 is empty; the column names must be in row 1 (found them in row "
            f"{header_number}).", row=1)
    return Table(header, sheet.rows[1:], None, xlsx.first_merged_in_header(sheet.merged))


def etree_errors() -> type[Exception]:
    """lxml's syntax error class (a broken sheet XML)."""
    from lxml import etree

    return etree.XMLSyntaxError


def _read_xlsx_openpyxl(data: bytes) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ValidationError.single(
            "The file is not a readable .xlsx workbook (old .xls files: save as .xlsx).") \
            from None
    try:
        sheet = workbook.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        header = list(next(rows_iter, None) or [])
        rows = [(number, list(row)) for number, row in enumerate(rows_iter, start=2)]
    finally:
        workbook.close()
    merged = None
    try:
        for ref in _merged_ranges(data):
            first_row = int(re.search(r"\d+", ref).group(0))  # type: ignore[union-attr]
            if first_row <= 2:
                merged = ref
                break
    except (KeyError, zipfile.BadZipFile, AttributeError):
        pass
    return Table(header, rows, None, merged)


def read_table(data: bytes, file_name: str) -> Table:
    """Read CSV or XLSX bytes (chosen by content, then by extension)."""
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValidationError.single(
            "Old Excel .xls files cannot be read; save the sheet as .xlsx or CSV.")
    if Path(file_name).suffix.lower() in (".xlsx", ".xlsm"):
        raise ValidationError.single("The file is not a readable .xlsx workbook.")
    return read_csv(data)


# ---------------------------------------------------------------------------
# Cell values

def cell_text(value: Any) -> str:
    """A cell as trimmed text: Excel numbers without '.0', dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip() if not text.isascii() else text.strip()


# ---------------------------------------------------------------------------
# The import

@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool
    rows: int = 0
    sites_created: int = 0
    sites_updated: int = 0
    signs_created: int = 0
    signs_updated: int = 0
    signs_unchanged: int = 0
    photos: int = 0
    findings: int = 0
    import_id: int | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        """One line for people."""
        verb = "Would create" if self.dry_run else "Created"
        return (f"{verb} {self.sites_created} sites and {self.signs_created} signs, "
                f"{'would update' if self.dry_run else 'updated'} {self.signs_updated} signs "
                f"({self.signs_unchanged} unchanged, {self.photos} photos) from {self.rows} rows.")


@dataclass
class _Plan:
    row: int
    county_id: int
    site_key: tuple[int, str]
    sign: dict[str, Any]
    texts: dict[str, str]
    code: str | None
    existing_id: int | None = None
    photo_name: str | None = None


def _county_lookup(db: Database) -> dict[str, dict[str, Any]]:
    lookup: dict[str, dict[str, Any]] = {}
    for county in db.query("SELECT * FROM counties"):
        names = {county["name_zh"], county["name_en"].lower(), county["code"].lower()}
        for suffix in ("市", "县"):
            if county["name_zh"].endswith(suffix):
                names.add(county["name_zh"][:-1])
        for name in names:
            lookup[name] = county
    return lookup


def _photo_index(archive: zipfile.ZipFile | None) -> dict[str, str]:
    if archive is None:
        return {}
    index = {}
    for info in archive.infolist():
        if info.is_dir() or info.filename.startswith("__MACOSX/"):
            continue
        index[PurePosixPath(info.filename).name.lower()] = info.filename
        index[info.filename.lower()] = info.filename
    return index


def import_inventory(db: Database, actor: auth.User, data: bytes, file_name: str, *,
                     county: str | int | None = None, dry_run: bool = False,
                     photos_zip: bytes | None = None, upload_dir: str | Path | None = None,
                     max_photo_bytes: int = 15 * 1024 * 1024,
                     run_checks: bool = True) -> ImportReport:
    """Validate a CSV/XLSX inventory and (unless ``dry_run``) write it in one transaction.

    ``county`` (id, name or code) is the default for rows without a county and
    the only county rows may name. An officer may import only into their own
    county. Raises ValidationError listing every problem; nothing is written then.
    """
    auth.require(actor, "inventory.submit")
    table = read_table(data, file_name)
    report = ImportReport(dry_run=dry_run, encoding=table.encoding)
    problems: list[Problem] = []

    # --- header
    if table.merged_header:
        raise ValidationError.single(
            f"The header has merged cells ({table.merged_header}). Use one header row with "
            "one column name per cell, as in the template.", row=1)
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    extra: list[str] = []
    for index, cell in enumerate(table.header):
        key = match_header(cell)
        if key is None:
            if cell_text(cell):
                extra.append(cell_text(cell))
            continue
        if key in seen:
            problems.append(Problem("This column appears twice.", row=1, column=key,
                                    value=cell_text(cell)))
            continue
        seen[key] = index
        mapping[index] = key
    if len(seen) < 3:
        second = table.rows[0][1] if table.rows else []
        if sum(1 for cell in second if match_header(cell)) >= 3:
            raise ValidationError.single(
                "Row 1 is a title or merged header row. The column names must be in row 1: "
                "delete the rows above them (see the template).", row=1)
        raise ValidationError.single(
            "Row 1 does not hold the column names of the inventory template "
            "(county/县市, site/场所, zh/中文 …). Download the template and use its header.",
            row=1, value=", ".join(cell_text(c) for c in table.header[:6]))
    default_county = None
    lookup = _county_lookup(db)
    if county not in (None, ""):
        if isinstance(county, int) or str(county).isdigit():
            default_county = next(db.query("SELECT * FROM counties WHERE id = ?",
                                           [int(county)]), None)
        else:
            default_county = lookup.get(_nfkc(str(county)).lower())
        if default_county is None:
            raise ValidationError.single(f"Unknown county {county!r}.", column="county",
                                         value=county)
    scope = auth.county_scope(actor)
    if scope is not None:
        if default_county is not None and default_county["id"] != scope:
            raise ValidationError.single("You may only import signs of your own county.",
                                         column="county", value=default_county["name_zh"])
        default_county = default_county or next(db.query(
            "SELECT * FROM counties WHERE id = ?", [scope]))
    for column in COLUMNS:
        if column.required and column.key not in seen and not (
                column.key == "county" and default_county is not None):
            problems.append(Problem("This required column is missing.", row=1,
                                    column=f"{column.key} / {column.zh}"))
    if extra:
        report.warnings.append("Columns ignored (not in the template): " + ", ".join(extra))
    if problems:
        raise ValidationError(problems, summary="The header has problems; nothing was imported.")

    archive = None
    if photos_zip is not None:
        try:
            archive = zipfile.ZipFile(io.BytesIO(photos_zip))
        except zipfile.BadZipFile:
            raise ValidationError.single("The photo archive is not a ZIP file.",
                                         column="photo") from None
    photo_index = _photo_index(archive)

    # --- rows
    existing_sites = {(r["county_id"], r["name_zh"]): r for r in db.query(
        "SELECT id, county_id, name_zh, sector, address, latitude, longitude FROM sites")}
    site_plans: dict[tuple[int, str], dict[str, Any]] = {}
    plans: list[_Plan] = []
    by_code: dict[str, int] = {}
    by_key: dict[tuple[int, str, str, str], int] = {}
    index_items = list(mapping.items())
    get_sector, get_function, get_action = (records.SECTOR_ALIASES, records.FUNCTION_ALIASES,
                                            records.ACTION_ALIASES)
    lang_cache: dict[str, tuple[str | None, list[str]]] = {}
    counties_in_file: set[int] = set()
    # Hot loop: 100,000 rows must validate in about a second, so cells are taken
    # with one itemgetter, and repeated values (county, site, vocabulary words)
    # are looked up once per distinct spelling.
    keys = [key for _index, key in index_items]
    width = max(index for index, _key in index_items) + 1
    getter = operator.itemgetter(*[index for index, _key in index_items])
    convert = str.strip if table.encoding is not None else cell_text  # CSV cells are text
    padding = [""] * width
    text_columns = [(lang, f"{lang}_current") for lang in records.LANGUAGES
                    if f"{lang}_current" in keys]
    county_cache: dict[str, Any] = {}
    text_cache: dict[str, str] = {}
    choice_cache: dict[tuple[str, str], str | None] = {}

    def choice(column: str, raw_value: str, aliases: dict[str, str]) -> str | None:
        key = (column, raw_value)
        if key not in choice_cache:
            choice_cache[key] = records.parse_choice(raw_value, aliases) if raw_value else None
        return choice_cache[key]

    for number, raw in table.rows:
        if len(raw) < width:
            raw = list(raw) + padding[:width - len(raw)]
        values = dict(zip(keys, map(convert, getter(raw))))
        if not any(values.values()):
            continue
        report.rows += 1
        row_problems: list[Problem] = []

        def bad(column: str, reason: str, value: Any = None) -> None:
            row_problems.append(Problem(reason, row=number, column=column, value=value))

        # county
        county_name = values.get("county", "")
        if county_name:
            if county_name not in county_cache:
                county_cache[county_name] = lookup.get(_nfkc(county_name).lower())
            county_row = county_cache[county_name]
            if county_row is None:
                bad("county", "Unknown county.", county_name)
            elif scope is not None and county_row["id"] != scope:
                bad("county", "You may only import signs of your own county.", county_name)
            elif default_county is not None and county_row["id"] != default_county["id"]:
                bad("county", f"This import is for {default_county['name_zh']} only.",
                    county_name)
        else:
            county_row = default_county
            if county_row is None:
                bad("county", "The county is required.")
        # site
        site_name = values.get("site", "")
        if site_name and not site_name.isascii():
            if site_name not in text_cache:
                text_cache[site_name] = _nfkc(site_name)
            site_name = text_cache[site_name]
        if not site_name:
            bad("site", "The site name is required.")
        sector_raw = values.get("sector", "")
        sector = choice("sector", sector_raw, get_sector)
        if not sector:
            bad("sector", "Unknown or missing sector." if sector_raw else
                "The sector is required.", sector_raw)
        function_raw = values.get("function", "")
        function = choice("function", function_raw, get_function)
        if not function:
            bad("function", "Unknown function." if function_raw else
                "The function is required.", function_raw)
        action_raw = values.get("action", "")
        action = choice("action", action_raw, get_action)
        if not action:
            bad("action", "Use keep, correct or new (保留/更正/新设)." if action_raw else
                "The action is required.", action_raw)
        zh = values.get("zh", "")
        if not zh:
            bad("zh", "The Chinese text is required.")
        elif len(zh) > records.MAX_TEXT_LENGTH:
            bad("zh", f"is longer than {records.MAX_TEXT_LENGTH} characters")
        elif not records.HAN_RE.search(zh):
            bad("zh", "The Chinese text has no Chinese characters.", zh)
        location = values.get("location", "")
        raw_langs = values.get("languages", "")
        if raw_langs not in lang_cache:
            langs, unknown = records.parse_languages(raw_langs)
            lang_cache[raw_langs] = (records.languages_text(langs), unknown)
        languages, unknown = lang_cache[raw_langs]
        if unknown:
            bad("languages", "Unknown language; use en, ru, ja or ko.", ", ".join(unknown))
        quantity = 1
        quantity_raw = values.get("quantity", "")
        if quantity_raw:
            try:
                number_value = float(quantity_raw) if quantity_raw.isdigit() else float(
                    _nfkc(quantity_raw).replace(",", ""))
                if not number_value.is_integer() or number_value < 1:
                    raise ValueError
                quantity = int(number_value)
            except ValueError:
                bad("quantity", "must be a whole number of at least 1", quantity_raw)
        coords = []
        for column, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
            raw_value = values.get(column, "")
            if not raw_value:
                coords.append(None)
                continue
            try:
                coordinate = float(raw_value) if raw_value.isascii() else float(
                    _nfkc(raw_value).rstrip("°"))
                if not low <= coordinate <= high:
                    raise ValueError
                coords.append(coordinate)
            except ValueError:
                bad(column, f"must be a decimal number between {low} and {high}", raw_value)
                coords.append(None)
        if (values.get("latitude", "") == "") != (values.get("longitude", "") == ""):
            bad("latitude", "Give both latitude and longitude, or neither.")
        texts = {}
        for lang, column in text_columns:
            text = values.get(column, "")
            if text:
                if len(text) > records.MAX_TEXT_LENGTH:
                    bad(column, f"is longer than {records.MAX_TEXT_LENGTH} characters")
                texts[lang] = text
        code = values.get("sign_code", "")
        if code:
            code = _nfkc(code).upper()
            if not records.SIGN_CODE_RE.match(code):
                bad("sign_code", "A sign code has letters, digits, - _ . / only (at most 40).",
                    code)
            elif code in by_code:
                bad("sign_code", f"The same sign code is on row {by_code[code]}.", code)
            else:
                by_code[code] = number
        photo_name = values.get("photo", "")
        if photo_name:
            if archive is None:
                bad("photo", "A photo is named but no ZIP of photos was given.", photo_name)
            elif photo_name.lower() not in photo_index and \
                    PurePosixPath(photo_name.replace("\\", "/")).name.lower() not in photo_index:
                bad("photo", "This file is not in the ZIP of photos.", photo_name)
        if county_row is not None and site_name and sector:
            site_key = (county_row["id"], site_name)
            planned = site_plans.get(site_key)
            if planned is None:
                known = existing_sites.get(site_key)
                site_plans[site_key] = {
                    "row": number, "sector": sector, "existing": known,
                    "address": values.get("address", ""),
                    "latitude": coords[0], "longitude": coords[1]}
            elif planned["sector"] != sector:
                bad("sector", f"Row {planned['row']} gives this site the sector "
                              f"{planned['sector']}.", sector_raw)
            elif planned["latitude"] is None and coords[0] is not None:
                planned["latitude"], planned["longitude"] = coords
            if zh and not code:
                key = (county_row["id"], site_name, location, zh)
                if key in by_key:
                    bad("zh", f"Row {by_key[key]} has the same site, location and Chinese text; "
                              "give the number of signs in 'quantity' instead.", zh)
                else:
                    by_key[key] = number
        if row_problems:
            problems.extend(row_problems)
            continue
        counties_in_file.add(county_row["id"])  # type: ignore[index]
        plans.append(_Plan(number, county_row["id"], (county_row["id"], site_name),  # type: ignore[index]
                           {"location": location, "function": function, "zh": zh,
                            "languages": languages, "quantity": quantity,
                            "size": values.get("size", ""),
                            "material": values.get("material", ""), "action": action,
                            "latitude": coords[0], "longitude": coords[1]},
                           texts, code or None, photo_name=photo_name or None))
    if report.rows == 0 and not problems:
        raise ValidationError.single("The file has a header but no rows of signs.")

    # --- match existing signs (upsert key: code, else county+site+location+zh)
    existing_by_code: dict[str, dict[str, Any]] = {}
    existing_by_key: dict[tuple[int, str, str, str], dict[str, Any]] = {}
    codes = [p.code for p in plans if p.code]
    for start in range(0, len(codes), 900):
        chunk = codes[start:start + 900]
        for row in db.query(
                f"SELECT s.*, st.name_zh AS site_zh FROM signs s JOIN sites st ON "
                f"st.id = s.site_id WHERE s.sign_code IN ({','.join('?' * len(chunk))})",
                chunk):
            existing_by_code[row["sign_code"]] = row
    site_ids_needed = [site["existing"]["id"] for site in site_plans.values()
                       if site["existing"]]
    for start in range(0, len(site_ids_needed), 900):
        chunk = site_ids_needed[start:start + 900]
        for row in db.query(
                f"SELECT s.*, st.name_zh AS site_zh FROM signs s JOIN sites st ON "
                f"st.id = s.site_id WHERE s.site_id IN ({','.join('?' * len(chunk))})", chunk):
            existing_by_key.setdefault((row["county_id"], row["site_zh"], row["location"],
                                        row["zh"]), row)
    matched: dict[int, _Plan] = {}
    editable = records.EDITABLE_STATUSES.get(actor.role, frozenset())
    for plan in plans:
        found = existing_by_code.get(plan.code) if plan.code else existing_by_key.get(
            (plan.county_id, plan.site_key[1], plan.sign["location"], plan.sign["zh"]))
        if found is None:
            continue
        if found["county_id"] != plan.county_id:
            problems.append(Problem("This sign code is already used by a sign of another "
                                    "county.", row=plan.row, column="sign_code",
                                    value=plan.code))
            continue
        if found["id"] in matched:
            problems.append(Problem(f"Row {matched[found['id']].row} updates the same sign.",
                                    row=plan.row, column="sign_code" if plan.code else "zh",
                                    value=plan.code or plan.sign["zh"]))
            continue
        matched[found["id"]] = plan
        plan.existing_id = found["id"]
        plan.sign["_existing"] = found

    # --- photos (checked before anything is written)
    prepared: dict[int, photo_store.PreparedPhoto] = {}
    if archive is not None:
        for plan in plans:
            if not plan.photo_name:
                continue
            member = photo_index.get(plan.photo_name.lower()) or photo_index[
                PurePosixPath(plan.photo_name.replace("\\", "/")).name.lower()]
            info = archive.getinfo(member)
            if info.file_size > max_photo_bytes:
                problems.append(Problem(f"The photo is larger than "
                                        f"{max_photo_bytes // (1024 * 1024)} MB.",
                                        row=plan.row, column="photo", value=plan.photo_name))
                continue
            try:
                prepared[plan.row] = photo_store.prepare_photo(
                    archive.read(member), plan.photo_name, max_photo_bytes)
            except ValidationError as error:
                problems.extend(Problem(p.reason, row=plan.row, column="photo",
                                        value=plan.photo_name) for p in error.problems)
    if problems:
        rows_with_problems = len({p.row for p in problems})
        raise ValidationError(problems, summary=(
            f"{len(problems)} problem(s) in {rows_with_problems} row(s); nothing was imported. "
            "Correct the file and import it again."))

    # --- what changes
    creates: list[_Plan] = []
    updates: list[tuple[_Plan, dict[str, Any]]] = []
    existing_texts: dict[int, dict[str, str]] = {}
    update_ids = [p.existing_id for p in plans if p.existing_id]
    for start in range(0, len(update_ids), 900):
        chunk = update_ids[start:start + 900]
        for sign_id, lang, text in db.execute(
                f"SELECT sign_id, lang, text FROM sign_current_texts WHERE sign_id IN "
                f"({','.join('?' * len(chunk))})", chunk):
            existing_texts.setdefault(sign_id, {})[lang] = text
    existing_photos: dict[int, set[str]] = {}
    if prepared:
        for sign_id, sha in db.execute("SELECT sign_id, sha256 FROM sign_photos"):
            existing_photos.setdefault(sign_id, set()).add(sha)
    for plan in plans:
        found = plan.sign.pop("_existing", None)
        if found is None:
            creates.append(plan)
            continue
        change = {k: v for k, v in plan.sign.items() if found.get(k) != v}
        site = site_plans[plan.site_key]["existing"]
        if site is None or site["id"] != found["site_id"]:
            change["site_id"] = None  # resolved once the site exists
        texts_changed = existing_texts.get(found["id"], {}) != plan.texts
        photo = prepared.get(plan.row)
        new_photo = photo is not None and photo.sha256 not in existing_photos.get(found["id"],
                                                                                  set())
        if not change and not texts_changed and not new_photo:
            report.signs_unchanged += 1
            continue
        if (change or texts_changed) and found["status"] not in editable:
            problems.append(Problem(
                f"Sign {found['sign_code']} has status {found['status']}; your role can no "
                "longer change it by import.", row=plan.row, column="sign_code",
                value=found["sign_code"]))
            continue
        if photo is not None and not new_photo:
            prepared.pop(plan.row)
        updates.append((plan, {"change": change, "texts_changed": texts_changed,
                               "before": found, "new_photo": new_photo}))
    if problems:
        raise ValidationError(problems, summary=(
            f"{len(problems)} problem(s); nothing was imported."))
    # Photos of unchanged signs are already attached: keep only the new ones.
    updated_rows = {plan.row for plan, _info in updates}
    for plan in plans:
        if plan.existing_id and plan.row not in updated_rows:
            prepared.pop(plan.row, None)
    used_sites = {p.site_key for p in creates} | {u[0].site_key for u in updates}
    sites_to_create = [key for key, site in site_plans.items()
                       if site["existing"] is None and key in used_sites]
    sites_to_update = []
    for key, site in site_plans.items():
        known = site["existing"]
        if known is None:
            continue
        change = {}
        if known["sector"] != site["sector"]:
            change["sector"] = site["sector"]
        if site["address"] and known["address"] != site["address"]:
            change["address"] = site["address"]
        if known["latitude"] is None and site["latitude"] is not None:
            change.update(latitude=site["latitude"], longitude=site["longitude"])
        if change:
            sites_to_update.append((known["id"], change, known))
    report.sites_created = len(sites_to_create)
    report.sites_updated = len(sites_to_update)
    report.signs_created = len(creates)
    report.signs_updated = len(updates)
    report.photos = len(prepared)
    report.preview = [{"row": p.row, "site": p.site_key[1], "location": p.sign["location"],
                       "zh": p.sign["zh"], "action": p.sign["action"],
                       "change": "create" if not p.existing_id else "update"}
                      for p in (creates + [u[0] for u in updates])[:50]]
    if dry_run:
        return report
    if not (creates or updates or sites_to_create or sites_to_update):
        return report  # the inventory already matches the file: write nothing at all
    if prepared and upload_dir is None:
        raise ValidationError.single("No upload folder is configured for photos.")

    # --- write, all in one transaction
    now = audit.now_iso()
    with _bulk_cache(db), transaction(db):
        import_county = next(iter(counties_in_file)) if len(counties_in_file) == 1 else None
        cursor = db.conn.execute(
            "INSERT INTO inventory_imports (county_id, file_name, rows, sites_created, "
            "signs_created, signs_updated, photos, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [import_county, Path(file_name).name, report.rows, report.sites_created,
             report.signs_created, report.signs_updated, report.photos, actor.username, now])
        import_id = cursor.lastrowid
        report.import_id = import_id
        site_ids = {key: site["existing"]["id"] for key, site in site_plans.items()
                    if site["existing"]}
        for key in sites_to_create:
            site = site_plans[key]
            cursor = db.conn.execute(
                "INSERT INTO sites (county_id, name_zh, sector, address, latitude, longitude, "
                "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [key[0], key[1], site["sector"], site["address"], site["latitude"],
                 site["longitude"], actor.username, now, now])
            site_ids[key] = cursor.lastrowid
        for site_id, change, _known in sites_to_update:
            sets = ", ".join(f"{column} = ?" for column in change)
            db.execute(f"UPDATE sites SET {sets}, updated_at = ? WHERE id = ?",
                       list(change.values()) + [now, site_id])
        # Codes for new signs without one, per county, skipping codes the file uses.
        used_codes = set(by_code)
        need: dict[int, int] = {}
        for plan in creates:
            if not plan.code:
                need[plan.county_id] = need.get(plan.county_id, 0) + 1
        fresh: dict[int, Iterator[str]] = {}
        for county_id, count in need.items():
            county_row = next(db.query("SELECT * FROM counties WHERE id = ?", [county_id]))
            candidates = records.next_sign_numbers(db, records.county_prefix(county_row),
                                                   count + len(used_codes))
            fresh[county_id] = iter([c for c in candidates if c not in used_codes])
        next_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM signs").fetchone()[0]
        sign_rows, text_rows = [], []
        for plan in creates:
            plan.existing_id = next_id
            next_id += 1
            sign = plan.sign
            code = plan.code = plan.code or next(fresh[plan.county_id])
            sign_rows.append((plan.existing_id, site_ids[plan.site_key], plan.county_id, code,
                              sign["location"], sign["function"], sign["zh"],
                              sign["languages"], sign["quantity"], sign["size"],
                              sign["material"], sign["action"], sign["latitude"],
                              sign["longitude"], import_id, actor.username, now, now))
            text_rows += [(plan.existing_id, lang, text) for lang, text in plan.texts.items()]
        db.conn.executemany(
            "INSERT INTO signs (id, site_id, county_id, sign_code, location, function, zh, "
            "languages, quantity, size, material, action, latitude, longitude, import_id, "
            "created_by, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", sign_rows)
        for plan, info in updates:
            change = dict(info["change"])
            if "site_id" in change:
                change["site_id"] = site_ids[plan.site_key]
            change.update(updated_at=now, import_id=import_id)
            sets = ", ".join(f"{column} = ?" for column in change)
            db.execute(f"UPDATE signs SET {sets} WHERE id = ?",
                       list(change.values()) + [plan.existing_id])
            if info["texts_changed"]:
                db.execute("DELETE FROM sign_current_texts WHERE sign_id = ?",
                           [plan.existing_id])
                text_rows += [(plan.existing_id, lang, text) for lang, text in plan.texts.items()]
        db.conn.executemany(
            "INSERT INTO sign_current_texts (sign_id, lang, text) VALUES (?, ?, ?)", text_rows)
        changed_plans = creates + [u[0] for u in updates]
        changed_ids = [p.existing_id for p in changed_plans]
        if run_checks:
            report.findings = records.refresh_findings(db, changed_ids)
        sectors = {key: site_plans[key]["sector"] for key in site_plans}
        requests = []
        flagged: set[tuple[int, str]] = set()
        if run_checks:
            for start in range(0, len(changed_ids), 900):
                chunk = changed_ids[start:start + 900]
                flagged.update(db.execute(
                    f"SELECT DISTINCT sign_id, lang FROM sign_findings WHERE severity = "
                    f"'error' AND sign_id IN ({','.join('?' * len(chunk))})", chunk))
        for plan in changed_plans:
            prefill = {lang: text for lang, text in plan.texts.items()
                       if plan.sign["action"] == "keep" and run_checks
                       and (plan.existing_id, lang) not in flagged}
            requests.append(unit_store.SignUnitRequest(
                plan.existing_id, plan.sign["zh"], plan.sign["languages"].split(";"),  # type: ignore[arg-type]
                plan.sign["function"], sectors[plan.site_key], None, prefill))
        opted_out = {r[0]: r[1] for r in db.execute(
            "SELECT id, opt_out_reason FROM signs WHERE opt_out_reason IS NOT NULL")} \
            if updates else {}
        for req in requests:
            req.opt_out_reason = opted_out.get(req.sign_id)
        new_units = unit_store.link_units_bulk(db, requests[:len(creates)], actor.username,
                                               new_signs=True)
        new_units += unit_store.link_units_bulk(db, requests[len(creates):], actor.username)
        # New signs: index bodies built here from what was just written (no re-read).
        db.conn.executemany("INSERT INTO signs_fts (rowid, body) VALUES (?, ?)", [
            (p.existing_id, records.search_body(p.code or "", p.sign["zh"], p.sign["location"],  # type: ignore[arg-type]
                                                p.texts.values()))
            for p in creates])
        records.reindex(db, [p.existing_id for p, _ in updates])  # type: ignore[misc]
        for plan in changed_plans:
            if plan.row in prepared:
                photo_store.store_prepared(db, actor, plan.existing_id, prepared[plan.row],  # type: ignore[arg-type]
                                           upload_dir)  # type: ignore[arg-type]
        report.created_ids = [p.existing_id for p in creates]  # type: ignore[misc]
        report.updated_ids = [p.existing_id for p, _ in updates]  # type: ignore[misc]
        # Signs whose wording was already drafted or approved (for other signs, or
        # from a kept installed text) take the status their shared units imply;
        # updated signs may have moved to other units. Listed in the one event.
        status_changes = unit_store.refresh_statuses_bulk(db, changed_ids)  # type: ignore[arg-type]
        audit.record(db, actor, "inventory.import", "inventory_import", import_id, None, {
            "file": Path(file_name).name, "county_id": import_county, "rows": report.rows,
            "sites_created": [site_ids[k] for k in sites_to_create],
            "sites_updated": [s[0] for s in sites_to_update],
            "signs_created": report.created_ids, "signs_updated": report.updated_ids,
            "status_changes": status_changes, "units_created": len(new_units),
            "photos": report.photos, "findings": report.findings})
    return report


@contextlib.contextmanager
def _bulk_cache(db: Database) -> Iterator[None]:
    # A large import touches every index of the signs table; a bigger page cache
    # for this connection keeps those b-trees in memory while they grow.
    previous = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {previous}")


# ---------------------------------------------------------------------------
# Template

def template_csv() -> bytes:
    """The CSV template: bilingual header row, UTF-8 with BOM so Excel shows Chinese."""
    out = io.StringIO()
    csv.writer(out).writerow([header_label(c) for c in TEMPLATE_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """The XLSX template: header row, drop-down lists, and a help sheet."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "标识牌 signs"
    sheet.append([header_label(c) for c in TEMPLATE_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCEFE6")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].width = 28 if column.key in (
            "zh", "en_current", "site", "location") else 14
        choices = {"sector": [v[0] for v in records.SECTORS.values()],
                   "function": [v[0] for v in records.FUNCTIONS.values()],
                   "action": [v[0] for v in records.ACTIONS.values()]}.get(column.key)
        if choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                        allow_blank=True)
            validation.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(validation)
    help_sheet = workbook.create_sheet("说明 help")
    help_sheet.append(["列 column", "必填 required", "说明", "description"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        help_sheet.append([header_label(column), "是 yes" if column.required else "",
                           column.help_zh, column.help_en])
    for letter, width in (("A", 22), ("B", 12), ("C", 50), ("D", 70)):
        help_sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
