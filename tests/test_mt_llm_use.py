"""The `llm` engine where the workbench uses it: the pipeline's engine per profile and
fallback, `workbench draft`, document drafting, sign units, QA of flagged drafts, the
engines page. The model server is the scripted one on loopback."""
from __future__ import annotations

import json

import pytest

from tests.data.documents.sample_docx import build_sample_docx
from tests.support.fake_llm import replace_text, status
from workbench import audit, auth, jobs
from workbench.documents import drafting, store
from workbench.inventory import records
from workbench.mt.pipeline import draft_texts
from workbench.review import units, workflow

NOTICE = "请保管好您的随身物品，谨防丢失。"  # a sentence-long notice the rules leave empty


@pytest.fixture
def settings(llm_server, tmp_path, job_settings):
    # This test's database and inline jobs (document drafting is a job), the model server.
    return dict(job_settings, MODELS_DIR=str(tmp_path / "no-models"), LLM_URL=llm_server.url,
                LLM_MODEL="qwen2.5-7b-instruct", LLM_BACKOFF=0.01, LLM_RETRIES=1)


# --- the pipeline --------------------------------------------------------------------------


def test_signs_use_rules_then_the_model_for_what_they_leave_empty(db, settings, llm_server):
    llm_server.translations[NOTICE] = "Please keep your belongings with you."
    signs = dict(settings, MT_ENGINE_SIGNS="rules", MT_FALLBACK_SIGNS="llm")
    drafts = draft_texts(db, ["禁止吸烟", NOTICE], settings=signs)
    assert (drafts[0].engine, drafts[0].text) == ("rules", "No Smoking")
    assert (drafts[1].engine, drafts[1].text) == ("llm", "Please keep your belongings with you.")
    assert [s["source"] for r in llm_server.requests for s in r.segments] == [NOTICE]


def test_prose_uses_its_own_engine(db, settings, llm_server):
    prose = dict(settings, MT_ENGINE_PROSE="llm")
    assert draft_texts(db, ["禁止吸烟"], settings=prose)[0].engine == "rules"
    draft = draft_texts(db, ["坚持改革开放。"], settings=prose, profile="prose")[0]
    assert draft.engine == "llm" and "reform and opening up" in draft.text


def test_memory_comes_first(db, settings, llm_server):
    from workbench.mt import memory

    memory.add_entry(db, auth.system_actor("t"), NOTICE, "Mind your belongings.", "zh", "en",
                     "review")
    draft = draft_texts(db, [NOTICE], settings=dict(settings, MT_ENGINE_SIGNS="llm"))[0]
    assert draft.origin == "tm-exact" and llm_server.requests == []


def test_a_failing_fallback_keeps_the_first_engines_drafts(db, settings, llm_server):
    llm_server.script.extend([status(503), status(503)])
    signs = dict(settings, MT_FALLBACK_SIGNS="llm")
    drafts = draft_texts(db, ["禁止吸烟", NOTICE], settings=signs)
    assert drafts[0].text == "No Smoking"
    # The rules' partial draft of the notice stays, with why the model did not help.
    assert drafts[1].engine == "rules" and drafts[1].partial
    assert "did not answer" in str(drafts[1].reason)


def test_a_failing_primary_engine_is_an_error_the_caller_sees(db, settings, llm_server):
    from workbench.mt.base import EngineTemporarilyFailed

    llm_server.script.extend([status(500), status(500)])
    with pytest.raises(EngineTemporarilyFailed):
        draft_texts(db, ["坚持改革开放。"], settings=dict(settings, MT_ENGINE_PROSE="llm"),
                    profile="prose")


# --- command line --------------------------------------------------------------------------


@pytest.fixture
def llm_env(monkeypatch, llm_server, tmp_path):
    monkeypatch.setenv("WORKBENCH_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("WORKBENCH_LLM_URL", llm_server.url)
    monkeypatch.setenv("WORKBENCH_LLM_MODEL", "qwen2.5-7b-instruct")
    monkeypatch.setenv("WORKBENCH_LLM_BACKOFF", "0.01")
    return llm_server


def test_workbench_draft_with_the_llm_engine(run_cli, llm_env):
    llm_env.script.append(replace_text({"海南自由贸易港": "Hainan Free Trading Port"}))
    source = "海南自由贸易港\n坚持改革开放。\n\n"
    result = run_cli("draft", "--engine", "llm", "--profile", "prose", "--format", "jsonl", "-",
                     input=source)
    assert result.exit_code == 0, result.stderr
    records_ = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records_) == 3
    port, reform, empty = records_
    # Asked again with the forbidden rendering named; the good answer is kept.
    assert port["text"] == "Text 0 Hainan Free Trade Port" and port["flags"] == []
    assert "reform and opening up" in reform["text"] and reform["engine"] == "llm"
    assert reform["model"] == "qwen2.5-7b-instruct"
    assert reform["prompt_version"].startswith("signbench-llm-1+")
    assert empty["text"] == "" and empty["reason"]
    assert llm_env.requests[1].is_reask


