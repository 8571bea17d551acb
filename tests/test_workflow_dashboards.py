"""Dashboards list every county (started or not) with percentages; the exports page shows what
is ready for fabrication per county; the home page's to-do list holds only tasks."""
from __future__ import annotations

from workbench.inventory import dashboard
from tests.support.review import force_state, make_sign, make_site, unit_of
from workbench.review import units


def _approved_sign(db, county: str, zh: str) -> int:
    sign_id = make_sign(db, make_site(db, county), zh)
    force_state(db, unit_of(db, sign_id), "approved", "Approved Text")
    units.refresh_sign_status(db, sign_id)
    return sign_id


def test_every_county_is_listed_with_its_stage_and_percentages(db, users):
    _approved_sign(db, "海口市", "售票处")
    make_sign(db, make_site(db, "海口市"), "服务台")
    lines = {line.name_zh: line for line in dashboard.county_progress(db, users["staff"])}
    active = db.execute("SELECT count(*) FROM counties WHERE active = 1").fetchone()[0]
    assert len(lines) == active  # the counties without signs too
    haikou = lines["海口市"]
    assert (haikou.signs, haikou.wording_approved, haikou.ready_for_fabrication) == (2, 1, 1)
    assert haikou.percent(haikou.wording_approved) == 50 and haikou.stage == "translating"
    assert lines["三亚市"].stage == "not_started" and lines["三亚市"].percent(0) == 0
    # An officer sees their own county only.
    assert [line.name_zh for line in dashboard.county_progress(db, users["officer"])] == ["海口市"]


def test_stages_follow_the_signs():
    line = dashboard.CountyProgress(1, "x", "x", 2, {"approved": 1, "installed": 1})
    assert line.stage == "fabricating"
    assert dashboard.CountyProgress(1, "x", "x", 2, {"installed": 2}).stage == "done"


def test_province_dashboard_and_exports_page_show_every_county(db, staff_client):
    _approved_sign(db, "海口市", "售票处")
    page = staff_client.get("/inventory/dashboard").get_data(as_text=True)
    assert 'id="county-progress"' in page and "三沙市" in page and "Not started" in page
    assert "(100%)" in page
    zh = staff_client.get("/inventory/dashboard",
                          headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "Not started" not in zh
    exports = staff_client.get("/exports/").get_data(as_text=True)
    assert 'id="ready-table"' in exports
    ready_row = exports.split('class="has-ready"')[1].split("</tr>")[0]
    assert "海口市" in ready_row and "<strong>1</strong>" in ready_row


def test_home_page_lists_tasks_only(db, admin_client):
    page = admin_client.get("/").get_data(as_text=True)
    tasks = page.split('id="tasks"')[1].split("</ul>")[0] if 'id="tasks"' in page else ""
    assert "User accounts" not in tasks and "Audit events recorded" not in tasks
    assert "Shortcuts" in page and "User accounts" in page
