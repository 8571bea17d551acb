"""Survey batches: many sign photos at once (files or a ZIP from the phone) → proposed signs.

1. :func:`create_batch` checks every photo (all or nothing), stores the
   re-encoded copies in a staging batch with their GPS position and time.
2. :func:`read_batch` runs OCR on every photo not read yet (idempotent, no
   threads, reports ``progress(done, total, message)``): the web request, the
   CLI or a job may run it.
3. :func:`propose` turns the photos into proposed signs: each photo with its
   texts; a photo within ``radius`` metres of a site's location joins that site,
   the others are grouped into proposed new sites (photos within ``radius`` of
   each other stand at one site).
4. :func:`confirm_batch` writes the sites, signs and photos the officer kept, in
   one transaction with its audit events, or nothing.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth, images
from workbench.db import insert_row, row_or_not_found, transaction
from workbench.errors import NotFound, Problem, ValidationError
from workbench.inventory import photos, records
from workbench.messages import from_data, msg, nmsg
from workbench.vocabulary import SURVEY_STATES

Progress = Callable[..., None]


@dataclass(frozen=True)
class UploadLimits:
    """Bounds on one batch upload (settings ``SURVEY_MAX_PHOTOS``, ``SURVEY_MAX_UPLOAD_BYTES``
    and ``MAX_PHOTO_BYTES``)."""

    max_photos: int = 200
    max_total_bytes: int = 200 * 1024 * 1024
    max_photo_bytes: int = 15 * 1024 * 1024
    max_ratio: int = 100  # photos hardly compress: a higher ratio is a ZIP bomb

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> UploadLimits:
        """The limits configured in the settings."""
        default = cls()
        return cls(int(settings.get("SURVEY_MAX_PHOTOS") or default.max_photos),
                   int(settings.get("SURVEY_MAX_UPLOAD_BYTES") or default.max_total_bytes),
                   int(settings.get("MAX_PHOTO_BYTES") or default.max_photo_bytes))


def _skipped_member(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return (name.endswith("/") or not parts or parts[0] == "__MACOSX"
            or parts[-1].startswith("."))


def read_zip_photos(data: bytes, zip_name: str, limits: UploadLimits) -> list[tuple[str, bytes]]:
    """The files inside a ZIP, bounded while read: member count, each member's size,
    the total size and the compression ratio (the header's sizes are not trusted).

    Folders, ``__MACOSX`` and hidden files are skipped. One function, so that the
    shared bounded readers can take its place.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not _skipped_member(m.filename)]
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError.single(msg("The file is not a readable ZIP archive."),
                                     value=zip_name) from None
    if len(members) > limits.max_photos:
        raise ValidationError.single(msg("The ZIP holds %(n)s files; at most %(max)s photos "
                                         "are read at once.", n=len(members),
                                         max=limits.max_photos), value=zip_name)
    found, total = [], 0
    for member in members:
        name = PurePosixPath(member.filename).name
        if member.compress_size and member.file_size / member.compress_size > limits.max_ratio:
            raise ValidationError.single(msg("A file in the ZIP is compressed suspiciously "
                                             "well; it is not read."), value=name)
        try:
            with archive.open(member) as stream:
                content = stream.read(limits.max_photo_bytes + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            raise ValidationError.single(msg("A file in the ZIP cannot be read (damaged or "
                                             "encrypted)."), value=name) from None
        total += len(content)
        if total > limits.max_total_bytes:
            raise ValidationError.single(msg("The photos add up to more than %(mb)s MB.",
                                             mb=limits.max_total_bytes // (1024 * 1024)),
                                         value=zip_name)
        found.append((name, content))
    return found


def expand_uploads(files: Iterable[tuple[str, bytes]],
                   limits: UploadLimits) -> list[tuple[str, bytes]]:
    """Uploaded files as photos: ZIP archives opened, everything bounded."""
    photos_in: list[tuple[str, bytes]] = []
    total = 0
    for name, data in files:
        total += len(data)
        if total > limits.max_total_bytes:
            raise ValidationError.single(msg("The photos add up to more than %(mb)s MB.",
                                             mb=limits.max_total_bytes // (1024 * 1024)))
        if data[:4] == b"PK\x03\x04":
            photos_in += read_zip_photos(data, name, limits)
        else:
            photos_in.append((name, data))
    if not photos_in:
        raise ValidationError.single(msg("Choose one or more photos, or a ZIP of photos."))
    if len(photos_in) > limits.max_photos:
        raise ValidationError.single(msg("%(n)s photos were sent; at most %(max)s are read at "
                                         "once.", n=len(photos_in), max=limits.max_photos))
    return photos_in


# ---------------------------------------------------------------------------
# 1. Upload

def _batch_dir(upload_dir: str | Path, batch_id: int) -> Path:
    return Path(upload_dir) / "survey" / str(batch_id)


def create_batch(db: Database, actor: auth.User, county_id: int,
                 files: Iterable[tuple[str, bytes]], *, upload_dir: str | Path,
                 limits: UploadLimits) -> int:
    """Check every photo (ZIPs opened) and stage them as a new batch; returns its id.

    Any unreadable photo is listed and nothing is kept.
    """
    auth.require(actor, "inventory.submit")
    auth.check_county(actor, county_id)
    uploads = expand_uploads(files, limits)
    prepared, problems = [], []
    for number, (name, data) in enumerate(uploads, start=1):
        try:
            opened = images.open_photo(data, name, limits.max_photo_bytes)
        except ValidationError as error:
            problems += [Problem(p.reason, row=number, column=p.column, value=p.value)
                         for p in error.problems]
            continue
        prepared.append(photos.prepare_opened(opened, hashlib.sha256(data).hexdigest()))
    if problems:
        raise ValidationError(problems, summary=msg(
            "Some files are not readable photos; nothing was kept."))
    now = audit.now_iso()
    folder: Path | None = None
    try:
        with transaction(db):
            batch_id = insert_row(db, "survey_batches", {
                "county_id": county_id, "state": "reading", "photo_count": len(prepared),
                "read_count": 0, "created_by": actor.username, "created_at": now,
                "updated_at": now})
            folder = _batch_dir(upload_dir, batch_id)
            folder.mkdir(parents=True, exist_ok=True)
            for position, photo in enumerate(prepared, start=1):
                stem = uuid.uuid4().hex
                (folder / f"{stem}.jpg").write_bytes(photo.data)
                (folder / f"{stem}_thumb.jpg").write_bytes(photo.thumbnail)
                db.table("survey_photos").insert({
                    "batch_id": batch_id, "position": position,
                    "original_name": photo.original_name,
                    "file_name": f"survey/{batch_id}/{stem}.jpg",
                    "thumbnail": f"survey/{batch_id}/{stem}_thumb.jpg",
                    "width": photo.width, "height": photo.height, "bytes": len(photo.data),
                    "sha256": photo.sha256, "latitude": photo.latitude,
                    "longitude": photo.longitude, "taken_at": photo.taken_at})
            audit.record(db, actor, "survey.create", "survey_batch", batch_id, None,
                         {"county_id": county_id, "photos": [p.original_name for p in prepared]})
    except Exception:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return batch_id


# ---------------------------------------------------------------------------
# 2. OCR

def read_batch(db: Database, batch_id: int, settings: dict[str, Any] | None = None,
               progress: Progress | None = None) -> int:
    """OCR every photo of the batch not read yet; returns how many were read now.

    Idempotent (a photo read before is skipped, so an interrupted run resumes)
    and single-threaded; ``progress(done, total, message=None)`` is called
    after each photo. How it is scheduled is the caller's business.
    """
    from workbench.ocr import read_opened

    settings = settings or {}
    batch = _batch_row(db, batch_id)
    upload_dir = Path(settings.get("UPLOAD_DIR") or ".")
    rows = list(db.query("SELECT id, file_name, original_name, ocr_json FROM survey_photos "
                         "WHERE batch_id = ? ORDER BY position", [batch_id]))
    done = sum(1 for row in rows if row["ocr_json"] is not None)
    read_now = 0
    for row in rows:
        if row["ocr_json"] is not None:
            continue
        opened = images.open_photo((upload_dir / row["file_name"]).read_bytes(),
                                   row["original_name"], 1 << 30)
        result = read_opened(opened.image, settings)
        done += 1
        read_now += 1
        with transaction(db):
            db.table("survey_photos").update(row["id"], {"ocr_json": json.dumps(
                result.to_dict(), ensure_ascii=False)})
            db.table("survey_batches").update(batch_id, {"read_count": done,
                                                   "updated_at": audit.now_iso()})
        if progress is not None:
            progress(done, len(rows), msg("Read %(name)s", name=row["original_name"]))
    if batch["state"] == "reading":
        with transaction(db):
            db.table("survey_batches").update(batch_id, {"state": "review", "read_count": done,
                                                   "updated_at": audit.now_iso()})
    return read_now


def read_batch_job(db: Database, *, progress: Progress, settings: dict[str, Any],
                   batch_id: int) -> dict[str, Any]:
    """The ``survey.read`` job: OCR of a batch's photos (:func:`read_batch`)."""
    read_now = read_batch(db, batch_id, dict(settings), progress)
    return {"read": read_now, "batch_id": batch_id,
            "summary": nmsg("%(n)s photo read", "%(n)s photos read", read_now)}


# ---------------------------------------------------------------------------
# Reading batches

def _batch_row(db: Database, batch_id: int) -> dict[str, Any]:
    return row_or_not_found(db, "SELECT * FROM survey_batches WHERE id = ?", [batch_id],
                            msg("No such survey batch."))


def get_batch(db: Database, user: auth.User, batch_id: int) -> dict[str, Any]:
    """A batch the user may see, with its photos (OCR results parsed)."""
    batch = _batch_row(db, batch_id)
    auth.check_county(user, batch["county_id"])
    batch["photos"] = []
    for row in db.query("SELECT * FROM survey_photos WHERE batch_id = ? ORDER BY position",
                        [batch_id]):
        row["ocr"] = json.loads(row["ocr_json"]) if row["ocr_json"] else None
        batch["photos"].append(row)
    return batch


def list_batches(db: Database, user: auth.User, states: tuple[str, ...] = ("reading", "review")
                 ) -> list[dict[str, Any]]:
    """Open batches the user may see, newest first."""
    scope = auth.county_scope(user)
    marks = ",".join("?" * len(states))
    where, params = f"b.state IN ({marks})", list[Any](states)
    if scope is not None:
        where += " AND b.county_id = ?"
        params.append(scope)
    rows = list(db.query(f"""SELECT b.*, c.name_zh AS county_zh FROM survey_batches b
        JOIN counties c ON c.id = b.county_id WHERE {where} ORDER BY b.id DESC""", params))
    for row in rows:
        row["state_label"] = SURVEY_STATES.label(row["state"])
    return rows


def survey_photo_file(db: Database, user: auth.User, photo_id: int, upload_dir: str | Path,
                      thumbnail: bool = False) -> Path:
    """The staged file of a batch photo the user may see."""
    row = next(db.query("SELECT p.file_name, p.thumbnail, b.county_id FROM survey_photos p "
                        "JOIN survey_batches b ON b.id = p.batch_id WHERE p.id = ?",
                        [photo_id]), None)
    if row is None:
        raise NotFound(msg("No such photo."))
    auth.check_county(user, row["county_id"])
    path: Path = Path(upload_dir) / (row["thumbnail"] if thumbnail else row["file_name"])
    if not path.is_file():
        raise NotFound(msg("The photo file is missing."))
    return path


# ---------------------------------------------------------------------------
# 3. Proposals

EARTH_RADIUS_M = 6_371_000


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def cluster(points: list[tuple[float, float]], radius_m: float) -> list[int]:
    """A group number per point: points within ``radius_m`` of each other (directly or
    through a chain of such points) share a group. Groups are numbered in order of
    their first point."""
    parent = list(range(len(points)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            if distance_m(points[i], points[j]) <= radius_m:
                parent[find(j)] = find(i)
    numbers: dict[int, int] = {}
    return [numbers.setdefault(find(i), len(numbers)) for i in range(len(points))]


@dataclass
class ProposedSite:
    """A site the batch would create: its key (``new:1``…), centre and photos."""

    key: str
    latitude: float | None
    longitude: float | None
    photo_ids: list[int] = field(default_factory=list)


@dataclass
class ProposedSign:
    """One photo as a proposed sign: its texts, questions, and where it would go."""

    photo: dict[str, Any]
    zh: str
    foreign: dict[str, str]
    questions: list[dict[str, Any]]
    site: str  # "site:<id>" (an existing site) or "new:<n>" (a proposed one)
    function: str = "facility"
    distance_m: float | None = None


@dataclass
class Proposal:
    """What confirming the batch would create, before the officer's corrections."""

    signs: list[ProposedSign]
    new_sites: list[ProposedSite]
    sites: list[dict[str, Any]]  # the county's existing sites, for choosing


def _nearest_site(point: tuple[float, float], sites: list[dict[str, Any]],
                  radius_m: float) -> tuple[dict[str, Any] | None, float | None]:
    best, best_distance = None, None
    for site in sites:
        if site["latitude"] is None or site["longitude"] is None:
            continue
        distance = distance_m(point, (site["latitude"], site["longitude"]))
        if distance <= radius_m and (best_distance is None or distance < best_distance):
            best, best_distance = site, distance
    return best, best_distance


# Chinese sign operators (GB/T 30240.1) that tell a sign's kind; the officer confirms.
FUNCTION_MARKERS = (
    ("prohibition", ("禁止", "严禁", "请勿", "不准", "不得", "勿")),
    ("warning", ("当心", "小心", "注意", "危险", "警告")),
    ("instruction", ("请", "必须", "须")),
    ("notice", ("仅限", "温馨提示", "提示")),
)


def suggest_function(zh: str) -> str:
    """The sign function a Chinese text's operator suggests (禁止… prohibition,
    当心… warning, 请… instruction); ``facility`` otherwise."""
    for function, markers in FUNCTION_MARKERS:
        if any(marker in zh for marker in markers):
            return function
    return "facility"


def _stored_question(data: dict[str, Any]) -> dict[str, Any]:
    """A question kept in an OCR result, its message and answers as messages again."""
    return {"kind": data.get("kind"), "field": data.get("field"),
            "message": from_data(data.get("message")),
            "options": [{"value": o.get("value", ""), "label": from_data(o.get("label"))}
                        for o in data.get("options", [])]}


def propose(db: Database, user: auth.User, batch_id: int, radius_m: float) -> Proposal:
    """Each photo as a proposed sign, placed at the nearest site within ``radius_m``
    or in a proposed new site (photos near each other share one; photos without a
    position share one of their own)."""
    batch = get_batch(db, user, batch_id)
    sites = records.list_sites(db, user, county_id=batch["county_id"], with_counts=False)
    signs: list[ProposedSign] = []
    unplaced: list[ProposedSign] = []
    for photo in batch["photos"]:
        ocr = photo["ocr"] or {}
        zh = ocr.get("zh", "")
        sign = ProposedSign(photo, zh, dict(ocr.get("foreign", {})),
                            [_stored_question(q) for q in ocr.get("questions", [])], "",
                            suggest_function(zh))
        if photo["latitude"] is not None:
            nearest, distance = _nearest_site((photo["latitude"], photo["longitude"]), sites,
                                              radius_m)
            if nearest is not None:
                sign.site, sign.distance_m = f"site:{nearest['id']}", round(distance or 0, 1)
        if not sign.site:
            unplaced.append(sign)
        signs.append(sign)
    located = [s for s in unplaced if s.photo["latitude"] is not None]
    groups = cluster([(s.photo["latitude"], s.photo["longitude"]) for s in located], radius_m)
    new_sites: dict[int, ProposedSite] = {}
    for sign, group in zip(located, groups, strict=True):
        site = new_sites.setdefault(group, ProposedSite(f"new:{group + 1}", None, None))
        site.photo_ids.append(sign.photo["id"])
        sign.site = site.key
    for site in new_sites.values():
        points = [(s.photo["latitude"], s.photo["longitude"]) for s in located
                  if s.site == site.key]
        site.latitude = round(sum(p[0] for p in points) / len(points), 7)
        site.longitude = round(sum(p[1] for p in points) / len(points), 7)
    without = [s for s in unplaced if s.photo["latitude"] is None]
    proposed = list(new_sites.values())
    if without:
        extra = ProposedSite(f"new:{len(proposed) + 1}", None, None,
                             [s.photo["id"] for s in without])
        for sign in without:
            sign.site = extra.key
        proposed.append(extra)
    return Proposal(signs, proposed, sites)


# ---------------------------------------------------------------------------
# 4. Confirmation

@dataclass
class ConfirmedSign:
    """A sign the officer keeps: its photos (merged photos of one sign), its fields
    (as :func:`records.validate_sign` takes them) and its site (``site:<id>`` or a
    key of ``new_sites``)."""

    photo_ids: list[int]
    values: dict[str, Any]
    site: str


def _check_sites(db: Database, actor: auth.User, batch: dict[str, Any],
                 signs: list[ConfirmedSign], new_sites: dict[str, dict[str, Any]],
                 problems: list[Problem]) -> None:
    for key, site in new_sites.items():
        if not any(s.site == key for s in signs):
            continue
        if not (site.get("name_zh") or "").strip():
            problems.append(Problem(msg("The new site needs a Chinese name."),
                                    column=f"{key} name_zh"))
        if not records.parse_choice(site.get("sector"), records.SECTOR_ALIASES):
            problems.append(Problem(msg("Choose the new site's sector."),
                                    column=f"{key} sector", value=site.get("sector")))
    for number, sign in enumerate(signs, start=1):
        if sign.site.startswith("site:") and sign.site[5:].isdigit():
            row = next(db.query("SELECT county_id FROM sites WHERE id = ?",
                                [int(sign.site[5:])]), None)
            if row is None or row["county_id"] != batch["county_id"]:
                problems.append(Problem(msg("Choose a site of the batch's county."),
                                        row=number, column="site"))
        elif sign.site not in new_sites:
            problems.append(Problem(msg("Choose a site."), row=number, column="site",
                                    value=sign.site))


def _check_signs(batch: dict[str, Any], signs: list[ConfirmedSign],
                 problems: list[Problem]) -> None:
    photo_ids = {p["id"] for p in batch["photos"]}
    used: set[int] = set()
    for number, sign in enumerate(signs, start=1):
        try:
            records.validate_sign(sign.values)
        except ValidationError as error:
            problems += [Problem(p.reason, row=number, column=p.column, value=p.value)
                         for p in error.problems]
        for photo_id in sign.photo_ids:
            if photo_id not in photo_ids or photo_id in used:
                problems.append(Problem(msg("A photo can belong to one sign of this batch "
                                            "only."), row=number, column="photo",
                                        value=photo_id))
            used.add(photo_id)


def confirm_batch(db: Database, actor: auth.User, batch_id: int, signs: list[ConfirmedSign],
                  new_sites: dict[str, dict[str, Any]], *, upload_dir: str | Path) -> list[int]:
    """Create the new sites, the signs and their photos (with what OCR read), in one
    transaction with the audit events, or nothing; returns the new signs' ids."""
    auth.require(actor, "inventory.submit")
    batch = get_batch(db, actor, batch_id)
    if batch["state"] != "review":
        raise ValidationError.single(msg("This batch is not waiting for review."))
    problems: list[Problem] = []
    if not signs:
        problems.append(Problem(msg("Keep at least one photo, or discard the batch.")))
    _check_sites(db, actor, batch, signs, new_sites, problems)
    _check_signs(batch, signs, problems)
    if problems:
        raise ValidationError(problems)
    by_id = {p["id"]: p for p in batch["photos"]}
    written: list[Path] = []
    try:
        with transaction(db):
            site_ids = {key: records.save_site(db, actor, {
                "county_id": batch["county_id"], "name_zh": site["name_zh"],
                "sector": site["sector"], "address": site.get("address", ""),
                "latitude": site.get("latitude"), "longitude": site.get("longitude")})
                for key, site in new_sites.items() if any(s.site == key for s in signs)}
            sign_ids = []
            for sign in signs:
                site_id = site_ids[sign.site] if sign.site in site_ids else int(sign.site[5:])
                sign_id = records.create_sign(db, actor, site_id, sign.values)
                for photo_id in sign.photo_ids:
                    written += _attach(db, actor, sign_id, by_id[photo_id], upload_dir)
                sign_ids.append(sign_id)
            db.table("survey_batches").update(batch_id, {"state": "confirmed",
                                                   "updated_at": audit.now_iso()})
            audit.record(db, actor, "survey.confirm", "survey_batch", batch_id,
                         {"state": "review"}, {"state": "confirmed", "signs": sign_ids,
                                               "sites_created": sorted(site_ids.values())})
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    shutil.rmtree(_batch_dir(upload_dir, batch_id), ignore_errors=True)
    return sign_ids


def _attach(db: Database, actor: auth.User, sign_id: int, photo: dict[str, Any],
            upload_dir: str | Path) -> list[Path]:
    base = Path(upload_dir)
    prepared = photos.PreparedPhoto(
        (base / photo["file_name"]).read_bytes(), (base / photo["thumbnail"]).read_bytes(),
        photo["width"], photo["height"], photo["sha256"], photo["original_name"],
        photo["latitude"], photo["longitude"], photo["taken_at"])
    photo_id = photos.store_prepared(db, actor, sign_id, prepared, upload_dir, photo["ocr"])
    row = db.table("sign_photos").get(photo_id)
    audit.record(db, actor, "sign.photo_add", "sign", sign_id, None,
                 {"photo_id": photo_id, "original_name": photo["original_name"],
                  "sha256": photo["sha256"], "gps": [photo["latitude"], photo["longitude"]],
                  "survey_photo": photo["id"]})
    return [base / row["file_name"], base / row["thumbnail"]]


def discard_batch(db: Database, actor: auth.User, batch_id: int,
                  upload_dir: str | Path) -> None:
    """Drop a batch that is not confirmed, and its staged photos (audited)."""
    auth.require(actor, "inventory.submit")
    batch = _batch_row(db, batch_id)
    auth.check_county(actor, batch["county_id"])
    if batch["state"] == "confirmed":
        raise ValidationError.single(msg("A confirmed batch cannot be discarded."))
    with transaction(db):
        db.table("survey_batches").update(batch_id, {"state": "discarded",
                                               "updated_at": audit.now_iso()})
        db.execute("DELETE FROM survey_photos WHERE batch_id = ?", [batch_id])
        audit.record(db, actor, "survey.discard", "survey_batch", batch_id,
                     {"state": batch["state"]}, {"state": "discarded"})
    shutil.rmtree(_batch_dir(upload_dir, batch_id), ignore_errors=True)


def summary(proposal: Proposal) -> Any:
    """A one-line summary of a proposal (signs, existing sites, new sites)."""
    placed = sum(1 for s in proposal.signs if s.site.startswith("site:"))
    return nmsg("%(n)s photo: %(placed)s at a known site, %(new)s new sites proposed.",
                "%(n)s photos: %(placed)s at known sites, %(new)s new sites proposed.",
                len(proposal.signs), placed=placed, new=len(proposal.new_sites))
