"""The rule engine: glossary, sign patterns, names, numbers, casing, other languages."""
from __future__ import annotations

import pytest

from workbench.glossary.match import Entry, from_entries
from workbench.mt import get_engine
from workbench.mt.rules import casing, pinyin
from workbench.mt.rules.engine import RuleComposer
from workbench.mt.rules.tables import load_tables


def entry(zh: str, en: str, concept: str, function: str | None = None,
          domain: str = "general", forbidden: tuple[str, ...] = (),
          admitted: tuple[str, ...] = ()) -> Entry:
    return Entry(source_text=zh, concept_id=concept, domain=domain, function=function,
                 source_status="preferred", preferred=(en,), admitted=admitted,
                 forbidden=forbidden)


GLOSSARY = from_entries("zh", "en", [
    entry("三亚", "Sanya", "hnp-1", "name", "place_names"),
    entry("海口", "Haikou", "hnp-2", "name", "place_names"),
    entry("美兰", "Meilan", "hnp-3", "name", "place_names"),
    entry("大东海", "Dadonghai", "hnp-4", "name", "place_names"),
    entry("海南省", "Hainan Province", "hnp-5", "name", "place_names", admitted=("Hainan",)),
    entry("台", "Terrace", "npt-1", None, "place_names"),
    entry("电梯", "Elevator", "fac-1", "facility", admitted=("Lift",)),
    entry("小心地滑", "CAUTION//Wet Floor", "war-1", "warning"),
    entry("行李提取", "Baggage Claim", "tra-1", "facility", forbidden=("Luggage Extraction",)),
    entry("售票处", "Ticket Office", "tra-2", "facility"),
])


def compose(text: str, target: str = "en", **settings) -> str:
    glossary = GLOSSARY if target == "en" else from_entries("zh", target, [])
    rendering, reason = RuleComposer(glossary, target, settings).draft(text)
    return rendering.text if rendering else ""


def test_whole_text_glossary_entry_wins_and_is_recorded():
    composer = RuleComposer(GLOSSARY, "en", {})
    rendering, _ = composer.draft("行李提取")
    assert rendering.text == "Baggage Claim"
    assert rendering.terms[0].concept_id == "tra-1"
    assert rendering.score > 0.9


@pytest.mark.parametrize("zh, expected", [
    ("禁止吸烟", "No Smoking"),
    ("禁止游泳", "No Swimming"),
    ("严禁烟火", "No Open Flames"),
    ("禁止掉头", "No U-Turn"),
    ("请勿触摸", "Do Not Touch"),
    ("请勿拍照", "Do Not Take Photos"),
    ("危险品禁止携带", "Dangerous Articles Prohibited"),
    ("严禁携带易燃易爆物品", "Flammable and Explosive Articles Prohibited"),
    ("机动车辆禁止入内", "No Entry for Motor Vehicles"),
    ("非工作人员禁止入内", "Staff Only"),
    ("仅限员工使用", "Staff Use Only"),
    ("当心碰头", "Mind Your Head"),
    ("小心台阶", "Mind the Step"),
    ("当心扒手", "Beware of Pickpockets"),
    ("当心落水", "CAUTION//Deep Water"),
    ("当心触电", "DANGER//Electric Shock"),
    ("高压危险", "DANGER//High Voltage"),
    ("注意安全", "CAUTION"),
    ("请排队等候", "Please Wait in Line"),
    ("请保持安静", "Please Keep Quiet"),
])
def test_sign_patterns_by_function(zh, expected):
    assert compose(zh) == expected


@pytest.mark.parametrize("zh, expected", [
    ("限宽2.5米", "Width Limit 2.5 m"),
    ("限高 4.5 米", "Height Limit 4.5 m"),
    ("限重30吨", "Weight Limit 30 t"),
    ("限速40", "Speed Limit 40 km/h"),
    ("限速６０公里", "Speed Limit 60 km/h"),
    ("营业时间 8:00-18:00", "Business Hours 08:00-18:00"),
    ("开放时间：9：30—17：30", "Opening Hours 09:30-17:30"),
    ("8:00-18:00", "08:00-18:00"),
    ("3号登机口", "Gate 3"),
    ("2号线", "Line 2"),
    ("地下2层", "B2"),
    ("3楼", "F3"),
])
def test_numbers_units_and_hours(zh, expected):
    assert compose(zh) == expected


