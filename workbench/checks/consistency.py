"""Check 11: the same Chinese text has one approved rendering across the inventory.

Approved renderings come from ``context["other_renderings"]`` (a list of texts,
or of dicts with ``target_text``) and, when the database has the review
package's ``translation_units`` table, from its approved units.
"""
from __future__ import annotations

import re
import weakref
from typing import Any

from sqlite_utils import Database

from workbench.checks.base import WARNING, Check, CheckContext, Finding
from workbench.messages import N_, msg

APPROVED_STATES = ("approved", "published", "final")


def _key(text: str) -> str:
    """Renderings compared without case and spacing differences."""
    return re.sub(r"\s+", " ", re.sub(r"\s*//\s*", "//", text)).strip().casefold()


# Connections known to have the table (a table, once created, stays: no need to ask again).
_tables_seen: "weakref.WeakSet[Any]" = weakref.WeakSet()


def _has_units_table(db: Database) -> bool:
    if db in _tables_seen:
        return True
    try:
        row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                         "AND name = 'translation_units'").fetchone()
    except Exception:  # noqa: BLE001 - a closed or foreign connection: no inventory
        return False
    if row is not None:
        _tables_seen.add(db)
    return row is not None


def approved_renderings(db: Database | None, source: str, target_lang: str,
                        context: dict[str, Any] | None = None) -> list[str]:
    """Approved renderings of ``source`` in ``target_lang`` from the context and the database."""
    found: list[str] = []
    for item in (context or {}).get("other_renderings") or ():
        text = item.get("target_text") if isinstance(item, dict) else item
        if text and str(text).strip():
            found.append(str(text))
    if db is not None and source.strip() and _has_units_table(db):
        placeholders = ", ".join("?" for _ in APPROVED_STATES)
        try:
            rows = db.execute(
                f"""SELECT DISTINCT target_text FROM translation_units
                    WHERE source_text = ? AND target_lang = ? AND state IN ({placeholders})
                    AND target_text IS NOT NULL AND target_text != ''""",
                [source.strip(), target_lang, *APPROVED_STATES]).fetchall()
        except Exception as error:  # noqa: BLE001 - a units table without these columns
            if "no such column" not in str(error):
                raise
            rows = []
        found += [row[0] for row in rows]
    unique: dict[str, str] = {}
    for text in found:
        unique.setdefault(_key(text), text)
    return list(unique.values())


class ConsistencyCheck(Check):
    """One Chinese text, one approved rendering, everywhere."""

    id = "consistency"
    name = N_("Consistency across the inventory")
    severity = WARNING
    profiles = frozenset({"sign", "prose"})
    explanation = N_("The same Chinese text should read the same on every sign. When other "
                     "approved renderings of this Chinese exist and this one differs — or they "
                     "already differ among themselves — the finding lists them. Fix: use the "
                     "approved rendering, or settle on one and correct the others.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        if not target.strip():
            return []
        others = approved_renderings(ctx.db, source, ctx.target_lang, ctx.extra)
        if not others:
            return []
        mine = _key(target)
        differing = [text for text in others if _key(text) != mine]
        if not differing:
            return []
        shown = "”, “".join(differing[:5])
        if len(differing) == len(others):
            message = msg("%(source)s is approved elsewhere as “%(renderings)s”: use the same "
                          "rendering on every sign.", source=source, renderings=shown)
        else:
            message = msg("%(source)s is also approved as “%(renderings)s”: the inventory "
                          "renders it differently on different signs; settle on one.",
                          source=source, renderings=shown)
        return [self.finding(message, None, None, suggestion=differing[0])]


def inconsistent_renderings(db: Database, target_lang: str | None = None) -> list[dict[str, Any]]:
    """Every Chinese text that the inventory's approved units render in more than one way.

    Returns ``[{"source_text", "target_lang", "renderings": [...]}]`` sorted by source text;
    empty when the database has no ``translation_units`` table.
    """
    if not _has_units_table(db):
        return []
    placeholders = ", ".join("?" for _ in APPROVED_STATES)
    sql = (f"SELECT source_text, target_lang, target_text FROM translation_units "
           f"WHERE state IN ({placeholders}) AND target_text IS NOT NULL AND target_text != ''")
    params: list[Any] = list(APPROVED_STATES)
    if target_lang:
        sql += " AND target_lang = ?"
        params.append(target_lang)
    groups: dict[tuple[str, str], dict[str, str]] = {}
    for source_text, lang, target_text in db.execute(sql, params).fetchall():
        groups.setdefault((source_text.strip(), lang), {}).setdefault(_key(target_text),
                                                                       target_text)
    return [{"source_text": source, "target_lang": lang, "renderings": sorted(texts.values())}
            for (source, lang), texts in sorted(groups.items()) if len(texts) > 1]
