"""Survey batches and the field-survey pages: real OCR on drawn photos with EXIF GPS."""
from __future__ import annotations

import io
import json
import random
import zipfile

import pytest

from tests.support.ocr_images import sign_photo
from workbench import auth
from workbench.errors import NotFound, ValidationError
from workbench.inventory import records
from workbench.inventory import survey as batches

# A site with a known position in Haikou, and points around it.
SITE = (20.0300000, 110.3400000)
NEAR = (20.0302000, 110.3401000)  # about 25 m away
FAR_A = (20.0500000, 110.3600000)  # about 3 km away
FAR_B = (20.0500900, 110.3600500)  # 11 m from FAR_A
LIMITS = batches.UploadLimits()


@pytest.fixture
def officer(users) -> auth.User:
    return users["officer"]


@pytest.fixture
def site_id(db, officer) -> int:
    return records.save_site(db, officer, {"county_id": officer.county_id, "name_zh": "海口湾广场",
                                           "sector": "public_facilities", "latitude": SITE[0],
                                           "longitude": SITE[1]})


def _photos() -> list[tuple[str, bytes]]:
    return [
        ("IMG_1.jpg", sign_photo(["小心地滑", "Carefully Slide"], gps=NEAR,
                                 taken_at="2026:10:01 09:30:00")),
        ("IMG_2.jpg", sign_photo(["禁止吸烟", "No Smoking"], gps=FAR_A)),
        ("IMG_3.jpg", sign_photo(["出口", "Exit"], gps=FAR_B)),
        ("IMG_4.png", sign_photo(["服务台", "Service Desk"], fmt="PNG")),
    ]


def test_distance_and_clusters():
    assert batches.distance_m(SITE, NEAR) == pytest.approx(24.6, abs=1)
    assert batches.cluster([FAR_A, SITE, FAR_B, NEAR], 150) == [0, 1, 0, 1]
    assert batches.cluster([FAR_A, FAR_B], 5) == [0, 1]


def test_batch_reads_photos_and_groups_them_by_gps(db, officer, site_id, tmp_path):
    batch_id = batches.create_batch(db, officer, officer.county_id, _photos(),
                                    upload_dir=tmp_path, limits=LIMITS)
    seen = []
    assert batches.read_batch(db, batch_id, {"UPLOAD_DIR": str(tmp_path)},
                              lambda done, total, message=None: seen.append((done, total))) == 4
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    # Idempotent: a second run reads nothing again.
    assert batches.read_batch(db, batch_id, {"UPLOAD_DIR": str(tmp_path)}) == 0
    proposal = batches.propose(db, officer, batch_id, radius_m=150)
    signs = {item.photo["original_name"]: item for item in proposal.signs}
    assert signs["IMG_1.jpg"].zh == "小心地滑"
    assert signs["IMG_1.jpg"].foreign == {"en": "Carefully Slide"}
    assert signs["IMG_1.jpg"].photo["taken_at"] == "2026-10-01T09:30:00"
    assert signs["IMG_1.jpg"].site == f"site:{site_id}"
    assert signs["IMG_2.jpg"].function == "prohibition"
    # The two far photos stand together: one proposed new site; the photo without GPS
    # gets a proposed site of its own.
    assert signs["IMG_2.jpg"].site == signs["IMG_3.jpg"].site == "new:1"
    assert signs["IMG_4.png"].site == "new:2"
    assert [s.key for s in proposal.new_sites] == ["new:1", "new:2"]
    assert proposal.new_sites[0].latitude == pytest.approx(20.050045, abs=1e-5)
    assert proposal.new_sites[1].latitude is None


def _confirmed(proposal: batches.Proposal) -> list[batches.ConfirmedSign]:
    by_name = {item.photo["original_name"]: item for item in proposal.signs}
    first, second, third = by_name["IMG_1.jpg"], by_name["IMG_2.jpg"], by_name["IMG_3.jpg"]
    values = {"function": "warning", "action": "correct", "languages": "en"}
    return [
        batches.ConfirmedSign([first.photo["id"]], dict(values, zh=first.zh,
                                                        en_current=first.foreign["en"]),
                              first.site),
        # The officer merges photo 3 into photo 2's sign and drops photo 4.
        batches.ConfirmedSign([second.photo["id"], third.photo["id"]],
                              dict(values, function="prohibition", zh=second.zh,
                                   en_current=second.foreign["en"]), second.site),
    ]


