"""Users, roles, permissions, passwords and county scope. No Flask here.

Roles and what they may do live in one table, :data:`PERMISSIONS`; every web
route and CLI command asks :func:`require` / :func:`can`. An officer belongs to
one county and only ever sees that county's records: :func:`county_scope` and
:func:`check_county` are the one place that rule is written.
"""
from __future__ import annotations

import getpass
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, asdict
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash

from workbench import audit, credentials, sessions, throttle
from workbench.db import insert_row, row_or_not_found, transaction
from workbench.errors import NotFound, PermissionDenied, ValidationError
from workbench.messages import msg
from workbench.vocabulary import ROLES as ROLE_VOCABULARY

# The roles, least privileged first (labels: workbench.vocabulary.ROLES).
ROLES = ROLE_VOCABULARY.codes

# What each role may do. "*" is everything.
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"*"}),
    "staff": frozenset({
        "audit.view", "glossary.view", "glossary.edit", "inventory.view",
        "inventory.view_all", "inventory.submit", "inventory.manage", "review.view",
        "export.run", "documents.view", "documents.manage", "reports.view", "reports.decide",
        "jobs.view", "jobs.view_all", "jobs.manage",
    }),
    "reviewer": frozenset({
        "glossary.view", "glossary.edit", "inventory.view", "inventory.view_all",
        "review.view", "review.translate", "review.approve", "documents.view",
        "documents.translate", "jobs.view", "reports.view",
    }),
    "translator": frozenset({
        "glossary.view", "glossary.propose", "inventory.view", "inventory.view_all",
        "review.view", "review.translate", "documents.view", "documents.translate",
        "jobs.view",
    }),
    "officer": frozenset({
        "glossary.view", "inventory.view", "inventory.submit", "jobs.view", "reports.view",
        "reports.decide",
    }),
}

PASSWORD_MIN_LENGTH = credentials.PASSWORD_MIN_LENGTH
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
        raise PermissionDenied(msg("Your role does not allow this action."))


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
        raise NotFound(msg("No such record."))


def generate_password() -> str:
    """A random password that is easy to read out: 4 groups of 4 characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Checked against when the username is unknown or disabled, so that every
    # wrong sign-in costs the same scrypt work and time reveals no account.
    return generate_password_hash(secrets.token_hex(16), method=PASSWORD_METHOD)


def user_from_row(row: Mapping[str, Any]) -> User:
    """The domain user of a ``users`` row."""
    return User(id=row["id"], username=row["username"], role=row["role"],
                display_name=row["display_name"] or "", county_id=row["county_id"],
                locale=row["locale"], active=bool(row["active"]))


def _public_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "password_hash"}


def get_user(db: Database, user_id: int) -> User | None:
    """The user with this id, or None."""
    row = next(db.query("SELECT * FROM users WHERE id = ?", [user_id]), None)
    return user_from_row(row) if row else None


def find_user(db: Database, username: str) -> User | None:
    """The user with this username (NFKC-normalized, case-insensitive), or None."""
    row = next(db.query("SELECT * FROM users WHERE username = ?",
                        [credentials.normalize_username(username)]), None)
    return user_from_row(row) if row else None


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
    return [user_from_row(r) for r in db.query(
        f"SELECT * FROM users WHERE active = 1 AND role IN ({placeholders}) ORDER BY username",
        roles)]


def _validate_role_county(db: Database, role: str, county_id: int | None) -> None:
    if role not in ROLES:
        raise ValidationError.single(
            msg("Unknown role %(role)s; choose one of %(roles)s.", role=repr(role),
                roles=", ".join(ROLES)), column="role")
    if role == "officer" and county_id is None:
        raise ValidationError.single(msg("An officer must belong to a county."),
                                     column="county")
    if county_id is not None and not db["counties"].count_where("id = ?", [county_id]):
        raise ValidationError.single(msg("Unknown county."), column="county",
                                     value=county_id)


def create_user(db: Database, actor: User, username: str, role: str, *,
                county_id: int | None = None, password: str | None = None,
                display_name: str = "", locale: str | None = None) -> tuple[User, str]:
    """Create a user; returns (user, password). A password is generated when none is given."""
    username = credentials.check_username(username)
    _validate_role_county(db, role, county_id)
    if role != "officer":
        county_id = None
    password = password or generate_password()
    credentials.check_password(password, username)
    with transaction(db):
        if find_user(db, username):
            raise ValidationError.single(
                msg("A user named %(name)s already exists.", name=username), column="username")
        similar = credentials.look_alike(
            username, [row[0] for row in db.execute("SELECT username FROM users")])
        if similar is not None:
            raise ValidationError.single(msg(
                "The username looks like the existing user %(name)s; choose a distinct one.",
                name=similar), column="username", value=username)
        row = {
            "username": username, "display_name": display_name, "role": role,
            "county_id": county_id, "locale": locale, "active": 1,
            "password_hash": generate_password_hash(password, method=PASSWORD_METHOD),
            "created_at": audit.now_iso(), "password_changed_at": audit.now_iso(),
        }
        user_id = insert_row(db, "users", row)
        row["id"] = user_id
        audit.record(db, actor, "user.create", "user", user_id, None, _public_row(row))
    return user_from_row(db.table("users").get(user_id)), password


def update_user(db: Database, actor: User, user_id: int, *, role: str | None = None,
                county_id: int | None = None, display_name: str | None = None,
                active: bool | None = None, locale: str | None = None,
                clear_locale: bool = False) -> User:
    """Change a user's role, county, name, locale or active flag (audited)."""
    with transaction(db):
        before = row_or_not_found(db, "SELECT * FROM users WHERE id = ?", [user_id],
                                  msg("No such user."))
        after = dict(before)
        if role is not None:
            after["role"] = role
        if role is not None or county_id is not None:
            after["county_id"] = county_id if after["role"] == "officer" else None
        if display_name is not None:
            after["display_name"] = display_name
        if active is not None:
            if not active and actor.id == user_id:
                raise ValidationError.single(msg("You cannot disable your own account."))
            after["active"] = int(active)
        if locale is not None or clear_locale:
            after["locale"] = locale
        _validate_role_county(db, after["role"], after["county_id"])
        if after["role"] != "admin" or not after["active"]:
            others = db.execute(
                "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND id != ?",
                [user_id]).fetchone()[0]
            if before["role"] == "admin" and before["active"] and others == 0:
                raise ValidationError.single(
                    msg("The last active admin cannot be demoted or disabled."))
        if after == before:
            return user_from_row(before)
        db.table("users").update(user_id, after)
        audit.record(db, actor, "user.update", "user", user_id,
                     _public_row(before), _public_row(after))
        if before["active"] and not after["active"]:
            sessions.revoke_all(db, actor, user_id, "disabled")
    return user_from_row(db.table("users").get(user_id))


