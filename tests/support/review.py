"""Helpers for the review tests: real sites, signs and units made through the inventory's API.

(No tests here.)
"""
from __future__ import annotations

import itertools

from workbench import audit, auth
from workbench.db import transaction
from workbench.inventory import records

_names = itertools.count(1)


def county_id(db, name_zh: str = "海口市") -> int:
    """A county's id by Chinese name."""
    return db.execute("SELECT id FROM counties WHERE name_zh = ?", [name_zh]).fetchone()[0]


def make_site(db, county: str = "海口市", name: str | None = None,
              sector: str = "public_facilities") -> int:
    """A site in a county, created by the system actor through the inventory."""
    actor = auth.system_actor("pytest")
    return records.save_site(db, actor, {"county_id": county_id(db, county),
                                         "name_zh": name or f"测试场所{next(_names)}",
                                         "sector": sector, "address": "海口市滨海大道1号"})


def make_sign(db, site_id: int, zh: str, function: str = "facility",
              languages: str = "en", location: str | None = None) -> int:
    """A new sign (which links it to its shared translation units)."""
    actor = auth.system_actor("pytest")
    return records.create_sign(db, actor, site_id, {
        "zh": zh, "function": function, "action": "new", "languages": languages,
        "location": location or f"一层大厅{next(_names)}"})


def unit_of(db, sign_id: int, lang: str = "en") -> int:
    """The id of the sign's unit in one language."""
    return db.execute("SELECT unit_id FROM sign_units WHERE sign_id = ? AND target_lang = ?",
                      [sign_id, lang]).fetchone()[0]


def machine_draft(db, unit_id: int, text: str, engine: str = "rules") -> None:
    """Put a machine draft on a new unit the way drafting does (audited, version + 1)."""
    actor = auth.system_actor("drafting")
    with transaction(db):
        unit = db.execute("SELECT version FROM translation_units WHERE id = ?",
                          [unit_id]).fetchone()
        change = {"state": "machine_draft", "target_text": text, "draft_engine": engine,
                  "draft_score": 0.8, "version": unit[0] + 1, "updated_at": audit.now_iso(),
                  "updated_by": actor.username}
        db["translation_units"].update(unit_id, change)
        audit.record(db, actor, "unit.draft", "translation_unit", unit_id, None, change)


def unit_row(db, unit_id: int) -> dict:
    """The unit as stored now."""
    return next(db.query("SELECT * FROM translation_units WHERE id = ?", [unit_id]))


def sign_status(db, sign_id: int) -> str:
    """The sign's status as stored now."""
    return db.execute("SELECT status FROM signs WHERE id = ?", [sign_id]).fetchone()[0]


def drafted_sign(db, zh: str = "服务台", draft: str = "Service Desk", **kwargs) -> tuple[int, int]:
    """A sign at a new site with a machine-drafted English unit: (sign id, unit id)."""
    sign_id = make_sign(db, make_site(db), zh, **kwargs)
    unit_id = unit_of(db, sign_id)
    machine_draft(db, unit_id, draft)
    return sign_id, unit_id


def force_state(db, unit_id: int, state: str, text: str | None = "Service Desk") -> int:
    """Put a unit straight into ``state`` (audited, version + 1); returns the new version.

    Only for setting up a test of one transition from that state.
    """
    actor = auth.system_actor("pytest")
    with transaction(db):
        version = db.execute("SELECT version FROM translation_units WHERE id = ?",
                             [unit_id]).fetchone()[0]
        change = {"state": state, "target_text": text, "version": version + 1,
                  "updated_at": audit.now_iso(), "updated_by": actor.username}
        db["translation_units"].update(unit_id, change)
        audit.record(db, actor, "unit.test_setup", "translation_unit", unit_id, None, change)
    return version + 1
