"""In a real browser: after an approval, staff exports a county's sheet and downloads it.

The web server queues the export and a real ``workbench worker`` process writes it; the
page follows the job's progress and shows the download when it is done.
"""
from __future__ import annotations

import io

import pytest

from tests.support.browser import settle, sign_in
from tests.support.exports import TEXTS, make_sign, translate
from tests.support.worker import WorkerProcess

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_config(app_config: dict) -> dict:
    """The server queues jobs for a worker instead of running them in the request."""
    return dict(app_config, JOBS_IMMEDIATE=False)


@pytest.fixture
def worker(tmp_path, db_path, db):
    process = WorkerProcess(tmp_path, db_path, "worker")
    process.wait_registered(db)
    yield process
    process.close()


def test_staff_downloads_county_sheet_after_approval(live_server, worker, new_page,
                                                     artifacts_dir, db, users, tmp_path):
    from openpyxl import load_workbook

    haikou = make_sign(db, users, "小心地滑", "en;ru;ko")
    translate(db, users, haikou, TEXTS["小心地滑"])  # the reviewer approves every language
    sanya = make_sign(db, users, "卫生间", "en", county="三亚市", site="三亚凤凰机场")
    translate(db, users, sanya, TEXTS["卫生间"])
    page = new_page("en-US")
    sign_in(page, live_server, "staff")
    page.click("nav.mainnav >> text=Exports")
    page.wait_for_url(f"{live_server}/exports/")
    page.select_option("select[name=kind]", "sheet-xlsx")
    page.select_option("select[name=county]", label="海口市")
    page.click("#export-form button[type=submit]")
    # The page polls the job's status and shows the download link when it is done.
    link = page.locator("#export-progress .job-download")
    link.wait_for(state="visible", timeout=30_000)
    assert page.locator("#export-progress .job-state").inner_text() == "Done"
    assert page.locator("#export-rows").inner_text() == "1"
    assert page.locator("#export-result").is_visible()
    page.screenshot(path=str(artifacts_dir / "exports-done.png"), full_page=True)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    name = download.suggested_filename
    assert "-sheet-haikou-" in name and name.endswith(".xlsx")
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    book = load_workbook(io.BytesIO(target.read_bytes()))
    rows = [[c.value for c in row] for row in book["标识 Signs"].iter_rows()]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["中文 Chinese"] == "小心地滑"
    assert row["英语 English"] == "CAUTION//Wet Floor"
    assert row["俄语 Russian"] == "Осторожно, скользкий пол"
    assert row["韩语 Korean"] == "미끄럼 주의"
    assert row["市县 County"] == "海口市"
    # The worker process wrote it; the export is listed for downloading again.
    from workbench import jobs

    run = jobs.list_runs(db, users["staff"], kind="export")[0][0]
    assert run["worker"] == f"{__import__('socket').gethostname()}:{worker.proc.pid}"
    with page.expect_navigation():
        page.click("text=‹ Exports")
    settle(page)
    assert download.suggested_filename in page.locator("#exports-table").inner_text()
    page.screenshot(path=str(artifacts_dir / "exports-list.png"), full_page=True)
