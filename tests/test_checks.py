"""QA checks: each check with real-world bad renderings (flagged) and correct signs (not)."""
from __future__ import annotations

import pytest

from workbench import plugins
from workbench.checks import Finding, run_checks
from workbench.checks.base import check_family
from workbench.glossary.match import Entry, from_entries


def found(source: str, target: str, lang: str = "en", **kwargs) -> list[Finding]:
    return run_checks(None, source=source, target=target, target_lang=lang, **kwargs)


def ids(findings: list[Finding]) -> set[str]:
    return {f.check for f in findings}


def families(findings: list[Finding]) -> set[str]:
    return {check_family(f.check) for f in findings}


def test_public_api_and_registry() -> None:
    expected = {"glossary", "chinglish", "spelling", "pinyin", "pinyin_generic", "untranslated",
                "capitals", "punctuation.final_stop", "numbers", "pattern", "consistency"}
    assert expected <= set(plugins.checks())
    for check in plugins.checks().values():
        assert check.name and check.explanation and check.severity in ("error", "warning")
    findings = run_checks(None, source="小心地滑", target="Carefully Slide", target_lang="en",
                          function=None, profile="sign", context=None)
    assert findings and all(isinstance(f, Finding) for f in findings)
    first = findings[0]
    assert first.check == "chinglish" and first.severity == "error"
    assert (first.start, first.end) == (0, 15)
    assert "CAUTION//Wet Floor" in first.text()
    assert first.message.id and isinstance(first.message.params, dict)


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError):
        run_checks(None, "出口", "Exit", "en", profile="poster")


