"""In a real browser, Chinese interface: the sign editor (live QA, glossary marks, concordance,
Ctrl+Enter, Alt shortcuts in the text box, the QA warning before sending), batch sending, the
bulk-approval preview, and an officer correcting a submitted sign."""
from __future__ import annotations

import pytest

from workbench import auth
from workbench import db as dbmod
from workbench.inventory import records
from workbench.mt import memory
from workbench.review import units
from tests.support.browser import settle, sign_in
from tests.support.review import machine_draft, make_sign, make_site, unit_of

pytestmark = pytest.mark.e2e


def _with_db(db_path, build):
    database = dbmod.open_db(db_path)
    try:
        return build(database)
    finally:
        database.close()


@pytest.fixture
def editor_units(db_path):
    """Two machine-drafted Haikou units (小心地滑 with a bad draft, 售票处) and memory entries."""
    def build(db):
        memory.add_entry(db, auth.system_actor("pytest"), "游客中心咨询台",
                         "Visitor Center Information Desk", "zh", "en", "review")
        site = make_site(db, "海口市", "海口市民游客中心")
        slippery = unit_of(db, make_sign(db, site, "小心地滑", function="warning"))
        machine_draft(db, slippery, "Carefully Slide")
        tickets = unit_of(db, make_sign(db, site, "售票处"))
        machine_draft(db, tickets, "Ticket Office")
        return slippery, tickets
    return _with_db(db_path, build)


def test_editor_live_qa_terms_concordance_and_shortcuts(live_server, new_page, editor_units,
                                                         artifacts_dir):
    slippery, tickets = editor_units
    page = new_page("zh-CN")
    sign_in(page, live_server, "translator")
    page.goto(f"{live_server}/review/units/{slippery}?state=machine_draft")
    # Glossary terms are marked in the source, their renderings on hover.
    term = page.locator("#source-text mark.term").first
    assert "Wet Floor" in (term.get_attribute("title") or "")
    # Live QA follows the typing (the stored wording's findings are listed under QA).
    page.fill("#editor", "CAUTION//Wet Floor")
    page.wait_for_selector("#live-findings[data-checked]", state="attached")
    assert page.locator("#live-findings li.finding-error").count() == 0
    page.fill("#editor", "Carefully Slide Down")
    page.wait_for_selector("#live-findings li.finding-error")
    page.screenshot(path=str(artifacts_dir / "workflow-editor-live-qa.png"), full_page=True)
    # Sending wording with QA errors asks first; "fix them" goes back to the text.
    page.click("#save-submit-button")
    page.wait_for_selector("#qa-confirm:not([hidden])")
    assert "质检发现" in page.inner_text("#qa-confirm")
    page.screenshot(path=str(artifacts_dir / "workflow-editor-qa-confirm.png"), full_page=True)
    page.click("#qa-fix")
    # Concordance from the editor.
    page.fill("#concordance-q", "游客中心")
    page.click("#concordance-form button[type=submit]")
    page.wait_for_selector("#concordance-results .concordance-hit")
    assert "Visitor Center Information Desk" in page.inner_text("#concordance-results")
    page.screenshot(path=str(artifacts_dir / "workflow-editor-concordance.png"), full_page=True)
    # Clicking a marked term inserts its rendering at the cursor.
    page.fill("#editor", "")
    term.click()
    assert page.input_value("#editor").strip() != ""
    # Ctrl+Enter saves and opens the next unit of the queue.
    page.fill("#editor", "CAUTION//Wet Floor")
    page.focus("#editor")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    settle(page)
    assert f"/review/units/{tickets}" in page.url
    assert "已保存" in page.inner_text("main")
    # Inside the text box the shortcuts work with Alt: Alt+S saves.
    page.fill("#editor", "Ticket Office (Tickets)")
    page.focus("#editor")
    with page.expect_navigation():
        page.keyboard.press("Alt+KeyS")
    assert f"/review/units/{tickets}" in page.url
    assert page.input_value("#editor") == "Ticket Office (Tickets)"
    page.screenshot(path=str(artifacts_dir / "workflow-editor-next.png"), full_page=True)


def test_batch_send_and_bulk_approval_preview(live_server, new_page, editor_units, artifacts_dir):
    slippery, tickets = editor_units
    translator = new_page("zh-CN")
    sign_in(translator, live_server, "translator")
    translator.goto(f"{live_server}/review/?state=machine_draft")
    translator.check("#select-all")
    translator.screenshot(path=str(artifacts_dir / "workflow-batch-ticked.png"), full_page=True)
    with translator.expect_navigation():
        translator.click("#bulk-submit")
    message = translator.inner_text("main")
    # 售票处 went to review; 小心地滑 ("Carefully Slide") stays back with its QA error.
    assert "已将 1 条提交审校" in message and f"#{slippery}" in message
    translator.screenshot(path=str(artifacts_dir / "workflow-batch-sent.png"), full_page=True)

    reviewer = new_page("zh-CN")
    sign_in(reviewer, live_server, "reviewer")
    reviewer.goto(f"{live_server}/review/?state=in_review")
    reviewer.check(f"input.bulk-pick[value^='{tickets}:']")
    with reviewer.expect_navigation():
        reviewer.click("#bulk-approve")
    assert reviewer.locator("#ready-table tr.ready-row").count() == 1
    assert "Ticket Office" in reviewer.inner_text("#ready-table")
    reviewer.screenshot(path=str(artifacts_dir / "workflow-approval-preview.png"), full_page=True)
    with reviewer.expect_navigation():
        reviewer.click("#confirm-approve")
    assert "已批准 1 条" in reviewer.inner_text("main")


@pytest.fixture
def drafting_sign(db_path):
    """A sign the Haikou officer submitted, already machine-drafted (status drafting)."""
    def build(db):
        officer = auth.find_user(db, "officer")
        site = make_site(db, "海口市", "海口骑楼老街")
        sign_id = records.create_sign(db, officer, site, {
            "zh": "禁止吸烟", "function": "prohibition", "action": "new",
            "location": "中山路口", "quantity": 2})
        units.draft_units_of_signs(db, officer, [sign_id])
        return sign_id
    return _with_db(db_path, build)


def test_officer_corrects_a_submitted_sign(live_server, new_page, drafting_sign, artifacts_dir):
    page = new_page("zh-CN")
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/inventory/signs/{drafting_sign}")
    assert "翻译中" in page.inner_text("h1") or "起草中" in page.inner_text("h1")
    assert page.locator(".correction-note").count() == 1
    page.screenshot(path=str(artifacts_dir / "workflow-officer-sign.png"), full_page=True)
    with page.expect_navigation():
        page.click("#edit-sign")
    assert page.locator("#correction-form").count() == 1
    page.fill("textarea[name=zh]", "禁止吸烟和饮食")
    page.fill("input[name=location]", "中山路口东侧")
    page.screenshot(path=str(artifacts_dir / "workflow-officer-correct.png"), full_page=True)
    with page.expect_navigation():
        page.click("#correction-form button[type=submit]")
    settle(page)
    main = page.inner_text("main")
    assert "禁止吸烟和饮食" in main and "中山路口东侧" in main and "已保存" in main
    page.screenshot(path=str(artifacts_dir / "workflow-officer-corrected.png"), full_page=True)
