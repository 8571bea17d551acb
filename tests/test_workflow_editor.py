"""The sign editor (live QA, send-to-review warning, Ctrl+Enter, glossary marks, concordance,
fuzzy diffs) and the batch actions (send, accept drafts, approval preview)."""
from __future__ import annotations

import re

import pytest

from workbench import auth
from workbench.errors import PermissionDenied
from workbench.mt import memory
from workbench.review import bulk, comments, concordance, workflow
from tests.support.review import drafted_sign, force_state, unit_row

FOUR_EYES = {"FOUR_EYES": True}


def _html(response) -> str:
    return response.get_data(as_text=True)


def _to_review(db, users, unit_id, text, who="translator"):
    saved = workflow.save_translation(db, users[who], unit_id, text,
                                      unit_row(db, unit_id)["version"])
    return workflow.submit(db, users[who], unit_id, saved["version"])


# --- live QA and the warning before sending to review ----------------------------------------

def test_live_check_returns_findings_of_the_typed_text(db, translator_client):
    _sign, unit_id = drafted_sign(db, "小心地滑", "CAUTION//Wet Floor")
    data = translator_client.post(f"/review/units/{unit_id}/check",
                                  data={"text": "Carefully Slide"}).get_json()
    assert data["errors"] >= 1
    assert any(f["check"] == "glossary" and f["severity"] == "error" for f in data["findings"])
    assert all(f["severity_label"] and f["message"] for f in data["findings"])
    clean = translator_client.post(f"/review/units/{unit_id}/check",
                                   data={"text": "CAUTION//Wet Floor"}).get_json()
    assert clean["errors"] == 0
    zh = translator_client.post(f"/review/units/{unit_id}/check", data={"text": "Carefully Slide"},
                                headers={"Accept-Language": "zh"}).get_json()
    assert zh["findings"][0]["message"] != data["findings"][0]["message"]  # in Chinese


def test_live_check_needs_the_review_role(db, officer_client):
    _sign, unit_id = drafted_sign(db)
    assert officer_client.post(f"/review/units/{unit_id}/check",
                               data={"text": "x"}).status_code == 403


def test_send_to_review_stops_on_qa_errors_until_confirmed(db, users, translator_client):
    _sign, unit_id = drafted_sign(db, "小心地滑", "CAUTION//Wet Floor")
    version = unit_row(db, unit_id)["version"]
    form = {"text": "Carefully Slide", "version": version, "submit_for_review": "1"}
    page = _html(translator_client.post(f"/review/units/{unit_id}/save", data=form))
    assert 'id="qa-stop"' in page and "Send to review anyway" in page
    assert unit_row(db, unit_id)["state"] == "machine_draft"  # nothing saved
    assert 'Carefully Slide</textarea>' in page  # the typed text is kept
    response = translator_client.post(f"/review/units/{unit_id}/save",
                                      data=dict(form, submit_for_review="confirm"))
    assert response.status_code == 302
    unit = unit_row(db, unit_id)
    assert unit["state"] == "in_review" and unit["target_text"] == "Carefully Slide"


def test_domain_submit_checks_qa_only_when_asked(db, users):
    _sign, unit_id = drafted_sign(db, "小心地滑", "Carefully Slide")
    saved = workflow.save_translation(db, users["translator"], unit_id, "Carefully Slide",
                                      unit_row(db, unit_id)["version"])
    with pytest.raises(workflow.QaNotClean) as stopped:
        workflow.submit(db, users["translator"], unit_id, saved["version"], qa_confirmed=False)
    assert stopped.value.problems and unit_row(db, unit_id)["state"] == "translated"
    workflow.submit(db, users["translator"], unit_id, saved["version"])  # confirmed by default
    assert unit_row(db, unit_id)["state"] == "in_review"


def test_ctrl_enter_saves_and_opens_the_next_unit(db, translator_client):
    _s1, first = drafted_sign(db, "售票处", "Ticket Counter")
    _s2, second = drafted_sign(db, "服务台", "Service Desk")
    response = translator_client.post(
        f"/review/units/{first}/save?state=machine_draft",
        data={"text": "Ticket Office", "version": unit_row(db, first)["version"],
              "go_next": "1"})
    assert response.status_code == 302
    assert f"/review/units/{second}" in response.headers["Location"]
    assert unit_row(db, first)["target_text"] == "Ticket Office"


# --- glossary marks, fuzzy diffs, concordance --------------------------------------------------

def test_unit_page_marks_glossary_terms_and_wires_the_editor(db, translator_client):
    _sign, unit_id = drafted_sign(db, "小心地滑", "CAUTION//Wet Floor")
    page = _html(translator_client.get(f"/review/units/{unit_id}"))
    marks = re.findall(r'<mark class="term"[^>]*title="([^"]*)"[^>]*>([^<]+)</mark>', page)
    assert marks and any("Wet Floor" in title or "Slippery" in title for title, _t in marks)
    assert f'data-check-url="/review/units/{unit_id}/check"' in page
    assert 'id="concordance-form"' in page and 'id="live-findings"' in page


def test_fuzzy_memory_matches_show_what_differs(db, users, translator_client):
    memory.add_entry(db, auth.system_actor("pytest"), "小心地滑", "CAUTION//Wet Floor", "zh",
                     "en", "review")
    _sign, unit_id = drafted_sign(db, "小心地滑倒", "CAUTION//Wet Floor")
    page = _html(translator_client.get(f"/review/units/{unit_id}"))
    assert "<ins>倒</ins>" in page  # only in this text