def test_confirm_writes_sites_signs_and_photos_at_once(db, officer, site_id, tmp_path,
                                                       audit_guard):
    batch_id = batches.create_batch(db, officer, officer.county_id, _photos(),
                                    upload_dir=tmp_path, limits=LIMITS)
    batches.read_batch(db, batch_id, {"UPLOAD_DIR": str(tmp_path)})
    proposal = batches.propose(db, officer, batch_id, radius_m=150)
    new_sites = {"new:1": {"name_zh": "骑楼老街", "sector": "tourism_culture",
                           "latitude": 20.05, "longitude": 110.36},
                 "new:2": {"name_zh": "", "sector": ""}}  # unused: not checked
    sign_ids = batches.confirm_batch(db, officer, batch_id, _confirmed(proposal), new_sites,
                                     upload_dir=tmp_path)
    assert len(sign_ids) == 2
    first = records.get_sign(db, officer, sign_ids[0])
    assert first["site_id"] == site_id
    assert first["current_texts"] == {"en": "Carefully Slide"}
    assert any(f["suggestion"] == "CAUTION//Wet Floor" for f in first["findings"])
    stored = json.loads(first["photos"][0]["ocr_json"])
    assert stored["zh"] == "小心地滑" and stored["lines"][0]["script"] == "Han"
    assert first["photos"][0]["taken_at"] == "2026-10-01T09:30:00"
    second = records.get_sign(db, officer, sign_ids[1])
    assert second["site"]["name_zh"] == "骑楼老街" and len(second["photos"]) == 2
    assert (tmp_path / second["photos"][1]["file_name"]).is_file()
    assert db["survey_batches"].get(batch_id)["state"] == "confirmed"
    assert not (tmp_path / "survey" / str(batch_id)).exists()
    actions = [e["action"] for e in db["audit_events"].rows_where("entity_type = ?",
                                                                  ["survey_batch"])]
    assert actions == ["survey.create", "survey.confirm"]


def test_confirm_with_any_bad_row_writes_nothing(db, officer, site_id, tmp_path):
    batch_id = batches.create_batch(db, officer, officer.county_id, _photos()[:3],
                                    upload_dir=tmp_path, limits=LIMITS)
    batches.read_batch(db, batch_id, {"UPLOAD_DIR": str(tmp_path)})
    signs_before = db["signs"].count
    sites_before = db["sites"].count
    confirmed = _confirmed(batches.propose(db, officer, batch_id, radius_m=150))
    confirmed[1].values["zh"] = "No Chinese here"
    with pytest.raises(ValidationError) as caught:
        batches.confirm_batch(db, officer, batch_id, confirmed,
                              {"new:1": {"name_zh": "骑楼老街", "sector": "tourism_culture"}},
                              upload_dir=tmp_path)
    assert caught.value.problems[0].row == 2
    assert (db["signs"].count, db["sites"].count) == (signs_before, sites_before)
    assert db["survey_batches"].get(batch_id)["state"] == "review"


def test_a_new_site_needs_a_name_and_a_sector(db, officer, site_id, tmp_path):
    batch_id = batches.create_batch(db, officer, officer.county_id, _photos()[:3],
                                    upload_dir=tmp_path, limits=LIMITS)
    batches.read_batch(db, batch_id, {"UPLOAD_DIR": str(tmp_path)})
    confirmed = _confirmed(batches.propose(db, officer, batch_id, radius_m=150))
    with pytest.raises(ValidationError) as caught:
        batches.confirm_batch(db, officer, batch_id, confirmed, {"new:1": {}},
                              upload_dir=tmp_path)
    assert {p.column for p in caught.value.problems} == {"new:1 name_zh", "new:1 sector"}


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_from_the_phone_is_opened(db, officer, tmp_path):
    data = _zip({"DCIM/IMG_1.jpg": sign_photo(["出口", "Exit"]), "__MACOSX/._IMG_1.jpg": b"x",
                 "DCIM/.hidden": b"x"})
    batch_id = batches.create_batch(db, officer, officer.county_id, [("walk.zip", data)],
                                    upload_dir=tmp_path, limits=LIMITS)
    assert [p["original_name"] for p in batches.get_batch(db, officer, batch_id)["photos"]] == \
        ["IMG_1.jpg"]


