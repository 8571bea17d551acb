"""Officers correct their own signs until the wording is approved; a refusal names the status."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from workbench import auth
from workbench.errors import PermissionDenied
from workbench.inventory import records
from workbench.review import units
from tests.support.review import force_state, make_site, sign_status, unit_of, unit_row


@pytest.fixture
def drafted_sign(db, users):
    """A Haikou sign submitted by the officer and machine-drafted at once, as in real use."""
    site = make_site(db, "海口市")
    sign_id = records.create_sign(db, users["officer"], site, {
        "zh": "禁止吸烟", "function": "prohibition", "action": "new", "location": "一层大厅",
        "quantity": 2})
    units.draft_units_of_signs(db, users["officer"], [sign_id])
    assert sign_status(db, sign_id) == "drafting"
    return sign_id


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, "JPEG")
    return out.getvalue()


def test_officer_corrects_chinese_location_quantity_while_drafting(db, users, drafted_sign):
    officer = users["officer"]
    sign = records.get_sign(db, officer, drafted_sign)
    assert records.editable_fields(officer, sign) == records.CORRECTABLE_FIELDS
    assert records.can_edit(officer, sign) and records.can_change_photos(officer, sign)
    assert records.correction_note(officer, sign) is not None
    values = dict(records.current_values(sign), zh="禁止吸烟和饮食", location="二层", quantity=3)
    assert records.update_sign(db, officer, drafted_sign, values)
    changed = records.get_sign(db, officer, drafted_sign)
    assert (changed["zh"], changed["location"], changed["quantity"]) == (
        "禁止吸烟和饮食", "二层", 3)
    # The sign now carries the unit of its new text, still to be drafted.
    new_unit = unit_row(db, unit_of(db, drafted_sign))
    assert new_unit["source_text"] == "禁止吸烟和饮食" and new_unit["state"] == "new"
    assert units.undrafted_count(db, [drafted_sign]) == 1
    assert sign_status(db, drafted_sign) == "submitted"


def test_a_correction_may_not_touch_other_fields(db, users, drafted_sign):
    officer = users["officer"]
    sign = records.get_sign(db, officer, drafted_sign)
    for change in ({"function": "warning"}, {"en_current": "No Smoking"}, {"languages": "en;ru"}):
        with pytest.raises(PermissionDenied) as refused:
            records.update_sign(db, officer, drafted_sign,
                                dict(records.current_values(sign), **change))
        assert "being translated" in refused.value.render()


def test_approved_wording_ends_corrections_and_says_why(db, users, drafted_sign):
    officer, staff, translator = users["officer"], users["staff"], users["translator"]
    force_state(db, unit_of(db, drafted_sign), "approved", "No Smoking")
    units.refresh_sign_status(db, drafted_sign)
    sign = records.get_sign(db, officer, drafted_sign)
    assert sign["status"] == "approved" and not records.can_edit(officer, sign)
    assert "approved" in records.edit_refusal(officer, sign).render()
    assert "Send the sign back" in records.edit_refusal(staff, sign).render()
    assert "county officers" in records.edit_refusal(translator, sign).render()
    with pytest.raises(PermissionDenied) as refused:
        records.update_sign(db, officer, drafted_sign, records.current_values(sign))
    assert "approved" in refused.value.render()


def test_correction_page_redrafts_through_a_job(db, officer_client, drafted_sign):
    page = officer_client.get(f"/inventory/signs/{drafted_sign}").get_data(as_text=True)
    assert 'id="edit-sign"' in page and "correction-note" in page
    form = officer_client.get(f"/inventory/signs/{drafted_sign}/edit")
    assert form.status_code == 200 and 'id="correction-form"' in form.get_data(as_text=True)
    response = officer_client.post(f"/inventory/signs/{drafted_sign}/edit", data={
        "zh": "禁止吸烟和饮食", "location": "二层", "quantity": "3",
        "photo": (io.BytesIO(_jpeg()), "sign.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302 and "job=" in response.headers["Location"]
    unit = unit_row(db, unit_of(db, drafted_sign))
    assert unit["source_text"] == "禁止吸烟和饮食" and unit["state"] == "machine_draft"
    assert sign_status(db, drafted_sign) == "drafting"
    assert db.execute("SELECT count(*) FROM sign_photos WHERE sign_id = ?",
                      [drafted_sign]).fetchone()[0] == 1
    kinds = [row[0] for row in db.execute("SELECT kind FROM job_runs ORDER BY id")]
    assert kinds[-1] == "inventory.draft"


def test_a_location_only_correction_starts_no_job(db, officer_client, drafted_sign):
    response = officer_client.post(f"/inventory/signs/{drafted_sign}/edit", data={
        "zh": "禁止吸烟", "location": "东门", "quantity": "2"})
    assert response.status_code == 302 and "job=" not in response.headers["Location"]


def test_refused_edit_page_names_the_status_not_the_role(db, officer_client, drafted_sign):
    force_state(db, unit_of(db, drafted_sign), "approved", "No Smoking")
    units.refresh_sign_status(db, drafted_sign)
    response = officer_client.get(f"/inventory/signs/{drafted_sign}/edit")
    assert response.status_code == 302
    page = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "wording of this sign is approved" in page
    assert "role" not in page.split("wording of this sign is approved")[1][:200]
    zh_page = officer_client.get(f"/inventory/signs/{drafted_sign}",
                                 headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "edit-refusal" in zh_page


def test_officer_import_may_correct_a_drafting_sign_but_not_its_function(db, users, drafted_sign):
    from workbench.inventory import importer

    officer = users["officer"]
    sign = records.get_sign(db, officer, drafted_sign)
    header = "sign_code,site,sector,location,function,zh,action,quantity\n"
    line = (f"{sign['sign_code']},{sign['site']['name_zh']},public_facilities,一层大厅,"
            "{function},禁止吸烟,new,5\n")
    ok = importer.import_inventory(db, officer, (header + line.format(function="prohibition"))
                              .encode(), "signs.csv", county="海口市")
    assert ok.signs_updated == 1
    assert records.get_sign(db, officer, drafted_sign)["quantity"] == 5
    with pytest.raises(Exception) as refused:
        importer.import_inventory(db, officer, (header + line.format(function="warning")).encode(),
                             "signs.csv", county="海口市")
    assert "can no longer change it by import" in str(refused.value)
    assert auth.can(officer, "inventory.submit")
