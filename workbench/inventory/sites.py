"""Sites: the places (stations, parks, buildings) where signs stand, per county."""
from __future__ import annotations

import unicodedata
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import insert_row, like_pattern, transaction
from workbench.errors import NotFound, Problem, ValidationError
from workbench.messages import msg
from workbench.inventory import records

def _site_row(db: Database, site_id: int) -> dict[str, Any]:
    row = next(db.query("SELECT * FROM sites WHERE id = ?", [site_id]), None)
    if row is None:
        raise NotFound(msg("No such site."))
    return row


def get_site(db: Database, user: auth.User, site_id: int) -> dict[str, Any]:
    """One site with its county and sign counts; NotFound outside the user's county."""
    site = _site_row(db, site_id)
    auth.check_county(user, site["county_id"])
    county = next(db.query("SELECT name_zh, name_en, code FROM counties WHERE id = ?",
                           [site["county_id"]]))
    site["county_zh"], site["county_en"] = county["name_zh"], county["name_en"]
    site["sign_count"] = db.execute("SELECT count(*) FROM signs WHERE site_id = ?",
                                    [site_id]).fetchone()[0]
    return site


def list_sites(db: Database, user: auth.User, *, county_id: int | None = None,
               sector: str | None = None, q: str | None = None,
               with_counts: bool = True) -> list[dict[str, Any]]:
    """Sites the user may see, with their sign and flagged-sign counts (``with_counts``)."""
    where: list[str] = []
    params: list[Any] = []
    scope = auth.county_scope(user)
    if scope is not None:
        county_id = scope
    if county_id:
        where.append("st.county_id = ?")
        params.append(county_id)
    if sector:
        where.append("st.sector = ?")
        params.append(sector)
    if q:
        where.append("(st.name_zh LIKE ? ESCAPE '\\' OR st.name_en LIKE ? ESCAPE '\\' "
                     "OR st.address LIKE ? ESCAPE '\\')")
        params += [like_pattern(q)] * 3
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    counts = """, (SELECT count(*) FROM signs s WHERE s.site_id = st.id) AS sign_count,
               (SELECT count(*) FROM signs s WHERE s.site_id = st.id AND s.finding_count > 0)
                   AS flagged_count""" if with_counts else ""
    return list(db.query(f"""
        SELECT st.*, c.name_zh AS county_zh, c.name_en AS county_en {counts}
        FROM sites st JOIN counties c ON c.id = st.county_id {clause}
        ORDER BY c.sort_order, st.name_zh""", params))


def _clean_float(value: Any, column: str, low: float, high: float,
                 problems: list[Problem]) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(unicodedata.normalize("NFKC", str(value)).strip())
    except ValueError:
        problems.append(Problem(msg("This is not a number."), column=column, value=value))
        return None
    if not low <= number <= high:
        problems.append(Problem(msg("This must be between %(low)s and %(high)s.",
                                    low=format(low, "g"), high=format(high, "g")),
                                column=column, value=value))
        return None
    return number


def save_site(db: Database, actor: auth.User, values: dict[str, Any],
              site_id: int | None = None) -> int:
    """Create (no id) or edit a site; returns its id. Officers only in their own county."""
    auth.require(actor, "inventory.submit")
    problems: list[Problem] = []
    name_zh = (values.get("name_zh") or "").strip()
    sector = records.parse_choice(values.get("sector"), records.SECTOR_ALIASES)
    county_id: Any = values.get("county_id")
    if not name_zh:
        problems.append(Problem(msg("The site needs a Chinese name."), column="name_zh"))
    if not sector:
        problems.append(Problem(msg("Choose one of the sectors."), column="sector",
                                value=values.get("sector")))
    latitude = _clean_float(values.get("latitude"), "latitude", -90, 90, problems)
    longitude = _clean_float(values.get("longitude"), "longitude", -180, 180, problems)
    if (latitude is None) != (longitude is None):
        problems.append(Problem(msg("Give both latitude and longitude, or neither."),
                                column="latitude"))
    clean = {"name_zh": name_zh, "sector": sector,
             "address": (values.get("address") or "").strip(),
             "latitude": latitude, "longitude": longitude}
    for lang in records.LANGUAGES:
        if f"name_{lang}" in values:
            clean[f"name_{lang}"] = (values.get(f"name_{lang}") or "").strip()
    with transaction(db):
        if site_id is None:
            if not county_id:
                problems.append(Problem(msg("Choose a county."), column="county_id"))
            else:
                auth.check_county(actor, int(county_id))
                if db["sites"].count_where("county_id = ? AND name_zh = ?",
                                           [county_id, name_zh]):
                    problems.append(Problem(msg("This county already has a site of this name."),
                                            column="name_zh", value=name_zh))
            if problems:
                raise ValidationError(problems)
            now = audit.now_iso()
            clean.update(county_id=int(county_id), created_by=actor.username, created_at=now,
                         updated_at=now)
            new_site_id = insert_row(db, "sites", clean)
            audit.record(db, actor, "site.create", "site", new_site_id, None,
                         dict(clean, id=new_site_id))
            return new_site_id
        before = _site_row(db, site_id)
        auth.check_county(actor, before["county_id"])
        if name_zh and db["sites"].count_where("county_id = ? AND name_zh = ? AND id != ?",
                                               [before["county_id"], name_zh, site_id]):
            problems.append(Problem(msg("This county already has a site of this name."),
                                    column="name_zh", value=name_zh))
        if problems:
            raise ValidationError(problems)
        after = dict(before, **clean)
        if after != before:
            clean["updated_at"] = audit.now_iso()
            db.table("sites").update(site_id, clean)
            audit.record(db, actor, "site.update", "site", site_id, before, dict(after, **clean))
    return site_id


def set_site_location(db: Database, actor: auth.User, site_id: int, latitude: float,
                      longitude: float) -> None:
    """Set a site's coordinates (e.g. from a photo's EXIF GPS)."""
    site = _site_row(db, site_id)
    save_site(db, actor, dict(site, latitude=latitude, longitude=longitude), site_id)
