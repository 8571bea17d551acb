"""The job system's state machine, in-process: start, progress, done, failures, transient
retries with backoff, cancel, retry, who may see and act, taking back lost runs, atomic
files, and the migration of the two older job tables.

Jobs here run in huey's immediate mode (``job_settings``) or through the runner directly;
tests/test_jobs_worker.py runs them in a real ``workbench worker`` process.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import pytest

from workbench import audit, jobs, migrations, plugins
from workbench.db import open_db, transaction
from workbench.errors import NotFound, PermissionDenied, ValidationError
from workbench.hooks import hookimpl
from workbench.jobs import runner, store, workers
from workbench.jobs.files import atomic_output
from workbench.messages import Message, msg

CALLS: list[dict] = []


def count_to(db, *, progress, n: int = 3):
    """A test kind: reports n steps and says how far it counted."""
    for step in range(1, n + 1):
        progress(step, n, msg("Step %(step)s", step=step))
    return {"counted": n, "summary": msg("Counted to %(n)s.", n=n)}


def with_extras(db, *, progress, actor, settings, run_id, word: str):
    """A test kind that asks for the actor, the settings and its run id."""
    CALLS.append({"actor": actor.username, "database": settings["DATABASE"], "run": run_id,
                  "word": word})
    return {"ok": True}


def plain(db, *, progress):
    """A test kind that asks for nothing more."""
    CALLS.append({"plain": True})


def flaky(db, *, progress, failures: int, error: str = "transient"):
    """Fails ``failures`` times (counting its calls), then succeeds."""
    CALLS.append({"flaky": True})
    if len(CALLS) <= failures:
        if error == "transient":
            raise jobs.TransientError(msg("The engine timed out."))
        if error == "locked":
            raise sqlite3.OperationalError("database is locked")
        if error == "invalid":
            raise ValidationError.single(msg("The input is wrong."))
        raise RuntimeError("boom")
    return {"calls": len(CALLS)}


def cancels_itself(db, *, progress, actor, run_id):
    """Is cancelled by its own starter after the first step."""
    progress(1, 3)
    jobs.cancel(db, actor, run_id)
    progress(2, 3)
    CALLS.append({"after_cancel": True})


class TestKinds:
    """The test kinds, plugged in as an office's plugin would add its own."""

    @hookimpl
    def register_job_kinds(self) -> list[jobs.JobKind]:
        return [
            jobs.JobKind("test.count", "Count", count_to),
            jobs.JobKind("test.extras", "Extras", with_extras),
            jobs.JobKind("test.plain", "Plain", plain),
            jobs.JobKind("test.flaky", "Flaky", flaky),
            jobs.JobKind("test.cancel", "Cancel", cancels_itself),
            jobs.JobKind("test.staff", "Staff only", plain, permission="inventory.manage"),
        ]


@pytest.fixture(autouse=True)
def test_kinds() -> Iterator[None]:
    CALLS.clear()
    with plugins.installed(TestKinds(), name="test-job-kinds"):
        yield


def actions(db, run_id: int) -> list[str]:
    return [event["action"] for event in audit.history(db, "job", run_id)]


def test_a_run_goes_queued_running_done_with_every_step_audited(db, users, job_settings):
    run_id = jobs.start(db, users["translator"], "test.count", {"n": 4}, settings=job_settings)
    run = jobs.get_run(db, run_id)
    assert run["state"] == "done" and run["attempts"] == 1 and not run["active"]
    assert (run["progress_done"], run["progress_total"], run["percent"]) == (4, 4, 100)
    assert run["progress_message"] == msg("Step %(step)s", step=4)
    assert run["result"]["counted"] == 4
    assert isinstance(run["result"]["summary"], Message)  # stored as id + parameters
    assert run["started_by"] == "translator" and run["worker"].startswith("inline/")
    assert actions(db, run_id) == ["job.start", "job.run", "job.done"]
    assert audit.verify(db).ok


