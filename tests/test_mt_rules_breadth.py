"""The rule engine on real inventories: organizations, roads, sentence-long notices, ru/ja/ko.

The signs here are chosen outside the development files (benchmarks/data/signs-dev*.tsv):
they test the rules, not a lookup of the dev rows.
"""
from __future__ import annotations

import json

import pytest

from workbench.glossary.match import Entry, from_entries
from workbench.messages import Message
from workbench.mt import get_engine
from workbench.mt.base import Draft, UnknownSpan
from workbench.mt.rules.clauses import ing_form
from workbench.mt.rules.engine import RuleComposer
from workbench.mt.rules.names import join_words


def entry(zh: str, en: str, concept: str, function: str | None = "name",
          domain: str = "place_names", admitted: tuple[str, ...] = (),
          status: str = "preferred") -> Entry:
    return Entry(source_text=zh, concept_id=concept, domain=domain, function=function,
                 source_status=status, preferred=(en,), admitted=admitted)


PLACES = [
    entry("海南省", "Hainan Province", "p-1", admitted=("Hainan",)),
    entry("海南", "Hainan Province", "p-1", admitted=("Hainan",), status="admitted"),
    entry("海口市", "Haikou", "p-2", admitted=("Haikou City",)),
    entry("三亚市", "Sanya", "p-3"),
    entry("琼海市", "Qionghai", "p-4"),
    entry("美兰区", "Meilan District", "p-5"),
    entry("天涯区", "Tianya District", "p-6"),
    entry("兴隆华侨农场", "Xinglong Overseas Chinese Farm", "p-7"),
    entry("万宁市", "Wanning", "p-8"),
    entry("外事办公室", "Foreign Affairs Office", "o-1", None, "organizations"),
]


def compose(text: str, extra: tuple[Entry, ...] = (), target: str = "en", **settings) -> str:
    glossary = from_entries("zh", target, [*PLACES, *extra] if target == "en" else list(extra))
    rendering, _reason = RuleComposer(glossary, target, settings).draft(text)
    return rendering.text if rendering else ""


def test_composition_prefers_whole_words_to_a_trailing_single_character():
    # 公交站 + 点 gave "Bus Stop Point": 公交 + 站点 is as short and made of words.
    bus = (entry("公交站", "Bus Stop", "t-1", "facility", "transport"),)
    assert compose("公交站点", bus) == "Bus Stop"
    assert compose("公交站", bus) == "Bus Stop"


# --- organizations (DB46/T 506.9) ------------------------------------------------------------
@pytest.mark.parametrize("zh, of_style, adjectival", [
    ("海南省司法厅", "Department of Justice of Hainan Province",
     "Hainan Provincial Department of Justice"),
    ("琼海市人民政府", "People's Government of Qionghai Municipality",
     "Qionghai Municipal People's Government"),
    ("海口市民政局", "Bureau of Civil Affairs of Haikou Municipality",
     "Haikou Municipal Bureau of Civil Affairs"),
    ("海南省卫生健康委员会", "Health Commission of Hainan Province",
     "Hainan Provincial Health Commission"),
    ("三亚市天涯区人民政府", "People's Government of Tianya District, Sanya",
     "Sanya Tianya District People's Government"),
])
def test_government_bodies_follow_the_organization_name_style(zh, of_style, adjectival):
    assert compose(zh) == of_style  # the default: the standard's style
    assert compose(zh, ORG_NAME_STYLE="of") == of_style
    assert compose(zh, ORG_NAME_STYLE="adjectival") == adjectival


