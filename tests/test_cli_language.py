"""The command line speaks the terminal's language: with WORKBENCH_CLI_LANGUAGE=zh every
message (domain summaries included) is Chinese, not English."""
from __future__ import annotations

import json
import re
import sqlite3

import pytest

# Two English words in a row: what an untranslated sentence leaves behind.
ENGLISH_WORDS = re.compile(r"\b[A-Za-z]{2,} [A-Za-z]{2,}\b")


@pytest.fixture(autouse=True)
def chinese_terminal(monkeypatch):
    """A terminal set to Chinese (the other locale variables cleared so they cannot decide)."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("WORKBENCH_CLI_LANGUAGE", "zh")


def english_lines(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Lines of ``text`` that still read like an English sentence (``allowed`` parts removed:
    names and commands that stay as they are)."""
    found = []
    for line in text.splitlines():
        for part in allowed:
            line = line.replace(part, "")
        if ENGLISH_WORDS.search(line):
            found.append(line)
    return found


def test_glossary_stats_in_chinese(run_cli):
    result = run_cli("glossary", "stats")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("概念：") and "术语：" in out and "已核实概念：" in out
    assert "按语言" in out and "按领域（概念数）" in out and "按状态（术语数）" in out
    assert "en 英语" in out and "zh 中文" in out  # language names in the reader's language
    assert "首选" in out and "禁用" in out  # term statuses as labels
    assert "供审校人员参考" in out
    assert "Per language" not in out and "Concepts:" not in out
    # Only the shipped sources' own names (standards, bodies) may be English.
    assert english_lines(out.split("按来源（概念数）")[0]) == []


def test_glossary_import_dry_run_summary_in_chinese(run_cli, tmp_path):
    exported = tmp_path / "glossary.csv"
    result = run_cli("glossary", "export", "--format", "csv", "-o", exported)
    assert result.exit_code == 0, result.stderr
    assert "个概念写入" in result.stdout and "Wrote" not in result.stdout
    result = run_cli("glossary", "import", "--dry-run", exported)
    assert result.exit_code == 0, result.stderr
    line = result.stdout.strip()
    assert line.startswith("glossary.csv：将新建 0 个、将更新 0 个、未变 ")
    assert line.endswith("个概念（试运行：未保存任何内容）。")
    assert english_lines(line, allowed=("glossary.csv",)) == []


def test_audit_verify_in_chinese_when_intact_and_when_broken(run_cli, db_path):
    intact = run_cli("audit", "verify")
    assert intact.exit_code == 0, intact.stderr
    assert intact.stdout.startswith("正常：") and "链条完整" in intact.stdout
    assert english_lines(intact.stdout) == []
    connection = sqlite3.connect(db_path)
    connection.execute("UPDATE audit_events SET after_json = '{}' WHERE id = 3")
    connection.commit()
    connection.close()
    broken = run_cli("audit", "verify")
    assert broken.exit_code == 1
    assert broken.stderr.startswith("错误：链条在第 3 条记录处断开：")
    assert "该记录被改动过" in broken.stderr and english_lines(broken.stderr) == []


def test_jobs_list_and_show_in_chinese(run_cli):
    queued = run_cli("export", "tbx", "--background")
    assert queued.exit_code == 0, queued.stderr
    run_id = json.loads(queued.stdout.strip().splitlines()[-1])["job"]
    listed = run_cli("jobs", "list")
    assert listed.exit_code == 0, listed.stderr
    assert f"{run_id:>6} done 已完成" in listed.stdout  # the code (for --state) and its label
    assert listed.stdout.strip().endswith("（共 1 条，显示 1 条）")
    shown = run_cli("jobs", "show", run_id)
    assert shown.exit_code == 0, shown.stderr
    for label in ("编号：", "标题：", "状态：", "进度：", "结果："):
        assert label in shown.stdout
    assert "state:" not in shown.stdout and "progress:" not in shown.stdout


def test_errors_and_usage_errors_in_chinese(run_cli):
    missing = run_cli("user", "disable", "nobody")
    assert missing.exit_code == 1 and missing.stderr.startswith("错误：")
    usage = run_cli("export", "tbx")
    assert usage.exit_code == 2
    assert "请给出 -o 文件，或使用 --background" in usage.stderr
    assert "Give -o FILE" not in usage.stderr


def test_init_of_a_new_database_in_chinese(run_cli, tmp_path, monkeypatch):
    fresh = tmp_path / "fresh.sqlite3"
    monkeypatch.setenv("WORKBENCH_DB", str(fresh))
    first = run_cli("--db", fresh, "init", "--no-seed")
    assert first.exit_code == 0, first.stderr
    out = first.stdout
    assert "数据库：" in out and "已执行的迁移：" in out and "已添加 " in out
    assert "已创建第一个管理员（密码仅显示这一次）：" in out
    assert "用户名：admin" in out and "密码：" in out
    assert "password:" not in out and "Database:" not in out


def test_english_without_a_language(run_cli, monkeypatch):
    monkeypatch.delenv("WORKBENCH_CLI_LANGUAGE")
    result = run_cli("audit", "verify")
    assert result.exit_code == 0 and result.stdout.startswith("OK: ")
    assert "chain intact" in result.stdout