def test_the_runner_passes_actor_settings_and_run_id_only_to_kinds_that_ask(
        db, users, job_settings):
    first = jobs.start(db, users["staff"], "test.extras", {"word": "hi"}, settings=job_settings)
    jobs.start(db, users["staff"], "test.plain", settings=job_settings)
    assert CALLS == [{"actor": "staff", "database": job_settings["DATABASE"], "run": first,
                      "word": "hi"}, {"plain": True}]


def test_unknown_kinds_and_missing_permissions_are_refused(db, users, job_settings):
    with pytest.raises(ValidationError, match="Unknown job kind"):
        jobs.start(db, users["staff"], "no.such.kind", settings=job_settings)
    with pytest.raises(PermissionDenied):
        jobs.start(db, users["translator"], "test.staff", settings=job_settings)
    assert not db["job_runs"].count


def test_a_user_error_fails_the_run_with_its_message_and_a_retry_runs_it_again(
        db, users, job_settings):
    run_id = jobs.start(db, users["translator"], "test.flaky", {"failures": 1, "error": "invalid"},
                        settings=job_settings)
    run = jobs.get_run(db, run_id)
    assert run["state"] == "failed" and run["error"] == msg("The input is wrong.")
    assert run["attempts"] == 1  # not retried by itself: the input will not get better
    jobs.retry(db, users["translator"], run_id, job_settings)
    run = jobs.get_run(db, run_id)
    assert run["state"] == "done" and run["error"] is None and run["attempts"] == 1
    assert actions(db, run_id) == ["job.start", "job.run", "job.failed", "job.retry", "job.run",
                                   "job.done"]


def test_an_unexpected_error_fails_with_a_short_message(db, users, job_settings, caplog):
    run_id = jobs.start(db, users["staff"], "test.flaky", {"failures": 1, "error": "bug"},
                        settings=job_settings)
    run = jobs.get_run(db, run_id)
    assert run["state"] == "failed" and "RuntimeError" in str(run["error"])
    assert "boom" not in str(run["error"])  # details go to the log, not to the user
    assert any("boom" in (record.exc_text or "") for record in caplog.records)


@pytest.mark.parametrize("error", ["transient", "locked"])
def test_transient_errors_are_retried_until_they_pass(db, users, job_settings, error):
    run_id = jobs.start(db, users["staff"], "test.flaky", {"failures": 2, "error": error},
                        settings=job_settings)
    run = jobs.get_run(db, run_id)
    assert run["state"] == "done" and run["attempts"] == 3 and run["result"]["calls"] == 3
    assert actions(db, run_id).count("job.retry") == 2


def test_transient_errors_give_up_at_the_attempt_limit(db, users, job_settings):
    run_id = jobs.start(db, users["staff"], "test.flaky", {"failures": 99},
                        settings=dict(job_settings, JOBS_MAX_ATTEMPTS=2))
    run = jobs.get_run(db, run_id)
    assert run["state"] == "failed" and run["attempts"] == 2
    assert "gave up after 2 attempts" in str(run["error"])
    assert "timed out" in str(run["error"])


def test_retries_wait_longer_each_time(db, users):
    run_id = store.create_run(db, users["staff"], "test.plain")
    delays = []
    for _attempt in range(2):
        owned = store.claim(db, run_id, "test:1")
        delays.append(store.retry_later(db, owned, msg("busy"), max_attempts=5, base_delay=5))
        assert store.claim(db, run_id, "test:1") is None  # not before its backoff is over
        with transaction(db):  # let the backoff pass (bookkeeping column)
            db.execute("UPDATE job_runs SET not_before = NULL WHERE id = ?", [run_id])
    assert delays == [5, 10]


def test_cancel_a_queued_run_and_it_never_starts(db, users, job_settings):
    run_id = store.create_run(db, users["translator"], "test.plain")
    assert jobs.cancel(db, users["translator"], run_id)["state"] == "cancelled"
    assert runner.execute(job_settings, run_id, worker="test:1") is None
    assert CALLS == [] and actions(db, run_id) == ["job.start", "job.cancel"]
    with pytest.raises(ValidationError, match="Only a queued or running job"):
        jobs.cancel(db, users["translator"], run_id)


