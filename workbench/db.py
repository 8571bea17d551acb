"""Opening the SQLite database, transactions, and the per-request connection.

Domain code uses :func:`open_db` and :func:`transaction`; only :func:`get_db`
and :func:`init_app` touch Flask, and they import it lazily so that importing
this module never pulls Flask into domain code.
"""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench.errors import Busy, NotFound
from workbench.messages import MessageLike

BUSY_TIMEOUT_MS = 10_000
# SQLite's primary result codes for "another connection holds the lock".
SQLITE_BUSY, SQLITE_LOCKED = 5, 6

# The range of an SQLite INTEGER: a larger Python int cannot even be bound as a parameter.
SQLITE_INT_MIN, SQLITE_INT_MAX = -(2 ** 63), 2 ** 63 - 1

# Called with every connection open_db() makes (e.g. tests attach a tracer).
CONNECTION_HOOKS: list[Callable[[sqlite3.Connection], None]] = []


def open_db(path: str | Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Database:
    """Open (creating if needed) the workbench database with its pragmas set.

    WAL lets readers go on while one writer writes; foreign keys are enforced;
    a busy timeout makes concurrent writers wait (up to ``busy_timeout_ms``)
    instead of failing at once.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    busy_timeout_ms = max(0, int(busy_timeout_ms))
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=busy_timeout_ms / 1000)
    for hook in CONNECTION_HOOKS:
        hook(conn)
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")
    if db.journal_mode != "wal":
        db.enable_wal()
    return db


def is_busy_error(error: BaseException) -> bool:
    """Whether ``error`` is SQLite saying another connection holds the lock (busy/locked)."""
    if not isinstance(error, sqlite3.OperationalError):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    text = str(error).lower()
    return "database is locked" in text or "database is busy" in text


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One write transaction: everything inside commits together or not at all.

    The outermost block starts with ``BEGIN IMMEDIATE`` so that a transaction
    which reads before it writes (the audit chain reads the previous hash)
    takes the write lock first and cannot be overtaken by another writer.
    Nested blocks become savepoints through ``db.atomic()``.

    When another writer keeps the lock past the busy timeout, nothing has been
    written and :class:`~workbench.errors.Busy` is raised: the caller (the web
    layer retries) may simply try again.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if is_busy_error(error):
            raise Busy() from error
        raise
    try:
        with db.atomic():
            yield db
        db.conn.execute("COMMIT")
    except BaseException as error:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        if is_busy_error(error):
            raise Busy() from error
        raise


def to_int(value: Any, *, minimum: int | None = None,
           maximum: int | None = None) -> int | None:
    """An integer from user input that SQLite can store, or None when it is not one.

    Accepts ints and ASCII decimal strings (surrounding spaces allowed, an optional
    minus sign); refuses anything else — ``"²"``, ``"1e9"``, ``"9" * 30``, booleans —
    and values outside SQLite's 64-bit range or outside ``minimum``/``maximum``.
    The one place user-supplied ids, pages and counts are parsed.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        digits = text[1:] if text.startswith("-") else text
        if not digits or len(digits) > 19 or not (digits.isascii() and digits.isdigit()):
            return None
        number = int(text)
    low = SQLITE_INT_MIN if minimum is None else max(minimum, SQLITE_INT_MIN)
    high = SQLITE_INT_MAX if maximum is None else min(maximum, SQLITE_INT_MAX)
    return number if low <= number <= high else None


def like_pattern(text: str) -> str:
    """``%text%`` for ``LIKE ? ESCAPE '\\'``, with ``%``, ``_`` and ``\\`` in ``text`` literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def equal_conditions(pairs: Iterable[tuple[str, Any]]) -> tuple[list[str], list[Any]]:
    """``column = ?`` conditions and their parameters for the filters that are set.

    ``pairs`` are (SQL column expression, value); an empty value means "no filter".
    The column expressions come from code, never from users.
    """
    where, params = [], []
    for column, value in pairs:
        if value not in (None, ""):
            where.append(f"{column} = ?")
            params.append(value)
    return where, params


def insert_row(db: Database, table: str, row: dict[str, Any]) -> int:
    """Insert ``row`` into ``table`` (an integer-keyed table) and return its new id.

    sqlite-utils types ``last_pk`` loosely (any key, or None); the workbench's tables
    are keyed by an integer ``id``, so the id is checked and returned as one.
    """
    last_pk = db.table(table).insert(row).last_pk
    if not isinstance(last_pk, int):
        raise TypeError(f"{table} is not keyed by an integer id: {last_pk!r}")
    return last_pk


def row_or_not_found(db: Database, sql: str, params: Iterable[Any],
                     missing: MessageLike) -> dict[str, Any]:
    """The first row ``sql`` selects, or :class:`NotFound` with the ``missing`` message.

    The one not-found lookup: ``row_or_not_found(db, "SELECT * FROM reports WHERE id = ?",
    [report_id], msg("No such report."))``.
    """
    row = next(db.query(sql, list(params)), None)
    if row is None:
        raise NotFound(missing)
    return row


def page_count(total: int, size: int) -> int:
    """How many pages ``total`` rows fill at ``size`` rows a page (at least one)."""
    return max(1, -(-total // max(1, size)))


def page_offset(page: int, size: int) -> int:
    """The number of rows before page ``page`` (1-based) at ``size`` rows a page."""
    return (max(1, page) - 1) * size


def backup(db: Database, destination: str | Path) -> Path:
    """Write a consistent copy of the database with SQLite's online backup API."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    if destination.exists():
        destination.unlink()
    target = sqlite3.connect(str(destination))
    try:
        db.conn.backup(target)
    finally:
        target.close()
    return destination


def get_db() -> Database:
    """The request's database connection, opened on first use and closed at teardown."""
    from flask import current_app, g

    if "db" not in g:
        g.db = open_db(current_app.config["DATABASE"],
                       current_app.config.get("BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS))
    return g.db


def close_db(_exc: Any = None) -> None:
    """Close the request's connection if one was opened."""
    from flask import g

    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Any) -> None:
    """Register connection teardown with the Flask app."""
    app.teardown_appcontext(close_db)
