"""`workbench draft`, `workbench engines`, `workbench model …` (no neural model needed)."""
from __future__ import annotations

import json

import pytest

from workbench import auth
from workbench.mt import memory


@pytest.fixture(autouse=True)
def no_models(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("WORKBENCH_MT_ENGINE", raising=False)


def test_draft_text_one_line_per_input_line_in_order(run_cli):
    source = "禁止吸烟\n\n龙昆南路\n吃饭了吗\n小心地滑\n"
    result = run_cli("draft", "--source", "zh", "--target", "en", "-", input=source)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split("\n") == [
        "No Smoking", "", "Longkun South Road", "", "CAUTION//Wet Floor", ""]


def test_draft_reads_a_file_with_crlf_and_bom(run_cli, tmp_path):
    path = tmp_path / "signs.txt"
    path.write_bytes("\ufeff禁止停车\r\n出口\r\n".encode("utf-8"))
    result = run_cli("draft", "--engine", "rules", str(path))
    assert result.stdout.splitlines() == ["No Parking", "Exit"]


def test_draft_jsonl_carries_provenance_and_reasons(run_cli, db_path):
    from workbench.db import open_db

    database = open_db(db_path)
    memory.add_entry(database, auth.system_actor("t"), "出口", "Way Out", "zh", "en", "review")
    database.close()
    result = run_cli("draft", "--format", "jsonl", "-", input="出口\n\n禁止游泳\n吃饭了吗\n")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 4
    assert records[0]["origin"] == "tm-exact" and records[0]["text"] == "Way Out"
    assert records[0]["tm_score"] == 100 and records[0]["tm_id"]
    assert records[1]["text"] == "" and records[1]["reason"]
    assert (records[2]["text"], records[2]["engine"], records[2]["origin"]) == (
        "No Swimming", "rules", "engine")
    assert isinstance(records[2]["score"], float) and isinstance(records[2]["terms"], list)
    assert records[3]["text"] == "" and "吃饭了吗" in records[3]["reason"]


def test_draft_other_language(run_cli):
    result = run_cli("draft", "--target", "ko", "-", input="禁止停车\n")
    assert result.stdout == "주차금지\n"


def test_draft_with_an_unavailable_engine_is_an_error(run_cli):
    result = run_cli("draft", "--engine", "marian", "-", input="出口\n")
    assert result.exit_code == 1
    assert "not available" in result.stderr and result.stdout == ""


def test_engines_lists_the_registry(run_cli):
    result = run_cli("engines")
    assert result.exit_code == 0
    assert "* rules" in result.stdout and "zh→en" in result.stdout
    assert "marian" not in result.stdout and "--all" in result.stdout
    everything = run_cli("engines", "--all").stdout
    assert "marian" in everything and "ct2" in everything and "unavailable" in everything


def test_model_list_without_models(run_cli):
    assert "No model folders" in run_cli("model", "list").stdout


def test_model_convert_without_a_model_is_a_clear_error(run_cli):
    result = run_cli("model", "convert", "opus-mt-zh-en", "--quantization", "int8")
    assert result.exit_code == 1 and "No Hugging Face translation model" in result.stderr


def test_model_fetch_without_network_fails_clearly(run_cli, monkeypatch):
    # Offline mode: the hub library answers from its local cache only, never the network.
    hub_constants = pytest.importorskip("huggingface_hub.constants")
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = run_cli("model", "fetch", "opus-mt-zh-xx-signbench-test")
    assert result.exit_code == 1
    assert "Could not download Helsinki-NLP/opus-mt-zh-xx-signbench-test" in result.stderr
    assert "copy its files" in result.stderr


def test_draft_reads_gb18030_and_keeps_line_count(run_cli, tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("禁止吸烟\n\n出口".encode("gb18030"))
    result = run_cli("draft", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split("\n") == ["No Smoking", "", "Exit", ""]
