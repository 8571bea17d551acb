"""The `llm` engine against a scripted OpenAI-compatible server on loopback.

Request contents (rules, glossary terms, memory examples, context, placeholders),
reply parsing, verification and the one re-ask, the cache, batch and concurrency
limits, retries and provenance. Quality is not claimed here: the server's
answers are scripted.
"""
from __future__ import annotations

import threading

import pytest

from tests.support.fake_llm import raw, replace_text, slow, status, translations_json
from workbench import auth
from workbench.config import DEFAULTS
from workbench.errors import WorkbenchError
from workbench.mt import get_engine, list_engines, memory
from workbench.mt.base import (
    DraftContext,
    EngineTemporarilyFailed,
    EngineUnavailable,
    engine_classes,
)
from workbench.mt.llm import cache
from workbench.mt.llm.client import ModelServerError
from workbench.mt.llm.endpoints import is_local_or_private
from workbench.mt.pipeline import draft_texts


@pytest.fixture
def settings(llm_server, tmp_path):
    return dict(DEFAULTS, MODELS_DIR=str(tmp_path / "no-models"), LLM_URL=llm_server.url,
                LLM_MODEL="qwen2.5-7b-instruct", LLM_BACKOFF=0.01, LLM_TIMEOUT=5.0)


def engine_drafts(db, settings, texts, profile="sign", contexts=None, target="en"):
    return get_engine("llm", db, settings).translate_in_context(texts, "zh", target, profile,
                                                                contexts)


# --- configuration and privacy -----------------------------------------------------------


def test_not_configured_is_listed_with_the_reason_and_sends_nothing(db, tmp_path, llm_server):
    settings = dict(DEFAULTS, MODELS_DIR=str(tmp_path / "none"))
    info = {e.id: e for e in list_engines(settings, include_unavailable=True)}["llm"]
    assert not info.available and "WORKBENCH_LLM_URL" in str(info.reason)
    assert "llm" not in [e.id for e in list_engines(settings)]
    with pytest.raises(EngineUnavailable):
        draft_texts(db, ["禁止吸烟"], engine="llm", settings=settings)
    # Configured engines that cannot run fall back to the rules, with no request made.
    settings.update(MT_ENGINE_PROSE="llm", MT_FALLBACK_SIGNS="llm")
    assert draft_texts(db, ["吃饭了吗"], settings=settings)[0].engine == "rules"
    assert draft_texts(db, ["禁止吸烟"], settings=settings, profile="prose")[0].engine == "rules"
    assert llm_server.requests == []


def test_a_server_outside_private_networks_needs_allow_remote(db, settings):
    remote = dict(settings, LLM_URL="http://8.8.4.4:8000/v1")
    reason = engine_classes(remote)["llm"].availability(remote)
    assert "WORKBENCH_LLM_ALLOW_REMOTE" in str(reason)
    with pytest.raises(EngineUnavailable):
        get_engine("llm", db, remote)
    assert get_engine("llm", db, dict(remote, LLM_ALLOW_REMOTE=True))
    assert is_local_or_private("127.0.0.1") and is_local_or_private("localhost")
    assert is_local_or_private("192.168.1.20") and is_local_or_private("10.0.0.5")
    assert is_local_or_private("fd00::1") and not is_local_or_private("8.8.8.8")


def test_named_endpoints_are_engines_of_their_own(db, settings, monkeypatch, llm_server):
    monkeypatch.setenv("WORKBENCH_LLM_QWEN_URL", llm_server.url)
    monkeypatch.setenv("WORKBENCH_LLM_QWEN_MODEL", "qwen-max")
    monkeypatch.setenv("WORKBENCH_LLM_QWEN_API_KEY", "sk-test-secret")
    named = dict(settings, LLM_ENDPOINTS="qwen,cloud")
    infos = {e.id: e for e in list_engines(named, include_unavailable=True)}
    assert infos["llm:qwen"].available and "qwen-max" in infos["llm:qwen"].destination
    assert not infos["llm:cloud"].available
    assert "WORKBENCH_LLM_CLOUD_URL" in str(infos["llm:cloud"].reason)
    draft = draft_texts(db, ["请勿吸烟"], engine="llm:qwen", settings=named)[0]
    assert draft.engine == "llm:qwen" and draft.model == "qwen-max"
    request = llm_server.requests[-1]
    assert request.body["model"] == "qwen-max"
    assert request.headers["Authorization"] == "Bearer sk-test-secret"


