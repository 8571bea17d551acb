"""The review queue: translation units filtered, counted and paged on the server.

Filters (all optional): county, site, domain, function, target language,
state, QA flag, draft engine, free text, "waits for clarification", and "written
by someone else" (what a reviewer may approve under four-eyes). The
queue is ordered by unit id, so the previous/next unit of a filtered queue is
one indexed look-up (:func:`neighbours`). County and site filters go through
the signs that carry a unit (a unit is shared by signs of many counties).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from workbench import auth
from workbench.db import equal_conditions, page_count, page_offset, to_int
from workbench.review.workflow import STATES

QA_FLAGS = ("error", "warning", "clean", "unchecked")
KINDS = ("sign", "segment")
DEFAULT_KIND = "sign"
FILTER_KEYS = ("kind", "county", "site", "domain", "function", "lang", "state", "qa", "engine",
               "q", "clarification", "others")
MAX_PAGE_SIZE = 200


@dataclass
class QueueFilters:
    """The queue's filters as typed (unknown or malformed values are dropped)."""

    kind: str | None = DEFAULT_KIND
    county: int | None = None
    site: int | None = None
    domain: str | None = None
    function: str | None = None
    lang: str | None = None
    state: str | None = None
    qa: str | None = None
    engine: str | None = None
    q: str | None = None
    clarification: bool = False
    others: bool = False  # only wording the viewer did not write

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> "QueueFilters":
        """Read filters from query arguments (a web request or a dict)."""
        def text(key: str, limit: int = 100) -> str | None:
            value = (args.get(key) or "").strip()
            return value[:limit] or None

        def number(key: str) -> int | None:
            return to_int(args.get(key), minimum=1)

        state = text("state")
        qa = text("qa")
        kind = text("kind")
        # Sign texts and document segments are never listed (or approved) together.
        return cls(kind=kind if kind in KINDS else DEFAULT_KIND, county=number("county"),
                   site=number("site"), domain=text("domain"),
                   function=text("function"), lang=text("lang"),
                   state=state if state in STATES else None,
                   qa=qa if qa in QA_FLAGS else None, engine=text("engine"),
                   q=text("q", 200),
                   clarification=(args.get("clarification") or "") in ("1", "on", "true"),
                   others=(args.get("others") or "") in ("1", "on", "true"))

    def as_args(self) -> dict[str, Any]:
        """The filters that are set, as query arguments (for links that keep them)."""
        values = {key: getattr(self, key) for key in FILTER_KEYS}
        values["clarification"] = "1" if self.clarification else None
        values["others"] = "1" if self.others else None
        return {key: value for key, value in values.items() if value not in (None, "")}

    @property
    def active(self) -> bool:
        """Whether any filter is set (the kind, always set, is a tab rather than a filter)."""
        return bool({key: value for key, value in self.as_args().items() if key != "kind"})


