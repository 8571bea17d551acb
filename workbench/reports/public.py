"""What the public pages may show: a sign's approved wording, a report's status. No Flask.

Everything returned here is meant for anyone on the internet: no user names,
no contact data, no internal comments, no other reports. The functions pick
the fields one by one rather than filtering rows, so a column added later
never leaks by accident.
"""
from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from workbench.errors import NotFound
from workbench.messages import msg
from workbench.reports.intake import (SIGN_CODE_RE, format_tracking_code,
                                      normalize_sign_code, normalize_tracking_code)

FOREIGN_ORDER = ("en", "ru", "ja", "ko")


def public_sign(db: Database, sign_code: str) -> dict[str, Any]:
    """A sign as the public sees it: code, Chinese, place, and its approved wording."""
    code = normalize_sign_code(sign_code) or ""
    row = next(db.query(
        """SELECT s.id, s.sign_code, s.zh, s.languages, st.name_zh AS site_zh,
                  st.name_en AS site_en, c.name_zh AS county_zh, c.name_en AS county_en
           FROM signs s JOIN sites st ON st.id = s.site_id
           JOIN counties c ON c.id = s.county_id WHERE s.sign_code = ?""", [code]), None) \
        if SIGN_CODE_RE.match(code) else None
    if row is None:
        raise NotFound(msg("There is no sign with this code."))
    approved = {r["lang"]: r["text"] for r in db.query(
        """SELECT su.target_lang AS lang, u.target_text AS text FROM sign_units su
           JOIN translation_units u ON u.id = su.unit_id
           WHERE su.sign_id = ? AND u.state = 'approved'""", [row["id"]])}
    required = [lang for lang in FOREIGN_ORDER if lang in row["languages"].split(";")]
    return {
        "sign_code": row["sign_code"], "zh": row["zh"],
        "site_zh": row["site_zh"], "site_en": row["site_en"],
        "county_zh": row["county_zh"], "county_en": row["county_en"],
        "wording": [(lang, approved[lang]) for lang in FOREIGN_ORDER if lang in approved],
        "languages": required,
        "complete": all(lang in approved for lang in required),
    }


def public_status(db: Database, tracking_code: str) -> dict[str, Any]:
    """A report as its reporter may follow it: what they sent and what became of it."""
    code = normalize_tracking_code(tracking_code)
    row = next(db.query(
        """SELECT tracking_code, kind, description, suggestion, sign_code, status,
                  rejection_reason, created_at, updated_at, fixed_at
           FROM reports WHERE tracking_code = ?""", [code]), None) if code else None
    if row is None:
        raise NotFound(msg("There is no report with this tracking code. Check the code."))
    return {
        "tracking_code": format_tracking_code(row["tracking_code"]),
        "kind": row["kind"], "description": row["description"],
        "suggestion": row["suggestion"], "sign_code": row["sign_code"],
        "status": row["status"],
        "rejection_reason": row["rejection_reason"] if row["status"] == "rejected" else None,
        "received_on": row["created_at"][:10], "updated_on": row["updated_at"][:10],
        "fixed_on": (row["fixed_at"] or "")[:10] or None,
    }