# Real errors from the campaign and their check. Each must be flagged by that check.
BAD = [
    ("残疾人厕所", "Deformed Man Toilet", "chinglish", (0, 12)),
    ("汽车租赁", "Car Rent", "chinglish", (0, 8)),
    ("小心地滑", "Be Careful of Slip", "chinglish", (0, 18)),
    ("小心地滑", "Carefully Slide", "chinglish", (0, 15)),
    ("游客止步", "Tourist Stop", "chinglish", (0, 12)),
    ("安全出口", "Safety Exit", "chinglish", (0, 11)),
    ("出口", "Export", "chinglish", (0, 6)),
    ("注意安全", "Pay Attention to Safety", "chinglish", (0, 23)),
    ("请勿大声喧哗", "No Noising", "chinglish", (0, 10)),
    ("售票处", "Ticket Offce", "spelling", (7, 12)),
    ("餐厅", "Restuarant", "spelling", (0, 10)),
    ("医院", "Hospitel", "spelling", (0, 8)),
    ("海口", "Hai Kou", "pinyin", (0, 7)),
    ("五指山", "Wu Zhi Shan", "pinyin", (0, 11)),
    ("海南", "hainan", "pinyin", (0, 6)),
    ("海口", "HaiKou", "pinyin", (0, 6)),
    ("海口", "Hǎikǒu", "pinyin", (0, 6)),
    ("重庆路", "Zhongqing Road", "pinyin", (0, 9)),
    ("长安街", "Zhang'an Street", "pinyin", (0, 8)),
    ("乐东黎族自治县", "Yuedong Li Autonomous County", "pinyin", (0, 7)),
    ("西安路", "Xian Road", "pinyin", (0, 4)),
    ("定安县", "Dingan County", "pinyin", (0, 6)),
    ("龙昆南路", "Longkun Nan Lu", "pinyin_generic", (8, 11)),
    ("龙昆南路", "Longkun South Lu", "pinyin_generic", None),
    ("三亚湾", "Sanya Wan", "pinyin_generic", (6, 9)),
    ("国兴大道", "Guoxing Dadao", "pinyin_generic", (8, 13)),
    ("万绿园", "Wanlv Yuan", "pinyin_generic", (6, 10)),
    ("南渡江", "Nandu Jiang", "pinyin_generic", (6, 11)),
    ("出口", "出口 Exit", "untranslated", (0, 2)),
    ("卫生间", "Toilet 卫生间", "untranslated", (7, 10)),
    ("出口", "", "untranslated", None),
    ("禁止停车", "no parking", "capitals", (0, 2)),
    ("小心地滑", "CAUTION:wet floor", "capitals", (8, 11)),
    ("请在黄线外等候", "Please Wait Behind The Yellow Line", "capitals", (19, 22)),
    ("小心地滑", "CAUTION:wet floor", "punctuation.colon_space", (7, 8)),
    ("出口", "Exit。", "punctuation.full_width", (4, 5)),
    ("禁止停车", "No Parking！", "punctuation.full_width", (10, 11)),
    ("出口", "Exit.", "punctuation.final_stop", (4, 5)),
    ("出口", "Exit  Here", "punctuation.double_space", (4, 6)),
    ("出口", " Exit", "punctuation.edge_space", (0, 1)),
    ("值机柜台", "Check - in Counter", "punctuation.spaced_hyphen", (5, 8)),
    ("小心地滑", "CAUTION // Wet Floor", "punctuation.spaced_slashes", (7, 11)),
    ("中医科", "TCM Department (Traditional Chinese Medicine", "punctuation.brackets",
     (15, 16)),
    ("限宽2.5米", "Width Limit 3 m", "numbers", None),
    ("限宽2.5米", "Width Limit 2.5m", "numbers", (12, 16)),
    ("限宽2.5米", "Width Limit 2.5", "numbers", None),
    ("营业时间 8:00-18:00", "Business Hours 9:00-18:00", "numbers", None),
    ("3号登机口", "Gate 8", "numbers", None),
    ("二楼", "F3", "numbers", None),
    ("禁止吸烟", "Forbid Smoking", "pattern", (0, 14)),
    ("禁止吸烟", "No Smoke", "pattern", (0, 8)),
    ("请勿触摸", "Don't Touch", "pattern", (0, 5)),
    ("请勿触摸", "No Touch", "pattern", (0, 8)),
    ("小心地滑", "Caution//Wet Floor", "pattern", (0, 7)),
    ("当心触电", "CAUTION//High Voltage", "pattern", (0, 7)),
    ("当心碰头", "Be Careful to Bump Your Head", "pattern", (0, 14)),
    ("仅限员工", "Employees", "pattern", None),
    ("禁止吸烟", "Please Do Not Smoking", "pattern", (0, 21)),
    ("禁止吸烟", "Forbidden Smoking", "pattern", (0, 17)),
    ("小心地滑", "Caution Wet Floor", "pattern", (0, 7)),
    ("小心地滑", "Slippery Carefully", "chinglish", (0, 18)),
    ("请保持安静", "Keep Silence", "chinglish", (0, 12)),
    ("当心夹手", "Take Care of Your Hands", "chinglish", (0, 23)),
    ("海南", "Hai Nan", "pinyin", (0, 7)),
    ("三亚火车站", "Sanya Railway Staion", "spelling", (14, 20)),
    ("停车场", "Parking Lot 停车场", "untranslated", (12, 15)),
    ("紧急出口", "Emergency Exist", "chinglish", (10, 15)),
    ("男厕", "Man", "chinglish", (0, 3)),
    ("无障碍卫生间", "Barrier-free Toilet", "chinglish", (0, 19)),
    ("当心落水", "Fall into Water Carefully", "chinglish", (10, 25)),
    ("海秀中路", "Haixiu Zhong Lu", "pinyin_generic", (7, 12)),
    ("人民公园", "Renmin Gongyuan", "pinyin_generic", (7, 15)),
    ("海口东站", "Haikou Dong Station", "pinyin_generic", (7, 11)),
    ("残疾人专用", "For Invalids", "chinglish", (4, 12)),
    ("民族文化公园", "Racist Culture Park", "chinglish", (0, 6)),
    ("正在施工", "Execution in Progress", "chinglish", (0, 9)),
    ("收银台", "Collect Silver Platform", "chinglish", (0, 14)),
    ("小心地滑", "To Take Notice of Safe: The Slippery Are Very Crafty", "chinglish", (28, 52)),
    ("儿童游乐区", "Childrens Play Area", "spelling", (0, 9)),
    ("骑楼老街", "Qilou Laojie", "pinyin_generic", (6, 12)),
    ("龙昆南路", "Longkun Nanlu", "pinyin_generic", (8, 13)),
    ("出口", "Chukou", "untranslated", (0, 6)),
    ("卫生间", "Weishengjian", "untranslated", (0, 12)),
]


