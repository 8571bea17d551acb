"""The ``workbench check`` command: the TSV → JSON-lines contract, and switching checks."""
from __future__ import annotations

import json
from pathlib import Path


def _lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_one_json_object_per_line_in_order(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "signs.tsv"
    path.write_text("小心地滑\tCarefully Slide\n出口\tExit\n海口\tHai Kou\n", encoding="utf-8")
    result = run_cli("check", "--source", "zh", "--target", "en", str(path))
    assert result.exit_code == 0, result.stderr
    rows = _lines(result.stdout)
    assert [r["source"] for r in rows] == ["小心地滑", "出口", "海口"]
    assert [r["target"] for r in rows] == ["Carefully Slide", "Exit", "Hai Kou"]
    assert rows[1]["findings"] == []
    finding = rows[0]["findings"][0]
    # The documented fields, plus the message's id and parameters for programs.
    assert {"check", "severity", "message", "start", "end"} <= set(finding)
    assert finding["message_id"] and isinstance(finding["params"], dict)
    assert "%(" not in finding["message"]  # rendered text, not the template
    # The Chinglish table, or the glossary when it lists the rendering as forbidden.
    assert finding["check"] in ("chinglish", "glossary") and finding["severity"] == "error"
    assert (finding["start"], finding["end"]) == (0, 15)
    assert any(f["check"] in ("pinyin", "glossary") for f in rows[2]["findings"])


def test_stdin_and_bad_lines_never_crash(run_cli) -> None:
    text = ("出口\tExit\n"
            "\n"                               # empty line
            "没有制表符的一行\n"                  # no tab
            "入口\tEntrance\textra column\n"    # too many columns
            "\tExit\n"                         # no Chinese
            "售票处\t\n"                        # no translation
            "出口\tExit\r\n"                    # Windows line end
            "入口\tEntrance\t\n")              # an empty trailing cell is not a problem
    result = run_cli("check", "--source", "zh", "--target", "en", "-", input=text.encode())
    assert result.exit_code == 0, result.stderr
    rows = _lines(result.stdout)
    assert len(rows) == 8
    assert rows[0]["findings"] == [] and rows[6]["findings"] == [] and rows[7]["findings"] == []
    assert rows[6]["target"] == "Exit"
    for index in (1, 2, 3, 4):
        assert any(f["check"] == "input" for f in rows[index]["findings"]), rows[index]
    assert rows[2]["source"] == "没有制表符的一行"
    assert any(f["check"] == "untranslated" for f in rows[5]["findings"])


def test_other_target_language_and_encodings(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "ru.tsv"
    path.write_bytes("\ufeff售票处\tКасса\n售票处\tTicket Office\n".encode("utf-8"))
    rows = _lines(run_cli("check", "--source", "zh", "--target", "ru", str(path)).stdout)
    assert rows[0] == {"source": "售票处", "target": "Касса", "findings": []}
    assert any(f["check"] == "untranslated" for f in rows[1]["findings"])
    gbk = tmp_path / "gbk.tsv"
    gbk.write_bytes("出口\tExit\n".encode("gb18030"))
    rows = _lines(run_cli("check", "--source", "zh", "--target", "en", str(gbk)).stdout)
    assert rows == [{"source": "出口", "target": "Exit", "findings": []}]


def test_missing_file_is_a_user_error(run_cli, tmp_path: Path) -> None:
    result = run_cli("check", "--source", "zh", "--target", "en", str(tmp_path / "none.tsv"))
    assert result.exit_code != 0
    assert "none.tsv" in result.stderr


def test_list_disable_enable(run_cli, tmp_path: Path) -> None:
    listing = run_cli("check", "list")
    assert listing.exit_code == 0
    assert "on  chinglish" in listing.stdout and "on  pinyin" in listing.stdout
    assert run_cli("check", "disable", "chinglish").exit_code == 0
    assert "off chinglish" in run_cli("check", "list").stdout
    path = tmp_path / "one.tsv"
    path.write_text("残疾人厕所\tDeformed Man Toilet\n", encoding="utf-8")
    rows = _lines(run_cli("check", "--source", "zh", "--target", "en", str(path)).stdout)
    assert all(f["check"] != "chinglish" for f in rows[0]["findings"])
    assert run_cli("check", "enable", "chinglish").exit_code == 0
    rows = _lines(run_cli("check", "--source", "zh", "--target", "en", str(path)).stdout)
    assert any(f["check"] == "chinglish" for f in rows[0]["findings"])
    unknown = run_cli("check", "disable", "nonsense")
    assert unknown.exit_code != 0


def test_glossary_terms_are_checked(run_cli, db) -> None:
    from workbench import audit
    from workbench.auth import system_actor
    from workbench.db import transaction
    from workbench.glossary import bump_version
    with transaction(db):
        db["glossary_concepts"].insert({"id": "qa-term-1", "domain": "tourism",
                                        "function": "facility", "verified": 0,
                                        "created_at": "2026", "updated_at": "2026"})
        db["glossary_terms"].insert_all([
            {"concept_id": "qa-term-1", "lang": "zh", "text": "测试游客站",
             "status": "preferred"},
            {"concept_id": "qa-term-1", "lang": "en", "text": "Tourist Statoin",
             "status": "preferred"},
            {"concept_id": "qa-term-1", "lang": "en", "text": "Visitor Station",
             "status": "admitted"}])
        bump_version(db)
        audit.record(db, system_actor("pytest"), "glossary.add", "concept", "qa-term-1")
    result = run_cli("check", "glossary", "--target", "en")
    assert result.exit_code == 0, result.stderr
    rows = [r for r in _lines(result.stdout) if r["concept_id"] == "qa-term-1"]
    assert [r["target"] for r in rows] == ["Tourist Statoin"]
    assert rows[0]["findings"][0]["check"] == "spelling"


def test_messages_follow_the_terminal_language(run_cli, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "signs.tsv"
    path.write_text("海口\tHai Kou\n", encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_CLI_LANGUAGE", "zh_CN.UTF-8")
    finding = _lines(run_cli("check", str(path)).stdout)[0]["findings"][0]
    english = finding["message_id"] % finding["params"]
    assert "Hai Kou" in english and "海口" in english
    # Rendered in Chinese: the template is translated, the parameters stay.
    assert finding["message"] != english and "Hai Kou" in finding["message"]
    assert not any(word in finding["message"] for word in ("rendering", "glossary", "name"))
