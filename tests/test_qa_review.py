"""QA in review: findings stored as message ids, reviewers' dismissals, and re-checking
signs and units when the glossary changes."""
from __future__ import annotations

import json

import pytest

from workbench import audit, auth
from workbench.checks.recheck import affected, recheck_for_concepts
from workbench.errors import NotFound, PermissionDenied, ValidationError
from workbench.glossary import model, store
from workbench.inventory import records
from workbench.messages import Message, translator_for
from workbench.review import qa as review_qa
from workbench.review import workflow
from tests.support.review import drafted_sign, make_site, unit_row

FOUR_EYES = {"FOUR_EYES": True}


def _in_review(db, users, unit_id: int, text: str) -> dict:
    unit = unit_row(db, unit_id)
    saved = workflow.save_translation(db, users["translator"], unit_id, text, unit["version"])
    return workflow.submit(db, users["translator"], unit_id, saved["version"])


def _finding(db, unit_id: int, check_id: str) -> dict:
    return next(f for f in review_qa.current_findings(db, unit_row(db, unit_id))
                if f["check_id"] == check_id)


# --- findings as message ids --------------------------------------------------------------------

def test_findings_are_stored_as_message_ids_and_rendered_per_reader(db, users):
    _sign, unit_id = drafted_sign(db, "售票处", "Tickte Office")
    review_qa.current_findings(db, unit_row(db, unit_id))  # QA of a fresh draft runs on first look
    stored = db.execute("SELECT message, finding_key FROM unit_findings WHERE unit_id = ?",
                        [unit_id]).fetchone()
    data = json.loads(stored[0])
    assert data["id"].startswith("“%(word)s” is not an English word.")
    assert data["params"]["word"] == "Tickte" and stored[1]
    finding = _finding(db, unit_id, "spelling")
    assert isinstance(finding["message"], Message)
    chinese = finding["message"].render(translator_for("zh"))
    assert "Tickte" in chinese and "not an English word" not in chinese


def test_inventory_findings_are_stored_as_message_ids(db):
    actor = auth.system_actor("pytest")
    sign_id = records.create_sign(db, actor, make_site(db), {
        "zh": "公共厕所", "function": "facility", "action": "correct", "languages": "en",
        "en_current": "Pubic Toilets", "location": "门口"})
    sign = records.get_sign(db, actor, sign_id)
    messages = [f["message"] for f in sign["findings"]]
    assert messages and all(isinstance(m, Message) for m in messages)
    assert any(m.params.get("expected") == "Public" for m in messages)


def test_the_unit_page_shows_findings_in_the_readers_language(db, users, login):
    _sign, unit_id = drafted_sign(db, "售票处", "Tickte Office")
    client = login("reviewer")
    english = client.get(f"/review/units/{unit_id}").data.decode()
    chinese = client.get(f"/review/units/{unit_id}",
                         headers={"Accept-Language": "zh"}).data.decode()
    assert "is not an English word" in english
    assert "Tickte" in chinese and "is not an English word" not in chinese


# --- dismissals -----------------------------------------------------------------------------------

def test_a_dismissed_finding_no_longer_blocks_bulk_approval(db, users):
    _sign, unit_id = drafted_sign(db, "售票处")
    in_review = _in_review(db, users, unit_id, "Ticket Office.")
    finding = _finding(db, unit_id, "punctuation.final_stop")
    refused = workflow.bulk_approve(db, users["reviewer"], [(unit_id, in_review["version"])],
                                    FOUR_EYES)
    assert refused.approved == [] and "QA" in str(refused.refused[0][1])

    dismissal = review_qa.dismiss_finding(db, users["reviewer"], unit_id,
                                          finding["finding_key"],
                                          "  The full stop is on the design. ")
    assert dismissal["reason"] == "The full stop is on the design."
    event = audit.history(db, "translation_unit", unit_id)[-1]
    assert event["action"] == "finding.dismiss" and event["actor_name"] == "reviewer"
    assert event["after"]["reason"] == "The full stop is on the design."
    assert event["after"]["check_id"] == "punctuation.final_stop"
    shown = _finding(db, unit_id, "punctuation.final_stop")
    assert shown["dismissal"]["dismissed_by"] == "reviewer"
    qa_row = db.execute("SELECT errors, warnings, dismissed FROM unit_qa WHERE unit_id = ?",
                        [unit_id]).fetchone()
    assert qa_row[2] == 1 and qa_row[0] + qa_row[1] == len(review_qa.blocking(
        review_qa.current_findings(db, unit_row(db, unit_id))))

    result = workflow.bulk_approve(db, users["reviewer"], [(unit_id, in_review["version"])],
                                   FOUR_EYES)
    assert result.approved == [unit_id]


