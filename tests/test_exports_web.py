"""The exports page: start a job, follow its progress, download (again), permissions.

The test app runs jobs in huey's immediate mode (inside the request that starts
them); tests/test_jobs_worker.py exports through a real worker process.
"""
from __future__ import annotations

import csv
import io
import time

from tests.support.exports import TEXTS, make_sign, translate


def wait_done(client, export_id: int, timeout: float = 60) -> dict:
    """Poll the job's status the way the page does, until the export finishes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(f"/jobs/{export_id}/status")
        assert response.status_code == 200
        state = response.get_json()
        assert 0 <= state["percent"] <= 100
        if not state["active"]:
            return state
        time.sleep(0.1)
    raise AssertionError("the export did not finish")


def start(client, **fields) -> int:
    response = client.post("/exports/", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_staff_exports_a_county_sheet_and_downloads_it_again(db, users, staff_client):
    haikou = make_sign(db, users, "小心地滑", "en;ru")
    translate(db, users, haikou, TEXTS["小心地滑"])
    sanya = make_sign(db, users, "卫生间", "en", county="三亚市", site="三亚凤凰机场")
    translate(db, users, sanya, TEXTS["卫生间"])
    page = staff_client.get("/exports/")
    assert page.status_code == 200 and "No exports yet" in page.get_data(as_text=True)
    haikou_id = db.execute("SELECT id FROM counties WHERE name_zh = '海口市'").fetchone()[0]
    export_id = start(staff_client, kind="sheet-csv", county=str(haikou_id))
    detail = staff_client.get(f"/exports/{export_id}").get_data(as_text=True)
    assert 'id="export-progress"' in detail and "jobs.js" in detail
    state = wait_done(staff_client, export_id)
    assert state["state"] == "done" and state["result"]["rows"] == 1 and state["percent"] == 100
    first = staff_client.get(state["file_url"])
    assert first.status_code == 200
    assert "attachment" in first.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(first.data.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [db.execute(
        "SELECT sign_code FROM signs WHERE id = ?", [haikou]).fetchone()[0]]
    assert "Осторожно, скользкий пол" in rows[1] and "卫生间" not in first.data.decode()
    # Listed on the exports page, and the same file downloads again.
    listing = staff_client.get("/exports/").get_data(as_text=True)
    assert f"/jobs/{export_id}/file" in listing and "County: 海口市" in listing
    assert staff_client.get(f"/jobs/{export_id}/file").data == first.data
    # The audit history has who, the filter and the rows.
    started, done = (db.execute("SELECT actor_name, after_json FROM audit_events WHERE action = ? "
                                "AND entity_type = 'job' AND entity_id = ?",
                                [action, str(export_id)]).fetchone()
                     for action in ("job.start", "job.done"))
    assert started[0] == "staff" and "海口市" in started[1]
    assert done[0] == "staff" and '"rows":1' in done[1]


def test_empty_export_shows_why(db, users, staff_client):
    make_sign(db, users, "出口", "en")  # nothing approved
    export_id = start(staff_client, kind="proofs")
    state = wait_done(staff_client, export_id)
    assert state["state"] == "failed" and state["file_url"] is None
    assert "waiting for approved wording" in state["error"]
    assert staff_client.get(f"/jobs/{export_id}/file").status_code == 404
    assert "waiting for approved wording" in staff_client.get(
        f"/exports/{export_id}").get_data(as_text=True)


def test_bad_filter_is_refused_on_the_form(db, users, staff_client):
    response = staff_client.post("/exports/", data={"kind": "sheet-csv",
                                                    "approved_since": "not-a-date"})
    assert response.status_code == 400
    assert "not a date" in response.get_data(as_text=True)
    response = staff_client.post("/exports/", data={"kind": "package"})
    assert response.status_code == 400 and "needs a county" in response.get_data(as_text=True)
    assert not db["job_runs"].count


def test_who_may_export(db, users, officer_client, reviewer_client, translator_client,
                        staff_client, admin_client):
    for client in (officer_client, reviewer_client, translator_client):
        assert client.get("/exports/").status_code == 403
    assert admin_client.get("/exports/").status_code == 200
    sign = make_sign(db, users, "出口", "en")
    translate(db, users, sign, TEXTS["出口"])
    export_id = start(staff_client, kind="tmx")
    assert wait_done(staff_client, export_id)["state"] == "done"
    for client in (officer_client, reviewer_client):
        assert client.get(f"/exports/{export_id}").status_code == 403
        # Another person's job does not exist for them, file included.
        assert client.get(f"/jobs/{export_id}/file").status_code == 404
        assert client.get(f"/jobs/{export_id}/status").status_code == 404
    # Staff and admins share exports: another staff member's run is on the page too.
    assert admin_client.get(f"/jobs/{export_id}/file").status_code == 200
    # Staff cannot bring translations in (that is a translator's or reviewer's job).
    page = staff_client.get("/exports/").get_data(as_text=True)
    assert "Import XLIFF" not in page
    assert admin_client.get("/exports/").get_data(as_text=True).count("Import XLIFF") == 1


def test_xliff_round_trip_on_the_page(db, users, admin_client):
    sign = make_sign(db, users, "服务台", "en;ru")
    translate(db, users, sign, TEXTS["服务台"], only={"en"})
    export_id = start(admin_client, kind="xliff", lang="ru")
    state = wait_done(admin_client, export_id)
    assert state["state"] == "done" and state["result"]["rows"] == 1
    data = admin_client.get(state["file_url"]).data
    filled = data.replace("<source>服务台</source>".encode(),
                          "<source>服务台</source><target>Стойка обслуживания</target>".encode())
    response = admin_client.post("/exports/xliff-import", data={
        "file": (io.BytesIO(filled), "back.xlf")}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "1 translation(s) sent to review" in response.get_data(as_text=True)
    state = db.execute("SELECT u.state FROM sign_units su JOIN translation_units u ON "
                       "u.id = su.unit_id WHERE su.sign_id = ? AND su.target_lang = 'ru'",
                       [sign]).fetchone()[0]
    assert state == "in_review"


def test_an_export_whose_worker_went_silent_is_shown(db, users, staff_client):
    from workbench.db import transaction
    from workbench.exports import runs
    from workbench.exports.selection import ExportFilter
    from workbench.jobs import store

    run_id = store.create_run(db, users["staff"], "export",
                              {"export": "sheet-csv", "filter": ExportFilter().to_dict()})
    store.claim(db, run_id, "another-host:4242")  # a worker elsewhere took it …
    assert not staff_client.get(f"/jobs/{run_id}/status").get_json()["stale"]
    with transaction(db):  # … and has not reported for an hour (bookkeeping columns)
        db.execute("UPDATE job_runs SET heartbeat_at = '2000-01-01T00:00:00+00:00' "
                   "WHERE id = ?", [run_id])
    assert staff_client.get(f"/jobs/{run_id}/status").get_json()["stale"] is True
    detail = staff_client.get(f"/exports/{run_id}").get_data(as_text=True)
    assert "No progress for a while" in detail
    assert 'class="job-download-box" hidden' in detail  # no download before it is done
    assert "No heartbeat" in staff_client.get("/exports/").get_data(as_text=True)
    assert runs.get_export(db, users["staff"], run_id)["state"] == "running"


def test_page_in_chinese(staff_client):
    staff_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = staff_client.get("/exports/").get_data(as_text=True)
    assert "新建导出" in page and "制作清单（XLSX）" in page and "全部市县" in page