def test_api_key_comes_from_the_environment_only(db, settings, monkeypatch, llm_server):
    draft_texts(db, ["请勿吸烟"], engine="llm", settings=settings)
    assert "Authorization" not in llm_server.requests[-1].headers
    monkeypatch.setenv("WORKBENCH_LLM_API_KEY", "sk-from-env")
    draft_texts(db, ["请勿触摸"], engine="llm", settings=settings)
    assert llm_server.requests[-1].headers["Authorization"] == "Bearer sk-from-env"
    in_file = dict(settings, LLM_ENDPOINTS={"lan": {"url": llm_server.url, "model": "m",
                                                     "api_key": "sk-in-config"}})
    info = {e.id: e for e in list_engines(in_file, include_unavailable=True)}["llm:lan"]
    assert not info.available and "environment" in str(info.reason)


# --- the request ----------------------------------------------------------------------------


def test_request_states_profile_rules_terms_examples_and_placeholders(db, settings, llm_server):
    memory.add_entry(db, auth.system_actor("t"), "禁止在此吸烟", "No Smoking Here", "zh", "en",
                     "review")
    engine_drafts(db, settings, ["禁止在此处吸烟"], contexts=[DraftContext("prohibition")])
    request = llm_server.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "qwen2.5-7b-instruct"
    assert request.body["response_format"] == {"type": "json_object"}
    assert '"translations"' in request.messages[0]["content"]  # the reply's schema
    payload = request.payload
    assert any("title case" in rule for rule in payload["rules"])
    assert any("CAUTION" in rule for rule in payload["rules"] + payload["segments"][0].get(
        "rules", [])) is False  # warning rules are for warnings only
    segment = payload["segments"][0]
    assert segment["kind"] == "prohibition sign"
    assert any("No + gerund" in rule for rule in segment["rules"])
    assert segment["examples"][0] == {"source": "禁止在此吸烟", "translation": "No Smoking Here",
                                      "similarity": segment["examples"][0]["similarity"]}
    assert 50 <= segment["examples"][0]["similarity"] < 100


def test_request_carries_glossary_renderings_and_document_context(db, settings, llm_server):
    context = DraftContext(before=("第一句。", "第二句。", "第三句。"), after=("下一句。",))
    engine_drafts(db, settings, ["坚持改革开放，{1}优化营商环境{/1}。"], profile="prose",
                  contexts=[context])
    segment = llm_server.requests[0].segments[0]
    assert segment["kind"] == "sentence of an official document"
    terms = {t["term"]: t for t in segment["glossary"]}
    assert terms["改革开放"]["use"][0] == "reform and opening up"
    assert terms["改革开放"]["never"] == ["reform and open"] and terms["改革开放"]["required"]
    assert "improve the business environment" in terms["优化营商环境"]["use"]
    assert segment["placeholders"] == ["{1}", "{/1}"]
    # MT_CONTEXT_SEGMENTS (2) on each side, nearest kept.
    assert segment["context_before"] == ["第二句。", "第三句。"]
    assert segment["context_after"] == ["下一句。"]
    rules = llm_server.requests[0].payload["rules"]
    assert any("official document" in rule for rule in rules)
    assert not any("title case" in rule for rule in rules)  # no sign rules in prose


def test_prose_is_not_held_to_sign_vocabulary(db, settings, llm_server):
    # 出口 is "Exit" on a sign but "export" in a trade report; 面 (noodles) is noise.
    engine_drafts(db, settings, ["扩大出口，全面实施海南自由贸易港建设总体方案。"],
                  profile="prose")
    terms = [t["term"] for t in llm_server.requests[0].segments[0]["glossary"]]
    assert terms == ["海南自由贸易港建设总体方案"]


# --- replies, verification, re-ask -----------------------------------------------------------


def test_good_reply_gives_clean_drafts_with_provenance(db, settings, llm_server):
    llm_server.translations.update({"禁止吸烟": "No Smoking", "小心地滑": "CAUTION//Wet Floor"})
    drafts = engine_drafts(db, settings, ["禁止吸烟", "小心地滑"])
    assert [d.text for d in drafts] == ["No Smoking", "CAUTION//Wet Floor"]
    for draft in drafts:
        assert draft.engine == "llm" and draft.model == "qwen2.5-7b-instruct"
        assert draft.prompt_version.startswith("signbench-llm-1+") and draft.flags == []
    assert drafts[0].terms[0].target == "No Smoking"
    assert len(llm_server.requests) == 1  # one batch, no re-ask


