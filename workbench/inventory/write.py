"""The write phase of an inventory import: one short transaction, checked against the plan.

Everything slow happened before (reading, checking, matching, photos, QA): here
rows are only inserted and updated, mostly with ``executemany``, so that the
write lock is held briefly even for 100,000 signs and other people's saves are
not kept waiting past the busy timeout. The transaction first compares the
plan's :class:`~workbench.inventory.plan.Snapshot` with the database: if
another writer changed what the plan relied on meanwhile, it raises
:class:`StalePlan` and writes nothing (the importer then plans again).

Audit: one ``inventory.import`` event per county, listing only that county's
sites and signs, so that an officer reading a sign's history never sees
another county's record ids.
"""
from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.inventory import photos as photo_store
from workbench.inventory import records
from workbench.inventory.plan import ImportPlan
from workbench.review import units as unit_store

BULK_CACHE_KIB = 128 * 1024
SIGN_COLUMNS = ("id", "site_id", "county_id", "sign_code", "location", "function", "zh",
                "languages", "quantity", "size", "material", "action", "latitude", "longitude",
                "status", "finding_count", "import_id", "created_by", "created_at",
                "updated_at")


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
    units = _unit_wishes(plan, run_checks)  # Python work done before the lock is taken
    started = time.perf_counter()
    try:
        with _bulk_cache(db), transaction(db):
            if not plan.snapshot.still_holds(db):
                raise StalePlan
            written = _write(db, actor, plan, units, file_name, now, upload_dir, run_checks)
            if also is not None:
                also(db, written["import_id"])
    except sqlite3.IntegrityError as error:
        # A unique key taken between the snapshot and now: the plan is stale.
        raise StalePlan from error
    written["lock_seconds"] = time.perf_counter() - started
    return written


def _write(db: Database, actor: auth.User, plan: ImportPlan, units: dict[int, UnitWish],
           file_name: str, now: str, upload_dir: str | Path | None,
           run_checks: bool) -> dict[str, Any]:
    single = next(iter(plan.counties)) if len(plan.counties) == 1 else None
    import_id = db.conn.execute(
        "INSERT INTO inventory_imports (county_id, file_name, rows, sites_created, "
        "signs_created, signs_updated, photos, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [single, Path(file_name).name, plan.rows, len(plan.sites_to_create),
         len(plan.creates), len(plan.updates), len(plan.photos), actor.username, now]
    ).lastrowid or 0
    site_ids = _write_sites(db, actor, plan, now)
    statuses = _initial_statuses(db, plan, units)
    created = _insert_signs(db, actor, plan, site_ids, statuses, import_id, now, run_checks)
    updated = _update_signs(db, plan, site_ids, import_id, now, run_checks)
    unit_store.link_units_bulk(db, [units[row].request(sign_id, None)
                                    for row, sign_id in created.items()],
                               actor.username, new_signs=True)
    status_changes: dict[str, list[int]] = {}
    for row, sign_id in created.items():
        if statuses[row] != "submitted":
            status_changes.setdefault(statuses[row], []).append(sign_id)
    if updated:
        _link_updated_units(db, actor, units, updated)
        # Updated signs may have moved to units already drafted or approved.
        for status, ids in unit_store.refresh_statuses_bulk(db, list(updated.values())).items():
            status_changes.setdefault(status, []).extend(ids)
    for row, photo in plan.photos.items():
        photo_store.store_prepared(db, actor, created.get(row) or updated[row], photo,
                                   upload_dir)  # type: ignore[arg-type]
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
             request.longitude, actor.username, now, now]).lastrowid or 0
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


SIGN_FIELDS = ("location", "function", "zh", "languages", "quantity", "size", "material",
               "action", "latitude", "longitude")


def _insert_signs(db: Database, actor: auth.User, plan: ImportPlan,
                  site_ids: dict[tuple[int, str], int], statuses: dict[int, str],
                  import_id: int, now: str, run_checks: bool) -> dict[int, int]:
    """New signs, their installed texts, findings and search entries; row → sign id."""
    fresh = _fresh_codes(db, plan)
    next_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM signs").fetchone()[0]
    created = {planned.row: next_id + offset for offset, planned in enumerate(plan.creates)}
    codes = [planned.code or next(fresh[planned.county_id]) for planned in plan.creates]
    db.conn.executemany(
        f"INSERT INTO signs ({', '.join(SIGN_COLUMNS)}) VALUES "
        f"({', '.join('?' * len(SIGN_COLUMNS))})",
        ((created[p.row], site_ids[(p.county_id, p.site)], p.county_id, code,
          *map(p.sign.__getitem__, SIGN_FIELDS), statuses[p.row],
          len(plan.findings.get(p.row, ())), import_id, actor.username, now, now)
         for p, code in zip(plan.creates, codes, strict=True)))
    db.conn.executemany(
        "INSERT INTO sign_current_texts (sign_id, lang, text) VALUES (?, ?, ?)",
        ((created[p.row], lang, text) for p in plan.creates for lang, text in p.texts.items()))
    if run_checks:
        records.store_findings(db, [], [row for p in plan.creates for row in records.finding_rows(
            created[p.row], plan.findings.get(p.row, []))], [])
    db.conn.executemany(
        "INSERT INTO signs_fts (rowid, body) VALUES (?, ?)",
        ((created[p.row], records.search_body(code, p.sign["zh"], p.sign["location"],
                                              p.texts.values()))
         for p, code in zip(plan.creates, codes, strict=True)))
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


