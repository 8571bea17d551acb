"""The inventory import's columns and the header phase: which file column is which.

Officers type headers in Chinese, English or both (``县市 county``), with stars,
colons and notes in brackets; :func:`map_headers` finds the column each header
names and remembers the header *as the file wrote it*, so that every problem
later names the column the way the officer named it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from workbench.errors import Problem
from workbench.messages import Message, msg


@dataclass(frozen=True)
class Column:
    """One import column: its key, Chinese header, whether required, and other names."""

    key: str
    zh: str
    required: bool
    aliases: tuple[str, ...]
    help_en: str
    help_zh: str

    @property
    def label(self) -> str:
        """The template's bilingual header: ``县市 county``."""
        return f"{self.zh} {self.key}"


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
BY_KEY = {column.key: column for column in COLUMNS}
TEMPLATE_COLUMNS = tuple(c for c in COLUMNS if c.key != "address")
# A header row names at least this many template columns; fewer means the
# header is not in row 1 (a title row) or the file is not an inventory.
MIN_RECOGNIZED = 3


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[*＊:：]", "", text)
    return re.sub(r"\s+", " ", text).strip()


HEADER_ALIASES: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.key, _column.key.replace("_", " "), _column.zh, *_column.aliases):
        HEADER_ALIASES[_header_key(_name)] = _column.key


def header_text(cell: Any) -> str:
    """A header cell as the officer typed it (trimmed)."""
    return "" if cell is None else str(cell).strip()


def match_header(cell: Any) -> str | None:
    """The column key a header cell names (Chinese, English or both), or None."""
    text = _header_key(header_text(cell))
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


@dataclass
class HeaderMap:
    """What the header row says: file position of each column, and its header as typed."""

    positions: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def label(self, key: str) -> str:
        """The column as the file named it, else as the template names it."""
        return self.labels.get(key) or BY_KEY[key].label

    @property
    def keys(self) -> list[str]:
        """The recognized column keys in file order."""
        return sorted(self.positions, key=self.positions.__getitem__)


def map_headers(cells: list[Any]) -> HeaderMap:
    """The header phase: recognized columns, duplicates (problems), extra columns."""
    header = HeaderMap()
    for index, cell in enumerate(cells):
        key = match_header(cell)
        typed = header_text(cell)
        if key is None:
            if typed:
                header.extra.append(typed)
            continue
        if key in header.positions:
            header.problems.append(Problem(msg("This column appears twice."), row=1,
                                           column=typed, value=typed))
            continue
        header.positions[key] = index
        header.labels[key] = typed
    return header


def recognized_count(cells: list[Any]) -> int:
    """How many cells of a row name an import column (to spot a header in row 2)."""
    return sum(1 for cell in cells if match_header(cell))


def missing_required(header: HeaderMap, county_given: bool) -> list[Problem]:
    """A problem for every required column the header lacks (county may come from options)."""
    return [Problem(msg("This required column is missing."), row=1, column=column.label)
            for column in COLUMNS if column.required and column.key not in header.positions
            and not (column.key == "county" and county_given)]


def not_a_header(_cells: list[Any]) -> Message:
    """Why row 1 is not the inventory's header row."""
    return msg("Row 1 does not hold the column names of the inventory template "
               "(县市 county, 场所 site, 中文 zh …). Download the template and use its header.")
