"""The audit chain: every change leaves an event; tampering is detected and located."""
import sqlite3

from workbench import audit, auth


def _edit_by_hand(db_path, sql):
    conn = sqlite3.connect(db_path)
    conn.execute(sql)
    conn.commit()
    conn.close()


def test_fresh_chain_verifies(db):
    result = audit.verify(db)
    assert result.ok and result.checked == db["audit_events"].count > 0


def test_edited_event_is_named(db, db_path):
    _edit_by_hand(db_path, "UPDATE audit_events SET after_json = '{}' WHERE id = 3")
    result = audit.verify(db)
    assert not result.ok and result.bad_event_id == 3 and "edited" in str(result.reason)


def test_deleted_event_is_named(db, db_path):
    _edit_by_hand(db_path, "DELETE FROM audit_events WHERE id = 4")
    result = audit.verify(db)
    assert not result.ok and result.bad_event_id == 4 and "missing" in str(result.reason)


def test_deleted_last_events_and_rehashed_tail_is_detected(db, db_path):
    # Replacing an event's hash to hide an edit breaks the next event's link.
    _edit_by_hand(db_path, "UPDATE audit_events SET hash = hex(randomblob(32)) WHERE id = 2")
    result = audit.verify(db)
    assert not result.ok and result.bad_event_id == 2


def test_cli_audit_verify(run_cli, db_path):
    ok = run_cli("audit", "verify")
    assert ok.exit_code == 0 and ok.stdout.startswith("OK")
    _edit_by_hand(db_path, "UPDATE audit_events SET action = 'x' WHERE id = 5")
    broken = run_cli("audit", "verify")
    assert broken.exit_code != 0 and "event 5" in broken.stderr


def test_user_changes_are_audited_with_before_and_after(db, users):
    auth.update_user(db, users["admin"], users["staff"].id, display_name="Chen Li")
    event = audit.history(db, "user", users["staff"].id)[-1]
    assert event["action"] == "user.update" and event["actor_name"] == "admin"
    assert event["before"]["display_name"] == "Staff"
    assert event["after"]["display_name"] == "Chen Li"
    assert "password_hash" not in event["after_json"]


def test_audit_page_filters_and_history(staff_client, db, users):
    auth.update_user(db, users["admin"], users["translator"].id, display_name="Wang Fang")
    page = staff_client.get("/audit/?entity_type=user&action=user.update").data.decode()
    assert "Wang Fang" in page and "<code>county.create</code>" not in page
    history = staff_client.get(f"/audit/user/{users['translator'].id}").data.decode()
    assert "Account created" in history and "Wang Fang" in history


def test_guard_catches_unaudited_writes(db_path):
    """The suite's audit guard itself: an unaudited write is reported as a violation."""
    from tests.support.audit_guard import AuditGuard
    from workbench.db import open_db, transaction

    guard = AuditGuard()
    database = open_db(db_path)
    guard.attach(database.conn)
    with transaction(database):
        database.execute("UPDATE counties SET name_en = 'X' WHERE id = 1")
    with transaction(database):
        database.execute("UPDATE counties SET name_en = 'Y' WHERE id = 1")
        audit.record(database, auth.system_actor(), "county.update", "county", 1)
    database.close()
    assert len(guard.violations) == 1 and "counties" in guard.violations[0]
