"""Sites and signs: validation, status transitions per role, findings, search, photos."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from workbench import audit, auth
from workbench.db import transaction
from workbench.errors import NotFound, PermissionDenied, ValidationError
from workbench.inventory import demo, photos, records


def county_id(db, name="海口市"):
    return db.execute("SELECT id FROM counties WHERE name_zh = ?", [name]).fetchone()[0]


@pytest.fixture
def site(db, users):
    return records.save_site(db, users["officer"], {
        "county_id": county_id(db), "name_zh": "海口东站", "sector": "交通"})


def new_sign(db, actor, site_id, **values):
    data = {"zh": "出口", "function": "facility", "action": "correct", "en_current": "Exit"}
    data.update(values)
    return records.create_sign(db, actor, site_id, data)


def set_status(db, sign_id, status):
    with transaction(db):
        db.execute("UPDATE signs SET status = ? WHERE id = ?", [status, sign_id])
        audit.record(db, auth.system_actor("pytest"), "test.status", "sign", sign_id)


def test_create_sign_stores_texts_findings_units_and_history(db, users, site):
    sign_id = new_sign(db, users["officer"], site, zh="小心地滑", function="warning",
                       en_current="Carefully Slide", languages="en;ru")
    sign = records.get_sign(db, users["officer"], sign_id)
    assert sign["sign_code"] == "HK-000001" and sign["status"] == "submitted"
    assert sign["current_texts"] == {"en": "Carefully Slide"}
    checks = {(f["lang"], f["check_id"]) for f in sign["findings"]}
    assert ("ru", records.MISSING_TEXT_CHECK) in checks  # Russian required, none installed
    assert any(lang == "en" for lang, _check in checks)  # the Chinglish is flagged
    assert [u["lang"] for u in sign["units"]] == ["en", "ru"]
    assert [e["action"] for e in audit.history(db, "sign", sign_id)] == ["sign.create"]
    assert new_sign(db, users["officer"], site, zh="入口") and \
        db.execute("SELECT max(sign_code) FROM signs").fetchone()[0] == "HK-000002"


def test_sign_validation_lists_every_problem(db, users, site):
    with pytest.raises(ValidationError) as caught:
        records.create_sign(db, users["officer"], site, {
            "zh": "Exit", "function": "decor", "action": "x", "quantity": "0",
            "languages": "en;de", "latitude": "95", "longitude": "110"})
    columns = {p.column for p in caught.value.problems}
    assert {"zh", "function", "action", "quantity", "languages", "latitude"} <= columns
    assert db.execute("SELECT count(*) FROM signs").fetchone()[0] == 0


def test_new_sign_has_no_missing_text_finding(db, users, site):
    sign_id = new_sign(db, users["officer"], site, zh="母婴室", action="new", en_current="")
    assert records.get_sign(db, users["officer"], sign_id)["findings"] == []


# --- status transitions per role ------------------------------------------------------------

TRANSITION_CASES = [
    # action, from status, role, allowed
    ("reject", "submitted", "staff", True),
    ("reject", "in_review", "admin", True),
    ("reject", "submitted", "officer", False),
    ("reject", "submitted", "reviewer", False),
    ("reject", "approved", "staff", False),
    ("resubmit", "rejected", "officer", True),
    ("resubmit", "submitted", "officer", False),
    ("resubmit", "rejected", "translator", False),
    ("mark_fabricated", "approved", "staff", True),
    ("mark_fabricated", "approved", "officer", False),
    ("mark_fabricated", "in_review", "staff", False),
    ("mark_installed", "fabricated", "officer", True),
    ("mark_installed", "fabricated", "staff", True),
    ("mark_installed", "approved", "officer", False),
    ("mark_installed", "fabricated", "reviewer", False),
]


@pytest.mark.parametrize("action,status,role,allowed", TRANSITION_CASES)
def test_status_transitions_per_role(db, users, site, action, status, role, allowed):
    sign_id = new_sign(db, users["officer"], site)
    set_status(db, sign_id, status)
    actor = {"staff": users["staff"], "admin": users["admin"], "officer": users["officer"],
             "reviewer": users["reviewer"], "translator": users["translator"]}[role]
    reason = "用词不对" if action == "reject" else None
    if allowed:
        new_status = records.transition(db, actor, sign_id, action, reason)
        assert new_status == records.TRANSITIONS[action].to_status or (
            action == "resubmit" and new_status in ("submitted", "drafting"))
        assert audit.history(db, "sign", sign_id)[-1]["action"] in (f"sign.{action}",
                                                                     "sign.status")
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            records.transition(db, actor, sign_id, action, reason)
        assert db.execute("SELECT status FROM signs WHERE id = ?", [sign_id]).fetchone()[0] \
            == status


def test_reject_needs_a_reason_and_shows_it(db, users, site):
    sign_id = new_sign(db, users["officer"], site)
    with pytest.raises(ValidationError, match="reason"):
        records.transition(db, users["staff"], sign_id, "reject", "  ")
    records.transition(db, users["staff"], sign_id, "reject", "位置写错了")
    sign = records.get_sign(db, users["officer"], sign_id)
    assert sign["status"] == "rejected" and sign["rejection_reason"] == "位置写错了"
    assert records.allowed_actions(users["officer"], sign) == ["resubmit"]
    records.transition(db, users["officer"], sign_id, "resubmit")
    assert records.get_sign(db, users["officer"], sign_id)["rejection_reason"] is None


@pytest.mark.parametrize("role,status,allowed", [
    ("officer", "submitted", True), ("officer", "rejected", True),
    ("officer", "in_review", False), ("officer", "approved", False),
    ("staff", "in_review", True), ("staff", "approved", False),
    ("reviewer", "submitted", False),
])
def test_edit_rights_per_role_and_status(db, users, site, role, status, allowed):
    sign_id = new_sign(db, users["officer"], site)
    set_status(db, sign_id, status)
    values = {"zh": "出口", "function": "facility", "action": "correct",
              "en_current": "EXIT", "location": "B1"}
    if allowed:
        assert records.update_sign(db, users[role], sign_id, values)
        assert records.get_sign(db, users[role], sign_id)["current_texts"] == {"en": "EXIT"}
    else:
        with pytest.raises(PermissionDenied):
            records.update_sign(db, users[role], sign_id, values)


def test_officer_cannot_reach_another_county(db, users, site):
    sign_id = new_sign(db, users["officer"], site)
    sanya = users["officer_sanya"]
    with pytest.raises(NotFound):
        records.get_sign(db, sanya, sign_id)
    with pytest.raises(NotFound):
        records.get_site(db, sanya, site)
    with pytest.raises(NotFound):
        records.transition(db, sanya, sign_id, "resubmit")
    with pytest.raises(NotFound):
        new_sign(db, sanya, site)
    with pytest.raises(NotFound):
        records.save_site(db, sanya, {"county_id": county_id(db), "name_zh": "x",
                                      "sector": "transport"})
    rows, total = records.list_signs(db, sanya, {"county_id": county_id(db)})
    assert total == 0 and rows == []
    assert records.list_sites(db, sanya) == []


# --- search and filters ---------------------------------------------------------------------

@pytest.mark.usefixtures("demo_db")
def test_full_text_search_in_every_language_and_short_chinese(db, users):
    staff = users["staff"]

    def found(q, **filters):
        rows, _total = records.list_signs(db, staff, dict(filters, q=q), page_size=200)
        return {r["zh"] for r in rows}

    assert found("小心地滑") == {"小心地滑"}
    assert "禁止携带危险品" in found("危险品")  # 3-character substring: trigram index
    assert {"安全出口"} <= found("出口")  # 2 characters: LIKE fallback
    assert "救生站" in found("Спасательная")  # Russian installed text
    assert "租车服务" in found("car rent")  # English, case-insensitive, two words
    assert found("厕所") == {"公共厕所"}
    assert found("厕所", has_flags="1") == {"公共厕所"}  # the Sanya one lacks Russian
    assert found("xyzzy") == set()


@pytest.mark.usefixtures("demo_db")
def test_list_filters_and_sort(db, users):
    staff = users["staff"]
    rows, total = records.list_signs(db, staff, {"lang": "ko"}, page_size=100)
    assert total == len(rows) > 0 and all("ko" in r["languages"].split(";") for r in rows)
    rows, _ = records.list_signs(db, staff, {"function": "warning", "action": "correct"})
    assert rows and all(r["function"] == "warning" for r in rows)
    rows, total = records.list_signs(db, staff, {"has_photo": "1"})
    assert total == 0
    rows, _ = records.list_signs(db, staff, {}, sort="findings")
    assert rows[0]["finding_count"] == max(r["finding_count"] for r in rows)
    page1, total = records.list_signs(db, staff, {}, sort="code", page=1, page_size=10)
    page2, _ = records.list_signs(db, staff, {}, sort="code", page=2, page_size=10)
    assert len(page1) == 10 and not {r["id"] for r in page1} & {r["id"] for r in page2}
    haikou, haikou_total = records.list_signs(db, users["officer"], {}, page_size=100)
    assert haikou_total < total and {r["county_zh"] for r in haikou} == {"海口市"}


def test_demo_load_is_idempotent_and_realistic(db):
    sites, signs = demo.load_demo(db)
    assert sites == 5 and signs >= 40
    assert demo.load_demo(db) == (0, 0)
    flagged = db.execute("SELECT count(*) FROM signs WHERE finding_count > 0").fetchone()[0]
    assert flagged >= 10


# --- photos ---------------------------------------------------------------------------------

def _jpeg_with_gps(lat=(19, 56, 5.64), lon=(110, 27, 32.4)):
    image = Image.new("RGB", (800, 600), "navy")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: lat, 3: "E", 4: lon}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_photo_is_reencoded_thumbnailed_and_gps_offered(db, users, site, tmp_path):
    sign_id = new_sign(db, users["officer"], site)
    photo_id = photos.add_photo(db, users["officer"], sign_id, _jpeg_with_gps(), "IMG_1.jpg",
                                upload_dir=tmp_path, max_bytes=5_000_000)
    row = next(db.query("SELECT * FROM sign_photos WHERE id = ?", [photo_id]))
    assert row["exif_latitude"] == pytest.approx(19.9349, abs=1e-4)
    assert row["exif_longitude"] == pytest.approx(110.459, abs=1e-4)
    stored = Image.open(tmp_path / row["file_name"])
    assert stored.format == "JPEG" and not stored.getexif()  # metadata stripped
    assert max(Image.open(tmp_path / row["thumbnail"]).size) <= photos.THUMB_SIDE
    records.set_site_location(db, users["officer"], site, row["exif_latitude"],
                              row["exif_longitude"])
    assert records.get_site(db, users["officer"], site)["latitude"] == row["exif_latitude"]


@pytest.mark.parametrize("data,name,message", [
    (b"GIF89a not really", "x.jpg", "not a readable"),
    (b"%PDF-1.4 a document renamed", "scan.jpg", "not a readable"),
    (b"", "empty.jpg", "empty"),
], ids=["text renamed .jpg", "pdf renamed .jpg", "empty file"])
def test_non_images_are_refused(db, users, site, tmp_path, data, name, message):
    sign_id = new_sign(db, users["officer"], site)
    with pytest.raises(ValidationError, match=message):
        photos.add_photo(db, users["officer"], sign_id, data, name, upload_dir=tmp_path,
                         max_bytes=5_000_000)
    assert db.execute("SELECT count(*) FROM sign_photos").fetchone()[0] == 0


def test_gif_and_oversized_photos_are_refused(db, users, site, tmp_path):
    sign_id = new_sign(db, users["officer"], site)
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(ValidationError, match="JPEG, PNG or WebP"):
        photos.add_photo(db, users["officer"], sign_id, gif.getvalue(), "a.png",
                         upload_dir=tmp_path, max_bytes=5_000_000)
    with pytest.raises(ValidationError, match="larger than"):
        photos.add_photo(db, users["officer"], sign_id, _jpeg_with_gps(), "big.jpg",
                         upload_dir=tmp_path, max_bytes=1024)


def test_png_with_transparency_and_webp_are_accepted(db, users, site, tmp_path):
    sign_id = new_sign(db, users["officer"], site)
    for fmt, mode in (("PNG", "RGBA"), ("WEBP", "RGB")):
        out = io.BytesIO()
        Image.new(mode, (40, 30)).save(out, fmt)
        photos.add_photo(db, users["officer"], sign_id, out.getvalue(), f"a.{fmt.lower()}",
                         upload_dir=tmp_path, max_bytes=5_000_000)
    assert db.execute("SELECT photo_count FROM signs WHERE id = ?", [sign_id]).fetchone()[0] == 2


@pytest.mark.usefixtures("demo_db")
def test_signs_using_a_glossary_concept_respects_the_county(db, users):
    from workbench.glossary.usage import signs_using

    concept = db.execute("SELECT concept_id FROM glossary_terms WHERE lang = 'zh' AND "
                         "text = '禁止游泳'").fetchone()
    if concept is None:
        pytest.skip("the shipped glossary has no 禁止游泳")
    staff = signs_using(db, concept[0], user=users["staff"])
    assert {s["county"] for s in staff} == {"琼海市", "三亚市"}
    assert all(s["url"].startswith("/inventory/signs/") for s in staff)
    sanya = signs_using(db, concept[0], user=users["officer_sanya"])
    assert [s["county"] for s in sanya] == ["三亚市"]
    assert signs_using(db, concept[0]) == []  # no viewer, nothing shown


def test_init_demo_seed_loads_only_on_request_and_into_an_empty_inventory(db, tmp_path):
    from workbench import bootstrap
    from workbench.config import load_settings

    settings = load_settings(tmp_path, {"DATABASE": "unused", "SECRET_KEY": "x"})
    bootstrap.initialize(db, settings, seed=True)
    assert db.execute("SELECT count(*) FROM signs").fetchone()[0] == 0
    lines = []
    bootstrap.initialize(db, dict(settings, LOAD_DEMO=True), seed=True, echo=lines.append)
    loaded = db.execute("SELECT count(*) FROM signs").fetchone()[0]
    assert loaded == len(demo.DEMO_SIGNS) and any("demo inventory" in str(line) for line in lines)
    bootstrap.initialize(db, dict(settings, LOAD_DEMO=True), seed=True)
    assert db.execute("SELECT count(*) FROM signs").fetchone()[0] == loaded


def test_cli_demo_recheck_and_draft(run_cli, db):
    result = run_cli("demo", "load")
    assert result.exit_code == 0 and "5 sites, 44 signs" in result.stdout
    result = run_cli("inventory", "recheck", "--county", "三亚市")
    assert result.exit_code == 0 and "Checked 9 signs" in result.stdout
    result = run_cli("inventory", "draft", "--engine", "rules")
    assert result.exit_code == 0, result.stderr
    drafted = int(result.stdout.split()[1])
    assert drafted == db.execute("SELECT count(*) FROM translation_units WHERE state = "
                                 "'machine_draft'").fetchone()[0] > 0
    assert db.execute("SELECT count(*) FROM signs WHERE status = 'drafting'").fetchone()[0] > 0