@dataclass
class QueuePage:
    """One page of the queue."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    page_size: int
    filters: QueueFilters
    state_counts: dict[str, int] = field(default_factory=dict)


def _where(filters: QueueFilters,
           viewer_id: int | None = None) -> tuple[list[str], list[Any], bool]:
    """SQL conditions and parameters for the filters; and whether unit_qa must be joined."""
    where, params = equal_conditions([
        ("u.state", filters.state), ("u.kind", filters.kind), ("u.target_lang", filters.lang),
        ("u.domain", filters.domain), ("u.function", filters.function),
        ("u.draft_engine", filters.engine)])
    needs_qa = False
    if filters.clarification:
        where.append("u.needs_clarification = 1")
    if filters.others and viewer_id is not None:
        where.append("(u.author_id IS NULL OR u.author_id != ?)")
        params.append(viewer_id)
    if filters.site:
        where.append("""u.id IN (SELECT su.unit_id FROM signs s
                        JOIN sign_units su ON su.sign_id = s.id WHERE s.site_id = ?)""")
        params.append(filters.site)
    elif filters.county:
        where.append("""u.id IN (SELECT su.unit_id FROM signs s
                        JOIN sign_units su ON su.sign_id = s.id WHERE s.county_id = ?)""")
        params.append(filters.county)
    if filters.q:
        like = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append("(u.source_text LIKE ? ESCAPE '\\' OR u.target_text LIKE ? ESCAPE '\\')")
        params.extend([like, like])
    if filters.qa:
        needs_qa = True
        current = "qa.version = u.version"
        where.append({
            "error": f"{current} AND qa.errors > 0",
            "warning": f"{current} AND qa.errors = 0 AND qa.warnings > 0",
            "clean": f"{current} AND qa.errors = 0 AND qa.warnings = 0",
            "unchecked": "(qa.unit_id IS NULL OR qa.version != u.version) "
                         "AND u.target_text IS NOT NULL",
        }[filters.qa])
    return where, params, needs_qa


def search(db: Database, user: auth.User, filters: QueueFilters, page: int = 1,
           page_size: int = 50, with_state_counts: bool = True,
           check_missing: bool = True) -> QueuePage:
    """One page of units matching the filters, with the total and the per-state counts.

    With ``check_missing``, units on the page whose wording has no QA result for
    its current version (drafts made by the inventory's drafting, imports) are
    checked now, so every row shows its QA flag.
    """
    auth.require(user, "review.view")
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    where, params, needs_qa = _where(filters, user.id)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    qa_join = "LEFT JOIN unit_qa qa ON qa.unit_id = u.id" if needs_qa else ""
    total = db.execute(f"SELECT count(*) FROM translation_units u {qa_join} {clause}",
                       params).fetchone()[0]
    pages = page_count(total, page_size)
    page = max(1, min(int(page), pages))
    rows = list(db.query(
        f"""SELECT u.id, u.kind, u.scope, u.source_text, u.target_text, u.target_lang, u.state,
                   u.version,
                   u.draft_engine, u.domain, u.function, u.author_id, u.author_name,
                   u.needs_clarification, u.updated_at, u.updated_by,
                   q2.errors AS qa_errors, q2.warnings AS qa_warnings,
                   q2.version = u.version AS qa_current,
                   (SELECT count(*) FROM sign_units x WHERE x.unit_id = u.id) AS sign_count,
                   (SELECT c.name_zh FROM sign_units y JOIN signs s ON s.id = y.sign_id
                    JOIN counties c ON c.id = s.county_id WHERE y.unit_id = u.id
                    ORDER BY y.sign_id LIMIT 1) AS county_name
            FROM translation_units u {qa_join}
            LEFT JOIN unit_qa q2 ON q2.unit_id = u.id
            {clause} ORDER BY u.id LIMIT ? OFFSET ?""",
        params + [page_size, page_offset(page, page_size)]))
    # Checking the rows of the "not checked" filter would empty the page it shows.
    if check_missing and filters.qa != "unchecked":
        _check_unchecked(db, rows)
    for row in rows:
        row["qa_flag"] = qa_flag(row)
    counts = state_counts(db, filters.kind) if with_state_counts else {}
    return QueuePage(rows, total, page, pages, page_size, filters, counts)


def _check_unchecked(db: Database, rows: list[dict[str, Any]]) -> None:
    from workbench.db import transaction
    from workbench.review.workflow import get_unit, store_findings

    pending = [row for row in rows if row["target_text"] and not row["qa_current"]]
    if not pending:
        return
    # One write transaction for the page rather than one per row.
    with transaction(db):
        for row in pending:
            stored = store_findings(db, get_unit(db, row["id"]))
            counting = [f for f in stored if f.get("dismissal") is None]
            row["qa_errors"] = sum(f["severity"] == "error" for f in counting)
            row["qa_warnings"] = sum(f["severity"] == "warning" for f in counting)
            row["qa_current"] = 1


def qa_flag(row: Mapping[str, Any]) -> str:
    """error / warning / clean / unchecked for a queue row or unit with its QA summary."""
    if not row.get("target_text"):
        return ""
    if not row.get("qa_current"):
        return "unchecked"
    if row.get("qa_errors"):
        return "error"
    if row.get("qa_warnings"):
        return "warning"
    return "clean"


def state_counts(db: Database, kind: str | None = None) -> dict[str, int]:
    """How many units (of one kind, when given) are in each state (the queue's tabs)."""
    counts = {state: 0 for state in STATES}
    where, params = ("WHERE kind = ?", [kind]) if kind else ("", [])
    for state, count in db.execute(
            f"SELECT state, count(*) FROM translation_units {where} GROUP BY state", params):
        counts[state] = count
    return counts


def neighbours(db: Database, filters: QueueFilters, unit_id: int,
               viewer: auth.User | None = None) -> tuple[int | None, int | None]:
    """The previous and next unit ids of the filtered queue around ``unit_id``."""
    where, params, needs_qa = _where(filters, viewer.id if viewer else None)
    qa_join = "LEFT JOIN unit_qa qa ON qa.unit_id = u.id" if needs_qa else ""
    found = []
    for comparison, order in (("<", "DESC"), (">", "ASC")):
        clause = " AND ".join(where + [f"u.id {comparison} ?"])
        row = db.execute(f"SELECT u.id FROM translation_units u {qa_join} WHERE {clause} "
                         f"ORDER BY u.id {order} LIMIT 1", params + [unit_id]).fetchone()
        found.append(row[0] if row else None)
    return found[0], found[1]


def facets(db: Database, filters: QueueFilters) -> dict[str, list[Any]]:
    """Choices for the filter menus (sites only once a county is chosen)."""
    def distinct(column: str) -> list[str]:
        # Each column leads an index, so DISTINCT walks the index, not the table.
        return [r[0] for r in db.execute(
            f"SELECT DISTINCT {column} FROM translation_units WHERE {column} IS NOT NULL "
            f"AND {column} != '' ORDER BY 1")]

    sites: list[dict[str, Any]] = []
    if filters.county:
        sites = list(db.query("SELECT id, name_zh, name_en FROM sites WHERE county_id = ? "
                              "ORDER BY name_zh LIMIT 2000", [filters.county]))
    return {
        "counties": list(db.query(
            "SELECT id, name_zh, name_en FROM counties WHERE active = 1 ORDER BY sort_order, id")),
        "sites": sites,
        "langs": distinct("target_lang"),
        "domains": distinct("domain"),
        "functions": distinct("function"),
        "engines": distinct("draft_engine"),
    }


def home_counts(db: Database, user: auth.User) -> dict[str, int]:
    """What waits for a translator or reviewer: units per state, and those in review that
    this user did not write (under four-eyes the only ones they can approve)."""
    # Sign texts: the home page's links open the sign queue (documents have their own items).
    result = state_counts(db, DEFAULT_KIND)
    own = 0
    if user.id is not None:
        own = db.execute("SELECT count(*) FROM translation_units WHERE state = 'in_review' "
                         "AND kind = ? AND author_id = ?", [DEFAULT_KIND, user.id]).fetchone()[0]
    result["in_review_by_others"] = result["in_review"] - own
    return result
