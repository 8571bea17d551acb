"""Small holes: huge integers, photos of signs one may not edit, LIKE wildcards in search."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from workbench import audit
from workbench.db import to_int, transaction
from workbench.inventory import records
from tests.support.review import drafted_sign, make_sign, make_site, unit_row

HUGE = str(2 ** 64)

QUERY_ENDPOINTS = [
    "/inventory/?page={n}", "/inventory/?county_id={n}", "/inventory/?site_id={n}",
    "/inventory/sites?county_id={n}", "/inventory/dashboard?county_id={n}",
    "/review/?page={n}", "/review/?county={n}", "/review/?site={n}",
    "/glossary/?page={n}", "/audit/?page={n}", "/exports/?page={n}",
    "/inventory/signs/{n}", "/inventory/sites/{n}", "/review/units/{n}",
    "/review/units/{n}/history", "/documents/{n}", "/exports/{n}", "/inventory/photos/{n}",
    "/glossary/proposals/{n}",
]


@pytest.mark.parametrize("value", [HUGE, "9" * 40, "-" + HUGE, "²", "1e99"])
@pytest.mark.parametrize("template", QUERY_ENDPOINTS)
def test_integer_parameters_never_give_500(admin_client, template, value):
    response = admin_client.get(template.format(n=value))
    assert response.status_code in (200, 302, 400, 404), (template, value)


@pytest.mark.parametrize("path, data", [
    ("/review/units/{unit}/comment", {"body": "hi", "parent_id": HUGE}),
    ("/review/units/{unit}/save", {"text": "Service Desk", "version": HUGE}),
    ("/review/units/{unit}/revert", {"to_version": HUGE, "version": "1"}),
    ("/review/bulk-approve", {"unit": f"{HUGE}:{HUGE}"}),
    ("/review/units/{unit}/approve", {"version": HUGE}),
])
def test_integer_form_fields_never_give_500(db, admin_client, path, data):
    _sign_id, unit_id = drafted_sign(db)
    response = admin_client.post(path.format(unit=unit_id), data=data)
    assert response.status_code in (200, 302, 400, 403, 404, 409), (path, response.status_code)


def test_page_numbers_out_of_range_show_the_first_page(officer_client):
    for value in (HUGE, "0", "-3", "abc"):
        assert officer_client.get(f"/inventory/?page={value}").status_code == 200


def test_to_int_is_the_one_parser():
    assert to_int("42") == 42 and to_int(HUGE) is None and to_int("٣") is None
    assert to_int("5", minimum=6) is None and to_int(str(2 ** 63 - 1)) == 2 ** 63 - 1


# --- photos follow the one "may this user edit this sign" rule ----------------------------------

def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def _set_status(db, sign_id: int, status: str) -> None:
    with transaction(db):
        db.execute("UPDATE signs SET status = ? WHERE id = ?", [status, sign_id])
        audit.record(db, None, "sign.test_setup", "sign", sign_id, None, {"status": status})


def _photo_ids(db, sign_id):
    return [row[0] for row in db.execute("SELECT id FROM sign_photos WHERE sign_id = ?",
                                         [sign_id])]


def test_officers_cannot_change_photos_of_signs_they_may_no_longer_edit(db, officer_client):
    sign_id = make_sign(db, make_site(db, "海口市"), "禁止吸烟")
    added = officer_client.post(f"/inventory/signs/{sign_id}/photos",
                                data={"photo": (io.BytesIO(_jpeg()), "sign.jpg")})
    assert added.status_code == 302
    [photo_id] = _photo_ids(db, sign_id)
    _set_status(db, sign_id, "approved")
    refused = officer_client.post(f"/inventory/signs/{sign_id}/photos",
                                  data={"photo": (io.BytesIO(_jpeg()), "late.jpg")},
                                  follow_redirects=True)
    # The refusal is explained on the sign's page in terms of its status, not a bare 403.
    assert refused.status_code == 200 and "can no longer be corrected" in refused.get_data(
        as_text=True)
    assert officer_client.post(f"/inventory/photos/{photo_id}/delete").status_code == 403
    assert _photo_ids(db, sign_id) == [photo_id]
    page = officer_client.get(f"/inventory/signs/{sign_id}").get_data(as_text=True)
    assert "Add photo" not in page


def test_another_countys_photo_is_not_found(db, other_officer_client):
    sign_id = make_sign(db, make_site(db, "海口市"), "禁止吸烟")
    assert other_officer_client.post(f"/inventory/signs/{sign_id}/photos", data={
        "photo": (io.BytesIO(_jpeg()), "x.jpg")}).status_code == 404


def test_a_new_sign_and_its_photo_are_saved_together_even_when_approved_at_once(
        db, users, officer_client):
    # An approved wording for this Chinese text makes a new sign approved at once.
    from workbench.review import workflow

    site_id = make_site(db, "海口市")
    first = make_sign(db, site_id, "出口")
    unit_id = db.execute("SELECT unit_id FROM sign_units WHERE sign_id = ? AND target_lang = 'en'",
                         [first]).fetchone()[0]
    version = unit_row(db, unit_id)["version"]
    saved = workflow.save_translation(db, users["translator"], unit_id, "Exit", version)
    submitted = workflow.submit(db, users["translator"], unit_id, saved["version"])
    workflow.approve(db, users["reviewer"], unit_id, submitted["version"])
    response = officer_client.post("/inventory/signs/new", data={
        "site_id": str(site_id), "function": "facility", "zh": "出口", "languages": ["en"],
        "action": "new", "quantity": "1", "photo": (io.BytesIO(_jpeg()), "exit.jpg")})
    assert response.status_code == 302
    sign_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert records.get_sign(db, users["officer"], sign_id)["status"] == "approved"
    assert len(_photo_ids(db, sign_id)) == 1


def test_huge_quantity_is_a_clear_problem_not_a_crash(db, officer_client):
    site_id = make_site(db, "海口市")
    response = officer_client.post("/inventory/signs/new", data={
        "site_id": str(site_id), "function": "facility", "zh": "入口", "languages": ["en"],
        "action": "new", "quantity": "1" + "0" * 30})
    assert response.status_code in (200, 400)


# --- LIKE wildcards are literal -----------------------------------------------------------------

def test_percent_and_underscore_are_literal_in_the_site_search(db, users, officer_client):
    make_site(db, "海口市", "A_B 广场")
    make_site(db, "海口市", "AxB 广场")
    make_site(db, "海口市", "百分百 100% 商场")
    scoped = [s["name_zh"] for s in records.list_sites(db, users["officer"], q="_")]
    assert scoped == ["A_B 广场"]
    assert [s["name_zh"] for s in records.list_sites(db, users["officer"], q="%")] == [
        "百分百 100% 商场"]
    page = officer_client.get("/inventory/sites?q=_").get_data(as_text=True)
    assert "A_B 广场" in page and "AxB 广场" not in page


def test_staff_may_still_document_an_approved_sign(db, staff_client):
    sign_id = make_sign(db, make_site(db, "海口市"), "禁止吸烟")
    _set_status(db, sign_id, "approved")
    response = staff_client.post(f"/inventory/signs/{sign_id}/photos",
                                 data={"photo": (io.BytesIO(_jpeg()), "installed.jpg")})
    assert response.status_code == 302 and len(_photo_ids(db, sign_id)) == 1
