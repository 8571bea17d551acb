"""The checks that catch what real signs get wrong (issue 12): near misses, meaning conflicts,
Chinglish grammar, capitals, pinyin orthography, and the correct texts they must pass."""
from __future__ import annotations

from pathlib import Path

import pytest

from workbench.checks import run_checks
from workbench.glossary.match import Entry, from_entries

DATA = Path(__file__).parent / "data"


def checks(source: str, target: str, db=None, **kwargs) -> set[str]:
    return {f.check for f in run_checks(db, source, target, "en", **kwargs)}


def glossary(*entries: tuple[str, tuple[str, ...]]):
    """A small glossary: (Chinese, preferred English renderings) pairs."""
    return from_entries("zh", "en", [Entry(zh, f"c{i}", "general", "facility", "preferred",
                                           tuple(renderings))
                                     for i, (zh, renderings) in enumerate(entries)])


# --- near misses ------------------------------------------------------------------------------

TERMS = glossary(("公共厕所", ("Public Toilet", "Public Toilets")),
                 ("手提行李", ("Carry-on Baggage", "Hand Baggage", "Cabin Baggage")),
                 ("游客中心", ("Visitor Center", "Tourist Centre")),
                 ("公园", ("Park",)), ("海滩", ("Beach",)))


@pytest.mark.parametrize("source,target,written,expected", [
    ("公共厕所", "Pubic Toilets", "Pubic", "Public"),        # a real word a speller passes
    ("手提行李", "CARIN BAGGAGF", "BAGGAGF", "BAGGAGE"),      # capitals, not an abbreviation
    ("公园", "Pork", "Pork", "Park"),
    ("海滩", "Beech", "Beech", "Beach"),
])
def test_near_misses_name_the_expected_word(source, target, written, expected) -> None:
    findings = [f for f in run_checks(None, source, target, "en",
                                      context={"glossary": TERMS}) if f.check == "near_miss"]
    assert findings, target
    finding = next(f for f in findings if target[f.start:f.end] == written)
    assert finding.suggestion == expected
    assert finding.message.params["expected"] == expected
    assert finding.message.params["chinese"] == source


@pytest.mark.parametrize("source,target", [
    ("公共厕所", "Public Toilets"),        # an inflection of the expected word
    ("游客中心", "Visitor Centre"),        # British spelling of Center
    ("游客中心", "Tourist Center"),        # American spelling of Centre
    ("公共厕所", "Public Restroom"),       # another word, not a near miss
])
def test_inflections_variants_and_other_words_are_not_near_misses(source, target) -> None:
    assert "near_miss" not in checks(source, target, context={"glossary": TERMS})


def test_a_word_of_the_same_family_is_not_a_near_miss_of_the_draft() -> None:
    # The rule draft may say "Tourist" where the sign says "Tourism": both are right.
    assert checks("呀诺达雨林文化旅游区", "Yanoda Rainforest Cultural Tourism Zone") == set()


def test_pinyin_shaped_real_words_and_names_near_the_chinese() -> None:
    hunan = run_checks(None, "华南快速", "Hunan EXPWY", "en")
    assert [(f.check, f.suggestion) for f in hunan] == [("pinyin", "Huanan")]
    assert checks("湖南路", "Hunan Road") == set()     # Hunan is the pinyin of 湖南 here
    aisan = run_checks(None, "亚运观众入口", "Aisan Spectator Entrance", "en")
    assert [(f.check, f.suggestion) for f in aisan] == [("spelling", "Asian")]
    assert checks("凤凰国际机场", "Sanya Phoenix International Airport") == set()


def test_spelling_suggests_the_expected_word_over_a_dictionary_guess() -> None:
    findings = run_checks(None, "购物中心", "Shoping Mall", "en")
    assert [(f.check, f.suggestion) for f in findings] == [("spelling", "Shopping")]


# --- meaning conflicts ------------------------------------------------------------------------

SIBLINGS = glossary(("女厕所", ("Women's Toilet", "Ladies' Room", "Women")),
                    ("男厕所", ("Men's Toilet", "Men's Room", "Men")),
                    ("终点站", ("Terminus", "Last Stop", "Terminal Station")),
                    ("下一站", ("Next Station", "Next Stop")),
                    ("站", ("Station",)),
                    ("入口", ("Entrance", "Way In")), ("出口", ("Exit", "Way Out")),
                    ("国际到达", ("International Arrivals",)),
                    ("国际出发", ("International Departures",)),
                    ("餐厅", ("Restaurant", "Dining Room")),
                    ("用餐大厅", ("Dining Hall",)), ("大厅", ("Hall", "Dining Hall")))


