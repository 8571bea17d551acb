"""The review screen through HTTP: queue and filters, unit page, conflicts, decisions, home page."""
from __future__ import annotations

import re

from workbench import auth
from workbench.review import workflow
from tests.support.review import (
    county_id, drafted_sign, make_sign, make_site, sign_status, unit_of, unit_row,
)


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_queue_lists_units_marks_machine_drafts_and_filters(db, reviewer_client):
    _s1, haikou_unit = drafted_sign(db, "售票处", "Ticket Office")
    sanya_sign = make_sign(db, make_site(db, "三亚市"), "茶水间", function="facility")
    sanya_unit = unit_of(db, sanya_sign)
    page = _html(reviewer_client.get("/review/"))
    assert "售票处" in page and "茶水间" in page
    assert "machine draft" in page  # machine drafts are marked as such

    by_county = _html(reviewer_client.get(f"/review/?county={county_id(db, '三亚市')}"))
    assert "茶水间" in by_county and "售票处" not in by_county
    by_state = _html(reviewer_client.get("/review/?state=machine_draft"))
    assert "售票处" in by_state and "茶水间" not in by_state
    by_text = _html(reviewer_client.get("/review/?q=Ticket"))
    # A machine draft is not for approval, but it can be ticked to send to review or accept.
    assert 'data-state="machine_draft"' in by_text and 'data-state="in_review"' not in by_text
    assert "售票处" in by_text and "茶水间" not in by_text
    by_engine = _html(reviewer_client.get("/review/?engine=rules"))
    assert "售票处" in by_engine and "茶水间" not in by_engine
    assert sanya_unit != haikou_unit


def test_queue_qa_filter_and_pagination(db, reviewer_client, app):
    _s1, bad = drafted_sign(db, "服务台", "服务台 Desk")
    _s2, good = drafted_sign(db, "售票处", "Ticket Office")
    for unit_id in (bad, good):
        workflow.store_findings(db, unit_row(db, unit_id))
    errors = _html(reviewer_client.get("/review/?qa=error"))
    assert "服务台" in errors and "售票处" not in errors
    clean = _html(reviewer_client.get("/review/?qa=clean"))
    assert "售票处" in clean and "服务台" not in clean
    app.config["PAGE_SIZE"] = 1
    first = _html(reviewer_client.get("/review/?page=1"))
    second = _html(reviewer_client.get("/review/?page=2"))
    assert "Page 1 of 2" in first and "Page 2 of 2" in second


def test_officers_cannot_open_the_review_screen(officer_client):
    assert officer_client.get("/review/").status_code == 403


def test_unit_page_shows_sign_terms_memory_drafts_and_qa(db, reviewer_client, users):
    from workbench.mt import memory

    memory.add_entry(db, users["reviewer"], "售票处", "Ticket Office", "zh", "en", "review")
    sign_id, unit_id = drafted_sign(db, "售票处", "Ticket Office。")
    page = _html(reviewer_client.get(f"/review/units/{unit_id}"))
    assert "售票处" in page
    sign_code = db.execute("SELECT sign_code FROM signs WHERE id = ?", [sign_id]).fetchone()[0]
    assert sign_code in page  # the sign and its location beside the text
    assert "Ticket Office" in page and "100%" in page  # TM match with its score
    assert "Glossary terms in the text" in page
    assert "Full-width character" in page  # QA finding inline
    assert "machine draft" in page
    assert "engine-drafts" in page and "review.js" in page


def test_engine_drafts_fragment_lists_every_available_engine(db, reviewer_client):
    from workbench.mt import list_engines

    _sign_id, unit_id = drafted_sign(db, "售票处", "Ticket Office")
    response = reviewer_client.get(f"/review/units/{unit_id}/drafts?fragment=1")
    assert response.status_code == 200
    html = _html(response)
    assert "<html" not in html
    names = [e.name for e in list_engines(include_unavailable=False) if ("zh", "en") in
             [tuple(p) for p in e.pairs]]
    assert names  # the rule engine at least
    for name in names:
        assert str(name) in html
    assert "Copy into the editor" in html


def test_translator_edits_and_submits_reviewer_approves_over_http(db, login):
    sign_id, unit_id = drafted_sign(db, "售票处", "Ticket Counter")
    translator = login("translator")
    version = unit_row(db, unit_id)["version"]
    response = translator.post(f"/review/units/{unit_id}/save", data={
        "text": "Ticket Office", "version": version, "submit_for_review": "1"})
    assert response.status_code == 302
    assert unit_row(db, unit_id)["state"] == "in_review"
    assert sign_status(db, sign_id) == "in_review"

    reviewer = login("reviewer")
    page = _html(reviewer.get(f"/review/units/{unit_id}"))
    assert 'id="approve-form"' in page
    response = reviewer.post(f"/review/units/{unit_id}/approve",
                             data={"version": unit_row(db, unit_id)["version"]})
    assert response.status_code == 302
    assert unit_row(db, unit_id)["state"] == "approved"
    assert sign_status(db, sign_id) == "approved"


