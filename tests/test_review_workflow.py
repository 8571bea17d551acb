"""The review workflow: transitions and roles, four-eyes, versions, propagation, side effects."""
from __future__ import annotations

import pytest

from workbench import audit, auth
from workbench.errors import Conflict, NotFound, PermissionDenied, ValidationError
from workbench.glossary import load_glossary
from workbench.mt import memory
from workbench.review import history, workflow
from tests.support.review import (
    drafted_sign, make_sign, make_site, sign_status, unit_of, unit_row,
)

FOUR_EYES = {"FOUR_EYES": True}


def _to_review(db, users, unit_id, text="Ticket Office", who="translator"):
    unit = unit_row(db, unit_id)
    saved = workflow.save_translation(db, users[who], unit_id, text, unit["version"], FOUR_EYES)
    return workflow.submit(db, users[who], unit_id, saved["version"], FOUR_EYES)


# --- transitions -----------------------------------------------------------------------------

def test_machine_draft_is_edited_submitted_and_approved(db, users):
    sign_id, unit_id = drafted_sign(db, "售票处", "Ticket Counter")
    assert sign_status(db, sign_id) in ("submitted", "drafting")
    draft = unit_row(db, unit_id)
    assert draft["state"] == "machine_draft" and draft["author_id"] is None

    saved = workflow.save_translation(db, users["translator"], unit_id, "  Ticket   Office ",
                                      draft["version"], FOUR_EYES, note="GB/T 30240.2 wording")
    assert saved["state"] == "translated"
    assert saved["target_text"] == "Ticket Office"  # whitespace collapsed
    assert saved["version"] == draft["version"] + 1
    assert saved["author_name"] == "translator"

    submitted = workflow.submit(db, users["translator"], unit_id, saved["version"], FOUR_EYES)
    assert submitted["state"] == "in_review"
    assert sign_status(db, sign_id) == "in_review"

    approved = workflow.approve(db, users["reviewer"], unit_id, submitted["version"],
                                settings=FOUR_EYES)
    assert approved["state"] == "approved"
    assert approved["approved_by"] == "reviewer" and approved["approved_at"]
    assert sign_status(db, sign_id) == "approved"

    actions = [e["action"] for e in audit.history(db, "translation_unit", unit_id)]
    assert actions[-3:] == ["unit.save", "unit.submit", "unit.approve"]
    history = list(db.query("SELECT version, state, action, actor_name FROM unit_versions "
                            "WHERE unit_id = ? ORDER BY version", [unit_id]))
    assert [(h["state"], h["action"]) for h in history] == [
        ("machine_draft", "draft"), ("translated", "save"), ("in_review", "submit"),
        ("approved", "approve")]
    assert history[-1]["actor_name"] == "reviewer"
    reasons = [r[0] for r in db.execute(
        "SELECT reason FROM unit_versions WHERE unit_id = ? AND action = 'save'", [unit_id])]
    assert reasons == ["GB/T 30240.2 wording"]


def test_reject_needs_a_reason_and_sends_back_to_translated_on_edit(db, users):
    _sign_id, unit_id = drafted_sign(db)
    in_review = _to_review(db, users, unit_id, "Servise Desk")
    with pytest.raises(ValidationError):
        workflow.reject(db, users["reviewer"], unit_id, in_review["version"], "   ")
    rejected = workflow.reject(db, users["reviewer"], unit_id, in_review["version"],
                               "Spelling: Service")
    assert rejected["state"] == "rejected"
    assert rejected["rejection_reason"] == "Spelling: Service"
    # A rejected unit cannot go straight back to review: it must be edited first.
    with pytest.raises(ValidationError):
        workflow.submit(db, users["translator"], unit_id, rejected["version"])
    edited = workflow.save_translation(db, users["translator"], unit_id, "Service Desk",
                                       rejected["version"])
    assert edited["state"] == "translated" and edited["rejection_reason"] is None
    versions = list(db.query("SELECT reason FROM unit_versions WHERE unit_id = ? AND "
                             "action = 'reject'", [unit_id]))
    assert versions[0]["reason"] == "Spelling: Service"


