"""The hook specifications: every way to add something to Signbench.

Signbench is extended with pluggy hooks, as Datasette is. A plugin is a module
(or any object) with functions marked ``@hookimpl`` whose names are the hooks
below; what the workbench brings itself is registered exactly the same way
(:data:`workbench.plugins.BUILTIN_PLUGINS`), and an installed package joins
through the ``signbench`` entry-point group::

    # pyproject.toml of an office's plugin
    [project.entry-points.signbench]
    haikou = "signbench_haikou"

    # signbench_haikou/__init__.py
    from workbench.hooks import hookimpl

    @hookimpl
    def register_checks():
        return [NoTrailingDashCheck]

Every ``register_*`` hook (and ``seed_steps``, ``nav_items``) takes no
arguments and returns a list (or None: nothing); :mod:`workbench.plugins` gathers the lists, the
built-ins first in their declared order, then installed plugins by name, and
refuses two things with the same id. Hook implementations may leave out
arguments they do not need (pluggy passes only those they name).

This module imports nothing heavy: the types named below are only for readers
and type checkers.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # pragma: no cover - names for the annotations only
    import click
    from flask import Blueprint
    from sqlite_utils import Database

    from workbench.auth import User
    from workbench.bootstrap import SeedStep
    from workbench.checks.base import Check
    from workbench.documents.formats import DocumentFormat
    from workbench.exports.runs import ExportKind
    from workbench.jobs.kinds import JobKind
    from workbench.mt.base import Engine
    from workbench.web import NavItem
    from workbench.web.home import WaitingItem

PROJECT = "signbench"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_checks() -> list[type[Check]] | None:
    """QA checks: a list of :class:`workbench.checks.base.Check` subclasses.

    Each has a unique ``id`` (the per-project switch is by id), a ``name`` and an
    ``explanation`` marked with ``N_()``, a ``severity`` and one method,
    ``check(source, target, lang, ctx)``. Findings are reported in the order the
    checks are gathered, so a plugin's checks come after the built-in ones.
    """


@hookspec
def register_engines() -> list[type[Engine]] | None:
    """Machine-drafting engines: a list of :class:`workbench.mt.base.Engine` subclasses.

    Each has a unique ``id`` and ``name``, says what it translates in
    ``language_pairs(settings)`` and why it cannot run in ``availability(settings)``,
    and drafts in ``translate_batch(texts, source, target)``. An engine family
    answers its members from ``variants(settings)``.
    """


@hookspec
def register_export_kinds() -> list[ExportKind] | None:
    """Kinds of export of approved wording: a list of :class:`workbench.exports.runs.ExportKind`.

    Each has a unique ``id``, a label (``N_()``), a file extension and type, and a
    ``write(job) -> Outcome`` function that writes the file to ``job.stream``.
    """


@hookspec
def register_document_formats() -> list[DocumentFormat] | None:
    """File formats documents are uploaded in and exported back to.

    A list of :class:`workbench.documents.formats.DocumentFormat` instances, each with
    a unique ``id``, a ``name``, its file-name ``extensions``, ``detect`` (refuse
    bytes that are not this format), ``parse`` (the blocks to translate) and
    ``write_translated`` (the original file with its translations).
    """


@hookspec
def register_job_kinds() -> list[JobKind] | None:
    """Kinds of background job: a list of :class:`workbench.jobs.kinds.JobKind`.

    Each has a unique ``id``, a label (``N_()``) and a target: the function
    ``fn(db, *, progress, **arguments) -> dict``, or ``"package.module:function"`` to
    import it only when a run starts.
    """


@hookspec
def register_commands() -> list[click.Command] | None:
    """Commands of the ``workbench`` command line: a list of click commands or groups.

    A command that needs the database or the settings takes them with
    ``workbench.cli.pass_env``. Names must not clash with another command.
    """


@hookspec
def register_blueprints() -> list[Blueprint] | None:
    """Web pages: a list of Flask blueprints, registered on the app in this order.

    Every view checks the role (``@permission_required``) and the county; the
    blueprint's templates and static files come with it.
    """


@hookspec
def seed_steps() -> list[SeedStep] | None:
    """Steps ``workbench init`` runs after the migrations: a list of
    :class:`workbench.bootstrap.SeedStep` (a unique name and ``fn(db, settings, actor,
    echo)``). Each step must be idempotent and cheap when there is nothing to do.
    """


@hookspec
def nav_items() -> list[NavItem] | None:
    """Links in the top navigation: a list of :class:`workbench.web.NavItem`.

    Shown in ``order`` (lower first) to users whose role has the item's permission.
    """


@hookspec
def home_cards(db: Database, user: User) -> list[WaitingItem] | None:
    """What waits for ``user`` on the home page: a list of :class:`workbench.web.home.WaitingItem`.

    Called while the home page is drawn (a request context is active, so
    ``url_for`` and translations work). Items with a count of zero are hidden,
    except ``kind="info"`` ones.
    """


def specification_names() -> list[str]:
    """The names of every hook, in the order they are specified here."""
    return [name for name, value in globals().items()
            if callable(value) and hasattr(value, f"{PROJECT}_spec")]


__all__ = ["hookimpl", "hookspec", "specification_names", "PROJECT"]
