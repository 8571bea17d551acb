"""Audit events as readable changes (workbench.history): labels, names, data kept as typed."""
from __future__ import annotations

from workbench import audit, auth
from workbench.history import describe
from workbench.messages import render, translator_for
from workbench.inventory import records
from workbench.review import workflow
from workbench.vocabulary import HISTORY_FIELDS, JOB_STATES
from tests.support.review import drafted_sign, make_site

ZH = translator_for("zh")


def _entry(db, entity_type: str, entity_id, action: str):
    events = [e for e in audit.history(db, entity_type, entity_id) if e["action"] == action]
    return describe(db, events)[-1]


def _shown(value) -> str:
    return "" if value is None else render(value.text, ZH)


def test_a_status_change_names_field_and_values(db, users):
    sign_id, _unit_id = drafted_sign(db, "服务台", "Service Desk")
    records.transition(db, users["staff"], sign_id, "reject", "照片不清楚")
    entry = _entry(db, "sign", sign_id, "sign.reject")
    assert render(entry.action_label, ZH) == "标识牌退回市县"
    shown = {render(c.field, ZH): c for c in entry.changes}
    status = shown["状态"]
    assert (_shown(status.before), _shown(status.after)) == ("已提交", "已退回")
    assert status.before.is_label and status.after.is_label
    reason = shown["退回原因"]
    assert _shown(reason.after) == "照片不清楚" and not reason.after.is_label


def test_a_new_record_lists_what_it_holds_with_names_and_languages(db):
    sign_id, _unit_id = drafted_sign(db, "服务台", "Service Desk", languages="en;ru")
    entry = _entry(db, "sign", sign_id, "sign.create")
    fields = {render(c.field, ZH): c for c in entry.changes}
    assert _shown(fields["中文"].after) == "服务台" and not fields["中文"].after.is_label
    assert _shown(fields[HISTORY_FIELDS.text("languages", ZH)].after) == "英语, 俄语"
    assert _shown(fields["场所"].after).startswith("测试场所")   # the site by name, not its id
    assert "updated_at" not in str(entry.changes) and "版本" not in fields  # bookkeeping hidden


def test_a_translation_keeps_its_language_and_the_person_is_not_labelled(db, users):
    _sign_id, unit_id = drafted_sign(db, "服务台", "Service Desk")
    unit = workflow.get_unit(db, unit_id)
    workflow.save_translation(db, users["translator"], unit_id, "Information Desk",
                              unit["version"])
    entry = _entry(db, "translation_unit", unit_id, "unit.save")
    text = next(c for c in entry.changes if render(c.field, ZH) == "译文")
    assert (text.before.text, text.after.text, text.after.lang) == (
        "Service Desk", "Information Desk", "en")
    assert entry.actor is None and entry.actor_name == "translator"


def test_system_actors_are_named(db):
    make_site(db)
    entry = describe(db, audit.search(db, action="site.create")[0])[0]
    assert entry.actor is None and entry.actor_name == "pytest"  # a name, shown as it is
    command_line = describe(db, [{"action": "site.create", "entity_type": "site",
                                  "entity_id": "1", "actor_name": "cli:ops", "actor_id": None,
                                  "before_json": None, "after_json": None, "ts": ""}])[0]
    assert render(command_line.actor, ZH) == "命令行（ops）"
    system = describe(db, [{"action": "unit.draft", "entity_type": "translation_unit",
                            "entity_id": "1", "actor_name": "drafting", "actor_id": None,
                            "before_json": None, "after_json": None, "ts": ""}])[0]
    assert render(system.actor, ZH) == "机器起草"


def test_concept_terms_are_compared_one_by_one(db):
    from workbench.glossary.model import TermRecord, get_concept
    from workbench.glossary.store import save_concept

    concept_id = db.execute("SELECT concept_id FROM glossary_terms WHERE lang = 'zh' AND "
                            "text = '出口' LIMIT 1").fetchone()[0]
    record = get_concept(db, concept_id)
    record.terms = [t for t in record.terms if t.text != "Way Out"] + [
        TermRecord("en", "Egress", "admitted")]
    save_concept(db, auth.system_actor("pytest"), record)
    entry = _entry(db, "concept", concept_id, "concept.update")
    shown = {render(c.field, ZH): c for c in entry.changes}
    assert _shown(shown["新增术语（英语，许用）"].after) == "Egress"
    assert _shown(shown["删除术语（英语，许用）"].before) == "Way Out"


def test_unknown_fields_and_stored_messages(db):
    from workbench.messages import dumps, msg

    event = {"action": "job.done", "entity_type": "job", "entity_id": "7", "actor_id": 3,
             "actor_name": "staff", "ts": "2026-12-04T07:30:00+00:00",
             "before_json": '{"state": "running"}',
             "after_json": '{"state": "done", "error": ' + dumps(msg("No such sign.")) + "}"}
    entry = describe(db, [event])[0]
    shown = {render(c.field, ZH): _shown(c.after) for c in entry.changes}
    assert shown == {"状态": JOB_STATES.text("done", ZH),
                     "错误": msg("No such sign.").render(ZH)}
    assert shown["错误"] != "No such sign."


def test_a_stored_time_is_named_and_marked_for_the_readers_zone(db):
    event = {"action": "user.login", "entity_type": "user", "entity_id": "1", "actor_id": 1,
             "actor_name": "admin", "ts": "2026-12-04T07:30:00+00:00",
             "before_json": '{"last_login_at": null}',
             "after_json": '{"last_login_at": "2026-12-04T07:30:00+00:00"}'}
    change = describe(db, [event])[0].changes[0]
    assert render(change.field, ZH) == "最近登录"
    assert change.after.is_time and change.after.text == "2026-12-04T07:30:00+00:00"


def test_the_audit_page_shows_a_sign_in_time_in_the_zone(db, admin_client):
    from datetime import datetime, timezone
    from tests.support.accounts import PASSWORD

    signed_in_at = datetime(2026, 12, 4, 7, 30, tzinfo=timezone.utc)
    assert auth.authenticate(db, "admin", PASSWORD, now=signed_in_at) is not None
    page = admin_client.get("/audit/").get_data(as_text=True)
    assert "2026-12-04 15:30 (UTC+8)" in page
    assert "last_login_at" not in page and "2026-12-04T07:30" not in page
