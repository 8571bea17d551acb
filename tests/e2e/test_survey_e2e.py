"""A county officer on a phone (390×844): no page scrolls sideways, and a sign photo
becomes a prefilled form (OCR), QA findings show before saving, and the sign is saved."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.support.accounts import PASSWORD
from tests.support.browser import new_context, settle
from tests.support.ocr_images import sign_photo
from workbench import auth
from workbench.db import open_db
from workbench.inventory import records

PHONE = {"width": 390, "height": 844}
SITE = (20.0300000, 110.3400000)


@pytest.fixture
def phone_page(browser):
    """A browser page the size of a phone, touch enabled, Chinese interface."""
    context = new_context(browser, locale="zh", viewport=PHONE, device_scale_factor=2,
                                  is_mobile=True, has_touch=True,
                                  extra_http_headers={"Accept-Language": "zh"})
    yield context.new_page()
    context.close()


def _sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/auth/login")
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    settle(page)


@pytest.fixture
def surveyed(csrf_app) -> dict[str, int]:
    """A Haikou site with a located sign carrying a flagged English text and a photo."""
    db = open_db(csrf_app.config["DATABASE"])
    officer = auth.find_user(db, "officer")
    site_id = records.save_site(db, officer, {
        "county_id": officer.county_id, "name_zh": "海口湾演艺中心", "sector": "tourism_culture",
        "address": "海口市龙华区滨海大道", "latitude": SITE[0], "longitude": SITE[1]})
    sign_id = records.create_sign(db, officer, site_id, {
        "zh": "小心台阶", "function": "warning", "action": "correct", "location": "一层 东门",
        "en_current": "Carefully Step Supercalifragilisticexpialidocious Platform"})
    from workbench.inventory import photos
    from workbench.inventory import survey as batches
    photos.add_photo(db, officer, sign_id, sign_photo(["小心台阶", "Carefully Step"]), "a.jpg",
                     upload_dir=csrf_app.config["UPLOAD_DIR"], max_bytes=15 * 1024 * 1024)
    batch_id = batches.create_batch(
        db, officer, officer.county_id,
        [("IMG_1.jpg", sign_photo(["小心地滑", "Carefully Slide"], gps=SITE)),
         ("IMG_2.jpg", sign_photo(["海口美兰", "Haikou Meilan"], gps=(20.05, 110.36)))],
        upload_dir=csrf_app.config["UPLOAD_DIR"], limits=batches.UploadLimits())
    batches.read_batch(db, batch_id, csrf_app.config)
    db.close()
    return {"site": site_id, "sign": sign_id, "batch": batch_id}


OFFICER_PAGES = [
    "/", "/inventory/", "/inventory/?status=submitted", "/inventory/sites",
    "/inventory/sites/{site}", "/inventory/signs/{sign}", "/inventory/signs/{sign}/edit",
    "/inventory/dashboard", "/inventory/signs/new", "/inventory/sites/new",
    "/inventory/sites/{site}/edit", "/inventory/import", "/inventory/survey/",
    "/inventory/survey/{batch}", "/glossary/", "/glossary/c/gen-0001",
    "/glossary/?q=出口", "/review/clarifications", "/auth/password",
]


@pytest.mark.e2e
def test_no_officer_page_is_wider_than_a_phone(live_server, phone_page, surveyed, artifacts_dir):
    page = phone_page
    _sign_in(page, live_server)
    too_wide = {}
    for path in OFFICER_PAGES:
        url = live_server + path.format(**surveyed)
        response = page.goto(url)
        assert response.status == 200, path
        settle(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
        name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"
        page.screenshot(path=str(artifacts_dir / f"phone-{name}.png"), full_page=True)
    assert too_wide == {}
    # The sign list is cards with the thumbnail; the filters open behind one button.
    page.goto(f"{live_server}/inventory/")
    assert page.locator(".sign-cards .sign-card").count() == 1
    assert page.locator(".sign-card img.thumb").count() == 1
    assert not page.locator("select[name=status]").is_visible()
    page.click("label.filters-button")
    assert page.locator("select[name=status]").is_visible()
    height = page.evaluate("document.querySelector('label.filters-button').offsetHeight")
    assert height >= 44
    page.screenshot(path=str(artifacts_dir / "phone-filters-open.png"), full_page=True)


@pytest.mark.e2e
def test_photo_prefills_the_form_flags_chinglish_and_saves(live_server, phone_page, surveyed,
                                                           artifacts_dir, tmp_path, csrf_app):
    page = phone_page
    _sign_in(page, live_server)
    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(sign_photo(["小心地滑", "Carefully Slide"], gps=(20.0302, 110.3401)))
    page.goto(f"{live_server}/inventory/signs/new?site_id={surveyed['site']}")
    assert page.get_attribute("input[name=photo]", "capture") == "environment"
    page.set_input_files("input[name=photo]", str(photo))
    # The strict CSP allows no eval: wait through locators, not wait_for_function.
    expect(page.locator("textarea[name=zh]")).to_have_value("小心地滑", timeout=60000)
    expect(page.locator("textarea[name=en_current]")).to_have_value("Carefully Slide")
    expect(page.locator("#qa-findings")).to_contain_text("CAUTION//Wet Floor")
    expect(page.locator("#ocr-boxes polygon")).to_have_count(2)
    assert page.is_visible("#ocr-gps")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts_dir / "phone-photo-prefilled.png"), full_page=True)

    # The officer corrects the English; the finding goes away before saving.
    page.fill("textarea[name=en_current]", "CAUTION//Wet Floor")
    expect(page.locator("#qa-findings li")).to_have_count(0)
    page.fill("input[name=location]", "T2 一层 卫生间门口")
    page.select_option("select[name=function]", "warning")
    page.check("input[name=use_photo_location]")
    with page.expect_navigation():
        page.click("form button.primary")
    settle(page)
    assert "/inventory/signs/" in page.url
    main = page.inner_text("main")
    assert "小心地滑" in main and "CAUTION//Wet Floor" in main
    page.screenshot(path=str(artifacts_dir / "phone-photo-saved.png"), full_page=True)

    db = open_db(csrf_app.config["DATABASE"])
    # The sign page follows the drafting job (?job=…): the id is the path's last part.
    sign_id = int(urlparse(page.url).path.rstrip("/").rsplit("/", 1)[1])
    saved = records.get_sign(db, auth.find_user(db, "officer"), sign_id)
    assert saved["photos"][0]["ocr_json"] and "Carefully Slide" in saved["photos"][0]["ocr_json"]
    assert saved["site"]["latitude"] == pytest.approx(20.0302)
    db.close()
