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

BUSY_TIMEOUT_MS = 10_000

# Called with every connection open_db() makes (e.g. tests attach a tracer).
CONNECTION_HOOKS: list[Callable[[sqlite3.Connection], None]] = []


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) the workbench database with its pragmas set.

    WAL lets readers go on while one writer writes; foreign keys are enforced;
    a busy timeout makes concurrent writers wait instead of failing at once.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    for hook in CONNECTION_HOOKS:
        hook(conn)
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")
    if db.journal_mode != "wal":
        db.enable_wal()
    return db


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One write transaction: everything inside commits together or not at all.

    The outermost block starts with ``BEGIN IMMEDIATE`` so that a transaction
    which reads before it writes (the audit chain reads the previous hash)
    takes the write lock first and cannot be overtaken by another writer.
    Nested blocks become savepoints through ``db.atomic()``.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        with db.atomic():
            yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


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
        g.db = open_db(current_app.config["DATABASE"])
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
