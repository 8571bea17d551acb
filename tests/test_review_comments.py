"""Comments (threads, @mentions), clarification requests, word-level history diffs, the CLI."""
from __future__ import annotations

import pytest

from workbench import audit
from workbench.errors import NotFound, PermissionDenied, ValidationError
from workbench.review import comments, history, workflow
from tests.support.review import drafted_sign, make_sign, make_site, unit_of, unit_row


# --- comments and mentions ---------------------------------------------------------------------

def test_threaded_comments_with_mentions_of_existing_users_only(db, users):
    _sign_id, unit_id = drafted_sign(db)
    root = comments.add_comment(db, users["translator"], unit_id,
                                "@reviewer @nobody_here, Desk or Counter? (cc @Reviewer2)")
    # Case-insensitive; a name that is no user is not a mention.
    assert sorted(root["mentions"]) == ["reviewer", "reviewer2"]
    reply = comments.add_comment(db, users["reviewer"], unit_id, "Desk, see GB/T 30240.",
                                 parent_id=root["id"])
    nested = comments.add_comment(db, users["translator"], unit_id, "Thanks @reviewer。",
                                  parent_id=reply["id"])
    thread = comments.thread(db, unit_id, users["reviewer"])
    assert [(c["id"], c["depth"]) for c in thread] == [(root["id"], 0), (reply["id"], 1),
                                                       (nested["id"], 2)]
    assert thread[2]["mentions"] == ["reviewer"]  # Chinese full stop ends the name
    event = audit.history(db, "translation_unit", unit_id)[-1]
    assert event["action"] == "unit.comment" and event["after"]["comment"]["body"].startswith(
        "Thanks")


def test_mentions_wait_until_the_user_opens_the_unit(db, users):
    _sign_id, unit_id = drafted_sign(db)
    comments.add_comment(db, users["translator"], unit_id, "@reviewer please look")
    comments.add_comment(db, users["reviewer"], unit_id, "@reviewer note to self")  # not counted
    assert comments.count_unread_mentions(db, users["reviewer"]) == 1
    assert comments.unread_mentions(db, users["reviewer"])[0]["body"] == "@reviewer please look"
    comments.mark_mentions_read(db, users["reviewer"], unit_id)
    assert comments.count_unread_mentions(db, users["reviewer"]) == 0


def test_reply_must_belong_to_the_same_unit_and_body_is_required(db, users):
    _s1, first = drafted_sign(db)
    _s2, second = drafted_sign(db, "售票处", "Tickets")
    other = comments.add_comment(db, users["translator"], first, "on the first unit")
    with pytest.raises(NotFound):
        comments.add_comment(db, users["translator"], second, "reply", parent_id=other["id"])
    with pytest.raises(ValidationError):
        comments.add_comment(db, users["translator"], second, "   ")


def test_officer_sees_and_answers_only_their_county(db, users):
    haikou_sign = make_sign(db, make_site(db, "海口市"), "多功能厅")
    unit_id = unit_of(db, haikou_sign)
    with pytest.raises(PermissionDenied):
        comments.request_clarification(db, users["officer"], unit_id, "?")
    comments.request_clarification(db, users["translator"], unit_id,
                                   "What is this room used for?")
    assert unit_row(db, unit_id)["needs_clarification"] == 1
    assert comments.count_clarifications(db, users["officer"]) == 1
    assert comments.count_clarifications(db, users["officer_sanya"]) == 0
    open_items = comments.clarifications_for(db, users["officer"])
    assert open_items[0]["question"] == "What is this room used for?"
    assert open_items[0]["asked_by"] == "translator"
    with pytest.raises(NotFound):
        comments.add_comment(db, users["officer_sanya"], unit_id, "Not mine")
    answer = comments.add_comment(db, users["officer"], unit_id, "Meetings and training.")
    assert answer["kind"] == "answer"
    assert unit_row(db, unit_id)["needs_clarification"] == 0
    assert comments.count_clarifications(db, users["officer"]) == 0
    actions = [e["action"] for e in audit.history(db, "translation_unit", unit_id)]
    assert actions[-2:] == ["unit.answer", "unit.clarification_flag"]


def test_clarification_flag_does_not_change_the_version(db, users):
    _sign_id, unit_id = drafted_sign(db)
    version = unit_row(db, unit_id)["version"]
    comments.request_clarification(db, users["translator"], unit_id, "Which floor?")
    assert unit_row(db, unit_id)["version"] == version  # an open editor stays valid
    comments.resolve_clarification(db, users["reviewer"], unit_id)
    assert unit_row(db, unit_id)["needs_clarification"] == 0
    workflow.save_translation(db, users["translator"], unit_id, "Service Desk", version)


