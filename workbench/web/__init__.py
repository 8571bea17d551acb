"""The web layer: one blueprint per page area, plus login, CSRF, babel and error pages.

Web code calls domain functions and renders; it holds no SQL. The blueprints, the
top navigation's links and the home page's cards come from the plugins
(``register_blueprints``, ``nav_items``, ``home_cards``; the built-in ones in
:mod:`workbench.web.plugin`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavItem:
    """A link in the top navigation, shown to users whose role has ``permission``."""

    endpoint: str
    label: Any  # a lazy_gettext string
    permission: str | None
    order: int = 50


def init_web(app: Any) -> None:
    """Wire security, i18n, error handling and every plugin's blueprints into ``app``."""
    from workbench import plugins
    from workbench.web import busy, errors, i18n, params, security

    params.init_app(app)  # before any route is added: bounded <int:…> converters
    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    busy.init_app(app)
    for blueprint in plugins.blueprints():
        app.register_blueprint(blueprint)
    busy.wrap_views(app)  # every view retries on a busy database

    @app.context_processor
    def _inject_nav() -> dict[str, Any]:
        return {"nav_items": plugins.nav_items()}
