"""Sign-in throttling: growing delays per account, and per address across accounts. No Flask.

Two counters, both read from ``login_attempts``:

* **per account** — failures since the account's last successful sign-in or an
  administrator's unlock (and within ``account_window``). The first
  ``free_failures`` cost nothing; after that each attempt must wait
  ``base_delay × 2^(failures − free_failures)`` seconds after the last failure,
  capped at ``max_delay``. Nobody can lock an account for good (the admin
  included): the wait never exceeds the cap, and attempts refused while
  waiting are not counted, so hammering does not make it longer.
* **per address** — failures from one address on any account within
  ``address_window``. Only past ``address_free_failures`` (many more than one
  person mistyping) do the same growing delays apply to that address, so a
  sprayer cannot try one password on every account, while five wrong
  passwords behind an office NAT lock nobody but that one account.

Unknown usernames are counted and delayed exactly like real ones, so the
answers reveal nothing about which accounts exist.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from workbench import audit
from workbench.db import transaction
from workbench.errors import NotFound, TooManyAttempts
from workbench.messages import Message, msg, nmsg

if TYPE_CHECKING:  # the user type only: auth imports this module
    from workbench.auth import User


@dataclass(frozen=True)
class Policy:
    """The throttling parameters (settings ``LOGIN_*``)."""

    free_failures: int = 5
    base_delay: float = 30.0
    max_delay: float = 900.0
    account_window: float = 24 * 3600.0
    address_free_failures: int = 30
    address_window: float = 900.0

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> Policy:
        """The policy from the app settings (missing ones keep their defaults)."""
        settings = settings or {}
        names = {"free_failures": "LOGIN_FREE_FAILURES", "base_delay": "LOGIN_BASE_DELAY",
                 "max_delay": "LOGIN_MAX_DELAY", "account_window": "LOGIN_ACCOUNT_WINDOW",
                 "address_free_failures": "LOGIN_ADDRESS_FREE_FAILURES",
                 "address_window": "LOGIN_ADDRESS_WINDOW"}
        values = {field: type(getattr(cls, field))(settings[key])
                  for field, key in names.items() if settings.get(key) is not None}
        return cls(**values)


def timestamp(moment: datetime) -> str:
    """How attempt times are stored (sortable ISO 8601, UTC, microseconds)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def backoff(failures: int, free: int, base: float, cap: float) -> float:
    """Seconds to wait after the last of ``failures`` failures (0 while within ``free``)."""
    if failures < free:
        return 0.0
    return min(cap, base * 2 ** min(failures - free, 32))


def _wait(count: int, last: str | None, free: int, policy: Policy, now: datetime) -> float:
    if not count or last is None:
        return 0.0
    delay = backoff(count, free, policy.base_delay, policy.max_delay)
    ready = datetime.fromisoformat(last) + timedelta(seconds=delay)
    return max(0.0, (ready - now).total_seconds())


def account_failures(db: Database, username: str, policy: Policy,
                     now: datetime) -> tuple[int, str | None]:
    """(failures that count, time of the last one) for a username, known or not."""
    since = timestamp(now - timedelta(seconds=policy.account_window))
    row = db.execute(
        """SELECT count(*), max(a.ts) FROM login_attempts a
           WHERE a.username = ? AND a.success = 0 AND a.ts > ?
             AND a.ts > coalesce((SELECT max(s.ts) FROM login_attempts s
                                  WHERE s.username = a.username AND s.success = 1), '')
             AND a.ts > coalesce((SELECT u.login_unlocked_at FROM users u
                                  WHERE u.username = a.username), '')""",
        [username, since]).fetchone()
    return row[0], row[1]


def address_failures(db: Database, remote_addr: str | None, policy: Policy,
                     now: datetime) -> tuple[int, str | None]:
    """(failures from this address on any account within the window, time of the last one)."""
    if not remote_addr:
        return 0, None
    since = timestamp(now - timedelta(seconds=policy.address_window))
    row = db.execute(
        "SELECT count(*), max(ts) FROM login_attempts WHERE remote_addr = ? AND success = 0 "
        "AND ts > ?", [remote_addr, since]).fetchone()
    return row[0], row[1]


def wait_seconds(db: Database, username: str, remote_addr: str | None, policy: Policy,
                 now: datetime) -> float:
    """How long this username from this address must still wait before trying (0: go ahead)."""
    count, last = account_failures(db, username, policy, now)
    account_wait = _wait(count, last, policy.free_failures, policy, now)
    count, last = address_failures(db, remote_addr, policy, now)
    address_wait = _wait(count, last, policy.address_free_failures, policy, now)
    return max(account_wait, address_wait)


def duration(seconds: float) -> Message:
    """A wait as a message: "40 seconds", "3 minutes" (rounded up)."""
    whole = max(1, int(-(-seconds // 1)))
    if whole < 120:
        return nmsg("%(n)s second", "%(n)s seconds", whole)
    return nmsg("%(n)s minute", "%(n)s minutes", int(-(-whole // 60)))


def check(db: Database, username: str, remote_addr: str | None, policy: Policy,
          now: datetime) -> None:
    """Raise TooManyAttempts (saying how long to wait) while the attempt must wait."""
    wait = wait_seconds(db, username, remote_addr, policy, now)
    if wait > 0:
        raise TooManyAttempts(msg(
            "Too many failed sign-in attempts. Try again in %(wait)s, or ask an "
            "administrator to unlock your account.", wait=duration(wait)),
            retry_after=int(-(-wait // 1)))


def record(db: Database, username: str, remote_addr: str | None, success: bool,
           now: datetime) -> None:
    """Write one attempt (bookkeeping; the caller's transaction when there is one)."""
    with transaction(db):
        db.table("login_attempts").insert({"username": username, "remote_addr": remote_addr,
                                     "ts": timestamp(now), "success": int(success)})


def unlock(db: Database, actor: User, user_id: int, now: datetime | None = None) -> None:
    """Forget the user's failed sign-ins so far (an administrator's decision, audited)."""
    now = now or datetime.now(timezone.utc)
    with transaction(db):
        row = db.execute("SELECT login_unlocked_at FROM users WHERE id = ?", [user_id]).fetchone()
        if row is None:
            raise NotFound(msg("No such user."))
        db.execute("UPDATE users SET login_unlocked_at = ? WHERE id = ?",
                   [timestamp(now), user_id])
        audit.record(db, actor, "user.unlock", "user", user_id,
                     {"login_unlocked_at": row[0]}, {"login_unlocked_at": timestamp(now)})


def account_status(db: Database, username: str, policy: Policy,
                   now: datetime | None = None) -> dict[str, Any]:
    """For the admin page: failures that count and how long the account must still wait."""
    now = now or datetime.now(timezone.utc)
    count, last = account_failures(db, username, policy, now)
    wait = _wait(count, last, policy.free_failures, policy, now)
    return {"failures": count, "last_failure": last, "wait": wait,
            "wait_text": duration(wait) if wait > 0 else None}