def test_impossible_time_is_not_drafted():
    assert compose("营业时间 8:00-25:99") == ""


@pytest.mark.parametrize("zh, expected", [
    ("地下停车场", "Underground Parking"),
    ("无障碍电梯", "Accessible Elevator"),
    ("出租车候车区", "Taxi Waiting Area"),
    ("男卫生间", "Men's Toilet"),
    ("服务台", "Service Desk"),  # the glossary's name part 台 Terrace is for names only
    ("售票处", "Ticket Office"),
])
def test_facility_names_are_composed_from_known_terms(zh, expected):
    assert compose(zh) == expected


@pytest.mark.parametrize("zh, expected", [
    ("三亚湾", "Sanya Bay"),
    ("南渡江", "Nandu River"),
    ("五指山", "Wuzhi Mountain"),
    ("南山寺", "Nanshan Temple"),
    ("万绿园", "Wanlv Park"),
    ("国兴大道", "Guoxing Avenue"),
    ("博鳌机场", "Bo'ao Airport"),
    ("西安路", "Xi'an Road"),
    ("三亚火车站", "Sanya Railway Station"),
    ("海口美兰国际机场", "Haikou Meilan International Airport"),
    ("龙华区人民政府", "People's Government of Longhua District"),
    ("海南省人民医院", "Hainan Provincial People's Hospital"),
    ("大东海", "Dadonghai"),
])
def test_names_pinyin_specific_part_and_translated_generic(zh, expected):
    assert compose(zh) == expected


@pytest.mark.parametrize("style, expected", [
    ("direction-before", "Longkun South Road"),
    ("direction-after", "Longkun Road South"),
    ("abbreviated", "Longkun Rd S"),
])
def test_direction_words_follow_the_road_name_style(style, expected):
    assert compose("龙昆南路", ROAD_NAME_STYLE=style) == expected


def test_direction_word_that_is_part_of_a_name_stays_pinyin():
    assert compose("南大立交桥") == "Nanda Flyover"
    assert compose("中山路") == "Zhongshan Road"


def test_u_umlaut_style_is_a_setting():
    assert compose("万绿园", PINYIN_U_STYLE="u") == "Wanlu Park"
    assert compose("万绿园", PINYIN_U_STYLE="ü") == "Wanlü Park"


def test_gbt16159_pinyin_spelling():
    assert pinyin.name_pinyin("西安") == "Xi'an"
    assert pinyin.name_pinyin("博鳌") == "Bo'ao"
    assert pinyin.name_pinyin("天涯海角") == "Tianyahaijiao"
    assert pinyin.write_syllables(["hai", "an"]) == "Hai'an"


def test_established_place_name_teaches_its_reading():
    assert pinyin.teach_reading("蚌埠", "Bengbu")
    assert pinyin.name_pinyin("蚌埠") == "Bengbu"
    assert not pinyin.teach_reading("海口", "Sanya")


def test_clauses_become_lines():
    assert compose("禁止吸烟，小心地滑") == "No Smoking//CAUTION//Wet Floor"


def test_unknown_text_gives_an_empty_draft_with_the_reason():
    rendering, reason = RuleComposer(GLOSSARY, "en", {}).draft("今天天气很好吃")
    assert rendering is None
    assert "今天天气很好吃" in str(reason)


@pytest.mark.parametrize("target, zh, expected", [
    ("ja", "禁止拍照", "撮影禁止"),
    ("ko", "禁止停车", "주차금지"),
    ("ru", "禁止吸烟", "Не курить"),
    ("ja", "当心碰头", "頭上注意"),
    ("ko", "小心地滑", "미끄럼주의"),
    ("ru", "高压危险", "Осторожно! Высокое напряжение"),
])
def test_other_languages_from_patterns(target, zh, expected):
    assert compose(zh, target) == expected


def test_other_languages_never_guess():
    rendering, reason = RuleComposer(GLOSSARY, "ru", {}).draft("服务台")
    assert rendering is None and "ru" in str(reason)


def test_glossary_in_other_language():
    glossary = from_entries("zh", "ko", [entry("电梯", "엘리베이터", "fac-1", "facility")])
    rendering, _ = RuleComposer(glossary, "ko", {}).draft("电梯")
    assert rendering.text == "엘리베이터"