def test_glossary_violation_is_asked_again_once_with_the_problem_named(db, settings,
                                                                       llm_server):
    llm_server.script.append(replace_text({"禁止吸烟": "Forbid Smoking"}))
    llm_server.translations["禁止吸烟"] = "No Smoking"
    drafts = engine_drafts(db, settings, ["禁止吸烟"])
    assert drafts[0].text == "No Smoking" and drafts[0].flags == []
    first, again = llm_server.requests
    assert not first.is_reask and again.is_reask
    assert again.messages[-2]["role"] == "assistant"
    problems = again.segments[0]["problems"]
    assert again.segments[0]["previous_translation"] == "Forbid Smoking"
    assert any("Forbid Smoking" in p and "forbidden" in p for p in problems)
    assert any("No Smoking" in p for p in problems)


def test_a_draft_still_breaking_the_glossary_is_kept_with_flags(db, settings, llm_server):
    wrong = {"坚持改革开放，优化营商环境。": "We persist in reform and open, and optimize the "
                                              "business climate."}
    llm_server.script.extend([replace_text(wrong), replace_text(wrong)])
    draft = engine_drafts(db, settings, ["坚持改革开放，优化营商环境。"], profile="prose")[0]
    assert draft.text == wrong["坚持改革开放，优化营商环境。"]  # kept as the model wrote it
    kinds = sorted((f["kind"], f["term"]) for f in draft.flags)
    assert kinds == [("term_forbidden", "改革开放"), ("term_missing", "优化营商环境"),
                     ("term_missing", "改革开放")]
    assert len(llm_server.requests) == 2  # asked again once, not more


def test_lost_placeholders_are_asked_for_then_flagged(db, settings, llm_server):
    source = "2025年，全省{1}地区生产总值{/1}增长3.5%。{2/}"
    lost = "In 2025 the province's gross regional product grew by 3.5%."
    llm_server.script.extend([replace_text({source: lost}), replace_text({source: lost})])
    draft = engine_drafts(db, settings, [source], profile="prose")[0]
    assert draft.text == lost
    assert {f["placeholder"] for f in draft.flags if f["kind"] == "placeholder_missing"} == {
        "{1}", "{/1}", "{2/}"}
    assert llm_server.requests[1].segments[0]["placeholders"] == ["{1}", "{/1}", "{2/}"]


def test_the_corrected_answer_is_taken_when_the_re_ask_fixes_it(db, settings, llm_server):
    source = "全省{1}地区生产总值{/1}增长。"
    llm_server.script.append(replace_text({source: "The gross regional product grew."}))
    llm_server.translations[source] = "The {1}gross regional product{/1} grew."
    draft = engine_drafts(db, settings, [source], profile="prose")[0]
    assert draft.text == "The {1}gross regional product{/1} grew." and draft.flags == []


@pytest.mark.parametrize("reply", [
    "Sure! Here is the translation: No Smoking",
    '{"translation": "No Smoking"}',
    '{"translations": [{"id": "0"}]}',
    "",
])
def test_replies_that_do_not_parse_are_refused(db, settings, llm_server, reply):
    llm_server.script.extend([raw(reply), raw(reply)])
    draft = engine_drafts(db, settings, ["禁止吸烟"])[0]
    assert draft.text == "" and draft.engine == "llm"
    assert "even when asked again" in str(draft.reason)
    assert len(llm_server.requests) == 2
    assert llm_server.requests[1].segments[0]["problems"]
    assert cache.stats(db)["drafts"] == 0  # a failure is not cached


def test_fenced_json_and_a_think_block_are_read(db, settings, llm_server):
    content = translations_json({"0": "No Smoking"})
    llm_server.script.append(raw(f"<think>The user wants…</think>\n```json\n{content}\n```"))
    assert engine_drafts(db, settings, ["禁止吸烟"])[0].text == "No Smoking"


def test_an_answer_cut_off_at_the_token_limit_is_asked_for_in_halves(db, settings, llm_server):
    llm_server.script.append(raw('{"translations": [{"id": "0", "transl', "length"))
    drafts = engine_drafts(db, settings, ["禁止吸烟", "禁止停车", "禁止游泳"])
    assert all(d.text and not d.flags for d in drafts)
    assert [len(r.segments) for r in llm_server.requests] == [3, 1, 2]
    assert not any(r.is_reask for r in llm_server.requests)


def test_a_malformed_reply_is_asked_again_and_the_answer_used(db, settings, llm_server):
    llm_server.script.append(raw('{"translations": [{"id": "0", "translation": '))
    llm_server.translations["禁止吸烟"] = "No Smoking"
    assert engine_drafts(db, settings, ["禁止吸烟"])[0].text == "No Smoking"
    assert "not valid JSON" in llm_server.requests[1].segments[0]["problems"][0]


