"""Jobs in a real ``workbench worker`` process: an export end to end from the CLI, ``kill -9``
of the worker in the middle of an export and of a drafting job, and ``workbench run``.

The kill is made deterministic by holding the database's write lock once the job has
reported progress: the worker then waits on the lock at its next write, mid-job, and is
killed there. Everything the tests check after the kill is what a real crash leaves.
"""
from __future__ import annotations

import io
import json
import os
import signal
import socket
import sqlite3
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from workbench import audit, jobs
from workbench.config import load_settings
from workbench.db import transaction
from workbench.exports import runs
from workbench.exports.selection import ExportFilter
from workbench.inventory import importer
from tests.support.worker import TIMEOUT, WorkerProcess


@pytest.fixture
def spawn(tmp_path: Path, db_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def make(*args: str) -> WorkerProcess:
        process = WorkerProcess(tmp_path, db_path, *args)
        started.append(process)
        return process
    yield make
    for process in started:
        process.close()


@pytest.fixture
def settings(tmp_path: Path, db_path: Path) -> dict:
    """What the web server would use: the same database and queue file as the worker."""
    return load_settings(tmp_path, {"DATABASE": str(db_path), "SECRET_KEY": "test",
                                    "JOBS_IMMEDIATE": False})


def wait_for(check: Callable[[], object], what: str, process: WorkerProcess) -> object:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        assert process.proc.poll() is None, process.output()
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}:\n{process.output()}")


def approved_signs(db, users, count: int) -> None:
    """``count`` signs of 海口市 with approved English (written directly, one audit event)."""
    now = audit.now_iso()
    county = db.execute("SELECT id FROM counties WHERE name_zh = '海口市'").fetchone()[0]
    with transaction(db):
        site = db["sites"].insert({"county_id": county, "name_zh": "批量测试场所",
                                   "sector": "transport", "created_at": now,
                                   "updated_at": now}).last_pk
        first_unit = (db.execute("SELECT max(id) FROM translation_units").fetchone()[0] or 0) + 1
        first_sign = (db.execute("SELECT max(id) FROM signs").fetchone()[0] or 0) + 1
        db.conn.executemany(
            """INSERT INTO translation_units (id, kind, scope, source_lang, source_text,
                   target_lang, state, target_text, version, created_at, updated_at,
                   updated_by, approved_by, approved_at)
               VALUES (?, 'sign', '', 'zh', ?, 'en', 'approved', ?, 3, ?, ?, 'r', 'r', ?)""",
            [(first_unit + n, f"{n + 1}号登机口", f"Gate {n + 1}", now, now, now)
             for n in range(count)])
        db.conn.executemany(
            """INSERT INTO signs (id, site_id, county_id, sign_code, location, function, zh,
                   languages, quantity, action, status, created_at, updated_at)
               VALUES (?, ?, ?, ?, '大厅', 'facility', ?, 'en', 1, 'new', 'approved', ?, ?)""",
            [(first_sign + n, site, county, f"HK-T{n:06d}", f"{n + 1}号登机口", now, now)
             for n in range(count)])
        db.conn.executemany("INSERT INTO sign_units (sign_id, target_lang, unit_id) "
                            "VALUES (?, 'en', ?)",
                            [(first_sign + n, first_unit + n) for n in range(count)])
        audit.record(db, users["staff"], "test.seed", "inventory", None, None,
                     {"approved_signs": count})


