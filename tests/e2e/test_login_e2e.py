"""A person signs in with a real browser and sees the home page, in Chinese and in English."""
import pytest

from tests.support.browser import sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("locale,greeting,waiting", [("zh-CN", "欢迎", "待办事项"),
                                                     ("en-US", "Welcome", "Waiting for you")])
def test_sign_in_and_see_home(live_server, new_page, artifacts_dir, locale, greeting, waiting):
    page = new_page(locale)
    sign_in(page, live_server, "admin")
    assert page.url.rstrip("/") == live_server
    heading = page.locator("h1").inner_text()
    assert greeting in heading
    assert waiting in page.content()
    page.screenshot(path=str(artifacts_dir / f"home-{locale}.png"), full_page=True)


def test_wrong_password_shows_message(live_server, new_page):
    page = new_page("en-US")
    sign_in(page, live_server, "admin", password="not-the-password")
    assert "Wrong username or password" in page.content()
    assert "/auth/login" in page.url
