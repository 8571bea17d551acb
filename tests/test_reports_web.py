"""Public report pages (no sign-in, phone-first, zh/en, CSRF, limits) and the office's pages
(queue per county, decisions, photo, CSV, dashboard); proof exports warn about PUBLIC_URL."""
from __future__ import annotations

import io
import re

import pytest

from workbench.exports import runs
from workbench.exports.selection import ExportFilter
from workbench.messages import render
from workbench.reports import intake
from tests.support.reports import (DADONGHAI, approve, make_sign, photo_bytes, sign_code)


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return dict(app_config, REPORT_OCR=False, REPORT_LIMIT_PER_ADDRESS=1000,
                REPORT_MAX_PHOTO_BYTES=512 * 1024)


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _report(client, url: str, **fields) -> object:
    data = {"kind": "wrong_translation", "description": "The English says Carefully Slide."}
    data.update(fields)
    return client.post(url, data=data, content_type="multipart/form-data")


def _tracking_code(response) -> str:
    return response.headers["Location"].rsplit("/", 1)[-1]


# --- the public pages --------------------------------------------------------------------------

def test_the_qr_page_shows_approved_wording_to_anyone(client, db, users):
    sign = make_sign(db, users, "小心地滑", "Carefully Slide")
    approve(db, users, sign, {"en": "CAUTION//Wet Floor"})
    page = client.get(f"/r/{sign_code(db, sign)}")
    html = page.data.decode()
    assert page.status_code == 200
    assert "小心地滑" in html and "CAUTION<br>Wet Floor" in html
    assert "Report a problem with this sign" in html and 'name="website"' in html
    # Nothing internal: who wrote or approved it, installed wrong text, other users.
    for secret in ("Translator", "Reviewer", "translator", "reviewer", "Carefully Slide",
                   "Sign out"):
        assert secret not in html
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "<script>" not in html and " style=" not in html
    assert all(tag.startswith("<script src=") for tag in re.findall(r"<script[^>]*>", html))


