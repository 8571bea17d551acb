"""Finding and reading signs: filtered and sorted lists, one sign with its texts, its history,
statistics."""
from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from workbench import audit, auth, messages
from workbench.db import to_int
from workbench.inventory import records

SORTS = {
    # Each order follows an index, so a late page does not sort the whole table.
    "updated": "s.updated_at DESC, s.id DESC", "code": "s.sign_code",
    "site": "s.site_id, s.id", "status": "s.status, s.function, s.id",
    "findings": "s.finding_count DESC, s.id DESC", "created": "s.id",
}
FILTERS = ("county_id", "site_id", "status", "function", "action", "sector", "lang",
           "has_photo", "has_flags", "q")


def _filter_sql(user: auth.User, filters: dict[str, Any]) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    scope = auth.county_scope(user)
    county_id = scope if scope is not None else filters.get("county_id")
    county_id = to_int(county_id, minimum=1) if county_id not in (None, "") else None
    if county_id is not None:
        where.append("s.county_id = ?")
        params.append(county_id)
    if filters.get("site_id"):
        # A mangled or out-of-range id matches nothing.
        filters = dict(filters, site_id=to_int(filters["site_id"], minimum=1) or -1)
    for key in ("site_id", "status", "function", "action"):
        if filters.get(key):
            where.append(f"s.{key} = ?")
            params.append(filters[key])
    if filters.get("sector"):
        where.append("st.sector = ?")
        params.append(filters["sector"])
    if filters.get("lang") in records.LANGUAGES:
        # Stored lists are canonical (languages_text), so the few lists holding
        # a language can be named and looked up in the index.
        combos = records.language_combinations(filters["lang"])
        where.append(f"s.languages IN ({','.join('?' * len(combos))})")
        params += combos
    for key, column in (("has_photo", "photo_count"), ("has_flags", "finding_count")):
        if filters.get(key) in ("1", "yes", True, 1):
            where.append(f"s.{column} > 0")
        elif filters.get(key) in ("0", "no", False, 0):
            where.append(f"s.{column} = 0")
    if filters.get("q"):
        clause, extra = records.search_clause(str(filters["q"]))
        if clause:
            where.append(clause)
            params += extra
    return ("WHERE " + " AND ".join(where)) if where else "", params


def list_signs(db: Database, user: auth.User, filters: dict[str, Any] | None = None, *,
               sort: str = "updated", page: int = 1,
               page_size: int = 50) -> tuple[list[dict[str, Any]], int]:
    """One page of the signs the user may see, filtered and sorted; (rows, total)."""
    filters = filters or {}
    clause, params = _filter_sql(user, filters)
    joins = "JOIN sites st ON st.id = s.site_id"
    total = db.execute(f"SELECT count(*) FROM signs s {joins} {clause}"
                       if "st." in clause else f"SELECT count(*) FROM signs s {clause}",
                       params).fetchone()[0]
    order = SORTS.get(sort, SORTS["updated"])
    # Find the page's ids first, on the signs table and its indexes alone, then
    # read the details of just those: a late page then skips index entries
    # instead of joined rows.
    page_ids = [r[0] for r in db.execute(
        f"SELECT s.id FROM signs s {joins if 'st.' in clause else ''} {clause} "
        f"ORDER BY {order} LIMIT ? OFFSET ?",
        params + [page_size, (max(1, page) - 1) * page_size])]
    if not page_ids:
        return [], total
    details = {row["id"]: row for row in db.query(f"""
        SELECT s.id, s.sign_code, s.zh, s.location, s.function, s.action, s.status,
               s.languages, s.quantity, s.photo_count, s.finding_count, s.updated_at,
               s.county_id, st.id AS site_id, st.name_zh AS site_zh, st.sector,
               c.name_zh AS county_zh, c.name_en AS county_en,
               (SELECT text FROM sign_current_texts t WHERE t.sign_id = s.id AND t.lang = 'en')
                   AS en_current,
               (SELECT min(p.id) FROM sign_photos p WHERE p.sign_id = s.id) AS photo_id
        FROM signs s {joins} JOIN counties c ON c.id = s.county_id
        WHERE s.id IN ({','.join('?' * len(page_ids))})""", page_ids)}
    return [details[sign_id] for sign_id in page_ids], total


def get_sign(db: Database, user: auth.User, sign_id: int) -> dict[str, Any]:
    """A sign with its site, county, installed texts, photos, findings and units."""
    from workbench.review import units

    sign = records._sign_row(db, sign_id)
    auth.check_county(user, sign["county_id"])
    sign["site"] = records._site_row(db, sign["site_id"])
    sign["county"] = next(db.query("SELECT * FROM counties WHERE id = ?", [sign["county_id"]]))
    sign["current_texts"] = records.current_texts(db, sign_id)
    sign["photos"] = list(db.query("SELECT * FROM sign_photos WHERE sign_id = ? ORDER BY id",
                                   [sign_id]))
    sign["findings"] = [dict(row, message=messages.from_data(row["message"])) for row in db.query(
        "SELECT * FROM sign_findings WHERE sign_id = ? ORDER BY lang, id", [sign_id])]
    sign["units"] = units.units_for_sign(db, sign_id)
    sign["language_list"] = sign["languages"].split(";")
    return sign


def sign_history(db: Database, user: auth.User, sign_id: int) -> list[dict[str, Any]]:
    """The audit events about the sign, plus the import that created or changed it."""
    sign = records._sign_row(db, sign_id)
    auth.check_county(user, sign["county_id"])
    events = audit.history(db, "sign", sign_id)
    if sign["import_id"]:
        events += audit.history(db, "inventory_import", sign["import_id"])
    return sorted(events, key=lambda e: e["id"])


def stats(db: Database, user: auth.User) -> list[dict[str, Any]]:
    """Sign counts per county and status (rows: county, status, signs, quantity)."""
    scope = auth.county_scope(user)
    clause, params = ("WHERE s.county_id = ?", [scope]) if scope is not None else ("", [])
    return list(db.query(f"""
        SELECT c.name_zh AS county_zh, c.name_en AS county_en, s.status,
               count(*) AS signs, sum(s.quantity) AS quantity
        FROM signs s JOIN counties c ON c.id = s.county_id {clause}
        GROUP BY c.id, s.status ORDER BY c.sort_order, s.status""", params))
