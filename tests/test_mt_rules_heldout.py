"""Rule families of the second breadth pass (issue 12): names that need a generic added,
universities by field, CPPCC committees, memorials, sentence-long notices, ja/ko/ru polite
forms. The signs are not rows of benchmarks/data/signs-dev*.tsv.
"""
from __future__ import annotations

import pytest

from tests.test_mt_rules_breadth import compose, entry
from workbench.glossary.match import Entry
from workbench.mt import get_engine


def term(zh: str, rendering: str, concept: str) -> Entry:
    return Entry(source_text=zh, concept_id=concept, domain="general", function=None,
                 source_status="preferred", preferred=(rendering,))


def drafted(db, texts: list[str], target: str = "en") -> list[str]:
    engine = get_engine("rules", db)
    return [d.text for d in engine.translate_batch(texts, "zh", target)]


# --- names that leave their generic out (GB/T 30240.1/.9) ----------------------------------
@pytest.mark.parametrize("zh, expected", [
    ("聚福楼", "Jufulou Restaurant"),      # the name's last character stays in the pinyin
    ("椰语轩", "Yeyuxuan Restaurant"),
    ("粉面王", "Fenmianwang Restaurant"),  # 王 after a dish
    ("聚福酒楼", "Jufu Restaurant"),       # a generic of its own is translated
])
def test_a_restaurant_name_gets_the_generic_it_leaves_out(zh, expected):
    assert compose(zh) == expected


@pytest.mark.parametrize("zh", ["黄鹤楼", "书王"])
def test_a_landmark_or_a_name_that_is_not_catering_gets_no_restaurant(zh):
    # 黄鹤楼 is one dictionary word (a landmark: the glossary's); 王 needs a dish before it.
    assert "Restaurant" not in compose(zh)


def test_a_descriptive_word_ending_a_name_is_translated():
    assert compose("望海国际广场") == "Wanghai International Plaza"


# --- universities, regions, committees ---------------------------------------------------------
@pytest.mark.parametrize("zh, expected", [
    ("南京理工大学", "Nanjing University of Science and Technology"),
    ("北京林业大学", "Beijing Forestry University"),
    ("华南农业大学", "South China Agricultural University"),
    ("中国政法大学", "China University of Political Science and Law"),
    ("中南财经政法大学", "Zhongnan University of Economics and Law"),
    ("海南经济学院", "Hainan College of Economics"),
])
def test_universities_are_named_by_their_field_as_registered_names_are(zh, expected):
    assert compose(zh) == expected


@pytest.mark.parametrize("zh, expected", [
    ("中国人民政治协商会议琼海市委员会",
     "Qionghai Municipal Committee of the Chinese People's Political Consultative Conference"),
    ("政协海口市委员会", "Haikou Municipal Committee of the CPPCC"),
])
def test_cppcc_committees_are_named_after_their_place(zh, expected):
    assert compose(zh) == expected
    assert compose(zh, ORG_NAME_STYLE="adjectival") == expected


def test_the_reading_that_guesses_fewest_names_wins():
    # Not a department of a village "Nongyenong": 农业农村 is a field the tables know.
    assert compose("海南省农业农村厅") == \
        "Department of Agriculture and Rural Affairs of Hainan Province"


# --- memorials and stations ------------------------------------------------------------------
def test_a_memorial_is_named_after_its_person():
    assert compose("海瑞墓") == "Tomb of Hai Rui"
    assert compose("宋庆龄故居") == "Former Residence of Song Qingling"
    person = entry("宋庆龄", "Soong Ching-ling", "c-1", domain="culture")
    assert compose("宋庆龄故居", (person,)) == "Former Residence of Soong Ching-ling"
    assert compose("烈士纪念碑") == "Martyrs' Monument"  # no person: the words are translated


def test_a_town_station_is_its_railway_station(db):
    assert drafted(db, ["万宁站", "博鳌站"]) == ["Wanning Railway Station",
                                                 "Bo'ao Railway Station"]


def test_a_noun_modifying_another_is_singular():
    assert compose("游客服务中心") == "Visitor Service Center"


