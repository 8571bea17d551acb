"""Neural engines on a tiny Marian model built here (random weights, nothing downloaded).

The model is built once per session: a SentencePiece vocabulary trained on sign
lines, a two-layer MarianMTModel, saved as an OPUS-MT style folder, and converted
to CTranslate2 int8 with the workbench's converter. The tests run the real
loading, batching, caching, enforcement and conversion code on it.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("ctranslate2")

from workbench.mt import get_engine, list_engines, models  # noqa: E402
from workbench.mt import neural  # noqa: E402
from workbench.mt.pipeline import draft_texts  # noqa: E402
from tests.data.mt.tiny_model import build_tiny_marian  # noqa: E402
from tests.test_mt_enforce import GLOSSARY  # noqa: E402

pytestmark = pytest.mark.neural
NAME = "opus-mt-zh-en"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("models")
    build_tiny_marian(folder, NAME)
    models.convert(folder, NAME, "int8")
    return folder


@pytest.fixture
def settings(models_dir) -> dict:
    return {"MODELS_DIR": str(models_dir), "MT_THREADS": 1, "MT_ENGINE": "ct2",
            "TM_FUZZY_THRESHOLD": 75}


def test_engines_appear_when_model_folders_exist(settings, tmp_path):
    available = {e.id: e for e in list_engines(settings)}
    assert set(available) == {"rules", "marian", "ct2"}
    assert available["marian"].pairs == [("zh", "en")] == available["ct2"].pairs
    assert {e.id for e in list_engines(dict(settings, MODELS_DIR=str(tmp_path)))} == {"rules"}


@pytest.mark.parametrize("engine_id", ["marian", "ct2"])
def test_batches_keep_order_and_count(settings, engine_id):
    engine = get_engine(engine_id, None, settings)
    texts = [f"{i}号出口" for i in range(70)] + ["", "禁止吸烟"]
    drafts = engine.translate_batch(texts, "zh", "en")
    assert len(drafts) == len(texts)
    assert drafts[70].text == "" and drafts[70].reason
    for draft in drafts[:70] + drafts[71:]:
        assert draft.engine == engine_id and draft.model.startswith(NAME)
        assert draft.text and 0 <= draft.score <= 1


@pytest.mark.parametrize("engine_id", ["marian", "ct2"])
def test_model_loaded_once_and_recent_translations_cached(settings, engine_id):
    neural.CACHE.clear()
    first = get_engine(engine_id, None, settings).translate_batch(["请勿吸烟"], "zh", "en")
    loaded = dict(neural._loaded)
    second = get_engine(engine_id, None, settings).translate_batch(["请勿吸烟"], "zh", "en")
    assert first[0].text == second[0].text
    assert neural.CACHE.hits == 1
    assert neural._loaded == loaded
    assert len([k for k in neural._loaded if k[0] == ("ct2" if engine_id == "ct2" else "hf")]) == 1


def test_thread_count_comes_from_settings(settings):
    import torch

    get_engine("marian", None, dict(settings, MT_THREADS=2)).translate_batch(
        ["入口"], "zh", "en")
    assert torch.get_num_threads() == 2
    torch.set_num_threads(1)


@pytest.mark.parametrize("engine_id", ["marian", "ct2"])
def test_glossary_terms_are_enforced(settings, engine_id, monkeypatch):
    engine = get_engine(engine_id, None, settings)
    monkeypatch.setattr(engine, "glossary", lambda source, target: GLOSSARY)
    drafts = engine.translate_batch(["行李提取", "请到行李提取处", "出租车在前方", "入口"],
                                    "zh", "en")
    assert drafts[0].text == "Baggage Claim"
    assert "Baggage Claim" in drafts[1].text and "Taxi" in drafts[2].text
    assert [t.concept_id for t in drafts[1].terms] == ["tra-14"]
    for draft in drafts:
        assert "Luggage Extraction" not in draft.text and "Rental Car" not in draft.text


def test_pipeline_uses_the_configured_neural_engine(db, settings):
    drafts = draft_texts(db, ["请勿吸烟", ""], "zh", "en", settings=settings)
    assert drafts[0].engine == "ct2" and drafts[0].text and drafts[0].origin == "engine"
    assert drafts[1].reason


def test_convert_command(run_cli, models_dir, tmp_path, monkeypatch):
    fresh = tmp_path / "models"
    shutil.copytree(models_dir / NAME, fresh / NAME)
    monkeypatch.setenv("WORKBENCH_MODELS_DIR", str(fresh))
    result = run_cli("model", "convert", NAME, "--quantization", "int8")
    assert result.exit_code == 0, result.stderr
    converted = fresh / f"{NAME}-ct2"
    assert (converted / "model.bin").exists() and (converted / "source.spm").exists()
    info = json.loads((converted / "workbench.json").read_text())
    assert info["quantization"] == "int8" and info["pairs"] == [["zh", "en"]]
    again = run_cli("model", "convert", NAME)
    assert again.exit_code == 1 and "--force" in again.stderr
    listing = run_cli("model", "list").stdout
    assert f"{NAME}-ct2" in listing and "ct2" in listing and "zh→en" in listing
    engines = run_cli("engines").stdout
    assert "marian" in engines and "ct2" in engines and "unavailable" not in engines
    drafted = run_cli("draft", "--engine", "ct2", "--format", "jsonl", "-", input="出口\n\n入口\n")
    lines = drafted.stdout.splitlines()
    assert len(lines) == 3 and json.loads(lines[0])["engine"] == "ct2"
