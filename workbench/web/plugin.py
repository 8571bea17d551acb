"""The web pages the workbench brings: its blueprints, the top navigation, the home cards.

A built-in plugin (see :mod:`workbench.plugins`), registered exactly as an
office's own plugin is. The view modules are imported when the web app is
created, not when the plugin manager is built, so the command line and the
workers never load Flask views they do not use.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.hooks import hookimpl

if TYPE_CHECKING:  # pragma: no cover
    from flask import Blueprint
    from sqlite_utils import Database

    from workbench.auth import User
    from workbench.web import NavItem
    from workbench.web.home import WaitingItem


@hookimpl
def register_blueprints() -> list[Blueprint]:
    """Every built-in page area, in the order they are registered on the app."""
    from workbench.api import reports as api_reports
    from workbench.web import (
        admin, audit, auth, documents, engines, exports, glossary, home, inventory, jobs, public,
        reports, review, review_tools, survey,
    )

    return [auth.bp, home.bp, admin.bp, audit.bp, glossary.bp, inventory.bp, review.bp,
            review_tools.bp, exports.bp, engines.bp, documents.bp, jobs.bp, public.bp, reports.bp,
            api_reports.bp, survey.bp]


@hookimpl
def nav_items() -> list[NavItem]:
    """The top navigation of the built-in areas."""
    from flask_babel import lazy_gettext as _l

    from workbench.web import NavItem

    return [
        NavItem("home.index", _l("Home"), None, order=0),
        NavItem("glossary.index", _l("Glossary"), "glossary.view", order=20),
        NavItem("inventory.signs", _l("Inventory"), "inventory.view", order=30),
        NavItem("review.queue", _l("Review"), "review.view", order=40),
        NavItem("reports.index", _l("Public reports"), "reports.view", order=45),
        NavItem("documents.index", _l("Documents"), "documents.view", order=50),
        NavItem("exports.index", _l("Exports"), "export.run", order=60),
        NavItem("engines.index", _l("Machine drafts"), "review.view", order=60),
        NavItem("admin.users", _l("Users"), "users.manage", order=90),
        NavItem("jobs.index", _l("Jobs"), "jobs.view", order=90),
        NavItem("audit.index", _l("Audit"), "audit.view", order=95),
    ]


@hookimpl
def home_cards(db: Database, user: User) -> list[WaitingItem]:
    """The built-in areas' cards, area by area."""
    from workbench.web import documents, glossary, home, inventory, reports, review

    return [card for area in (home, glossary, inventory, review, documents, reports)
            for card in area.home_cards(db, user)]