def test_two_sessions_editing_the_same_unit_second_save_shows_conflict(db, login):
    _sign_id, unit_id = drafted_sign(db, "服务台", "Service Counter")
    first, second = login("translator"), login("reviewer")
    pages = [_html(c.get(f"/review/units/{unit_id}")) for c in (first, second)]
    versions = [re.search(r'name="version" value="(\d+)"', p).group(1) for p in pages]
    assert versions[0] == versions[1]
    ok = first.post(f"/review/units/{unit_id}/save",
                    data={"text": "Service Desk", "version": versions[0]})
    assert ok.status_code == 302
    refused = second.post(f"/review/units/{unit_id}/save",
                          data={"text": "Information Desk", "version": versions[1]})
    assert refused.status_code == 409
    html = _html(refused)
    theirs = re.search(r'id="theirs-text"[^>]*>([^<]*)<', html).group(1)
    yours = re.search(r'id="yours-text"[^>]*>([^<]*)<', html).group(1)
    assert theirs == "Service Desk" and yours == "Information Desk"
    assert unit_row(db, unit_id)["target_text"] == "Service Desk"


def test_four_eyes_hides_approve_for_the_author(db, login, users):
    _sign_id, unit_id = drafted_sign(db)
    saved = workflow.save_translation(db, users["reviewer"], unit_id, "Service Desk",
                                      unit_row(db, unit_id)["version"])
    workflow.submit(db, users["reviewer"], unit_id, saved["version"])
    own = _html(login("reviewer").get(f"/review/units/{unit_id}"))
    assert 'id="approve-form"' not in own and "four-eyes" in own
    other = _html(login("reviewer2").get(f"/review/units/{unit_id}"))
    assert 'id="approve-form"' in other
    refused = login("reviewer").post(f"/review/units/{unit_id}/approve",
                                     data={"version": unit_row(db, unit_id)["version"]})
    assert refused.status_code == 403
    assert unit_row(db, unit_id)["state"] == "in_review"


def test_reject_without_reason_is_refused_and_with_reason_recorded(db, login, users):
    _sign_id, unit_id = drafted_sign(db)
    saved = workflow.save_translation(db, users["translator"], unit_id, "Servise Desk",
                                      unit_row(db, unit_id)["version"])
    workflow.submit(db, users["translator"], unit_id, saved["version"])
    reviewer = login("reviewer")
    version = unit_row(db, unit_id)["version"]
    reviewer.post(f"/review/units/{unit_id}/reject", data={"version": version, "reason": ""})
    assert unit_row(db, unit_id)["state"] == "in_review"
    reviewer.post(f"/review/units/{unit_id}/reject",
                  data={"version": version, "reason": "Spelling"})
    assert unit_row(db, unit_id)["state"] == "rejected"
    page = _html(login("translator").get(f"/review/units/{unit_id}"))
    assert "Spelling" in page


def test_bulk_approve_form_approves_clean_and_lists_refused(db, login, users):
    _s1, clean = drafted_sign(db, "售票处")
    _s2, faulty = drafted_sign(db, "服务台")
    ids = {}
    for unit_id, text in ((clean, "Ticket Office"), (faulty, "Service Desk。")):
        saved = workflow.save_translation(db, users["translator"], unit_id, text,
                                          unit_row(db, unit_id)["version"])
        ids[unit_id] = workflow.submit(db, users["translator"], unit_id,
                                       saved["version"])["version"]
    reviewer = login("reviewer")
    ticked = [f"{u}:{v}" for u, v in ids.items()]
    # First a preview: what will be approved, what is skipped and why; nothing changes yet.
    preview = _html(reviewer.post("/review/bulk-approve", data={"unit": ticked}))
    assert 'id="confirm-approval"' in preview and "QA is not clean" in preview
    assert f'value="{clean}:{ids[clean]}"' in preview and f'value="{faulty}:' not in preview
    assert unit_row(db, clean)["state"] == "in_review"
    # Confirmed, every ticked version is checked again: the faulty one stays refused.
    response = reviewer.post("/review/bulk-approve", data={"unit": ticked, "confirm": "1"},
                             follow_redirects=True)
    html = _html(response)
    assert "Approved 1 unit(s)" in html and f"#{faulty}" in html
    assert unit_row(db, clean)["state"] == "approved"
    assert unit_row(db, faulty)["state"] == "in_review"
    assert login("translator").post("/review/bulk-approve", data={
        "unit": [f"{faulty}:{ids[faulty]}"]}).status_code == 403