@pytest.mark.parametrize("raw, expected", [
    ("no smoking", "No Smoking"),
    ("keep off the grass", "Keep off the Grass"),
    ("caution//wet floor", "CAUTION//Wet Floor"),
    ("door-to-door delivery", "Door-to-Door Delivery"),
    ("check-in counter", "Check-in Counter"),
    ("atm and TCM department", "Atm and TCM Department"),
    ("speed limit 40 km/h", "Speed Limit 40 km/h"),
])
def test_title_case(raw, expected):
    assert casing.title_case(raw) == expected


def test_tidy_removes_full_width_punctuation_and_final_stop():
    assert casing.tidy("No  Smoking。") == "No Smoking"
    assert casing.tidy("Check - in") == "Check-in"
    assert casing.tidy("Food&Drink") == "Food & Drink"


def test_tables_are_data():
    tables = load_tables()
    assert len(tables.patterns) >= 40
    assert tables.verbs["游泳"].gerund == "Swimming"
    assert tables.hazards["触电"].signal == "DANGER"
    assert tables.generics["路"].kind == "road"
    assert "of" in tables.function_words


def test_engine_on_the_seeded_database(db):
    engine = get_engine("rules", db, {"ROAD_NAME_STYLE": "direction-before"})
    drafts = engine.translate_batch(["禁止吸烟", "", "龙昆南路", "吃饭了吗"], "zh", "en")
    assert [d.text for d in drafts[:3]] == ["No Smoking", "", "Longkun South Road"]
    assert drafts[1].reason and drafts[3].reason and not drafts[3].text
    assert all(d.engine == "rules" and d.origin == "engine" for d in drafts)
    assert engine.translate_batch(["出口"], "zh", "de")[0].reason


def test_a_composed_draft_never_spells_a_forbidden_rendering():
    glossary = from_entries("zh", "en", [
        entry("出租", "Rental", "x-1"),
        entry("车辆", "Car", "x-2"),
        entry("出租车", "Taxi", "x-3", forbidden=("Rental Car",)),
    ])
    rendering, _ = RuleComposer(glossary, "en", {}).draft("出租车辆")
    assert rendering.text == "Taxi"


@pytest.mark.parametrize("zh, expected", [
    ("海口第一中学", "Haikou No. 1 Middle School"),
    ("三亚第二十三小学", "Sanya No. 23 Primary School"),
    ("禁止翻越护栏", "No Climbing Over Railings"),
    ("请爱护公共设施", "Please Take Care of Public Facilities"),
    ("请勿在此停车", "Do Not Park Here"),
    ("禁止带宠物入内", "No Pets"),
    ("非机动车禁止入内", "No Entry for Non-Motor Vehicle"),
    ("A1出口", "Exit A1"),
    ("B区", "Area B"),
    ("2号线换乘", "Line 2 Transfer"),
    ("前方200米", "200 m Ahead"),
    ("B1层", "B1"),
])
def test_general_rules_on_unseen_kinds_of_signs(zh, expected):
    assert compose(zh) == expected


def test_composition_does_not_repeat_words():
    glossary = from_entries("zh", "en", [
        entry("值机", "Check-in Counter", "t-1"), entry("电瓶车", "Sightseeing Cart", "t-2")])
    composer = RuleComposer(glossary, "en", {})
    assert composer.draft("值机柜台")[0].text == "Check-in Counter"
    assert composer.draft("观光电瓶车")[0].text == "Sightseeing Cart"


def test_another_wording_of_a_concept_does_not_override_sign_vocabulary():
    hall = Entry(source_text="大厅", concept_id="cat-9", domain="catering",
                 function="facility", source_status="admitted", preferred=("Main Dining Hall",))
    composer = RuleComposer(from_entries("zh", "en", [hall]), "en", {})
    assert composer.draft("候车大厅")[0].text == "Waiting Hall"
    assert composer.draft("大厅")[0].text == "Main Dining Hall"  # the whole text: glossary