def test_workbench_draft_shows_flags(run_cli, llm_env):
    wrong = replace_text({"坚持改革开放。": "Persist in reform."})
    llm_env.script.extend([wrong, wrong])
    result = run_cli("draft", "--engine", "llm", "--format", "jsonl", "-",
                     input="坚持改革开放。\n")
    flags = json.loads(result.stdout)["flags"]
    assert flags[0]["kind"] == "term_missing" and "reform and opening up" in flags[0]["message"]


def test_workbench_engines_and_cache(run_cli, llm_env):
    listing = run_cli("engines").stdout
    assert "llm" in listing and f"texts sent to {llm_env.url}/chat/completions" in listing
    run_cli("draft", "--engine", "llm", "-", input="禁止吸烟\n")
    assert "1 cached drafts" in run_cli("llm", "cache").stdout
    assert "Cleared 1" in run_cli("llm", "cache", "--clear").stdout


def test_engines_without_configuration_touch_nothing(run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_MODELS_DIR", str(tmp_path / "models"))
    listing = run_cli("engines", "--all").stdout
    assert "llm" in listing and "Not configured" in listing
    result = run_cli("draft", "--engine", "llm", "-", input="禁止吸烟\n")
    assert result.exit_code != 0 and "not available" in result.stderr


# --- documents -----------------------------------------------------------------------------


@pytest.fixture
def document_id(db, users):
    return store.create_document(db, users["staff"], "report.docx", build_sample_docx(),
                                 targets=["en"], assignees=[users["translator"].id])


def test_document_drafting_drafts_every_segment_keeping_terms_and_placeholders(
        db, users, settings, llm_server, document_id):
    rows = store.segment_rows(db, document_id, "en")
    run_id = drafting.start_draft(db, users["translator"], document_id, background=False,
                                  settings=dict(settings, MT_ENGINE_PROSE="llm"))
    run = jobs.get_run(db, run_id)
    assert run["state"] == "done"
    assert run["result"]["drafted"] == len(rows) == run["progress_total"]
    drafted = {row["source_text"]: workflow.get_unit(db, row["unit_id"])
               for row in store.segment_rows(db, document_id, "en")}
    assert all(u["state"] == "machine_draft" and u["draft_engine"] == "llm"
               for u in drafted.values())
    cell = drafted["进出口总额"]  # a table cell
    assert "total value of imports and exports" in cell["target_text"]
    bold = drafted["2025年，全省{1}地区生产总值{/1}增长3.5%。"]
    assert "{1}" in bold["target_text"] and "{/1}" in bold["target_text"]
    assert bold["draft_model"] == "qwen2.5-7b-instruct"
    assert bold["draft_prompt"].startswith("signbench-llm-1+") and bold["draft_flags"] is None
    segments = {s["source"]: s for r in llm_server.requests for s in r.segments}
    assert segments["进出口总额"]["context_before"][-1] == "增长率"  # the cell before it
    assert all(not workflow.current_findings(db, u) or all(
        f["check_id"] != "machine_draft" for f in workflow.current_findings(db, u))
        for u in drafted.values())


def test_a_server_that_keeps_failing_is_retried_by_the_job_system(db, users, settings,
                                                                  llm_server, document_id):
    # Both of the client's own attempts fail: the run is queued again with a backoff,
    # and the second run, with the server back, drafts every segment.
    llm_server.script.extend([status(503), status(502)])
    run_id = drafting.start_draft(db, users["translator"], document_id, background=False,
                                  settings=dict(settings, MT_ENGINE_PROSE="llm",
                                                LLM_MAX_CONCURRENCY=1,
                                                JOBS_RETRY_DELAY=0.01))
    run = jobs.get_run(db, run_id)
    assert run["state"] == "done" and run["attempts"] == 2
    assert run["result"]["drafted"] == len(store.segment_rows(db, document_id, "en"))
    actions = [event["action"] for event in audit.history(db, "job", run_id)]
    assert actions.count("job.retry") == 1


def test_a_server_that_never_answers_fails_the_run_after_its_attempts(
        db, users, settings, llm_server, document_id):
    from workbench.mt.base import EngineTemporarilyFailed

    llm_server.script.extend([status(500)] * 20)
    with pytest.raises(EngineTemporarilyFailed):  # the foreground caller sees it, recorded
        drafting.start_draft(db, users["translator"], document_id, background=False,
                             settings=dict(settings, MT_ENGINE_PROSE="llm", LLM_MAX_CONCURRENCY=1,
                                           JOBS_RETRY_DELAY=0.01, JOBS_MAX_ATTEMPTS=2))
    run = drafting.latest_run(db, document_id)
    assert run is not None and run["state"] == "failed" and run["attempts"] == 2
    assert "gave up after 2 attempts" in str(run["error"])
    assert "did not answer" in str(run["error"])


def test_a_flagged_document_draft_is_a_qa_error_until_fixed(db, users, settings, llm_server,
                                                             document_id):
    source = "2025年，全省{1}地区生产总值{/1}增长3.5%。"
    lost = replace_text({source: "In 2025 the province's GDP grew by 3.5%."})
    llm_server.script.extend([lost, lost])
    drafting.start_draft(db, users["translator"], document_id, background=False,
                             settings=dict(settings, MT_ENGINE_PROSE="llm",
                                           LLM_BATCH_SIZE=50))
    row = next(r for r in store.segment_rows(db, document_id, "en") if r["source_text"] == source)
    unit = workflow.get_unit(db, row["unit_id"])
    assert unit["state"] == "machine_draft" and json.loads(unit["draft_flags"])
    findings = workflow.current_findings(db, unit)
    checks = {f["check_id"] for f in findings}
    assert {"machine_draft", "placeholders"} <= checks
    machine = next(f for f in findings if f["check_id"] == "machine_draft")
    assert machine["severity"] == "error" and "gross regional product" in str(machine["message"])
    fixed = workflow.save_translation(
        db, users["translator"], unit["id"],
        "In 2025, the province's {1}gross regional product{/1} grew by 3.5%.", unit["version"])
    assert not [f for f in workflow.current_findings(db, fixed)
                if f["check_id"] in ("machine_draft", "placeholders")]


# --- signs ---------------------------------------------------------------------------------


def test_sign_units_drafted_by_the_model_carry_provenance_and_flags(db, users, settings,
                                                                     llm_server):
    county = db.execute("SELECT id FROM counties WHERE name_zh = '海口市'").fetchone()[0]
    site = records.save_site(db, users["admin"], {"county_id": county, "name_zh": "假日海滩",
                                                  "sector": "tourism_culture"})
    sign_id = records.create_sign(db, users["admin"], site, {
        "zh": "游泳区域禁止吸烟", "function": "prohibition", "action": "new", "languages": "en"})
    wrong = replace_text({"游泳区域禁止吸烟": "Forbid Smoking in the Swimming Area"})
    llm_server.script.extend([wrong, wrong])
    assert units.draft_units_of_signs(db, users["admin"], [sign_id],
                                      settings=dict(settings, MT_ENGINE_SIGNS="llm")) == 1
    assert llm_server.requests[0].segments[0]["kind"] == "prohibition sign"
    unit = workflow.get_unit(db, units.units_for_sign(db, sign_id)[0]["id"])
    assert unit["draft_engine"] == "llm" and unit["draft_model"] == "qwen2.5-7b-instruct"
    flags = json.loads(unit["draft_flags"])
    assert {f["kind"] for f in flags} >= {"term_forbidden"}
    findings = workflow.current_findings(db, unit)
    assert any(f["check_id"] == "machine_draft" and f["severity"] == "error" for f in findings)
    result = workflow.bulk_approve(db, users["reviewer"], [(unit["id"], unit["version"])])
    assert result.refused and "Machine draft" in str(result.refused[0][1])


# --- web -----------------------------------------------------------------------------------


@pytest.fixture
def app_config(app_config, tmp_path, llm_server):
    return dict(app_config, MODELS_DIR=str(tmp_path / "no-models"), LLM_URL=llm_server.url,
                LLM_MODEL="qwen2.5-7b-instruct", MT_ENGINE_PROSE="llm", LLM_BACKOFF=0.01)


def test_engines_page_shows_state_and_where_texts_go(reviewer_client, llm_server):
    html = reviewer_client.get("/engines/").get_data(as_text=True)
    assert "llm" in html and "Sent to" in html and f"{llm_server.url}/chat/completions" in html
    assert "WORKBENCH_LLM_ALLOW_REMOTE" in html  # the privacy note


def test_engines_page_tries_prose_and_shows_problems(translator_client, llm_server):
    llm_server.script.extend([replace_text({"坚持改革开放。": "Persist in reform."})] * 2)
    html = translator_client.get("/engines/", query_string={
        "text": "坚持改革开放。", "profile": "prose"}).get_data(as_text=True)
    assert "Persist in reform." in html and "reform and opening up" in html
    assert "signbench-llm-1+" in html


def test_engines_page_says_when_the_server_does_not_answer(translator_client, llm_server):
    llm_server.script.extend([status(503)] * 3)
    html = translator_client.get("/engines/", query_string={
        "text": "坚持改革开放。", "profile": "prose"}).get_data(as_text=True)
    assert "did not answer" in html


def test_a_flagged_draft_shows_on_the_segment_page_in_chinese(app, db, users, login,
                                                              llm_server, document_id):
    source = "坚持改革开放，优化营商环境。"
    wrong = replace_text({source: "Persist in reform, improve the business environment."})
    llm_server.script.extend([wrong, wrong])
    drafting.start_draft(db, users["translator"], document_id, background=False,
                             settings=dict(app.config, LLM_BATCH_SIZE=50))
    row = next(r for r in store.segment_rows(db, document_id, "en") if r["source_text"] == source)
    client = login("translator")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    html = client.get(f"/documents/{document_id}/segments/{row['segment_id']}",
                      query_string={"lang": "en"}).get_data(as_text=True)
    assert "机器初稿：术语库中“改革开放”的译法为 “reform and opening up”，初稿未采用。" in html