def test_history_page_shows_diff_escaped_and_revert(db, login, users):
    _sign_id, unit_id = drafted_sign(db, "售票处", "Ticket Counter")
    draft_version = unit_row(db, unit_id)["version"]
    workflow.save_translation(db, users["translator"], unit_id, "<b>Ticket</b> Office",
                              draft_version)
    reviewer = login("reviewer")
    html = _html(reviewer.get(f"/review/units/{unit_id}/history"))
    assert "<b>Ticket</b>" not in html and "&lt;b&gt;" in html  # wording never becomes markup
    assert "<del>Counter</del>" in html or "<del> Counter</del>" in html
    assert "Revert to this" in html
    response = reviewer.post(f"/review/units/{unit_id}/revert", data={
        "version": unit_row(db, unit_id)["version"], "to_version": draft_version})
    assert response.status_code == 302
    assert unit_row(db, unit_id)["target_text"] == "Ticket Counter"
    assert "Revert to this" not in _html(login("translator").get(
        f"/review/units/{unit_id}/history"))


def test_comments_mentions_and_clarification_flow(db, login, users):
    sign_id, unit_id = drafted_sign(db, "多功能厅", "Multi-function Hall")
    translator = login("translator")
    translator.post(f"/review/units/{unit_id}/comment",
                    data={"body": "@reviewer is this a hall or a room?"})
    reviewer = login("reviewer")
    home = _html(reviewer.get("/"))
    assert "Comments mentioning you" in home
    assert "is this a hall" in _html(reviewer.get("/review/mentions"))
    reviewer.get(f"/review/units/{unit_id}")  # opening the unit reads the mention
    assert "is this a hall" not in _html(reviewer.get("/review/mentions"))

    translator.post(f"/review/units/{unit_id}/clarify",
                    data={"question": "What is this room used for?"})
    assert unit_row(db, unit_id)["needs_clarification"] == 1
    officer = login("officer")  # Haikou, where the sign is
    home = _html(officer.get("/"))
    assert "Questions about your county" in home
    page = _html(officer.get("/review/clarifications"))
    assert "What is this room used for?" in page and "多功能厅" in page
    assert "What is this room used for?" not in _html(
        login("officer_sanya").get("/review/clarifications"))
    assert login("officer_sanya").post(f"/review/units/{unit_id}/comment",
                                       data={"body": "?"}).status_code == 404
    officer.post(f"/review/units/{unit_id}/comment", data={"body": "Meetings and training."})
    assert unit_row(db, unit_id)["needs_clarification"] == 0
    thread = _html(reviewer.get(f"/review/units/{unit_id}"))
    assert "Meetings and training." in thread and "comment comment-answer" in thread
    assert sign_status(db, sign_id) in ("submitted", "drafting")


def test_home_page_counts_for_translators_and_reviewers(db, login, users):
    _s1, unit_id = drafted_sign(db)
    assert "Machine drafts to check" in _html(login("translator").get("/"))
    saved = workflow.save_translation(db, users["translator"], unit_id, "Service Desk",
                                      unit_row(db, unit_id)["version"])
    workflow.submit(db, users["translator"], unit_id, saved["version"])
    assert "Translations waiting for your review" in _html(login("reviewer").get("/"))
    assert auth.can(users["reviewer"], "review.approve")


def test_unit_page_shows_the_sign_photo_and_location(db, app, reviewer_client, users):
    import io

    from PIL import Image

    from workbench.inventory import photos

    sign_id, unit_id = drafted_sign(db, "售票处", "Ticket Office")
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="JPEG")
    photo_id = photos.add_photo(db, users["admin"], sign_id, buffer.getvalue(), "sign.jpg",
                                upload_dir=app.config["UPLOAD_DIR"], max_bytes=10**7)
    html = _html(reviewer_client.get(f"/review/units/{unit_id}"))
    assert f"/inventory/photos/{photo_id}/thumb" in html
    location = db.execute("SELECT location FROM signs WHERE id = ?", [sign_id]).fetchone()[0]
    assert location and location in html
    thumb = reviewer_client.get(f"/inventory/photos/{photo_id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"


def test_written_by_others_filter_leaves_out_the_reviewers_own_wording(db, login, users):
    _s1, own = drafted_sign(db, "售票处")
    _s2, theirs = drafted_sign(db, "出站口")
    for unit_id, who in ((own, "reviewer"), (theirs, "translator")):
        saved = workflow.save_translation(db, users[who], unit_id, "Some Wording",
                                          unit_row(db, unit_id)["version"])
        workflow.submit(db, users[who], unit_id, saved["version"])
    page = _html(login("reviewer").get("/review/?state=in_review&others=1"))
    assert "出站口" in page and "售票处" not in page
    home = _html(login("reviewer").get("/"))
    assert "others=1" in home


def test_review_pages_in_chinese(db, login):
    _sign_id, unit_id = drafted_sign(db, "售票处", "Ticket Counter")
    reviewer = login("reviewer")
    reviewer.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = _html(reviewer.get(f"/review/units/{unit_id}"))
    assert "英语" in page and "机器初稿" in page and "使用此文字的标识" in page
    assert "审校队列" in _html(reviewer.get("/review/"))
