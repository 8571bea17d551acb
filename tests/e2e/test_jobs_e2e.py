"""In a real browser: an export waits in the queue while no worker runs, then a worker
starts and the page shows the job done and its download without being reloaded; the Jobs
page lists it, in English and Chinese."""
from __future__ import annotations

import pytest

from tests.support.browser import settle, sign_in
from tests.support.exports import TEXTS, make_sign, translate
from tests.support.worker import WorkerProcess

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_config(app_config: dict) -> dict:
    """The server queues jobs for a worker instead of running them in the request."""
    return dict(app_config, JOBS_IMMEDIATE=False)


def test_a_queued_export_is_followed_live_until_its_worker_finishes_it(
        live_server, new_page, artifacts_dir, db, db_path, users, tmp_path):
    sign = make_sign(db, users, "禁止吸烟", "en")
    translate(db, users, sign, TEXTS["禁止吸烟"])
    page = new_page("en-US")
    sign_in(page, live_server, "staff")
    page.goto(f"{live_server}/exports/")
    page.select_option("select[name=kind]", "proofs")
    with page.expect_navigation():
        page.click("#export-form button[type=submit]")
    settle(page)
    box = page.locator("#export-progress")
    assert box.locator(".job-state").inner_text() == "Queued"
    assert box.locator(".job-cancel").is_visible()
    page.screenshot(path=str(artifacts_dir / "jobs-queued.png"), full_page=True)
    page.evaluate("window.notReloaded = true")

    worker = WorkerProcess(tmp_path, db_path, "worker")
    try:
        worker.wait_registered(db)
        box.locator(".job-download").wait_for(state="visible", timeout=60_000)
        assert box.locator(".job-state").inner_text() == "Done"
        assert page.evaluate("window.notReloaded") is True  # followed without a reload
        assert not box.locator(".job-cancel").is_visible()
        page.screenshot(path=str(artifacts_dir / "jobs-done-live.png"), full_page=True)
        with page.expect_download() as download_info:
            box.locator(".job-download").click()
        assert download_info.value.suggested_filename.endswith(".pdf")
    finally:
        worker.close()

    with page.expect_navigation():
        page.click("nav.mainnav >> text=Jobs")
    settle(page)
    table = page.locator("#jobs-table").inner_text()
    assert "Print proofs (PDF)" in table and "Done" in table
    page.screenshot(path=str(artifacts_dir / "jobs-list.png"), full_page=True)
    chinese = new_page("zh-CN")
    sign_in(chinese, live_server, "staff")
    chinese.goto(f"{live_server}/jobs/")
    assert "后台任务" in chinese.locator("h1").inner_text()
    assert "已完成" in chinese.locator("#jobs-table").inner_text()
    chinese.screenshot(path=str(artifacts_dir / "jobs-list-zh.png"), full_page=True)
