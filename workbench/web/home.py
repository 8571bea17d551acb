"""The home page: what waits for the signed-in user.

Each plugin answers the ``home_cards(db, user)`` hook with the items that wait
for that user (label, count, link); the built-in areas' cards are gathered by
:mod:`workbench.web.plugin` from each area's ``home_cards`` function. The home
page shows every item with a count above zero, and the features' shortcuts for
the user's role.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlite_utils import Database

from workbench import audit, auth, counties, plugins
from workbench.db import get_db
from workbench.vocabulary import ROLES
from workbench.web.i18n import translator
from workbench.web.security import current_actor, login_required, public_access

bp = Blueprint("home", __name__)


@dataclass
class WaitingItem:
    """One line on the home page: what waits, how many, and where to go."""

    label: str
    count: int
    url: str
    kind: str = "task"  # task | warning (work waiting) | info (a shortcut, not a task)


def home_cards(db: Database, user: auth.User) -> list[WaitingItem]:
    """Administration's cards: user accounts and audit events."""
    items = []
    if auth.can(user, "users.manage"):
        items.append(WaitingItem(_("User accounts"), len(auth.list_users(db)),
                                 url_for("admin.users"), "info"))
    if auth.can(user, "audit.view"):
        _events, total = audit.search(db, limit=1)
        items.append(WaitingItem(_("Audit events recorded"), total, url_for("audit.index"),
                                 "info"))
    return items


@bp.route("/")
@login_required
def index():
    """What waits for the signed-in user."""
    db = get_db()
    user = current_actor()
    provided = plugins.home_cards(db, user)
    # The to-do list holds only tasks with something waiting; figures such as the number
    # of accounts or audit events are shortcuts, not work.
    tasks = [item for item in provided if item.kind != "info" and item.count]
    shortcuts = [item for item in provided if item.kind == "info"]
    county = counties.get_county(db, user.county_id) if user.county_id else None
    return render_template("home/index.html", items=tasks, shortcuts=shortcuts, county=county)


@bp.app_template_filter("role_label")
def role_label(role: str) -> str:
    """A role's name in the interface language (``{{ role|label('role') }}`` too)."""
    return ROLES.text(role, translator())


@bp.route("/favicon.ico")
@public_access
def favicon():
    """Browsers ask for /favicon.ico on their own (PDFs, downloads): the same icon."""
    return redirect(url_for("static", filename="favicon.svg"))
