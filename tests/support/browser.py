"""Browser-test helpers (the fixtures are in tests/e2e/conftest.py)."""
from __future__ import annotations

from typing import Any

from tests.support.accounts import PASSWORD

# Injected into every test page before its own scripts (CDP init scripts are not
# subject to the page's CSP): counts the page's fetches in flight and its short
# timers (the debounced live checks of up to 600 ms, the first job poll; not the job
# box's repeated polls of a queued job, which may wait for minutes), so that a test can wait
# for the page's scripts to finish instead of Playwright's "networkidle", which
# always waits an extra 500 ms of silence.
ACTIVITY_TRACKER = """
(() => {
  const SHORT_TIMER_MS = 600;
  let pending = 0;
  window.__signbenchPending = () => pending;
  const originalFetch = window.fetch.bind(window);
  window.fetch = (...args) => {
    pending += 1;
    return originalFetch(...args).finally(() => { pending -= 1; });
  };
  const originalSetTimeout = window.setTimeout.bind(window);
  const originalClearTimeout = window.clearTimeout.bind(window);
  const short = new Set();
  window.setTimeout = (callback, delay, ...rest) => {
    if (typeof callback !== "function" || !(delay <= SHORT_TIMER_MS)) {
      return originalSetTimeout(callback, delay, ...rest);
    }
    pending += 1;
    const id = originalSetTimeout(() => {
      if (short.delete(id)) { pending -= 1; }
      callback(...rest);
    }, delay);
    short.add(id);
    return id;
  };
  window.clearTimeout = (id) => {
    if (short.delete(id)) { pending -= 1; }
    originalClearTimeout(id);
  };
})();
"""


def new_context(browser: Any, **options: Any) -> Any:
    """A browser context whose pages report their scripts' activity (see :func:`settle`)."""
    context = browser.new_context(**options)
    context.add_init_script(ACTIVITY_TRACKER)
    return context


def settle(page: Any, timeout: float = 15_000) -> None:
    """Wait until the page has loaded and its scripts' fetches and short timers are done."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => document.readyState === 'complete' && "
        "(!window.__signbenchPending || window.__signbenchPending() === 0)",
        timeout=timeout, polling=25)


def sign_in(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-in form as a person would."""
    page.goto(f"{base_url}/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    settle(page)