@pytest.mark.parametrize("members, limits, reason", [
    ({"a.jpg": sign_photo(["出口"]), "notes.txt": b"hello"}, LIMITS, "not a readable"),
    ({f"{n}.jpg": b"x" for n in range(5)}, batches.UploadLimits(max_photos=3), "at most 3"),
    ({"bomb.jpg": b"\0" * 2_000_000}, LIMITS, "compressed suspiciously"),
    ({"big.jpg": random.Random(1).randbytes(5000)},
     batches.UploadLimits(max_photo_bytes=6000, max_total_bytes=4500),
     "more than"),
])
def test_bad_uploads_keep_nothing(db, officer, tmp_path, members, limits, reason):
    data = _zip(members, zipfile.ZIP_DEFLATED)
    with pytest.raises(ValidationError) as caught:
        batches.create_batch(db, officer, officer.county_id, [("walk.zip", data)],
                             upload_dir=tmp_path, limits=limits)
    assert reason in caught.value.render()
    assert db["survey_batches"].count == 0
    assert not (tmp_path / "survey").exists() or not any((tmp_path / "survey").iterdir())


def test_another_county_cannot_see_a_batch(db, officer, users, tmp_path):
    batch_id = batches.create_batch(db, officer, officer.county_id, _photos()[:1],
                                    upload_dir=tmp_path, limits=LIMITS)
    with pytest.raises(NotFound):
        batches.get_batch(db, users["officer_sanya"], batch_id)


# ---------------------------------------------------------------------------
# Web

def test_ocr_endpoint_returns_texts_boxes_gps_and_findings(officer_client):
    photo = sign_photo(["小心地滑", "Carefully Slide"], gps=NEAR)
    response = officer_client.post("/inventory/survey/ocr",
                                   data={"photo": (io.BytesIO(photo), "sign.jpg")})
    assert response.status_code == 200
    data = response.get_json()
    assert data["zh"] == "小心地滑" and data["foreign"] == {"en": "Carefully Slide"}
    assert data["gps"] == [pytest.approx(NEAR[0]), pytest.approx(NEAR[1])]
    assert len(data["lines"][0]["box"]) == 4
    assert any(f["suggestion"] == "CAUTION//Wet Floor" for f in data["findings"])


def test_ocr_endpoint_refuses_a_non_image(officer_client, translator_client):
    response = officer_client.post("/inventory/survey/ocr",
                                   data={"photo": (io.BytesIO(b"hello"), "sign.jpg")})
    assert response.status_code == 400 and "JPEG" in response.get_json()["error"]
    assert translator_client.post("/inventory/survey/ocr").status_code == 403


def test_qa_preview_checks_typed_texts(officer_client):
    response = officer_client.post("/inventory/survey/qa", data={
        "zh": "小心地滑", "function": "warning", "en_current": "Carefully Slide"})
    assert any(f["suggestion"] == "CAUTION//Wet Floor" for f in response.get_json()["findings"])
    clean = officer_client.post("/inventory/survey/qa", data={
        "zh": "小心地滑", "function": "warning", "en_current": "CAUTION//Wet Floor"})
    assert clean.get_json()["findings"] == []