def set_password(db: Database, actor: User, user_id: int, new_password: str, *,
                 current_password: str | None = None) -> None:
    """Set a user's password; a user changing their own must give the current one.

    Every session of the user ends (their generation is bumped): a stolen
    session does not survive the password change meant to stop it.
    """
    with transaction(db):
        row = row_or_not_found(db, "SELECT * FROM users WHERE id = ?", [user_id],
                               msg("No such user."))
        if actor.id == user_id and not check_password_hash(row["password_hash"],
                                                           current_password or ""):
            raise ValidationError.single(msg("The current password is not right."),
                                         column="current_password")
        credentials.check_password(new_password, row["username"])
        changed_at = audit.now_iso()
        db.table("users").update(user_id, {
            "password_hash": generate_password_hash(new_password, method=PASSWORD_METHOD),
            "password_changed_at": changed_at})
        # The hash itself never enters the audit log; the fact of the change does.
        audit.record(db, actor, "user.password", "user", user_id,
                     {"password_changed_at": row["password_changed_at"]},
                     {"password_changed_at": changed_at})
        sessions.revoke_all(db, actor, user_id,
                            "password" if actor.id == user_id else "reset")


def authenticate(db: Database, username: str, password: str, *,
                 remote_addr: str | None = None,
                 settings: Mapping[str, Any] | None = None,
                 now: datetime | None = None) -> User | None:
    """Check a sign-in. Returns the user, or None for a wrong name or password.

    Raises TooManyAttempts (saying how long to wait) while the account or the
    address must wait (:mod:`workbench.throttle`), before looking at the
    password. A wrong, unknown or disabled account costs the same password
    hashing as a right one.
    """
    now = now or datetime.now(timezone.utc)
    policy = throttle.Policy.from_settings(settings)
    username = credentials.normalize_username(username)[:credentials.USERNAME_MAX_LENGTH]
    throttle.check(db, username, remote_addr, policy, now)
    row = next(db.query("SELECT * FROM users WHERE username = ?", [username]), None)
    usable = row is not None and bool(row["active"])
    matches = check_password_hash(
        row["password_hash"] if row is not None and usable else _dummy_hash(), password)
    if row is None or not usable or not matches:
        throttle.record(db, username, remote_addr, False, now)
        return None
    with transaction(db):
        throttle.record(db, row["username"], remote_addr, True, now)
        login_at = now.isoformat(timespec="seconds")
        db.execute("UPDATE users SET last_login_at = ? WHERE id = ?", [login_at, row["id"]])
        audit.record(db, user_from_row(row), "user.login", "user", row["id"],
                     {"last_login_at": row["last_login_at"]}, {"last_login_at": login_at})
    return user_from_row(row)


def sign_out_everywhere(db: Database, actor: User, user_id: int) -> None:
    """End every session of a user: their own choice, or an administrator's."""
    if actor.id != user_id:
        require(actor, "users.manage")
    if get_user(db, user_id) is None:
        raise NotFound(msg("No such user."))
    sessions.revoke_all(db, actor, user_id, "sign_out_everywhere")


def unlock_sign_in(db: Database, actor: User, user_id: int) -> None:
    """Lift the sign-in back-off of an account (administrators)."""
    require(actor, "users.manage")
    throttle.unlock(db, actor, user_id)