def test_one_word_forbidden_pinyin_generics_do_not_break_names():
    glossary = from_entries("zh", "en", [
        Entry(source_text="溪", concept_id="npt-102", domain="place_names", function=None,
              source_status="preferred", preferred=("Stream",), forbidden=("Xi",)),
        Entry(source_text="路", concept_id="npt-1", domain="place_names", function=None,
              source_status="preferred", preferred=("Road",), forbidden=("Lu",)),
    ])
    composer = RuleComposer(glossary, "en", {})
    assert composer.draft("西安路")[0].text == "Xi'an Road"
    # A one-syllable specific name takes its generic into the pinyin (GB/T 30240.1).
    assert composer.draft("芦路")[0].text == "Lulu Road"


def test_polyphonic_place_names_follow_the_checks_spellings():
    from workbench.mt.rules.tables import place_name_spellings

    if "重兴" not in place_name_spellings():
        pytest.skip("the QA checks' place-name table is not installed")
    assert compose("重兴镇") == "Chongxing Town"
    assert compose("长坡镇") == "Changpo Town"


def test_forbidden_phrase_inside_the_correct_rendering_is_left_alone():
    # "Not Touch" is forbidden for 请勿触摸, but it is part of "Do Not Touch the Exhibits".
    glossary = from_entries("zh", "en", [
        entry("请勿触摸展品", "Do Not Touch the Exhibits", "cul-1", "prohibition"),
        entry("请勿触摸", "Do Not Touch", "gen-1", "prohibition",
              forbidden=("Not Touch", "Don't Touch")),
    ])
    rendering, _ = RuleComposer(glossary, "en", {}).draft("请勿触摸展品")
    assert rendering.text == "Do Not Touch the Exhibits"


def test_city_name_with_level_is_not_split_into_mountain_and_city():
    glossary = from_entries("zh", "en", [
        entry("五指山市", "Wuzhishan", "hnp-7", "name", "place_names"),
        entry("五指山", "Wuzhi Mountain", "hnp-118", "name", "place_names"),
        entry("水满乡", "Shuiman Township", "hnp-9", "name", "place_names"),
    ])
    composer = RuleComposer(glossary, "en", {})
    # Hospitals leave the city level out (Haikou People's Hospital); governments follow
    # the organization-name style (default: People's Government of …).
    assert composer.draft("五指山市人民医院")[0].text == "Wuzhishan People's Hospital"
    assert composer.draft("水满乡人民政府")[0].text == "People's Government of Shuiman Township"


def test_village_committee_is_a_generic():
    assert compose("沙美村委会") == "Shamei Villagers' Committee"


def test_ordinal_rooms_get_arabic_numbers():
    glossary = from_entries("zh", "en", [entry("候车室", "Waiting Room", "tra-9", "facility"),
                                         entry("会议室", "Meeting Room", "gen-9", "facility")])
    composer = RuleComposer(glossary, "en", {})
    assert composer.draft("第二候车室")[0].text == "Waiting Room 2"
    assert composer.draft("第12会议室")[0].text == "Meeting Room 12"


def test_space_separated_clauses_become_lines_not_one_phrase():
    glossary = from_entries("zh", "en", [entry("前方施工", "Roadworks Ahead", "tra-7", "warning"),
                                         entry("慢行", "Slow Down", "tra-8", "instruction")])
    rendering, _ = RuleComposer(glossary, "en", {}).draft("前方施工 慢行")
    assert rendering.text == "Roadworks Ahead//Slow Down"


@pytest.mark.parametrize("zh, expected", [
    ("游客请勿进入", "No Entry for Visitors"),
    ("请勿进入", "Do Not Enter"),
])
def test_sign_operators_are_never_composed_word_by_word(zh, expected):
    glossary = from_entries("zh", "en", [
        entry("游客", "Visitors", "gen-547"), entry("请勿", "Do Not", "gen-518"),
        entry("进入", "Entry", "gen-603"), entry("请", "Please", "gen-1")])
    rendering, _ = RuleComposer(glossary, "en", {}).draft(zh)
    assert rendering is not None and rendering.text == expected


def test_an_operator_left_over_gives_no_draft_rather_than_chinglish():
    glossary = from_entries("zh", "en", [
        entry("游客", "Visitors", "gen-547"), entry("请勿", "Do Not", "gen-518")])
    rendering, reason = RuleComposer(glossary, "en", {}).draft("游客请勿")
    assert rendering is None and reason