def hold_write_lock(db_path: Path) -> sqlite3.Connection:
    """Take the database's write lock: the worker's next write waits on it."""
    lock = sqlite3.connect(db_path, timeout=30, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    return lock


def kill_between_chunks(db_path: Path, worker: WorkerProcess, progress: Callable[[], int],
                        total: int) -> None:
    """kill -9 ``worker`` while it holds committed work and has work left (0 < progress < total).

    The check and the kill happen under the database's write lock, so the worker cannot
    commit another chunk in between, however loaded the machine is.
    """
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        # Retried every millisecond rather than through SQLite's busy handler, whose
        # back-off sleeps are longer than the worker's gap between two chunks.
        lock = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        try:
            lock.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            lock.close()
            time.sleep(0.001)
            continue
        try:
            done = progress()
            if 0 < done < total:
                worker.kill9()
                return
            assert done < total, "the job finished before it could be interrupted"
        finally:
            lock.rollback()
            lock.close()
        time.sleep(0.001)
    raise AssertionError(f"no chunk was committed in time; worker output:\n{worker.output()}")


def actions(db, run_id: int) -> list[str]:
    return [event["action"] for event in audit.history(db, "job", run_id)]


def test_cli_background_export_runs_in_the_worker(db, users, spawn, tmp_path):
    approved_signs(db, users, 3)
    worker = spawn("worker")
    worker.wait_registered(db)
    queued = spawn("export", "sheet", "--format", "csv", "--county", "海口市", "--background")
    assert queued.proc.wait(timeout=TIMEOUT) == 0, queued.output()
    run_id = json.loads(queued.output().strip().splitlines()[-1])["job"]
    wait_for(lambda: not jobs.get_run(db, run_id)["active"], "the export", worker)
    shown = spawn("jobs", "show", str(run_id), "--json")
    assert shown.proc.wait(timeout=TIMEOUT) == 0, shown.output()
    summary = json.loads(shown.output())
    assert summary["state"] == "done" and summary["result"]["rows"] == 3
    assert summary["worker"] == f"{socket.gethostname()}:{worker.proc.pid}"
    text = Path(summary["file"]).read_text(encoding="utf-8-sig")
    assert "3号登机口" in text and "Gate 3" in text
    assert worker.stop(signal.SIGTERM) == 0
    assert db.execute("SELECT stopped_at FROM job_workers WHERE pid = ?",
                      [worker.proc.pid]).fetchone()[0]


def test_kill_9_mid_export_leaves_no_file_and_the_next_worker_finishes_it(
        db, users, db_path, spawn, settings):
    from openpyxl import load_workbook

    approved_signs(db, users, 4_500)
    worker = spawn("worker")
    worker.wait_registered(db)
    run_id = runs.start_export(db, users["staff"], "sheet-xlsx", ExportFilter(), settings)
    wait_for(lambda: jobs.get_run(db, run_id)["progress_done"] > 0, "progress", worker)
    lock = hold_write_lock(db_path)  # the export now waits at its next progress report
    try:
        worker.kill9()
    finally:
        lock.rollback()
        lock.close()
    folder = jobs.output_dir(settings)
    assert jobs.get_run(db, run_id)["state"] == "running"  # as the dead worker left it
    assert [p.name for p in folder.iterdir() if not p.name.startswith(".")] == []

    again = spawn("worker")
    again.wait_registered(db)  # it has taken the run back: interrupted, queued again
    run = wait_for(lambda: (lambda r: r if not r["active"] else None)(jobs.get_run(db, run_id)),
                   "the export to finish", again)
    assert run["state"] == "done" and run["attempts"] == 2
    assert [p.name for p in folder.iterdir()] == [run["result"]["file"]]  # no temporary left
    book = load_workbook(io.BytesIO((folder / run["result"]["file"]).read_bytes()),
                         read_only=True)
    sheet_rows = sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))
    assert sheet_rows == 4_501 and run["result"]["rows"] == 4_500  # header + every sign
    assert actions(db, run_id) == ["job.start", "job.run", "job.interrupted", "job.retry",
                                   "job.run", "job.done"]
    interrupted = audit.history(db, "job", run_id)[2]
    assert interrupted["actor_name"] == "jobs" and "stopped during the run" in interrupted[
        "after_json"] and f":{worker.proc.pid}" in interrupted["after_json"]
    assert again.stop() == 0
    assert audit.verify(db).ok


def test_kill_9_mid_drafting_drafts_every_unit_exactly_once(db, users, db_path, spawn,
                                                           settings):
    rows = ["county,site,sector,location,function,zh,action"] + [
        f"海口市,测试机场,transport,大厅,facility,{n}号登机口,new" for n in range(1, 601)]
    report = importer.import_inventory(db, users["staff"], "\n".join(rows).encode(), "g.csv",
                                       run_checks=False)
    worker = spawn("worker")
    worker.wait_registered(db)
    run_id = jobs.start(db, users["staff"], "inventory.draft",
                        {"sign_ids": report.created_ids}, settings=settings)
    # Kill the worker between two chunks: the write lock, taken when at least one chunk is
    # committed and some are left, keeps it from committing another before it dies.
    def drafted() -> int:
        return db.execute("SELECT count(*) FROM translation_units WHERE kind = 'sign' "
                          "AND source_text LIKE '%号登机口' AND state = 'machine_draft'"
                          ).fetchone()[0]

    kill_between_chunks(db_path, worker, drafted, total=600)

    def draft_events() -> list[tuple[str, int]]:
        return db.execute("SELECT entity_id, count(*) FROM audit_events WHERE action = "
                          "'unit.draft' GROUP BY entity_id").fetchall()

    assert 0 < drafted() < 600  # killed mid-job: whole chunks only
    assert len(draft_events()) == drafted()

    again = spawn("worker")
    again.wait_registered(db)
    run = wait_for(lambda: (lambda r: r if not r["active"] else None)(jobs.get_run(db, run_id)),
                   "the drafting to finish", again)
    assert run["state"] == "done" and run["attempts"] == 2
    assert drafted() == 600
    events = draft_events()
    assert len(events) == 600 and {count for _unit, count in events} == {1}  # once each
    assert db.execute("SELECT count(*) FROM signs WHERE zh LIKE '%号登机口' "
                      "AND status = 'drafting'").fetchone()[0] == 600
    assert again.stop() == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_workbench_run_serves_and_works_and_ctrl_c_stops_both(db, users, spawn, settings):
    port = _free_port()
    supervisor = spawn("run", "--port", str(port))

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    wait_for(answers, "the web server", supervisor)
    worker_pid = wait_for(lambda: db.execute(
        "SELECT pid FROM job_workers WHERE stopped_at IS NULL").fetchone(), "the worker",
        supervisor)[0]
    run_id = jobs.start(db, users["staff"], "inventory.recheck", {}, settings=settings)
    wait_for(lambda: jobs.get_run(db, run_id)["state"] == "done", "the job", supervisor)
    assert supervisor.stop(signal.SIGINT) == 0  # Ctrl+C
    assert not answers()
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pid, 0)
    assert db.execute("SELECT stopped_at FROM job_workers WHERE pid = ?",
                      [worker_pid]).fetchone()[0]