# --- cache ------------------------------------------------------------------------------------


def test_cache_by_text_profile_glossary_model_and_prompt(db, settings, llm_server):
    engine_drafts(db, settings, ["禁止吸烟"])
    engine_drafts(db, settings, ["禁止吸烟"])
    assert len(llm_server.requests) == 1
    engine_drafts(db, settings, ["禁止吸烟"], contexts=[DraftContext("prohibition")])
    engine_drafts(db, settings, ["禁止吸烟"], profile="prose")
    engine_drafts(db, settings, ["禁止吸烟"], target="ru")
    engine_drafts(db, dict(settings, LLM_MODEL="other-model"), ["禁止吸烟"])
    engine_drafts(db, dict(settings, ROAD_NAME_STYLE="abbreviated"), ["禁止吸烟"])  # prompt
    assert len(llm_server.requests) == 6
    from workbench.db import transaction
    from workbench.glossary.match import bump_version
    with transaction(db):
        bump_version(db)
    engine_drafts(db, settings, ["禁止吸烟"])
    assert len(llm_server.requests) == 7
    assert cache.stats(db)["drafts"] == 7


def test_flagged_drafts_are_cached_with_their_flags(db, settings, llm_server):
    llm_server.script.extend([replace_text({"禁止吸烟": "Forbid Smoking"})] * 2)
    first = engine_drafts(db, settings, ["禁止吸烟"])[0]
    second = engine_drafts(db, settings, ["禁止吸烟"])[0]
    assert len(llm_server.requests) == 2
    assert second.text == first.text == "Forbid Smoking" and second.flags == first.flags != []
    assert cache.stats(db) == {"drafts": 1, "flagged": 1}


# --- limits, retries --------------------------------------------------------------------------


def test_batches_respect_size_and_characters(db, settings, llm_server):
    texts = [f"第{n}号登机口" for n in range(1, 8)]
    engine_drafts(db, dict(settings, LLM_BATCH_SIZE=3), texts)
    # Batches run concurrently: their order of arrival varies.
    assert sorted(len(r.segments) for r in llm_server.requests) == [1, 3, 3]
    llm_server.requests.clear()
    engine_drafts(db, dict(settings, LLM_BATCH_SIZE=10, LLM_BATCH_CHARS=12,
                           LLM_MODEL="m2"), texts)
    assert sorted(len(r.segments) for r in llm_server.requests) == [1, 2, 2, 2]


def test_concurrency_is_bounded_across_callers(db, settings, llm_server, db_path):
    from workbench.db import open_db

    llm_server.delay = 0.15
    limited = dict(settings, LLM_BATCH_SIZE=1, LLM_MAX_CONCURRENCY=2)
    texts = [f"第{n}号站台" for n in range(1, 7)]
    other_db = open_db(db_path)
    other = threading.Thread(target=lambda: engine_drafts(
        other_db, dict(limited, LLM_MODEL="second"), [f"第{n}号出口" for n in range(1, 5)]))
    other.start()
    drafts = engine_drafts(db, limited, texts)
    other.join()
    other_db.close()
    assert all(d.text for d in drafts) and len(llm_server.requests) == 10
    assert llm_server.max_in_flight == 2


def test_timeouts_and_5xx_are_retried_with_backoff(db, settings, llm_server, monkeypatch):
    from workbench.mt.llm import client

    llm_server.script.extend([status(503, retry_after="0"), slow(1.5), status(502)])
    llm_server.translations["禁止吸烟"] = "No Smoking"
    waits: list[float] = []
    original = client.ChatClient.__init__
    monkeypatch.setattr(client.ChatClient, "__init__",
                        lambda self, endpoint, sleep=None: original(self, endpoint, waits.append))
    draft = engine_drafts(db, dict(settings, LLM_TIMEOUT=0.5, LLM_RETRIES=3, LLM_BACKOFF=0.2),
                          ["禁止吸烟"])[0]
    assert draft.text == "No Smoking"
    assert waits == [0.2, 0.4, 0.8]  # doubling back-off between the four attempts
    assert len(llm_server.requests) == 4


def test_a_server_that_keeps_failing_raises_a_temporary_error(db, settings, llm_server):
    llm_server.script.extend([status(500)] * 3)
    with pytest.raises(EngineTemporarilyFailed, match="did not answer after 3 attempts"):
        engine_drafts(db, dict(settings, LLM_RETRIES=2), ["禁止吸烟"])
    assert len(llm_server.requests) == 3


