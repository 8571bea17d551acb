"""Which checks a project has switched off: stored in ``settings``, changed with an audit event.

Switches are per check id. A family of rules (``punctuation``: ``punctuation.full_width``,
``punctuation.final_stop`` …) may also be switched as a whole by its name; a stored family
name (from before the family was split into rules) stands for every rule of it.
"""
from __future__ import annotations

import json
from sqlite_utils import Database

from workbench import audit, auth, plugins
from workbench.db import transaction
from workbench.errors import NotFound
from workbench.messages import msg

DISABLED_KEY = "checks.disabled"


def disabled_checks(db: Database | None) -> frozenset[str]:
    """The ids of the checks switched off for this project (none without a database)."""
    if db is None:
        return frozenset()
    try:
        row = db.execute("SELECT value FROM settings WHERE key = ?", [DISABLED_KEY]).fetchone()
    except Exception:  # a database without the settings table: nothing switched off
        return frozenset()
    if not row or not row[0]:
        return frozenset()
    try:
        value = json.loads(row[0])
    except ValueError:
        return frozenset()
    if not isinstance(value, list):
        return frozenset()
    return frozenset(member for stored in value for member in _members(str(stored)))


def families() -> dict[str, list[str]]:
    """The families of rules by name, each with its check ids (in finding order)."""
    found: dict[str, list[str]] = {}
    for check_id, check in plugins.checks().items():
        if check.family:
            found.setdefault(check.family, []).append(check_id)
    return found


def _members(switch_id: str) -> list[str]:
    """The check ids a switch names: a family's rules, else the id itself."""
    return families().get(switch_id) or [switch_id]


def set_check_enabled(db: Database, actor: auth.User | None, check_id: str,
                      enabled: bool) -> bool:
    """Switch one check (or every rule of a family) on or off for the project; returns
    whether anything changed.

    Raises :class:`NotFound` for an id that is neither a check nor a family.
    """
    known = plugins.checks()
    if check_id not in known and check_id not in families():
        raise NotFound(msg("There is no check %(check)s. Known checks: %(known)s.",
                           check=repr(check_id), known=", ".join(known)))
    members = set(_members(check_id))
    with transaction(db):
        before = sorted(disabled_checks(db))
        after = sorted(set(before) - members) if enabled else sorted(set(before) | members)
        if after == before:
            return False
        db.execute(
            """INSERT INTO settings (key, value) VALUES (?, ?)
               ON CONFLICT(key) DO UPDATE SET value = excluded.value""",
            [DISABLED_KEY, json.dumps(after)])
        audit.record(db, actor, "checks.enable" if enabled else "checks.disable",
                     "check", check_id, {"disabled": before}, {"disabled": after})
    return True