def test_a_dismissal_survives_edits_elsewhere_but_not_a_new_finding(db, users):
    _sign, unit_id = drafted_sign(db, "售票处")
    _in_review(db, users, unit_id, "Tickte Office")
    finding = _finding(db, unit_id, "spelling")
    review_qa.dismiss_finding(db, users["reviewer"], unit_id, finding["finding_key"],
                              "The sign maker's font")
    # An edit elsewhere in the wording: the same finding, still dismissed.
    unit = unit_row(db, unit_id)
    workflow.save_translation(db, users["translator"], unit_id, "Tickte  Office",
                              unit["version"])
    assert _finding(db, unit_id, "spelling")["dismissal"] is not None
    # Another misspelling is a new finding that nobody dismissed.
    unit = unit_row(db, unit_id)
    workflow.save_translation(db, users["translator"], unit_id, "Tikcet Office",
                              unit["version"])
    assert _finding(db, unit_id, "spelling")["dismissal"] is None


def test_dismissing_needs_a_reviewer_a_reason_and_a_current_finding(db, users):
    _sign, unit_id = drafted_sign(db, "售票处", "Tickte Office")
    key = _finding(db, unit_id, "spelling")["finding_key"]
    with pytest.raises(PermissionDenied):
        review_qa.dismiss_finding(db, users["translator"], unit_id, key, "why not")
    with pytest.raises(ValidationError):
        review_qa.dismiss_finding(db, users["reviewer"], unit_id, key, "   ")
    with pytest.raises(NotFound):
        review_qa.dismiss_finding(db, users["reviewer"], unit_id, "0" * 20, "no such finding")
    review_qa.dismiss_finding(db, users["reviewer"], unit_id, key, "a name")
    with pytest.raises(ValidationError):
        review_qa.dismiss_finding(db, users["reviewer"], unit_id, key, "again")
    review_qa.restore_finding(db, users["reviewer"], unit_id, key)
    assert audit.history(db, "translation_unit", unit_id)[-1]["action"] == "finding.restore"
    assert _finding(db, unit_id, "spelling")["dismissal"] is None


def test_dismiss_on_the_unit_page(db, users, login):
    _sign, unit_id = drafted_sign(db, "售票处", "Tickte Office")
    key = _finding(db, unit_id, "spelling")["finding_key"]
    translator_page = login("translator").get(f"/review/units/{unit_id}").data.decode()
    assert "/dismiss" not in translator_page  # only reviewers dismiss
    assert login("translator").post(f"/review/units/{unit_id}/findings/{key}/dismiss",
                                    data={"reason": "x"}).status_code == 403
    reviewer = login("reviewer")
    page = reviewer.get(f"/review/units/{unit_id}").data.decode()
    assert f"/findings/{key}/dismiss" in page
    response = reviewer.post(f"/review/units/{unit_id}/findings/{key}/dismiss",
                             data={"reason": "Established brand spelling"})
    assert response.status_code == 302
    page = reviewer.get(f"/review/units/{unit_id}").data.decode()
    assert "Established brand spelling" in page and "finding-dismissed" in page
    assert f"/findings/{key}/restore" in page
    reviewer.post(f"/review/units/{unit_id}/findings/{key}/restore")
    assert "finding-dismissed" not in reviewer.get(f"/review/units/{unit_id}").data.decode()


def test_dismiss_form_needs_the_csrf_token(db, users, csrf_app):
    _sign, unit_id = drafted_sign(db, "售票处", "Tickte Office")
    key = _finding(db, unit_id, "spelling")["finding_key"]
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(users["reviewer"].id)
        session["_fresh"] = True
    response = client.post(f"/review/units/{unit_id}/findings/{key}/dismiss",
                           data={"reason": "no token"})
    assert response.status_code == 400
    assert _finding(db, unit_id, "spelling")["dismissal"] is None


def test_dismiss_from_the_command_line(db, users, run_cli):
    _sign, unit_id = drafted_sign(db, "售票处", "Tickte Office")
    listing = run_cli("review", "findings", str(unit_id))
    assert listing.exit_code == 0, listing.stderr
    key = next(line.split()[0] for line in listing.stdout.splitlines() if "spelling" in line)
    result = run_cli("review", "dismiss", str(unit_id), key, "--as", "reviewer",
                     "--reason", "brand name")
    assert result.exit_code == 0, result.stderr
    assert "dismissed by reviewer: brand name" in run_cli("review", "findings",
                                                          str(unit_id)).stdout
    refused = run_cli("review", "dismiss", str(unit_id), key, "--as", "translator",
                      "--reason", "x")
    assert refused.exit_code != 0


# --- re-checking after glossary changes ---------------------------------------------------------

def _forbid(db, actor, zh: str, rendering: str) -> str:
    concept_id = db.execute("SELECT concept_id FROM glossary_terms WHERE lang = 'zh' "
                            "AND text = ? AND status = 'preferred'", [zh]).fetchone()[0]
    concept = model.get_concept(db, concept_id)
    concept.terms = [t for t in concept.terms if not (t.lang == "en" and t.text == rendering)]
    concept.terms.append(model.TermRecord("en", rendering, "forbidden"))
    store.save_concept(db, actor, concept)
    return concept_id


