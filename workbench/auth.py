"""Users, roles, permissions, passwords and county scope. No Flask here.

Roles and what they may do live in one table, :data:`PERMISSIONS`; every web
route and CLI command asks :func:`require` / :func:`can`. An officer belongs to
one county and only ever sees that county's records: :func:`county_scope` and
:func:`check_county` are the one place that rule is written.
"""
from __future__ import annotations

import getpass
import secrets
from dataclasses import dataclass, asdict
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash

from workbench import audit
from workbench.db import transaction
from workbench.errors import NotFound, PermissionDenied, TooManyAttempts, ValidationError

ROLES = ("admin", "staff", "reviewer", "translator", "officer")

# What each role may do. "*" is everything.
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"*"}),
    "staff": frozenset({
        "audit.view", "glossary.view", "glossary.edit", "inventory.view",
        "inventory.view_all", "inventory.submit", "inventory.manage", "review.view",
        "export.run", "documents.view", "documents.manage", "reports.view", "reports.decide",
    }),
    "reviewer": frozenset({
        "glossary.view", "glossary.edit", "inventory.view", "inventory.view_all",
        "review.view", "review.translate", "review.approve", "documents.view",
        "documents.translate", "reports.view",
    }),
    "translator": frozenset({
        "glossary.view", "glossary.propose", "inventory.view", "inventory.view_all",
        "review.view", "review.translate", "documents.view", "documents.translate",
    }),
    "officer": frozenset({
        "glossary.view", "inventory.view", "inventory.submit", "reports.view", "reports.decide",
    }),
}

PASSWORD_MIN_LENGTH = 10
PASSWORD_METHOD = "scrypt"


@dataclass(frozen=True)
class User:
    """A signed-in person (or the system, with ``id`` None)."""

    id: int | None
    username: str
    role: str
    display_name: str = ""
    county_id: int | None = None
    locale: str | None = None
    active: bool = True

    @property
    def label(self) -> str:
        """The name to show: display name, else username."""
        return self.display_name or self.username

    def to_public(self) -> dict[str, Any]:
        """The user's fields for audit events (never the password hash)."""
        return asdict(self)


def system_actor(name: str | None = None) -> User:
    """The actor for changes made by the CLI or by init (recorded in the audit chain)."""
    return User(id=None, username=name or f"cli:{getpass.getuser()}", role="admin")


def can(user: User | None, permission: str) -> bool:
    """Whether the user's role allows ``permission``."""
    if user is None or not user.active:
        return False
    allowed = PERMISSIONS.get(user.role, frozenset())
    return "*" in allowed or permission in allowed


def require(user: User | None, permission: str) -> None:
    """Raise PermissionDenied unless the user may do ``permission``."""
    if not can(user, permission):
        raise PermissionDenied("Your role does not allow this action.")


def county_scope(user: User) -> int | None:
    """The only county the user may see, or None when they may see every county."""
    if user.role == "officer":
        return user.county_id
    return None


def check_county(user: User, county_id: int | None) -> None:
    """Raise NotFound when a record of ``county_id`` is outside the user's scope.

    NotFound rather than PermissionDenied so that an officer cannot learn which
    records exist in another county.
    """
    scope = county_scope(user)
    if scope is not None and county_id != scope:
        raise NotFound("No such record.")