def test_cancel_a_running_run_stops_it_at_its_next_progress_report(db, users, job_settings):
    run_id = jobs.start(db, users["translator"], "test.cancel", settings=job_settings)
    run = jobs.get_run(db, run_id)
    # The report that noticed the cancel is kept (the work it reports was done).
    assert run["state"] == "cancelled" and run["progress_done"] == 2
    assert CALLS == []  # nothing ran after the cancel took effect
    assert actions(db, run_id) == ["job.start", "job.run", "job.cancel", "job.cancelled"]


def test_who_may_see_cancel_and_retry(db, users, job_settings):
    run_id = store.create_run(db, users["officer"], "test.plain")
    assert jobs.get_run(db, run_id)["county_id"] == users["officer"].county_id
    for name in ("officer_sanya", "translator"):  # someone else's run does not exist for them
        with pytest.raises(NotFound):
            jobs.visible_run(db, users[name], run_id)
        with pytest.raises(NotFound):
            jobs.cancel(db, users[name], run_id)
    assert jobs.list_runs(db, users["translator"])[1] == 0
    assert jobs.list_runs(db, users["staff"])[1] == 1
    assert jobs.list_runs(db, users["staff"], mine=True)[1] == 0
    assert jobs.cancel(db, users["staff"], run_id)["state"] == "cancelled"
    assert jobs.retry(db, users["officer"], run_id, job_settings)["state"] == "done"
    assert CALLS == [{"plain": True}]
    # A reviewer sees a translator's document drafting (their role follows that kind) but
    # may not stop it.
    doc_run = store.create_run(db, users["translator"], "documents.draft", {"document_id": 1})
    assert jobs.visible_run(db, users["reviewer"], doc_run)["id"] == doc_run
    with pytest.raises(PermissionDenied):
        jobs.cancel(db, users["reviewer"], doc_run)


def test_an_execution_that_lost_its_run_can_no_longer_change_it(db, users):
    run_id = store.create_run(db, users["staff"], "test.plain")
    first = store.claim(db, run_id, "elsewhere:1")
    with transaction(db):  # its worker went silent long ago
        db.execute("UPDATE job_runs SET heartbeat_at = '2000-01-01T00:00:00+00:00' WHERE id = ?",
                   [run_id])
    assert workers.sweep(db, stale_seconds=60, max_attempts=3) == [run_id]
    second = store.claim(db, run_id, "here:2")
    assert second is not None and second.attempt == 2
    with pytest.raises(store.Superseded):
        store.report_progress(db, first, 1, 2, None)
    assert store.finish(db, first, {"late": True}) is False
    assert store.finish(db, second, {"on_time": True}) is True
    run = jobs.get_run(db, run_id)
    assert run["result"] == {"on_time": True} and run["worker"] == "here:2"
    assert actions(db, run_id) == ["job.start", "job.run", "job.interrupted", "job.retry",
                                   "job.run", "job.done"]


def test_a_live_worker_keeps_its_runs_and_a_silent_one_loses_them(db, users):
    run_id = store.create_run(db, users["staff"], "test.plain")
    store.claim(db, run_id, "elsewhere:1")
    assert workers.sweep(db, stale_seconds=60, max_attempts=3) == []  # beat just now
    assert not jobs.is_stale(jobs.get_run(db, run_id), 60)
    with transaction(db):
        db.execute("UPDATE job_runs SET heartbeat_at = '2000-01-01T00:00:00+00:00' WHERE id = ?",
                   [run_id])
    assert jobs.is_stale(jobs.get_run(db, run_id), 60)
    assert workers.sweep(db, stale_seconds=60, max_attempts=3) == [run_id]


def test_interruptions_are_requeued_only_up_to_the_attempt_limit(db, users):
    run_id = store.create_run(db, users["staff"], "test.plain")
    for attempt in (1, 2):
        store.claim(db, run_id, "elsewhere:1")
        queued_again = workers.interrupt(db, run_id, 2, msg("stopped"))
        assert queued_again is (attempt < 2)
    run = jobs.get_run(db, run_id)
    assert run["state"] == "interrupted" and run["attempts"] == 2 and not run["active"]