@pytest.mark.parametrize("source,target,written,other", [
    ("女厕所", "Men's Room", "Men's Room", "男厕所"),
    ("女厕所", "Men", "Men", "男厕所"),
    ("终点站", "Next Station", "Next Station", "下一站"),
    ("入口", "Exit", "Exit", "出口"),
    ("国际到达", "International Departures", "International Departures", "国际出发"),
])
def test_a_neighbouring_concept_is_a_meaning_conflict(source, target, written, other) -> None:
    findings = [f for f in run_checks(None, source, target, "en",
                                      context={"glossary": SIBLINGS}) if f.check == "meaning"]
    assert len(findings) == 1, findings
    assert target[findings[0].start:findings[0].end] == written
    assert findings[0].message.params["other"] == other
    assert findings[0].message.params["term"] == source


@pytest.mark.parametrize("source,target", [
    ("女厕所", "Women's Restroom"),        # a variant of the term's own wording
    ("终点站", "Terminal Station"),
    ("餐厅", "Dining Hall"),              # 用餐大厅 shares the term's own 餐: a variant
    ("出口", "Exit"),
])
def test_variants_of_the_term_are_not_conflicts(source, target) -> None:
    assert "meaning" not in checks(source, target, context={"glossary": SIBLINGS})


def test_meaning_conflicts_with_the_shipped_glossary(db) -> None:
    assert "meaning" in checks("女厕所", "Men's Room", db)
    assert "meaning" in checks("终点站", "Next Station", db)
    # The glossary matched only 电梯 in 扶手电梯; "escalators" is what the Chinese says.
    assert "meaning" not in checks("保持行人通道及扶手电梯、电动人行道两端畅通无阻",
                                   "Keep passageways and the ends of escalators and "
                                   "travelators clear", db)
    assert "meaning" not in checks("禁止吸烟区", "Non-Smoking Area", db)


# --- Chinglish grammar ------------------------------------------------------------------------

@pytest.mark.parametrize("source,target,span", [
    ("危险品禁止携带", "Dangerous Goods Forbid", (0, 22)),
    ("垃圾分类", "Rubbish Classify", (0, 16)),
    ("散客讲解", "Individual visitors explain", (0, 27)),
    ("爱护花草", "Flowers and Grass Cherish", (0, 25)),
    ("严禁烟火", "Prohibit fireworks", (0, 18)),
    ("严禁携带宠物", "Prohibit Pets", (0, 13)),
    ("当心坠落", "Warning drop down", (0, 17)),
    ("当心夹手", "Warning hands pinching", (0, 22)),
    ("当心夹手", "Careful Hand Pinch", (0, 18)),
    ("当心陡坡", "Steep Slope Carefully", (12, 21)),
    ("请勿攀爬", "Please Not Climb", (0, 16)),
    ("注意安全", "Notice Your Safety", (0, 18)),
])
def test_chinglish_grammar_is_flagged(source: str, target: str, span) -> None:
    findings = [f for f in run_checks(None, source, target, "en") if f.check == "grammar"]
    assert span in {(f.start, f.end) for f in findings}, findings


def test_prohibit_x_suggests_no_x() -> None:
    finding = next(f for f in run_checks(None, "严禁烟火", "Prohibit fireworks", "en")
                   if f.check == "grammar")
    assert finding.suggestion == "No Fireworks"
    verb_final = next(f for f in run_checks(None, "危险品禁止携带", "Dangerous Goods Forbid",
                                            "en") if f.check == "grammar")
    assert verb_final.suggestion == "Dangerous Goods Prohibited"


@pytest.mark.parametrize("source,target", [
    ("小心驾驶", "Drive Carefully"), ("请勿吸烟", "Please Do Not Smoke"),
    ("超市", "Cash and Carry"), ("当心烟雾", "Beware of Smoke"), ("联系我们", "Keep in Touch"),
    ("禁止停车", "No Parking"), ("当心落石", "CAUTION//Falling Rocks"),
    ("请勿入内", "Do Not Enter"), ("请回收", "Please Recycle"),
    ("留意各告示及广播", "Pay attention to all notices and announcements"),
    ("禁止吸烟", "Smoking Prohibited"), ("危险品禁止携带", "Dangerous Articles Prohibited"),
])
def test_correct_word_order_is_not_flagged(source: str, target: str) -> None:
    assert "grammar" not in checks(source, target)
    assert "chinglish" not in checks(source, target)


# --- capitals ---------------------------------------------------------------------------------

def test_phrases_in_capitals_are_flagged_with_their_title_case() -> None:
    finding = next(f for f in run_checks(None, "禁止吸烟", "NO SMOKING", "en")
                   if f.check == "capitals")
    assert finding.suggestion == "No Smoking" and finding.severity == "warning"
    assert "capitals" in checks("海秀中路", "HAI XIU MIDDLE ROAD")
    assert "capitals" in checks("贵宾室", "VIP LOUNGE")


@pytest.mark.parametrize("source,target", [
    ("出口", "EXIT"), ("自动取款机", "ATM"), ("小心地滑", "CAUTION//Wet Floor"),
    ("当心触电", "DANGER//High Voltage"), ("贵宾室", "VIP Lounge"),
    ("龙昆南路", "LONGKUN NANLU"),             # a street nameplate (GB 17733)
    ("清华南路", "QINGHUA South Rd"), ("天坛东路", "TIANTAN East Rd"),
])
def test_signal_words_abbreviations_nameplates_and_road_style_pass(source, target) -> None:
    assert "capitals" not in checks(source, target)