@pytest.mark.parametrize("source,target,check_id,span", BAD)
def test_real_errors_are_flagged(source: str, target: str, check_id: str, span) -> None:
    findings = found(source, target)
    mine = [f for f in findings if f.check == check_id]
    assert mine, f"{check_id} missed {target!r}: {findings}"
    if span is not None:
        assert span in {(f.start, f.end) for f in mine}, mine
    for finding in mine:
        assert finding.text() and finding.severity in ("error", "warning")


# Correct signs (standard renderings, established names, abbreviations): no finding at all.
GOOD = [
    ("小心地滑", "CAUTION//Wet Floor"), ("当心碰头", "Mind Your Head"), ("禁止吸烟", "No Smoking"),
    ("请勿触摸", "Please Do Not Touch"), ("游客止步", "Staff Only"),
    ("无障碍卫生间", "Accessible Toilet"), ("汽车租赁", "Car Rental"), ("自动取款机", "ATM"),
    ("贵宾室", "VIP Lounge"), ("卫生间", "WC"), ("中医科", "TCM Department"),
    ("海口美兰国际机场", "Haikou Meilan International Airport"),
    ("三亚凤凰国际机场", "Sanya Phoenix International Airport"),
    ("博鳌亚洲论坛", "Boao Forum for Asia"), ("博鳌", "Bo'ao"), ("万绿园", "Wanlv Park"),
    ("万绿园", "Wanlü Park"), ("三亚湾", "Sanya Bay"), ("南山寺", "Nanshan Temple"),
    ("骑楼老街", "Qilou Old Street"), ("天涯海角", "Tianya Haijiao"), ("亚龙湾", "Yalong Bay"),
    ("蜈支洲岛", "Wuzhizhou Island"), ("国兴大道", "Guoxing Avenue"),
    ("海秀中路", "Haixiu Middle Road"), ("龙昆南路", "Longkun South Road"),
    ("龙昆南路", "Longkun Rd S"), ("限宽2.5米", "Width Limit 2.5 m"),
    ("营业时间 8:00-18:00", "Business Hours 08:00-18:00"),
    ("营业时间：8：00—18：00", "Business Hours: 8:00-18:00"), ("二楼", "F2"),
    ("3号登机口", "Gate 3"), ("24小时自助银行", "24-Hour Self-Service Banking"),
    ("仅限紧急情况使用", "For Emergency Use Only"), ("当心触电", "DANGER//High Voltage"),
    ("当心触电", "Danger! High Voltage"), ("请爱护草坪", "Please Keep Off the Grass"),
    ("中医科", "Traditional Chinese Medicine (TCM) Department"),
    ("海南师范大学", "Hainan Normal University"), ("定安县", "Ding'an County"),
    ("临高县", "Lingao County"), ("乐东黎族自治县", "Ledong Li Autonomous County"),
    ("保亭黎族苗族自治县", "Baoting Li and Miao Autonomous County"),
    ("重庆路", "Chongqing Road"), ("长安街", "Chang'an Street"), ("西安路", "Xi'an Road"),
    ("出口", "Way Out"), ("入口", "Way In"), ("值机柜台", "Check-in Counter"),
    ("严禁酒后驾车", "No Drink Driving"), ("请勿吸烟", "Thank You for Not Smoking"),
    ("免费WiFi", "Free Wi-Fi"), ("咖啡厅", "Café"), ("海瑞墓", "Tomb of Hai Rui"),
    ("苏东坡雕像", "Statue of Su Dongpo"), ("五公祠", "Five Officials' Memorial Temple"),
    ("龙华区人民政府", "Longhua District People's Government"),
    ("紧急情况请拨打110", "In Case of Emergency, Call 110"),
    ("客服电话：0898-12345678", "Customer Service: 0898-12345678"),
    ("开放时间：9:00-17:00（周一闭馆）", "Opening Hours: 09:00-17:00 (Closed on Mondays)"),
    ("营业时间 8:00-18:00", "Business Hours 8:00-18:00"),
    ("请勿将头手伸出窗外", "Keep Your Head and Hands Inside the Window"),
    ("海口东站", "Haikou East Railway Station"), ("五指山", "Wuzhi Mountain"),
    ("南渡江", "Nandu River"), ("大东海", "Dadonghai"), ("海南省博物馆", "Hainan Museum"),
    ("危险区域", "Danger Zone"), ("请勿带入", "Do Not Bring In"), ("注意安全", "Be Careful"),
    ("担担面", "Dan Dan Noodles"), ("海口一中", "Haikou No. 1 Middle School"),
    ("海甸二东路", "Haidian 2nd East Road"), ("希尔顿酒店", "Hilton Hotel"),
    ("自动售票机", "Self-service Ticket Machine"), ("非吸烟区", "Non-Smoking Area"),
    ("请在一米线外等候", "Please Wait Behind the Yellow Line"),
    ("小心驾驶", "Drive Carefully"), ("男女卫生间", "Men and Women"),
    ("前方学校 减速慢行", "School Ahead//Slow Down"), ("限速40", "Speed Limit 40 km/h"),
    ("限重20吨", "Weight Limit 20 t"), ("禁止掉头", "No U-Turn"),
    ("机房重地 闲人免进", "Equipment Room//Staff Only"), ("呀诺达雨林文化旅游区",
                                                      "Yanoda Rainforest Cultural Tourism Zone"),
    ("冯小刚电影公社", "Feng Xiaogang Film Commune"), ("万宁日月湾", "Wanning Riyue Bay"),
    ("美兰机场T2航站楼", "Meilan Airport Terminal 2"), ("3楼", "3F"),
    ("海口白沙门公园", "Haikou Baishamen Park"), ("五指山市", "Wuzhishan City"),
    ("2024年5月1日起施行", "Effective from May 1, 2024"),
    ("24小时营业", "Open Around the Clock"), ("医药箱", "First Aid Box"),
    ("当心地滑", "Beware of the Slippery Floor"), ("无障碍设施", "Accessible Facilities"),
]


