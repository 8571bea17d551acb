"""Sessions end when they should: sign-out, password change, reset, disabling, everywhere."""
from __future__ import annotations

from workbench import auth, sessions
from workbench.web.security import SESSION_TOKEN_KEY
from tests.support.accounts import PASSWORD


def _browser(app):
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser


def _sign_in(app, username: str = "staff", password: str = PASSWORD):
    browser = _browser(app)
    response = browser.post("/auth/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.data
    return browser


def _copy(app, browser):
    """A second browser holding a copy of ``browser``'s session cookie (a stolen cookie)."""
    thief = _browser(app)
    thief.set_cookie("session", browser.get_cookie("session").value)
    return thief


def _signed_in(browser) -> bool:
    return browser.get("/").status_code == 200


def test_a_captured_cookie_is_dead_after_logout(app):
    browser = _sign_in(app)
    thief = _copy(app, browser)
    assert _signed_in(thief)
    assert browser.post("/auth/logout").status_code == 302
    assert not _signed_in(browser)
    assert not _signed_in(thief)


def test_own_password_change_ends_the_other_sessions_but_not_this_one(app):
    browser = _sign_in(app)
    other = _sign_in(app)
    response = browser.post("/auth/password", data={
        "current_password": PASSWORD, "new_password": "a-new-secret-phrase",
        "confirm": "a-new-secret-phrase"})
    assert response.status_code == 302
    assert _signed_in(browser)
    assert not _signed_in(other)


def test_admin_reset_and_disabling_end_every_session(app, db, users, admin_client):
    browser = _sign_in(app, "translator")
    admin_client.post(f"/admin/users/{users['translator'].id}", data={
        "display_name": "T", "role": "translator", "county": "", "active": "y",
        "new_password": "reset-by-the-admin-1"})
    assert not _signed_in(browser)
    browser = _sign_in(app, "translator", "reset-by-the-admin-1")
    auth.update_user(db, users["admin"], users["translator"].id, active=False)
    auth.update_user(db, users["admin"], users["translator"].id, active=True)
    assert not _signed_in(browser)  # re-enabling does not bring old sessions back


def test_sign_out_everywhere_from_ones_own_page(app):
    browser = _sign_in(app)
    other = _sign_in(app)
    page = browser.get("/auth/password").get_data(as_text=True)
    assert "Sign out everywhere" in page and "2 browsers or devices" in page
    response = browser.post("/auth/sign-out-everywhere")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert not _signed_in(browser) and not _signed_in(other)


def test_admin_signs_a_user_out_everywhere(app, users, admin_client, db):
    browser = _sign_in(app, "reviewer")
    page = admin_client.get(f"/admin/users/{users['reviewer'].id}").get_data(as_text=True)
    assert "Signed in on 1 browser or device" in page
    admin_client.post(f"/admin/users/{users['reviewer'].id}/sign-out")
    assert not _signed_in(browser)
    events = db.execute("SELECT count(*) FROM audit_events WHERE action = "
                        "'user.sessions_revoked' AND entity_id = ?",
                        [str(users["reviewer"].id)]).fetchone()[0]
    assert events == 1


def test_only_admins_sign_others_out(reviewer_client, users):
    response = reviewer_client.post(f"/admin/users/{users['staff'].id}/sign-out")
    assert response.status_code == 403


def test_a_session_without_a_server_side_record_signs_nobody_in(app, users):
    # What a forged remember-me cookie or an old cookie from before this change
    # would bring: a user id and nothing else.
    browser = _browser(app)
    with browser.session_transaction() as session:
        session["_user_id"] = str(users["admin"].id)
    assert not _signed_in(browser)
    with browser.session_transaction() as session:
        session[SESSION_TOKEN_KEY] = "guessed-token"
    assert not _signed_in(browser)


def test_a_token_is_bound_to_its_user(app, db, users):
    token = sessions.open_session(db, users["officer"].id)
    browser = _browser(app)
    with browser.session_transaction() as session:
        session["_user_id"] = str(users["admin"].id)
        session[SESSION_TOKEN_KEY] = token
    assert not _signed_in(browser)


def test_huge_user_id_in_a_cookie_is_no_error(app):
    browser = _browser(app)
    with browser.session_transaction() as session:
        session["_user_id"] = str(2 ** 70)
        session[SESSION_TOKEN_KEY] = "x"
    assert browser.get("/").status_code == 302


def test_sessions_per_user_are_bounded(db, users):
    for _ in range(sessions.MAX_SESSIONS_PER_USER + 5):
        sessions.open_session(db, users["staff"].id)
    assert sessions.count_sessions(db, users["staff"].id) == sessions.MAX_SESSIONS_PER_USER


def test_cli_signs_a_user_out_and_unlocks_sign_in(app, run_cli, db, client):
    browser = _sign_in(app, "reviewer")
    result = run_cli("user", "sign-out", "reviewer")
    assert result.exit_code == 0, result.stderr
    assert not _signed_in(browser)
    for _ in range(6):
        client.post("/auth/login", data={"username": "reviewer", "password": "wrong"})
    assert client.post("/auth/login", data={"username": "reviewer",
                                            "password": PASSWORD}).status_code == 429
    assert run_cli("user", "unlock", "reviewer").exit_code == 0
    assert client.post("/auth/login", data={"username": "reviewer",
                                            "password": PASSWORD}).status_code == 302
    assert run_cli("user", "unlock", "nobody").exit_code != 0
