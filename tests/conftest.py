"""Shared fixtures: a seeded database per test, the app, clients signed in per role, the CLI.

The seeded database (migrations, counties, shipped glossary, one user per
role) is built once per session and copied for each test, so every test gets
a real SQLite file of its own without paying for seeding again.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench import auth, bootstrap, db as dbmod
from workbench.config import load_settings
from tests.support.accounts import PASSWORD, TEST_USERS, sign_in_session
from tests.support.apps import app_for
from tests.support.audit_guard import AuditGuard


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fully initialized database file, built once per session."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "workbench.sqlite3"
    settings = load_settings(folder, {"DATABASE": str(path), "SECRET_KEY": "test"})
    database = dbmod.open_db(path)
    bootstrap.initialize(database, settings, seed=True)
    actor = auth.system_actor("pytest")
    county_ids = {row["name_zh"]: row["id"] for row in database["counties"].rows}
    for username, role, county in TEST_USERS:
        existing = auth.find_user(database, username)
        if existing:
            auth.set_password(database, actor, existing.id, PASSWORD)
        else:
            auth.create_user(database, actor, username, role, password=PASSWORD,
                             county_id=county_ids.get(county), display_name=username.title())
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return path


@pytest.fixture(autouse=True)
def audit_guard() -> Iterator[AuditGuard]:
    """Fails any test in which a record changed without an audit event."""
    guard = AuditGuard()
    dbmod.CONNECTION_HOOKS.append(guard.attach)
    yield guard
    dbmod.CONNECTION_HOOKS.remove(guard.attach)
    assert not guard.violations, "Changes without audit events:\n" + "\n".join(guard.violations)


@pytest.fixture(scope="session")
def demo_template_db(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded database with the demo inventory loaded, built once per session."""
    from workbench.inventory import demo

    path = tmp_path_factory.mktemp("demo-template") / "workbench.sqlite3"
    shutil.copyfile(template_db, path)
    database = dbmod.open_db(path)
    demo.load_demo(database)
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, template_db: Path, request: pytest.FixtureRequest) -> Path:
    """This test's own copy of the seeded database.

    A test that asks for ``demo_db`` (directly or through another fixture) gets a copy
    of the database with the demo inventory, which is built once per session.
    """
    source = template_db
    if "demo_db" in request.fixturenames:
        source = request.getfixturevalue("demo_template_db")
    path = tmp_path / "workbench.sqlite3"
    shutil.copyfile(source, path)
    return path


@pytest.fixture
def app_config(tmp_path: Path, db_path: Path) -> dict:
    """Settings for the test app; a test may change them before using ``app``."""
    return {
        "TESTING": True, "ENV": "testing", "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path), "DATABASE": str(db_path),
        "UPLOAD_DIR": str(tmp_path / "uploads"), "WTF_CSRF_ENABLED": False,
        "LANGUAGES": ["zh", "en"], "BABEL_DEFAULT_LOCALE": "en",
        # Jobs run at once inside the request that starts them (huey's immediate mode);
        # tests of the worker process start a real `workbench worker` (tests/test_jobs_worker.py).
        "JOBS_IMMEDIATE": True, "JOBS_RETRY_DELAY": 0.0,
    }


@pytest.fixture
def job_settings(app_config: dict) -> dict:
    """Settings for domain calls that start jobs: this test's database, jobs run inline."""
    return load_settings(Path(app_config["INSTANCE_PATH"]), dict(app_config))


@pytest.fixture
def app(app_config: dict):
    """The Flask app on this test's database (CSRF off; see ``csrf_app``).

    Built once per set of settings and re-pointed at each test's files
    (tests/support/apps.py); a test that needs an app of its own calls create_app.
    """
    return app_for(app_config)


@pytest.fixture
def csrf_app(app_config: dict):
    """The app with CSRF protection on, as in production."""
    return app_for(dict(app_config, WTF_CSRF_ENABLED=True))


@pytest.fixture
def db(db_path: Path):
    """A connection to this test's database."""
    database = dbmod.open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def demo_db(db):
    """This test's database with the demo inventory loaded (see ``db_path``)."""
    return db


@pytest.fixture
def users(db) -> dict[str, auth.User]:
    """The seeded users by username."""
    return {name: auth.find_user(db, name) for name, _role, _county in TEST_USERS}


@pytest.fixture
def client(app):
    """An anonymous test client (English interface)."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


@pytest.fixture
def login(app, db) -> Callable[[str], object]:
    """Factory: a new test client signed in as ``username``."""
    def make(username: str):
        user = auth.find_user(db, username)
        assert user is not None, username
        test_client = app.test_client()
        test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        sign_in_session(test_client, db, user)
        return test_client
    return make


@pytest.fixture
def admin_client(login):
    return login("admin")


@pytest.fixture
def staff_client(login):
    return login("staff")


@pytest.fixture
def reviewer_client(login):
    return login("reviewer")


@pytest.fixture
def translator_client(login):
    return login("translator")


@pytest.fixture
def officer_client(login):
    """An officer of 海口市 (Haikou)."""
    return login("officer")


@pytest.fixture
def other_officer_client(login):
    """An officer of 三亚市 (Sanya)."""
    return login("officer_sanya")


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(db_path: Path, tmp_path: Path) -> Callable[..., CliResult]:
    """Run ``workbench ARGS…`` in-process on this test's database."""
    from workbench.cli import main

    def run(*args: str, input: str | bytes | None = None) -> CliResult:
        env = {"WORKBENCH_DB": str(db_path), "WORKBENCH_INSTANCE": str(tmp_path),
               "WORKBENCH_JOBS_IMMEDIATE": "1", "WORKBENCH_JOBS_RETRY_DELAY": "0"}
        runner = CliRunner()
        with runner.isolation(input=input, env=env) as (out, err, _both):
            code = main([str(a) for a in args])
            stdout = out.getvalue().decode("utf-8")
            stderr = err.getvalue().decode("utf-8")
        return CliResult(code, stdout, stderr)
    return run


@pytest.fixture
def llm_server():
    """A scripted OpenAI-compatible model server on loopback (tests/support/fake_llm.py)."""
    from tests.support.fake_llm import FakeLLMServer

    with FakeLLMServer() as server:
        yield server


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where browser tests save screenshots (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests last: the fast feedback comes first.
    items.sort(key=lambda item: 1 if "e2e" in item.keywords else 0)


os.environ.setdefault("WORKBENCH_ENV", "testing")
