"""Progress figures for the dashboard: counts by status, sector, action, language, and over time.

Everything here is read-only. Chart geometry is computed here (plain numbers)
so the template only draws server-side SVG: no chart library, no CDN, no script.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from workbench import auth
from workbench.inventory import records

# Fill colours per status for the stacked bars (SVG presentation attributes).
STATUS_COLOURS = {
    "submitted": "#94a3b8", "drafting": "#a78bfa", "in_review": "#f59e0b",
    "approved": "#22c55e", "fabricated": "#0ea5e9", "installed": "#0b6e4f",
    "rejected": "#dc2626",
}


@dataclass
class Bar:
    """One county's stacked bar: label, total and (status, count, x, width) segments."""

    county_id: int
    label: str
    total: int
    y: float
    segments: list[tuple[str, int, float, float]] = field(default_factory=list)


# Statuses in which a sign's wording is approved (every required language).
WORDING_APPROVED = ("approved", "fabricated", "installed")


@dataclass
class CountyProgress:
    """One county's line on the province dashboard and the exports page."""

    county_id: int
    name_zh: str
    name_en: str
    signs: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def wording_approved(self) -> int:
        """Signs whose wording is approved in every required language (or already made)."""
        return sum(self.counts.get(status, 0) for status in WORDING_APPROVED)

    @property
    def ready_for_fabrication(self) -> int:
        """Signs approved and not yet made: what a fabrication sheet would carry now."""
        return self.counts.get("approved", 0)

    @property
    def installed(self) -> int:
        """Signs installed."""
        return self.counts.get("installed", 0)

    def percent(self, count: int) -> int:
        """``count`` as a whole percentage of the county's signs (0 without signs)."""
        return round(100 * count / self.signs) if self.signs else 0

    @property
    def stage(self) -> str:
        """A code of :data:`workbench.vocabulary.COUNTY_PROGRESS`."""
        if not self.signs:
            return "not_started"
        if self.installed == self.signs:
            return "done"
        if self.wording_approved == self.signs:
            return "fabricating"
        return "translating"


def county_progress(db: Database, user: auth.User) -> list[CountyProgress]:
    """Every active county the user may see, with its signs per status — counties without
    signs too (not started), in the province's order."""
    scope = auth.county_scope(user)
    where, params = ("AND c.id = ?", [scope]) if scope is not None else ("", [])
    progress: dict[int, CountyProgress] = {}
    for row in db.query(f"""SELECT c.id, c.name_zh, c.name_en FROM counties c
                            WHERE c.active = 1 {where} ORDER BY c.sort_order, c.id""", params):
        progress[row["id"]] = CountyProgress(row["id"], row["name_zh"], row["name_en"])
    sign_where, sign_params = ("WHERE county_id = ?", [scope]) if scope is not None else ("", [])
    for county_id, status, count in db.execute(
            f"SELECT county_id, status, count(*) FROM signs {sign_where} "
            f"GROUP BY county_id, status", sign_params):
        line = progress.get(county_id)
        if line is not None:
            line.counts[status] = count
            line.signs += count
    return list(progress.values())


@dataclass
class Dashboard:
    """Everything the dashboard page shows."""

    county: dict[str, Any] | None
    total_signs: int
    total_quantity: int
    flagged: int
    with_photo: int
    by_status: dict[str, int]
    by_sector: dict[str, int]
    by_action: dict[str, int]
    by_function: dict[str, int]
    by_language: dict[str, int]
    bars: list[Bar]
    chart_width: int
    chart_height: int
    label_width: int
    progress: dict[str, Any]
    # Every county of the province, started or not (only without a chosen county).
    counties: list[CountyProgress] = field(default_factory=list)


def _counts(db: Database, sql: str, params: list[Any]) -> dict[str, int]:
    return {row[0]: row[1] for row in db.execute(sql, params)}