def test_the_capitalized_road_name_style_is_a_setting() -> None:
    strict = {"ROAD_NAME_CAPITALS": "title-case"}
    findings = [f for f in run_checks(None, "清华南路", "QINGHUA South Rd", "en",
                                      settings=strict) if f.check == "capitals"]
    assert [(f.start, f.end, f.suggestion) for f in findings] == [(0, 7, "Qinghua")]
    assert checks("清华南路", "QINGHUA South Rd", settings={"ROAD_NAME_CAPITALS": "allowed"}) \
        == set()
    # Not a road: a name in capitals is not that style.
    assert "capitals" in checks("海口火车站", "HAIKOU Railway Station")


def test_the_setting_comes_from_the_configuration(monkeypatch) -> None:
    from workbench.config import load_settings

    monkeypatch.setenv("WORKBENCH_ROAD_NAME_CAPITALS", "title-case")
    assert load_settings()["ROAD_NAME_CAPITALS"] == "title-case"


# --- pinyin orthography -----------------------------------------------------------------------

@pytest.mark.parametrize("source,target,check_id", [
    ("南大桥", "NANDA QIAO", "pinyin_generic"),      # capital pinyin for an English generic
    ("海甸岛", "HAIDIAN DAO", "pinyin_generic"),
    ("海秀中路", "HAI XIU MIDDLE ROAD", "pinyin"),    # split syllables
    ("淮海中路", "HuaiHai Zhong Lu", "pinyin"),       # joined with an inner capital
    ("山顶站", "shanding station", "pinyin"),         # lower case
    ("慢行道", "manxingdao", "pinyin"),
])
def test_pinyin_orthography(source: str, target: str, check_id: str) -> None:
    assert check_id in checks(source, target)


# --- correct texts must pass ------------------------------------------------------------------

CORRECT = [
    ("妈湾", "Mawan Bay"), ("南京东路", "East Nanjing Road"), ("西宝兴路", "Xibaoxing Road"),
    ("海口市教育局", "Haikou Municipal Administration of Education"),
    ("海南口腔医院玉河分院", "Hainan Dental Hospital, Yuhe Branch"),
    ("中山北路", "Zhongshan Rd (N)"), ("光伏南路", "Guangfu S. Rd"),
    ("凤凰国际机场", "Phoenix International Airport"), ("换花节", "Flower Exchange Festival"),
    ("复旦大学附属中山医院", "Zhongshan Hospital (The Affiliated Hospital of Fudan University)"),
    ("中河高架", "Zhonghe Elevated Expwy"),
    ("海口市人民政府", "Haikou Municipal People's Government"),
    ("三亚市人民政府", "People's Government of Sanya Municipality"),
    ("海南医学院第一附属医院", "The First Affiliated Hospital of Hainan Medical University"),
    ("海南省高级人民法院", "Hainan High People's Court"),
    ("万宁市兴隆华侨农场", "Xinglong Overseas Chinese Farm, Wanning"),
    ("海口观澜湖", "Mission Hills Haikou"), ("椰风海韵", "Coconut Breeze and Sea Charm"),
    ("南海博物馆", "China (Hainan) Museum of the South China Sea"),
    ("海甸五西路", "Haidian 5th West Road"), ("二环路", "2nd Ring Road"),
    ("水深危险 禁止游泳", "DANGER//Deep Water//No Swimming"),
    ("为了您的安全，请勿跨越护栏", "For your safety, do not climb over the railing."),
    ("本店支持微信和支付宝付款", "We Accept WeChat Pay and Alipay"),
]


@pytest.mark.parametrize("source,target", CORRECT)
def test_correct_names_and_signs_raise_nothing(db, source: str, target: str) -> None:
    assert [(f.check, f.text()) for f in run_checks(db, source, target, "en")] == []


def _qa_rows(name: str) -> list[tuple[str, str, bool, str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            zh, text, expected, error_type, *_source = line.split("\t")
            rows.append((zh, text, expected == "flag", error_type))
    return rows


def test_documented_wrong_signs_are_flagged_and_correct_ones_are_not(db) -> None:
    """The public QA development rows (qa-dev-2.tsv): every wrong text flagged, no correct one."""
    rows = _qa_rows("qa-dev-2.tsv")
    missed = [(zh, text) for zh, text, flag, _type in rows
              if flag and not run_checks(db, zh, text, "en")]
    false_flags = [(zh, text, [f.check for f in run_checks(db, zh, text, "en")])
                   for zh, text, flag, _type in rows
                   if not flag and run_checks(db, zh, text, "en")]
    assert len(rows) == 34
    assert missed == [] and false_flags == []