@pytest.mark.parametrize("zh, expected", [
    ("琼海市人民代表大会", "Qionghai Municipal People's Congress"),
    ("海口市人民代表大会常务委员会",
     "Standing Committee of the Haikou Municipal People's Congress"),
    ("中共琼海市委员会", "CPC Qionghai Municipal Committee"),
    ("中国共产党海口市委员会", "CPC Haikou Municipal Committee"),
    ("中共海口市委宣传部", "Publicity Department of the CPC Haikou Municipal Committee"),
])
def test_congresses_and_party_committees_are_named_the_same_in_both_styles(zh, expected):
    assert compose(zh) == expected
    assert compose(zh, ORG_NAME_STYLE="adjectival") == expected


def test_a_body_of_a_government_is_nested_after_it():
    assert compose("琼海市人民政府外事办公室") == (
        "Foreign Affairs Office of the People's Government of Qionghai Municipality")
    assert compose("琼海市人民政府外事办公室", ORG_NAME_STYLE="adjectival") == (
        "Foreign Affairs Office of the Qionghai Municipal People's Government")


@pytest.mark.parametrize("zh, expected", [
    ("三亚市天涯区人民法院", "Sanya Tianya District People's Court"),
    ("海口市美兰区人民检察院", "Haikou Meilan District People's Procuratorate"),
    ("琼海市中级人民法院", "Qionghai Intermediate People's Court"),
    ("海南省第二中级人民法院", "Hainan No. 2 Intermediate People's Court"),
    ("琼海市人民医院", "Qionghai People's Hospital"),
    ("海南省人民医院", "Hainan Provincial People's Hospital"),
    ("海口市第四人民医院", "Haikou Fourth People's Hospital"),
    ("琼海市中医院", "Qionghai Hospital of Traditional Chinese Medicine"),
    ("海口市口腔医院", "Haikou Dental Hospital"),
    ("琼海市第二小学", "Qionghai No. 2 Primary School"),
])
def test_courts_hospitals_and_schools(zh, expected):
    assert compose(zh) == expected


def test_no_word_is_ever_repeated():
    # Observed bugs: "… Renmin People's Court", "… Overseas Chinese Farm Overseas Chinese Farm".
    court = compose("三亚市天涯区人民法院")
    assert "Renmin" not in court and court.count("People's") == 1
    assert compose("万宁市兴隆华侨农场") == "Wanning Xinglong Overseas Chinese Farm"
    assert join_words(["Xinglong Overseas Chinese Farm", "Overseas Chinese Farm"]) == (
        "Xinglong Overseas Chinese Farm")
    assert join_words(["People's", "People's Court"]) == "People's Court"


@pytest.mark.parametrize("zh, expected", [
    ("南京大学附属鼓楼医院", "Gulou Hospital Affiliated to Nanjing University"),
    ("广西医科大学第一附属医院", "First Affiliated Hospital of Guangxi Medical University"),
    ("海南大学附属中学", "High School Affiliated to Hainan University"),
    ("海南大学附属医院", "Affiliated Hospital of Hainan University"),
])
def test_an_affiliated_body_is_composed_never_one_pinyin_word(zh, expected):
    assert compose(zh) == expected


def test_a_branch_is_written_after_its_parent():
    assert compose("海口市眼科医院美兰分院") == "Haikou Eye Hospital, Meilan Branch"
    assert compose("海口市公安局美兰分局", (
        entry("海口市公安局", "Haikou Municipal Public Security Bureau", "o-2", "name",
              "organizations"),)) == "Haikou Municipal Public Security Bureau, Meilan Branch"


def test_a_university_school_and_a_named_hospital_of_a_university():
    university = (entry("复旦大学", "Fudan University", "u-1", "name", "organizations"),)
    assert compose("复旦大学法学院", university) == "Fudan University School of Law"
    assert compose("复旦大学华山医院", university) == "Huashan Hospital of Fudan University"


