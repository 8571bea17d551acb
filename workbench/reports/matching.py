"""Which sign a report is about: by its code, or by the text read and the distance to sites.

A report from a sign's QR page names the sign's code: that settles it. A
report from the general page has at most a photo (whose text OCR reads), a
position (from the photo's GPS or the phone) and a county. Candidates are the
signs of the sites within ``radius_m`` of the position, and the signs whose
Chinese text is the text read. Each is scored by how alike the texts are
(rapidfuzz, 0–100), with a bonus for being close; the best is taken only when
it is clearly better than the next (identical signs at one site stay for a
person to choose). Read-only; no Flask.
"""
from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz import fuzz
from sqlite_utils import Database

EARTH_RADIUS_M = 6_371_000
ACCEPT_SCORE = 85.0  # a candidate must score at least this to be taken …
ACCEPT_SCORE_NEAR = 75.0  # … or this when its site is near the reported place
CLEAR_LEAD = 5.0  # … and lead the next one by this much
NEAR_BONUS = 10.0  # at most this much for being close to the reported position
MAX_POOL = 3000  # signs looked at, at most
MAX_CANDIDATES = 5  # shown to the office
_SPACE = re.compile(r"\s+")


@dataclass
class Candidate:
    """A sign the report may be about, with its score and distance (metres)."""

    sign_id: int
    sign_code: str
    zh: str
    site_id: int
    site: str
    county_id: int
    score: float
    distance_m: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (stored with the triage)."""
        return asdict(self)


@dataclass
class Match:
    """What matching found: the sign (or None), the site and county, how, and the candidates."""

    sign_id: int | None = None
    site_id: int | None = None
    county_id: int | None = None
    method: str | None = None
    score: float | None = None
    candidates: list[Candidate] = field(default_factory=list)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _compact(text: str) -> str:
    return _SPACE.sub("", text or "")


def nearby_sites(db: Database, latitude: float, longitude: float,
                 radius_m: float) -> list[tuple[dict[str, Any], float]]:
    """Sites with a position within ``radius_m``, nearest first, with their distance."""
    d_lat = radius_m / 111_320
    d_lon = radius_m / max(1.0, 111_320 * math.cos(math.radians(latitude)))
    rows = db.query(
        "SELECT id, county_id, name_zh, latitude, longitude FROM sites "
        "WHERE latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?",
        [latitude - d_lat, latitude + d_lat, longitude - d_lon, longitude + d_lon])
    found = []
    for row in rows:
        distance = distance_m(latitude, longitude, row["latitude"], row["longitude"])
        if distance <= radius_m:
            found.append((row, distance))
    return sorted(found, key=lambda item: item[1])


_SIGN_COLUMNS = """s.id, s.sign_code, s.zh, s.site_id, s.county_id, st.name_zh AS site,
    st.latitude IS NOT NULL AS site_placed,
    (SELECT group_concat(t.lang || char(31) || t.text, char(30)) FROM sign_current_texts t
     WHERE t.sign_id = s.id) AS texts"""


def _pool(db: Database, zh: str, site_ids: list[int],
          county_id: int | None) -> list[dict[str, Any]]:
    """Signs at the nearby sites, and signs whose Chinese is the text read."""
    pool: dict[int, dict[str, Any]] = {}
    if site_ids:
        marks = ",".join("?" * len(site_ids))
        for row in db.query(f"SELECT {_SIGN_COLUMNS} FROM signs s JOIN sites st ON "
                            f"st.id = s.site_id WHERE s.site_id IN ({marks}) LIMIT ?",
                            [*site_ids, MAX_POOL]):
            pool[row["id"]] = row
    if zh:
        where: str = "s.zh = ?"
        params: list[Any] = [zh]
        if county_id and not site_ids:
            where, params = where + " AND s.county_id = ?", params + [county_id]
        for row in db.query(f"SELECT {_SIGN_COLUMNS} FROM signs s JOIN sites st ON "
                            f"st.id = s.site_id WHERE {where} LIMIT ?", [*params, MAX_POOL]):
            pool.setdefault(row["id"], row)
    return list(pool.values())


def _texts(row: dict[str, Any]) -> dict[str, str]:
    texts = {}
    for item in (row.get("texts") or "").split("\x1e"):
        if "\x1f" in item:
            lang, text = item.split("\x1f", 1)
            texts[lang] = text
    return texts


def text_score(zh_read: str, foreign_read: dict[str, str], sign_zh: str,
               installed: dict[str, str]) -> float | None:
    """How alike the text read and a sign's texts are (0–100), or None with nothing read.

    The Chinese weighs most; the foreign text read is compared with what is
    installed on the sign now (the wrong wording is what the photo shows).
    """
    zh_score = fuzz.ratio(_compact(zh_read), _compact(sign_zh)) if zh_read else None
    foreign_scores = [fuzz.ratio(_compact(text).lower(), _compact(installed[lang]).lower())
                      for lang, text in foreign_read.items() if text and lang in installed]
    foreign_score = max(foreign_scores) if foreign_scores else None
    if zh_score is not None and foreign_score is not None:
        return 0.7 * zh_score + 0.3 * max(zh_score, foreign_score)
    return zh_score if zh_score is not None else foreign_score


def _score(row: dict[str, Any], zh: str, foreign: dict[str, str],
           distances: dict[int, float] | None, radius_m: float) -> Candidate | None:
    """The candidate's score; None for a sign whose site is known to be far away.

    With a reported position, the text counts for 90 points and being near for
    up to 10, so the sign near the reporter wins over an identical one whose
    site has no recorded position.
    """
    score = text_score(zh, foreign, row["zh"], _texts(row)) or 0.0
    distance = distances.get(row["site_id"]) if distances is not None else None
    if distances is not None:
        if distance is None and row["site_placed"]:
            return None
        near = NEAR_BONUS * (1 - distance / max(radius_m, 1.0)) if distance is not None else 0
        score = (1 - NEAR_BONUS / 100) * score + (near if score else 0)
    return Candidate(row["id"], row["sign_code"], row["zh"], row["site_id"], row["site"],
                     row["county_id"], round(score, 1),
                     None if distance is None else round(distance))


def _by_code(db: Database, sign_code: str) -> Match | None:
    row = next(db.query(f"SELECT {_SIGN_COLUMNS} FROM signs s JOIN sites st ON "
                        f"st.id = s.site_id WHERE s.sign_code = ?", [sign_code]), None)
    if row is None:
        return None
    candidate = Candidate(row["id"], row["sign_code"], row["zh"], row["site_id"], row["site"],
                          row["county_id"], 100.0)
    return Match(row["id"], row["site_id"], row["county_id"], "code", 100.0, [candidate])


def _decide(candidates: list[Candidate], text_read: bool, near: bool) -> tuple[
        Candidate | None, str | None]:
    if not candidates:
        return None, None
    best = candidates[0]
    runner_up = candidates[1] if len(candidates) > 1 else None
    if text_read:
        clear = runner_up is None or best.score - runner_up.score >= CLEAR_LEAD
        good = best.score >= (ACCEPT_SCORE if best.distance_m is None else ACCEPT_SCORE_NEAR)
        if good and clear:
            return best, "text_location" if best.distance_m is not None else "text"
        return None, None
    if near and runner_up is None:
        return best, "location"  # the only sign anywhere near the reported place
    return None, None


def match_report(db: Database, *, sign_code: str | None = None, zh: str = "",
                 foreign: dict[str, str] | None = None, latitude: float | None = None,
                 longitude: float | None = None, county_id: int | None = None,
                 radius_m: float = 300.0) -> Match:
    """The sign a report is about (see the module's docstring), with the candidates."""
    foreign = {lang: text for lang, text in (foreign or {}).items() if text}
    if sign_code:
        found = _by_code(db, sign_code)
        if found is not None:
            return found
    placed = latitude is not None and longitude is not None
    near = nearby_sites(db, latitude, longitude, radius_m) \
        if latitude is not None and longitude is not None else []
    distances = {site["id"]: distance for site, distance in near}
    zh = _compact(zh)
    pool = _pool(db, zh, list(distances), county_id)
    text_read = bool(zh or foreign)
    scored = (_score(row, zh, foreign, distances if placed else None, radius_m) for row in pool)
    candidates = sorted((c for c in scored if c is not None),
                        key=lambda c: (-c.score, c.distance_m if c.distance_m is not None
                                       else math.inf, c.sign_id))
    chosen, method = _decide(candidates, text_read, bool(near))
    if chosen is not None:
        return Match(chosen.sign_id, chosen.site_id, chosen.county_id, method, chosen.score,
                     candidates[:MAX_CANDIDATES])
    nearest = near[0][0] if near else None
    return Match(None, nearest["id"] if nearest else None,
                 nearest["county_id"] if nearest else county_id, None, None,
                 candidates[:MAX_CANDIDATES])
