"""Browser fixtures: the app served by waitress on a free local port, and Debian's
Chromium driven by Playwright (headless, --no-sandbox, no background networking)."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(csrf_app) -> Iterator[str]:
    """The app (CSRF on, as in production) served on 127.0.0.1; yields its base URL."""
    from waitress.server import create_server

    server = create_server(csrf_app, host="127.0.0.1", port=_free_port(), threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser):
    """Factory: a fresh browser page with a given interface language."""
    contexts = []

    def make(locale: str = "en"):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 860},
                                      extra_http_headers={"Accept-Language": locale},
                                      accept_downloads=True)
        contexts.append(context)
        return context.new_page()
    yield make
    for context in contexts:
        context.close()


def sign_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-in form as a person would."""
    page.goto(f"{base_url}/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
