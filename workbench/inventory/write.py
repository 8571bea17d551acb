"""The write phase of an inventory import: one short transaction, checked against the plan.

Everything slow happened before (reading, checking, matching, photos, QA): here
rows are only inserted and updated, mostly with ``executemany``, so that the
write lock is held briefly even for 100,000 signs and other people's saves are
not kept waiting past the busy timeout. The transaction first compares the
counties' :class:`~workbench.inventory.plan.Snapshot` with the one the plan was
made from; if another writer changed them meanwhile it raises
:class:`StalePlan` and writes nothing (the importer then plans again).

Audit: one ``inventory.import`` event per county, listing only that county's
sites and signs, so that an officer reading a sign's history never sees
another county's record ids.
"""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.inventory import photos as photo_store
from workbench.inventory import records
from workbench.inventory.plan import ImportPlan, Snapshot
from workbench.review import units as unit_store

BULK_CACHE_KIB = 128 * 1024
SIGN_COLUMNS = ("id", "site_id", "county_id", "sign_code", "location", "function", "zh",
                "languages", "quantity", "size", "material", "action", "latitude", "longitude",
                "finding_count", "import_id", "created_by", "created_at", "updated_at")


class StalePlan(Exception):
    """Another writer changed what the plan was made from; nothing was written."""


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


def write_plan(db: Database, actor: auth.User, plan: ImportPlan, file_name: str, *,
               upload_dir: str | Path | None, run_checks: bool,
               also: Callable[[Database, int], None] | None = None) -> dict[str, Any]:
    """Write a plan in one transaction; what was written (ids by kind).

    ``also(db, import_id)`` runs inside the same transaction (e.g. to remove the
    pending import that was confirmed). Raises :class:`StalePlan` when the
    counties changed since the plan was made.
    """
    now = audit.now_iso()
    try:
        with _bulk_cache(db), transaction(db):
            if Snapshot.take(db, plan.counties, bool(plan.photos)) != plan.snapshot:
                raise StalePlan
            written = _write(db, actor, plan, file_name, now, upload_dir, run_checks)
            if also is not None:
                also(db, written["import_id"])
    except sqlite3.IntegrityError as error:
        # A unique key taken between the snapshot and now: the plan is stale.
        raise StalePlan from error
    return written


def _write(db: Database, actor: auth.User, plan: ImportPlan, file_name: str, now: str,
           upload_dir: str | Path | None, run_checks: bool) -> dict[str, Any]:
    single = next(iter(plan.counties)) if len(plan.counties) == 1 else None
    import_id = db.conn.execute(
        "INSERT INTO inventory_imports (county_id, file_name, rows, sites_created, "
        "signs_created, signs_updated, photos, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [single, Path(file_name).name, plan.rows, len(plan.sites_to_create),
         len(plan.creates), len(plan.updates), len(plan.photos), actor.username, now]
    ).lastrowid
    site_ids = _write_sites(db, actor, plan, now)
    created = _insert_signs(db, actor, plan, site_ids, import_id, now, run_checks)
    updated = _update_signs(db, plan, site_ids, import_id, now, run_checks)
    _link_units(db, actor, plan, created, updated, run_checks)
    changed = [*created.values(), *updated.values()]
    for row, photo in plan.photos.items():
        sign_id = created.get(row) or updated.get(row)
        photo_store.store_prepared(db, actor, sign_id, photo, upload_dir)  # type: ignore[arg-type]
    # Signs whose wording was already drafted or approved take the status their
    # shared units imply (listed in the events).
    status_changes = unit_store.refresh_statuses_bulk(db, changed)
    _audit(db, actor, plan, file_name, import_id, site_ids, created, updated, status_changes)
    return {"import_id": import_id, "created": created, "updated": updated,
            "findings": sum(len(found) for found in plan.findings.values())}