def test_concordance_finds_memory_and_approved_wording(db, users, translator_client):
    memory.add_entry(db, auth.system_actor("pytest"), "游客中心咨询台",
                     "Visitor Center Information Desk", "zh", "en", "review")
    _sign, unit_id = drafted_sign(db, "游客中心", "Visitor Center")
    in_review = _to_review(db, users, unit_id, "Visitor Center")
    workflow.approve(db, users["reviewer"], unit_id, in_review["version"])
    hits = concordance.search(db, "游客中心", "zh", "en")
    assert {(h.source_text, h.origin) for h in hits} >= {("游客中心", "approved"),
                                                          ("游客中心咨询台", "memory")}
    assert hits[0].origin == "approved" and (hits[0].start, hits[0].end) == (0, 4)
    by_english = concordance.search(db, "information desk", "zh", "en")
    assert by_english and by_english[0].in_target
    assert concordance.search(db, "%", "zh", "en") == []  # LIKE wildcards are literal
    fragment = _html(translator_client.get("/review/concordance?q=游客中心&lang=en&fragment=1"))
    assert "<mark>游客中心</mark>" in fragment and "<html" not in fragment
    full = _html(translator_client.get("/review/concordance?q=游客中心&lang=en"))
    assert "<html" in full and "Visitor Center" in full


# --- batch actions ---------------------------------------------------------------------------

def test_batch_send_accepts_drafts_and_refuses_qa_errors(db, users, translator_client):
    _s1, draft = drafted_sign(db, "售票处", "Ticket Office")
    _s2, translated = drafted_sign(db, "服务台", "Service Desk")
    saved = workflow.save_translation(db, users["translator"], translated, "Service Desk",
                                      unit_row(db, translated)["version"])
    _s3, faulty = drafted_sign(db, "小心地滑", "Carefully Slide")
    items = [f"{draft}:{unit_row(db, draft)['version']}", f"{translated}:{saved['version']}",
             f"{faulty}:{unit_row(db, faulty)['version']}"]
    response = translator_client.post("/review/bulk/submit", data={"unit": items},
                                      follow_redirects=True)
    page = _html(response)
    assert "Sent 2 units to review." in page and f"#{faulty}" in page
    for unit_id in (draft, translated):
        unit = unit_row(db, unit_id)
        assert unit["state"] == "in_review" and unit["author_name"] == "translator"
    assert unit_row(db, faulty)["state"] == "machine_draft"


def test_batch_accept_makes_the_translator_the_author(db, users, translator_client):
    _s1, first = drafted_sign(db, "售票处", "Ticket Office")
    _s2, second = drafted_sign(db, "服务台", "Service Desk")
    items = [f"{u}:{unit_row(db, u)['version']}" for u in (first, second)]
    page = _html(translator_client.post("/review/bulk/accept", data={"unit": items},
                                        follow_redirects=True))
    assert "Accepted 2 machine drafts as translations." in page
    for unit_id in (first, second):
        unit = unit_row(db, unit_id)
        assert unit["state"] == "translated" and unit["author_id"] == users["translator"].id
    # Four-eyes: authorship followed the text, so the translator cannot approve it later.
    result = bulk.accept_drafts(db, users["translator"], [(first, unit_row(db, first)["version"])])
    assert result.refused and not result.done


def test_batch_actions_need_their_roles(db, users, officer_client, translator_client):
    _s, unit_id = drafted_sign(db)
    item = f"{unit_id}:{unit_row(db, unit_id)['version']}"
    assert officer_client.post("/review/bulk/submit", data={"unit": item}).status_code == 403
    assert officer_client.post("/review/bulk/accept", data={"unit": item}).status_code == 403
    assert translator_client.post("/review/bulk-approve", data={"unit": item}).status_code == 403
    with pytest.raises(PermissionDenied):
        bulk.plan_approval(db, users["translator"], [(unit_id, 1)])


def test_approval_preview_skips_open_questions_and_qa_and_never_mixes_kinds(db, users):
    reviewer = users["reviewer"]
    _s1, clean = drafted_sign(db, "售票处")
    _s2, asked = drafted_sign(db, "多功能厅")
    _s3, faulty = drafted_sign(db, "服务台")
    versions = {clean: _to_review(db, users, clean, "Ticket Office")["version"],
                asked: _to_review(db, users, asked, "Multi-function Hall")["version"],
                faulty: _to_review(db, users, faulty, "Service Desk。")["version"]}
    comments.request_clarification(db, users["translator"], asked, "What is the hall for?")
    segment = force_state(db, clean, "in_review", "Ticket Office")  # version bump: stale tick
    items = list(versions.items())
    plan = bulk.plan_approval(db, reviewer, items, FOUR_EYES, kind="sign")
    reasons = {p.unit["id"]: p.skipped.render() for p in plan.skipped}
    assert "changed after you ticked it" in reasons[clean]
    assert "question to the county" in reasons[asked]
    assert "QA is not clean" in reasons[faulty]
    assert segment and not plan.ready
    fresh = [(clean, unit_row(db, clean)["version"])]
    ready = bulk.plan_approval(db, reviewer, fresh, FOUR_EYES).ready
    assert [p.unit["id"] for p in ready] == [clean]
    mixed = bulk.plan_approval(db, reviewer, fresh, FOUR_EYES, kind="segment")
    assert "separate lists" in mixed.skipped[0].skipped.render()
    result = bulk.approve(db, reviewer, fresh + [(asked, versions[asked])], FOUR_EYES, kind="sign")
    assert result.approved == [clean] and [u for u, _r in result.refused] == [asked]


def test_queue_lists_one_kind_at_a_time(db, reviewer_client):
    drafted_sign(db, "售票处", "Ticket Office")
    signs = _html(reviewer_client.get("/review/"))
    assert 'id="kind-sign" class="active"' in signs and "售票处" in signs
    segments = _html(reviewer_client.get("/review/?kind=segment"))
    assert "售票处" not in segments and 'id="kind-segment" class="active"' in segments
