"""A long write by someone else never fails a user's save nor loses their text."""
from __future__ import annotations

import re
import sqlite3
import threading
from contextlib import contextmanager

import pytest

from workbench.db import open_db, transaction
from workbench.errors import Busy
from tests.support.accounts import sign_in_session
from tests.support.review import drafted_sign, unit_row


@contextmanager
def write_lock_held(db_path):
    """Another connection holds SQLite's write lock (as a large import does) for the block."""
    holder = sqlite3.connect(str(db_path), timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _lock_for(db_path, seconds: float, taken: threading.Event) -> threading.Thread:
    def hold() -> None:
        with write_lock_held(db_path):
            taken.set()
            threading.Event().wait(seconds)
    thread = threading.Thread(target=hold)
    thread.start()
    return thread


def _client(app, db, user):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in_session(client, db, user)
    return client


def test_a_transaction_on_a_locked_database_raises_busy(db_path):
    database = open_db(db_path, busy_timeout_ms=50)
    with write_lock_held(db_path), pytest.raises(Busy):
        with transaction(database):
            database.execute("UPDATE settings SET value = value")
    database.close()


def test_concurrent_saves_during_a_long_write_all_succeed(app_config, db, db_path, users):
    from workbench import create_app

    # The lock is held ~3× longer than the busy timeout; retries carry the saves over it.
    app = create_app(dict(app_config, BUSY_TIMEOUT_MS=300, BUSY_RETRIES=6))
    units = [drafted_sign(db, f"服务台{n}", "Service Desk")[1] for n in range(6)]
    versions = {unit_id: unit_row(db, unit_id)["version"] for unit_id in units}
    clients = {unit_id: _client(app, db, users["translator"]) for unit_id in units}
    statuses: dict[int, int] = {}

    def save(unit_id: int) -> None:
        response = clients[unit_id].post(f"/review/units/{unit_id}/save", data={
            "text": f"Information Desk {unit_id}", "version": versions[unit_id]})
        statuses[unit_id] = response.status_code

    taken = threading.Event()
    holder = _lock_for(db_path, 0.9, taken)
    taken.wait(5)
    savers = [threading.Thread(target=save, args=(unit_id,)) for unit_id in units]
    for thread in savers:
        thread.start()
    for thread in savers + [holder]:
        thread.join(60)
    assert statuses == {unit_id: 302 for unit_id in units}  # 0 failed saves
    for unit_id in units:
        assert unit_row(db, unit_id)["target_text"] == f"Information Desk {unit_id}"


def test_a_save_that_stays_busy_gets_the_busy_page_with_the_text_kept(
        app_config, db, db_path, users):
    from workbench import create_app

    app = create_app(dict(app_config, BUSY_TIMEOUT_MS=100, BUSY_RETRIES=1))
    client = _client(app, db, users["translator"])
    _sign_id, unit_id = drafted_sign(db)
    version = unit_row(db, unit_id)["version"]
    text = "Information Desk (Ground Floor)"
    with write_lock_held(db_path):
        response = client.post(f"/review/units/{unit_id}/save", data={
            "text": text, "version": version, "note": "per GB/T 30240"})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert "The database is busy" in page
    assert f'name="text" rows="3">{text}</textarea>' in page
    assert f'name="version" value="{version}"' in page
    assert unit_row(db, unit_id)["version"] == version  # nothing half-saved
    # "Send again" posts the same form once the other writer is done.
    action = re.search(r'<form method="post" action="([^"]+)" id="busy-retry"', page).group(1)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    fields.update(re.findall(r'name="(\w+)" rows="3">([^<]*)</textarea>', page))
    assert client.post(action, data=fields).status_code == 302
    assert unit_row(db, unit_id)["target_text"] == text


def test_the_busy_page_is_translated(app_config, db, db_path, users):
    from workbench import create_app

    app = create_app(dict(app_config, BUSY_TIMEOUT_MS=50, BUSY_RETRIES=0))
    client = _client(app, db, users["translator"])
    _sign_id, unit_id = drafted_sign(db)
    with write_lock_held(db_path):
        response = client.post(f"/review/units/{unit_id}/save", headers={"Accept-Language": "zh"},
                               data={"text": "Help Desk", "version": "1"})
    assert response.status_code == 503
    assert "数据库" in response.get_data(as_text=True)


def test_nothing_is_retried_once_part_of_the_request_was_written(app, db, users, monkeypatch):
    """A view that wrote and then hit a busy database is not run twice."""
    from workbench.review import workflow

    calls = []
    original = workflow.save_translation

    def save_then_busy(*args, **kwargs):
        calls.append(1)
        original(*args, **kwargs)
        raise Busy()

    monkeypatch.setattr(workflow, "save_translation", save_then_busy)
    client = _client(app, db, users["translator"])
    _sign_id, unit_id = drafted_sign(db)
    response = client.post(f"/review/units/{unit_id}/save", data={
        "text": "Help Desk", "version": unit_row(db, unit_id)["version"]})
    assert response.status_code == 503 and len(calls) == 1