@pytest.mark.parametrize("action", ["submit", "approve", "reject"])
def test_actions_refused_from_a_machine_draft(db, users, action):
    _sign_id, unit_id = drafted_sign(db)
    version = unit_row(db, unit_id)["version"]
    with pytest.raises(ValidationError):
        if action == "submit":
            workflow.submit(db, users["translator"], unit_id, version)
        elif action == "approve":
            workflow.approve(db, users["reviewer"], unit_id, version)
        else:
            workflow.reject(db, users["reviewer"], unit_id, version, "no")
    assert unit_row(db, unit_id)["state"] == "machine_draft"


def test_approve_refused_before_submission(db, users):
    _sign_id, unit_id = drafted_sign(db)
    saved = workflow.save_translation(db, users["translator"], unit_id, "Service Desk",
                                      unit_row(db, unit_id)["version"])
    with pytest.raises(ValidationError):
        workflow.approve(db, users["reviewer"], unit_id, saved["version"])


def test_empty_translation_is_refused(db, users):
    _sign_id, unit_id = drafted_sign(db)
    with pytest.raises(ValidationError):
        workflow.save_translation(db, users["translator"], unit_id, " \u3000 ",
                                  unit_row(db, unit_id)["version"])


# --- roles -----------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["staff", "officer"])
def test_staff_and_officers_cannot_translate(db, users, username):
    _sign_id, unit_id = drafted_sign(db)
    with pytest.raises(PermissionDenied):
        workflow.save_translation(db, users[username], unit_id, "Service Desk",
                                  unit_row(db, unit_id)["version"])


def test_translator_cannot_approve_reject_or_revert(db, users):
    _sign_id, unit_id = drafted_sign(db)
    in_review = _to_review(db, users, unit_id)
    for call in (lambda: workflow.approve(db, users["translator"], unit_id, in_review["version"]),
                 lambda: workflow.reject(db, users["translator"], unit_id,
                                         in_review["version"], "bad"),
                 lambda: workflow.revert(db, users["translator"], unit_id, 2,
                                         in_review["version"])):
        with pytest.raises(PermissionDenied):
            call()
    assert unit_row(db, unit_id)["state"] == "in_review"


def test_only_a_reviewer_changes_approved_wording_and_it_goes_back_to_review(db, users):
    sign_id, unit_id = drafted_sign(db)
    in_review = _to_review(db, users, unit_id, "Service Desk")
    approved = workflow.approve(db, users["reviewer"], unit_id, in_review["version"])
    with pytest.raises(PermissionDenied, match="reviewer"):
        workflow.save_translation(db, users["translator"], unit_id, "Information Desk",
                                  approved["version"])
    changed = workflow.save_translation(db, users["reviewer2"], unit_id, "Information Desk",
                                        approved["version"])
    assert changed["state"] == "in_review"
    assert changed["approved_by"] is None
    assert changed["author_name"] == "reviewer2"
    assert sign_status(db, sign_id) == "in_review"


def test_allowed_actions_follow_state_role_and_four_eyes(db, users):
    _sign_id, unit_id = drafted_sign(db)
    unit = unit_row(db, unit_id)
    assert workflow.allowed_actions(users["translator"], unit) == {"save"}
    assert workflow.allowed_actions(users["staff"], unit) == set()
    in_review = _to_review(db, users, unit_id, who="reviewer")
    assert "approve" not in workflow.allowed_actions(users["reviewer"], in_review, FOUR_EYES)
    assert "approve" in workflow.allowed_actions(users["reviewer2"], in_review, FOUR_EYES)
    assert "approve" in workflow.allowed_actions(users["reviewer"], in_review,
                                                 {"FOUR_EYES": False})


# --- four eyes -------------------------------------------------------------------------------

def test_four_eyes_nobody_approves_their_own_wording(db, users):
    sign_id, unit_id = drafted_sign(db)
    in_review = _to_review(db, users, unit_id, "Service Desk", who="reviewer")
    with pytest.raises(PermissionDenied, match="four-eyes"):
        workflow.approve(db, users["reviewer"], unit_id, in_review["version"], settings=FOUR_EYES)
    assert unit_row(db, unit_id)["state"] == "in_review"
    approved = workflow.approve(db, users["reviewer2"], unit_id, in_review["version"],
                                settings=FOUR_EYES)
    assert approved["state"] == "approved"
    assert sign_status(db, sign_id) == "approved"


def test_four_eyes_counts_the_last_editor_as_author(db, users):
    _sign_id, unit_id = drafted_sign(db)
    in_review = _to_review(db, users, unit_id, "Service Desk", who="translator")
    # The reviewer fixes the wording while it is in review: it is now their wording.
    fixed = workflow.save_translation(db, users["reviewer"], unit_id, "Information Desk",
                                      in_review["version"])
    assert fixed["state"] == "in_review"
    with pytest.raises(PermissionDenied):
        workflow.approve(db, users["reviewer"], unit_id, fixed["version"], settings=FOUR_EYES)


