"""The Chinese interface end to end: readable history, local times, messages said once and in
Chinese, the user form's roles, switching language after a POST, the favicon."""
from __future__ import annotations

import io
import re

from workbench import auth, create_app
from workbench.inventory import demo
from workbench.review import workflow
from tests.support.accounts import sign_in_session
from tests.support.review import drafted_sign, force_state

ZH = "zh-CN,zh;q=0.9"


def _chinese(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = ZH
    return client


def _sign_id(db, zh: str) -> int:
    return db.execute("SELECT id FROM signs WHERE zh = ?", [zh]).fetchone()[0]


def _text(response) -> str:
    return response.get_data(as_text=True)


def _visible(response) -> str:
    """The page's text without its tags (class names and attributes are not read)."""
    return re.sub(r"<[^>]+>", " ", _text(response))


def test_sign_history_is_readable_changes_not_json(db, staff_client):
    demo.load_demo(db)
    sign_id = _sign_id(db, "小心地滑")
    page = _text(_chinese(staff_client).get(f"/inventory/signs/{sign_id}"))
    history = page[page.index('class="table history"'):]
    assert '{"' not in history and "county_id" not in history   # no raw JSON, no field codes
    assert "标识牌已提交" in history                                 # the event, by name
    assert "处置" in history and "更正" in history                   # field and value labels
    assert "演示数据" in history                                     # the demo loader, by name


def test_unit_history_names_the_state_change(db, staff_client, reviewer_client):
    _sign_id, unit_id = drafted_sign(db, "售票处", "Ticket Counter")
    version = force_state(db, unit_id, "in_review", "Ticket Office")
    workflow.reject(db, auth.find_user(db, "reviewer"), unit_id, version, "用词不对")
    page = _text(_chinese(staff_client).get(f"/audit/translation_unit/{unit_id}"))
    assert "退回译文" in page                      # unit.reject
    assert "审校中" in page and "已退回" in page     # state: in review → rejected
    assert "用词不对" in page                      # the reviewer's reason, as typed
    versions = _visible(_chinese(reviewer_client).get(f"/review/units/{unit_id}/history"))
    assert "机器初稿" in versions and "(UTC+8)" in versions and "reject" not in versions


def test_times_are_shown_in_the_configured_zone_with_the_zone_named(db, staff_client):
    demo.load_demo(db)
    sign_id = _sign_id(db, "小心地滑")
    page = _text(staff_client.get(f"/inventory/signs/{sign_id}"))
    assert "(UTC+8)" in page
    stored = db.execute("SELECT ts FROM audit_events WHERE entity_type = 'sign' AND "
                        "entity_id = ?", [str(sign_id)]).fetchone()[0]
    assert stored.endswith("+00:00")  # stored times stay UTC


def test_another_zone_can_be_configured(db, app_config, users):
    moscow = create_app(dict(app_config, TIMEZONE="Europe/Moscow")).test_client()
    sign_in_session(moscow, db, users["staff"])
    demo.load_demo(db)
    page = _text(moscow.get(f"/inventory/signs/{_sign_id(db, '小心地滑')}"))
    assert "(UTC+3)" in page and "(UTC+8)" not in page


def test_a_refused_photo_is_said_once_and_in_chinese(db, staff_client):
    demo.load_demo(db)
    sign_id = _sign_id(db, "小心地滑")
    response = _chinese(staff_client).post(
        f"/inventory/signs/{sign_id}/photos", follow_redirects=True,
        data={"photo": (io.BytesIO(b"not an image"), "fake.jpg")},
        content_type="multipart/form-data")
    page = _text(response)
    flashes = re.findall(r'class="flash flash-error"[^>]*>(.*?)</div>', page, re.S)
    assert len(flashes) == 1, flashes
    assert "JPEG" in flashes[0] and "照片" in flashes[0] and "photo" not in flashes[0]
    assert flashes[0].count("JPEG") == 1  # not the summary and the same problem again


def test_sign_in_message_is_translated(app):
    visitor = _chinese(app.test_client())
    response = visitor.get("/review/", follow_redirects=True)
    page = _text(response)
    assert "请先登录再查看此页面。" in page and "Please" not in page


def test_not_found_record_is_translated(officer_client):
    page = _text(_chinese(officer_client).get("/inventory/signs/999999"))
    assert "There is no such" not in page and "No such" not in page


def test_four_eyes_refusal_and_conflict_in_chinese(db, login):
    _sign_id, unit_id = drafted_sign(db, "售票处", "Ticket Counter")
    reviewer = _chinese(login("reviewer"))
    unit = workflow.get_unit(db, unit_id)
    reviewer.post(f"/review/units/{unit_id}/save", data={
        "text": "Ticket Office", "version": unit["version"], "submit_for_review": "1"})
    unit = workflow.get_unit(db, unit_id)
    page = _text(reviewer.post(f"/review/units/{unit_id}/approve",
                               data={"version": unit["version"]}, follow_redirects=True))
    assert "四眼" in page and "You wrote" not in page
    stale = _text(reviewer.post(f"/review/units/{unit_id}/save",
                                data={"text": "Ticket Hall", "version": 1}))
    assert "您打开后有人修改了这条译文" in stale and "Someone changed" not in stale


def test_user_form_names_roles_and_starts_with_the_least_privileged(admin_client):
    page = _text(_chinese(admin_client).get("/admin/users"))
    select = page[page.index('<select id="role"'):]
    select = select[:select.index("</select>")]
    options = re.findall(r'<option ([^>]*)value="(\w+)"[^>]*>([^<]+)</option>', select)
    assert [value for _attrs, value, _label in options] == [
        "officer", "translator", "reviewer", "staff", "admin"]
    labels = {value: label for _attrs, value, label in options}
    assert labels["officer"] == "市县专员" and labels["admin"] == "管理员"
    assert 'selected value="officer"' in select


def test_switching_language_after_a_post_returns_to_a_page(login):
    staff = login("staff")
    # The page shown after a POST to an address that only takes POST: go back to the page
    # the form was on, not to the POST address ("Method Not Allowed").
    response = staff.post("/auth/locale", data={"locale": "zh", "next": "/review/bulk-approve"},
                          headers={"Referer": "http://localhost/review/?state=in_review"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/review/?state=in_review")
    assert staff.get(response.headers["Location"]).status_code == 200
    # A page that answers GET (the form page itself) is kept, with its query.
    response = staff.post("/auth/locale", data={"locale": "en",
                                                 "next": "/inventory/?status=submitted"})
    assert response.headers["Location"].endswith("/inventory/?status=submitted")
    # Without a usable page to return to: home, never another site.
    response = staff.post("/auth/locale", data={"locale": "zh", "next": "//evil.example/"},
                          headers={"Referer": "https://evil.example/x"})
    assert response.headers["Location"].endswith("/")
    assert "evil" not in response.headers["Location"]


def test_favicon(client, admin_client):
    assert 'rel="icon"' in _text(admin_client.get("/"))
    assert 'rel="icon"' in _text(client.get("/r/"))
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/static/favicon.svg")
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and b"<svg" in icon.data


def test_import_problems_name_the_column_as_typed_and_list_allowed_values(officer_client):
    rows = ("县市 county,场所 site,行业 Sector,功能 function,中文 zh,处置 action\n"
            "海口市,海口站,农业,facility,出口,keep\n")
    page = _text(_chinese(officer_client).post(
        "/inventory/import", data={"file": (io.BytesIO(rows.encode()), "signs.csv")},
        content_type="multipart/form-data"))
    problems = page[page.index("import-problems"):]
    assert "行业 Sector" in problems                        # the header as the file wrote it
    assert "交通" in problems and "城乡公共设施" in problems  # the allowed values, by label
    assert "transport" not in problems and "Unknown value" not in problems