def test_english_first_for_english_browsers_chinese_otherwise(app, db, users):
    code = sign_code(db, make_sign(db, users, "出口", "Export"))
    anonymous = app.test_client()
    english = anonymous.get(f"/r/{code}", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert "Report a problem with this sign" in english.data.decode()
    assert 'lang="en"' in english.data.decode()
    chinese = anonymous.get(f"/r/{code}", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "报告" in chinese.data.decode() and 'lang="zh-Hans"' in chinese.data.decode()
    # The switch is remembered for the visitor without any account.
    anonymous.post("/auth/locale", data={"locale": "en", "next": f"/r/{code}"})
    again = anonymous.get(f"/r/{code}", headers={"Accept-Language": "zh-CN"})
    assert "Report a problem with this sign" in again.data.decode()


def test_reporting_from_the_qr_page_and_following_it(client, db, users):
    sign = make_sign(db, users, "小心地滑", "Carefully Slide")
    response = _report(client, f"/r/{sign_code(db, sign)}", suggestion="CAUTION//Wet Floor",
                       photo=(io.BytesIO(photo_bytes()), "IMG_0001.jpg"))
    assert response.status_code == 303
    code = _tracking_code(response)
    page = client.get(f"/r/track/{code}", follow_redirects=True)
    html = page.data.decode()
    assert page.status_code == 200 and code in html and "Received" in html
    assert "Keep your tracking code" in html
    assert page.headers["Cache-Control"] == "no-store"
    stored = next(db.query("SELECT * FROM reports"))
    assert stored["sign_id"] == sign and stored["channel"] == "web"
    assert stored["photo_file"] and stored["locale"] == "en"
    # Typing the code (lower case, spaces) finds the same page.
    lookup = client.get("/r/track", query_string={"code": code.lower().replace("-", " ")})
    assert lookup.headers["Location"].endswith(f"/r/track/{code}")


def test_the_general_page_asks_where_and_lists_problems(client, db):
    page = client.get("/r/")
    assert page.status_code == 200 and 'id="use-location"' in page.data.decode()
    assert "at most 0.5 MB" in page.data.decode()
    refused = _report(client, "/r/", kind="", county="")
    html = refused.data.decode()
    assert refused.status_code == 400 and "Choose what is wrong with the sign." in html
    assert db["reports"].count == 0
    accepted = _report(client, "/r/", place="Haikou, Qilou old street", county="haikou",
                       latitude="20.046", longitude="110.351")
    assert accepted.status_code == 303
    stored = next(db.query("SELECT * FROM reports"))
    assert stored["location_source"] == "device" and stored["county_id"] is not None


def test_unknown_signs_and_codes_answer_404_on_a_public_page(client):
    for url in ("/r/NO-SUCH-SIGN", "/r/track/ABCD-EFGH-JKMN"):
        page = client.get(url)
        assert page.status_code == 404
        assert "Report a wrong sign" in page.data.decode()  # the public layout, not the staff one


def test_public_form_needs_its_csrf_token(csrf_app, db, users):
    code = sign_code(db, make_sign(db, users, "出口", "Export"))
    browser = csrf_app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert _report(browser, f"/r/{code}").status_code == 400
    assert db["reports"].count == 0
    token = _token(browser.get(f"/r/{code}").data.decode())
    assert _report(browser, f"/r/{code}", csrf_token=token).status_code == 303


def test_public_form_limits(app, client, db, users):
    code = sign_code(db, make_sign(db, users, "出口", "Export"))
    # The honeypot: refused, nothing stored, no hint why.
    caught = _report(client, f"/r/{code}", website="http://spam.example")
    assert caught.status_code == 400 and "could not be accepted" in caught.data.decode()
    # The body is bounded before it is parsed (photo limit + room for the fields).
    huge = _report(client, f"/r/{code}", photo=(io.BytesIO(b"\xff" * (800 * 1024)), "x.jpg"))
    assert huge.status_code == 413 and "at most 0.5 MB" in huge.data.decode()
    assert db["reports"].count == 0
    # Rate limit per address: the honeypot's catch counted, the refused upload did not.
    app.config["REPORT_LIMIT_PER_ADDRESS"] = 2
    assert _report(client, f"/r/{code}").status_code == 303
    limited = _report(client, f"/r/{code}")
    assert limited.status_code == 429 and "many reports" in limited.data.decode()
    assert db["reports"].count == 1


# --- the office's pages ------------------------------------------------------------------------

def _sanya_report(client, db, users) -> tuple[int, int, str]:
    sign = make_sign(db, users, "禁止游泳", "Forbid Swimming", county="三亚市", site="大东海",
                     position=DADONGHAI, function="prohibition")
    response = _report(client, f"/r/{sign_code(db, sign)}", suggestion="No Swimming",
                       photo=(io.BytesIO(photo_bytes()), "beach.jpg"))
    report_id = db.execute("SELECT max(id) FROM reports").fetchone()[0]
    return sign, report_id, _tracking_code(response)


def test_queue_per_county_and_confirmation(client, staff_client, officer_client,
                                           other_officer_client, db, users):
    sign, report_id, code = _sanya_report(client, db, users)
    queue_page = staff_client.get("/reports/").data.decode()
    assert f"#{report_id}" in queue_page and "禁止游泳" in queue_page
    assert f"#{report_id}" not in officer_client.get("/reports/").data.decode()
    for url in (f"/reports/{report_id}", f"/reports/{report_id}/photo",
                f"/reports/{report_id}/photo/thumb"):
        assert officer_client.get(url).status_code == 404, url
    assert officer_client.post(f"/reports/{report_id}/confirm").status_code == 404
    detail = other_officer_client.get(f"/reports/{report_id}").data.decode()
    assert "No Swimming" in detail and "Confirm" in detail
    photo = other_officer_client.get(f"/reports/{report_id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    response = other_officer_client.post(f"/reports/{report_id}/confirm", data={"sign_code": ""})
    assert response.status_code == 302
    sign_page = staff_client.get(f"/inventory/signs/{sign}").data.decode()
    assert "public_report" in sign_page and f"Public report #{report_id}, confirmed" in sign_page
    assert "Correct" in sign_page
    public = client.get(f"/r/track/{code}").data.decode()
    assert "Confirmed" in public and "will be corrected" in public
    assert "officer_sanya" not in public and "Officer_Sanya" not in public


def test_reject_shows_the_reason_to_the_reporter(client, staff_client, db, users):
    _sign, report_id, code = _sanya_report(client, db, users)
    missing = staff_client.post(f"/reports/{report_id}/reject", data={"reason": ""},
                                follow_redirects=True)
    assert "Give a reason" in missing.data.decode()
    staff_client.post(f"/reports/{report_id}/reject",
                      data={"reason": "This sign is being replaced next week."})
    public = client.get(f"/r/track/{code}").data.decode()
    assert "Not changed" in public and "being replaced next week" in public


def test_csv_export_dashboard_and_home(client, staff_client, officer_client, db, users):
    _sanya_report(client, db, users)
    csv_response = staff_client.get("/reports/export.csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    assert csv_response.data.startswith(b"\xef\xbb\xbf")
    assert "禁止游泳".encode() in csv_response.data
    dashboard = staff_client.get("/inventory/dashboard").data.decode()
    assert "Public reports by county" in dashboard and "三亚市" in dashboard
    assert "三亚市" not in officer_client.get("/inventory/dashboard").data.decode().split(
        "Public reports by county")[1].split("Progress over time")[0]
    assert "New public reports" in staff_client.get("/").data.decode()


def test_public_routes_are_exactly_the_marked_ones(app):
    public = {rule.endpoint for rule in app.url_map.iter_rules()
              if getattr(app.view_functions[rule.endpoint], "public_access", False)}
    assert public == {"public.report_any", "public.sign_page", "public.track_lookup",
                      "public.track", "api.submit", "api.status", "api.openapi_document",
                      "home.favicon"}


# --- print proofs point to the public page ------------------------------------------------------

@pytest.mark.parametrize("public_url,warned", [
    (None, "PUBLIC_URL is not set"), ("http://localhost:8080", "only this computer"),
    ("http://127.0.0.1:5000/", "only this computer"), ("https://signs.hainan.example", None)])
def test_proof_and_package_exports_warn_about_the_qr_address(db, users, tmp_path, public_url,
                                                             warned, job_settings):
    sign = make_sign(db, users, "出口", "Export")
    approve(db, users, sign, {"en": "Exit"})
    settings = dict(job_settings, PUBLIC_URL=public_url, EXPORT_DIR=str(tmp_path / "exports"),
                    UPLOAD_DIR=str(tmp_path / "uploads"))
    county = db.execute("SELECT county_id FROM signs WHERE id = ?", [sign]).fetchone()[0]
    for kind, flt in (("proofs", ExportFilter()), ("package", ExportFilter(county_id=county))):
        run = runs.export_now(db, users["staff"], kind, flt, settings)
        text = render(run["result"].get("summary"), None, "\n")
        if warned:
            assert warned in text, (kind, text)
        else:
            assert "PUBLIC_URL" not in text, (kind, text)


def test_export_page_shows_the_warning_in_chinese(staff_client, db, users, tmp_path,
                                                   job_settings):
    sign = make_sign(db, users, "出口", "Export")
    approve(db, users, sign, {"en": "Exit"})
    run = runs.export_now(db, users["staff"], "proofs", ExportFilter(),
                          dict(job_settings, EXPORT_DIR=str(tmp_path), PUBLIC_URL=None))
    page = staff_client.get(f"/exports/{run['id']}", headers={"Accept-Language": "zh"})
    assert "PUBLIC_URL" in page.data.decode() and "二维码" in page.data.decode()


def test_tracking_codes_are_formatted_for_reading():
    assert intake.format_tracking_code("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"
    assert intake.normalize_tracking_code(" abcd-efgh jkmn ") == "ABCDEFGHJKMN"