def test_four_eyes_can_be_turned_off(db, users):
    _sign_id, unit_id = drafted_sign(db)
    in_review = _to_review(db, users, unit_id, "Service Desk", who="reviewer")
    approved = workflow.approve(db, users["reviewer"], unit_id, in_review["version"],
                                settings={"FOUR_EYES": False})
    assert approved["state"] == "approved"


# --- versions --------------------------------------------------------------------------------

def test_second_save_over_a_newer_version_is_refused_with_both_texts(db, users):
    _sign_id, unit_id = drafted_sign(db)
    loaded = unit_row(db, unit_id)["version"]  # both people opened the same version
    first = workflow.save_translation(db, users["translator"], unit_id, "Service Desk", loaded)
    with pytest.raises(Conflict) as caught:
        workflow.save_translation(db, users["reviewer"], unit_id, "Information Desk", loaded)
    conflict = caught.value
    assert conflict.current["target_text"] == "Service Desk"
    assert conflict.current["version"] == first["version"]
    assert conflict.attempted["target_text"] == "Information Desk"
    stored = unit_row(db, unit_id)
    assert stored["target_text"] == "Service Desk" and stored["version"] == first["version"]


def test_stale_approve_and_missing_version_are_conflicts(db, users):
    _sign_id, unit_id = drafted_sign(db)
    in_review = _to_review(db, users, unit_id)
    workflow.save_translation(db, users["translator"], unit_id, "Ticket Office Hall",
                              in_review["version"])
    with pytest.raises(Conflict):
        workflow.approve(db, users["reviewer"], unit_id, in_review["version"])
    with pytest.raises(Conflict):
        workflow.submit(db, users["translator"], unit_id, None)


def test_unknown_unit_is_not_found(db, users):
    with pytest.raises(NotFound):
        workflow.save_translation(db, users["translator"], 987654, "Exit", 1)


# --- propagation and side effects ------------------------------------------------------------

def test_approval_updates_every_sign_sharing_the_unit(db, users):
    first = make_sign(db, make_site(db, "海口市"), "售票处")
    second = make_sign(db, make_site(db, "三亚市"), "售票处")
    multilingual = make_sign(db, make_site(db, "三亚市"), "售票处", languages="en;ru")
    unit_id = unit_of(db, first)
    assert unit_of(db, second) == unit_id == unit_of(db, multilingual, "en")
    in_review = _to_review(db, users, unit_id, "Ticket Office")
    assert {sign_status(db, s) for s in (first, second)} == {"in_review"}
    # The multilingual sign's Russian has no translation yet: every language counts.
    assert sign_status(db, multilingual) == "drafting"
    workflow.approve(db, users["reviewer"], unit_id, in_review["version"])
    assert sign_status(db, first) == sign_status(db, second) == "approved"
    # Its Russian unit is not approved yet, so that sign waits.
    assert sign_status(db, multilingual) == "drafting"
    events = [e for e in audit.history(db, "sign", second) if e["action"] == "sign.status"]
    assert events[-1]["after"]["status"] == "approved"
    assert events[-1]["actor_name"] == "reviewer"


def test_approval_records_a_translation_memory_entry(db, users):
    _sign_id, unit_id = drafted_sign(db, "售票处")
    in_review = _to_review(db, users, unit_id, "Ticket Office")
    assert not memory.lookup(db, "售票处", "zh", "en", threshold=100)
    approved = workflow.approve(db, users["reviewer"], unit_id, in_review["version"])
    matches = memory.lookup(db, "售票处", "zh", "en", threshold=100)
    assert matches and matches[0].target_text == "Ticket Office"
    assert matches[0].origin == "review" and matches[0].unit_id == unit_id
    event = audit.history(db, "translation_unit", unit_id)[-1]
    assert event["after"]["tm_entry"] == matches[0].id
    assert approved["state"] == "approved"


