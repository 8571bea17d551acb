"""Counties do not see each other through a shared translation unit: comments and questions."""
from __future__ import annotations

import pytest

from workbench.errors import NotFound
from workbench.review import comments
from tests.support.review import make_sign, make_site, unit_of, unit_row


@pytest.fixture
def shared_unit(db):
    """One Chinese text on a Haikou sign and a Sanya sign: one unit for both counties."""
    haikou = make_sign(db, make_site(db, "海口市"), "多功能厅")
    sanya = make_sign(db, make_site(db, "三亚市"), "多功能厅")
    unit_id = unit_of(db, haikou)
    assert unit_of(db, sanya) == unit_id
    return unit_id


def _bodies(thread):
    return [comment["body"] for comment in thread]


def test_officers_read_questions_to_their_county_and_their_own_countys_comments(
        db, users, shared_unit):
    comments.request_clarification(db, users["translator"], shared_unit,
                                   "Which floor is the hall on?")
    comments.add_comment(db, users["reviewer"], shared_unit, "Internal: keep Hall, not Room")
    comments.add_comment(db, users["officer"], shared_unit, "Haikou: second floor, VIP only")
    comments.add_comment(db, users["officer_sanya"], shared_unit, "Sanya: ground floor")
    assert _bodies(comments.thread(db, shared_unit, users["officer"])) == [
        "Which floor is the hall on?", "Haikou: second floor, VIP only"]
    assert _bodies(comments.thread(db, shared_unit, users["officer_sanya"])) == [
        "Which floor is the hall on?", "Sanya: ground floor"]
    assert len(comments.thread(db, shared_unit, users["reviewer"])) == 4


def test_an_officer_cannot_reply_to_another_countys_comment(db, users, shared_unit):
    haikou = comments.add_comment(db, users["officer"], shared_unit, "Haikou detail")
    with pytest.raises(NotFound):
        comments.add_comment(db, users["officer_sanya"], shared_unit, "re",
                             parent_id=haikou["id"])
    reply = comments.add_comment(db, users["reviewer"], shared_unit, "Thanks",
                                 parent_id=haikou["id"])
    # A review reply under a hidden comment is hidden with it.
    assert reply["id"] not in [c["id"] for c in comments.thread(db, shared_unit,
                                                                 users["officer_sanya"])]


def test_mentions_do_not_carry_a_countys_comment_to_another(db, users, shared_unit):
    comments.add_comment(db, users["officer"], shared_unit, "@officer_sanya is yours the same?")
    assert comments.count_unread_mentions(db, users["officer_sanya"]) == 0
    assert comments.unread_mentions(db, users["officer_sanya"]) == []


def test_questions_are_per_county_on_a_shared_unit(db, users, shared_unit):
    comments.request_clarification(db, users["translator"], shared_unit, "What is the room for?")
    assert comments.count_clarifications(db, users["officer"]) == 1
    assert comments.count_clarifications(db, users["officer_sanya"]) == 1
    answer = comments.add_comment(db, users["officer"], shared_unit, "Meetings.")
    assert answer["kind"] == "answer"
    # Haikou's answer closes Haikou's question only.
    assert comments.count_clarifications(db, users["officer"]) == 0
    assert comments.count_clarifications(db, users["officer_sanya"]) == 1
    assert [item["id"] for item in comments.clarifications_for(db, users["officer_sanya"])] == [
        shared_unit]
    assert unit_row(db, shared_unit)["needs_clarification"] == 1
    comments.add_comment(db, users["officer_sanya"], shared_unit, "Weddings.")
    assert unit_row(db, shared_unit)["needs_clarification"] == 0


def test_a_question_can_go_to_one_county(db, users, shared_unit, county_ids):
    comments.request_clarification(db, users["translator"], shared_unit, "Haikou only?",
                                   county_id=county_ids["海口市"])
    assert comments.count_clarifications(db, users["officer"]) == 1
    assert comments.count_clarifications(db, users["officer_sanya"]) == 0


def test_resolving_closes_every_countys_question(db, users, shared_unit):
    comments.request_clarification(db, users["translator"], shared_unit, "Which room?")
    comments.resolve_clarification(db, users["reviewer"], shared_unit)
    assert comments.count_clarifications(db, users["officer"]) == 0
    assert comments.count_clarifications(db, users["officer_sanya"]) == 0


def test_clarification_page_shows_only_the_officers_county_thread(
        db, users, shared_unit, officer_client, other_officer_client):
    comments.request_clarification(db, users["translator"], shared_unit, "What is the room for?")
    response = other_officer_client.post(f"/review/units/{shared_unit}/comment",
                                         data={"body": "Sanya secret: wedding hall"})
    assert response.status_code == 302
    page = officer_client.get("/review/clarifications").get_data(as_text=True)
    assert "What is the room for?" in page
    assert "Sanya secret" not in page
    assert "三亚" not in page  # not even the other county's signs
    # Sanya answered and its question is closed; Haikou's is still open.
    assert "What is the room for?" not in other_officer_client.get(
        "/review/clarifications").get_data(as_text=True)


def test_another_countys_comment_as_parent_answers_404(db, users, shared_unit, officer_client):
    hidden = comments.add_comment(db, users["officer_sanya"], shared_unit, "Sanya note")
    response = officer_client.post(f"/review/units/{shared_unit}/comment",
                                   data={"body": "reply", "parent_id": hidden["id"]})
    assert response.status_code == 404


def test_a_unit_of_another_county_only_answers_404_to_officers(db, users, officer_client):
    sanya_only = unit_of(db, make_sign(db, make_site(db, "三亚市"), "售票处"))
    response = officer_client.post(f"/review/units/{sanya_only}/comment", data={"body": "hi"})
    assert response.status_code == 404


@pytest.fixture
def county_ids(db):
    return {row["name_zh"]: row["id"] for row in db["counties"].rows}
