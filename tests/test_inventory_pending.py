"""Checked imports waiting for confirmation, upload limits on the import pages, small holes."""
from __future__ import annotations

import io
import json

import pytest

from tests.support import crafted
from workbench.errors import NotFound
from workbench.inventory import pending

HEADER = "县市,场所,行业,位置,功能,中文,现有英文,处置\n"


def sheet(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode("utf-8")


def ROW(n: int) -> str:
    return f"海口市,海口火车站,交通,{n}号点位,功能设施,候车室,Waiting Room,保留"


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else ""


def post_file(client, data: bytes, name: str = "haikou.csv", **extra):
    return client.post("/inventory/import", data={"file": (io.BytesIO(data), name), **extra},
                       content_type="multipart/form-data")


def token_of(page: str) -> str:
    return page.split('name="token" value="')[1].split('"')[0]


def test_dry_runs_do_not_grow_the_session_cookie(officer_client, db):
    post_file(officer_client, sheet(ROW(0)))
    first = len(session_cookie(officer_client))
    for n in range(1, 8):
        response = post_file(officer_client, sheet(ROW(n)))
        assert response.status_code == 200
    assert len(session_cookie(officer_client)) <= first
    with officer_client.session_transaction() as session:
        assert "inventory_imports" not in session


def test_pending_imports_are_listed_kept_within_a_quota_and_audited(app, officer_client, db):
    app.config["PENDING_IMPORT_MAX_COUNT"] = 2
    tokens = []
    for n in range(3):
        page = post_file(officer_client, sheet(ROW(n)), f"file{n}.csv").get_data(as_text=True)
        tokens.append(token_of(page))
    page = officer_client.get("/inventory/import").get_data(as_text=True)
    assert "file2.csv" in page and "file1.csv" in page and "file0.csv" not in page
    actions = [row[0] for row in db.execute(
        "SELECT action FROM audit_events WHERE entity_type = 'pending_import' ORDER BY id")]
    assert actions.count("inventory.pending_keep") == 3
    assert actions.count("inventory.pending_replace") == 1
    # The oldest was dropped to make room: its token no longer works.
    response = officer_client.post("/inventory/import/confirm", data={"token": tokens[0]})
    assert response.status_code == 302
    assert not db.execute("SELECT count(*) FROM signs").fetchone()[0]
    response = officer_client.post("/inventory/import/confirm", data={"token": tokens[2]})
    assert response.status_code == 302 and "sort=updated" in response.headers["Location"]
    assert db.execute("SELECT count(*) FROM signs").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM pending_imports").fetchone()[0] == 1


def test_byte_quota_per_user(app, officer_client, db):
    app.config["PENDING_IMPORT_MAX_BYTES"] = 400
    page = post_file(officer_client, sheet(ROW(0), ROW(1), ROW(2), ROW(3), ROW(4))
                     ).get_data(as_text=True)
    assert "PENDING_IMPORT_MAX_BYTES" in page and 'name="token"' not in page
    assert not db.execute("SELECT count(*) FROM pending_imports").fetchone()[0]


def test_another_users_token_does_nothing(login, officer_client, db):
    token = token_of(post_file(officer_client, sheet(ROW(0))).get_data(as_text=True))
    colleague = login("staff")
    response = colleague.post("/inventory/import/confirm", data={"token": token})
    assert response.status_code == 302
    assert not db.execute("SELECT count(*) FROM signs").fetchone()[0]
    colleague.post("/inventory/import/discard", data={"token": token})
    assert db.execute("SELECT count(*) FROM pending_imports").fetchone()[0] == 1
    officer_client.post("/inventory/import/discard", data={"token": token})
    assert not db.execute("SELECT count(*) FROM pending_imports").fetchone()[0]


def test_expired_imports_are_removed_with_their_files(app, users, db, tmp_path):
    upload_dir = tmp_path / "uploads"
    _report, token = pending.stage(db, users["officer"], sheet(ROW(0)), "a.csv", county=None,
                                   photos_zip=None, upload_dir=upload_dir,
                                   settings=app.config)
    assert (upload_dir / "imports" / f"{token}.data").is_file()
    assert pending.expire(db, upload_dir, now="2999-01-01T00:00:00+00:00") == 1
    assert not (upload_dir / "imports" / f"{token}.data").exists()
    assert db.execute("SELECT count(*) FROM audit_events WHERE action = "
                      "'inventory.pending_expire'").fetchone()[0] == 1
    with pytest.raises(NotFound):
        pending.confirm(db, users["officer"], token, upload_dir=upload_dir, settings=app.config)


def test_confirm_removes_the_pending_import_in_the_import_transaction(app, users, db, tmp_path):
    upload_dir = tmp_path / "uploads"
    _report, token = pending.stage(db, users["officer"], sheet(ROW(0)), "a.csv", county=None,
                                   photos_zip=None, upload_dir=upload_dir, settings=app.config)
    report = pending.confirm(db, users["officer"], token, upload_dir=upload_dir,
                             settings=app.config)
    assert report.signs_created == 1 and report.import_id
    event = next(db.query("SELECT * FROM audit_events WHERE action = "
                          "'inventory.pending_confirm'"))
    assert json.loads(event["after_json"])["import_id"] == report.import_id
    assert not list((upload_dir / "imports").iterdir())


# --- limits on the upload pages --------------------------------------------------------------

def test_import_limit_is_announced_as_the_import_limit(app, officer_client):
    app.config["MAX_IMPORT_BYTES"] = 2 * 1024 * 1024
    response = post_file(officer_client, sheet(ROW(0)) + b"#" * (3 * 1024 * 1024))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 MB" in page and "MAX_IMPORT_BYTES" in page and "50 MB" not in page


def test_glossary_and_xliff_uploads_name_their_limit(app, reviewer_client, admin_client):
    app.config["MAX_IMPORT_BYTES"] = 1024
    response = reviewer_client.post("/glossary/import", data={
        "file": (io.BytesIO(b"id,domain,zh\n" + b"x" * 2000), "g.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 200 and "1.0 KB" in response.get_data(as_text=True)
    response = admin_client.post("/exports/xliff-import", data={
        "file": (io.BytesIO(b"<xliff>" + b" " * 2000 + b"</xliff>"), "x.xlf")},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "MAX_IMPORT_BYTES" in response.get_data(as_text=True)


def test_bad_shared_strings_entry_is_a_message_not_a_500(officer_client):
    data = crafted.xlsx('<row r="1"><c r="A1" t="s"><v>42</v></c></row>')
    response = post_file(officer_client, data, "bad.xlsx")
    assert response.status_code == 200 and "not a readable .xlsx" in response.get_data(
        as_text=True)


def test_photo_zip_lying_about_its_sizes_is_a_message_not_a_500(officer_client, db):
    photos = crafted.lying_zip("IMG_1.jpg", b"\xff\xd8\xff" + b"x" * 5000, 40)
    data = sheet().decode().replace("处置\n", "处置,照片\n") + \
        "海口市,海口火车站,交通,候车厅,功能设施,候车室,Waiting Room,保留,IMG_1.jpg\n"
    response = officer_client.post("/inventory/import", data={
        "file": (io.BytesIO(data.encode()), "p.csv"), "photos": (io.BytesIO(photos), "p.zip")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "does not match the sizes" in page
    assert not db.execute("SELECT count(*) FROM pending_imports").fetchone()[0]


def test_cli_lists_and_cleans_pending_imports(app, users, db, run_cli, tmp_path):
    upload_dir = tmp_path / "uploads"
    pending.stage(db, users["officer"], sheet(ROW(0)), "listed.csv", county=None,
                  photos_zip=None, upload_dir=upload_dir,
                  settings=dict(app.config, PENDING_IMPORT_HOURS=0))  # expires at once
    result = run_cli("inventory", "pending")
    assert result.exit_code == 0 and "listed.csv" in result.stdout and "officer" in result.stdout
    result = run_cli("inventory", "pending", "--clean")
    assert result.exit_code == 0 and "Removed 1" in result.stdout
    assert not db.execute("SELECT count(*) FROM pending_imports").fetchone()[0]
