"""Inventory pages: list, detail, forms, photos, import, dashboard — and county isolation."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from workbench import audit, auth, vocabulary
from workbench.db import transaction
from workbench.inventory import photos


def _sign_id(db, zh, county="海口市"):
    return db.execute("SELECT s.id FROM signs s JOIN counties c ON c.id = s.county_id "
                      "WHERE s.zh = ? AND c.name_zh = ?", [zh, county]).fetchone()[0]


def test_pages_render(demo_db, staff_client):
    sign_id = _sign_id(demo_db, "小心地滑")
    for url in ("/inventory/", "/inventory/?q=小心地滑", "/inventory/?q=出口&has_flags=1",
                f"/inventory/signs/{sign_id}", "/inventory/sites", "/inventory/dashboard",
                "/inventory/import", "/inventory/signs/new", "/inventory/sites/new",
                f"/inventory/signs/{sign_id}/edit", "/"):
        response = staff_client.get(url)
        assert response.status_code == 200, url
    page = staff_client.get(f"/inventory/signs/{sign_id}").get_data(as_text=True)
    finding = next(demo_db.query("SELECT * FROM sign_findings WHERE sign_id = ? AND lang = 'en'",
                                 [sign_id]))  # the wrong installed English is flagged
    check_name = vocabulary.CHECKS.text(finding["check_id"])  # the check by name, not its id
    assert "Carefully Slide" in page and check_name in page


def _jpeg(size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def haikou_records(demo_db, app, tmp_path):
    """A Haikou sign with a photo (with GPS), its site and the photo's id."""
    db = demo_db
    sign_id = _sign_id(db, "小心地滑")
    site_id = db.execute("SELECT site_id FROM signs WHERE id = ?", [sign_id]).fetchone()[0]
    photo_id = photos.add_photo(db, auth.system_actor("pytest"), sign_id, _jpeg(), "p.jpg",
                                upload_dir=app.config["UPLOAD_DIR"], max_bytes=10_000_000)
    with transaction(db):
        db.execute("UPDATE sign_photos SET exif_latitude = 19.9, exif_longitude = 110.4")
        audit.record(db, auth.system_actor("pytest"), "test.gps", "sign", sign_id)
    return {"sign_id": sign_id, "site_id": site_id, "photo_id": photo_id}


# Every inventory route that names a record, as (method, url template).
RECORD_ROUTES = [
    ("GET", "/inventory/signs/{sign_id}"),
    ("GET", "/inventory/signs/{sign_id}/edit"),
    ("POST", "/inventory/signs/{sign_id}/edit"),
    ("POST", "/inventory/signs/{sign_id}/status"),
    ("POST", "/inventory/signs/{sign_id}/photos"),
    ("GET", "/inventory/photos/{photo_id}"),
    ("GET", "/inventory/photos/{photo_id}/thumb"),
    ("POST", "/inventory/photos/{photo_id}/delete"),
    ("POST", "/inventory/signs/{sign_id}/use-photo-location/{photo_id}"),
    ("GET", "/inventory/sites/{site_id}"),
    ("GET", "/inventory/sites/{site_id}/edit"),
    ("POST", "/inventory/sites/{site_id}/edit"),
    ("GET", "/inventory/signs/new?site_id={site_id}"),
]
# Routes without a record id: scoped lists and forms.
LIST_ROUTES = ["/inventory/", "/inventory/sites", "/inventory/dashboard", "/inventory/import",
               "/inventory/signs/new", "/inventory/sites/new", "/inventory/template.csv",
               "/inventory/template.xlsx", "/inventory/import/confirm",
               "/inventory/import/discard"]


def test_every_inventory_route_is_covered_by_the_isolation_test(app):
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("inventory.")}
    covered = {url.split("?")[0].replace("{sign_id}", "<int:sign_id>")
               .replace("{photo_id}", "<int:photo_id>").replace("{site_id}", "<int:site_id>")
               for _m, url in RECORD_ROUTES} | set(LIST_ROUTES)
    covered.add("/inventory/template.<fmt>")
    assert rules - covered == set()