def _write_sites(db: Database, actor: auth.User, plan: ImportPlan,
                 now: str) -> dict[tuple[int, str], int]:
    site_ids = dict(plan.site_ids)
    for (county_id, name), request in plan.sites_to_create:
        site_ids[(county_id, name)] = db.conn.execute(
            "INSERT INTO sites (county_id, name_zh, sector, address, latitude, longitude, "
            "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [county_id, name, request.sector, request.address, request.latitude,
             request.longitude, actor.username, now, now]).lastrowid
    for site_id, change in plan.sites_to_update:
        sets = ", ".join(f"{column} = ?" for column in change)
        db.execute(f"UPDATE sites SET {sets}, updated_at = ? WHERE id = ?",
                   [*change.values(), now, site_id])
    return site_ids


def _fresh_codes(db: Database, plan: ImportPlan) -> dict[int, Iterator[str]]:
    """Generated codes per county for new signs without one, skipping codes the file uses."""
    need: dict[int, int] = {}
    for planned in plan.creates:
        if not planned.code:
            need[planned.county_id] = need.get(planned.county_id, 0) + 1
    fresh = {}
    for county_id, count in need.items():
        county = next(db.query("SELECT * FROM counties WHERE id = ?", [county_id]))
        used = plan.used_codes.get(county_id, set())
        candidates = records.next_sign_numbers(db, records.county_prefix(county),
                                               count + len(used), county_id)
        fresh[county_id] = iter([code for code in candidates if code not in used])
    return fresh


def _insert_signs(db: Database, actor: auth.User, plan: ImportPlan,
                  site_ids: dict[tuple[int, str], int], import_id: int, now: str,
                  run_checks: bool) -> dict[int, int]:
    """New signs, their installed texts, findings and search entries; row → sign id."""
    fresh = _fresh_codes(db, plan)
    next_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM signs").fetchone()[0]
    created: dict[int, int] = {}
    sign_rows, text_rows, finding_rows, search_rows = [], [], [], []
    for offset, planned in enumerate(plan.creates):
        sign_id = next_id + offset
        created[planned.row] = sign_id
        sign = planned.sign
        code = planned.code or next(fresh[planned.county_id])
        found = plan.findings.get(planned.row, [])
        sign_rows.append((sign_id, site_ids[(planned.county_id, planned.site)],
                          planned.county_id, code, sign["location"], sign["function"],
                          sign["zh"], sign["languages"], sign["quantity"], sign["size"],
                          sign["material"], sign["action"], sign["latitude"],
                          sign["longitude"], len(found), import_id, actor.username, now, now))
        text_rows += [(sign_id, lang, text) for lang, text in planned.texts.items()]
        finding_rows += records.finding_rows(sign_id, found)
        search_rows.append((sign_id, records.search_body(code, sign["zh"], sign["location"],
                                                         planned.texts.values())))
    db.conn.executemany(f"INSERT INTO signs ({', '.join(SIGN_COLUMNS)}) VALUES "
                        f"({', '.join('?' * len(SIGN_COLUMNS))})", sign_rows)
    db.conn.executemany("INSERT INTO sign_current_texts (sign_id, lang, text) VALUES (?, ?, ?)",
                        text_rows)
    if run_checks:
        records.store_findings(db, [], finding_rows, [])
    db.conn.executemany("INSERT INTO signs_fts (rowid, body) VALUES (?, ?)", search_rows)
    return created