def build(db: Database, user: auth.User, county_id: int | None = None) -> Dashboard:
    """The province's figures (or one county's; an officer always gets their own)."""
    scope = auth.county_scope(user)
    if scope is not None:
        county_id = scope
    where, params = ("WHERE s.county_id = ?", [county_id]) if county_id else ("", [])
    county = next(db.query("SELECT * FROM counties WHERE id = ?", [county_id]), None) \
        if county_id else None
    totals = db.execute(
        f"SELECT count(*), coalesce(sum(quantity), 0), coalesce(sum(finding_count > 0), 0), "
        f"coalesce(sum(photo_count > 0), 0) FROM signs s {where}", params).fetchone()
    by_status = _counts(db, f"SELECT status, count(*) FROM signs s {where} GROUP BY status",
                        params)
    by_sector = _counts(db, f"SELECT st.sector, count(*) FROM signs s JOIN sites st ON "
                            f"st.id = s.site_id {where} GROUP BY st.sector", params)
    by_action = _counts(db, f"SELECT action, count(*) FROM signs s {where} GROUP BY action",
                        params)
    by_function = _counts(db, f"SELECT function, count(*) FROM signs s {where} "
                              f"GROUP BY function", params)
    language_sql = ", ".join(f"coalesce(sum(instr(';' || languages || ';', ';{code};') > 0), 0)"
                             for code in records.LANGUAGES)
    language_counts = db.execute(f"SELECT {language_sql} FROM signs s {where}",
                                 params).fetchone()
    by_language = dict(zip(records.LANGUAGES, language_counts, strict=True))

    per_county: dict[int, dict[str, Any]] = {}
    for row in db.query(f"""SELECT c.id, c.name_zh, c.sort_order, s.status, count(*) AS n
                            FROM signs s JOIN counties c ON c.id = s.county_id {where}
                            GROUP BY c.id, s.status ORDER BY c.sort_order""", params):
        entry = per_county.setdefault(row["id"], {"label": row["name_zh"], "counts": {}})
        entry["counts"][row["status"]] = row["n"]
    label_width, chart_width, row_height = 130, 760, 26
    bar_space = chart_width - label_width - 60
    most = max([sum(e["counts"].values()) for e in per_county.values()] or [1])
    bars = []
    for index, (cid, entry) in enumerate(per_county.items()):
        total = sum(entry["counts"].values())
        bar = Bar(cid, entry["label"], total, index * row_height + 6)
        x = float(label_width)
        for status in records.STATUSES.codes:
            count = entry["counts"].get(status, 0)
            if count:
                width = max(1.0, bar_space * count / most)
                bar.segments.append((status, count, round(x, 1), round(width, 1)))
                x += width
        bars.append(bar)
    return Dashboard(county, totals[0], totals[1], totals[2], totals[3], by_status, by_sector,
                     by_action, by_function, by_language, bars, chart_width,
                     max(row_height, len(bars) * row_height + 12), label_width,
                     progress(db, county_id),
                     county_progress(db, user) if county_id is None else [])


def progress(db: Database, county_id: int | None = None, width: int = 760,
             height: int = 220) -> dict[str, Any]:
    """Cumulative signs submitted, approved and installed per day, from the audit history.

    Returns the days, the three series, and SVG polyline points scaled to
    ``width`` × ``height`` (with a margin for the axis labels).
    """
    daily: dict[str, dict[str, int]] = {}

    def add(day: str, series: str, n: int) -> None:
        daily.setdefault(day, {"submitted": 0, "approved": 0, "installed": 0})[series] += n

    rows = db.execute(
        """SELECT substr(ts, 1, 10), action, after_json FROM audit_events
           WHERE action IN ('sign.create', 'inventory.import', 'sign.status',
                            'sign.mark_installed')
           ORDER BY id""")
    for day, action, after_json in rows:
        after = json.loads(after_json) if after_json else {}
        if county_id and after.get("county_id") != county_id:
            continue
        if action == "sign.create":
            add(day, "submitted", 1)
        elif action == "inventory.import":
            add(day, "submitted", len(after.get("signs_created") or []))
            add(day, "approved", len((after.get("status_changes") or {}).get("approved", [])))
        elif action == "sign.status" and after.get("status") == "approved":
            add(day, "approved", 1)
        elif action == "sign.mark_installed":
            add(day, "installed", 1)
    days = sorted(daily)
    series: dict[str, list[int]] = {"submitted": [], "approved": [], "installed": []}
    running = dict.fromkeys(series, 0)
    for day in days:
        for name in series:
            running[name] += daily[day][name]
            series[name].append(running[name])
    left, bottom, top, right = 50, 24, 10, 10
    top_value = max([max(v) for v in series.values() if v] or [1]) or 1
    span = max(1, len(days) - 1)
    points = {}
    for name, values in series.items():
        points[name] = " ".join(
            f"{left + (width - left - right) * i / span:.1f},"
            f"{height - bottom - (height - bottom - top) * v / top_value:.1f}"
            for i, v in enumerate(values))
        if len(values) == 1:  # one day: draw a short flat line so it shows
            y = height - bottom - (height - bottom - top) * values[0] / top_value
            points[name] = f"{left},{y:.1f} {width - right},{y:.1f}"
    return {"days": days, "series": series, "points": points, "max": top_value,
            "width": width, "height": height, "left": left, "bottom": bottom, "top": top,
            "colours": {"submitted": STATUS_COLOURS["submitted"],
                        "approved": STATUS_COLOURS["approved"],
                        "installed": STATUS_COLOURS["installed"]}}