@pytest.mark.parametrize("source,target", GOOD)
def test_correct_signs_raise_nothing(source: str, target: str) -> None:
    assert found(source, target) == []


def test_twelve_hour_times_match_but_are_flagged_as_style() -> None:
    findings = found("营业时间 8:00-18:00", "Business Hours 8:00 am-6:00 pm")
    assert not [f for f in findings if f.check == "numbers" and f.severity == "error"]
    assert any("24-hour" in f.text() for f in findings)


# --- pinyin: polyphonic characters -------------------------------------------------

@pytest.mark.parametrize("source,target,suggestion", [
    ("重庆", "Zhongqing", "Chongqing"),
    ("长安", "Zhang'an", "Chang'an"),
    ("乐东", "Yuedong", "Ledong"),
    ("厦门路", "Shamen Road", "Xiamen"),
    ("六安", "Liu'an", "Lu'an"),
    ("澄迈县", "Dengmai County", "Chengmai"),
])
def test_wrong_reading_of_a_polyphonic_character(source: str, target: str,
                                                  suggestion: str) -> None:
    findings = [f for f in found(source, target) if f.check == "pinyin"]
    assert findings and findings[0].severity == "error"
    assert findings[0].suggestion == suggestion


@pytest.mark.parametrize("source,target,span,suggestion", [
    ("海口", "Haikuo", (0, 6), "Haikou"),           # two letters swapped
    ("海口湾", "Haiko Bay", (0, 5), "Haikou"),       # a letter missing
    ("三亚湾", "Sanye Bay", (0, 5), "Sanya"),
    ("龙昆南路", "Longkung South Road", (0, 8), "Longkun"),
])
def test_misspelled_pinyin_is_named_with_its_chinese(source: str, target: str, span,
                                                      suggestion: str) -> None:
    findings = found(source, target)
    assert [(f.check, f.start, f.end, f.suggestion) for f in findings] == [
        ("pinyin", *span, suggestion)]