@pytest.mark.parametrize("method,url", RECORD_ROUTES)
def test_officer_of_another_county_gets_404(haikou_records, other_officer_client, officer_client,
                                            method, url, demo_db):
    target = url.format(**haikou_records)
    before = demo_db.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    response = (other_officer_client.get(target) if method == "GET" else
                other_officer_client.post(target, data={"action": "mark_installed"}))
    if "signs/new" in url:
        # The form opens, but the other county's site is not among the choices.
        assert response.status_code == 200
        assert f'value="{haikou_records["site_id"]}"' not in response.get_data(as_text=True)
    else:
        assert response.status_code == 404, target
    assert demo_db.execute("SELECT count(*) FROM audit_events").fetchone()[0] == before
    if method == "GET":  # the county's own officer reaches it
        assert officer_client.get(target).status_code == 200


def test_lists_and_dashboard_show_only_the_officers_county(demo_db, other_officer_client):
    haikou = demo_db.execute("SELECT id FROM counties WHERE name_zh = '海口市'").fetchone()[0]
    page = other_officer_client.get(f"/inventory/?county_id={haikou}").get_data(as_text=True)
    assert "大东海" in page and "美兰" not in page and "小心地滑" in page  # Sanya's own
    assert "Carefully Slide" not in page
    page = other_officer_client.get("/inventory/?q=Carefully").get_data(as_text=True)
    assert "Carefully Slide" not in page
    sites = other_officer_client.get("/inventory/sites").get_data(as_text=True)
    assert "大东海旅游区" in sites and "海口美兰国际机场" not in sites
    board = other_officer_client.get(f"/inventory/dashboard?county_id={haikou}")
    text = board.get_data(as_text=True)
    assert "三亚市" in text and "海口市" not in text


def test_officer_cannot_create_a_site_in_another_county(demo_db, other_officer_client):
    haikou = demo_db.execute("SELECT id FROM counties WHERE name_zh = '海口市'").fetchone()[0]
    response = other_officer_client.post("/inventory/sites/new", data={
        "county_id": str(haikou), "name_zh": "偷偷建的场所", "sector": "transport"})
    assert response.status_code == 200  # the form refuses the choice
    assert not demo_db.execute("SELECT count(*) FROM sites WHERE name_zh = '偷偷建的场所'"
                               ).fetchone()[0]


def test_reviewer_may_view_but_not_submit(demo_db, reviewer_client):
    assert reviewer_client.get("/inventory/").status_code == 200
    assert reviewer_client.get("/inventory/signs/new").status_code == 403
    assert reviewer_client.get("/inventory/import").status_code == 403


