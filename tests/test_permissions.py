"""Every route checks sign-in and role; admin pages are admin-only."""
import re

import pytest

from workbench import auth

PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.set_locale"}


def _simple_get_routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint not in PUBLIC_ENDPOINTS:
            yield rule.rule


# A placeholder per URL variable: ids (records that do not exist here) and the first
# choice of an ``any(…)`` converter, so that every route is reached, none skipped.
URL_VARIABLE = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def _sample_value(match: re.Match) -> str:
    if match["converter"] == "any":
        return match["args"].split(",")[0].strip().strip("'\"")
    return "1"


def _all_routes(app):
    for rule in app.url_map.iter_rules():
        # Pages meant for the public (error reports) are marked with @public_access.
        if rule.endpoint in PUBLIC_ENDPOINTS or getattr(app.view_functions[rule.endpoint],
                                                        "public_access", False):
            continue
        url = URL_VARIABLE.sub(_sample_value, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def test_every_route_requires_sign_in(app, client):
    """Anonymous requests to any route (any method) are told to sign in: a redirect to the
    sign-in page (pages) or 401 (API). Never a 404, a 403 or a 405: sign-in is checked
    before the record is looked up, and every route is reached with a method it accepts."""
    checked = 0
    for method, url in _all_routes(app):
        assert "<" not in url, url  # every URL variable was filled in
        response = client.open(url, method=method)
        assert response.status_code in (302, 401), (method, url, response.status_code)
        if response.status_code == 302:
            assert "/auth/login" in response.headers["Location"], (method, url)
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("username", ["staff", "reviewer", "translator", "officer"])
def test_admin_pages_forbidden_to_other_roles(login, username):
    user_client = login(username)
    for url in ("/admin/users", "/admin/counties", "/admin/users/1", "/admin/counties/1"):
        assert user_client.get(url).status_code == 403, url
    response = user_client.post("/admin/users", data={"username": "x", "role": "admin"})
    assert response.status_code == 403


@pytest.mark.parametrize("username,allowed", [("admin", True), ("staff", True),
                                              ("reviewer", False), ("translator", False),
                                              ("officer", False)])
def test_audit_pages_for_admin_and_staff_only(login, username, allowed):
    user_client = login(username)
    for url in ("/audit/", "/audit/verify", "/audit/user/1"):
        assert (user_client.get(url).status_code == 200) is allowed, url


def test_every_simple_page_renders_for_every_role(app, login):
    """No page crashes for any role: it renders or refuses (403/404), never 500."""
    for username in ("admin", "staff", "reviewer", "translator", "officer"):
        user_client = login(username)
        for url in _simple_get_routes(app):
            status = user_client.get(url).status_code
            assert status in (200, 302, 403, 404), (username, url, status)


def test_admin_creates_officer_with_generated_password(admin_client, db):
    haikou = db.execute("SELECT id FROM counties WHERE code = 'haikou'").fetchone()[0]
    response = admin_client.post("/admin/users", data={
        "username": "newofficer", "role": "officer", "county": str(haikou), "password": ""})
    assert response.status_code == 200
    assert b"Generated password" in response.data
    created = auth.find_user(db, "newofficer")
    assert created.role == "officer" and created.county_id == haikou


def test_permission_table_matches_roles():
    assert set(auth.PERMISSIONS) == set(auth.ROLES)
    officer = auth.User(1, "o", "officer", county_id=1)
    assert auth.can(officer, "inventory.submit") and not auth.can(officer, "review.approve")
    assert auth.county_scope(officer) == 1
    assert auth.county_scope(auth.User(2, "s", "staff")) is None