# --- notices and instructions ----------------------------------------------------------------
@pytest.mark.parametrize("zh, expected", [
    ("禁止使用明火", "No Open Flames"),                 # "No" carries the object alone
    ("请勿使用明火", "Do Not Use Open Flames"),
    ("禁止吸烟、饮食", "No Smoking, Food or Drink"),     # one flat list
    ("请为老人让座", "Please Offer Your Seat to the Elderly"),
    ("请按此按钮", "Please Press This Button"),
    ("请按顺序排队", "Please Queue"),
    ("用后请冲水", "Please Flush After Use"),
    ("随手关门", "Please Close the Door"),
    ("儿童须由成人陪同", "Children Must Be Accompanied by an Adult"),
    ("紧急情况请拨打119", "Please Call 119 in Case of Emergency"),
    ("如遇火警请按此按钮", "Please Press This Button in Case of Fire"),
    ("公园开放时间8:00-18:00", "Park Opening Hours 08:00-18:00"),
    ("请勿倚靠", "Do Not Lean"),
    ("禁止倚靠栏杆", "No Leaning on Railings"),
])
def test_notice_and_instruction_patterns(zh, expected):
    assert compose(zh) == expected


def test_a_lead_in_clause_joins_the_next_with_a_comma():
    assert compose("为了您的安全，请勿倚靠车门") == "For Your Safety, Do Not Lean on the Door"


def test_relative_clauses_and_recipients_with_the_shipped_glossary(db):
    assert drafted(db, ["请给有需要的乘客让座", "请勿喂食动物"]) == [
        "Please Offer Your Seat to Passengers in Need", "Do Not Feed the Animals"]


def test_notice_sentences_keep_one_line_per_notice(db):
    [text] = drafted(db, ["为了您的安全，请勿倚靠车门，请勿在车厢内饮食，谢谢合作。"])
    assert text.startswith("For your safety, do not lean on the doors. ")
    assert text.endswith("Thank you for your cooperation.")


# --- Japanese, Korean, Russian -----------------------------------------------------------------
@pytest.mark.parametrize("zh, target, expected", [
    ("请排队", "ja", "並んでください"),
    ("请勿拍照", "ja", "写真を撮らないでください"),
    ("请勿触摸", "ko", "만지지 마세요"),
    ("随手关灯", "ko", "불을 꺼 주세요"),
    ("请排队", "ru", "Соблюдайте очередь"),
])
def test_instructions_in_each_languages_polite_form(zh, target, expected):
    assert compose(zh, target=target) == expected


def test_a_polite_form_takes_its_object_from_the_glossary():
    assert compose("请出示护照", (term("护照", "여권", "g-1"),), target="ko") == \
        "여권을 제시해 주세요"  # 을 after a final consonant
    assert compose("请出示会员卡", (term("会员卡", "회원 카드", "g-2"),), target="ko") == \
        "회원 카드를 제시해 주세요"  # 를 after a vowel
    assert compose("请出示护照", (term("护照", "パスポート", "g-1"),), target="ja") == \
        "パスポートをご提示ください"


def test_strict_prohibitions_keep_their_own_word_order():
    assert compose("严禁烟火", (term("烟火", "火気", "g-3"),), target="ja") == "火気厳禁"
    assert compose("严禁烟火", (term("烟火", "화기", "g-3"),), target="ko") == "화기엄금"
    # Russian prohibitions take the infinitive, not the glossary's noun.
    assert compose("禁止吸烟", (term("吸烟", "Курение", "g-4"),), target="ru") == "Не курить"


# --- heads and repeats -----------------------------------------------------------------------
@pytest.mark.parametrize("zh, expected", [
    ("无人陪伴儿童", "Unaccompanied Children"),  # 儿童 heads the phrase: no "Children's"
    ("儿童游泳池", "Children's Swimming Pool"),   # … and modifies one here
    ("烈士", "Martyrs"),
])
def test_a_possessive_modifier_heading_a_phrase_is_the_plain_noun(zh, expected):
    assert compose(zh) == expected


def test_a_word_of_the_rule_vocabulary_is_no_name():
    # Not a place "Ertongle" with the generic 园 (Park).
    assert compose("儿童乐园") == "Children's Playground"


def test_a_slot_holding_the_words_its_template_adds_does_not_repeat_them():
    # The glossary's 请冲水 already says "After Use"; the pattern 用后… adds it again.
    flush = term("请冲水", "Please Flush After Use", "g-5")
    assert compose("用后请冲水", (flush,)) == "Please Flush After Use"
