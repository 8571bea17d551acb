"""Clarification questions: the officer sees the county's questions and answers only, the sign
code links to the sign, and an answer can carry a photo."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from workbench.errors import NotFound, ValidationError
from workbench.inventory import photos
from workbench.review import comments
from tests.support.review import make_sign, make_site, unit_of


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), "orange").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def asked(db, users):
    """A Haikou sign and a Sanya sign sharing a unit; a question to Haikou only, and talk."""
    haikou = make_sign(db, make_site(db, "海口市"), "多功能厅", location="三楼")
    make_sign(db, make_site(db, "三亚市"), "多功能厅")
    unit_id = unit_of(db, haikou)
    haikou_county = db.execute("SELECT county_id FROM signs WHERE id = ?", [haikou]).fetchone()[0]
    comments.add_comment(db, users["translator"], unit_id, "Before we ask: Hall or Room?")
    question = comments.request_clarification(db, users["translator"], unit_id,
                                              "What is the room used for?",
                                              county_id=haikou_county)
    comments.add_comment(db, users["reviewer"], unit_id, "Let's wait for Haikou.",
                         parent_id=question["id"])
    return {"unit": unit_id, "sign": haikou, "question": question}


def test_officer_sees_only_the_question_and_the_answers(db, users, asked):
    unit_id = asked["unit"]
    answer = comments.add_comment(db, users["officer"], unit_id, "Meetings and training.",
                                  parent_id=asked["question"]["id"])
    follow_up = comments.add_comment(db, users["reviewer"], unit_id, "Thanks, is it public?",
                                     parent_id=answer["id"])
    shown = [c["body"] for c in comments.thread(db, unit_id, users["officer"])]
    assert shown == ["What is the room used for?", "Meetings and training.",
                     "Thanks, is it public?"]
    assert follow_up["id"] in comments.visible_comment_ids(db, users["officer"], unit_id)
    # The other county was not asked and sees none of it.
    assert comments.thread(db, unit_id, users["officer_sanya"]) == []
    assert len(comments.thread(db, unit_id, users["reviewer"])) == 5


def test_officer_cannot_reply_to_an_internal_comment(db, users, asked):
    internal = [c for c in comments.thread(db, asked["unit"], users["reviewer"])
                if c["body"].startswith("Before")][0]
    with pytest.raises(NotFound):
        comments.add_comment(db, users["officer"], asked["unit"], "?", parent_id=internal["id"])


def test_clarification_page_links_the_sign_and_takes_a_photo_answer(db, users, asked,
                                                                   officer_client):
    page = officer_client.get("/review/clarifications").get_data(as_text=True)
    assert f'href="/inventory/signs/{asked["sign"]}"' in page
    assert "What is the room used for?" in page
    assert "Before we ask" not in page and "Let's wait for Haikou" not in page
    assert 'enctype="multipart/form-data"' in page and 'name="photo"' in page
    response = officer_client.post(f"/review/units/{asked['unit']}/comment", data={
        "body": "See the photo: it is a meeting room.", "sign_id": str(asked["sign"]),
        "photo": (io.BytesIO(_jpeg()), "room.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302
    answer = [c for c in comments.thread(db, asked["unit"], users["reviewer"])
              if c["kind"] == "answer"][0]
    assert answer["photo_id"]
    photo_sign = db.execute("SELECT sign_id FROM sign_photos WHERE id = ?",
                            [answer["photo_id"]]).fetchone()[0]
    assert photo_sign == asked["sign"]
    unit_page = officer_client.get("/review/clarifications").get_data(as_text=True)
    assert "What is the room used for?" not in unit_page  # answered: the question is closed


def test_answer_photo_must_show_one_of_the_countys_signs(db, users, asked, app):
    sanya_sign = db.execute("SELECT su.sign_id FROM sign_units su JOIN signs s ON "
                            "s.id = su.sign_id JOIN counties c ON c.id = s.county_id "
                            "WHERE su.unit_id = ? AND c.name_zh = '三亚市'",
                            [asked["unit"]]).fetchone()[0]
    photo = photos.prepare_photo(_jpeg(), "x.jpg", 10_000_000)
    with pytest.raises(ValidationError):
        comments.add_comment(db, users["officer"], asked["unit"], "Here", photo=photo,
                             photo_sign_id=sanya_sign, upload_dir=app.config["UPLOAD_DIR"])
    assert db.execute("SELECT count(*) FROM sign_photos").fetchone()[0] == 0
    assert comments.count_clarifications(db, users["officer"]) == 1  # nothing was saved


def test_review_page_shows_the_answer_photo(db, users, asked, app, translator_client):
    photo = photos.prepare_photo(_jpeg(), "x.jpg", 10_000_000)
    answer = comments.add_comment(db, users["officer"], asked["unit"], "Here", photo=photo,
                                  upload_dir=app.config["UPLOAD_DIR"])
    page = translator_client.get(f"/review/units/{asked['unit']}").get_data(as_text=True)
    assert f'/inventory/photos/{answer["photo_id"]}/thumb' in page
