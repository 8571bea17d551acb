"""``workbench init`` loads the shipped glossaries (``GLOSSARY_DIR``, default ``glossaries/``).

The step is idempotent (an upsert keyed on concept id) and cheap when nothing
changed: a checksum of the files is kept in the ``settings`` table and the
files are only read again when it differs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from sqlite_utils import Database

from workbench import auth
from workbench.db import transaction
from workbench.glossary.io import folder_checksum, load_directory
from workbench.messages import MessageLike, msg, nmsg

CHECKSUM_KEY = "glossary_seed_checksum"


def stored_checksum(db: Database) -> str | None:
    """The checksum of the shipped files as last loaded, or None."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [CHECKSUM_KEY]).fetchone()
    return row[0] if row else None


def load_shipped(db: Database, settings: dict[str, Any], actor: auth.User,
                 echo: Callable[[MessageLike], None] = lambda _line: None, *,
                 force: bool = False) -> bool:
    """Load the shipped glossary folder if its files changed; True when it was read.

    Rows with problems are skipped and reported through ``echo`` (messages, rendered by
    the caller in its reader's language), so that a bad row
    cannot stop ``init``); the checksum is then not stored, so the next ``init``
    reports them again until they are fixed.
    """
    folder = Path(settings.get("GLOSSARY_DIR") or "glossaries")
    if not folder.is_dir():
        echo(msg("Glossary: no folder %(folder)s; nothing loaded.", folder=str(folder)))
        return False
    checksum = folder_checksum(folder)
    if not force and stored_checksum(db) == checksum:
        return False
    report = load_directory(db, actor, folder, lenient=True)
    if report.changed:
        echo(msg("Glossary: %(summary)s from %(folder)s.", summary=report.summary(),
                 folder=str(folder)))
    if report.problems:
        echo(msg("Glossary: %(n)s problem(s) in %(folder)s (those rows were skipped; "
                 "`workbench glossary load` lists them):", n=len(report.problems),
                 folder=str(folder)))
        for found in report.problems[:20]:
            echo(msg("  - %(problem)s", problem=found))
        if len(report.problems) > 20:
            echo(nmsg("  … and %(n)s more", "  … and %(n)s more", len(report.problems) - 20))
        return True
    with transaction(db):
        db.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [CHECKSUM_KEY, checksum])
    return True


def seed_glossary(db: Database, settings: dict[str, Any], actor: auth.User,
                  echo: Callable[[MessageLike], None]) -> None:
    """The ``glossary`` seed step of ``workbench init``: load the shipped glossaries if changed."""
    load_shipped(db, settings, actor, echo)