def test_the_established_name_table_wins_over_composition():
    established = (entry("海南省商务厅", "Hainan Provincial Department of Commerce", "o-3",
                         "name", "organizations",
                         admitted=("Department of Commerce of Hainan Province",)),
                   entry("国家文物局", "National Cultural Heritage Administration", "o-4",
                         "name", "organizations"))
    assert compose("国家文物局") == "National Bureau of Cultural Heritage"  # composed
    assert compose("国家文物局", established) == "National Cultural Heritage Administration"
    # Listed in both styles, it is written in the project's style.
    assert compose("海南省商务厅", established) == "Department of Commerce of Hainan Province"
    assert compose("海南省商务厅", established, ORG_NAME_STYLE="adjectival") == (
        "Hainan Provincial Department of Commerce")


def test_fields_the_tables_know_are_never_left_in_pinyin():
    assert compose("海南省审计厅") == "Department of Audit of Hainan Province"
    assert compose("三亚市水务局") == "Bureau of Water Affairs of Sanya Municipality"
    assert "pinyin" not in compose("海南省旅游和文化广电体育厅")
    assert compose("海南省旅游和文化广电体育厅") == (
        "Department of Tourism, Culture, Radio and Television and Sports of Hainan Province")


# --- roads and places (GB/T 30240.1/.2, GB 17733) ---------------------------------------------
@pytest.mark.parametrize("zh, expected", [
    ("四环路", "4th Ring Road"),
    ("西三环北路", "West 3rd Ring Road North"),
    ("中环路", "Middle Ring Road"),
    ("金盘一路", "Jinpan 1st Road"),
    ("海甸三西路", "Haidian 3rd West Road"),
    ("丰路", "Fenglu Road"),
    ("洪街", "Hongjie Street"),
    ("闽江", "Minjiang River"),
    ("建国门立交", "Jianguomen Interchange"),
    ("国贸立交桥", "Guomao Flyover"),
    ("德胜高架", "Desheng Elevated Expressway"),
    ("延安高架路", "Yan'an Elevated Road"),
    ("解放路隧道", "Jiefang Road Tunnel"),
    ("滨江路辅路", "Binjiang Road Side Road"),
    ("凤翔支路", "Fengxiang Branch Road"),
    ("田林弄", "Tianlin Alley"),
    ("人民路", "Renmin Road"),
])
def test_road_names(zh, expected):
    assert compose(zh) == expected


@pytest.mark.parametrize("style, expected", [
    ("direction-before", "Wenhua 2nd North Road"),
    ("direction-after", "Wenhua 2nd Road North"),
    ("abbreviated", "Wenhua 2nd Rd N"),
])
def test_numbered_road_with_direction_follows_the_style(style, expected):
    assert compose("文化二北路", ROAD_NAME_STYLE=style) == expected


def test_abbreviations_are_a_style_setting():
    assert compose("朝阳大道", ROAD_NAME_STYLE="abbreviated") == "Chaoyang Ave"
    assert compose("五环路", ROAD_NAME_STYLE="abbreviated") == "5th Ring Rd"
    assert compose("东四环", ROAD_NAME_STYLE="abbreviated") == "E 4th Ring Rd"


def test_a_road_named_after_a_place_keeps_its_pinyin():
    lake = (entry("西湖", "West Lake", "t-1", "name", "tourism"),)
    assert compose("西湖", lake) == "West Lake"
    assert compose("西湖隧道", lake) == "Xihu Tunnel"


def test_a_city_station_is_its_railway_station():
    assert compose("长沙站") == "Changsha Railway Station"
    assert compose("成都东站") == "Chengdu East Railway Station"


def test_known_words_after_a_name_are_translated():
    words = (entry("热带雨林", "Tropical Rainforest", "n-1", None),
             entry("五指山", "Wuzhi Mountain", "n-2"))
    assert compose("五指山热带雨林风景区", words) == (
        "Wuzhi Mountain Tropical Rainforest Scenic Area")