# --- history and diffs -------------------------------------------------------------------------

def test_word_diff_on_english_words():
    segments = history.word_diff("Ticket Counter", "Ticket Office", "en")
    assert [(s.op, s.text) for s in segments] == [("equal", "Ticket "), ("delete", "Counter"),
                                                 ("insert", "Office")]


def test_word_diff_on_chinese_and_japanese_characters():
    segments = history.word_diff("请勿吸烟", "禁止吸烟", "zh")
    assert [(s.op, s.text) for s in segments] == [("delete", "请勿"), ("insert", "禁止"),
                                                 ("equal", "吸烟")]
    assert history.tokenize("きっぷ売り場", "ja") == list("きっぷ売り場")
    assert history.tokenize("Выход с вокзала", "ru") == ["Выход", " ", "с", " ", "вокзала"]


def test_versions_list_every_change_newest_first_with_diffs(db, users):
    _sign_id, unit_id = drafted_sign(db, "售票处", "Ticket Counter")
    saved = workflow.save_translation(db, users["translator"], unit_id, "Ticket Office",
                                      unit_row(db, unit_id)["version"])
    workflow.submit(db, users["translator"], unit_id, saved["version"])
    rows = history.versions(db, unit_id, "en")
    assert [r["action"] for r in rows] == ["submit", "save", "draft"]
    assert rows[0]["text_changed"] is False and rows[1]["text_changed"] is True
    assert ("insert", "Office") in [(s.op, s.text) for s in rows[1]["diff"]]


# --- CLI ---------------------------------------------------------------------------------------

def test_cli_status_history_and_approve_as_a_named_reviewer(db, users, run_cli):
    _sign_id, unit_id = drafted_sign(db, "售票处", "Tickets")
    saved = workflow.save_translation(db, users["translator"], unit_id, "Ticket Office",
                                      unit_row(db, unit_id)["version"])
    in_review = workflow.submit(db, users["translator"], unit_id, saved["version"])
    status = run_cli("review", "status")
    assert status.exit_code == 0 and "in_review" in status.stdout
    stale = run_cli("review", "approve", unit_id, "--version", in_review["version"] - 1,
                    "--as", "reviewer")
    assert stale.exit_code != 0 and "changed" in stale.stderr
    own = run_cli("review", "approve", unit_id, "--version", in_review["version"],
                  "--as", "translator")
    assert own.exit_code != 0
    done = run_cli("review", "approve", unit_id, "--version", in_review["version"],
                   "--as", "reviewer")
    assert done.exit_code == 0, done.stderr
    assert unit_row(db, unit_id)["approved_by"] == "reviewer"
    shown = run_cli("review", "history", unit_id)
    assert "approve" in shown.stdout and "Ticket Office" in shown.stdout


def test_cli_check_fills_missing_qa(db, run_cli):
    _sign_id, unit_id = drafted_sign(db, "服务台", "Service Desk。")
    assert not db.execute("SELECT 1 FROM unit_qa WHERE unit_id = ?", [unit_id]).fetchone()
    result = run_cli("review", "check")
    assert result.exit_code == 0 and "Checked" in result.stdout
    assert db.execute("SELECT errors FROM unit_qa WHERE unit_id = ?", [unit_id]).fetchone()[0] >= 1


def test_a_fresh_machine_draft_shows_in_history_before_any_action(db):
    _sign_id, unit_id = drafted_sign(db, "售票处", "Ticket Counter")
    unit = unit_row(db, unit_id)
    assert history.versions(db, unit_id, "en") == []
    shown = history.versions(db, unit_id, "en", unit)
    assert [(r["version"], r["action"], r["recorded"]) for r in shown] == [
        (unit["version"], "draft", False)]
    assert shown[0]["target_text"] == "Ticket Counter"


def test_mentions_only_reach_people_who_may_see_the_unit(db, users):
    haikou_sign = make_sign(db, make_site(db, "海口市"), "多功能厅")
    unit_id = unit_of(db, haikou_sign)
    # A question to the county reaches its officer; the other county's learns nothing.
    comment = comments.request_clarification(db, users["translator"], unit_id,
                                             "@officer @officer_sanya which room is this?")
    assert comment["mentions"] == ["officer"]
    assert comments.count_unread_mentions(db, users["officer_sanya"]) == 0
    assert comments.count_unread_mentions(db, users["officer"]) == 1
    # The review roles' own discussion is not for officers, even when it names one.
    internal = comments.add_comment(db, users["translator"], unit_id, "@officer said Hall?")
    assert internal["mentions"] == []
