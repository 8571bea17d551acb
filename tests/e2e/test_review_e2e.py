"""In a real browser: a translator edits a machine draft and submits, a reviewer approves,
and the sign shows as approved."""
from __future__ import annotations

import pytest

from workbench import db as dbmod
from tests.support.browser import settle, sign_in
from tests.support.review import machine_draft, make_sign, make_site, unit_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def drafted(db_path):
    """A Haikou sign whose English unit carries a machine draft with a wrong word."""
    database = dbmod.open_db(db_path)
    try:
        sign_id = make_sign(database, make_site(database, "海口市", "海口市民游客中心"), "售票处",
                            location="一层东门")
        unit_id = unit_of(database, sign_id)
        machine_draft(database, unit_id, "Ticket Counter")
        code = database.execute("SELECT sign_code FROM signs WHERE id = ?",
                                [sign_id]).fetchone()[0]
    finally:
        database.close()
    return sign_id, unit_id, code


def test_translator_submits_reviewer_approves_sign_approved(live_server, new_page, drafted,
                                                            artifacts_dir):
    sign_id, unit_id, code = drafted

    translator = new_page("en-US")
    sign_in(translator, live_server, "translator")
    translator.goto(f"{live_server}/review/?state=machine_draft")
    assert translator.locator("tr.queue-row .state-machine_draft").count() >= 1
    translator.screenshot(path=str(artifacts_dir / "review-queue-translator.png"), full_page=True)
    with translator.expect_navigation():
        translator.click("tr.queue-row >> text=售票处")
    settle(translator)
    assert "machine draft" in translator.locator(".editor-panel").inner_text()
    assert code in translator.locator(".signs-panel").inner_text()
    # The engines' drafts arrive by fetch; "c" copies the first draft into the editor.
    translator.wait_for_selector("#engine-drafts .draft-card")
    translator.evaluate("document.activeElement && document.activeElement.blur()")
    translator.keyboard.press("c")
    assert translator.input_value("#editor").strip() != ""
    translator.fill("#editor", "Ticket Office")
    translator.screenshot(path=str(artifacts_dir / "review-unit-translator.png"), full_page=True)
    with translator.expect_navigation():
        translator.click("#save-submit-button")
    settle(translator)
    assert "Saved and sent to review" in translator.content()

    reviewer = new_page("en-US")
    sign_in(reviewer, live_server, "reviewer")
    reviewer.goto(f"{live_server}/review/?state=in_review")
    with reviewer.expect_navigation():
        reviewer.click("tr.queue-row >> text=售票处")
    settle(reviewer)
    assert reviewer.locator("#editor").input_value() == "Ticket Office"
    assert reviewer.locator("#approve-form").count() == 1
    reviewer.screenshot(path=str(artifacts_dir / "review-unit-reviewer.png"), full_page=True)
    reviewer.evaluate("document.activeElement && document.activeElement.blur()")
    with reviewer.expect_navigation():
        reviewer.keyboard.press("a")  # the approve shortcut
    settle(reviewer)
    assert "Approved" in reviewer.content()

    reviewer.goto(f"{live_server}/inventory/signs/{sign_id}")
    settle(reviewer)
    heading = reviewer.locator("h1").inner_text()
    assert "Approved" in heading, heading
    reviewer.screenshot(path=str(artifacts_dir / "review-sign-approved.png"), full_page=True)

    reviewer.goto(f"{live_server}/review/units/{unit_id}/history")
    history = reviewer.locator("table.history").inner_text()
    assert "approved" in history and "translator" in history and "reviewer" in history
    reviewer.screenshot(path=str(artifacts_dir / "review-history.png"), full_page=True)


def test_second_browser_save_is_refused_and_shows_both_texts(live_server, new_page, drafted,
                                                            artifacts_dir):
    _sign_id, unit_id, _code = drafted
    first, second = new_page("zh-CN"), new_page("en-US")
    sign_in(first, live_server, "translator")
    sign_in(second, live_server, "reviewer")
    for page in (first, second):
        page.goto(f"{live_server}/review/units/{unit_id}")
    first.fill("#editor", "Ticket Office")
    with first.expect_navigation():
        first.click("#save-button")
    assert first.input_value("#editor") == "Ticket Office"
    first.screenshot(path=str(artifacts_dir / "review-unit-zh.png"), full_page=True)

    second.fill("#editor", "Tickets")
    with second.expect_navigation():
        second.click("#save-button")
    assert second.locator("#theirs-text").inner_text() == "Ticket Office"
    assert second.locator("#yours-text").inner_text() == "Tickets"
    second.screenshot(path=str(artifacts_dir / "review-conflict.png"), full_page=True)
    # Keeping theirs reloads the unit with the saved wording.
    second.click("text=Keep theirs and reload")
    assert second.input_value("#editor") == "Ticket Office"
