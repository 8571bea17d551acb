"""The workbench command: users, backup, init."""
from workbench import audit, auth
from workbench.db import open_db


def test_user_add_prints_generated_password(run_cli, db):
    result = run_cli("user", "add", "--role", "officer", "--county", "儋州市", "wang")
    assert result.exit_code == 0, result.stderr
    assert "Password (shown once):" in result.stdout
    password = result.stdout.split("Password (shown once):")[1].strip()
    user = auth.authenticate(db, "wang", password)
    assert user and user.role == "officer"


def test_user_add_password_stdin(run_cli, db):
    result = run_cli("user", "add", "--role", "translator", "--password-stdin", "li",
                     input="a-long-enough-password\n")
    assert result.exit_code == 0 and "Password" not in result.stdout
    assert auth.authenticate(db, "li", "a-long-enough-password")


def test_user_add_errors_are_clear(run_cli, db):
    unknown = run_cli("user", "add", "--role", "officer", "--county", "北京市", "zhao")
    assert unknown.exit_code == 1 and "Unknown county" in unknown.stderr
    duplicate = run_cli("user", "add", "--role", "staff", "staff")
    assert duplicate.exit_code == 1 and "already exists" in duplicate.stderr
    assert auth.find_user(db, "zhao") is None


def test_user_list_and_disable(run_cli, db):
    listing = run_cli("user", "list")
    assert "officer_sanya" in listing.stdout and "三亚市" in listing.stdout
    assert run_cli("user", "disable", "translator").exit_code == 0
    assert not auth.find_user(db, "translator").active
    assert run_cli("user", "disable", "nobody").exit_code == 1


def test_backup(run_cli, tmp_path):
    target = tmp_path / "backup.sqlite3"
    result = run_cli("backup", str(target))
    assert result.exit_code == 0 and target.exists()
    copy = open_db(target)
    assert audit.verify(copy).ok and copy["users"].count >= 7


def test_init_twice_on_fresh_database(tmp_path, run_cli, monkeypatch):
    fresh = tmp_path / "fresh.sqlite3"
    monkeypatch.setenv("WORKBENCH_DB", str(fresh))
    first = run_cli("--db", str(fresh), "init", "--no-seed")
    assert first.exit_code == 0 and "password:" in first.stdout
    second = run_cli("--db", str(fresh), "init", "--no-seed")
    assert second.exit_code == 0 and "password:" not in second.stdout
