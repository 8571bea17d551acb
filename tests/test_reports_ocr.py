"""Triage with the real OCR engine: a photo of a sign, drawn with Pillow and a CJK font, is
read, matched to the sign by its text (and position), and its foreign text checked."""
from __future__ import annotations

from pathlib import Path

import pytest

from workbench.reports import queue, submit_and_triage
from tests.support.ocr_images import sign_photo
from tests.support.reports import AIRPORT, SETTINGS, make_sign, report_input

pytest.importorskip("rapidocr_onnxruntime")


@pytest.fixture
def settings(tmp_path: Path, job_settings: dict) -> dict:
    # Triage is a job: this test's database, jobs run inline.
    return dict(job_settings, **dict(SETTINGS, REPORT_OCR=True,
                                     UPLOAD_DIR=str(tmp_path / "uploads")))


def test_a_photo_is_read_matched_by_text_and_place_and_checked(db, users, settings):
    wrong = make_sign(db, users, "小心地滑", "Carefully Slide")
    make_sign(db, users, "小心地滑", "Carefully Slide", county="三亚市", site="大东海",
              position=(18.223, 109.515))
    photo = sign_photo(["小心地滑", "Carefully Slide"], gps=(AIRPORT[0] + 0.0005, AIRPORT[1]))
    receipt = submit_and_triage(db, report_input(photo=photo, photo_name="IMG_2041.jpg"),
                                settings=settings, address="203.0.113.5")
    report = queue.get_report(db, users["staff"], receipt.report_id)
    reading = report["triage"]["reading"]
    assert reading["zh"] == "小心地滑"
    assert reading["foreign"]["en"].lower() == "carefully slide"
    assert (report["sign_id"], report["match_method"]) == (wrong, "text_location")
    assert report["triage"]["checked"] == "photo"
    assert any(f["severity"] == "error" and f["suggestion"] == "CAUTION//Wet Floor"
               for f in report["triage"]["findings"])


def test_a_photo_without_position_matches_a_unique_text(db, users, settings):
    sign = make_sign(db, users, "游客服务中心", "Tourist Servise Center")
    photo = sign_photo(["游客服务中心", "Tourist Servise Center"])
    receipt = submit_and_triage(db, report_input(photo=photo, kind="spelling"),
                                settings=settings, address="203.0.113.6")
    report = queue.get_report(db, users["staff"], receipt.report_id)
    assert report["latitude"] is None
    assert (report["sign_id"], report["match_method"]) == (sign, "text")
    assert report["county_id"] is not None
    assert any(f["lang"] == "en" and "Servise" in f["text"] for f in report["triage"]["findings"])
