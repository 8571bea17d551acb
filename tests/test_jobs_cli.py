"""``workbench jobs list|show|cancel|retry`` and ``--background`` on every long command.

``run_cli`` runs jobs in huey's immediate mode, so a ``--background`` run is finished when
the command returns; tests/test_jobs_worker.py does the same with a real worker.
"""
from __future__ import annotations

import json

from workbench import jobs
from workbench.jobs import store
from tests.support.exports import TEXTS, make_sign, translate


def queued_id(result) -> int:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])["job"]


def test_background_export_and_jobs_show(db, users, run_cli, tmp_path):
    sign = make_sign(db, users, "出口", "en")
    translate(db, users, sign, TEXTS["出口"])
    run_id = queued_id(run_cli("export", "sheet", "--format", "csv", "--background"))
    shown = run_cli("jobs", "show", run_id, "--json")
    summary = json.loads(shown.stdout)
    assert summary["state"] == "done" and summary["kind"] == "export"
    assert summary["result"]["rows"] == 1 and summary["progress"]["percent"] == 100
    assert summary["file"].startswith(str(tmp_path / "exports"))
    assert "出口" in open(summary["file"], encoding="utf-8-sig").read()
    text = run_cli("jobs", "show", run_id).stdout
    assert "state:" in text and "done" in text and "Fabrication sheet (CSV)" in text


def test_output_and_background_go_one_at_a_time(run_cli, tmp_path):
    for args in (("-o", tmp_path / "x.tbx", "--background"), ()):
        result = run_cli("export", "tbx", *args)
        assert result.exit_code == 2 and "--background" in result.stderr
    assert not (tmp_path / "x.tbx").exists()


def test_every_long_command_takes_background(db, users, run_cli, tmp_path):
    from workbench.documents import store as documents

    doc_id = documents.create_document(db, users["staff"], "a.txt", "禁止吸烟。\n".encode(),
                                       targets=["en"])
    csv = tmp_path / "signs.csv"
    csv.write_text("county,site,sector,location,function,zh,action\n"
                   "海口市,测试机场,transport,大厅,facility,3号登机口,new\n", encoding="utf-8")
    commands = {
        "inventory.recheck": ("inventory", "recheck", "--county", "海口市"),
        "inventory.draft": ("inventory", "draft"),
        "review.check": ("review", "check"),
        "documents.draft": ("doc", "draft", doc_id),
    }
    for kind, args in commands.items():
        run_id = queued_id(run_cli(*args, "--background"))
        run = jobs.get_run(db, run_id)
        assert run["kind"] == kind and run["state"] == "done", (kind, run["error"])
    imported = run_cli("inventory", "import", csv, "--background")
    assert "Created 1 sites and 1 signs" in imported.stdout
    run = jobs.get_run(db, queued_id(imported))
    assert run["kind"] == "inventory.draft" and run["result"]["drafted"] == 1


def test_foreground_commands_still_print_their_outcome(db, users, run_cli):
    result = run_cli("inventory", "recheck")
    assert result.exit_code == 0 and result.stdout.startswith("Checked ")
    run = jobs.list_runs(db, users["admin"], kind="inventory.recheck")[0][0]
    assert run["state"] == "done" and run["worker"].startswith("cli/")


def test_list_cancel_and_retry(db, users, run_cli):
    run_id = store.create_run(db, users["staff"], "inventory.recheck")
    listed = run_cli("jobs", "list")
    assert listed.exit_code == 0 and f"{run_id:>6} queued" in listed.stdout
    as_json = [json.loads(line) for line in run_cli("jobs", "list", "--json").stdout.splitlines()]
    assert as_json[0]["id"] == run_id and as_json[0]["state"] == "queued"
    assert run_cli("jobs", "list", "--state", "done").stdout.strip() == "(0 of 0)"
    cancelled = run_cli("jobs", "cancel", run_id)
    assert cancelled.exit_code == 0 and "cancelled" in cancelled.stdout
    again = run_cli("jobs", "cancel", run_id)
    assert again.exit_code == 1 and "Only a queued or running job" in again.stderr
    retried = run_cli("jobs", "retry", run_id)
    assert retried.exit_code == 0
    assert jobs.get_run(db, run_id)["state"] == "done"  # immediate mode ran it
    missing = run_cli("jobs", "show", 9999)
    assert missing.exit_code == 1 and "No such job" in missing.stderr
