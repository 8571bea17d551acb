"""An officer downloads the template, fills in a few signs, imports them and sees them listed."""
from __future__ import annotations

import openpyxl
import pytest

from tests.support.browser import settle, sign_in

SIGNS = [
    # site, sector, location, function, Chinese, installed English, action, languages
    ("海口湾演艺中心", "旅游文化", "一层 大厅", "功能设施", "售票处", "Ticket Office", "保留",
     "en"),
    ("海口湾演艺中心", "旅游文化", "一层 东门", "警示警告", "小心台阶", "Carefully Step", "更正",
     "en"),
    ("海口湾演艺中心", "旅游文化", "二层 走廊", "限令禁止", "禁止吸烟", "", "新设", "en;ru"),
]


@pytest.mark.e2e
def test_officer_imports_the_filled_template(live_server, new_page, artifacts_dir, tmp_path):
    page = new_page("zh")
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/inventory/import")
    with page.expect_download() as download_info:
        page.click("a[href$='/inventory/template.xlsx']")
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)

    workbook = openpyxl.load_workbook(template)
    sheet = workbook.worksheets[0]
    keys = [cell.value.split()[-1] for cell in sheet[1]]
    for site, sector, location, function, zh, en, action, languages in SIGNS:
        values = {"county": "海口市", "site": site, "sector": sector, "location": location,
                  "function": function, "zh": zh, "en_current": en, "action": action,
                  "languages": languages}
        sheet.append([values.get(key) for key in keys])
    filled = tmp_path / "海口市标识普查.xlsx"
    workbook.save(filled)

    page.set_input_files("input[name=file]", str(filled))
    page.click("#check-import")
    page.wait_for_selector(".import-report")
    assert "3" in page.inner_text(".import-report li:nth-child(3)")
    with page.expect_navigation():
        page.click("#confirm-import")
    settle(page)

    table = page.inner_text("table.signs")
    for _site, _sector, _location, _function, zh, *_rest in SIGNS:
        assert zh in table
    assert "Carefully Step" in table and "海口湾演艺中心" in table
    page.screenshot(path=str(artifacts_dir / "inventory-import.png"), full_page=True)

    page.click("table.signs >> text=小心台阶")  # the cards hold the same text for phones
    settle(page)
    assert "Carefully Step" in page.inner_text("main")
    assert page.locator("table.findings tr").count() >= 2  # header + the finding
    page.screenshot(path=str(artifacts_dir / "inventory-sign.png"), full_page=True)


@pytest.mark.e2e
@pytest.mark.usefixtures("demo_db")
def test_staff_sees_the_dashboard_chart(live_server, new_page, artifacts_dir):
    page = new_page("zh")
    sign_in(page, live_server, "staff")
    page.goto(f"{live_server}/inventory/dashboard")
    assert page.locator("svg.chart rect").count() >= 4  # one bar segment per county at least
    assert "琼海市" in page.locator("svg.chart").first.text_content()
    page.screenshot(path=str(artifacts_dir / "inventory-dashboard.png"), full_page=True)