def test_legitimate_rare_reading_of_an_unknown_name_is_accepted() -> None:
    # 乐 is "yue" in 乐清 (a city): the place table settles it.
    assert found("乐清路", "Yueqing Road") == []
    # A name pypinyin does not know: any reading of its characters is accepted.
    assert found("长乐坊", "Changle Lane") == [] or all(
        f.check != "pinyin" for f in found("长乐坊", "Changle Lane"))


def test_glossary_settles_a_reading() -> None:
    glossary = from_entries("zh", "en", [
        Entry("朝阳", "p1", "place_names", "name", "preferred", ("Chaoyang",))])
    assert [f.check for f in run_checks(None, "朝阳路", "Zhaoyang Road", "en",
                                        context={"glossary": glossary})] == ["pinyin"]
    assert run_checks(None, "朝阳路", "Chaoyang Road", "en",
                      context={"glossary": glossary}) == []


def test_person_names_keep_the_surname_apart() -> None:
    assert found("苏东坡纪念馆", "Su Dongpo Memorial Hall") == []
    assert ids(found("海口", "Hai Kou")) == {"pinyin"}


def test_nameplates_may_carry_pinyin_generics() -> None:
    assert "pinyin_generic" in ids(found("龙昆南路", "Longkun Nan Lu"))
    assert "pinyin_generic" not in ids(found("龙昆南路", "Longkun Nan Lu",
                                             function="nameplate"))
    assert "pinyin_generic" not in ids(found("龙昆南路", "Longkun Nan Lu",
                                             context={"sign_kind": "nameplate"}))
    # Capital pinyin and nothing else is how GB 17733 nameplates are written.
    assert found("龙昆南路", "LONGKUN NANLU") == []
    assert "pinyin_generic" in ids(found("龙昆南路", "Longkun Nanlu"))


# --- other languages -----------------------------------------------------------------

@pytest.mark.parametrize("source,target,lang", [
    ("售票处", "Касса", "ru"), ("售票处", "Билетная касса", "ru"), ("服务台", "Справочная", "ru"),
    ("电梯", "엘리베이터", "ko"), ("停车场", "주차장", "ko"), ("入口", "入口", "ja"),
    ("禁止拍照", "撮影禁止", "ja"), ("电梯", "エレベーター", "ja"), ("卫生间", "WC", "ru"),
    ("卫生间", "Туалет WC", "ru"), ("自动取款机", "ATM", "ko"), ("自动取款机", "ATM", "ja"),
    ("儋州市", "儋州市", "ja"), ("三亚市", "三亜市", "ja"),
])
def test_correct_foreign_signs(source: str, target: str, lang: str) -> None:
    assert found(source, target, lang) == []


@pytest.mark.parametrize("source,target,lang,span", [
    ("售票处", "Ticket Office", "ru", (0, 13)),      # Latin for Russian
    ("售票处", "Kacca", "ru", (0, 5)),              # Latin look-alikes
    ("售票处", "Кaсса", "ru", (0, 5)),              # one Latin "a" inside Cyrillic
    ("售票处", "Билетная Kacca", "ru", (9, 14)),     # a whole look-alike Latin word
    ("电梯", "Elevator", "ko", (0, 8)),
    ("电梯", "电梯", "ko", (0, 2)),                  # Chinese left in Korean
    ("出口", "出口", "ja", None),
    ("电梯", "电梯", "ja", (0, 1)),                  # simplified 电 is not Japanese (電)
    ("售票处", "售票处", "ru", (0, 3)),
    ("停车场", "停车场", "ja", (1, 2)),
])
def test_wrong_script_or_untranslated(source: str, target: str, lang: str, span) -> None:
    findings = [f for f in found(source, target, lang) if f.check == "untranslated"]
    if span is None:  # 出口 is also Japanese: nothing wrong
        assert findings == []
        return
    assert span in {(f.start, f.end) for f in findings}, findings


