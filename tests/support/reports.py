"""Helpers for the public-report tests: signs at sites with positions, approved wording,
photos with EXIF GPS, and report input."""
from __future__ import annotations

import io
from typing import Any

from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from workbench.inventory import records
from workbench.reports.intake import ReportInput
from workbench.review import units as unit_store
from workbench.review import workflow

# Haikou Meilan airport and Sanya Dadonghai, roughly.
AIRPORT = (19.9349, 110.4589)
DADONGHAI = (18.2230, 109.5150)

SETTINGS = {"SECRET_KEY": "test-secret", "REPORT_OCR": False, "REPORT_LIMIT_PER_ADDRESS": 1000,
            "REPORT_LIMIT_PER_SIGN": 1000, "REPORT_MAX_PHOTO_BYTES": 2 * 1024 * 1024,
            "REPORT_MATCH_RADIUS_M": 300}


def county_id(db, name_zh: str) -> int:
    return db.execute("SELECT id FROM counties WHERE name_zh = ?", [name_zh]).fetchone()[0]


def make_site(db, users, county: str = "海口市", name: str = "海口美兰国际机场",
              position: tuple[float, float] | None = AIRPORT) -> int:
    cid = county_id(db, county)
    row = db.execute("SELECT id FROM sites WHERE county_id = ? AND name_zh = ?",
                     [cid, name]).fetchone()
    if row:
        return row[0]
    values: dict[str, Any] = {"county_id": cid, "name_zh": name, "sector": "transport"}
    if position:
        values.update(latitude=position[0], longitude=position[1])
    return records.save_site(db, users["staff"], values)


def make_sign(db, users, zh: str, en_current: str | None = None, *, county: str = "海口市",
              site: str = "海口美兰国际机场", position: tuple[float, float] | None = AIRPORT,
              **values: Any) -> int:
    site_id = make_site(db, users, county, site, position)
    fields = {"zh": zh, "function": "warning", "action": "keep", "languages": "en",
              "location": "T2 到达厅"}
    if en_current:
        fields["en_current"] = en_current
    fields.update(values)
    return records.create_sign(db, users["staff"], site_id, fields)


def sign_code(db, sign_id: int) -> str:
    return db.execute("SELECT sign_code FROM signs WHERE id = ?", [sign_id]).fetchone()[0]


def approve(db, users, sign_id: int, texts: dict[str, str]) -> None:
    """Translator writes and submits each language's wording; a reviewer approves it."""
    for unit in unit_store.units_for_sign(db, sign_id):
        current = workflow.get_unit(db, unit["id"])
        if current["state"] == "approved" or unit["target_lang"] not in texts:
            continue
        saved = workflow.save_translation(db, users["translator"], unit["id"],
                                          texts[unit["target_lang"]], current["version"])
        submitted = workflow.submit(db, users["translator"], unit["id"], saved["version"])
        workflow.approve(db, users["reviewer"], unit["id"], submitted["version"])


def photo_bytes(*, gps: tuple[float, float] | None = None, size: tuple[int, int] = (320, 240),
                fmt: str = "JPEG", text: str | None = None) -> bytes:
    """A small photo, with EXIF GPS (and a camera model, to see metadata go) when asked."""
    image = Image.new("RGB", size, (214, 222, 214))
    if text:  # a sign board: white text on green, as big as the default font allows
        from PIL import ImageDraw, ImageFont
        draw = ImageDraw.Draw(image)
        width, height = size
        draw.rectangle((width // 8, height // 4, width * 7 // 8, height * 3 // 4),
                       fill=(11, 110, 79))
        font = ImageFont.load_default(size=max(12, height // 10))
        draw.text((width // 2, height // 2), text, fill="white", font=font, anchor="mm")
    exif = image.getexif()
    exif[0x0110] = "SignCam 3000"  # camera model
    if gps:
        def dms(value: float) -> tuple:
            degrees = int(value)
            minutes = (value - degrees) * 60
            return (IFDRational(degrees), IFDRational(int(minutes)),
                    IFDRational(round((minutes - int(minutes)) * 60 * 100), 100))
        exif.get_ifd(0x8825).update({1: "N" if gps[0] >= 0 else "S", 2: dms(abs(gps[0])),
                                     3: "E" if gps[1] >= 0 else "W", 4: dms(abs(gps[1]))})
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif) if fmt == "JPEG" else image.save(buffer, fmt)
    return buffer.getvalue()


def report_input(**values: Any) -> ReportInput:
    defaults: dict[str, Any] = {"kind": "wrong_translation",
                                "description": "The English is wrong."}
    defaults.update(values)
    return ReportInput(**defaults)
