"""Signbench workbench: standard bilingual public signs and document translation."""
from __future__ import annotations

from pathlib import Path
from typing import Any

__version__ = "0.1.0"


def create_app(test_config: dict[str, Any] | None = None):  # -> flask.Flask
    """Application factory: settings, database, babel, login, CSRF and blueprints.

    ``test_config`` overrides every other source of settings (tests pass a temp
    database and ``TESTING=True``).
    """
    from flask import Flask

    from workbench import config, db, migrations
    from workbench.web import init_web

    overrides = dict(test_config or {})
    instance_path = Path(overrides.pop("INSTANCE_PATH", None) or config.default_instance_path())
    settings = config.load_settings(instance_path, overrides)
    config.require_secret_key(settings)

    app = Flask(__name__, instance_path=str(instance_path), instance_relative_config=True,
                template_folder="web/templates", static_folder="web/static")
    app.config.update(settings)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    # Bring the schema up to date on start so a server never runs on an old schema.
    database = db.open_db(app.config["DATABASE"])
    try:
        migrations.apply(database)
    finally:
        database.close()

    if int(app.config.get("PROXY_COUNT") or 0) > 0:
        # Behind a reverse proxy the client's address (sign-in throttling, the
        # audit trail) and the scheme come from its X-Forwarded-* headers;
        # only as many hops as configured are trusted, so a client cannot forge them.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    init_web(app)
    return app