def test_required_language_missing() -> None:
    findings = found("售票处", "Tickets", "en",
                     context={"required_languages": ["en", "ru"], "other_targets": {"ru": ""}})
    assert any(f.check == "untranslated" and "Russian" in f.text() for f in findings)


def test_full_width_punctuation_is_fine_in_japanese_but_not_in_korean() -> None:
    assert "punctuation" not in families(found("出口", "出口。", "ja"))
    assert "punctuation.full_width" in ids(found("电梯", "엘리베이터。", "ko"))


# --- glossary target matching per script --------------------------------------------

def _glossary(lang: str, preferred: tuple[str, ...], admitted: tuple[str, ...] = (),
              forbidden: tuple[str, ...] = (), source: str = "售票处", verified: bool = True):
    return from_entries("zh", lang, [Entry(source, "c1", "tourism", "facility", "preferred",
                                           preferred, admitted, (), forbidden, verified)])


@pytest.mark.parametrize("lang,preferred,target,ok", [
    ("ru", ("Касса",), "Билетная касса", True),
    ("ru", ("Касса",), "Кассы", True),               # another word form
    ("ru", ("Касса",), "Кассета", False),            # a different word with the same start
    ("ru", ("Билетная касса",), "Билетной кассы", True),
    ("ja", ("切符売り場",), "切符売り場", True),
    ("ja", ("切符売り場",), "出口", False),
    ("ko", ("매표소",), "매표 소", True),              # spacing does not matter in Korean
    ("ko", ("매표소",), "주차장", False),
    ("en", ("Tickets",), "Ticket", True),            # shares the key word: a variant
    ("en", ("Ticket Office",), "Ticket Offices", True),
])
def test_glossary_rendering_per_script(lang: str, preferred: tuple[str, ...], target: str,
                                       ok: bool) -> None:
    findings = run_checks(None, "售票处", target, lang, context={
        "glossary": _glossary(lang, preferred)}, only=["glossary"])
    assert (findings == []) is ok, findings


def test_glossary_forbidden_and_missing() -> None:
    glossary = _glossary("en", ("Tickets",), ("Ticket Office",), ("Sell Ticket Place",))
    forbidden = run_checks(None, "售票处", "Sell Ticket Place", "en",
                           context={"glossary": glossary}, only=["glossary"])
    assert [(f.start, f.end, f.suggestion) for f in forbidden] == [(0, 17, "Tickets")]
    missing = run_checks(None, "售票处", "Cashier", "en", context={"glossary": glossary},
                         only=["glossary"])
    assert missing and missing[0].severity == "error" and missing[0].start is None
    # A "common usage" entry (not verified by experts) lists some good renderings, not all.
    unverified = _glossary("en", ("Tickets",), verified=False)
    assert run_checks(None, "售票处", "Cashier", "en", context={"glossary": unverified},
                      only=["glossary"]) == []


def test_glossary_without_entry_gives_nothing() -> None:
    glossary = _glossary("en", ("Tickets",))
    assert run_checks(None, "海鲜市场", "Seafood Market", "en",
                      context={"glossary": glossary}, only=["glossary"]) == []


def test_glossary_case_of_abbreviations() -> None:
    glossary = from_entries("zh", "en", [Entry("自动取款机", "c", "commerce", None, "preferred",
                                                ("ATM",))])
    findings = run_checks(None, "自动取款机", "Atm", "en", context={"glossary": glossary},
                          only=["glossary"])
    assert [(f.start, f.end, f.suggestion) for f in findings] == [(0, 3, "ATM")]


