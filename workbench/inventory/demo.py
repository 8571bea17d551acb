"""A small demo inventory of real-looking Hainan sites, with some wrong installed English.

Loaded by ``workbench demo load``, and by ``workbench init --demo`` (``make
run``) when the database has no signs yet, so a new user sees the whole flow:
sites, signs, installed texts with QA findings, shared translation units.
Coordinates are approximate; the wrong English is the kind the campaign
corrected (Chinglish, pinyin generics, full-width punctuation, misspellings).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from workbench import auth, counties
from workbench.db import transaction
from workbench.inventory import records
from workbench.messages import MessageLike, msg

# county, site, sector, address, latitude, longitude
DEMO_SITES: list[tuple[str, str, str, str, float, float]] = [
    ("琼海市", "博鳌亚洲论坛国际会议中心", "tourism_culture",
     "琼海市博鳌镇东屿岛", 19.1562, 110.5771),
    ("海口市", "海口美兰国际机场", "transport", "海口市美兰区美兰国际机场", 19.9349, 110.4590),
    ("琼海市", "博鳌镇沙美村", "tourism_culture", "琼海市博鳌镇沙美村", 19.1872, 110.5434),
    ("五指山市", "水满乡", "government", "五指山市水满乡", 18.9037, 109.6721),
    ("三亚市", "大东海旅游区", "tourism_culture", "三亚市吉阳区榆亚路", 18.2243, 109.5199),
]

# site, location, function, zh, installed English, action, languages, other installed texts
DEMO_SIGNS: list[tuple[str, str, str, str, str, str, str, dict[str, str]]] = [
    ("博鳌亚洲论坛国际会议中心", "一层 东门", "facility", "新闻中心",
     "News Center", "keep", "en;ru;ja;ko", {}),
    ("博鳌亚洲论坛国际会议中心", "一层 大堂", "facility", "注册处",
     "Register Office", "correct", "en;ru;ja;ko", {}),
    ("博鳌亚洲论坛国际会议中心", "一层 南门", "facility", "贵宾通道",
     "Guest of Honor Channel", "correct", "en", {}),
    ("博鳌亚洲论坛国际会议中心", "二层 主会场旁", "facility", "同声传译室",
     "", "new", "en;ru;ja;ko", {}),
    ("博鳌亚洲论坛国际会议中心", "主会场 入口台阶", "warning", "小心台阶",
     "Carefully Step", "correct", "en", {}),
    ("博鳌亚洲论坛国际会议中心", "各层 走廊", "prohibition", "禁止吸烟",
     "No Smoking", "keep", "en;ru;ja;ko",
     {"ru": "Не курить", "ja": "禁煙", "ko": "금연"}),
    ("博鳌亚洲论坛国际会议中心", "展厅", "prohibition", "请勿触摸",
     "Don't Touch", "correct", "en", {}),
    ("博鳌亚洲论坛国际会议中心", "一层 西侧", "facility", "安全出口",
     "Safety Exit", "correct", "en", {}),
    ("博鳌亚洲论坛国际会议中心", "一层 东侧", "facility", "无障碍卫生间",
     "Deformed Man Toilet", "correct", "en", {}),
    ("博鳌亚洲论坛国际会议中心", "三层", "facility", "会议室", "Meeting Room", "keep", "en", {}),
    ("海口美兰国际机场", "T2 航站楼 二层", "facility", "国内出发",
     "Domestic Departures", "keep", "en;ru", {}),
    ("海口美兰国际机场", "T2 航站楼 二层", "facility", "国际出发",
     "International Departures", "keep", "en;ru;ja;ko",
     {"ru": "Международные вылеты"}),
    ("海口美兰国际机场", "T2 航站楼 一层", "facility", "行李提取",
     "Baggage Claim", "keep", "en;ru", {}),
    ("海口美兰国际机场", "T2 航站楼 二层 安检区", "facility", "安检",
     "Security Check", "keep", "en", {}),
    ("海口美兰国际机场", "T2 航站楼 一层 卫生间门口", "warning", "小心地滑",
     "Carefully Slide", "correct", "en", {}),
    ("海口美兰国际机场", "T2 航站楼 一层", "facility", "问讯处",
     "Ask Place", "correct", "en;ru", {}),
    ("海口美兰国际机场", "T2 航站楼 二层 12号登机口", "facility", "母婴室",
     "Mother And Baby Room", "correct", "en", {}),
    ("海口美兰国际机场", "T2 航站楼 安检口", "prohibition", "禁止携带危险品",
     "Dangerous Goods Forbid", "correct", "en", {}),
    ("海口美兰国际机场", "T2 航站楼 到达厅", "facility", "租车服务",
     "Car Rent", "correct", "en", {}),
    ("海口美兰国际机场", "T2 航站楼 三层", "facility", "吸烟室",
     "Smoking Room。", "correct", "en", {}),
    ("海口美兰国际机场", "T2 航站楼 一层 出口", "facility", "出租车上客点", "", "new", "en;ru", {}),
    ("博鳌镇沙美村", "村口", "name", "沙美村", "Shamei Cun", "correct", "en", {}),
    ("博鳌镇沙美村", "村口广场", "facility", "游客中心", "Visitor Center", "keep", "en", {}),
    ("博鳌镇沙美村", "村委会旁", "facility", "公共厕所", "Public Toilet", "keep", "en", {}),
    ("博鳌镇沙美村", "村东 入口", "facility", "停车场", "Parking", "keep", "en", {}),
    ("博鳌镇沙美村", "内海 观景台", "prohibition", "请勿乱扔垃圾",
     "Do not throw rubbish everywhere.", "correct", "en", {}),
    ("博鳌镇沙美村", "内海 岸边", "prohibition", "禁止游泳",
     "Forbid Swimming", "correct", "en", {}),
    ("博鳌镇沙美村", "村西 民宿区", "facility", "农家乐", "Nong Jia Le", "correct", "en", {}),
    ("水满乡", "乡政府大门", "name", "水满乡人民政府",
     "Shuiman Xiang People's Government", "correct", "en", {}),
    ("水满乡", "乡政府一楼", "facility", "便民服务中心",
     "Convinience Service Center", "correct", "en", {}),
    ("水满乡", "五指山 登山口", "facility", "雨林步道", "Rainforest Trail", "keep", "en", {}),
    ("水满乡", "登山步道 2 公里处", "warning", "当心落石",
     "Be Careful Of Falling Rocks", "correct", "en", {}),
    ("水满乡", "水满河 桥头", "name", "水满河", "Shuiman He", "correct", "en", {}),
    ("水满乡", "茶园入口", "facility", "茶园观光区", "", "new", "en", {}),
    ("水满乡", "乡卫生院门口", "facility", "卫生院", "Wei Sheng Yuan", "correct", "en", {}),
    ("大东海旅游区", "景区入口", "name", "大东海", "Dadonghai Bay", "keep", "en;ru", {}),
    ("大东海旅游区", "海滩 3 号区", "prohibition", "禁止游泳", "No Swimming", "keep", "en;ru", {}),
    ("大东海旅游区", "海滩 礁石区", "warning", "当心溺水",
     "Be Careful Drowning", "correct", "en;ru", {}),
    ("大东海旅游区", "海滩 中段", "facility", "救生站", "Lifeguard Station", "keep", "en;ru",
     {"ru": "Спасательная станция"}),
    ("大东海旅游区", "海滩 服务区", "facility", "淋浴间", "Shower Room", "keep", "en;ru", {}),
    ("大东海旅游区", "游艇码头", "prohibition", "游客请勿进入",
     "Tourist Don't Enter", "correct", "en;ru", {}),
    ("大东海旅游区", "海滩 服务区", "facility", "公共厕所", "Public Toilets", "keep", "en;ru", {}),
    ("大东海旅游区", "海滩 服务区 淋浴间门口", "warning", "小心地滑",
     "Slip Carefully", "correct", "en;ru", {}),
    ("大东海旅游区", "海滩 北段", "facility", "沙滩排球场", "", "new", "en;ru;ko", {}),
]


def load_demo(db: Database, actor: auth.User | None = None) -> tuple[int, int]:
    """Add the demo sites and signs that are not there yet; returns (sites, signs) added.

    Nothing is drafted: ``submit_signs(db, actor, DemoInventory(), …)`` does both.
    """
    sites_added, sign_ids = add_demo(db, actor)
    return sites_added, len(sign_ids)


def add_demo(db: Database, actor: auth.User | None = None) -> tuple[int, list[int]]:
    """Add the demo sites and signs that are not there yet; (sites added, new sign ids)."""
    actor = actor or auth.system_actor("demo")
    sites_added = 0
    sign_ids: list[int] = []
    site_ids: dict[str, int] = {}
    with transaction(db):
        for county_name, name, sector, address, lat, lon in DEMO_SITES:
            county = counties.resolve_county(db, county_name)
            row = next(db.query("SELECT id FROM sites WHERE county_id = ? AND name_zh = ?",
                                [county["id"], name]), None)
            if row:
                site_ids[name] = row["id"]
                continue
            site_ids[name] = records.save_site(db, actor, {
                "county_id": county["id"], "name_zh": name, "sector": sector,
                "address": address, "latitude": lat, "longitude": lon})
            sites_added += 1
        for site, location, function, zh, en, action, languages, others in DEMO_SIGNS:
            if db["signs"].count_where("site_id = ? AND location = ? AND zh = ?",
                                       [site_ids[site], location, zh]):
                continue
            values: dict[str, Any] = {"location": location, "function": function, "zh": zh,
                                      "en_current": en, "action": action,
                                      "languages": languages, "quantity": 1}
            values.update({f"{lang}_current": text for lang, text in others.items()})
            sign_ids.append(records.create_sign(db, actor, site_ids[site], values))
    return sites_added, sign_ids


def seed_demo(db: Database, settings: dict[str, Any], actor: auth.User,
              echo: Callable[[MessageLike], None]) -> None:
    """The ``inventory-demo`` seed step of ``workbench init``: the demo inventory on request."""
    # Only on request (`init --demo`, `make run`) and only into an empty inventory,
    # so a real inventory never receives demo data.
    if not settings.get("LOAD_DEMO") or db["signs"].count:
        return
    from workbench.inventory.submission import DemoInventory, submit_signs

    submission = submit_signs(db, actor, DemoInventory(), settings=settings, drafting="inline")
    sites, signs = submission.result
    echo(msg("Loaded the demo inventory: %(sites)s sites, %(signs)s signs; %(drafts)s machine "
             "drafts waiting for review.", sites=sites, signs=signs,
             drafts=submission.drafted or 0))
