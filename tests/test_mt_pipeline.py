"""The drafting pipeline: translation memory (exact, fuzzy), then the engine; provenance."""
from __future__ import annotations

import contextlib

import pytest

from workbench import auth, plugins
from workbench.hooks import hookimpl
from workbench.mt import EngineUnavailable, get_engine, list_engines, memory
from workbench.mt.base import Draft, Engine
from workbench.mt.pipeline import draft_text, draft_texts

SETTINGS = {"MT_ENGINE": "rules", "TM_FUZZY_THRESHOLD": 75, "MODELS_DIR": "/nonexistent"}


@pytest.fixture
def tm(db):
    actor = auth.system_actor("pytest")
    memory.add_entry(db, actor, "禁止吸烟", "Smoking Prohibited", "zh", "en", "review")
    memory.add_entry(db, actor, "游客服务中心", "Visitor Centre", "zh", "en", "review")
    return db


def test_order_memory_exact_then_fuzzy_then_engine(tm):
    drafts = draft_texts(tm, ["禁止吸烟", "游客服务中心东", "禁止游泳", ""], "zh", "en",
                         settings=SETTINGS)
    exact, fuzzy, engine, empty = drafts
    assert (exact.text, exact.origin, exact.tm_score) == ("Smoking Prohibited", "tm-exact", 100)
    assert exact.tm_id and exact.engine == "memory"
    assert fuzzy.origin == "tm-fuzzy" and fuzzy.text == "Visitor Centre"
    assert 75 <= fuzzy.tm_score < 100 and fuzzy.tm_source == "游客服务中心"
    assert (engine.text, engine.origin, engine.engine) == ("No Swimming", "engine", "rules")
    assert empty.text == "" and empty.reason


def test_threshold_is_a_setting(tm):
    strict = dict(SETTINGS, TM_FUZZY_THRESHOLD=99)
    assert draft_text(tm, "游客服务中心东", settings=strict).origin == "engine"


def test_memory_can_be_skipped(tm):
    assert draft_texts(tm, ["禁止吸烟"], settings=SETTINGS, use_memory=False)[0].text == \
        "No Smoking"


def test_one_draft_per_text_in_order_with_duplicates(db):
    texts = ["出口", "入口", "出口", "  ", "龙昆南路"]
    drafts = draft_texts(db, texts, settings=SETTINGS)
    assert len(drafts) == len(texts)
    assert drafts[0].text == drafts[2].text and drafts[0] is not drafts[2]
    assert drafts[3].reason and drafts[4].text == "Longkun South Road"


def test_configured_engine_that_cannot_run_falls_back_to_rules(db):
    settings = dict(SETTINGS, MT_ENGINE="ct2")
    assert draft_text(db, "禁止停车", settings=settings).engine == "rules"


def test_engine_asked_for_by_name_must_exist(db):
    with pytest.raises(EngineUnavailable):
        draft_texts(db, ["出口"], engine="nope", settings=SETTINGS)
    with pytest.raises(EngineUnavailable, match="not available"):
        draft_texts(db, ["出口"], engine="marian", settings=SETTINGS)


def test_unsupported_pair_gives_reasons(db):
    drafts = draft_texts(db, ["出口"], "zh", "fr", settings=SETTINGS)
    assert drafts[0].text == "" and "fr" in str(drafts[0].reason)


@contextlib.contextmanager
def plugged_in(engine_id: str, pairs: list[tuple[str, str]], translate):
    """Plug a stand-in engine in for the test (a plugin, as an office's would be), and take
    it away afterwards."""
    class StandIn(Engine):
        id = engine_id
        name = f"stand-in {engine_id}"

        @classmethod
        def language_pairs(cls, settings):
            return pairs

        def translate_batch(self, texts, source, target):
            return [Draft(text=translate(t), engine=self.id) for t in texts]

    class StandInPlugin:
        @hookimpl
        def register_engines(self):
            return [StandIn]

    with plugins.installed(StandInPlugin(), name=f"test-{engine_id}"):
        yield StandIn


def test_registry_lists_engines_and_a_new_engine_plugs_in(db):
    ids = [e.id for e in list_engines(SETTINGS)]
    assert ids == ["rules"]
    assert {e.id for e in list_engines(SETTINGS, include_unavailable=True)} >= {
        "rules", "marian", "ct2"}
    with plugged_in("shout", [("zh", "en")], str.upper):
        assert get_engine("shout", db, SETTINGS).supports("zh", "en")
        assert "shout" in [e.id for e in list_engines(SETTINGS)]
        assert draft_text(db, "abc", engine="shout", settings=SETTINGS).text == "ABC"
    assert "shout" not in [e.id for e in list_engines(SETTINGS)]


def test_configured_engine_without_the_pair_falls_back_to_rules(db):
    with plugged_in("en-only", [("zh", "en")], lambda text: "EN"):
        settings = dict(SETTINGS, MT_ENGINE="en-only")
        assert draft_text(db, "禁止停车", "zh", "en", settings=settings).engine == "en-only"
        korean = draft_text(db, "禁止停车", "zh", "ko", settings=settings)
        assert (korean.engine, korean.text) == ("rules", "주차금지")


def test_model_folders_and_their_language_pairs(tmp_path):
    import json

    from workbench.mt import models

    def folder(name, config, files=None):
        path = tmp_path / name
        path.mkdir()
        (path / "config.json").write_text(json.dumps(config))
        for file_name, content in (files or {}).items():
            (path / file_name).write_text(json.dumps(content))
        return path

    folder("opus-mt-zh-en", {"model_type": "marian"})
    folder("my-signs", {"model_type": "marian"}, {"workbench.json": {"pairs": [["zh", "ko"]]}})
    folder("sign-model", {"model_type": "marian"},
           {"tokenizer_config.json": {"source_lang": "zh", "target_lang": "ru"}})
    folder("m2m100_418M", {"model_type": "m2m_100"})
    folder("nllb-200-distilled-600M", {"model_type": "m2m_100"})
    folder("bert", {"model_type": "bert"})
    found = {m.name: m for m in models.discover(tmp_path)}
    assert set(found) == {"opus-mt-zh-en", "my-signs", "sign-model", "m2m100_418M",
                          "nllb-200-distilled-600M"}
    assert found["opus-mt-zh-en"].pairs == (("zh", "en"),)
    assert found["my-signs"].pairs == (("zh", "ko"),)
    assert found["sign-model"].pairs == (("zh", "ru"),)
    assert ("zh", "ja") in found["m2m100_418M"].pairs
    assert found["m2m100_418M"].target_token("en") == "__en__"
    assert found["nllb-200-distilled-600M"].target_token("zh") == "zho_Hans"
    assert models.find_model(tmp_path, "hf", "zh", "ko").name == "m2m100_418M"