def test_glossary_from_the_database(db) -> None:
    from workbench import audit
    from workbench.auth import system_actor
    from workbench.db import transaction
    from workbench.glossary import bump_version
    with transaction(db):
        db["glossary_concepts"].insert({"id": "t-qa-1", "domain": "tourism",
                                        "function": "facility", "verified": 1,
                                        "created_at": "2026", "updated_at": "2026"})
        db["glossary_terms"].insert_all([
            {"concept_id": "t-qa-1", "lang": "zh", "text": "测试服务点", "status": "preferred"},
            {"concept_id": "t-qa-1", "lang": "en", "text": "Test Point", "status": "preferred"},
            {"concept_id": "t-qa-1", "lang": "en", "text": "Testing Spot",
             "status": "forbidden"}])
        bump_version(db)
        audit.record(db, system_actor("pytest"), "glossary.add", "concept", "t-qa-1")
    assert run_checks(db, "测试服务点", "Test Point", "en", only=["glossary"]) == []
    assert [f.check for f in run_checks(db, "测试服务点", "Testing Spot", "en",
                                        only=["glossary"])] == ["glossary"]


# --- profiles --------------------------------------------------------------------------

def test_prose_profile_keeps_sentence_rules_off() -> None:
    sentence = "The museum is open from 9:00 to 17:00 every day except Monday."
    assert found("博物馆每天9:00至17:00开放，周一闭馆。", sentence, profile="prose") == []
    # Numbers and untranslated text stay on in prose.
    prose = found("博物馆每天9:00开放。", "The museum opens at 10:00 每天.", profile="prose")
    assert {"numbers", "untranslated"} <= ids(prose)
    # Title case and the final full stop are sign rules only.
    assert "punctuation" not in families(found("出口", "Exit here.", profile="prose"))
    assert "capitals" not in ids(found("出口", "Exit here", profile="prose"))
    assert "punctuation.final_stop" in ids(found("出口", "Exit.", profile="sign"))


# --- consistency -------------------------------------------------------------------------

def test_consistency_from_context() -> None:
    context = {"other_renderings": ["Ticket Office", "ticket  office"]}
    assert run_checks(None, "售票处", "Ticket Office", "en", context=context,
                      only=["consistency"]) == []
    findings = run_checks(None, "售票处", "Tickets", "en", context=context,
                          only=["consistency"])
    assert len(findings) == 1 and "Ticket Office" in findings[0].text()
    mixed = run_checks(None, "售票处", "Tickets", "en", only=["consistency"],
                       context={"other_renderings": [{"target_text": "Tickets"},
                                                     {"target_text": "Ticket Office"}]})
    assert mixed and "settle on one" in mixed[0].text()


def test_consistency_from_translation_units(db) -> None:
    from workbench import audit
    from workbench.auth import system_actor
    from workbench.checks.consistency import inconsistent_renderings
    from workbench.db import transaction
    if not db["translation_units"].exists():
        pytest.skip("the review package's translation_units table is not there")
    now = "2026-01-01T00:00:00"
    with transaction(db):
        for scope, text, state in (("a", "Ticket Office", "approved"),
                                   ("b", "Tickets", "approved"),
                                   ("c", "Sell Tickets", "machine_draft")):
            db["translation_units"].insert({
                "kind": "sign", "scope": scope, "source_text": "售票处", "target_lang": "en",
                "state": state, "target_text": text, "created_at": now, "updated_at": now})
        audit.record(db, system_actor("pytest"), "unit.add", "translation_unit", "test")
    findings = run_checks(db, "售票处", "Ticket Office", "en", only=["consistency"])
    assert len(findings) == 1 and "Tickets" in findings[0].text()
    assert "Sell Tickets" not in findings[0].text()  # drafts are not approved renderings
    groups = inconsistent_renderings(db, "en")
    assert {"source_text": "售票处", "target_lang": "en",
            "renderings": ["Ticket Office", "Tickets"]} in groups


# --- switching checks off ---------------------------------------------------------------