def _update_signs(db: Database, plan: ImportPlan, site_ids: dict[tuple[int, str], int],
                  import_id: int, now: str, run_checks: bool) -> dict[int, int]:
    """Changed signs: fields, installed texts, findings, search entries; row → sign id."""
    updated: dict[int, int] = {}
    text_rows, finding_rows, counts = [], [], []
    for update in plan.updates:
        planned = update.planned
        sign_id = planned.existing["id"]  # type: ignore[index]
        updated[planned.row] = sign_id
        change = dict(update.change)
        if "site_id" in change:
            change["site_id"] = site_ids[(planned.county_id, planned.site)]
        change.update(updated_at=now, import_id=import_id)
        sets = ", ".join(f"{column} = ?" for column in change)
        db.execute(f"UPDATE signs SET {sets} WHERE id = ?", [*change.values(), sign_id])
        if update.texts_changed:
            db.execute("DELETE FROM sign_current_texts WHERE sign_id = ?", [sign_id])
            text_rows += [(sign_id, lang, text) for lang, text in planned.texts.items()]
        found = plan.findings.get(planned.row, [])
        finding_rows += records.finding_rows(sign_id, found)
        counts.append((len(found), sign_id))
    db.conn.executemany("INSERT INTO sign_current_texts (sign_id, lang, text) VALUES (?, ?, ?)",
                        text_rows)
    if run_checks:
        records.store_findings(db, list(updated.values()), finding_rows, counts)
    records.reindex(db, list(updated.values()))
    return updated


def _link_units(db: Database, actor: auth.User, plan: ImportPlan, created: dict[int, int],
                updated: dict[int, int], run_checks: bool) -> None:
    """Shared translation units for every written sign (a kept, clean text starts a unit)."""
    def request(planned: Any, sign_id: int, opt_out: str | None) -> Any:
        sign = planned.sign
        flagged = {f["lang"] for f in plan.findings.get(planned.row, [])
                   if f["severity"] == "error"}
        prefill = {lang: text for lang, text in planned.texts.items()
                   if sign["action"] == "keep" and run_checks and lang not in flagged}
        return unit_store.SignUnitRequest(
            sign_id, sign["zh"], sign["languages"].split(";"), sign["function"],
            plan.sectors[(planned.county_id, planned.site)], opt_out, prefill)

    new = [request(p, created[p.row], None) for p in plan.creates]
    unit_store.link_units_bulk(db, new, actor.username, new_signs=True)
    if plan.updates:
        ids = list(updated.values())
        opted_out = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            opted_out.update(db.execute(
                f"SELECT id, opt_out_reason FROM signs WHERE opt_out_reason IS NOT NULL AND "
                f"id IN ({','.join('?' * len(chunk))})", chunk).fetchall())
        changed = [request(u.planned, updated[u.planned.row],
                           opted_out.get(updated[u.planned.row])) for u in plan.updates]
        unit_store.link_units_bulk(db, changed, actor.username)


def _audit(db: Database, actor: auth.User, plan: ImportPlan, file_name: str, import_id: int,
           site_ids: dict[tuple[int, str], int], created: dict[int, int],
           updated: dict[int, int], status_changes: dict[str, list[int]]) -> None:
    """One event per county: each lists only its own county's records."""
    county_of_row = {p.row: p.county_id for p in plan.creates}
    county_of_row.update({u.planned.row: u.planned.county_id for u in plan.updates})
    county_of_sign = {sign_id: county_of_row[row] for row, sign_id in
                      [*created.items(), *updated.items()]}
    site_county = {site_id: key[0] for key, site_id in site_ids.items()}
    for county_id in sorted(plan.counties):
        def mine(ids: Any) -> list[int]:
            return [i for i in ids if county_of_sign.get(i) == county_id]

        audit.record(db, actor, "inventory.import", "inventory_import", import_id, None, {
            "file": Path(file_name).name, "county_id": county_id,
            "rows": sum(1 for c in county_of_row.values() if c == county_id),
            "sites_created": [site_ids[key] for key, _r in plan.sites_to_create
                              if key[0] == county_id],
            "sites_updated": [site_id for site_id, _c in plan.sites_to_update
                              if site_county.get(site_id) == county_id],
            "signs_created": mine(created.values()), "signs_updated": mine(updated.values()),
            "status_changes": {status: mine(ids) for status, ids in status_changes.items()
                               if mine(ids)},
            "photos": sum(1 for row in plan.photos if county_of_row.get(row) == county_id),
            "findings": sum(len(plan.findings.get(row, [])) for row, county in
                            county_of_row.items() if county == county_id)})
