"""Rate limits on public report submissions: per sender address and per sign. No Flask.

Every submission that gets past the limits is written to ``report_attempts``
(bookkeeping, not audited) with its outcome — accepted, invalid, or caught
by the honeypot — so that a sender cannot try again and again with bad
input either. Submissions refused by a limit are *not* written: a flood then
costs one indexed count per request and no writes.

Addresses are never stored: :func:`address_key` keeps a keyed hash, enough
to count one sender's submissions and useless to anyone who reads the table.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlite_utils import Database

from workbench.db import transaction
from workbench.errors import TooManyAttempts
from workbench.messages import Message, msg, nmsg

# Outcomes written to report_attempts; the first three count towards the address limit.
ACCEPTED, INVALID, HONEYPOT = "accepted", "invalid", "honeypot"
# Attempts older than this are deleted now and then (the longest window is a day by default).
KEEP_ATTEMPTS = timedelta(days=7)


class RateLimited(TooManyAttempts):
    """Too many reports from one sender or about one sign; ``retry_after`` in seconds."""

    def __init__(self, message: Message, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RateLimits:
    """How many submissions a sender (address) and a sign may have per window (seconds)."""

    per_address: int = 10
    address_window: int = 3600
    per_sign: int = 30
    sign_window: int = 24 * 3600

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> RateLimits:
        """The limits from the settings ``REPORT_LIMIT_*`` / ``REPORT_*_WINDOW``."""
        settings = settings or {}
        names = {"per_address": "REPORT_LIMIT_PER_ADDRESS",
                 "address_window": "REPORT_ADDRESS_WINDOW",
                 "per_sign": "REPORT_LIMIT_PER_SIGN", "sign_window": "REPORT_SIGN_WINDOW"}
        return cls(**{field: int(settings[key]) for field, key in names.items()
                      if settings.get(key) is not None})


def address_key(address: str | None, secret: str | bytes | None) -> str | None:
    """A keyed hash of the sender's address (None when there is no address)."""
    if not address:
        return None
    key = secret.encode("utf-8") if isinstance(secret, str) else (secret or b"signbench")
    return hmac.new(key, address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _wait_message(seconds: int) -> Message:
    minutes = max(1, -(-seconds // 60))
    if minutes < 120:
        return nmsg("%(n)s minute", "%(n)s minutes", minutes)
    return nmsg("%(n)s hour", "%(n)s hours", -(-minutes // 60))


def _retry_after(oldest: str | None, window: int, now: datetime) -> int:
    if not oldest:
        return window
    ready = datetime.fromisoformat(oldest) + timedelta(seconds=window)
    return max(1, int((ready - now).total_seconds()) + 1)


def check(db: Database, limits: RateLimits, key: str | None, sign_code: str | None,
          now: datetime | None = None) -> None:
    """Raise :class:`RateLimited` when the sender or the sign has used up its window."""
    now = now or datetime.now(timezone.utc)
    if key is not None and limits.per_address >= 0:
        since = _stamp(now - timedelta(seconds=limits.address_window))
        count, oldest = db.execute(
            "SELECT count(*), min(ts) FROM report_attempts WHERE address_key = ? AND ts > ?",
            [key, since]).fetchone()
        if count >= limits.per_address:
            wait = _retry_after(oldest, limits.address_window, now)
            raise RateLimited(msg(
                "You have sent many reports in a short time. Please try again in %(wait)s.",
                wait=_wait_message(wait)), wait)
    if sign_code and limits.per_sign >= 0:
        since = _stamp(now - timedelta(seconds=limits.sign_window))
        count, oldest = db.execute(
            "SELECT count(*), min(ts) FROM report_attempts WHERE sign_code = ? AND ts > ? "
            "AND outcome = ?", [sign_code, since, ACCEPTED]).fetchone()
        if count >= limits.per_sign:
            wait = _retry_after(oldest, limits.sign_window, now)
            raise RateLimited(msg(
                "This sign has already been reported many times today, and the office is "
                "looking into it. Thank you! You can report it again in %(wait)s.",
                wait=_wait_message(wait)), wait)


def record_attempt(db: Database, key: str | None, sign_code: str | None, outcome: str,
                   now: datetime | None = None) -> None:
    """Count one submission (bookkeeping, in the caller's transaction when there is one)."""
    now = now or datetime.now(timezone.utc)
    with transaction(db):
        attempt_id = db.table("report_attempts").insert(
            {"address_key": key, "sign_code": sign_code, "outcome": outcome,
             "ts": _stamp(now)}).last_pk
        if attempt_id and attempt_id % 1000 == 0:
            # Now and then, forget what no window looks at any more.
            db.execute("DELETE FROM report_attempts WHERE ts < ?",
                       [_stamp(now - KEEP_ATTEMPTS)])
