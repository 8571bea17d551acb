"""Hainan's cities and counties (plus the Yangpu zone): the seed list and its edits."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from workbench import audit
from workbench.db import insert_row, transaction
from workbench.errors import NotFound, ValidationError
from workbench.messages import msg
from workbench.vocabulary import HISTORY_FIELDS

if TYPE_CHECKING:  # the user type only: auth imports this module
    from workbench.auth import User

# code, Chinese name, English name, kind — in the province's usual order.
HAINAN_COUNTIES: list[tuple[str, str, str, str]] = [
    ("haikou", "海口市", "Haikou", "prefecture-level city"),
    ("sanya", "三亚市", "Sanya", "prefecture-level city"),
    ("sansha", "三沙市", "Sansha", "prefecture-level city"),
    ("danzhou", "儋州市", "Danzhou", "prefecture-level city"),
    ("wuzhishan", "五指山市", "Wuzhishan", "county-level city"),
    ("qionghai", "琼海市", "Qionghai", "county-level city"),
    ("wenchang", "文昌市", "Wenchang", "county-level city"),
    ("wanning", "万宁市", "Wanning", "county-level city"),
    ("dongfang", "东方市", "Dongfang", "county-level city"),
    ("dingan", "定安县", "Ding'an County", "county"),
    ("tunchang", "屯昌县", "Tunchang County", "county"),
    ("chengmai", "澄迈县", "Chengmai County", "county"),
    ("lingao", "临高县", "Lingao County", "county"),
    ("baisha", "白沙黎族自治县", "Baisha Li Autonomous County", "autonomous county"),
    ("changjiang", "昌江黎族自治县", "Changjiang Li Autonomous County", "autonomous county"),
    ("ledong", "乐东黎族自治县", "Ledong Li Autonomous County", "autonomous county"),
    ("lingshui", "陵水黎族自治县", "Lingshui Li Autonomous County", "autonomous county"),
    ("baoting", "保亭黎族苗族自治县", "Baoting Li and Miao Autonomous County",
     "autonomous county"),
    ("qiongzhong", "琼中黎族苗族自治县", "Qiongzhong Li and Miao Autonomous County",
     "autonomous county"),
    ("yangpu", "洋浦经济开发区", "Yangpu Economic Development Zone", "development zone"),
]


def seed(db: Database, actor: User) -> int:
    """Insert the Hainan list where a code is missing; returns how many were added.

    Never overwrites: an admin's later edits to a county stay.
    """
    added = 0
    with transaction(db):
        for order, (code, name_zh, name_en, kind) in enumerate(HAINAN_COUNTIES, start=1):
            if db["counties"].count_where("code = ?", [code]):
                continue
            row = {"code": code, "name_zh": name_zh, "name_en": name_en, "kind": kind,
                   "sort_order": order, "active": 1}
            county_id = db.table("counties").insert(row).last_pk
            audit.record(db, actor, "county.create", "county", county_id, None,
                         dict(row, id=county_id))
            added += 1
    return added


def list_counties(db: Database, *, include_inactive: bool = True) -> list[dict[str, Any]]:
    """Counties in display order."""
    where = "" if include_inactive else "WHERE active = 1"
    return list(db.query(f"SELECT * FROM counties {where} ORDER BY sort_order, id"))


def get_county(db: Database, county_id: int) -> dict[str, Any]:
    """One county by id; NotFound if there is none."""
    row = next(db.query("SELECT * FROM counties WHERE id = ?", [county_id]), None)
    if row is None:
        raise NotFound(msg("No such county."))
    return row


def resolve_county(db: Database, name: str) -> dict[str, Any]:
    """Find a county by Chinese name, English name or code (as typed on a CLI or in a file).

    Also accepts the Chinese name without its 市/县 suffix (儋州 → 儋州市).
    """
    key = (name or "").strip()
    if key:
        row = next(db.query(
            """SELECT * FROM counties WHERE name_zh = ? OR lower(name_en) = lower(?)
               OR lower(code) = lower(?) OR name_zh IN (? || '市', ? || '县')
               ORDER BY sort_order LIMIT 1""", [key, key, key, key, key]), None)
        if row:
            return row
    known = "、".join(c["name_zh"] for c in list_counties(db))
    raise ValidationError.single(msg("Unknown county %(name)s. Known counties: %(known)s.",
                                     name=repr(name), known=known),
                                 column="county", value=name)


def save_county(db: Database, actor: User, values: dict[str, Any],
                county_id: int | None = None) -> int:
    """Create (no id) or edit a county; returns its id. Audited."""
    clean: dict[str, Any] = {
        k: (values.get(k) or "").strip() if isinstance(values.get(k), str) else values.get(k)
        for k in ("code", "name_zh", "name_en", "kind", "sort_order", "active")
        if k in values}
    for required in ("code", "name_zh", "name_en"):
        if county_id is None and not clean.get(required):
            raise ValidationError.single(msg("The county's %(field)s is required.",
                                             field=HISTORY_FIELDS.label(required)),
                                         column=required)
    with transaction(db):
        for unique in ("code", "name_zh"):
            if clean.get(unique) and db["counties"].count_where(
                    f"{unique} = ? AND id != ?", [clean[unique], county_id or -1]):
                raise ValidationError.single(msg("Another county already has this %(field)s.",
                                                 field=HISTORY_FIELDS.label(unique)),
                                             column=unique, value=clean[unique])
        if county_id is None:
            clean.setdefault("kind", "county")
            clean.setdefault("sort_order", len(list_counties(db)) + 1)
            clean.setdefault("active", 1)
            county_id = insert_row(db, "counties", clean)
            audit.record(db, actor, "county.create", "county", county_id, None,
                         dict(clean, id=county_id))
        else:
            before = get_county(db, county_id)
            after = dict(before, **clean)
            if after != before:
                db.table("counties").update(county_id, clean)
                audit.record(db, actor, "county.update", "county", county_id, before, after)
    return county_id
