"""Checks of the second QA pass (issue 12): word-by-word calques, reversed prohibitions,
neighbouring concepts that share a character, sentence case, joined place generics, and the
correct texts they must leave alone. Texts are not rows of benchmarks/data/qa-dev-2.tsv."""
from __future__ import annotations

import pytest

from workbench.checks import run_checks
from workbench.checks.calque import literal_senses, stem
from workbench.glossary.match import Entry, from_entries


def findings(db, source: str, target: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for finding in run_checks(db, source, target, "en"):
        found.setdefault(finding.check, []).append(finding)
    return found


def glossary(*entries: tuple[str, tuple[str, ...]]):
    return from_entries("zh", "en", [Entry(zh, f"c{i}", "general", "facility", "preferred",
                                           tuple(renderings))
                                     for i, (zh, renderings) in enumerate(entries)])


# --- calques ----------------------------------------------------------------------------------
def test_literal_senses_come_from_the_dictionary():
    senses = literal_senses("失物招领")
    assert {"thing", "recruit", "lose"} <= senses
    assert stem("Things") == "thing" and stem("Recruiting") == "recruit"


@pytest.mark.parametrize("source, target", [
    ("失物招领", "Lost Thing Recruit"),
    ("小心路滑", "Careful Road Slide"),
])
def test_a_word_by_word_calque_is_flagged(db, source, target):
    # Only the calque check: the grammar check also names "Careful Road Slide", and one
    # finding per stretch of text is kept.
    [finding] = run_checks(db, source, target, "en", only=["calque"])
    assert finding.severity == "warning"
    assert finding.suggestion  # the glossary's rendering of the whole sign
    assert finding.message.params["rendering"] == finding.suggestion


@pytest.mark.parametrize("source, target", [
    ("失物招领", "Lost Property"),                                   # an accepted alternative
    ("请保管好随身物品", "Please Take Care of Your Belongings"),       # English, though literal
    ("中医科", "Traditional Chinese Medicine (TCM) Department"),     # spells out TCM
    ("苏东坡", "Su Dongpo"),                                         # pinyin of the Chinese
    ("餐厅", "Dining Hall"),
])
def test_correct_texts_are_no_calques(db, source, target):
    assert "calque" not in findings(db, source, target)


def test_no_calque_without_a_glossary_rendering_of_the_whole_sign():
    # Without one, literal words may well be the right ones (请主动出示健康码 → Show … Code).
    assert run_checks(None, "请主动出示健康码", "Please Show Your Health Code", "en",
                      only=["calque"]) == []


# --- reversed prohibitions --------------------------------------------------------------------
@pytest.mark.parametrize("source, target, severity", [
    ("吸烟区", "No Smoking", "error"),            # forbids what the Chinese offers
    ("母婴室", "No Entry", "error"),
    ("禁止吸烟", "Smoking Area", "warning"),       # offers what the Chinese forbids
    ("严禁停车", "Parking", "warning"),
])
def test_a_reversed_prohibition_is_flagged(db, source, target, severity):
    [finding] = findings(db, source, target)["polarity"]
    assert finding.severity == severity


@pytest.mark.parametrize("source, target", [
    ("禁止停车", "No Parking"),
    ("请勿吸烟", "Thank You for Not Smoking"),
    ("禁止喧哗", "Quiet Please"),                      # the glossary's own wording
    ("请节约粮食", "Please Do Not Waste Food"),          # a glossary rendering that says "Not"
    ("海口市第一中学", "Haikou No. 1 Middle School"),    # "No." is a number, not a prohibition
    ("游客止步", "Staff Only"),
    ("禁烟区", "Smoke-Free Area"),
    ("请勿将头手伸出窗外", "Keep Your Head and Hands Inside"),
    ("水深危险，禁止游泳", "DANGER//Deep Water"),         # two clauses: left to the reviewer
])
def test_prohibitions_said_another_way_pass(db, source, target):
    assert "polarity" not in findings(db, source, target)


# --- neighbouring concepts ----------------------------------------------------------------------
@pytest.mark.parametrize("source, target, written", [
    ("国际出发", "Domestic Departures", "Domestic Departures"),  # 国际/国内 share 国
    ("下行", "Up", "Up"),                                         # function words are meaning too
    ("拉", "Push", "Push"),
])
def test_neighbouring_concepts_are_meaning_conflicts(db, source, target, written):
    # Only the meaning check: the glossary's forbidden renderings may name the same words.
    [finding] = run_checks(db, source, target, "en", only=["meaning"])
    assert target[finding.start:finding.end] == written


def test_sibling_concepts_sharing_a_character_in_a_small_glossary():
    terms = glossary(("国内到达", ("Domestic Arrivals",)),
                     ("国际到达", ("International Arrivals",)))
    assert {f.check for f in run_checks(None, "国际到达", "Domestic Arrivals", "en",
                                        context={"glossary": terms})} == {"meaning"}
    assert run_checks(None, "国际到达", "International Arrivals", "en",
                      context={"glossary": terms}) == []


# --- capitals ---------------------------------------------------------------------------------
def test_a_notice_written_as_sentences_is_in_sentence_case(db):
    assert "capitals" not in findings(db, "此处禁止停车，违者拖车", "No parking. Violators will "
                                      "be towed.")
    assert "capitals" not in findings(db, "前方施工，请绕行", "Road closed ahead. Please use "
                                      "the detour.")


def test_a_sign_phrase_half_title_half_sentence_case_is_flagged(db):
    [finding] = findings(db, "请勿触摸展品", "Do not Touch the exhibits")["capitals"]
    assert finding.suggestion == "Do Not Touch the Exhibits"


# --- pinyin -----------------------------------------------------------------------------------
def test_a_place_generic_joined_into_the_pinyin_is_flagged(db):
    [finding] = findings(db, "亚龙湾", "Yalongwan")["pinyin_generic"]
    assert finding.suggestion == "Yalong Bay"
    [river] = findings(db, "万泉河", "Wanquanhe")["pinyin_generic"]
    assert river.suggestion == "Wanquan River"


@pytest.mark.parametrize("source, target", [
    ("大东海", "Dadonghai"),                            # the established joined name
    ("淮河", "Huaihe River"),                           # the one-syllable rule
    ("上海交通大学", "Shanghai Jiao Tong University"),   # a registered name written apart
])
def test_established_spellings_pass_the_pinyin_checks(db, source, target):
    found = findings(db, source, target)
    assert "pinyin_generic" not in found and "pinyin" not in found
