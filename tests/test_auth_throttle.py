"""Sign-in throttling: growing delays per account, per address across accounts, never a lock-out."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from workbench import auth, throttle
from workbench.errors import TooManyAttempts
from tests.support.accounts import PASSWORD

START = datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc)
SETTINGS = {"LOGIN_FREE_FAILURES": 5, "LOGIN_BASE_DELAY": 30, "LOGIN_MAX_DELAY": 900,
            "LOGIN_ADDRESS_FREE_FAILURES": 30, "LOGIN_ADDRESS_WINDOW": 900}


def attempt(db, username, password, seconds, addr="10.0.0.1"):
    return auth.authenticate(db, username, password, remote_addr=addr, settings=SETTINGS,
                             now=START + timedelta(seconds=seconds))


def test_delays_grow_after_the_free_failures_and_are_capped(db):
    for second in range(5):
        assert attempt(db, "staff", "wrong", second) is None
    with pytest.raises(TooManyAttempts) as refused:
        attempt(db, "staff", PASSWORD, 10)
    assert "Try again in 24 seconds" in str(refused.value) and refused.value.retry_after == 24
    # Waiting out the delay lets one more try through; the next delay doubles.
    assert attempt(db, "staff", "wrong", 4 + 30) is None
    with pytest.raises(TooManyAttempts):
        attempt(db, "staff", "wrong", 34 + 59)
    assert attempt(db, "staff", "wrong", 34 + 60) is None
    seconds = 94
    for _ in range(10):  # many more failures: the wait never exceeds the cap
        seconds += 900
        assert attempt(db, "staff", "wrong", seconds) is None
    with pytest.raises(TooManyAttempts) as refused:
        attempt(db, "staff", PASSWORD, seconds + 1)
    assert "15 minutes" in str(refused.value)
    assert attempt(db, "staff", PASSWORD, seconds + 900).username == "staff"


def test_attempts_refused_while_waiting_do_not_make_it_longer(db):
    for second in range(5):
        attempt(db, "admin", "wrong", second)
    for second in range(5, 30):
        with pytest.raises(TooManyAttempts):
            attempt(db, "admin", "wrong", second)
    assert attempt(db, "admin", PASSWORD, 4 + 30) is not None


def test_success_resets_the_account_counter(db):
    for second in range(4):
        attempt(db, "staff", "wrong", second)
    assert attempt(db, "staff", PASSWORD, 5) is not None
    for second in range(6, 10):
        assert attempt(db, "staff", "wrong", second) is None
    assert attempt(db, "staff", PASSWORD, 11) is not None


def test_five_wrong_passwords_from_one_address_lock_only_that_account(db):
    for second in range(5):
        attempt(db, "staff", "wrong", second, addr="192.0.2.7")
    # Everyone else behind the same office NAT signs in as usual.
    for name in ("admin", "reviewer", "translator", "officer"):
        assert attempt(db, name, PASSWORD, 6, addr="192.0.2.7").username == name


def test_one_address_cannot_spray_many_accounts(db):
    for number in range(30):
        assert attempt(db, f"guess{number}", "Summer2025!", number, addr="198.51.100.9") is None
    with pytest.raises(TooManyAttempts):
        attempt(db, "reviewer", PASSWORD, 31, addr="198.51.100.9")
    # The accounts themselves are not locked for other addresses.
    assert attempt(db, "reviewer", PASSWORD, 32, addr="203.0.113.5") is not None
    # And the address is let go once its failures leave the window.
    assert attempt(db, "reviewer", PASSWORD, 29 + 900 + 1, addr="198.51.100.9") is not None


def test_unknown_users_are_throttled_like_real_ones(db):
    for second in range(5):
        attempt(db, "nobody-here", "wrong", second)
    with pytest.raises(TooManyAttempts):
        attempt(db, "nobody-here", "wrong", 6)


def test_unknown_and_disabled_users_cost_a_password_hash(db, users, monkeypatch):
    calls = []
    original = auth.check_password_hash
    monkeypatch.setattr(auth, "check_password_hash",
                        lambda stored, given: calls.append(stored) or original(stored, given))
    assert attempt(db, "no-such-user", "whatever", 0) is None
    auth.update_user(db, users["admin"], users["translator"].id, active=False)
    assert attempt(db, "translator", PASSWORD, 1) is None
    assert attempt(db, "staff", "wrong", 2) is None
    assert len(calls) == 3 and all(stored.startswith("scrypt:") for stored in calls)


def test_an_admin_unlocks_an_account(db, users):
    for second in range(5):
        attempt(db, "reviewer", "wrong", second)
    with pytest.raises(TooManyAttempts):
        attempt(db, "reviewer", PASSWORD, 6)
    throttle.unlock(db, users["admin"], users["reviewer"].id, now=START + timedelta(seconds=7))
    assert attempt(db, "reviewer", PASSWORD, 8) is not None


def test_the_sign_in_page_says_how_long_to_wait(client):
    for _ in range(5):
        client.post("/auth/login", data={"username": "staff", "password": "wrong"})
    response = client.post("/auth/login", data={"username": "staff", "password": PASSWORD})
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "Try again in 30 seconds" in text or "Try again in 29 seconds" in text
    assert int(response.headers["Retry-After"]) in (29, 30)


def test_the_admin_page_shows_the_wait_and_unlocks(client, admin_client, users):
    for _ in range(6):
        client.post("/auth/login", data={"username": "translator", "password": "wrong"})
    page = admin_client.get(f"/admin/users/{users['translator'].id}").get_data(as_text=True)
    assert "5 failed sign-ins since the last success" in page
    assert "The next attempt must wait" in page
    admin_client.post(f"/admin/users/{users['translator'].id}/unlock")
    response = client.post("/auth/login", data={"username": "translator", "password": PASSWORD})
    assert response.status_code == 302


def test_full_width_username_signs_in(client):
    response = client.post("/auth/login", data={"username": "ｓｔａｆｆ", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("proxies, expected", [(0, "127.0.0.1"), (1, "203.0.113.77")])
def test_proxy_count_decides_which_address_is_throttled(app_config, db, proxies, expected):
    from workbench import create_app

    app = create_app(dict(app_config, PROXY_COUNT=proxies))
    browser = app.test_client()
    browser.post("/auth/login", data={"username": "staff", "password": "wrong"},
                 headers={"X-Forwarded-For": "203.0.113.77"},
                 environ_base={"REMOTE_ADDR": "127.0.0.1"})
    stored = db.execute("SELECT remote_addr FROM login_attempts ORDER BY id DESC").fetchone()[0]
    assert stored == expected
