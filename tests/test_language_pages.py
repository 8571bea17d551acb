"""Every page of every role, in the Chinese interface, shows no English and no raw code.

The pages are rendered with the test client on a database in use (tests/support/populate.py)
and read by the same detector as the browser test (tests/support/language_audit.py): user
data is marked in the templates (``lang``, ``translate="no"``), everything else must be
Chinese.
"""
from __future__ import annotations

import pytest

from tests.support.accounts import sign_in_session
from tests.support.language_audit import find_untranslated
from tests.support.populate import Populated, populate
from workbench import auth


def role_pages(ids: Populated) -> dict[str, list[str]]:
    """The pages each role uses, with records in them."""
    everyone = ["/", "/auth/password", "/glossary/", f"/glossary/c/{ids.concept_id}",
                "/glossary/stats", "/glossary/match?text=禁止吸烟，小心地滑", "/jobs/"]
    officer = everyone + [
        "/inventory/", f"/inventory/signs/{ids.sign_id}",
        f"/inventory/signs/{ids.approved_sign_id}", "/inventory/signs/new", "/inventory/sites",
        f"/inventory/sites/{ids.site_id}", "/inventory/sites/new", "/inventory/import",
        "/inventory/survey/", "/inventory/dashboard", "/reports/", f"/reports/{ids.report_id}",
        "/review/clarifications"]
    translator = everyone + [
        "/review/", "/review/?state=machine_draft", f"/review/units/{ids.unit_id}",
        f"/review/units/{ids.rejected_unit_id}", f"/review/units/{ids.unit_id}/history",
        f"/review/units/{ids.approved_unit_id}/history", "/review/mentions",
        "/review/clarifications", "/documents/", f"/documents/{ids.document_id}",
        f"/documents/{ids.document_id}/segments/{ids.segment_id}",
        f"/documents/{ids.document_id}/terms", "/glossary/proposals",
        f"/glossary/proposals/{ids.proposal_id}", "/engines/", "/inventory/",
        f"/inventory/signs/{ids.sign_id}"]
    reviewer = translator + [f"/review/units/{ids.approved_unit_id}",
                             f"/glossary/c/{ids.concept_id}/edit", "/glossary/new",
                             "/glossary/import"]
    staff = reviewer + [
        "/inventory/dashboard", "/inventory/sites", f"/inventory/sites/{ids.site_id}",
        f"/inventory/signs/{ids.sign_id}/edit", f"/inventory/sites/{ids.site_id}/edit",
        "/inventory/import", "/exports/", f"/exports/{ids.export_run_id}",
        f"/jobs/{ids.export_run_id}", "/reports/", f"/reports/{ids.report_id}",
        "/documents/rules", "/audit/", f"/audit/sign/{ids.sign_id}",
        f"/audit/translation_unit/{ids.approved_unit_id}"]
    admin = staff + ["/admin/users", "/admin/users/1", "/admin/counties", "/admin/counties/1",
                     "/audit/verify"]
    return {"officer": officer, "translator": translator, "reviewer": reviewer,
            "staff": staff, "admin": admin}


def public_pages(ids: Populated) -> list[str]:
    """What anyone sees without an account: sign-in, the QR code's page, report tracking."""
    return ["/auth/login", "/r/", f"/r/{ids.approved_sign_code}",
            f"/r/track/{ids.report_code}", "/no-such-page"]


@pytest.fixture
def populated(db, job_settings) -> Populated:
    return populate(db, job_settings)


@pytest.mark.parametrize("role", ["officer", "translator", "reviewer", "staff", "admin"])
def test_chinese_pages_show_no_english_and_no_codes(role, app, db, populated):
    user = auth.find_user(db, role)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    sign_in_session(client, db, user)
    problems = []
    for url in role_pages(populated)[role]:
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"{url}: answered {response.status_code}")
            continue
        problems += [f"{url}: {finding}" for finding in
                     find_untranslated(response.get_data(as_text=True))]
    assert not problems, f"{len(problems)} English words or codes:\n" + "\n".join(problems)


def test_public_pages_in_chinese_show_no_english(app, populated):
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    problems = []
    for url in public_pages(populated):
        response = visitor.get(url)
        if response.status_code not in (200, 404):
            problems.append(f"{url}: answered {response.status_code}")
            continue
        problems += [f"{url}: {finding}" for finding in
                     find_untranslated(response.get_data(as_text=True))]
    assert not problems, f"{len(problems)} English words or codes:\n" + "\n".join(problems)


def test_the_detector_finds_english_and_codes_and_skips_marked_data():
    # The tests above must be able to fail.
    page = ("<html><head><title>HK-000123 标识牌</title></head><body>"
            "<p>状态：in_review</p><p>Unit saved.</p>"
            "<td lang=\"en\">Carefully Slide <span lang=\"zh\">首选 preferred</span></td>"
            "<span translate=\"no\">officer_sanya</span><p>译文“No Smoking”有误</p>"
            "<input type=\"text\" placeholder=\"Search\"><script>var x = 'English';</script>"
            "</body></html>")
    words = [finding.word for finding in find_untranslated(page)]
    assert words == ["in_review", "Unit", "saved", "preferred", "Search"]