def generate_password() -> str:
    """A random password that is easy to read out: 4 groups of 4 characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def _check_password_strength(password: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationError.single(
            f"The password must have at least {PASSWORD_MIN_LENGTH} characters.",
            column="password")


def _row_to_user(row: dict[str, Any]) -> User:
    return User(id=row["id"], username=row["username"], role=row["role"],
                display_name=row["display_name"] or "", county_id=row["county_id"],
                locale=row["locale"], active=bool(row["active"]))


def _public_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "password_hash"}


def get_user(db: Database, user_id: int) -> User | None:
    """The user with this id, or None."""
    row = next(db.query("SELECT * FROM users WHERE id = ?", [user_id]), None)
    return _row_to_user(row) if row else None


def find_user(db: Database, username: str) -> User | None:
    """The user with this username (case-insensitive), or None."""
    row = next(db.query("SELECT * FROM users WHERE username = ?", [username]), None)
    return _row_to_user(row) if row else None


def list_users(db: Database, *, role: str | None = None) -> list[dict[str, Any]]:
    """Every user with their county name, for admin pages and the CLI."""
    where = "WHERE u.role = ?" if role else ""
    return list(db.query(
        f"""SELECT u.id, u.username, u.display_name, u.role, u.active, u.locale,
                   u.created_at, u.last_login_at, u.county_id, c.name_zh AS county
            FROM users u LEFT JOIN counties c ON c.id = u.county_id {where}
            ORDER BY u.username""", [role] if role else []))


def users_with_permission(db: Database, permission: str) -> list[User]:
    """Active users whose role allows ``permission`` (e.g. everyone who can approve)."""
    roles = [r for r in ROLES if "*" in PERMISSIONS[r] or permission in PERMISSIONS[r]]
    placeholders = ",".join("?" for _ in roles)
    return [_row_to_user(r) for r in db.query(
        f"SELECT * FROM users WHERE active = 1 AND role IN ({placeholders}) ORDER BY username",
        roles)]


def _validate_role_county(db: Database, role: str, county_id: int | None) -> None:
    if role not in ROLES:
        raise ValidationError.single(
            f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.", column="role")
    if role == "officer" and county_id is None:
        raise ValidationError.single("An officer must belong to a county.", column="county")
    if county_id is not None and not db["counties"].count_where("id = ?", [county_id]):
        raise ValidationError.single("Unknown county.", column="county", value=county_id)


def create_user(db: Database, actor: User, username: str, role: str, *,
                county_id: int | None = None, password: str | None = None,
                display_name: str = "", locale: str | None = None) -> tuple[User, str]:
    """Create a user; returns (user, password). A password is generated when none is given."""
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise ValidationError.single(
            "A username needs 1–64 characters and no spaces.", column="username", value=username)
    _validate_role_county(db, role, county_id)
    if role != "officer":
        county_id = None
    password = password or generate_password()
    _check_password_strength(password)
    with transaction(db):
        if find_user(db, username):
            raise ValidationError.single(
                f"A user named {username!r} already exists.", column="username")
        row = {
            "username": username, "display_name": display_name, "role": role,
            "county_id": county_id, "locale": locale, "active": 1,
            "password_hash": generate_password_hash(password, method=PASSWORD_METHOD),
            "created_at": audit.now_iso(), "password_changed_at": audit.now_iso(),
        }
        user_id = db["users"].insert(row).last_pk
        row["id"] = user_id
        audit.record(db, actor, "user.create", "user", user_id, None, _public_row(row))
    return get_user(db, user_id), password  # type: ignore[return-value]


def update_user(db: Database, actor: User, user_id: int, *, role: str | None = None,
                county_id: int | None = None, display_name: str | None = None,
                active: bool | None = None, locale: str | None = None,
                clear_locale: bool = False) -> User:
    """Change a user's role, county, name, locale or active flag (audited)."""
    with transaction(db):
        before = next(db.query("SELECT * FROM users WHERE id = ?", [user_id]), None)
        if before is None:
            raise NotFound("No such user.")
        after = dict(before)
        if role is not None:
            after["role"] = role
        if role is not None or county_id is not None:
            after["county_id"] = county_id if after["role"] == "officer" else None
        if display_name is not None:
            after["display_name"] = display_name
        if active is not None:
            if not active and actor.id == user_id:
                raise ValidationError.single("You cannot disable your own account.")
            after["active"] = int(active)
        if locale is not None or clear_locale:
            after["locale"] = locale
        _validate_role_county(db, after["role"], after["county_id"])
        if after["role"] != "admin" or not after["active"]:
            others = db.execute(
                "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND id != ?",
                [user_id]).fetchone()[0]
            if before["role"] == "admin" and before["active"] and others == 0:
                raise ValidationError.single("The last active admin cannot be demoted or disabled.")
        if after == before:
            return _row_to_user(before)
        db["users"].update(user_id, after)
        audit.record(db, actor, "user.update", "user", user_id,
                     _public_row(before), _public_row(after))
    return get_user(db, user_id)  # type: ignore[return-value]


def set_password(db: Database, actor: User, user_id: int, new_password: str, *,
                 current_password: str | None = None) -> None:
    """Set a user's password; a user changing their own must give the current one."""
    _check_password_strength(new_password)
    with transaction(db):
        row = next(db.query("SELECT * FROM users WHERE id = ?", [user_id]), None)
        if row is None:
            raise NotFound("No such user.")
        if actor.id == user_id and not check_password_hash(row["password_hash"],
                                                           current_password or ""):
            raise ValidationError.single("The current password is not right.",
                                         column="current_password")
        changed_at = audit.now_iso()
        db["users"].update(user_id, {
            "password_hash": generate_password_hash(new_password, method=PASSWORD_METHOD),
            "password_changed_at": changed_at})
        # The hash itself never enters the audit log; the fact of the change does.
        audit.record(db, actor, "user.password", "user", user_id,
                     {"password_changed_at": row["password_changed_at"]},
                     {"password_changed_at": changed_at})


def authenticate(db: Database, username: str, password: str, *,
                 remote_addr: str | None = None, max_failures: int = 5,
                 window_seconds: int = 900) -> User | None:
    """Check a login. Returns the user, or None for a wrong name/password.

    Raises TooManyAttempts when the name or address had ``max_failures``
    failures within the window, before even looking at the password.
    """
    now = datetime.now(timezone.utc)
    since = (now - timedelta(seconds=window_seconds)).isoformat(timespec="microseconds")
    failures = db.execute(
        """SELECT count(*), min(ts) FROM login_attempts
           WHERE success = 0 AND ts >= ? AND (username = ? OR (remote_addr = ? AND ? IS NOT NULL))""",
        [since, username, remote_addr, remote_addr]).fetchone()
    if failures[0] >= max_failures:
        oldest = datetime.fromisoformat(failures[1])
        wait = max(1, int((oldest + timedelta(seconds=window_seconds) - now).total_seconds() // 60) + 1)
        raise TooManyAttempts(
            f"Too many failed sign-in attempts. Try again in {wait} minute(s) "
            "or ask an administrator to reset your password.")
    row = next(db.query("SELECT * FROM users WHERE username = ?", [username]), None)
    ok = bool(row and row["active"] and check_password_hash(row["password_hash"], password))
    with transaction(db):
        db["login_attempts"].insert({"username": username, "remote_addr": remote_addr,
                                     "ts": now.isoformat(timespec="microseconds"),
                                     "success": int(ok)})
        if ok:
            login_at = now.isoformat(timespec="seconds")
            db.execute("UPDATE users SET last_login_at = ? WHERE id = ?", [login_at, row["id"]])
            audit.record(db, _row_to_user(row), "user.login", "user", row["id"],
                         {"last_login_at": row["last_login_at"]}, {"last_login_at": login_at})
    return _row_to_user(row) if ok else None
