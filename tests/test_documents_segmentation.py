"""Sentence segmentation of Chinese (and bilingual) documents by the rule table."""
from __future__ import annotations

import pytest

from workbench import audit
from workbench.documents import segmentation, tags
from workbench.documents.segmentation import split_sentences
from workbench.errors import ValidationError


@pytest.mark.parametrize("text,expected", [
    # Full stop, exclamation and question marks, semicolons.
    ("海南自贸港建设取得进展。各项工作稳步推进！目标能否实现？要坚持改革；要扩大开放。",
     ["海南自贸港建设取得进展。", "各项工作稳步推进！", "目标能否实现？", "要坚持改革；",
      "要扩大开放。"]),
    # Closing quotes and brackets stay with their sentence.
    ("他指出：“要坚持改革开放。”随后发布了方案。",
     ["他指出：“要坚持改革开放。”", "随后发布了方案。"]),
    ("会议强调（详见附件。）下一步继续推进。", ["会议强调（详见附件。）", "下一步继续推进。"]),
    ("大家说：“好！”（掌声）", ["大家说：“好！”", "（掌声）"]),
    # No split inside numbers.
    ("增长3.5%，达到1,234.5亿元。", ["增长3.5%，达到1,234.5亿元。"]),
    ("版本号为v2.0.1的系统上线.新系统运行良好。",
     ["版本号为v2.0.1的系统上线.", "新系统运行良好。"]),
    # No split inside 《书名号》.
    ("《关于加快建设海南自由贸易港的意见。》已经印发。",
     ["《关于加快建设海南自由贸易港的意见。》已经印发。"]),
    # Ellipses end a sentence; one followed by punctuation does not.
    ("稳步推进……新的一年开始了。", ["稳步推进……", "新的一年开始了。"]),
    ("包括旅游、会展……等领域。", ["包括旅游、会展……等领域。"]),
    # List numbering stays with its item.
    ("（一）总体要求。（二）主要目标：到2025年完成。",
     ["（一）总体要求。", "（二）主要目标：到2025年完成。"]),
    ("1.坚持党的领导。2.坚持以人民为中心。", ["1.坚持党的领导。", "2.坚持以人民为中心。"]),
])
def test_chinese_rules(text, expected):
    assert split_sentences(text, "zh") == expected


@pytest.mark.parametrize("text,expected", [
    ("The U.S. economy grew 3.5 percent. Mr. Smith agreed. It ended.",
     ["The U.S. economy grew 3.5 percent.", "Mr. Smith agreed.", "It ended."]),
    ("1. Open the port. 2. Cut red tape.", ["1. Open the port.", "2. Cut red tape."]),
    ("He said: “Go on.” Then he left.", ["He said: “Go on.”", "Then he left."]),
])
def test_english_rules_for_bilingual_files(text, expected):
    assert split_sentences(text, "en") == expected


def test_russian_rules():
    assert split_sentences("Рост составил 3,5 %. Т.е. больше. Порт открыт.", "ru") == \
        ["Рост составил 3,5 %.", "Т.е. больше.", "Порт открыт."]


def test_placeholders_follow_their_sentence_and_pairs_are_rebalanced():
    text = "第一句{1}加粗。第二{/1}句。{2/}第三句。"
    pieces = split_sentences(text, "zh")
    assert pieces == ["第一句{1}加粗。{/1}", "{1}第二{/1}句。{2/}", "第三句。"]
    # Nothing is lost: every piece is well-formed and the text survives.
    assert "".join(tags.strip_tags(p) for p in pieces) == tags.strip_tags(text)


def test_opening_tag_at_a_cut_starts_the_next_sentence():
    assert split_sentences("第一句。{1}第二句{/1}。", "zh") == ["第一句。", "{1}第二句{/1}。"]


def test_word_count_counts_characters_and_words():
    assert segmentation.count_words("海南{1}自贸港{/1}") == 5
    assert segmentation.count_words("Hainan Free Trade Port 2025") == 5


def test_project_rules_replace_the_shipped_table(db, users):
    custom = "zh\tbreak\t[。！？]\t.\tno semicolon breaks in this project\n"
    segmentation.set_rules(db, users["admin"], custom)
    rules = segmentation.load_rules(db)
    assert split_sentences("要坚持改革；要扩大开放。好。", "zh", rules) == \
        ["要坚持改革；要扩大开放。", "好。"]
    events = audit.history(db, "setting", segmentation.SETTINGS_KEY)
    assert events and events[-1]["after"]["custom"] is True
    segmentation.set_rules(db, users["admin"], None)
    assert split_sentences("要坚持改革；要扩大开放。", "zh",
                           segmentation.load_rules(db)) == ["要坚持改革；", "要扩大开放。"]


def test_bad_rules_are_refused_with_the_line(db, users):
    with pytest.raises(ValidationError) as caught:
        segmentation.set_rules(db, users["admin"], "zh\tbreak\t[。\t.\nzh\tjump\tx\t.\n")
    message = str(caught.value)
    assert "row 1" in message and "row 2" in message
    assert segmentation.rules_text(db) == segmentation.shipped_rules_text()
