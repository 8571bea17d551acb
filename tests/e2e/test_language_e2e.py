"""In a real browser, in the Chinese interface: for every role, the pages that role uses show
no English sentence and no raw code — after their scripts ran (engine drafts, job boxes).

The page's DOM, as the browser has it, is read by the same detector as the page tests
(tests/support/language_audit.py): user data is marked in the templates (``lang``,
``translate="no"``); everything else must be Chinese. Screenshots of each role's main
pages are saved under test-artifacts/ to be looked at.
"""
from __future__ import annotations

import pytest

from tests.support.browser import new_context, settle, sign_in
from tests.support.language_audit import find_untranslated
from tests.support.populate import Populated, populate
from workbench.config import load_settings
from workbench.db import open_db

pytestmark = pytest.mark.e2e


def pages_by_role(ids: Populated) -> dict[str, list[tuple[str, str]]]:
    """(screenshot name or '', page) for each role: the pages that role works with."""
    return {
        "officer": [
            ("officer-home", "/"), ("officer-signs", "/inventory/"),
            ("officer-sign", f"/inventory/signs/{ids.sign_id}"), ("", "/inventory/signs/new"),
            ("", "/inventory/import"), ("", "/inventory/survey/"),
            ("officer-progress", "/inventory/dashboard"), ("", "/reports/"),
            ("officer-questions", "/review/clarifications"), ("", "/glossary/"),
        ],
        "translator": [
            ("translator-queue", "/review/?state=machine_draft"),
            ("translator-unit", f"/review/units/{ids.unit_id}"),
            ("", f"/review/units/{ids.rejected_unit_id}"),
            ("", f"/review/units/{ids.approved_unit_id}/history"),
            ("translator-document", f"/documents/{ids.document_id}"),
            ("translator-segment", f"/documents/{ids.document_id}/segments/{ids.segment_id}"),
            ("", f"/glossary/c/{ids.concept_id}"), ("translator-engines", "/engines/"),
            ("", "/jobs/"),
        ],
        "reviewer": [
            ("", "/review/"), ("reviewer-unit", f"/review/units/{ids.approved_unit_id}"),
            ("reviewer-proposal", f"/glossary/proposals/{ids.proposal_id}"),
            ("", f"/glossary/c/{ids.concept_id}/edit"), ("", "/glossary/stats"),
        ],
        "staff": [
            ("staff-progress", "/inventory/dashboard"), ("staff-exports", "/exports/"),
            ("", f"/exports/{ids.export_run_id}"), ("staff-report", f"/reports/{ids.report_id}"),
            ("staff-sign-history", f"/inventory/signs/{ids.approved_sign_id}"),
            ("", "/documents/"), ("", "/documents/rules"),
        ],
        "admin": [
            ("admin-users", "/admin/users"), ("", "/admin/users/1"), ("", "/admin/counties"),
            ("admin-audit", "/audit/"), ("", "/audit/verify"),
        ],
    }


@pytest.fixture
def populated(csrf_app) -> Populated:
    settings = load_settings(None, dict(csrf_app.config))
    database = open_db(csrf_app.config["DATABASE"])
    try:
        return populate(database, settings)
    finally:
        database.close()


@pytest.mark.parametrize("role", ["officer", "translator", "reviewer", "staff", "admin"])
def test_every_role_reads_only_chinese(role, live_server, new_page, populated, artifacts_dir):
    page = new_page("zh-CN")
    sign_in(page, live_server, role)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    problems = []
    for shot, path in pages_by_role(populated)[role]:
        response = page.goto(f"{live_server}{path}")
        settle(page)
        if response is None or response.status != 200:
            problems.append(f"{path}: answered {response.status if response else 'nothing'}")
            continue
        problems += [f"{path}: {finding}" for finding in find_untranslated(page.content())]
        if shot:
            page.screenshot(path=str(artifacts_dir / f"zh-{shot}.png"), full_page=True)
    assert not problems, f"{len(problems)} English words or codes:\n" + "\n".join(problems)


def test_switching_language_on_a_page_after_a_post(live_server, new_page, populated,
                                                  artifacts_dir):
    """Bulk approval answers a POST; choosing English there shows the queue, not an error."""
    page = new_page("zh-CN")
    sign_in(page, live_server, "reviewer")
    page.goto(f"{live_server}/review/?state=in_review")
    with page.expect_navigation():
        page.click("#bulk-form button[type=submit]")  # nothing ticked: the queue says so
    settle(page)
    with page.expect_navigation():
        page.click("header button[value=en]")
    settle(page)
    assert "Method Not Allowed" not in page.content()
    assert page.locator("h1").inner_text() == "Review queue"
    page.screenshot(path=str(artifacts_dir / "language-switch-after-post.png"))


PHONE = {"width": 390, "height": 844}
# Measured in the browser: nav items taller than one line of text (wrapped inside an item),
# and how far the page is wider than the screen.
PHONE_LAYOUT_JS = """() => {
  const items = [...document.querySelectorAll('.mainnav a')].map(a => {
    const range = document.createRange();
    range.selectNodeContents(a);
    return {text: a.textContent.trim(), lines: range.getClientRects().length};
  });
  return {wrapped: items.filter(i => i.lines > 1).map(i => i.text),
          count: items.length,
          overflow: document.documentElement.scrollWidth - window.innerWidth};
}"""


@pytest.fixture
def phone_page(browser):
    """A Chinese-interface page the size of a phone (390×844, touch)."""
    context = new_context(browser, locale="zh-CN", viewport=PHONE, is_mobile=True,
                                  has_touch=True, extra_http_headers={"Accept-Language": "zh-CN"})
    yield context.new_page()
    context.close()


def test_officer_pages_on_a_phone_keep_nav_items_whole(live_server, phone_page, populated,
                                                       artifacts_dir):
    """On a phone the main navigation wraps item by item, never inside a name, and no
    officer page scrolls sideways."""
    sign_in(phone_page, live_server, "officer")
    problems = []
    for shot, path in pages_by_role(populated)["officer"]:
        phone_page.goto(f"{live_server}{path}")
        settle(phone_page)
        layout = phone_page.evaluate(PHONE_LAYOUT_JS)
        assert layout["count"] > 3, path  # the navigation is there to be measured
        if layout["wrapped"]:
            problems.append(f"{path}: nav items broken inside: {layout['wrapped']}")
        if layout["overflow"] > 0:
            problems.append(f"{path}: {layout['overflow']} px wider than the screen")
        if shot:
            phone_page.screenshot(path=str(artifacts_dir / f"zh-phone-{shot}.png"),
                                  full_page=True)
    assert not problems, "\n".join(problems)