def test_new_sign_keeps_the_photos_ocr_and_position(officer_client, db, officer, site_id):
    photo = sign_photo(["禁止吸烟", "No Smoking"], gps=NEAR)
    officer_client.post("/inventory/survey/ocr", data={"photo": (io.BytesIO(photo), "a.jpg")})
    response = officer_client.post("/inventory/signs/new", data={
        "site_id": str(site_id), "function": "prohibition", "zh": "禁止吸烟",
        "en_current": "No Smoking", "languages": ["en"], "action": "keep", "quantity": "1",
        "use_photo_location": "y", "photo": (io.BytesIO(photo), "a.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    sign_id = int(response.headers["Location"].rsplit("/", 1)[1])
    sign = records.get_sign(db, officer, sign_id)
    stored = json.loads(sign["photos"][0]["ocr_json"])
    assert [item["text"] for item in stored["lines"]] == ["禁止吸烟", "No Smoking"]
    assert sign["site"]["latitude"] == pytest.approx(NEAR[0])


def test_batch_pages_upload_review_and_confirm(officer_client, other_officer_client, db,
                                               site_id):
    files = [(io.BytesIO(data), name) for name, data in _photos()[:2]]
    response = officer_client.post("/inventory/survey/", data={"photos": files},
                                   content_type="multipart/form-data")
    assert response.status_code == 302
    page_url = response.headers["Location"]
    page = officer_client.get(page_url).get_data(as_text=True)
    assert "小心地滑" in page and "Carefully Slide" in page and "CAUTION//Wet Floor" in page
    assert other_officer_client.get(page_url).status_code == 404
    batch_id = int(page_url.rstrip("/").rsplit("/", 1)[1])
    photos_in = batches.get_batch(db, auth.find_user(db, "officer"), batch_id)["photos"]
    first, second = (p["id"] for p in photos_in)
    form = {f"keep-{first}": "1", f"zh-{first}": "小心地滑",
            f"en-{first}": "Carefully Slide", f"function-{first}": "warning",
            f"action-{first}": "correct", f"site-{first}": f"site:{site_id}",
            # the second photo is dropped
            f"zh-{second}": "禁止吸烟", f"site-{second}": "new:1",
            f"function-{second}": "prohibition", f"action-{second}": "keep"}
    response = officer_client.post(page_url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db["signs"].count_where("zh = ?", ["小心地滑"]) == 1
    assert db["signs"].count_where("zh = ?", ["禁止吸烟"]) == 0


def test_officer_lists_show_cards_and_collapsed_filters(officer_client, db, officer, site_id):
    records.create_sign(db, officer, site_id, {"zh": "小心地滑", "function": "warning",
                                               "action": "correct",
                                               "en_current": "Carefully Slide"})
    page = officer_client.get("/inventory/").get_data(as_text=True)
    assert 'class="sign-cards"' in page and 'id="filters-toggle"' in page
    sites = officer_client.get("/inventory/sites").get_data(as_text=True)
    assert 'class="site-cards"' in sites
    form = officer_client.get("/inventory/signs/new").get_data(as_text=True)
    assert 'capture="environment"' in form and 'accept="image/*"' in form


@pytest.fixture
def tight_limit(app_config):
    """Requests limited to 25 kB, except the survey upload (its own limit)."""
    app_config["MAX_CONTENT_LENGTH"] = 25_000
    return app_config


def test_the_batch_upload_has_its_own_size_limit(tight_limit, officer_client, db):
    files = [(io.BytesIO(data), name) for name, data in _photos()[:2]]
    assert sum(len(data) for _name, data in _photos()[:2]) > 25_000
    response = officer_client.post("/inventory/survey/", data={"photos": files},
                                   content_type="multipart/form-data")
    assert response.status_code == 302
    assert db["survey_photos"].count == 2
    # Every other upload keeps the general limit.
    big = _photos()[1][1]
    assert len(big) > 25_000
    response = officer_client.post("/inventory/survey/ocr",
                                   data={"photo": (io.BytesIO(big), "big.png")})
    assert response.status_code == 413


def test_without_the_ocr_engine_signs_are_still_entered_by_hand(officer_client, monkeypatch,
                                                                 db, site_id):
    from workbench.ocr import engine

    def missing(options):
        raise engine.OcrUnavailable(engine.msg("Text recognition is not available: "
                                               "%(reason)s", reason="libGL.so.1"))
    monkeypatch.setattr(engine, "_ENGINES", {})
    monkeypatch.setattr(engine, "_build", missing)
    photo = sign_photo(["出口", "Exit"])
    response = officer_client.post("/inventory/survey/ocr",
                                   data={"photo": (io.BytesIO(photo), "a.jpg")})
    assert response.status_code == 503 and "libGL" in response.get_json()["error"]
    response = officer_client.post("/inventory/signs/new", data={
        "site_id": str(site_id), "function": "facility", "zh": "出口", "en_current": "Exit",
        "languages": ["en"], "action": "keep", "quantity": "1",
        "photo": (io.BytesIO(photo), "a.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert db["sign_photos"].count == 1
    assert db["sign_photos"].get(1)["ocr_json"] is None
