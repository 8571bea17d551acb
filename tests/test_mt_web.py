"""The engines page: the registry, and drafts tried on a few texts."""
from __future__ import annotations

import pytest


@pytest.fixture
def app_config(app_config, tmp_path):
    return dict(app_config, MODELS_DIR=str(tmp_path / "no-models"), MT_ENGINE="rules")


def test_reviewer_sees_the_engines(reviewer_client):
    page = reviewer_client.get("/engines/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "rules" in html and "Chinese→English" in html and "unavailable" in html
    assert "/engines/" in reviewer_client.get("/").get_data(as_text=True)


def test_drafts_with_provenance(translator_client):
    page = translator_client.get("/engines/", query_string={
        "text": "禁止游泳\n吃饭了吗\n<b>龙昆南路</b>", "target": "en"})
    html = page.get_data(as_text=True)
    assert "No Swimming" in html
    assert "吃饭了吗" in html and "no draft" in html
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_other_language_and_bad_input_are_safe(translator_client):
    html = translator_client.get("/engines/", query_string={
        "text": "禁止停车", "target": "xx", "engine": "nope"}).get_data(as_text=True)
    assert "No Parking" in html
    html = translator_client.get("/engines/", query_string={
        "text": "禁止停车", "target": "ko"}).get_data(as_text=True)
    assert "주차금지" in html


def test_a_partial_draft_marks_its_untranslated_part(translator_client):
    html = translator_client.get("/engines/", query_string={
        "text": "禁止在车厢内嗑瓜子", "target": "en"}).get_data(as_text=True)
    assert '<mark class="draft-unknown"' in html and ">嗑瓜子</mark>" in html
    assert "Partial draft" in html


def test_officer_may_not_see_the_page(officer_client, client):
    assert officer_client.get("/engines/").status_code == 403
    assert client.get("/engines/").status_code in (302, 401)