# --- notices and instructions a sentence long ------------------------------------------------
VOCABULARY = (
    entry("车厢", "Carriage", "v-1", "facility", "transport"),
    entry("扶梯", "Escalator", "v-2", "facility", "general"),
    entry("扶手", "Handrail", "v-3", None, "general"),
    entry("电梯", "Elevator", "v-4", "facility", "general"),
    entry("垃圾", "Waste", "v-5", None, "general"),
    entry("垃圾桶", "Litter Bin", "v-6", "facility", "general"),
    entry("烟头", "Cigarette Butts", "v-7", None, "general"),
    entry("证件", "ID", "v-8", None, "general"),
    entry("公园", "Park", "v-9", None, "general"),
)


@pytest.mark.parametrize("zh, expected", [
    ("禁止在此区域钓鱼", "No Fishing in This Area"),
    ("请勿在车厢内吸烟", "Do Not Smoke in the Carriage"),
    ("请勿在扶梯上奔跑", "Do Not Run on the Escalator"),
    ("严禁在公园内烧烤", "No Barbecues in the Park"),
    ("请将垃圾分类投放", "Please Sort Your Waste"),
    ("请出示证件", "Please Show Your ID"),
    ("请勿将烟头扔进垃圾桶", "Do Not Throw Cigarette Butts into the Litter Bin"),
    ("乘坐扶梯时请紧握扶手", "Please Hold the Handrail When Using the Escalator"),
    ("如遇火警请勿乘坐电梯", "Do Not Use the Elevator in Case of Fire"),
    ("文明旅游", "Be a Civilized Tourist"),
    ("请勿吸烟、饮食", "Do Not Smoke, Eat or Drink"),
    ("禁止钓鱼、游泳", "No Fishing or Swimming"),
    ("请勿奔跑打闹", "Do Not Run or Play Around"),
])
def test_clause_patterns_with_qualifiers_objects_and_lists(zh, expected):
    assert compose(zh, VOCABULARY) == expected


def test_a_long_notice_is_written_as_sentences():
    text = compose("请勿在扶梯上奔跑，请紧握扶手，请照看好您的小孩。", VOCABULARY)
    assert text == ("Do not run on the escalator. Please hold the handrail. "
                    "Please look after your children.")


def test_a_partial_draft_keeps_the_unknown_part_and_says_why():
    composer = RuleComposer(from_entries("zh", "en", list(VOCABULARY)), "en", {})
    rendering, reason = composer.draft("禁止在车厢内嗑瓜子")
    assert reason is None and rendering is not None
    assert rendering.text == "No 嗑瓜子 in the Carriage"
    assert rendering.unknown == ("嗑瓜子",)


def test_an_empty_draft_only_when_almost_nothing_is_known():
    composer = RuleComposer(from_entries("zh", "en", list(VOCABULARY)), "en", {})
    rendering, reason = composer.draft("今天天气很好吃")
    assert rendering is None
    assert isinstance(reason, Message) and "今天天气很好吃" in str(reason)


def test_engine_drafts_mark_unknown_spans_with_a_translatable_reason(db):
    engine = get_engine("rules", db, {})
    draft = engine.translate_batch(["禁止在车厢内嗑瓜子"], "zh", "en")[0]
    assert draft.partial and not draft.empty
    assert draft.unknown == [UnknownSpan("嗑瓜子", 3, 6)]
    assert draft.text[draft.unknown[0].start:draft.unknown[0].end] == "嗑瓜子"
    assert isinstance(draft.reason, Message) and "嗑瓜子" in str(draft.reason)
    assert draft.to_dict()["reason"]["id"].startswith("Partial draft")
    whole = engine.translate_batch(["禁止吸烟"], "zh", "en")[0]
    assert not whole.partial and whole.reason is None


@pytest.mark.parametrize("zh, expected", [
    ("禁止在此区域游泳", "No Swimming in This Area"),
    ("文明旅游", "Be a Civilized Tourist"),
    ("请将垃圾分类投放", "Please Sort Your Litter"),
])
def test_observed_empty_drafts_are_drafted_with_the_shipped_glossary(db, zh, expected):
    draft = get_engine("rules", db, {}).translate_batch([zh], "zh", "en")[0]
    assert draft.text == expected