def test_glossary_term_is_recorded_only_when_ticked(db, users):
    # Texts no shipped glossary has, so the only way in is this approval.
    plain_zh, ticked_zh = "椰雕工艺体验坊", "黎锦织造展示厅"
    assert load_glossary(db, "zh", "en").lookup(plain_zh) is None
    assert load_glossary(db, "zh", "en").lookup(ticked_zh) is None
    _s1, plain = drafted_sign(db, plain_zh, "Coconut Carving Workshop")
    in_review = _to_review(db, users, plain, "Coconut Carving Workshop")
    workflow.approve(db, users["reviewer"], plain, in_review["version"], add_to_glossary=False)
    assert load_glossary(db, "zh", "en").lookup(plain_zh) is None

    _s2, ticked = drafted_sign(db, ticked_zh, "Li Brocade Hall")
    in_review = _to_review(db, users, ticked, "Li Brocade Weaving Hall")
    approved = workflow.approve(db, users["reviewer"], ticked, in_review["version"],
                                add_to_glossary=True)
    entry = load_glossary(db, "zh", "en").lookup(ticked_zh)
    assert entry is not None and entry.preferred == ("Li Brocade Weaving Hall",)
    concept_id = audit.history(db, "translation_unit", ticked)[-1]["after"]["glossary_concept"]
    assert concept_id == entry.concept_id
    assert approved["state"] == "approved"


def test_ticked_glossary_term_never_demotes_a_standard_preferred_term(db, users):
    before = load_glossary(db, "zh", "en").lookup("会议室")
    assert before is not None and before.preferred
    _sign_id, unit_id = drafted_sign(db, "会议室", "Meeting Hall")
    in_review = _to_review(db, users, unit_id, "Meeting Hall")
    workflow.approve(db, users["reviewer"], unit_id, in_review["version"], add_to_glossary=True)
    after = load_glossary(db, "zh", "en").lookup("会议室")
    assert after.preferred == before.preferred
    assert "Meeting Hall" in after.admitted


# --- revert ----------------------------------------------------------------------------------

def test_reviewer_reverts_to_an_earlier_version_audited(db, users):
    sign_id, unit_id = drafted_sign(db, "售票处", "Ticket Counter")
    draft_version = unit_row(db, unit_id)["version"]
    in_review = _to_review(db, users, unit_id, "Tickets")
    approved = workflow.approve(db, users["reviewer"], unit_id, in_review["version"])
    reverted = workflow.revert(db, users["reviewer"], unit_id, draft_version,
                               approved["version"])
    assert reverted["target_text"] == "Ticket Counter"
    assert reverted["state"] == "in_review"  # a revert goes through review again
    assert reverted["author_name"] == "reviewer"
    assert sign_status(db, sign_id) == "in_review"
    event = audit.history(db, "translation_unit", unit_id)[-1]
    assert event["action"] == "unit.revert" and event["after"]["to_version"] == draft_version
    assert event["before"]["target_text"] == "Tickets"
    row = next(db.query("SELECT * FROM unit_versions WHERE unit_id = ? AND version = ?",
                        [unit_id, reverted["version"]]))
    assert row["action"] == "revert" and str(draft_version) in row["reason"]
    with pytest.raises(NotFound):
        workflow.revert(db, users["reviewer"], unit_id, reverted["version"] + 5,
                        reverted["version"])


# --- QA --------------------------------------------------------------------------------------

def test_qa_findings_are_stored_for_edits_and_drafts(db, users):
    _sign_id, unit_id = drafted_sign(db, "服务台", "服务台 Desk")
    draft = unit_row(db, unit_id)
    found = workflow.current_findings(db, draft)
    assert any(f["check_id"] == "untranslated" and f["severity"] == "error" for f in found)
    stored = list(db.query("SELECT * FROM unit_findings WHERE unit_id = ? AND version = ?",
                           [unit_id, draft["version"]]))
    assert len(stored) == len(found)

    saved = workflow.save_translation(db, users["translator"], unit_id, "Service Desk。",
                                      draft["version"])
    edit = list(db.query("SELECT * FROM unit_findings WHERE unit_id = ? AND version = ?",
                         [unit_id, saved["version"]]))
    assert any(f["check_id"] == "punctuation.full_width" and f["suggestion"] == "."
               for f in edit)
    assert not any(f["check_id"] == "untranslated" for f in edit)
    # The draft's findings stay with the draft's version, for the history.
    kept = list(db.query("SELECT check_id FROM unit_findings WHERE unit_id = ? AND version = ?",
                         [unit_id, draft["version"]]))
    assert [f["check_id"] for f in kept] == [f["check_id"] for f in found]
    by_version = {r["version"]: r["qa"] for r in history.versions(db, unit_id, "en")}
    assert by_version[saved["version"]][0] == 1 and by_version[draft["version"]][0] >= 1
    qa = db.execute("SELECT version, errors FROM unit_qa WHERE unit_id = ?",
                    [unit_id]).fetchone()
    assert qa == (saved["version"], 1)


