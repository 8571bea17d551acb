"""Helpers for the export tests: signs made with the inventory's functions and approved
through the review workflow (translator saves and submits, a second person approves), and
readers of the exported CSV and PDF files."""
from __future__ import annotations

import csv
import io

from workbench.exports import sheets
from workbench.exports.selection import ExportFilter
from workbench.inventory import records
from workbench.review import units as unit_store
from workbench.review import workflow

TEXTS = {
    "小心地滑": {"en": "CAUTION//Wet Floor", "ru": "Осторожно, скользкий пол",
                 "ja": "足元注意 滑りやすい", "ko": "미끄럼 주의"},
    "禁止吸烟": {"en": "No Smoking", "ru": "Не курить", "ja": "禁煙", "ko": "금연"},
    "出口": {"en": "Exit", "ru": "Выход", "ja": "出口", "ko": "출구"},
    "卫生间": {"en": "Toilet", "ru": "Туалет", "ja": "トイレ", "ko": "화장실"},
    "服务台": {"en": "Service Desk", "ru": "Стойка обслуживания", "ja": "サービスカウンター",
               "ko": "안내 데스크"},
}


def county_id(db, name_zh: str) -> int:
    return db.execute("SELECT id FROM counties WHERE name_zh = ?", [name_zh]).fetchone()[0]


def make_site(db, users, county: str = "海口市", name: str = "海口美兰国际机场",
              sector: str = "transport") -> int:
    cid = county_id(db, county)
    row = db.execute("SELECT id FROM sites WHERE county_id = ? AND name_zh = ?",
                     [cid, name]).fetchone()
    if row:
        return row[0]
    return records.save_site(db, users["staff"], {"county_id": cid, "name_zh": name,
                                                  "sector": sector})


def make_sign(db, users, zh: str, languages: str = "en;ru", *, county: str = "海口市",
              site: str = "海口美兰国际机场", sector: str = "transport", **values) -> int:
    site_id = make_site(db, users, county, site, sector)
    fields = {"zh": zh, "function": "warning", "action": "new", "languages": languages,
              "quantity": 2, "size": "60×40 cm", "material": "铝板",
              "location": "T1 到达厅"}
    fields.update(values)
    return records.create_sign(db, users["staff"], site_id, fields)


def translate(db, users, sign_id: int, texts: dict[str, str], *, approve: bool = True,
              only: set[str] | None = None) -> None:
    """Translator saves and submits each language's text; the reviewer approves it."""
    for unit in unit_store.units_for_sign(db, sign_id):
        lang = unit["target_lang"]
        if only is not None and lang not in only:
            continue
        current = workflow.get_unit(db, unit["id"])
        if current["state"] == "approved":
            continue
        saved = workflow.save_translation(db, users["translator"], unit["id"], texts[lang],
                                          current["version"])
        submitted = workflow.submit(db, users["translator"], unit["id"], saved["version"])
        if approve:
            workflow.approve(db, users["reviewer"], unit["id"], submitted["version"])


def unit_of(db, sign_id: int, lang: str) -> dict:
    return next(u for u in unit_store.units_for_sign(db, sign_id) if u["target_lang"] == lang)


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def export_csv(db, flt: ExportFilter | None = None) -> tuple[list[list[str]], sheets.SheetResult]:
    buffer = io.BytesIO()
    result = sheets.write_csv(db, flt or ExportFilter(), buffer)
    return csv_rows(buffer.getvalue()), result


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
