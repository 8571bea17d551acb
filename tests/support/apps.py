"""One Flask app per configuration and test process, pointed at each test's own files.

Building the app registers ~120 URL rules, and werkzeug compiles a builder function
for each with ``compile()``: about 50 ms, paid by nearly every test. The routes,
handlers and templates do not depend on the test, its files do: so a test gets
the app built for the same settings (and the same ``WORKBENCH_*`` environment)
by an earlier test, its configuration reset and recomputed for this test's
instance folder, database and uploads — as :func:`workbench.create_app` would
compute it — and its database brought up to date. Every other setting is part
of the key, so a test that changes one gets an app of its own.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from workbench import create_app, db as dbmod, migrations
from workbench.config import load_settings

PER_TEST = frozenset({"INSTANCE_PATH", "DATABASE", "UPLOAD_DIR"})
_built: dict[str, tuple[Any, dict[str, Any]]] = {}


def _shape(config: dict[str, Any]) -> str:
    settings = sorted((key, repr(value)) for key, value in config.items()
                      if key not in PER_TEST)
    environment = sorted((key, value) for key, value in os.environ.items()
                         if key.startswith("WORKBENCH_"))
    return repr((settings, environment))


def app_for(config: dict[str, Any]) -> Any:
    """The app for ``config``: built once per shape, then re-pointed at this test's files."""
    shape = _shape(config)
    if shape not in _built:
        app = create_app(config)
        _built[shape] = (app, dict(app.config))
        return app
    app, as_built = _built[shape]
    overrides = dict(config)
    instance_path = Path(overrides.pop("INSTANCE_PATH"))
    settings = load_settings(instance_path, overrides)
    app.config.clear()
    app.config.update(as_built)  # Flask's defaults and what extensions set up
    app.config.update(settings)  # this test's settings, paths included
    app.instance_path = str(instance_path)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    database = dbmod.open_db(app.config["DATABASE"])
    try:
        migrations.apply(database)
    finally:
        database.close()
    return app
