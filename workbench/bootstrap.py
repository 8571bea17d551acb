"""``workbench init``: migrations, seeds and the first admin, safe to run on every start.

Features add their own seed steps through the ``seed_steps`` hook (e.g. the
glossary plugin loads the shipped term bases, :mod:`workbench.glossary.plugin`);
each step must be idempotent and cheap when there is nothing new to do. They run
in plugin order: built-ins in their declared order, then installed plugins.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench import auth, counties, migrations, plugins
from workbench.config import ensure_secret_key_file
from workbench.messages import MessageLike


@dataclass(frozen=True)
class SeedStep:
    """One idempotent step of ``workbench init``: ``run(db, settings, actor, echo)``.

    ``echo`` takes a message (or a plain line) and shows it in the reader's language.
    """

    name: str
    run: Callable[[Database, dict[str, Any], auth.User, Callable[[MessageLike], None]], None]


@dataclass
class InitReport:
    """What ``init`` did, for printing."""

    migrations_applied: list[str] = field(default_factory=list)
    counties_added: int = 0
    secret_key_written: bool = False
    admin_username: str | None = None
    admin_password: str | None = None


def initialize(db: Database, settings: dict[str, Any], *, seed: bool = True,
               admin_username: str = "admin",
               echo: Callable[[MessageLike], None] = lambda _line: None) -> InitReport:
    """Apply migrations, seed counties and features, and create the first admin if none exists."""
    report = InitReport()
    report.secret_key_written = ensure_secret_key_file(Path(settings["INSTANCE_PATH"]))
    report.migrations_applied = migrations.apply(db)
    actor = auth.system_actor("init")
    report.counties_added = counties.seed(db, actor)
    if not db["users"].count_where("role = 'admin'"):
        user, password = auth.create_user(db, actor, admin_username, "admin",
                                          display_name="Administrator")
        report.admin_username, report.admin_password = user.username, password
    if seed:
        for step in plugins.seed_steps():
            step.run(db, settings, actor, echo)
    return report
