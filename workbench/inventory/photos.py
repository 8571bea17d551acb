"""Sign photos: checked by content, re-encoded without metadata, thumbnailed, GPS read.

An upload is accepted only when Pillow recognises it as JPEG, PNG or WebP
(the file name's extension is never trusted: a renamed text file is refused).
The stored copy is re-encoded, which drops EXIF and anything appended to the
file; the EXIF GPS position is read first and kept as numbers, so it can be
offered as the site's location.
"""
from __future__ import annotations

import hashlib
import io
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.errors import NotFound, PermissionDenied, ValidationError
from workbench.files.limits import LimitExceeded, size_text
from workbench.messages import msg

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 50_000_000  # default of the setting PHOTO_MAX_PIXELS (decompression bombs)
STORED_MAX_SIDE = 2560
THUMB_SIDE = 320
GPS_IFD = 0x8825


@dataclass
class PreparedPhoto:
    """A checked photo ready to store: re-encoded bytes, thumbnail, size, GPS."""

    data: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str
    original_name: str
    latitude: float | None = None
    longitude: float | None = None


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
    except Exception:  # malformed EXIF must not make a good photo fail
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


def prepare_photo(data: bytes, original_name: str, max_bytes: int,
                  max_pixels: int = MAX_PIXELS) -> PreparedPhoto:
    """Check and re-encode one photo; ValidationError with a reason a person understands.

    Memory stays bounded: the pixel count is checked from the header before
    decoding (``PHOTO_MAX_PIXELS``), a JPEG is decoded at a reduced scale when it
    is larger than the stored size, and the image is shrunk before any copy is made.
    """
    name = Path(original_name or "photo").name
    if len(data) > max_bytes:
        raise ValidationError.single(msg("The photo is larger than %(size)s.",
                                         size=size_text(max_bytes)), column="photo", value=name)
    if not data:
        raise ValidationError.single(msg("The photo file is empty."), column="photo", value=name)
    image = _decoded(data, name, max_pixels)
    latitude, longitude = gps_from_exif(image)
    image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE))
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.split()[-1])
        image = background
    elif image.mode == "L":
        image = image.convert("RGB")
    stored = io.BytesIO()
    image.save(stored, "JPEG", quality=85, optimize=True)
    thumb_image = image.copy()
    thumb_image.thumbnail((THUMB_SIDE, THUMB_SIDE))
    thumb = io.BytesIO()
    thumb_image.save(thumb, "JPEG", quality=80)
    return PreparedPhoto(stored.getvalue(), thumb.getvalue(), image.width, image.height,
                         hashlib.sha256(data).hexdigest(), name, latitude, longitude)


def _decoded(data: bytes, name: str, max_pixels: int) -> Image.Image:
    """The decoded image, after its format and size were checked from the header."""
    unreadable = ValidationError.single(msg("The file is not a readable JPEG, PNG or WebP "
                                            "image."), column="photo", value=name)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise ValidationError.single(msg("Only JPEG, PNG or WebP photos are accepted."),
                                             column="photo", value=name)
            if probe.width * probe.height > max_pixels:
                raise LimitExceeded(msg(
                    "The photo has more than %(limit)s pixels (setting PHOTO_MAX_PIXELS).",
                    limit=f"{max_pixels:,}"), setting="PHOTO_MAX_PIXELS", limit=max_pixels,
                    column="photo", value=name)
            probe.verify()  # structural check of the whole file
        image = Image.open(io.BytesIO(data))
        # A JPEG decodes at 1/2, 1/4 or 1/8 scale when that still covers the stored size.
        image.draft("RGB", (STORED_MAX_SIDE, STORED_MAX_SIDE))
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError,
            ValueError, TypeError, IndexError, struct.error, EOFError):
        raise unreadable from None
    return image


def _write_files(upload_dir: str | Path, sign_id: int,
                 photo: PreparedPhoto) -> tuple[str, str]:
    folder = Path(upload_dir) / "signs" / str(sign_id)
    folder.mkdir(parents=True, exist_ok=True)
    stem = uuid.uuid4().hex
    (folder / f"{stem}.jpg").write_bytes(photo.data)
    (folder / f"{stem}_thumb.jpg").write_bytes(photo.thumbnail)
    return f"signs/{sign_id}/{stem}.jpg", f"signs/{sign_id}/{stem}_thumb.jpg"


