"""Opening uploaded photos safely: checked by content, bounded, upright, GPS and time read.

Used by sign photos (:mod:`workbench.inventory.photos`), OCR (:mod:`workbench.ocr`)
and survey batches. The file name's extension is never trusted: Pillow must
recognise JPEG, PNG or WebP, the pixel count is bounded before decoding (a
decompression bomb is refused) and the whole file is verified.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from workbench.errors import ValidationError
from workbench.messages import msg

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 60_000_000  # guards against decompression bombs
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
DATETIME = 0x0132


@dataclass
class OpenedPhoto:
    """A decoded photo turned upright (RGB), with what its EXIF said."""

    image: Image.Image
    format: str
    name: str
    latitude: float | None = None
    longitude: float | None = None
    taken_at: str | None = None  # ISO 8601 local time of the camera, when it says


def _rational(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        numerator, denominator = value
        return numerator / denominator if denominator else 0.0


def gps_from_exif(image: Image.Image) -> tuple[float | None, float | None]:
    """(latitude, longitude) in decimal degrees from EXIF GPS tags, or (None, None)."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:  # noqa: BLE001 - malformed EXIF must not make a good photo fail
        return None, None
    if not gps or 2 not in gps or 4 not in gps:
        return None, None
    try:
        lat = sum(_rational(v) / 60 ** i for i, v in enumerate(gps[2]))
        lon = sum(_rational(v) / 60 ** i for i, v in enumerate(gps[4]))
    except (TypeError, ValueError, ZeroDivisionError):
        return None, None
    if str(gps.get(1, "N")).upper().startswith("S"):
        lat = -lat
    if str(gps.get(3, "E")).upper().startswith("W"):
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None
    return round(lat, 7), round(lon, 7)


def time_from_exif(image: Image.Image) -> str | None:
    """When the photo was taken (EXIF DateTimeOriginal, else DateTime), as ISO 8601."""
    try:
        exif = image.getexif()
        raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    except Exception:  # noqa: BLE001 - malformed EXIF: no time, the photo is still good
        return None
    if not raw:
        return None
    try:
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S").isoformat()
    except ValueError:
        return None


def _refuse(reason: Any, name: str) -> ValidationError:
    return ValidationError.single(reason, column="photo", value=name)


def open_photo(data: bytes, original_name: str, max_bytes: int) -> OpenedPhoto:
    """Check and decode one photo; ValidationError with a reason a person understands."""
    name = Path(original_name or "photo").name
    if len(data) > max_bytes:
        raise _refuse(msg("The photo is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)),
                      name)
    if not data:
        raise _refuse(msg("The photo file is empty."), name)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in ALLOWED_FORMATS:
                raise _refuse(msg("Only JPEG, PNG or WebP photos are accepted."), name)
            if probe.width * probe.height > MAX_PIXELS:
                raise _refuse(msg("The photo has too many pixels."), name)
            probe.verify()  # structural check of the whole file
        image = Image.open(io.BytesIO(data))
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError,
            ValueError):
        raise _refuse(msg("The file is not a readable JPEG, PNG or WebP image."),
                      name) from None
    latitude, longitude = gps_from_exif(image)
    taken_at = time_from_exif(image)
    upright: Image.Image = ImageOps.exif_transpose(image)
    return OpenedPhoto(to_rgb(upright), str(kind), name, latitude, longitude, taken_at)


def to_rgb(image: Image.Image) -> Image.Image:
    """The image in RGB; transparency is laid on white (as a printed sign would be)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.split()[-1])
        return background
    return image.convert("RGB")
