"""The plan phase of an inventory import: what changes, worked out before any lock is taken.

Given the checked rows, :func:`make_plan` reads what exists (sites, signs matched
by code or by site + location + Chinese text within their county, installed
texts, photos), decides what each row does (create, update, leave alone),
prepares photos and runs the QA checks on the installed texts — all outside
any write transaction. It also keeps a :class:`Snapshot` of what it relied on,
which the write phase compares inside its short transaction: if another writer
changed those sites or signs meanwhile, the plan is stale and is made again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from workbench import auth
from workbench.errors import Problem, ValidationError
from workbench.files.zipfiles import BoundedZip
from workbench.inventory import photos as photo_store
from workbench.inventory import records
from workbench.inventory.columns import HeaderMap
from workbench.inventory.rows import CheckedRows, PlannedRow, SiteRequest, photo_key
from workbench.messages import msg
from workbench.rowtypes import SignFinding
from workbench.vocabulary import SIGN_STATUSES

# Existing sites by (county id, Chinese name).
SitesByName = dict[tuple[int, str], dict[str, Any]]

CHUNK = 900  # SQLite host parameters per IN (…) list


def _chunked(db: Database, sql: str, values: list[Any],
             before: list[Any] | None = None) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(values), CHUNK):
        chunk = values[start:start + CHUNK]
        found += db.execute(sql.format(marks=",".join("?" * len(chunk))),
                            [*(before or []), *chunk]).fetchall()
    return found


@dataclass
class Snapshot:
    """What the plan read and relied on, to be found unchanged inside the write transaction.

    Only what this file touches counts — the sites it names, the signs it
    matched, the signs at its sites, the codes it found free, the photos of its
    signs — so that other people's work elsewhere in the county never makes an
    import plan again.
    """

    sites: dict[tuple[int, str], tuple[int, str] | None] = field(default_factory=dict)
    signs: dict[int, str] = field(default_factory=dict)  # matched sign id → updated_at
    last_sign_at_sites: int | None = None
    free_codes: dict[int, list[str]] = field(default_factory=dict)
    last_photo: int | None = None

    def still_holds(self, db: Database) -> bool:
        """Whether the database still shows what the plan saw (run inside the transaction)."""
        by_county: dict[int, list[str]] = {}
        for county_id, name in self.sites:
            by_county.setdefault(county_id, []).append(name)
        now_sites: dict[tuple[int, str], tuple[int, str] | None] = dict.fromkeys(self.sites)
        for county_id, names in by_county.items():
            for site_id, name, updated in _chunked(
                    db, "SELECT id, name_zh, updated_at FROM sites WHERE county_id = ? AND "
                    "name_zh IN ({marks})", names, [county_id]):
                now_sites[(county_id, name)] = (site_id, updated)
        if now_sites != self.sites:
            return False
        now_signs = dict(_chunked(db, "SELECT id, updated_at FROM signs WHERE id IN ({marks})",
                                  list(self.signs)))
        return (now_signs == self.signs
                and self._last_sign_at_sites(db) == self.last_sign_at_sites
                and not any(_chunked(db, "SELECT 1 FROM signs WHERE county_id = ? AND "
                                     "sign_code IN ({marks})", codes, [county_id])
                            for county_id, codes in self.free_codes.items())
                and (self.last_photo is None or self._last_photo(db) == self.last_photo))

    def _site_ids(self) -> list[int]:
        return [seen[0] for seen in self.sites.values() if seen]

    def _last_sign_at_sites(self, db: Database) -> int | None:
        found = [row[0] for row in _chunked(db, "SELECT max(id) FROM signs WHERE site_id IN "
                                            "({marks})", self._site_ids()) if row[0]]
        return max(found, default=None)

    def _last_photo(self, db: Database) -> int | None:
        found = [row[0] for row in _chunked(db, "SELECT max(id) FROM sign_photos WHERE "
                                            "sign_id IN ({marks})", list(self.signs)) if row[0]]
        return max(found, default=0)


@dataclass
class SignUpdate:
    """An existing sign the import changes."""

    planned: PlannedRow
    change: dict[str, Any]
    texts_changed: bool
    new_photo: bool


@dataclass
class ImportPlan:
    """Everything the write phase needs, and the numbers the report shows."""

    snapshot: Snapshot
    counties: set[int]
    rows: int
    sites_to_create: list[tuple[tuple[int, str], SiteRequest]] = field(default_factory=list)
    sites_to_update: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    site_ids: dict[tuple[int, str], int] = field(default_factory=dict)
    sectors: dict[tuple[int, str], str] = field(default_factory=dict)
    creates: list[PlannedRow] = field(default_factory=list)
    updates: list[SignUpdate] = field(default_factory=list)
    unchanged: int = 0
    photos: dict[int, photo_store.PreparedPhoto] = field(default_factory=dict)
    findings: dict[int, list[SignFinding]] = field(default_factory=dict)  # row → findings
    used_codes: dict[int, set[str]] = field(default_factory=dict)  # county → codes in file

    @property
    def changes_anything(self) -> bool:
        """Whether writing would change the database at all."""
        return bool(self.creates or self.updates or self.sites_to_create
                    or self.sites_to_update)


def _in_chunks(db: Database, sql: str, values: list[Any],
               before: list[Any] | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for start in range(0, len(values), CHUNK):
        chunk = values[start:start + CHUNK]
        found += db.query(sql.format(marks=",".join("?" * len(chunk))),
                          [*(before or []), *chunk])
    return found


def _existing_sites(db: Database, checked: CheckedRows) -> SitesByName:
    found = {}
    for county_id in checked.counties:
        names = [name for (county, name) in checked.sites if county == county_id]
        for row in _in_chunks(db, "SELECT id, county_id, name_zh, sector, address, latitude, "
                              "longitude, updated_at FROM sites WHERE county_id = ? AND "
                              "name_zh IN ({marks})", names, [county_id]):
            found[(row["county_id"], row["name_zh"])] = row
    return found


def _match_signs(db: Database, checked: CheckedRows, sites: SitesByName,
                 snapshot: Snapshot) -> list[Problem]:
    """Attach each row's existing sign: by code within its county, else by its natural key."""
    by_code: dict[tuple[int, str], dict[str, Any]] = {}
    for county_id in checked.counties:
        codes = [p.code for p in checked.planned if p.code and p.county_id == county_id]
        for row in _in_chunks(db, "SELECT * FROM signs WHERE county_id = ? AND sign_code IN "
                              "({marks})", codes, [county_id]):
            by_code[(county_id, row["sign_code"])] = row
        snapshot.free_codes[county_id] = [code for code in codes
                                          if (county_id, code) not in by_code]
    by_key: dict[tuple[int, str, str, str], dict[str, Any]] = {}
    names = {site["id"]: key[1] for key, site in sites.items()}
    for row in _in_chunks(db, "SELECT * FROM signs WHERE site_id IN ({marks})", list(names)):
        by_key.setdefault((row["county_id"], names[row["site_id"]], row["location"],
                           row["zh"]), row)
        snapshot.last_sign_at_sites = max(snapshot.last_sign_at_sites or 0, row["id"])
    problems = []
    matched: dict[int, int] = {}
    for planned in checked.planned:
        found = by_code.get((planned.county_id, planned.code)) if planned.code else \
            by_key.get((planned.county_id, planned.site, planned.sign["location"],
                        planned.sign["zh"]))
        if found is None:
            continue
        if found["id"] in matched:
            problems.append(Problem(msg("Row %(other)s updates the same sign.",
                                        other=matched[found["id"]]), row=planned.row,
                                    column=None, value=planned.code or planned.sign["zh"]))
            continue
        matched[found["id"]] = planned.row
        planned.existing = found
        snapshot.signs[found["id"]] = found["updated_at"]
    return problems


