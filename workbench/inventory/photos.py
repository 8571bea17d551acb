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
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth, images
from workbench.db import insert_row, row_or_not_found, transaction
from workbench.errors import NotFound, PermissionDenied
from workbench.messages import msg

# Re-exported: what a photo may be (workbench.images opens and bounds every photo).
ALLOWED_FORMATS = images.ALLOWED_FORMATS
MAX_PIXELS = images.MAX_PIXELS
STORED_MAX_SIDE = 2560
THUMB_SIDE = 320
# Kept importable here for callers that read GPS from an already opened image.
gps_from_exif = images.gps_from_exif


@dataclass
class PreparedPhoto:
    """A checked photo ready to store: re-encoded bytes, thumbnail, size, GPS, time."""

    data: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str
    original_name: str
    latitude: float | None = None
    longitude: float | None = None
    taken_at: str | None = None


def prepare_opened(opened: images.OpenedPhoto, sha256: str) -> PreparedPhoto:
    """Re-encode an opened photo (JPEG, no metadata, bounded size) and thumbnail it."""
    image = opened.image.copy()
    image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE))
    stored = io.BytesIO()
    image.save(stored, "JPEG", quality=85, optimize=True)
    thumb_image = image.copy()
    thumb_image.thumbnail((THUMB_SIDE, THUMB_SIDE))
    thumb = io.BytesIO()
    thumb_image.save(thumb, "JPEG", quality=80)
    return PreparedPhoto(stored.getvalue(), thumb.getvalue(), image.width, image.height,
                         sha256, opened.name, opened.latitude, opened.longitude,
                         opened.taken_at)


def prepare_photo(data: bytes, original_name: str, max_bytes: int,
                  max_pixels: int = MAX_PIXELS) -> PreparedPhoto:
    """Check and re-encode one photo; ValidationError with a reason a person understands."""
    opened = images.open_photo(data, original_name, max_bytes, max_pixels)
    return prepare_opened(opened, hashlib.sha256(data).hexdigest())


def _write_files(upload_dir: str | Path, sign_id: int,
                 photo: PreparedPhoto) -> tuple[str, str]:
    folder = Path(upload_dir) / "signs" / str(sign_id)
    folder.mkdir(parents=True, exist_ok=True)
    stem = uuid.uuid4().hex
    (folder / f"{stem}.jpg").write_bytes(photo.data)
    (folder / f"{stem}_thumb.jpg").write_bytes(photo.thumbnail)
    return f"signs/{sign_id}/{stem}.jpg", f"signs/{sign_id}/{stem}_thumb.jpg"


def store_prepared(db: Database, actor: auth.User, sign_id: int, photo: PreparedPhoto,
                   upload_dir: str | Path, ocr: dict[str, Any] | None = None) -> int:
    """Write a checked photo's files and its row; runs in the caller's transaction.

    ``ocr`` is what OCR read on the photo (``OcrResult.to_dict()``), kept with it.
    """
    file_name, thumbnail = _write_files(upload_dir, sign_id, photo)
    row = {"sign_id": sign_id, "file_name": file_name, "thumbnail": thumbnail,
           "ocr_json": json.dumps(ocr, ensure_ascii=False) if ocr else None,
           "taken_at": photo.taken_at, "original_name": photo.original_name, "width": photo.width,
           "height": photo.height, "bytes": len(photo.data), "sha256": photo.sha256,
           "exif_latitude": photo.latitude, "exif_longitude": photo.longitude,
           "uploaded_by": actor.username, "created_at": audit.now_iso()}
    photo_id = insert_row(db, "sign_photos", row)
    db.execute("UPDATE signs SET photo_count = (SELECT count(*) FROM sign_photos WHERE "
               "sign_id = ?) WHERE id = ?", [sign_id, sign_id])
    return photo_id


def store_with_event(db: Database, actor: auth.User, sign_id: int, photo: PreparedPhoto,
                     upload_dir: str | Path, ocr: dict[str, Any] | None = None) -> int:
    """Store a checked photo and write its audit event (in the caller's transaction)."""
    photo_id = store_prepared(db, actor, sign_id, photo, upload_dir, ocr)
    audit.record(db, actor, "sign.photo_add", "sign", sign_id, None,
                 {"photo_id": photo_id, "original_name": photo.original_name,
                  "sha256": photo.sha256, "gps": [photo.latitude, photo.longitude],
                  "ocr_lines": len(ocr["lines"]) if ocr else None})
    return photo_id


