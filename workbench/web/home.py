"""The home page: what waits for the signed-in user.

Each feature registers a provider with :func:`waiting`; a provider gets the
database and the user and returns the items that wait for that user (label,
count, link). The home page shows every item with a count above zero, and the
features' shortcuts for the user's role.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlite_utils import Database

from workbench import audit, auth, counties
from workbench.db import get_db
from workbench.web import nav_item
from workbench.vocabulary import ROLES
from workbench.web.i18n import translator
from workbench.web.security import current_actor, login_required, public_access

bp = Blueprint("home", __name__)
nav_item("home.index", _l("Home"), None, order=0)


@dataclass
class WaitingItem:
    """One line on the home page: what waits, how many, and where to go."""

    label: str
    count: int
    url: str
    kind: str = "task"  # task | info | warning


Provider = Callable[[Database, auth.User], list[WaitingItem]]
PROVIDERS: list[Provider] = []


def waiting(provider: Provider) -> Provider:
    """Register a home-page provider (decorator)."""
    PROVIDERS.append(provider)
    return provider


@waiting
def _administration(db: Database, user: auth.User) -> list[WaitingItem]:
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
    items = [item for provider in PROVIDERS for item in provider(db, user)
             if item.count or item.kind == "info"]
    county = counties.get_county(db, user.county_id) if user.county_id else None
    return render_template("home/index.html", items=items, county=county)


@bp.app_template_filter("role_label")
def role_label(role: str) -> str:
    """A role's name in the interface language (``{{ role|label('role') }}`` too)."""
    return ROLES.text(role, translator())


@bp.route("/favicon.ico")
@public_access
def favicon():
    """Browsers ask for /favicon.ico on their own (PDFs, downloads): the same icon."""
    return redirect(url_for("static", filename="favicon.svg"))
