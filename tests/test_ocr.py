"""OCR of sign photos: assembly rules on given lines, and the real engine on drawn photos."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.ocr_images import sign_photo
from workbench.errors import ValidationError
from workbench.ocr import OcrLine, OcrResult, from_lines, read_image
from workbench.ocr.assemble import latin_kind, normalize_latin, restore_spaces
from workbench.ocr.scripts import script_of

ROOT = Path(__file__).resolve().parent.parent


def line(text: str, x: int, y: int, w: int, h: int) -> OcrLine:
    """A recognized line with an axis-aligned box."""
    return OcrLine(text, [[x, y], [x + w, y], [x + w, y + h], [x, y + h]], 0.99,
                   script_of(text))


# ---------------------------------------------------------------------------
# Assembly, on given lines (no engine)

def test_scripts_of_lines():
    assert script_of("小心地滑") == "Han"
    assert script_of("T2航站楼") == "Han"
    assert script_of("No Smoking") == "Latin"
    assert script_of("Выход") == "Cyrillic"
    assert script_of("でぐち") == "kana"
    assert script_of("출구") == "Hangul"
    assert script_of("08:00-18:00") == "Common"


def test_signal_word_line_then_message_joins_with_double_slash():
    result = from_lines(800, 600, [line("小心地滑", 200, 50, 400, 100),
                                   line("CAUTION", 280, 200, 240, 50),
                                   line("Wet Floor", 250, 265, 300, 50)])
    assert result.zh == "小心地滑"
    assert result.foreign == {"en": "CAUTION//Wet Floor"}
    assert result.questions == []
    assert [item.block for item in result.lines] == [0, 1, 1]


def test_stacked_and_side_by_side_lines_of_one_script_form_one_text():
    result = from_lines(900, 500, [line("请勿", 100, 40, 180, 90), line("吸烟", 300, 40, 180, 90),
                                   line("No Smoking", 120, 180, 300, 50),
                                   line("in This Area", 120, 240, 320, 50)])
    assert result.zh == "请勿吸烟"
    assert result.foreign["en"] == "No Smoking in This Area"


def test_separate_latin_texts_are_asked_about_not_guessed():
    lines = [line("卫生间", 50, 40, 240, 80), line("Toilet", 60, 140, 200, 50),
             line("出口", 650, 40, 160, 80), line("Exit", 660, 140, 120, 50)]
    result = from_lines(900, 300, lines)
    assert result.foreign == {} and result.zh == ""
    kinds = {(q.kind, q.field) for q in result.questions}
    assert kinds == {("several_texts", "zh"), ("several_texts", "en")}
    english = next(q for q in result.questions if q.field == "en")
    assert [o.value for o in english.options] == ["Toilet", "Exit", "Toilet Exit"]


def test_pinyin_or_english_is_asked():
    result = from_lines(800, 400, [line("海口美兰", 200, 40, 400, 100),
                                   line("Haikou Meilan", 220, 180, 360, 50)])
    assert result.zh == "海口美兰" and "en" not in result.foreign
    question = result.questions[0]
    assert question.kind == "language" and question.field == "en"
    assert [o.value for o in question.options] == ["Haikou Meilan", ""]


def test_latin_lookalikes_of_another_script_are_not_prefilled():
    result = from_lines(800, 200, [line("KypuTb 3anpeWeHO", 100, 50, 600, 60)])
    assert result.foreign == {}
    assert result.questions[0].kind == "unsure"


def test_unread_scripts_are_reported_never_filled():
    result = from_lines(800, 300, [line("出口", 300, 30, 200, 90), line("출구", 320, 150, 150, 60)])
    assert result.zh == "出口" and result.foreign == {}
    assert result.unread_scripts == ["Hangul"]
    assert result.questions[0].kind == "unread_script" and result.questions[0].field is None


@pytest.mark.parametrize("token, expected", [
    ("WetFloor", "Wet Floor"), ("PleaseWaitin", "Please Wait in"), ("NOSMOKING", "NO SMOKING"),
    ("Nephrology", "Nephrology"), ("Contactless", "Contactless"), ("Haikou", "Haikou"),
    ("Departures", "Departures"), ("Xiyan", "Xiyan"), ("Bikesin", "Bikes in"),
    ("NoE-Bikesin", "No E-Bikes in"), ("EVCharger", "EV Charger"),
    ("Referees'Room", "Referees' Room"), ("Open24Hours", "Open 24 Hours"), ("T2", "T2"),
    ("24h", "24h"), ("McDonald", "McDonald"), ("Door-to-Door", "Door-to-Door"),
])
def test_dropped_spaces_are_restored_only_between_dictionary_words(token, expected):
    assert restore_spaces(token) == expected


def test_latin_normalization():
    assert normalize_latin("ＣＡＵＴＩＯＮ　Hot") == "CAUTION//Hot"
    assert normalize_latin("DANGER // High  Voltage") == "DANGER//High Voltage"
    assert latin_kind("Canteen") == "english"
    assert latin_kind("Jinzhi Xiyan") == "pinyin"
    assert latin_kind("Wanlv Park") == "english"


def test_result_round_trips_through_its_dict():
    result = from_lines(800, 600, [line("小心地滑", 200, 50, 400, 100),
                                   line("Carefully Slide", 250, 200, 300, 50)])
    data = json.loads(json.dumps(result.to_dict()))
    again = OcrResult.from_dict(data)
    assert again.zh == result.zh and again.foreign == result.foreign
    assert [ln.text for ln in again.lines] == ["小心地滑", "Carefully Slide"]


# ---------------------------------------------------------------------------
# The real engine on drawn photos

def test_reads_a_warning_sign_photo():
    result = read_image(sign_photo(["小心地滑", "CAUTION", "Wet Floor"]))
    assert result.zh == "小心地滑"
    assert result.foreign == {"en": "CAUTION//Wet Floor"}
    assert [item.script for item in result.lines] == ["Han", "Latin", "Latin"]
    for item in result.lines:
        assert len(item.box) == 4 and 0.5 <= item.confidence <= 1
        assert all(0 <= x <= result.width and 0 <= y <= result.height for x, y in item.box)
    assert (result.width, result.height) == (1000, 600)


def test_reads_side_by_side_chinese_and_english():
    result = read_image(sign_photo(["出口    Exit"], size=(1000, 300)))
    assert result.zh == "出口"
    assert result.foreign == {"en": "Exit"}


def test_reads_png_and_asks_about_pinyin():
    result = read_image(sign_photo(["禁止吸烟", "Jinzhi Xiyan"], fmt="PNG"))
    assert result.zh == "禁止吸烟"
    assert result.foreign == {}
    assert [q.kind for q in result.questions] == ["language"]


@pytest.mark.parametrize("data", [b"", b"just some text, not a photo",
                                  b"%PDF-1.4 fake", b"GIF89a" + b"\x00" * 20])
def test_refuses_what_is_not_a_photo(data):
    with pytest.raises(ValidationError) as caught:
        read_image(data, name="sign.jpg")
    assert caught.value.problems[0].column == "photo"


def test_nothing_reaches_the_network_when_reading(tmp_path):
    photo = tmp_path / "sign.jpg"
    photo.write_bytes(sign_photo(["禁止吸烟", "No Smoking"]))
    script = (
        "import socket\n"
        "def refuse(*a, **k): raise AssertionError('network used')\n"
        "socket.socket.connect = refuse\nsocket.socket.connect_ex = refuse\n"
        "socket.create_connection = refuse\nsocket.getaddrinfo = refuse\n"
        "from workbench.ocr import read_image\n"
        f"print(read_image(open({str(photo)!r}, 'rb').read()).zh)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "禁止吸烟"


# ---------------------------------------------------------------------------
# CLI

def test_cli_prints_one_json_line_per_image(run_cli, tmp_path):
    first, second = tmp_path / "a.jpg", tmp_path / "b.png"
    first.write_bytes(sign_photo(["小心地滑", "Carefully Slide"]))
    second.write_bytes(sign_photo(["禁止吸烟", "No Smoking"], fmt="PNG"))
    result = run_cli("ocr", first, second)
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(text) for text in result.stdout.splitlines()]
    assert [row["file"] for row in rows] == [str(first), str(second)]
    assert rows[0]["zh"] == "小心地滑" and rows[0]["foreign"] == {"en": "Carefully Slide"}
    assert rows[1]["foreign"] == {"en": "No Smoking"}
    for row in rows:
        assert set(row) >= {"file", "zh", "foreign", "lines"}
        assert set(row["lines"][0]) == {"text", "box", "confidence", "script"}


def test_cli_reports_a_non_image_and_exits_non_zero(run_cli, tmp_path):
    good, bad = tmp_path / "good.jpg", tmp_path / "notes.jpg"
    good.write_bytes(sign_photo(["出口", "Exit"]))
    bad.write_text("not a photo", encoding="utf-8")
    result = run_cli("ocr", bad, good)
    assert result.exit_code == 1
    rows = [json.loads(text) for text in result.stdout.splitlines()]
    assert rows[0]["file"] == str(bad) and "JPEG" in rows[0]["error"]
    assert rows[1]["zh"] == "出口"
    assert "1 file could not be read" in result.stderr


def test_a_line_of_numbers_joins_the_text_it_stands_under():
    result = from_lines(800, 500, [line("营业时间", 250, 30, 300, 90),
                                   line("Opening Hours", 250, 150, 300, 50),
                                   line("08:00-18:00", 280, 210, 240, 50),
                                   line("110", 700, 450, 60, 30)])
    assert result.zh == "营业时间"
    assert result.foreign == {"en": "Opening Hours 08:00-18:00"}
    assert result.lines[3].block is None  # a number standing alone makes no text


def test_scripts_and_question_kinds_are_in_the_vocabulary():
    from workbench.ocr.scripts import SCRIPTS
    from workbench.vocabulary import OCR_QUESTIONS, OCR_SCRIPTS
    assert set(SCRIPTS) == set(OCR_SCRIPTS.codes)
    lines = [line("卫生间", 50, 40, 240, 80), line("Toilet", 60, 140, 200, 50),
             line("出口", 650, 40, 160, 80), line("Exit", 660, 140, 120, 50),
             line("Jinzhi Xiyan", 60, 400, 300, 50), line("출구", 650, 400, 100, 50)]
    kinds = {q.kind for q in from_lines(900, 600, lines).questions}
    assert kinds <= set(OCR_QUESTIONS.codes) and "unread_script" in kinds