def test_a_term_newly_forbidden_re_flags_the_signs_and_units_that_carry_it(db, users):
    actor = auth.system_actor("pytest")
    sign_id = records.create_sign(db, actor, make_site(db), {
        "zh": "服务台", "function": "facility", "action": "keep", "languages": "en",
        "en_current": "Service Counter", "location": "大厅"})
    other_id = records.create_sign(db, actor, make_site(db), {
        "zh": "出口", "function": "facility", "action": "keep", "languages": "en",
        "en_current": "Exit", "location": "大厅"})
    _sign, unit_id = drafted_sign(db, "服务台", "Service Counter")
    assert not [f for f in records.get_sign(db, actor, sign_id)["findings"]
                if f["check_id"] == "glossary"]
    assert not [f for f in review_qa.current_findings(db, unit_row(db, unit_id))
                if f["check_id"] == "glossary"]
    other_before = db.execute("SELECT count(*) FROM audit_events").fetchone()[0]

    _forbid(db, users["reviewer"], "服务台", "Service Counter")

    flagged = [f for f in records.get_sign(db, actor, sign_id)["findings"]
               if f["check_id"] == "glossary"]
    assert flagged and flagged[0]["severity"] == "error"
    assert db.execute("SELECT finding_count FROM signs WHERE id = ?",
                      [sign_id]).fetchone()[0] >= 1
    assert [f for f in review_qa.current_findings(db, unit_row(db, unit_id))
            if f["check_id"] == "glossary"]
    events = list(db.query(
        "SELECT after_json FROM audit_events WHERE action = 'qa.recheck' AND id > ?",
        [other_before]))
    rechecked = [json.loads(e["after_json"]) for e in events]
    assert any(sign_id in r.get("signs", []) for r in rechecked)
    assert any(unit_id in r.get("units", []) for r in rechecked)
    assert not any(other_id in r.get("signs", []) for r in rechecked)  # 出口 not touched


def test_recheck_is_idempotent_reports_progress_and_finds_only_touched_texts(db, users):
    actor = auth.system_actor("pytest")
    site = make_site(db)
    touched = records.create_sign(db, actor, site, {
        "zh": "游客服务中心", "function": "facility", "action": "keep", "languages": "en",
        "en_current": "Tourist Service Center", "location": "一楼"})
    untouched = records.create_sign(db, actor, site, {
        "zh": "停车场", "function": "facility", "action": "keep", "languages": "en",
        "en_current": "Parking", "location": "室外"})
    concept_id = db.execute("SELECT concept_id FROM glossary_terms WHERE lang = 'zh' "
                            "AND text = '服务中心'").fetchone()
    concept_ids = [concept_id[0]] if concept_id else []
    found = affected(db, ["服务中心"])
    assert touched in found.sign_ids and untouched not in found.sign_ids
    calls: list[tuple[int, int]] = []
    first = recheck_for_concepts(db, concept_ids, lambda done, total, message:
                                 calls.append((done, total)), extra_terms=["服务中心"])
    findings_after_first = list(db.query("SELECT check_id, message FROM sign_findings "
                                         "WHERE sign_id = ? ORDER BY id", [touched]))
    second = recheck_for_concepts(db, concept_ids, extra_terms=["服务中心"])
    assert first.sign_ids == second.sign_ids and touched in first.sign_ids
    assert list(db.query("SELECT check_id, message FROM sign_findings WHERE sign_id = ? "
                         "ORDER BY id", [touched])) == findings_after_first
    assert calls[0] == (0, first.total) and calls[-1] == (first.total, first.total)


def test_an_accepted_proposal_and_an_import_re_check_the_signs(db, users):
    from workbench.glossary import io, proposals

    actor = auth.system_actor("pytest")
    sign_id = records.create_sign(db, actor, make_site(db), {
        "zh": "问讯处", "function": "facility", "action": "keep", "languages": "en",
        "en_current": "Inquiry Office", "location": "大厅"})

    def glossary_findings() -> list[dict]:
        return [f for f in records.get_sign(db, actor, sign_id)["findings"]
                if f["check_id"] == "glossary"]

    assert glossary_findings() == []
    concept_id = db.execute("SELECT concept_id FROM glossary_terms WHERE lang = 'zh' "
                            "AND text = '问讯处' AND status = 'preferred'").fetchone()[0]
    concept = model.get_concept(db, concept_id)
    concept.terms.append(model.TermRecord("en", "Inquiry Office", "forbidden"))
    proposal_id = proposals.propose(db, users["translator"], concept, "seen on signs")
    assert glossary_findings() == []  # a proposal changes nothing until accepted
    proposals.accept(db, users["reviewer"], proposal_id)
    assert glossary_findings()

    csv = ("id,domain,zh,en,en_forbidden\n"
           f"{concept_id},general,问讯处,Information,\n").encode("utf-8")
    io.import_file(db, users["reviewer"], csv, "fix.csv")
    assert glossary_findings() == []  # no longer forbidden: the sign is clean again
