"""Which checks a project has switched off: stored in ``settings``, changed with an audit event."""
from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from workbench import audit, plugins
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
    return frozenset(str(v) for v in value) if isinstance(value, list) else frozenset()


def set_check_enabled(db: Database, actor: Any, check_id: str, enabled: bool) -> bool:
    """Switch one check on or off for the project; returns whether anything changed.

    Raises :class:`NotFound` for an unknown check id.
    """
    known = plugins.checks()
    if check_id not in known:
        raise NotFound(msg("There is no check %(check)s. Known checks: %(known)s.",
                           check=repr(check_id), known=", ".join(known)))
    with transaction(db):
        before = sorted(disabled_checks(db))
        after = sorted(set(before) - {check_id}) if enabled else sorted(set(before) | {check_id})
        if after == before:
            return False
        db.execute(
            """INSERT INTO settings (key, value) VALUES (?, ?)
               ON CONFLICT(key) DO UPDATE SET value = excluded.value""",
            [DISABLED_KEY, json.dumps(after)])
        audit.record(db, actor, "checks.enable" if enabled else "checks.disable",
                     "check", check_id, {"disabled": before}, {"disabled": after})
    return True
