"""A passer-by scans a sign's QR code on a phone, reports it with a photo and follows it; the
office confirms it on a phone too; the sign gets its finding; the reporter sees the new
status; an officer of another county does not see the report. No page is wider than the
phone's screen."""
from __future__ import annotations

import re

import pytest

from tests.support.accounts import PASSWORD
from tests.support.browser import new_context, settle
from tests.support.reports import (DADONGHAI, approve, make_sign, photo_bytes, sign_code)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return dict(app_config, REPORT_OCR=False, PUBLIC_URL="https://signs.hainan.example")


@pytest.fixture
def phone(browser):
    """Factory: a fresh phone-sized page (390×844, touch) preferring a language."""
    contexts = []

    def make(locale: str):
        context = new_context(browser, locale=locale, viewport=PHONE, is_mobile=True,
                                      has_touch=True, device_scale_factor=2,
                                      extra_http_headers={"Accept-Language": locale})
        contexts.append(context)
        return context.new_page()
    yield make
    for context in contexts:
        context.close()


def fits_the_screen(page) -> None:
    """Nothing sticks out sideways: the page is no wider than the phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def phone_sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    settle(page)


@pytest.mark.e2e
def test_public_report_from_qr_code_to_fix(live_server, phone, db, users, artifacts_dir,
                                           tmp_path):
    sign = make_sign(db, users, "禁止游泳", "Forbid Swimming", county="三亚市", site="大东海",
                     position=DADONGHAI, function="prohibition", location="3号海滩入口")
    approve(db, users, sign, {"en": "No Swimming"})
    code = sign_code(db, sign)
    photo = tmp_path / "beach.jpg"
    photo.write_bytes(photo_bytes(gps=DADONGHAI, size=(1200, 900), text="Forbid Swimming"))

    # A visitor whose phone prefers English scans the QR code: English first.
    visitor = phone("en-US")
    visitor.goto(f"{live_server}/r/{code}")
    assert "Report a problem with this sign" in visitor.inner_text("main")
    assert "No Swimming" in visitor.inner_text(".sign-panel")
    fits_the_screen(visitor)
    visitor.screenshot(path=str(artifacts_dir / "reports-qr-page-en.png"), full_page=True)
    visitor.check("input[name=kind][value=wrong_translation]")
    visitor.fill("textarea[name=description]", "The sign at the beach entrance says "
                                               "'Forbid Swimming'.")
    visitor.fill("input[name=suggestion]", "No Swimming")
    visitor.set_input_files("input[name=photo]", str(photo))
    visitor.fill("input[name=contact]", "visitor@example.org")
    with visitor.expect_navigation():
        visitor.click("form.public-form button[type=submit]")
    settle(visitor)
    assert "/r/track/" in visitor.url
    tracking = visitor.url.rsplit("/", 1)[-1]
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", tracking)
    assert "Received" in visitor.inner_text(".status-card")
    assert "visitor@example.org" not in visitor.content()
    fits_the_screen(visitor)
    visitor.screenshot(path=str(artifacts_dir / "reports-tracking-new-en.png"), full_page=True)

    # The same sign for a Chinese phone: Chinese first, and the switch to English works.
    local = phone("zh-CN")
    local.goto(f"{live_server}/r/{code}")
    assert "报告该标识的问题" in local.inner_text("main")
    fits_the_screen(local)
    local.screenshot(path=str(artifacts_dir / "reports-qr-page-zh.png"), full_page=True)
    with local.expect_navigation():
        local.click(".public-languages button[value=en]")
    settle(local)
    assert "Report a problem with this sign" in local.inner_text("main")

    # Staff confirm it from the queue, on a phone.
    staff = phone("zh-CN")
    phone_sign_in(staff, live_server, "staff")
    staff.goto(f"{live_server}/reports/")
    fits_the_screen(staff)
    staff.screenshot(path=str(artifacts_dir / "reports-queue-zh.png"), full_page=True)
    with staff.expect_navigation():
        staff.click(".report-item a")
    settle(staff)
    assert "visitor@example.org" in staff.inner_text("main")  # the office sees the contact
    assert staff.input_value("input[name=sign_code]") == code
    fits_the_screen(staff)
    with staff.expect_navigation():
        staff.click("text=确认：该标识须更正")
    settle(staff)
    assert "报告已确认" in staff.inner_text("main")
    fits_the_screen(staff)
    staff.screenshot(path=str(artifacts_dir / "reports-confirmed-zh.png"), full_page=True)

    # The sign now carries the report as a finding, and action "correct".
    staff.goto(f"{live_server}/inventory/signs/{sign}")
    findings = staff.inner_text("table.findings")
    assert "public_report" in findings and "公众报告" in findings and "No Swimming" in findings
    assert "更正" in staff.inner_text("main")
    fits_the_screen(staff)
    staff.screenshot(path=str(artifacts_dir / "reports-sign-finding-zh.png"), full_page=True)

    # The reporter sees the new status.
    visitor.reload()
    assert "Confirmed" in visitor.inner_text(".status-card")
    assert "will be corrected" in visitor.inner_text(".status-card")
    fits_the_screen(visitor)
    visitor.screenshot(path=str(artifacts_dir / "reports-tracking-confirmed-en.png"),
                       full_page=True)

    # An officer of another county (Haikou) sees nothing of it.
    officer = phone("zh-CN")
    phone_sign_in(officer, live_server, "officer")
    officer.goto(f"{live_server}/reports/")
    assert "禁止游泳" not in officer.inner_text("main")
    assert "没有符合条件的报告" in officer.inner_text("main")
    fits_the_screen(officer)
    response = officer.goto(f"{live_server}/reports/1")
    assert response.status == 404
    officer.screenshot(path=str(artifacts_dir / "reports-other-county-404.png"), full_page=True)


@pytest.mark.e2e
def test_general_report_page_on_a_phone(live_server, phone, artifacts_dir):
    visitor = phone("en-GB")
    visitor.goto(f"{live_server}/r/")
    fits_the_screen(visitor)
    visitor.check("input[name=kind][value=damaged]")
    with visitor.expect_navigation():
        visitor.click("form.public-form button[type=submit]")
    settle(visitor)
    assert "Say where the sign is" in visitor.inner_text("main")  # problems shown, kept typed
    visitor.fill("input[name=place]", "Haikou, Wanlv Park, north gate")
    visitor.select_option("select[name=county]", "haikou")
    with visitor.expect_navigation():
        visitor.click("form.public-form button[type=submit]")
    settle(visitor)
    assert "/r/track/" in visitor.url
    fits_the_screen(visitor)
    visitor.screenshot(path=str(artifacts_dir / "reports-general-en.png"), full_page=True)
