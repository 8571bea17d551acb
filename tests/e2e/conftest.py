"""Browser fixtures: the app served by waitress on a free local port, and Debian's
Chromium driven by Playwright (headless, --no-sandbox, no background networking)."""
from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.support.browser import new_context

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture
def live_server(csrf_app) -> Iterator[str]:
    """The app (CSRF on, as in production) served on 127.0.0.1; yields its base URL."""
    from waitress.server import create_server

    # Port 0: the system picks a free port as the server binds (no race between test workers).
    server = create_server(csrf_app, host="127.0.0.1", port=0, threads=4)
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
        context = new_context(browser, locale=locale, viewport={"width": 1280, "height": 860},
                                      extra_http_headers={"Accept-Language": locale},
                                      accept_downloads=True)
        contexts.append(context)
        return context.new_page()
    yield make
    for context in contexts:
        context.close()
