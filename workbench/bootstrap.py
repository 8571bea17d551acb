"""``workbench init``: migrations, seeds and the first admin, safe to run on every start.

Features add their own seed steps with :func:`seed_step` (e.g. the glossary
loads the shipped term bases); each step must be idempotent and cheap when
there is nothing new to do.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench import auth, counties, migrations
from workbench.config import ensure_secret_key_file

# (name, function(db, settings, actor, echo)) in the order they run.
SeedStep = Callable[[Database, dict[str, Any], auth.User, Callable[[str], None]], None]
SEED_STEPS: list[tuple[str, SeedStep]] = []


def seed_step(name: str) -> Callable[[SeedStep], SeedStep]:
    """Register an idempotent seed step run by ``workbench init`` after migrations."""
    def register(fn: SeedStep) -> SeedStep:
        if all(existing != name for existing, _ in SEED_STEPS):
            SEED_STEPS.append((name, fn))
        return fn
    return register


@dataclass
class InitReport:
    """What ``init`` did, for printing."""

    migrations_applied: list[str] = field(default_factory=list)
    counties_added: int = 0
    secret_key_written: bool = False
    admin_username: str | None = None
    admin_password: str | None = None


# Feature modules whose import registers seed steps; each feature adds its own.
SEED_MODULES: list[str] = [
    "workbench.glossary.seed",
    "workbench.inventory.demo",  # after the glossary: the demo signs are QA-checked
]


def _load_feature_seeds() -> None:
    import importlib

    for module in SEED_MODULES:
        importlib.import_module(module)


def _seed_order(registered: tuple[str, SeedStep]) -> int:
    # SEED_MODULES fixes the order (the demo inventory needs the glossary), whichever
    # module happened to be imported first.
    module = registered[1].__module__
    return SEED_MODULES.index(module) if module in SEED_MODULES else len(SEED_MODULES)


def initialize(db: Database, settings: dict[str, Any], *, seed: bool = True,
               admin_username: str = "admin",
               echo: Callable[[str], None] = lambda _line: None) -> InitReport:
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
        _load_feature_seeds()
        for _name, step in sorted(SEED_STEPS, key=_seed_order):
            step(db, settings, actor, echo)
    return report