def _site_changes(plan: ImportPlan, checked: CheckedRows,
                  sites: SitesByName, used: set[tuple[int, str]]) -> None:
    for key, request in checked.sites.items():
        plan.sectors[key] = request.sector
        known = sites.get(key)
        if known is None:
            if key in used:
                plan.sites_to_create.append((key, request))
            continue
        plan.site_ids[key] = known["id"]
        change: dict[str, Any] = {}
        if known["sector"] != request.sector:
            change["sector"] = request.sector
        if request.address and known["address"] != request.address:
            change["address"] = request.address
        if known["latitude"] is None and request.latitude is not None:
            change.update(latitude=request.latitude, longitude=request.longitude)
        if change:
            plan.sites_to_update.append((known["id"], change))


def _prepare_photos(planned: list[PlannedRow], archive: BoundedZip | None,
                    max_photo_bytes: int, problems: list[Problem],
                    photo_label: str) -> dict[int, photo_store.PreparedPhoto]:
    """Every named photo read from the ZIP (its real size checked) and re-encoded."""
    prepared: dict[int, photo_store.PreparedPhoto] = {}
    if archive is None:
        return prepared
    index = photo_index(archive)
    for row in planned:
        if not row.photo:
            continue
        member = index.get(row.photo.lower()) or index[photo_key(row.photo)]
        try:
            data = archive.read(member, max_photo_bytes)
            prepared[row.row] = photo_store.prepare_photo(data, row.photo, max_photo_bytes,
                                                          archive.limits.photo_max_pixels)
        except ValidationError as error:
            problems.extend(Problem(p.reason, row=row.row, column=photo_label, value=row.photo)
                            for p in error.problems)
    return prepared


