"""Public reports, domain side: intake and its limits, triage (matching, QA, duplicates),
the office's decisions, the sign's finding, CSV export. The web pages and the API are in
test_reports_web.py and test_reports_api.py."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from workbench import audit
from workbench.errors import NotFound, ValidationError
from workbench.inventory import records
from workbench.messages import from_data, render
from workbench.reports import (RateLimited, export, intake, limits, matching, public, queue,
                               submit_and_triage, submit_report, triage)
from tests.support.reports import (AIRPORT, DADONGHAI, SETTINGS, approve, county_id,
                                   make_sign, photo_bytes, report_input, sign_code)


@pytest.fixture
def settings(tmp_path: Path, job_settings: dict) -> dict:
    # Triage is a job: this test's database, jobs run inline.
    return dict(job_settings, **SETTINGS, UPLOAD_DIR=str(tmp_path / "uploads"))


def submit(db, settings, address: str = "203.0.113.9", **values):
    return submit_and_triage(db, report_input(**values), settings=settings, address=address)


def row(db, report_id: int) -> dict:
    return next(db.query("SELECT * FROM reports WHERE id = ?", [report_id]))


# --- intake --------------------------------------------------------------------------------

def test_a_report_from_a_sign_page_is_stored_matched_and_audited(db, users, settings):
    sign = make_sign(db, users, "小心地滑", "Carefully Slide")
    receipt = submit(db, settings, sign_code=sign_code(db, sign).lower(),
                     suggestion="CAUTION//Wet Floor", contact="visitor@example.org")
    stored = row(db, receipt.report_id)
    assert stored["status"] == "new" and stored["sign_id"] == sign
    assert stored["match_method"] == "code" and stored["county_id"] == county_id(db, "海口市")
    assert len(receipt.tracking_code) == 12 and set(receipt.tracking_code) <= set(
        intake.CODE_ALPHABET)
    events = audit.history(db, "report", receipt.report_id)
    assert [e["action"] for e in events] == ["report.submit", "report.triage"]
    # The audit history keeps no contact data and no address.
    assert "visitor@example.org" not in events[0]["after_json"]
    assert events[0]["after"]["has_contact"] is True and "address_key" not in events[0]["after"]
    assert stored["address_key"] and "203.0.113.9" not in stored["address_key"]


def test_every_problem_is_listed_and_nothing_is_stored(db, settings):
    with pytest.raises(ValidationError) as caught:
        submit(db, settings, kind="nonsense", description="x" * 2001, sign_code="NO-SUCH",
               latitude="95", longitude="", county="Atlantis")
    columns = {problem.column for problem in caught.value.problems}
    assert columns == {"kind", "description", "sign_code", "latitude", "county"}
    assert db["reports"].count == 0


def test_a_general_report_must_say_where_the_sign_is(db, settings):
    with pytest.raises(ValidationError) as caught:
        submit(db, settings)
    assert caught.value.problems[0].column == "place"
    assert submit(db, settings, place="海口骑楼老街").tracking_code
    assert submit(db, settings, county="sanya").report_id


def test_other_needs_a_description(db, settings):
    with pytest.raises(ValidationError) as caught:
        submit(db, settings, kind="other", description="", place="海口")
    assert caught.value.problems[0].column == "description"


def test_photo_is_re_encoded_without_metadata_and_its_gps_kept(db, users, settings):
    receipt = submit(db, settings, photo=photo_bytes(gps=(19.93, 110.46), fmt="JPEG"),
                     photo_name="IMG_1.jpg")
    stored = row(db, receipt.report_id)
    assert stored["location_source"] == "photo"
    assert stored["latitude"] == pytest.approx(19.93, abs=1e-4)
    assert stored["longitude"] == pytest.approx(110.46, abs=1e-4)
    saved = Path(settings["UPLOAD_DIR"]) / stored["photo_file"]
    with Image.open(saved) as image:
        assert image.format == "JPEG" and not dict(image.getexif())
    assert b"SignCam" not in saved.read_bytes()
    assert (Path(settings["UPLOAD_DIR"]) / stored["photo_thumb"]).is_file()


def test_the_photos_place_wins_over_the_phones(db, settings):
    receipt = submit(db, settings, photo=photo_bytes(gps=DADONGHAI), latitude="19.9",
                     longitude="110.4")
    stored = row(db, receipt.report_id)
    assert stored["location_source"] == "photo" and stored["latitude"] == pytest.approx(
        DADONGHAI[0], abs=1e-4)
    device = row(db, submit(db, settings, latitude="19.9", longitude="110.4").report_id)
    assert device["location_source"] == "device"


@pytest.mark.parametrize("data,name", [
    (b"%PDF-1.4 not a photo", "sign.jpg"),
    (b"GIF89a" + b"\0" * 40, "sign.gif"),
    (b"", "empty.jpg"),
])
def test_photos_of_the_wrong_type_are_refused(db, settings, data, name):
    with pytest.raises(ValidationError) as caught:
        submit(db, settings, place="海口", photo=data or b"\0", photo_name=name)
    assert caught.value.problems[0].column == "photo"
    assert db["reports"].count == 0


def test_photos_over_the_size_limit_are_refused(db, settings):
    big = photo_bytes(size=(1600, 1200), fmt="PNG")
    with pytest.raises(ValidationError) as caught:
        submit(db, dict(settings, REPORT_MAX_PHOTO_BYTES=len(big) - 1), place="海口",
               photo=big, photo_name="big.png")
    assert caught.value.problems[0].column == "photo"
    assert db["reports"].count == 0


# --- abuse limits ------------------------------------------------------------------------------

def test_rate_limit_per_address(db, settings):
    limited = dict(settings, REPORT_LIMIT_PER_ADDRESS=3)
    for _ in range(2):
        submit(db, limited, place="海口")
    with pytest.raises(ValidationError):  # a bad submission counts too
        submit(db, limited, kind="")
    with pytest.raises(RateLimited) as caught:
        submit(db, limited, place="海口")
    assert caught.value.http_status == 429 and 3500 < caught.value.retry_after <= 3601
    assert "minutes" in caught.value.render()
    assert submit(db, limited, address="198.51.100.7", place="海口")  # another sender
    assert db["reports"].count == 3
    # Refused attempts are not written: hammering costs no writes and no longer waits.
    assert db["report_attempts"].count == 4


def test_rate_limit_per_sign(db, users, settings):
    code = sign_code(db, make_sign(db, users, "出口", "Export"))
    limited = dict(settings, REPORT_LIMIT_PER_SIGN=2)
    submit(db, limited, address="192.0.2.1", sign_code=code)
    submit(db, limited, address="192.0.2.2", sign_code=code)
    with pytest.raises(RateLimited) as caught:
        submit(db, limited, address="192.0.2.3", sign_code=code)
    assert "reported many times" in caught.value.render()
    assert submit(db, limited, address="192.0.2.3", place="海口")  # other signs are fine


def test_the_honeypot_refuses_without_saying_why(db, settings):
    with pytest.raises(ValidationError) as caught:
        submit(db, settings, place="海口", honeypot="http://spam.example")
    assert caught.value.render(limit=0).startswith("The report could not be accepted.")
    assert caught.value.problems[0].column is None
    assert db["reports"].count == 0
    assert db.execute("SELECT outcome FROM report_attempts").fetchone()[0] == limits.HONEYPOT


def test_address_keys_are_keyed_hashes():
    first = limits.address_key("203.0.113.9", "secret-a")
    assert first == limits.address_key("203.0.113.9", "secret-a")
    assert first != limits.address_key("203.0.113.9", "secret-b")
    assert "203" not in first and limits.address_key(None, "x") is None


# --- triage: matching, QA, duplicates -------------------------------------------------------

def test_matching_by_text_and_distance(db, users):
    near = make_sign(db, users, "小心地滑", "Carefully Slide")
    make_sign(db, users, "小心地滑", "Carefully Slide", county="三亚市", site="大东海",
              position=DADONGHAI)
    # Text alone is ambiguous (two signs say the same); the place decides.
    assert matching.match_report(db, zh="小心地滑").sign_id is None
    found = matching.match_report(db, zh="小心地滑", latitude=AIRPORT[0] + 0.001,
                                  longitude=AIRPORT[1])
    assert (found.sign_id, found.method) == (near, "text_location")
    assert found.candidates[0].distance_m < 300
    # A slightly misread text still matches the sign near the reported place.
    misread = matching.match_report(db, zh="小心地清", foreign={"en": "Carefuly Slide"},
                                    latitude=AIRPORT[0], longitude=AIRPORT[1])
    assert misread.sign_id == near
    # Far from every site: no site, and the text must settle it alone.
    nowhere = matching.match_report(db, zh="禁止游泳", latitude=30.0, longitude=120.0)
    assert (nowhere.sign_id, nowhere.site_id) == (None, None)


def test_matching_keeps_identical_signs_at_one_site_for_a_person(db, users):
    make_sign(db, users, "出口", "Export", location="A")
    make_sign(db, users, "出口", "Export", location="B")
    found = matching.match_report(db, zh="出口", latitude=AIRPORT[0], longitude=AIRPORT[1])
    assert found.sign_id is None and len(found.candidates) == 2
    assert found.site_id is not None and found.county_id == county_id(db, "海口市")


def test_the_only_sign_near_the_place_is_matched_by_location(db, users):
    sign = make_sign(db, users, "游客中心", "Tourist Center", county="三亚市", site="大东海",
                     position=DADONGHAI)
    found = matching.match_report(db, latitude=DADONGHAI[0], longitude=DADONGHAI[1])
    assert (found.sign_id, found.method) == (sign, "location")


def test_triage_runs_qa_on_the_signs_wording(db, users, settings):
    sign = make_sign(db, users, "小心地滑", "Carefully Slide")
    receipt = submit(db, settings, sign_code=sign_code(db, sign))
    result = queue.get_report(db, users["staff"], receipt.report_id)["triage"]
    assert result["checked"] == "sign"
    assert any(f["severity"] == "error" and f["lang"] == "en" and f["text"] == "Carefully Slide"
               and f["suggestion"] == "CAUTION//Wet Floor" for f in result["findings"])
    assert result["reading"] is None


def test_triage_without_ocr_says_why(db, users, settings):
    receipt = submit(db, settings, place="海口", photo=photo_bytes())
    result = queue.get_report(db, users["staff"], receipt.report_id)["triage"]
    assert result["reading"] is None and "switched off" in str(result["note"])


def test_triage_is_idempotent_and_reports_progress(db, users, settings):
    sign = make_sign(db, users, "出口", "Export")
    receipt = submit(db, settings, sign_code=sign_code(db, sign))
    events = len(audit.history(db, "report", receipt.report_id))
    steps = []
    first = triage.triage_report(db, receipt.report_id, settings=settings,
                                 progress=lambda done, total: steps.append((done, total)))
    assert steps == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert triage.triage_report(db, receipt.report_id, settings=settings) == first
    assert len(audit.history(db, "report", receipt.report_id)) == events  # nothing new


def test_duplicates_of_one_sign_are_grouped(db, users, settings):
    sign = make_sign(db, users, "出口", "Export")
    code = sign_code(db, sign)
    first = submit(db, settings, sign_code=code).report_id
    second = submit(db, settings, sign_code=code, kind="spelling").report_id
    third = submit(db, settings, latitude=str(AIRPORT[0]), longitude=str(AIRPORT[1]),
                   kind="damaged").report_id  # the only sign near: same group
    assert row(db, second)["duplicate_of"] == first
    assert row(db, third)["duplicate_of"] == first
    rows, total = queue.list_reports(db, users["staff"])
    assert total == 1 and rows[0]["id"] == first and rows[0]["duplicates"] == 2
    assert queue.list_reports(db, users["staff"], {"grouped": False})[1] == 3


# --- the office's decisions ------------------------------------------------------------------

def test_confirm_marks_the_sign_for_correction_with_a_finding(db, users, settings):
    sign = make_sign(db, users, "禁止吸烟", "No Smoking")
    assert records.get_sign(db, users["staff"], sign)["action"] == "keep"
    first = submit(db, settings, sign_code=sign_code(db, sign),
                   description="Says 'No Smoke'", suggestion="No Smoking").report_id
    second = submit(db, settings, sign_code=sign_code(db, sign)).report_id
    assert queue.confirm_report(db, users["officer"], first) == [first, second]
    updated = records.get_sign(db, users["staff"], sign)
    assert updated["action"] == "correct"
    reported = [f for f in updated["findings"] if f["check_id"] == queue.CHECK_ID]
    assert len(reported) == 2 and reported[0]["severity"] == "error"
    assert render(from_data(reported[0]["message"])) == (
        f"Public report #{first}, confirmed: Wrong translation — Says 'No Smoke'")
    assert reported[0]["suggestion"] == "No Smoking"
    assert updated["finding_count"] == len(updated["findings"])
    assert [e["action"] for e in audit.history(db, "sign", sign)][-1] == "sign.report_confirmed"
    # The finding survives a re-check of the inventory, and goes once the sign is fixed.
    records.recheck(db, users["staff"])
    assert any(f["check_id"] == queue.CHECK_ID
               for f in records.get_sign(db, users["staff"], sign)["findings"])
    assert queue.mark_fixed(db, users["staff"], second) == [second, first]
    assert not any(f["check_id"] == queue.CHECK_ID
                   for f in records.get_sign(db, users["staff"], sign)["findings"])
    assert public.public_status(db, row(db, first)["tracking_code"])["status"] == "fixed"


def test_confirm_needs_a_sign_and_the_office_can_name_it(db, users, settings):
    sign = make_sign(db, users, "卫生间", "Toilet")
    report_id = submit(db, settings, place="机场二楼").report_id
    with pytest.raises(ValidationError) as caught:
        queue.confirm_report(db, users["staff"], report_id)
    assert caught.value.problems[0].column == "sign_code"
    queue.confirm_report(db, users["staff"], report_id, sign_code=sign_code(db, sign).lower())
    confirmed = row(db, report_id)
    assert (confirmed["sign_id"], confirmed["match_method"]) == (sign, "staff")
    assert confirmed["county_id"] == county_id(db, "海口市")


def test_reject_needs_a_reason_the_reporter_reads(db, users, settings):
    sign = make_sign(db, users, "出口", "Exit")
    receipt = submit(db, settings, sign_code=sign_code(db, sign))
    with pytest.raises(ValidationError):
        queue.reject_report(db, users["staff"], receipt.report_id, "  ")
    queue.reject_report(db, users["staff"], receipt.report_id, "The sign already says Exit.")
    status = public.public_status(db, intake.format_tracking_code(receipt.tracking_code))
    assert status["status"] == "rejected"
    assert status["rejection_reason"] == "The sign already says Exit."
    with pytest.raises(ValidationError):
        queue.confirm_report(db, users["staff"], receipt.report_id)


def test_rejecting_a_groups_head_hands_the_group_on(db, users, settings):
    code = sign_code(db, make_sign(db, users, "出口", "Export"))
    ids = [submit(db, settings, sign_code=code).report_id for _ in range(3)]
    queue.reject_report(db, users["staff"], ids[0], "Spam.")
    assert row(db, ids[1])["duplicate_of"] is None and row(db, ids[2])["duplicate_of"] == ids[1]


def test_officers_see_and_decide_only_their_countys_reports(db, users, settings):
    sanya = make_sign(db, users, "游客中心", "Tourist Centre", county="三亚市", site="大东海",
                      position=DADONGHAI)
    report_id = submit(db, settings, sign_code=sign_code(db, sanya)).report_id
    unknown = submit(db, settings, place="somewhere").report_id  # no county known yet
    assert queue.list_reports(db, users["officer"])[1] == 0
    assert queue.list_reports(db, users["officer_sanya"])[1] == 1
    assert queue.list_reports(db, users["staff"])[1] == 2
    for report in (report_id, unknown):
        with pytest.raises(NotFound):
            queue.get_report(db, users["officer"], report)
        with pytest.raises(NotFound):
            queue.confirm_report(db, users["officer"], report)
    with pytest.raises(NotFound):  # nor link a report to another county's sign
        queue.confirm_report(db, users["officer_sanya"], report_id,
                             sign_code=sign_code(db, make_sign(db, users, "出口", "Exit")))
    queue.confirm_report(db, users["officer_sanya"], report_id)
    counts = {c["county_zh"]: c for c in queue.counts_per_county(db, users["staff"])}
    assert counts["三亚市"]["confirmed"] == 1 and counts[None]["new"] == 1
    assert [c["county_zh"] for c in queue.counts_per_county(db, users["officer"])] == []


# --- public views ----------------------------------------------------------------------------

def test_public_sign_shows_only_approved_wording(db, users):
    sign = make_sign(db, users, "小心地滑", "Carefully Slide", languages="en;ru")
    shown = public.public_sign(db, sign_code(db, sign))
    assert shown["wording"] == [] and not shown["complete"]
    approve(db, users, sign, {"en": "CAUTION//Wet Floor"})
    shown = public.public_sign(db, sign_code(db, sign).lower())
    assert shown["wording"] == [("en", "CAUTION//Wet Floor")] and shown["languages"] == [
        "en", "ru"]
    assert set(shown) == {"sign_code", "zh", "site_zh", "site_en", "county_zh", "county_en",
                          "wording", "languages", "complete"}
    with pytest.raises(NotFound):
        public.public_sign(db, "NO-SUCH-CODE")


def test_public_status_holds_nothing_internal(db, users, settings):
    receipt = submit(db, settings, place="海口", contact="13800000000")
    shown = public.public_status(db, intake.format_tracking_code(receipt.tracking_code).lower())
    assert "13800000000" not in json.dumps(shown)
    assert set(shown) == {"tracking_code", "kind", "description", "suggestion", "sign_code",
                          "status", "rejection_reason", "received_on", "updated_on",
                          "fixed_on"}
    with pytest.raises(NotFound):
        public.public_status(db, "AAAA-BBBB-CCCC")


# --- CSV export --------------------------------------------------------------------------------

def test_csv_export_is_formula_safe_has_a_bom_and_no_contact(db, users, settings):
    submit(db, settings, place="=HYPERLINK(\"http://evil\")", description="+1 wrong",
           contact="secret@example.org")
    buffer = io.BytesIO()
    assert export.write_reports_csv(db, users["staff"], buffer) == 1
    data = buffer.getvalue()
    assert data.startswith(b"\xef\xbb\xbf") and b"secret@example.org" not in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["place"].startswith("'=") and rows[0]["description"] == "'+1 wrong"
    assert rows[0]["status"] == "Received"
    other = io.BytesIO()
    assert export.write_reports_csv(db, users["officer"], other) == 0  # no county: staff only


def test_cli_lists_confirms_and_exports(run_cli, db, users, settings, tmp_path):
    sign = make_sign(db, users, "出口", "Export")
    report_id = submit_report(db, report_input(sign_code=sign_code(db, sign)),
                              settings=settings).report_id
    result = run_cli("report", "triage", "--new")
    assert result.exit_code == 0 and "Triaged 1 report(s)" in result.stdout
    assert f"#{report_id}" in run_cli("report", "list").stdout
    result = run_cli("report", "confirm", str(report_id), "--as", "officer_sanya")
    assert result.exit_code != 0  # another county's report does not exist for them
    result = run_cli("report", "confirm", str(report_id), "--as", "staff")
    assert result.exit_code == 0, result.stderr
    target = tmp_path / "reports.csv"
    assert run_cli("report", "export", "-o", str(target)).exit_code == 0
    assert "出口" in target.read_text(encoding="utf-8-sig")
