"""The phased importer: column names as typed, per-county codes and events, stale plans,
concurrent writers, and the migration that made codes per county."""
from __future__ import annotations

import csv
import io
import json
import threading

import pytest

from workbench import audit, auth, migrations
from workbench import db as dbmod
from workbench.errors import ValidationError
from workbench.inventory import importer, records
from workbench.messages import translator_for


def csv_bytes(rows, header=("sign_code", "county", "site", "sector", "function", "zh",
                            "action")):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def system():
    return auth.system_actor("pytest")


def test_problems_name_the_column_as_the_file_named_it_and_list_allowed_values(db, system):
    header = ("县市 *", "场所名称", "行业 (Sector)", "功能", "中文", "处置")
    data = csv_bytes([["海口市", "海口站", "农业", "facility", "出口", "keep"]], header)
    with pytest.raises(ValidationError) as caught:
        importer.import_inventory(db, system, data, "h.csv")
    problem = caught.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (2, "行业 (Sector)", "农业")
    # The values allowed are listed by their labels, in the reader's language.
    assert "Transport" in str(problem.reason) and "Commerce" in str(problem.reason)
    assert "交通" in problem.render(translator_for("zh"))
    # Messages are ids with parameters, rendered in the reader's language.
    chinese = problem.render(translator_for("zh"))
    assert "行业 (Sector)" in chinese and chinese != problem.render()
    summary = caught.value.summary
    assert summary.plural and summary.params["n"] == 1


def test_sign_codes_are_per_county_and_reveal_nothing(db, users, system):
    importer.import_inventory(db, system, csv_bytes(
        [["X-1", "海口市", "海口站", "transport", "facility", "出口", "keep"]]), "a.csv")
    officer = users["officer_sanya"]
    report = importer.import_inventory(db, officer, csv_bytes(
        [["X-1", "", "三亚站", "transport", "facility", "入口", "keep"]]), "b.csv")
    assert report.signs_created == 1  # another county's code is neither visible nor in the way
    rows = {r[0]: r[1] for r in db.execute(
        "SELECT c.name_zh, s.zh FROM signs s JOIN counties c ON c.id = s.county_id "
        "WHERE s.sign_code = 'X-1'")}
    assert rows == {"海口市": "出口", "三亚市": "入口"}
    # Within a county a code stays unique: the same code updates that county's sign.
    again = importer.import_inventory(db, officer, csv_bytes(
        [["X-1", "", "三亚站", "transport", "facility", "入口", "correct"]]), "b.csv")
    assert (again.signs_created, again.signs_updated) == (0, 1)


def test_a_multi_county_import_writes_one_event_per_county(db, users, system):
    data = csv_bytes([["", "海口市", "海口站", "transport", "facility", "出口", "keep"],
                      ["", "三亚市", "三亚站", "transport", "facility", "入口", "keep"]])
    report = importer.import_inventory(db, system, data, "two.csv")
    events = [json.loads(r[0]) for r in db.execute(
        "SELECT after_json FROM audit_events WHERE action = 'inventory.import' ORDER BY id")]
    by_county = {e["county_id"]: e for e in events}
    ids = {r[1]: r[0] for r in db.execute(
        "SELECT s.id, c.name_zh FROM signs s JOIN counties c ON c.id = s.county_id")}
    sanya = db.execute("SELECT id FROM counties WHERE name_zh = '三亚市'").fetchone()[0]
    assert len(events) == 2 and by_county[sanya]["signs_created"] == [ids["三亚市"]]
    history = records.sign_history(db, users["officer_sanya"], ids["三亚市"])
    seen = json.dumps([e["after"] for e in history])
    assert str(ids["海口市"]) not in seen.replace(str(report.import_id), "")


def test_a_plan_made_stale_by_another_writer_is_made_again(db, users, system, monkeypatch,
                                                           db_path):
    data = csv_bytes([["", "海口市", "海口站", "transport", "facility", "出口", "keep"]])
    importer.import_inventory(db, system, data, "a.csv")
    site_id = db.execute("SELECT id FROM sites").fetchone()[0]
    plans = []
    real = importer.make_plan

    def plan_then_someone_edits(*args, **kwargs):
        result = real(*args, **kwargs)
        plans.append(result)
        if len(plans) == 1:  # another user saves the site between plan and write
            other = dbmod.open_db(db_path)
            records.save_site(other, users["officer"], {"name_zh": "海口站", "sector":
                                                        "transport", "address": "滨海大道"},
                              site_id)
            other.close()
        return result

    monkeypatch.setattr(importer, "make_plan", plan_then_someone_edits)
    changed = csv_bytes([["", "海口市", "海口站", "transport", "facility", "出口", "correct"]])
    report = importer.import_inventory(db, system, changed, "b.csv")
    assert len(plans) == 2 and report.signs_updated == 1
    assert db.execute("SELECT address FROM sites").fetchone()[0] == "滨海大道"