def test_disable_and_enable_checks_with_audit(db) -> None:
    from workbench import audit
    from workbench.auth import system_actor
    from workbench.checks import disabled_checks, set_check_enabled
    from workbench.errors import NotFound
    actor = system_actor("pytest")
    assert "punctuation.final_stop" in ids(run_checks(db, "出口", "Exit.", "en"))
    assert set_check_enabled(db, actor, "punctuation", False) is True
    assert set_check_enabled(db, actor, "punctuation", False) is False
    assert {"punctuation.final_stop", "punctuation.brackets"} <= disabled_checks(db)
    assert "punctuation" not in families(run_checks(db, "出口", "Exit. ", "en"))
    events = audit.history(db, "check", "punctuation")
    assert [e["action"] for e in events] == ["checks.disable"]
    set_check_enabled(db, actor, "punctuation", True)
    assert "punctuation.final_stop" in ids(run_checks(db, "出口", "Exit.", "en"))
    with pytest.raises(NotFound):
        set_check_enabled(db, actor, "no-such-check", False)


def test_each_punctuation_rule_is_switched_on_its_own(db) -> None:
    from workbench.auth import system_actor
    from workbench.checks import disabled_checks, set_check_enabled
    actor = system_actor("pytest")
    assert set_check_enabled(db, actor, "punctuation.final_stop", False) is True
    assert disabled_checks(db) == {"punctuation.final_stop"}
    found_now = ids(run_checks(db, "出口", "Exit. ", "en"))
    assert "punctuation.final_stop" not in found_now
    assert "punctuation.edge_space" in found_now  # the family's other rules still run


def test_a_stored_family_switch_stands_for_every_rule(db) -> None:
    from workbench import audit
    from workbench.auth import system_actor
    from workbench.checks import disabled_checks
    from workbench.checks.punctuation import RULES
    from workbench.db import transaction
    with transaction(db):  # what a project that switched the one punctuation check off has
        db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES "
                   "('checks.disabled', '[\"punctuation\"]')")
        audit.record(db, system_actor("pytest"), "checks.disable", "check", "punctuation")
    assert {rule.id for rule in RULES} <= disabled_checks(db)
    assert "punctuation" not in families(run_checks(db, "出口", "Exit. ", "en"))


def test_rules_of_a_family_keep_the_keys_of_the_single_check() -> None:
    from workbench.checks.base import finding_key
    from workbench.messages import msg
    message = msg("A sign phrase takes no final full stop: remove it.")
    assert finding_key("punctuation.final_stop", message, "Exit.", 4, 5) == \
        finding_key("punctuation", message, "Exit.", 4, 5)
    assert finding_key("capitals", message, "Exit.", 4, 5) != \
        finding_key("punctuation", message, "Exit.", 4, 5)


def test_findings_are_sorted_and_not_repeated() -> None:
    findings = found("小心地滑", "caution:wet floor。")
    positions = [(f.start if f.start is not None else -1) for f in findings]
    assert positions == sorted(positions)
    spans = [(f.start, f.end) for f in findings if f.start is not None]
    assert len(spans) == len(set(spans))


def test_a_failing_check_is_reported_not_raised(monkeypatch) -> None:
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(plugins.checks()["numbers"], "check", broken)
    findings = found("出口", "Exit.")
    assert any(f.check == "numbers" and "could not run" in f.text() for f in findings)
    assert "punctuation" in families(findings)  # the others still ran


def test_long_segments_are_not_searched_for_names() -> None:
    # A document segment is not aligned word by word with its Chinese (that is for names
    # on signs); the other checks still run on it.
    from workbench.checks.base import CheckContext
    from workbench.checks.pinyin import analyse
    source, target = "海口龙昆南路" * 100, "Haikou Longkun Nan Lu " * 100
    assert analyse(CheckContext(source, target, "en")).aligned == {}
    assert analyse(CheckContext("龙昆南路", "Longkun Nan Lu", "en")).aligned
    assert "untranslated" in ids(run_checks(None, source, target + "海口", "en", profile="prose"))
