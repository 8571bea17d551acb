"""Signed-in sessions that can be revoked. No Flask here.

Each sign-in opens a session: a random token (kept in the signed session
cookie) whose SHA-256 is stored in ``user_sessions`` together with the user's
*session generation* at that moment. A request is signed in only while

* its token's row exists (signing out deletes it, so a copied cookie stops
  working the moment its owner signs out), and
* the row's generation equals the user's current one: a password change, an
  administrator's reset, disabling the account and "sign out everywhere" bump
  the generation (:func:`revoke_all`), which ends every older session at once.
"""
from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from workbench import audit
from workbench.db import transaction

if TYPE_CHECKING:  # the user type only: auth imports this module
    from workbench.auth import User

# A user rarely has more than a few browsers; old rows beyond this are dropped.
MAX_SESSIONS_PER_USER = 20
TOKEN_BYTES = 32


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(db: Database, user_id: int, *, remote_addr: str | None = None,
                 user_agent: str | None = None) -> str:
    """Start a session for the user at their current generation; returns its secret token."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction(db):
        generation = db.execute("SELECT session_generation FROM users WHERE id = ?",
                                [user_id]).fetchone()[0]
        db.table("user_sessions").insert({
            "user_id": user_id, "token_hash": _hash(token), "generation": generation,
            "created_at": audit.now_iso(), "remote_addr": remote_addr,
            "user_agent": (user_agent or "")[:200] or None})
        db.execute(
            """DELETE FROM user_sessions WHERE user_id = ? AND id NOT IN (
                   SELECT id FROM user_sessions WHERE user_id = ? ORDER BY id DESC LIMIT ?)""",
            [user_id, user_id, MAX_SESSIONS_PER_USER])
    return token


def session_user_row(db: Database, user_id: int, token: str | None) -> dict[str, Any] | None:
    """The active user's row when ``token`` is a live session of ``user_id``, else None.

    One read, no write: this runs on every request.
    """
    if not token:
        return None
    return next(db.query(
        """SELECT u.* FROM user_sessions s JOIN users u ON u.id = s.user_id
           WHERE s.token_hash = ? AND s.user_id = ? AND u.active = 1
             AND s.generation = u.session_generation""", [_hash(token), user_id]), None)


def close_session(db: Database, token: str | None) -> None:
    """End one session (sign-out): its cookie no longer signs anybody in."""
    if not token:
        return
    with transaction(db):
        db.execute("DELETE FROM user_sessions WHERE token_hash = ?", [_hash(token)])


def revoke_all(db: Database, actor: User, user_id: int, reason: str) -> int:
    """End every session of the user by bumping their generation (audited); the new generation.

    ``reason`` says why (``password``, ``reset``, ``disabled``, ``sign_out_everywhere``)
    and goes into the audit event. Runs in the caller's transaction when there is one.
    """
    with transaction(db):
        before = db.execute("SELECT session_generation FROM users WHERE id = ?",
                            [user_id]).fetchone()[0]
        db.execute("UPDATE users SET session_generation = ? WHERE id = ?", [before + 1, user_id])
        ended = db.execute("DELETE FROM user_sessions WHERE user_id = ?", [user_id]).rowcount
        audit.record(db, actor, "user.sessions_revoked", "user", user_id,
                     {"session_generation": before},
                     {"session_generation": before + 1, "reason": reason, "sessions": ended})
    return before + 1


def count_sessions(db: Database, user_id: int) -> int:
    """How many live sessions the user has (shown on account pages)."""
    return db.execute(
        """SELECT count(*) FROM user_sessions s JOIN users u ON u.id = s.user_id
           WHERE s.user_id = ? AND s.generation = u.session_generation""",
        [user_id]).fetchone()[0]