def store_prepared(db: Database, actor: auth.User, sign_id: int, photo: PreparedPhoto,
                   upload_dir: str | Path) -> int:
    """Write a checked photo's files and its row; runs in the caller's transaction."""
    file_name, thumbnail = _write_files(upload_dir, sign_id, photo)
    row = {"sign_id": sign_id, "file_name": file_name, "thumbnail": thumbnail,
           "original_name": photo.original_name, "width": photo.width,
           "height": photo.height, "bytes": len(photo.data), "sha256": photo.sha256,
           "exif_latitude": photo.latitude, "exif_longitude": photo.longitude,
           "uploaded_by": actor.username, "created_at": audit.now_iso()}
    photo_id = db["sign_photos"].insert(row).last_pk
    db.execute("UPDATE signs SET photo_count = (SELECT count(*) FROM sign_photos WHERE "
               "sign_id = ?) WHERE id = ?", [sign_id, sign_id])
    return photo_id  # type: ignore[return-value]


def store_with_event(db: Database, actor: auth.User, sign_id: int, photo: PreparedPhoto,
                     upload_dir: str | Path) -> int:
    """Store a checked photo and write its audit event (in the caller's transaction)."""
    photo_id = store_prepared(db, actor, sign_id, photo, upload_dir)
    audit.record(db, actor, "sign.photo_add", "sign", sign_id, None,
                 {"photo_id": photo_id, "original_name": photo.original_name,
                  "sha256": photo.sha256, "gps": [photo.latitude, photo.longitude]})
    return photo_id


def _check_may_edit(db: Database, actor: auth.User, sign_id: int) -> None:
    """NotFound outside the actor's county; PermissionDenied when the sign is not theirs to edit.

    Photos are part of the sign: the rule of who may edit a sign in which
    status decides (:func:`workbench.inventory.records.can_change_photos`).
    """
    from workbench.inventory.records import can_change_photos

    sign = next(db.query("SELECT county_id, status FROM signs WHERE id = ?", [sign_id]), None)
    if sign is None:
        raise NotFound(msg("No such sign."))
    auth.check_county(actor, sign["county_id"])
    if not can_change_photos(actor, sign):
        raise PermissionDenied(msg(
            "The photos of a sign with status %(status)s cannot be changed by your role.",
            status=sign["status"]))


def add_photo(db: Database, actor: auth.User, sign_id: int, data: bytes, original_name: str,
              *, upload_dir: str | Path, max_bytes: int) -> int:
    """Check, re-encode and attach one photo to a sign (audited); returns the photo id."""
    auth.require(actor, "inventory.submit")
    _check_may_edit(db, actor, sign_id)
    photo = prepare_photo(data, original_name, max_bytes)
    with transaction(db):
        _check_may_edit(db, actor, sign_id)  # again, under the write lock
        return store_with_event(db, actor, sign_id, photo, upload_dir)


def delete_photo(db: Database, actor: auth.User, photo_id: int, upload_dir: str | Path) -> int:
    """Remove a photo from its sign (audited), files too; returns the sign's id."""
    auth.require(actor, "inventory.submit")
    with transaction(db):
        row = next(db.query("SELECT * FROM sign_photos WHERE id = ?", [photo_id]), None)
        if row is None:
            raise NotFound(msg("No such photo."))
        _check_may_edit(db, actor, row["sign_id"])
        db.execute("DELETE FROM sign_photos WHERE id = ?", [photo_id])
        db.execute("UPDATE signs SET photo_count = (SELECT count(*) FROM sign_photos WHERE "
                   "sign_id = ?) WHERE id = ?", [row["sign_id"], row["sign_id"]])
        audit.record(db, actor, "sign.photo_delete", "sign", row["sign_id"], row, None)
    for name in (row["file_name"], row["thumbnail"]):
        (Path(upload_dir) / name).unlink(missing_ok=True)
    return row["sign_id"]


def photo_file(db: Database, user: auth.User, photo_id: int, upload_dir: str | Path,
               thumbnail: bool = False) -> Path:
    """The stored file of a photo the user may see (NotFound otherwise)."""
    row = next(db.query("SELECT p.file_name, p.thumbnail, s.county_id FROM sign_photos p "
                        "JOIN signs s ON s.id = p.sign_id WHERE p.id = ?", [photo_id]), None)
    if row is None:
        raise NotFound("No such photo.")
    auth.check_county(user, row["county_id"])
    path = Path(upload_dir) / (row["thumbnail"] if thumbnail else row["file_name"])
    if not path.is_file():
        raise NotFound("The photo file is missing.")
    return path
