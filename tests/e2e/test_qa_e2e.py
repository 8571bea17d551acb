"""In a real browser: QA findings in the reader's language, and a reviewer dismissing one."""
from __future__ import annotations

import pytest

from workbench import db as dbmod
from tests.support.browser import settle, sign_in
from tests.support.review import machine_draft, make_sign, make_site, unit_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def misspelt(db_path):
    """A Haikou sign whose English unit carries a draft with a real-word misspelling."""
    database = dbmod.open_db(db_path)
    try:
        sign_id = make_sign(database, make_site(database, "海口市", "万绿园"), "公共厕所",
                            location="北门")
        unit_id = unit_of(database, sign_id)
        machine_draft(database, unit_id, "Pubic Toilets")
    finally:
        database.close()
    return unit_id


def test_reviewer_dismisses_a_finding_with_a_reason(live_server, new_page, misspelt,
                                                    artifacts_dir):
    chinese = new_page("zh-CN")
    sign_in(chinese, live_server, "reviewer")
    chinese.goto(f"{live_server}/review/units/{misspelt}")
    findings = chinese.locator("#qa ~ ul.findings").inner_text()
    assert "Public" in findings and "只差一两个字母" in findings
    chinese.screenshot(path=str(artifacts_dir / "qa-unit-zh.png"), full_page=True)

    reviewer = new_page("en-US")
    sign_in(reviewer, live_server, "reviewer")
    reviewer.goto(f"{live_server}/review/units/{misspelt}")
    form = reviewer.locator("form.dismiss-form").first
    form.locator("input[name=reason]").fill("Checked on site: the sign maker will fix it")
    with reviewer.expect_navigation():
        form.locator("button").click()
    settle(reviewer)
    dismissed = reviewer.locator("li.finding-dismissed").first.inner_text()
    assert "Checked on site" in dismissed and "reviewer" in dismissed
    reviewer.screenshot(path=str(artifacts_dir / "qa-unit-dismissed.png"), full_page=True)
