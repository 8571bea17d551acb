"""Sign photos drawn with Pillow and the installed fonts, for the tests that run the real OCR.

``sign_photo(["小心地滑", "CAUTION", "Wet Floor"], gps=(20.02, 110.35))`` returns
JPEG bytes: a sign (white on blue by default) with one line per text, Chinese in
WenQuanYi Micro Hei, Latin in DejaVu Sans, optionally with EXIF GPS and time.
"""
from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return (float(degrees), float(minutes), seconds)


def sign_photo(texts: Sequence[str], *, gps: tuple[float, float] | None = None,
               taken_at: str | None = None, background: tuple[int, int, int] = (0, 72, 150),
               ink: str = "white", fmt: str = "JPEG", size: tuple[int, int] = (1000, 600)) -> bytes:
    """A photo of a sign carrying ``texts`` (one line each, Chinese lines larger)."""
    image = Image.new("RGB", size, (120, 120, 110))
    draw = ImageDraw.Draw(image)
    draw.rectangle([60, 40, size[0] - 60, size[1] - 40], fill=background)
    y = 80
    for text in texts:
        chinese = any("\u4e00" <= ch <= "\u9fff" for ch in text)
        font = ImageFont.truetype(CJK_FONT if chinese else LATIN_FONT, 90 if chinese else 52)
        width = draw.textlength(text, font=font)
        draw.text(((size[0] - width) / 2, y), text, font=font, fill=ink)
        y += 130 if chinese else 80
    exif = Image.Exif()
    if gps is not None:
        exif[0x8825] = {1: "N" if gps[0] >= 0 else "S", 2: _dms(gps[0]),
                        3: "E" if gps[1] >= 0 else "W", 4: _dms(gps[1])}
    if taken_at is not None:
        exif[0x8769] = {0x9003: taken_at}
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif.tobytes()) if len(exif) else image.save(buffer, fmt)
    return buffer.getvalue()
