"""The SQLite database: pragmas, migrations, seeds, transactions, backup."""
import sqlite3

import pytest

from workbench import audit, auth, bootstrap, counties, migrations, plugins
from workbench.config import load_settings
from workbench.db import backup, open_db, transaction


def test_pragmas(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_migrations_are_recorded_and_idempotent(db):
    assert migrations.apply(db) == []
    applied = {m.name for m in migrations.migrations.applied(db)}
    assert {"0001_core", "0002_glossary"} <= applied


def test_counties_seeded_with_hainan_list(db):
    rows = counties.list_counties(db)
    names = [row["name_zh"] for row in rows]
    assert len(rows) == 20
    assert names[0] == "海口市" and "洋浦经济开发区" in names and "琼中黎族苗族自治县" in names


def test_init_is_idempotent(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    settings = load_settings(tmp_path, {"DATABASE": str(path)})
    database = open_db(path)
    first = bootstrap.initialize(database, settings, seed=False)
    tables = {t: database[t].count for t in ("users", "counties", "audit_events")}
    second = bootstrap.initialize(database, settings, seed=False)
    assert first.admin_password and first.counties_added == 20
    assert second.admin_password is None and second.counties_added == 0
    assert second.migrations_applied == []
    assert {t: database[t].count for t in tables} == tables


def test_foreign_keys_enforced(db):
    with pytest.raises(sqlite3.IntegrityError):
        with transaction(db):
            db.execute("INSERT INTO users (username, password_hash, role, county_id, created_at) "
                       "VALUES ('ghost', 'x', 'officer', 9999, 'now')")


def test_transaction_rolls_back_change_and_event_together(db):
    before = db["audit_events"].count
    with pytest.raises(RuntimeError):
        with transaction(db):
            db["counties"].update(1, {"name_en": "Changed"})
            audit.record(db, auth.system_actor(), "county.update", "county", 1)
            raise RuntimeError("boom")
    assert db["counties"].get(1)["name_en"] == "Haikou"
    assert db["audit_events"].count == before


def test_audit_record_refuses_to_run_outside_a_transaction(db):
    with pytest.raises(RuntimeError):
        audit.record(db, auth.system_actor(), "x", "y", 1)


def test_backup_is_a_consistent_copy(db, tmp_path):
    copy = backup(db, tmp_path / "copy.sqlite3")
    restored = open_db(copy)
    assert restored["users"].count == db["users"].count
    assert audit.verify(restored).ok


def test_admin_can_edit_counties(db, users):
    county_id = counties.save_county(db, users["admin"], {
        "code": "test", "name_zh": "测试区", "name_en": "Test District"})
    counties.save_county(db, users["admin"], {"name_en": "Test Zone"}, county_id)
    assert counties.get_county(db, county_id)["name_en"] == "Test Zone"
    assert [e["action"] for e in audit.history(db, "county", county_id)] == [
        "county.create", "county.update"]
    with pytest.raises(Exception, match="already has"):
        counties.save_county(db, users["admin"], {"code": "haikou2", "name_zh": "海口市",
                                                   "name_en": "Dup"})


def test_resolve_county_accepts_names_and_codes(db):
    assert counties.resolve_county(db, "儋州市")["code"] == "danzhou"
    assert counties.resolve_county(db, "儋州")["code"] == "danzhou"
    assert counties.resolve_county(db, "Sanya")["name_zh"] == "三亚市"
    with pytest.raises(Exception, match="Unknown county"):
        counties.resolve_county(db, "北京市")


def test_migrations_are_defined_in_number_order():
    """Appending a migration out of order would apply it before what it builds on."""
    names = [m.name for m in migrations.migrations._migrations]
    assert names == sorted(names)
    assert len(set(name[:4] for name in names)) == len(names)


def test_seed_steps_run_in_the_declared_order():
    # The demo inventory is QA-checked against the glossary, so the glossary loads first,
    # whichever module happened to be imported first.
    import workbench.inventory.demo  # noqa: F401  imported before the glossary's seed

    names = [step.name for step in plugins.seed_steps()]
    assert names.index("glossary") < names.index("inventory-demo")