def test_forbidden_renderings_are_only_replaced_for_the_concept_the_source_names(db):
    engine = get_engine("rules", db, {})
    # "No Fireworks" is the known error for 严禁烟火 (No Open Flames), not for fireworks.
    assert engine.translate_batch(["禁止在广场燃放烟花爆竹"], "zh", "en")[0].text == (
        "No Fireworks in the Square")


def test_cli_text_format_keeps_one_line_per_input_line_for_partial_drafts(run_cli):
    source = "禁止在车厢内嗑瓜子\n\n文明旅游\n"
    result = run_cli("draft", "-", input=source)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.split("\n")
    assert len(lines) == 4 and lines[1] == "" and lines[2] == "Be a Civilized Tourist"
    jsonl = run_cli("draft", "--format", "jsonl", "-", input=source)
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert records[0]["unknown"] == [{"source": "嗑瓜子", "start": 3, "end": 6}]
    assert "嗑瓜子" in records[0]["reason"] and records[2]["unknown"] == []


def test_ing_forms():
    assert [ing_form(v) for v in ("Enter", "Use", "Run", "Stop", "Visit", "Open", "Lie")] == [
        "Entering", "Using", "Running", "Stopping", "Visiting", "Opening", "Lying"]


def test_draft_reason_is_stored_as_message_data():
    draft = Draft("", "rules", reason=Message("No rule applies."))
    assert draft.to_dict()["reason"] == {"id": "No rule applies."}


# --- Russian, Japanese, Korean: each language's own sign patterns -----------------------------
def foreign(zh: str, target: str, entries: list[Entry]) -> str:
    rendering, _reason = RuleComposer(from_entries("zh", target, entries), target, {}).draft(zh)
    return rendering.text if rendering else ""


def test_japanese_patterns_put_the_operator_last():
    words = [entry("员工", "従業員", "j-1", None, "general"),
             entry("玻璃", "ガラス", "j-2", None, "general"),
             entry("电梯", "エレベーター", "j-3", None, "general")]
    assert foreign("禁止钓鱼", "ja", words) == "釣り禁止"
    assert foreign("仅限员工使用", "ja", words) == "従業員専用"
    assert foreign("小心玻璃", "ja", words) == "ガラス注意"
    assert foreign("电梯暂停使用", "ja", words) == "エレベーター休止中"


def test_korean_patterns_put_the_operator_last():
    words = [entry("员工", "직원", "k-1", None, "general"),
             entry("玻璃", "유리", "k-2", None, "general")]
    assert foreign("禁止钓鱼", "ko", words) == "낚시금지"
    assert foreign("仅限员工使用", "ko", words) == "직원 전용"
    assert foreign("小心玻璃", "ko", words) == "유리주의"


def test_russian_warning_pattern():
    words = [entry("玻璃", "Стекло", "r-1", None, "general")]
    assert foreign("小心玻璃", "ru", words) == "Осторожно, стекло"
    assert foreign("禁止钓鱼", "ru", words) == "Не ловить рыбу"


def test_japanese_and_korean_compounds_of_known_terms():
    assert foreign("男女共用更衣室", "ja", [entry("更衣室", "更衣室", "j-9", None, "general")]) == (
        "男女共用更衣室")
    assert foreign("男女共用更衣室", "ko", [entry("更衣室", "탈의실", "k-9", None, "general")]) == (
        "남녀 공용 탈의실")


def test_shipped_glossary_covers_600_sign_concepts_in_each_language(db):
    counts = {lang: db.execute(
        "SELECT COUNT(DISTINCT concept_id) FROM glossary_terms WHERE lang = ?", [lang]
    ).fetchone()[0] for lang in ("ru", "ja", "ko")}
    assert all(count >= 600 for count in counts.values()), counts