def test_a_worker_stopping_on_purpose_gives_the_attempt_back(db, users):
    run_id = store.create_run(db, users["staff"], "test.plain")
    store.claim(db, run_id, "here:7")
    assert workers.release(db, "here:7", max_attempts=1) == [run_id]
    run = jobs.get_run(db, run_id)
    assert run["state"] == "queued" and run["attempts"] == 0


def test_atomic_output_never_shows_a_partial_file(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_output(tmp_path, "out.csv") as partial:
            partial.write_text("half")
            raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []
    with atomic_output(tmp_path, "out.csv") as partial:
        partial.write_text("whole")
        assert not (tmp_path / "out.csv").exists()  # only the temporary name while writing
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    assert (tmp_path / "out.csv").read_text() == "whole"
    with pytest.raises(ValueError):
        with atomic_output(tmp_path, "../escape.csv"):
            pass


def test_the_migration_moves_the_older_job_tables(tmp_path):
    db = open_db(tmp_path / "old.sqlite3")
    migrations.migrations.apply(db, stop_before="0015_jobs")
    raw = sqlite3.connect(tmp_path / "old.sqlite3")  # data as the thread-based systems left it
    with raw:
        raw.execute("INSERT INTO counties (id, code, name_zh, name_en) "
                   "VALUES (1, 'haikou', '海口市', 'Haikou')")
        raw.execute("INSERT INTO exports (id, kind, filter_json, county_id, status, rows, "
                   "missing, message, file_name, file_path, bytes, created_by, created_at, "
                   "finished_at) VALUES (7, 'sheet-csv', '{\"county\": \"海口市\"}', 1, 'done', "
                   "12, 1, '', '00007-sheet-haikou.csv', '/x/00007-sheet-haikou.csv', 99, "
                   "'staff', '2026-01-01T00:00:00', '2026-01-01T00:01:00')")
        raw.execute("INSERT INTO exports (id, kind, status, message, created_by, created_at) "
                   "VALUES (8, 'proofs', 'running', '', 'staff', '2026-01-02T00:00:00')")
        raw.execute("INSERT INTO documents (id, title, file_name, file_format, targets, "
                   "created_at, updated_at) VALUES (3, 'T', 't.txt', 'txt', 'en', 'x', 'x')")
        raw.execute("INSERT INTO doc_jobs (document_id, kind, engine, status, total, done, "
                   "drafted, message, started_by, created_at, updated_at) VALUES "
                   "(3, 'draft', 'rules', 'done', 5, 5, 4, '4 drafted', 'ghost', 'x', 'y')")
    raw.close()
    migrations.apply(db)
    runs = {row["id"]: row for row in db.query("SELECT * FROM job_runs ORDER BY id")}
    assert runs[7]["kind"] == "export" and runs[7]["state"] == "done"
    assert json.loads(runs[7]["arguments"]) == {"export": "sheet-csv",
                                                "filter": {"county": "海口市"}}
    assert json.loads(runs[7]["result"])["file"] == "00007-sheet-haikou.csv"
    assert runs[8]["state"] == "interrupted"
    drafting = runs[9]
    assert drafting["kind"] == "documents.draft" and drafting["subject_id"] == 3
    assert json.loads(drafting["result"])["drafted"] == 4
    tables = set(db.table_names())
    assert "job_runs" in tables and not {"exports", "export_progress", "doc_jobs"} & tables
    db.close()


def test_the_audit_event_counts_long_id_lists_the_run_keeps_whole(db, users):
    run_id = store.create_run(db, users["staff"], "test.plain", {"sign_ids": list(range(500))})
    assert jobs.get_run(db, run_id)["arguments"]["sign_ids"] == list(range(500))
    started = json.loads(audit.history(db, "job", run_id)[0]["after_json"])
    assert started["arguments"]["sign_ids"] == {"count": 500, "first": 0, "last": 499}