def photo_index(archive: BoundedZip) -> dict[str, str]:
    """Lower-case member path and file name → member (macOS resource forks left out)."""
    index = {}
    for member in archive.infolist():
        if member.is_dir or member.name.startswith("__MACOSX/"):
            continue
        index[photo_key(member.name)] = member.name
        index[member.name.lower()] = member.name
    return index


def make_plan(db: Database, actor: auth.User, checked: CheckedRows, header: HeaderMap, *,
              archive: BoundedZip | None, max_photo_bytes: int,
              run_checks: bool) -> tuple[ImportPlan, list[Problem]]:
    """The plan of a checked file, and the problems only the database can reveal."""
    plan = ImportPlan(Snapshot(), set(checked.counties), checked.rows)
    sites = _existing_sites(db, checked)
    plan.snapshot.sites = {key: (sites[key]["id"], sites[key]["updated_at"]) if key in sites
                           else None for key in checked.sites}
    problems = _match_signs(db, checked, sites, plan.snapshot)
    photos = _prepare_photos(checked.planned, archive, max_photo_bytes, problems,
                             header.label("photo"))
    existing_ids = [p.existing["id"] for p in checked.planned if p.existing]
    texts: dict[int, dict[str, str]] = {}
    for row in _in_chunks(db, "SELECT sign_id, lang, text FROM sign_current_texts WHERE "
                          "sign_id IN ({marks})", existing_ids):
        texts.setdefault(row["sign_id"], {})[row["lang"]] = row["text"]
    shas: dict[int, set[str]] = {}
    if photos:
        plan.snapshot.last_photo = 0
        for row in _in_chunks(db, "SELECT id, sign_id, sha256 FROM sign_photos WHERE sign_id IN "
                              "({marks})", existing_ids):
            shas.setdefault(row["sign_id"], set()).add(row["sha256"])
            plan.snapshot.last_photo = max(plan.snapshot.last_photo, row["id"])
    for planned in checked.planned:
        if planned.code:
            plan.used_codes.setdefault(planned.county_id, set()).add(planned.code)
        if planned.existing is None:
            plan.creates.append(planned)
            if planned.row in photos:
                plan.photos[planned.row] = photos[planned.row]
            continue
        found = planned.existing
        change = {k: v for k, v in planned.sign.items() if found.get(k) != v}
        if sites.get((planned.county_id, planned.site), {}).get("id") != found["site_id"]:
            change["site_id"] = None  # resolved when the site exists
        texts_changed = texts.get(found["id"], {}) != planned.texts
        photo = photos.get(planned.row)
        new_photo = photo is not None and photo.sha256 not in shas.get(found["id"], set())
        if not (change or texts_changed or new_photo):
            plan.unchanged += 1
            continue
        touched = set(change) | ({"current_texts"} if texts_changed else set())
        # The one edit rule (records.editable_fields): an officer may still correct the
        # Chinese text, location and quantity of a sign whose wording is being translated.
        if touched - records.editable_fields(actor, found):
            problems.append(Problem(msg(
                "Sign %(code)s has status %(status)s; your role can no longer change it by "
                "import.", code=found["sign_code"],
                status=SIGN_STATUSES.label(found["status"])),
                row=planned.row, column=header.label("sign_code") if planned.code else None,
                value=found["sign_code"]))
            continue
        if new_photo:
            plan.photos[planned.row] = photo  # type: ignore[assignment]
        plan.updates.append(SignUpdate(planned, change, texts_changed, new_photo))
    used = {(p.county_id, p.site) for p in plan.creates} | \
        {(u.planned.county_id, u.planned.site) for u in plan.updates}
    _site_changes(plan, checked, sites, used)
    if run_checks and not problems:
        plan.findings = _findings(db, plan)
    return plan, problems


def _findings(db: Database, plan: ImportPlan) -> dict[int, list[SignFinding]]:
    """QA findings on the installed texts of every sign the import writes, by row."""
    cache: dict[tuple[str, str, str, str], list[SignFinding]] = {}
    found = {}
    for planned in plan.creates + [u.planned for u in plan.updates]:
        sign = planned.sign
        found[planned.row] = records.installed_text_findings(
            db, sign["zh"], sign["function"], sign["action"], sign["languages"],
            planned.texts, cache)
    return found
