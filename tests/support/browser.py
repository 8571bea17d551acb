"""Browser-test helpers (the fixtures are in tests/e2e/conftest.py)."""
from __future__ import annotations

from typing import Any

from tests.support.accounts import PASSWORD


def sign_in(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-in form as a person would."""
    page.goto(f"{base_url}/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
