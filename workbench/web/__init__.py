"""The web layer: one blueprint per page area, plus login, CSRF, babel and error pages.

Web code calls domain functions and renders; it holds no SQL.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

# Each module defines ``bp``; a feature adds its module here.
BLUEPRINT_MODULES: list[str] = [
    "workbench.web.auth",
    "workbench.web.home",
    "workbench.web.admin",
    "workbench.web.audit",
    "workbench.web.glossary",
    "workbench.web.inventory",
    "workbench.web.review",
    "workbench.web.review_tools",
    "workbench.web.exports",
    "workbench.web.engines",
    "workbench.web.documents",
    "workbench.web.jobs",
    "workbench.web.public",
    "workbench.web.reports",
    "workbench.api.reports",
    "workbench.web.survey",
]


@dataclass(frozen=True)
class NavItem:
    """A link in the top navigation, shown to users whose role has ``permission``."""

    endpoint: str
    label: Any  # a lazy_gettext string
    permission: str | None
    order: int


NAV_ITEMS: list[NavItem] = []


def nav_item(endpoint: str, label: Any, permission: str | None = None, order: int = 50) -> None:
    """Add a navigation link (called by a blueprint module at import)."""
    if all(item.endpoint != endpoint for item in NAV_ITEMS):
        NAV_ITEMS.append(NavItem(endpoint, label, permission, order))
        NAV_ITEMS.sort(key=lambda item: item.order)


def init_web(app: Any) -> None:
    """Wire security, i18n, error handling and every blueprint into ``app``."""
    from workbench.web import busy, errors, i18n, params, security

    params.init_app(app)  # before any route is added: bounded <int:…> converters
    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    busy.init_app(app)
    for module_name in BLUEPRINT_MODULES:
        module = importlib.import_module(module_name)
        app.register_blueprint(module.bp)
    busy.wrap_views(app)  # every view retries on a busy database

    @app.context_processor
    def _inject_nav() -> dict[str, Any]:
        return {"nav_items": NAV_ITEMS}
