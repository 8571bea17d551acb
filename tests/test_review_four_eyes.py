"""Four-eyes: authorship follows the text; nobody approves text they wrote in this review cycle."""
from __future__ import annotations

import pytest

from workbench.errors import PermissionDenied, ValidationError
from workbench.review import workflow
from tests.support.review import drafted_sign, unit_row

FOUR_EYES = {"FOUR_EYES": True}


def _save(db, user, unit_id, text):
    return workflow.save_translation(db, user, unit_id, text, unit_row(db, unit_id)["version"],
                                     FOUR_EYES)


def _submit(db, user, unit_id):
    return workflow.submit(db, user, unit_id, unit_row(db, unit_id)["version"], FOUR_EYES)


def test_resaving_a_reviewers_wording_unchanged_does_not_launder_it(db, users):
    """The attack: the translator re-saves the reviewer's text and becomes its 'author'."""
    _sign_id, unit_id = drafted_sign(db)
    _save(db, users["reviewer"], unit_id, "Information Desk")
    _submit(db, users["reviewer"], unit_id)
    resaved = _save(db, users["translator"], unit_id, "Information  Desk ")  # same once cleaned
    assert resaved["author_name"] == "reviewer"
    with pytest.raises(PermissionDenied, match="four-eyes"):
        workflow.approve(db, users["reviewer"], unit_id, resaved["version"], settings=FOUR_EYES)
    assert "approve" not in workflow.allowed_actions(users["reviewer"], resaved, FOUR_EYES,
                                                     db=db)


def test_an_unchanged_save_moves_the_state_but_not_the_author(db, users):
    _sign_id, unit_id = drafted_sign(db)
    _save(db, users["reviewer"], unit_id, "Information Desk")
    _submit(db, users["reviewer"], unit_id)
    rejected = workflow.reject(db, users["reviewer2"], unit_id,
                               unit_row(db, unit_id)["version"], "Check the glossary", FOUR_EYES)
    again = _save(db, users["translator"], unit_id, "Information Desk")
    assert again["state"] == "translated" and again["version"] == rejected["version"] + 1
    assert again["author_name"] == "reviewer"
    # Saving it once more, unchanged and in the same state, writes no version at all.
    assert _save(db, users["translator"], unit_id, "Information Desk")["version"] == \
        again["version"]


def test_text_written_earlier_in_the_cycle_cannot_be_approved_by_its_writer(db, users):
    _sign_id, unit_id = drafted_sign(db)
    _save(db, users["reviewer"], unit_id, "Information Desk")
    _save(db, users["translator"], unit_id, "Service Desk")
    back = _save(db, users["translator"], unit_id, "Information Desk")  # retyped by the translator
    assert back["author_name"] == "translator"
    _submit(db, users["translator"], unit_id)
    with pytest.raises(PermissionDenied):
        workflow.approve(db, users["reviewer"], unit_id, unit_row(db, unit_id)["version"],
                         settings=FOUR_EYES)
    approved = workflow.approve(db, users["reviewer2"], unit_id, unit_row(db, unit_id)["version"],
                                settings=FOUR_EYES)
    assert approved["state"] == "approved"


def test_a_new_cycle_starts_after_approval(db, users):
    _sign_id, unit_id = drafted_sign(db)
    _save(db, users["reviewer"], unit_id, "Information Desk")
    _submit(db, users["reviewer"], unit_id)
    workflow.approve(db, users["reviewer2"], unit_id, unit_row(db, unit_id)["version"],
                     settings=FOUR_EYES)
    # reviewer2 changes the approved wording; reviewer (who wrote the old text) may approve it.
    _save(db, users["reviewer2"], unit_id, "Service Desk")
    approved = workflow.approve(db, users["reviewer"], unit_id, unit_row(db, unit_id)["version"],
                                settings=FOUR_EYES)
    assert approved["target_text"] == "Service Desk"


def test_the_attack_through_the_web_is_refused(db, users, translator_client, reviewer_client):
    _sign_id, unit_id = drafted_sign(db)
    _save(db, users["reviewer"], unit_id, "Information Desk")
    _submit(db, users["reviewer"], unit_id)
    version = unit_row(db, unit_id)["version"]
    translator_client.post(f"/review/units/{unit_id}/save",
                           data={"text": "Information Desk", "version": version})
    page = reviewer_client.get(f"/review/units/{unit_id}").get_data(as_text=True)
    assert f'action="/review/units/{unit_id}/approve' not in page
    response = reviewer_client.post(f"/review/units/{unit_id}/approve",
                                    data={"version": unit_row(db, unit_id)["version"]})
    assert response.status_code == 403
    assert unit_row(db, unit_id)["state"] == "in_review"


# --- save and send to review: both or neither -------------------------------------------------

def test_save_and_submit_is_one_transaction(db, users):
    _sign_id, unit_id = drafted_sign(db)
    _save(db, users["translator"], unit_id, "Service Desk")
    _submit(db, users["translator"], unit_id)
    before = unit_row(db, unit_id)
    # In review, a save keeps the unit in review, so sending it to review fails …
    with pytest.raises(ValidationError):
        workflow.save_and_submit(db, users["translator"], unit_id, "Help Desk",
                                 before["version"], FOUR_EYES)
    # … and the save is not kept either.
    after = unit_row(db, unit_id)
    assert (after["target_text"], after["version"]) == ("Service Desk", before["version"])


def test_save_and_send_to_review_in_the_web_keeps_nothing_when_the_submit_fails(
        db, users, translator_client):
    _sign_id, unit_id = drafted_sign(db)
    _save(db, users["translator"], unit_id, "Service Desk")
    _submit(db, users["translator"], unit_id)
    version = unit_row(db, unit_id)["version"]
    response = translator_client.post(f"/review/units/{unit_id}/save", data={
        "text": "Help Desk", "version": version, "submit_for_review": "1"})
    assert response.status_code == 400
    assert "Help Desk" in response.get_data(as_text=True)  # the editor keeps the text
    assert unit_row(db, unit_id)["target_text"] == "Service Desk"
    assert unit_row(db, unit_id)["version"] == version
