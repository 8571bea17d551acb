"""Sign-in, passwords, rate limiting, CSRF and session cookies."""
import re

import pytest

from workbench import auth
from workbench.errors import ValidationError
from tests.support.accounts import PASSWORD


def _csrf_token(page_html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page_html).group(1)


def test_passwords_are_hashed_with_scrypt(db):
    row = db.execute("SELECT password_hash FROM users WHERE username = 'staff'").fetchone()
    assert row[0].startswith("scrypt:") and PASSWORD not in row[0]


def test_sign_in_and_out(client):
    response = client.post("/auth/login", data={"username": "staff", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused(client):
    response = client.post("/auth/login", data={"username": "staff", "password": "nope"})
    assert response.status_code == 401
    assert b"Wrong username or password" in response.data


def test_disabled_user_cannot_sign_in(client, db, users):
    auth.update_user(db, users["admin"], users["translator"].id, active=False)
    response = client.post("/auth/login", data={"username": "translator", "password": PASSWORD})
    assert response.status_code == 401


def test_disabled_user_loses_existing_session(login, db, users):
    session_client = login("translator")
    assert session_client.get("/").status_code == 200
    auth.update_user(db, users["admin"], users["translator"].id, active=False)
    assert session_client.get("/").status_code == 302


def test_login_rate_limit(client):
    for _ in range(5):
        client.post("/auth/login", data={"username": "staff", "password": "wrong"})
    response = client.post("/auth/login", data={"username": "staff", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.data


def test_open_redirect_after_login_is_refused(client):
    response = client.post("/auth/login?next=https://evil.example/",
                           data={"username": "staff", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_user_changes_own_password(login, client):
    staff = login("staff")
    bad = staff.post("/auth/password", data={"current_password": "wrong",
                                             "new_password": "new-password-123",
                                             "confirm": "new-password-123"})
    assert b"current password is not right" in bad.data
    ok = staff.post("/auth/password", data={"current_password": PASSWORD,
                                            "new_password": "new-password-123",
                                            "confirm": "new-password-123"})
    assert ok.status_code == 302
    assert client.post("/auth/login", data={"username": "staff",
                                            "password": "new-password-123"}).status_code == 302


def test_short_password_refused(db, users):
    with pytest.raises(ValidationError, match="at least"):
        auth.create_user(db, users["admin"], "shorty", "staff", password="short")


def test_officer_needs_a_county(db, users):
    with pytest.raises(ValidationError, match="county"):
        auth.create_user(db, users["admin"], "nocounty", "officer")


def test_last_admin_cannot_be_disabled(db, users):
    other = auth.create_user(db, users["admin"], "admin2", "admin")[0]
    auth.update_user(db, other, users["admin"].id, active=False)
    with pytest.raises(ValidationError, match="last active admin"):
        auth.update_user(db, users["staff"], other.id, active=False)


def test_csrf_token_required_on_forms(csrf_app):
    browserless = csrf_app.test_client()
    response = browserless.post("/auth/login", data={"username": "staff", "password": PASSWORD})
    assert response.status_code == 400
    assert b"form expired" in response.data
    page = browserless.get("/auth/login").data.decode()
    response = browserless.post("/auth/login", data={
        "username": "staff", "password": PASSWORD, "csrf_token": _csrf_token(page)})
    assert response.status_code == 302


def test_logout_is_post_only_and_csrf_protected(csrf_app, db):
    browser = csrf_app.test_client()
    page = browser.get("/auth/login").data.decode()
    browser.post("/auth/login", data={"username": "staff", "password": PASSWORD,
                                      "csrf_token": _csrf_token(page)})
    assert browser.get("/auth/logout").status_code == 405
    assert browser.post("/auth/logout").status_code == 400  # no token
    assert browser.get("/").status_code == 200  # still signed in


def test_session_cookie_flags(client):
    response = client.post("/auth/login", data={"username": "staff", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers(client):
    response = client.get("/auth/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_output_is_escaped(db, users, admin_client):
    auth.create_user(db, users["admin"], "xss", "staff", password=PASSWORD,
                     display_name="<script>alert(1)</script>")
    page = admin_client.get("/admin/users").data
    assert b"<script>alert(1)</script>" not in page
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page