@dataclass(frozen=True)
class UnitWish:
    """What a written sign asks of the shared units (all but its id, known before the lock)."""

    zh: str
    languages: tuple[str, ...]
    function: str
    domain: str
    prefill: dict[str, str]

    def request(self, sign_id: int, opt_out: str | None) -> unit_store.SignUnitRequest:
        """The request :func:`workbench.review.units.link_units_bulk` takes."""
        return unit_store.SignUnitRequest(sign_id, self.zh, self.languages, self.function,
                                          self.domain, opt_out, self.prefill)


def _unit_wishes(plan: ImportPlan, run_checks: bool) -> dict[int, UnitWish]:
    """Per row: the units its sign needs; a kept text without errors starts its unit."""
    wishes = {}
    for planned in plan.creates + [update.planned for update in plan.updates]:
        sign = planned.sign
        prefill = {}
        if sign["action"] == "keep" and run_checks and planned.texts:
            flagged = {f["lang"] for f in plan.findings.get(planned.row, [])
                       if f["severity"] == "error"}
            prefill = {lang: text for lang, text in planned.texts.items()
                       if lang not in flagged}
        wishes[planned.row] = UnitWish(sign["zh"], tuple(sign["languages"].split(";")),
                                       sign["function"],
                                       plan.sectors[(planned.county_id, planned.site)], prefill)
    return wishes


def _initial_statuses(db: Database, plan: ImportPlan,
                      wishes: dict[int, UnitWish]) -> dict[int, str]:
    """The status each new sign starts with: what its shared units' states imply.

    The same as inserting it as submitted and refreshing it from its units, but
    without a second pass over 100,000 rows inside the transaction: existing
    units keep their state; units created now start translated (from a kept
    text) or new — as :func:`workbench.review.units.link_units_bulk` creates them.
    """
    texts = list({wishes[planned.row].zh for planned in plan.creates})
    existing: dict[tuple[str, str], str] = {}
    for start in range(0, len(texts), 900):
        chunk = texts[start:start + 900]
        existing.update({(zh, lang): state for zh, lang, state in db.execute(
            "SELECT source_text, target_lang, state FROM translation_units WHERE kind = 'sign' "
            "AND scope = ? AND source_lang = 'zh' AND source_text IN "
            f"({','.join('?' * len(chunk))})", [unit_store.SHARED_SCOPE, *chunk])})
    created: dict[tuple[str, str], str] = {}
    for planned in plan.creates:
        wish = wishes[planned.row]
        for lang in wish.languages:
            if (wish.zh, lang) not in existing:
                if wish.prefill.get(lang):
                    created[(wish.zh, lang)] = "translated"
                else:
                    created.setdefault((wish.zh, lang), "new")
    statuses: dict[int, str] = {}
    by_wording: dict[tuple[str, tuple[str, ...]], str] = {}
    for planned in plan.creates:
        wish = wishes[planned.row]
        key = (wish.zh, wish.languages)
        if key not in by_wording:
            by_wording[key] = unit_store.status_from_units(
                [existing.get((wish.zh, lang)) or created[(wish.zh, lang)]
                 for lang in wish.languages])
        statuses[planned.row] = by_wording[key]
    return statuses


def _link_updated_units(db: Database, actor: auth.User, wishes: dict[int, UnitWish],
                        updated: dict[int, int]) -> None:
    """Updated signs keep their own wording when they opted out of sharing it."""
    ids = list(updated.values())
    opted_out: dict[int, str] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        opted_out.update(db.execute(
            "SELECT id, opt_out_reason FROM signs WHERE opt_out_reason IS NOT NULL AND "
            f"id IN ({','.join('?' * len(chunk))})", chunk).fetchall())
    unit_store.link_units_bulk(db, [wishes[row].request(sign_id, opted_out.get(sign_id))
                                    for row, sign_id in updated.items()], actor.username)


def _audit(db: Database, actor: auth.User, plan: ImportPlan, file_name: str, import_id: int,
           site_ids: dict[tuple[int, str], int], created: dict[int, int],
           updated: dict[int, int], status_changes: dict[str, list[int]]) -> None:
    """One event per county: each lists only its own county's records."""
    county_of_row = {p.row: p.county_id for p in plan.creates}
    county_of_row.update({u.planned.row: u.planned.county_id for u in plan.updates})
    county_of_sign = {sign_id: county_of_row[row] for row, sign_id in
                      [*created.items(), *updated.items()]}
    site_county = {site_id: key[0] for key, site_id in site_ids.items()}
    events: dict[int, dict[str, Any]] = {county_id: {
        "file": Path(file_name).name, "county_id": county_id, "rows": 0, "sites_created": [],
        "sites_updated": [], "signs_created": [], "signs_updated": [], "status_changes": {},
        "photos": 0, "findings": 0} for county_id in sorted(plan.counties)}
    for row, county_id in county_of_row.items():
        events[county_id]["rows"] += 1
        events[county_id]["findings"] += len(plan.findings.get(row, []))
        events[county_id]["photos"] += row in plan.photos
    for key, _request in plan.sites_to_create:
        events[key[0]]["sites_created"].append(site_ids[key])
    for site_id, _change in plan.sites_to_update:
        events[site_county[site_id]]["sites_updated"].append(site_id)
    for label, written in (("signs_created", created), ("signs_updated", updated)):
        for sign_id in written.values():
            events[county_of_sign[sign_id]][label].append(sign_id)
    for status, ids in status_changes.items():
        for sign_id in ids:
            events[county_of_sign[sign_id]]["status_changes"].setdefault(status, []).append(
                sign_id)
    for event in events.values():
        audit.record(db, actor, "inventory.import", "inventory_import", import_id, None, event)
