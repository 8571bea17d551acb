"""Numbered schema migrations (sqlite-utils ``Migrations``).

Each feature appends its own numbered migrations here; an applied migration
is never edited, a later one changes it. ``apply(db)`` is idempotent and runs
on every ``workbench init`` and app start.
"""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("workbench")


# Tables that are bookkeeping, not records: they change without audit events.
UNAUDITED_TABLES = {"audit_events", "login_attempts", "settings", "_sqlite_migrations"}


def apply(db: Database) -> list[str]:
    """Apply pending migrations; return the names applied now."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


def _execute_all(db: Database, statements: list[str]) -> None:
    # executescript() would commit the migration's transaction; run one by one.
    for statement in statements:
        db.execute(statement)


@migrations(name="0001_core")
def m0001_core(db: Database) -> None:
    """Counties, users, login attempts, the audit chain, and key/value settings."""
    _execute_all(db, [
        """CREATE TABLE counties (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            name_zh TEXT NOT NULL UNIQUE,
            name_en TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'county',
            sort_order INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1
        )""",
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL DEFAULT '',
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin','staff','reviewer','translator','officer')),
            county_id INTEGER REFERENCES counties(id),
            locale TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            password_changed_at TEXT,
            last_login_at TEXT,
            CHECK (role != 'officer' OR county_id IS NOT NULL)
        )""",
        "CREATE INDEX idx_users_county ON users(county_id)",
        """CREATE TABLE login_attempts (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL COLLATE NOCASE,
            remote_addr TEXT,
            ts TEXT NOT NULL,
            success INTEGER NOT NULL
        )""",
        "CREATE INDEX idx_login_attempts_user_ts ON login_attempts(username, ts)",
        """CREATE TABLE audit_events (
            id INTEGER PRIMARY KEY,
            ts TEXT NOT NULL,
            actor_id INTEGER,
            actor_name TEXT NOT NULL,
            action TEXT NOT NULL,
            entity_type TEXT NOT NULL,
            entity_id TEXT,
            before_json TEXT,
            after_json TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""",
        "CREATE INDEX idx_audit_entity ON audit_events(entity_type, entity_id)",
        "CREATE INDEX idx_audit_ts ON audit_events(ts)",
        "CREATE INDEX idx_audit_actor ON audit_events(actor_name)",
        """CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT
        )""",
    ])


@migrations(name="0002_glossary")
def m0002_glossary(db: Database) -> None:
    """Concept-oriented term base (TBX-like): concepts with terms per language and status."""
    _execute_all(db, [
        """CREATE TABLE glossary_concepts (
            id TEXT PRIMARY KEY,
            domain TEXT NOT NULL,
            function TEXT,
            source TEXT NOT NULL DEFAULT 'common usage',
            verified INTEGER NOT NULL DEFAULT 0,
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX idx_concepts_domain ON glossary_concepts(domain, function)",
        """CREATE TABLE glossary_terms (
            id INTEGER PRIMARY KEY,
            concept_id TEXT NOT NULL REFERENCES glossary_concepts(id) ON DELETE CASCADE,
            lang TEXT NOT NULL,
            text TEXT NOT NULL,
            status TEXT NOT NULL
                CHECK (status IN ('preferred', 'admitted', 'deprecated', 'forbidden')),
            pos TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            UNIQUE (concept_id, lang, text)
        )""",
        "CREATE INDEX idx_terms_lang_text ON glossary_terms(lang, text)",
        "CREATE INDEX idx_terms_concept ON glossary_terms(concept_id, lang, status)",
    ])
