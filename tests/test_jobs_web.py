"""The Jobs page, the job status JSON, cancel and retry from the web, downloads, and the
progress box on the pages that start jobs (inventory import)."""
from __future__ import annotations

import pytest

from workbench import jobs
from workbench.jobs import store
from tests.support.exports import TEXTS, make_sign, translate


@pytest.fixture
def exported(db, users, staff_client) -> int:
    """A finished sheet export of 海口市, started by staff on the page."""
    sign = make_sign(db, users, "出口", "en")
    translate(db, users, sign, TEXTS["出口"])
    haikou = db.execute("SELECT id FROM counties WHERE name_zh = '海口市'").fetchone()[0]
    response = staff_client.post("/exports/", data={"kind": "sheet-csv", "county": str(haikou)})
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_staff_see_every_run_and_others_only_their_own(db, users, exported, login):
    queued = store.create_run(db, users["officer"], "inventory.draft", {"sign_ids": []})
    staff_page = login("staff").get("/jobs/").get_data(as_text=True)
    assert f'href="/jobs/{exported}"' in staff_page and f'href="/jobs/{queued}"' in staff_page
    officer = login("officer")
    page = officer.get("/jobs/").get_data(as_text=True)
    assert f'href="/jobs/{queued}"' in page and f'href="/jobs/{exported}"' not in page
    assert officer.get(f"/jobs/{exported}").status_code == 404
    assert officer.get(f"/jobs/{exported}/file").status_code == 404
    # Another county's officer never sees the Haikou officer's run.
    other = login("officer_sanya")
    assert other.get(f"/jobs/{queued}").status_code == 404
    assert f'href="/jobs/{queued}"' not in other.get("/jobs/").get_data(as_text=True)
    mine = login("staff").get("/jobs/?mine=1").get_data(as_text=True)
    assert f'href="/jobs/{exported}"' in mine and f'href="/jobs/{queued}"' not in mine


def test_a_finished_run_shows_its_result_and_file(db, users, exported, staff_client):
    detail = staff_client.get(f"/jobs/{exported}").get_data(as_text=True)
    assert "Done" in detail and "Fabrication sheet (CSV)" in detail and "jobs.js" in detail
    assert f'href="/jobs/{exported}/file"' in detail
    status = staff_client.get(f"/jobs/{exported}/status").get_json()
    assert status["state"] == "done" and status["percent"] == 100
    assert status["file_url"] == f"/jobs/{exported}/file" and status["result"]["rows"] == 1
    download = staff_client.get(status["file_url"])
    assert download.status_code == 200 and "出口" in download.data.decode("utf-8-sig")
    assert "no-store" in staff_client.get(f"/jobs/{exported}/status").headers["Cache-Control"]


def test_a_file_gone_from_disk_is_not_found(db, users, exported, staff_client, app):
    path = jobs.output_dir(app.config) / jobs.get_run(db, exported)["result"]["file"]
    path.unlink()
    assert staff_client.get(f"/jobs/{exported}/file").status_code == 404


def test_cancel_and_retry_from_the_page(db, users, login):
    officer = login("officer")
    run_id = store.create_run(db, users["officer"], "inventory.draft", {"sign_ids": []},
                              county_id=users["officer"].county_id)
    page = officer.get(f"/jobs/{run_id}").get_data(as_text=True)
    assert "Queued" in page and 'data-job-active="1"' in page and "job-cancel" in page
    assert officer.post(f"/jobs/{run_id}/cancel").status_code == 302
    assert jobs.get_run(db, run_id)["state"] == "cancelled"
    page = officer.get(f"/jobs/{run_id}").get_data(as_text=True)
    assert 'class="inline job-retry" >' in page  # offered now
    response = officer.post(f"/jobs/{run_id}/cancel", follow_redirects=True)
    assert "Only a queued or running job can be cancelled" in response.get_data(as_text=True)
    assert officer.post(f"/jobs/{run_id}/retry").status_code == 302
    run = jobs.get_run(db, run_id)  # the test app runs jobs at once
    assert run["state"] == "done" and run["result"]["drafted"] == 0
    # Someone else may neither retry nor cancel it.
    assert login("translator").post(f"/jobs/{run_id}/retry").status_code == 404


def test_a_redirect_after_an_action_stays_on_this_site(db, users, staff_client):
    run_id = store.create_run(db, users["staff"], "inventory.recheck")
    response = staff_client.post(f"/jobs/{run_id}/cancel", data={"next": "//evil.example/"})
    assert response.headers["Location"] == f"/jobs/{run_id}"


def test_forms_need_csrf(csrf_app, db, users):
    run_id = store.create_run(db, users["staff"], "inventory.recheck")
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(users["staff"].id)
        session["_fresh"] = True
    assert client.post(f"/jobs/{run_id}/cancel").status_code == 400
    assert jobs.get_run(db, run_id)["state"] == "queued"


def test_the_page_says_when_no_worker_is_running(app_config, db, users, login, app):
    app.config["JOBS_IMMEDIATE"] = False
    page = login("staff").get("/jobs/").get_data(as_text=True)
    assert "No worker is running" in page


def test_jobs_page_in_chinese(db, users, exported, staff_client):
    staff_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = staff_client.get("/jobs/").get_data(as_text=True)
    assert "后台任务" in page and "已完成" in page
    status = staff_client.get(f"/jobs/{exported}/status").get_json()
    assert status["state_label"] == "已完成"


def test_an_inventory_import_drafts_in_a_job_the_sign_list_follows(db, users, officer_client):
    from io import BytesIO

    csv = ("county,site,sector,location,function,zh,action\n"
           "海口市,测试机场,transport,大厅,facility,3号登机口,new\n"
           "海口市,测试机场,transport,大厅,prohibition,禁止吸烟,new\n").encode()
    response = officer_client.post("/inventory/import", data={
        "file": (BytesIO(csv), "signs.csv")}, content_type="multipart/form-data")
    token = response.get_data(as_text=True).split('name="token" value="')[1].split('"')[0]
    response = officer_client.post("/inventory/import/confirm", data={"token": token})
    assert response.status_code == 302 and "job=" in response.headers["Location"]
    run_id = int(response.headers["Location"].split("job=")[1].split("&")[0])
    run = jobs.get_run(db, run_id)
    assert run["kind"] == "inventory.draft" and run["state"] == "done"
    assert run["started_by"] == "officer" and run["county_id"] == users["officer"].county_id
    assert run["result"]["drafted"] == 2
    page = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'data-job-id="{run_id}"' in page and "jobs.js" in page
    assert "2 translation units machine-drafted" in page