def test_an_inventory_that_keeps_changing_fails_cleanly(db, users, system, monkeypatch,
                                                         db_path):
    data = csv_bytes([["", "海口市", "海口站", "transport", "facility", "出口", "keep"]])
    importer.import_inventory(db, system, data, "a.csv")
    site_id = db.execute("SELECT id FROM sites").fetchone()[0]
    real = importer.make_plan
    edits = iter(range(100))

    def always_edited(*args, **kwargs):
        result = real(*args, **kwargs)
        other = dbmod.open_db(db_path)
        records.save_site(other, users["officer"], {"name_zh": "海口站", "sector": "transport",
                                                    "address": f"第{next(edits)}号"}, site_id)
        other.close()
        return result

    monkeypatch.setattr(importer, "make_plan", always_edited)
    before = db.execute("SELECT count(*) FROM inventory_imports").fetchone()[0]
    with pytest.raises(ValidationError, match="kept changing"):
        importer.import_inventory(db, system, csv_bytes(
            [["", "海口市", "海口站", "transport", "facility", "入口", "new"]]), "b.csv")
    assert db.execute("SELECT count(*) FROM inventory_imports").fetchone()[0] == before
    assert db.execute("SELECT count(*) FROM signs").fetchone()[0] == 1


def test_saves_during_a_large_import_do_not_fail(db_path, users, system):
    rows = [["海口市", f"场所{n % 40}", "transport", f"{n}号", "facility", f"出口{n % 50}",
             "keep"] for n in range(4000)]
    data = csv_bytes(rows, ("county", "site", "sector", "location", "function", "zh", "action"))
    setup = dbmod.open_db(db_path)
    site_id = records.save_site(setup, users["officer"], {"name_zh": "编辑中的场所",
                                                          "sector": "transport",
                                                          "county_id": users["officer"].county_id})
    setup.close()
    failures: list[BaseException] = []
    saves = []
    importing = threading.Event()

    def run_import() -> None:
        connection = dbmod.open_db(db_path)
        importing.set()
        try:
            importer.import_inventory(connection, system, data, "big.csv")
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    def save_repeatedly() -> None:
        connection = dbmod.open_db(db_path)
        importing.wait()
        for n in range(25):
            try:
                records.save_site(connection, users["officer"], {
                    "name_zh": "编辑中的场所", "sector": "transport", "address": f"{n} 号"},
                    site_id)
                saves.append(n)
            except BaseException as error:  # noqa: BLE001 - every failure counts
                failures.append(error)
        connection.close()

    threads = [threading.Thread(target=run_import)] + [
        threading.Thread(target=save_repeatedly) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and len(saves) == 75
    check = dbmod.open_db(db_path)
    assert check.execute("SELECT count(*) FROM signs").fetchone()[0] == 4000
    check.close()


def test_migration_0013_keeps_every_row_and_makes_codes_per_county(tmp_path):
    database = dbmod.open_db(tmp_path / "old.sqlite3")
    migrations.migrations.apply(database, stop_before="0013_county_sign_codes_pending_imports")
    database.conn.execute("BEGIN")
    audit.record(database, auth.system_actor("pytest"), "test.setup", "test", 1)
    database.execute("INSERT INTO counties (id, code, name_zh, name_en) VALUES "
                     "(1, 'haikou', '海口市', 'Haikou'), (2, 'sanya', '三亚市', 'Sanya')")
    database.execute("INSERT INTO sites (id, county_id, name_zh, sector, created_at, updated_at)"
                     " VALUES (1, 1, '站', 'transport', 'now', 'now'), "
                     "(2, 2, '站', 'transport', 'now', 'now')")
    database.execute("INSERT INTO signs (id, site_id, county_id, sign_code, function, zh, "
                     "action, created_at, updated_at) VALUES (7, 1, 1, 'A-1', 'facility', "
                     "'出口', 'keep', 'now', 'now')")
    database.execute("INSERT INTO sign_current_texts VALUES (7, 'en', 'Exit')")
    database.conn.commit()
    migrations.apply(database)
    assert database.execute("SELECT zh FROM signs WHERE id = 7").fetchone()[0] == "出口"
    assert database.execute("SELECT text FROM sign_current_texts").fetchone()[0] == "Exit"
    assert database.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert not database.execute("PRAGMA foreign_key_check").fetchall()
    database.conn.execute("BEGIN")
    audit.record(database, auth.system_actor("pytest"), "test.codes", "test", 2)
    database.execute("INSERT INTO signs (site_id, county_id, sign_code, function, zh, action, "
                     "created_at, updated_at) VALUES (2, 2, 'A-1', 'facility', '入口', 'keep', "
                     "'now', 'now')")
    with pytest.raises(Exception, match="UNIQUE"):
        database.execute("INSERT INTO signs (site_id, county_id, sign_code, function, zh, "
                         "action, created_at, updated_at) VALUES (1, 1, 'A-1', 'facility', "
                         "'入口', 'keep', 'now', 'now')")
    database.conn.rollback()
    database.close()