def test_finished_batches_are_cached_when_another_fails(db, settings, llm_server):
    llm_server.script.extend([lambda request, server: server.default_answer(request),
                              status(500), status(500)])
    limited = dict(settings, LLM_BATCH_SIZE=1, LLM_MAX_CONCURRENCY=1, LLM_RETRIES=1)
    with pytest.raises(EngineTemporarilyFailed):
        engine_drafts(db, limited, ["禁止吸烟", "禁止停车"])
    assert cache.stats(db)["drafts"] == 1
    drafts = engine_drafts(db, limited, ["禁止吸烟", "禁止停车"])  # the job tries again
    assert all(d.text for d in drafts) and len(llm_server.requests) == 4


def test_a_refusal_is_not_retried(db, settings, llm_server):
    llm_server.script.append(status(401, body={"error": {"message": "invalid api key"}}))
    with pytest.raises(ModelServerError, match="invalid api key"):
        engine_drafts(db, settings, ["禁止吸烟"])
    assert len(llm_server.requests) == 1


def test_a_server_without_json_mode_is_asked_without_it(db, settings, llm_server):
    llm_server.script.append(status(400, body={"error": {"message": "response_format is not "
                                                                     "supported"}}))
    draft = engine_drafts(db, dict(settings, LLM_MODEL="plain"), ["禁止吸烟"])[0]
    assert draft.text
    assert "response_format" in llm_server.requests[0].body
    assert "response_format" not in llm_server.requests[1].body


def test_redirects_are_not_followed(db, settings, llm_server):
    llm_server.script.append(lambda request, server: (
        307, {"Location": "http://127.0.0.1:9/elsewhere"}, b""))
    with pytest.raises(WorkbenchError):
        engine_drafts(db, settings, ["禁止吸烟"])
    assert len(llm_server.requests) == 1


# --- what a draft is held to ------------------------------------------------------------------


def held(db, text, profile="sign"):
    from workbench.glossary.match import load_glossary
    from workbench.mt.verify import held_terms

    return {t.source: t for t in held_terms(load_glossary(db, "zh", "en"), text, profile)}


def test_labels_are_held_to_their_vocabulary_and_notices_to_their_names(db):
    label = held(db, "地下停车场")
    assert label["地下停车场"].must_use and label["地下停车场"].whole
    notice = held(db, "请保管好您的随身物品，谨防丢失。")
    assert not any(t.must_use for t in notice.values())  # guidance, not required
    assert notice["随身物品"].forbidden  # "Body Things" is still checked
    operators = held(db, "请勿吸烟")
    assert all(not t.must_use for s, t in operators.items() if s == "请勿")
    names = held(db, "欢迎来到海口美兰国际机场，请保管好随身物品。")
    assert names["海口美兰国际机场"].must_use


def test_verification_and_recorded_flags_follow_the_wording(db):
    from workbench.mt.verify import still_broken, verify

    terms = list(held(db, "游泳区域禁止吸烟").values())
    assert verify("游泳区域禁止吸烟", "No Smoking in the Swimming Area", terms, "en") == []
    flags = verify("游泳区域禁止吸烟", "Forbid Smoking in the Swimming Area", terms, "en")
    assert {(f["kind"], f["term"]) for f in flags} == {("term_missing", "禁止吸烟"),
                                                      ("term_forbidden", "禁止吸烟")}
    for flag in flags:
        assert still_broken(flag, "游泳区域禁止吸烟", "Forbid smoking in the swimming area", "en")
        assert not still_broken(flag, "游泳区域禁止吸烟", "No Smoking in the Swimming Area", "en")
    lost = verify("{1}总值{/1}增长{2/}", "{1}growth{/1}{3/}", [], "en")
    assert [(f["kind"], f["placeholder"]) for f in lost] == [
        ("placeholder_missing", "{2/}"), ("placeholder_extra", "{3/}")]


def test_the_qa_check_reports_flags_only_while_they_hold(db):
    from workbench.checks import run_checks

    flags = [{"kind": "term_missing", "term": "禁止吸烟", "renderings": ["No Smoking"]}]
    found = run_checks(db, "禁止吸烟", "Smoking Forbidden", "en",
                       context={"draft_flags": flags}, only=["machine_draft"])
    assert [f.check for f in found] == ["machine_draft"] and found[0].suggestion == "No Smoking"
    assert "No Smoking" in str(found[0].message)
    assert not run_checks(db, "禁止吸烟", "No Smoking", "en", context={"draft_flags": flags},
                          only=["machine_draft"])
    assert not run_checks(db, "禁止吸烟", "Smoking Forbidden", "en", only=["machine_draft"])
