"""A person's account page: password rules, sessions, and signing out everywhere."""
import pytest

from tests.support.browser import sign_in

pytestmark = pytest.mark.e2e


def test_sign_out_everywhere_ends_the_other_browser_too(live_server, new_page, artifacts_dir):
    first, second = new_page("zh-CN"), new_page("zh-CN")
    sign_in(first, live_server, "staff")
    sign_in(second, live_server, "staff")
    first.goto(f"{live_server}/auth/password")
    assert "在所有设备上退出登录" in first.content()
    assert "2 个浏览器或设备" in first.content()
    first.screenshot(path=str(artifacts_dir / "account-zh.png"), full_page=True)
    first.click("#sign-out-everywhere")
    assert "/auth/login" in first.url
    second.goto(f"{live_server}/")
    assert "/auth/login" in second.url


def test_weak_new_password_is_explained(live_server, new_page, artifacts_dir):
    from tests.support.accounts import PASSWORD

    page = new_page("en-US")
    sign_in(page, live_server, "translator")
    page.goto(f"{live_server}/auth/password")
    page.fill("input[name=current_password]", PASSWORD)
    page.fill("input[name=new_password]", "aaaaaaaaaaaaaaaa")
    page.fill("input[name=confirm]", "aaaaaaaaaaaaaaaa")
    page.click("button.primary")
    assert "repeats the same few characters" in page.content()
    page.screenshot(path=str(artifacts_dir / "account-weak-password-en.png"), full_page=True)