def test_submit_a_sign_with_a_photo_through_the_form(demo_db, officer_client):
    site_id = demo_db.execute("SELECT id FROM sites WHERE name_zh = ?",
                              ["海口美兰国际机场"]).fetchone()[0]
    response = officer_client.post("/inventory/signs/new", data={
        "site_id": str(site_id), "location": "T2 三层", "function": "facility",
        "zh": "贵宾休息室", "en_current": "VIP Lounge", "languages": ["en", "ru"],
        "quantity": "2", "action": "keep",
        "photo": (io.BytesIO(_jpeg()), "lounge.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302
    sign = next(demo_db.query("SELECT * FROM signs WHERE zh = '贵宾休息室'"))
    assert (sign["languages"], sign["quantity"], sign["photo_count"]) == ("en;ru", 2, 1)
    detail = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "VIP Lounge" in detail and "lounge.jpg" in detail


def test_a_renamed_non_image_is_refused_by_the_form(demo_db, officer_client):
    site_id = demo_db.execute("SELECT id FROM sites WHERE name_zh = ?",
                              ["海口美兰国际机场"]).fetchone()[0]
    response = officer_client.post("/inventory/signs/new", data={
        "site_id": str(site_id), "function": "facility", "zh": "贵宾休息室", "action": "new",
        "languages": ["en"], "photo": (io.BytesIO(b"MZ\x90\x00 an exe"), "photo.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "not a readable JPEG" in response.get_data(as_text=True)
    assert not demo_db.execute("SELECT count(*) FROM signs WHERE zh = '贵宾休息室'").fetchone()[0]


def test_status_buttons_follow_the_role(demo_db, staff_client, officer_client):
    sign_id = _sign_id(demo_db, "问讯处")
    page = officer_client.get(f"/inventory/signs/{sign_id}").get_data(as_text=True)
    assert "Send back to the officer" not in page
    response = officer_client.post(f"/inventory/signs/{sign_id}/status",
                                   data={"action": "reject", "reason": "x"})
    assert response.status_code == 403
    response = staff_client.post(f"/inventory/signs/{sign_id}/status",
                                 data={"action": "reject", "reason": "位置不对，请核实"})
    assert response.status_code == 302
    page = officer_client.get(f"/inventory/signs/{sign_id}").get_data(as_text=True)
    assert "位置不对，请核实" in page and "Submit again" in page
    home = officer_client.get("/").get_data(as_text=True)
    assert "Signs sent back to you" in home


def test_import_flow_upload_check_confirm(demo_db, officer_client):
    header = "县市,场所,行业,位置,功能,中文,现有英文,处置\n"
    body = "海口市,海口火车站,交通,候车厅,功能设施,候车室,Waiting Room,保留\n" \
           "海口市,海口火车站,交通,出站口,功能设施,出站口,Go Out,更正\n"
    data = {"file": (io.BytesIO((header + body).encode("gb18030")), "haikou.csv")}
    response = officer_client.post("/inventory/import", data=data,
                                   content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Signs to create: 2" in page
    assert not demo_db.execute("SELECT count(*) FROM sites WHERE name_zh = '海口火车站'"
                               ).fetchone()[0]
    token = page.split('name="token" value="')[1].split('"')[0]
    response = officer_client.post("/inventory/import/confirm", data={"token": token})
    assert response.status_code == 302
    assert demo_db.execute("SELECT count(*) FROM signs s JOIN sites st ON st.id = s.site_id "
                           "WHERE st.name_zh = '海口火车站'").fetchone()[0] == 2
    # A token works once.
    again = officer_client.post("/inventory/import/confirm", data={"token": token})
    assert again.status_code == 302 and "import" in again.headers["Location"]


def test_import_page_lists_every_problem(demo_db, officer_client):
    body = ("county,site,sector,function,zh,action\n"
            "三亚市,大东海旅游区,tourism_culture,facility,淋浴间,keep\n"
            "海口市,海口站,交通,装饰,出口,keep\n")
    response = officer_client.post("/inventory/import", data={
        "file": (io.BytesIO(body.encode()), "bad.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "nothing was imported" in page and "装饰" in page and "own county" in page
    assert "confirm-import" not in page


def test_template_downloads(officer_client):
    csv_response = officer_client.get("/inventory/template.csv")
    assert csv_response.status_code == 200
    assert csv_response.data.decode("utf-8-sig").startswith("标牌编号 sign_code,县市 county")
    xlsx = officer_client.get("/inventory/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert officer_client.get("/inventory/template.pdf").status_code == 404


def test_dashboard_counts_and_chart(demo_db, staff_client):
    page = staff_client.get("/inventory/dashboard").get_data(as_text=True)
    assert "<svg" in page and "<rect" in page and "<polyline" in page
    total = demo_db.execute("SELECT count(*) FROM signs").fetchone()[0]
    assert f'<span class="count">{total}</span>' in page
    for county in ("海口市", "三亚市", "琼海市", "五指山市"):
        assert county in page


def test_dashboard_progress_over_time_from_audit(demo_db, users):
    from workbench.inventory import dashboard
    data = dashboard.build(demo_db, users["staff"])
    assert data.progress["series"]["submitted"][-1] == data.total_signs
    haikou = dashboard.build(demo_db, users["officer"])
    assert haikou.county["name_zh"] == "海口市"
    assert haikou.progress["series"]["submitted"][-1] == haikou.total_signs < data.total_signs


def test_mangled_filter_values_do_not_break_the_list(demo_db, staff_client):
    for query in ("county_id=abc", "site_id=x1", "page=-3", "sort=drop", "lang=xx",
                  "has_photo=maybe", "q=%22%27%25_"):
        assert staff_client.get(f"/inventory/?{query}").status_code == 200, query
    assert "No signs match" in staff_client.get("/inventory/?site_id=x1").get_data(as_text=True)