def _check_may_edit(db: Database, actor: auth.User, sign_id: int) -> None:
    """NotFound outside the actor's county; PermissionDenied when the sign is not theirs to edit.

    Photos are part of the sign: the rule of who may edit a sign in which
    status decides (:func:`workbench.inventory.records.can_change_photos`).
    """
    from workbench.inventory.editing import can_change_photos, edit_refusal

    sign = row_or_not_found(db, "SELECT county_id, status FROM signs WHERE id = ?", [sign_id],
                            msg("No such sign."))
    auth.check_county(actor, sign["county_id"])
    if not can_change_photos(actor, sign):
        # Said in terms of the sign's status, as for any refused edit.
        raise PermissionDenied(edit_refusal(actor, sign) or msg(
            "The photos of this sign cannot be changed now."))


def add_photo(db: Database, actor: auth.User, sign_id: int, data: bytes, original_name: str,
              *, upload_dir: str | Path, max_bytes: int, ocr: dict[str, Any] | None = None,
              max_pixels: int = MAX_PIXELS) -> int:
    """Check, re-encode and attach one photo to a sign (audited); returns the photo id.

    ``ocr``: the photo's OCR result (``OcrResult.to_dict()``) to keep with it.
    """
    auth.require(actor, "inventory.submit")
    _check_may_edit(db, actor, sign_id)
    photo = prepare_photo(data, original_name, max_bytes, max_pixels)
    return attach_prepared(db, actor, sign_id, photo, upload_dir, ocr)


def attach_prepared(db: Database, actor: auth.User, sign_id: int, photo: PreparedPhoto,
                    upload_dir: str | Path, ocr: dict[str, Any] | None = None) -> int:
    """Attach a checked photo (:func:`prepare_photo`) to a sign, audited; the photo id.

    The sign-edit rule decides, under the write lock. Inside a caller's
    transaction (an officer's answer with its photo) it is a savepoint of it.
    """
    auth.require(actor, "inventory.submit")
    with transaction(db):
        _check_may_edit(db, actor, sign_id)
        return store_with_event(db, actor, sign_id, photo, upload_dir, ocr)


def delete_photo(db: Database, actor: auth.User, photo_id: int, upload_dir: str | Path) -> int:
    """Remove a photo from its sign (audited), files too; returns the sign's id."""
    auth.require(actor, "inventory.submit")
    with transaction(db):
        row = row_or_not_found(db, "SELECT * FROM sign_photos WHERE id = ?", [photo_id],
                               msg("No such photo."))
        _check_may_edit(db, actor, row["sign_id"])
        db.execute("DELETE FROM sign_photos WHERE id = ?", [photo_id])
        db.execute("UPDATE signs SET photo_count = (SELECT count(*) FROM sign_photos WHERE "
                   "sign_id = ?) WHERE id = ?", [row["sign_id"], row["sign_id"]])
        audit.record(db, actor, "sign.photo_delete", "sign", row["sign_id"], row, None)
    for name in (row["file_name"], row["thumbnail"]):
        (Path(upload_dir) / name).unlink(missing_ok=True)
    sign_id: int = row["sign_id"]
    return sign_id


def photo_file(db: Database, user: auth.User, photo_id: int, upload_dir: str | Path,
               thumbnail: bool = False) -> Path:
    """The stored file of a photo the user may see (NotFound otherwise)."""
    row = next(db.query("SELECT p.file_name, p.thumbnail, s.county_id FROM sign_photos p "
                        "JOIN signs s ON s.id = p.sign_id WHERE p.id = ?", [photo_id]), None)
    if row is None:
        raise NotFound(msg("No such photo."))
    auth.check_county(user, row["county_id"])
    path: Path = Path(upload_dir) / (row["thumbnail"] if thumbnail else row["file_name"])
    if not path.is_file():
        raise NotFound(msg("The photo file is missing."))
    return path