def test_bulk_approve_refuses_units_with_qa_findings(db, users):
    _s1, clean = drafted_sign(db, "售票处")
    _s2, faulty = drafted_sign(db, "服务台")
    _s3, own = drafted_sign(db, "出站口")
    # Precondition: the QA checks find nothing in these two (the standard wordings).
    for unit_id, text in ((clean, "Ticket Office"), (own, "Station Exit")):
        assert not workflow.run_qa(db, unit_row(db, unit_id), text), text
    clean_review = _to_review(db, users, clean, "Ticket Office")
    faulty_review = _to_review(db, users, faulty, "Service Desk。")
    own_review = _to_review(db, users, own, "Station Exit", who="reviewer")
    result = workflow.bulk_approve(db, users["reviewer"], [
        (clean, clean_review["version"]), (faulty, faulty_review["version"]),
        (own, own_review["version"])], FOUR_EYES)
    assert result.approved == [clean]
    refused = dict(result.refused)
    assert set(refused) == {faulty, own}
    assert "QA" in str(refused[faulty])
    assert "four-eyes" in str(refused[own])
    assert unit_row(db, clean)["state"] == "approved"
    assert unit_row(db, faulty)["state"] == unit_row(db, own)["state"] == "in_review"


def test_bulk_approve_needs_the_reviewer_role(db, users):
    _sign_id, unit_id = drafted_sign(db)
    in_review = _to_review(db, users, unit_id)
    with pytest.raises(PermissionDenied):
        workflow.bulk_approve(db, users["translator"], [(unit_id, in_review["version"])])


# --- the transition table, row by row ------------------------------------------------------------

ROLES = ("admin", "reviewer2", "translator", "staff", "officer")


def _perform(db, user, action, unit_id, version):
    if action == "save":
        return workflow.save_translation(db, user, unit_id, "Information Desk", version)
    if action == "submit":
        return workflow.submit(db, user, unit_id, version)
    if action == "approve":
        return workflow.approve(db, user, unit_id, version, settings=FOUR_EYES)
    if action == "reject":
        return workflow.reject(db, user, unit_id, version, "Wrong term")
    return workflow.revert(db, user, unit_id, 2, version)  # v2: the machine draft


@pytest.mark.parametrize("action,state", sorted(workflow.TRANSITIONS))
@pytest.mark.parametrize("role", ROLES)
def test_every_transition_for_every_role(db, users, action, state, role):
    from tests.support.review import force_state

    _sign_id, unit_id = drafted_sign(db, "服务台", "Service Counter")  # version 2
    saved = workflow.save_translation(db, users["translator"], unit_id, "Service Desk", 2)
    assert saved["version"] == 3 and saved["author_name"] == "translator"
    version = force_state(db, unit_id, state, None if state == "new" else "Service Desk")
    expected_state, permission = workflow.TRANSITIONS[(action, state)]
    user = users[role]
    if not auth.can(user, permission):
        with pytest.raises(PermissionDenied):
            _perform(db, user, action, unit_id, version)
        assert unit_row(db, unit_id)["version"] == version
        return
    after = _perform(db, user, action, unit_id, version)
    assert after["state"] == expected_state
    assert after["version"] == version + 1
    event = audit.history(db, "translation_unit", unit_id)[-1]
    assert event["action"] == f"unit.{action}" and event["actor_name"] == role


REFUSED = [(action, state) for action in ("save", "submit", "approve", "reject", "revert")
           for state in workflow.STATES if (action, state) not in workflow.TRANSITIONS]


@pytest.mark.parametrize("action,state", REFUSED)
def test_actions_not_in_the_table_are_refused(db, users, action, state):
    from tests.support.review import force_state

    _sign_id, unit_id = drafted_sign(db, "服务台", "Service Counter")
    workflow.save_translation(db, users["translator"], unit_id, "Service Desk", 2)
    version = force_state(db, unit_id, state, None if state == "new" else "Service Desk")
    with pytest.raises(ValidationError):
        _perform(db, users["admin"], action, unit_id, version)
    assert unit_row(db, unit_id)["state"] == state
