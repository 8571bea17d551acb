"""Sites and signs: vocabularies, the status table, create/edit/transition, lists and search.

Every write runs in one ``transaction`` with its audit event. An officer only
ever reaches their own county's records (``auth.check_county`` raises NotFound,
so another county's sign answers 404). The sign status lifecycle is

    submitted → drafting → in_review → approved → fabricated → installed
                 (rejected: back to the officer with a reason)

User-driven moves are the rows of :data:`TRANSITIONS` (who may do what, from
which statuses). ``drafting``/``in_review``/``approved`` follow the sign's
translation units and are set by :func:`workbench.review.units.refresh_sign_status`.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth, messages, vocabulary
from workbench.db import insert_row, like_pattern, to_int, transaction
from workbench.errors import NotFound, PermissionDenied, Problem, ValidationError
# The edit rule, kept importable here (``X as X``: an explicit re-export).
from workbench.inventory.editing import ALL_EDIT_FIELDS as ALL_EDIT_FIELDS
from workbench.inventory.editing import CORRECTABLE_FIELDS as CORRECTABLE_FIELDS
from workbench.inventory.editing import CORRECTABLE_STATUSES as CORRECTABLE_STATUSES
from workbench.inventory.editing import EDITABLE_STATUSES as EDITABLE_STATUSES
from workbench.inventory.editing import SIGN_FIELDS as SIGN_FIELDS
from workbench.inventory.editing import can_change_photos as can_change_photos
from workbench.inventory.editing import can_edit as can_edit
from workbench.inventory.editing import correction_note as correction_note
from workbench.inventory.editing import current_values as current_values
from workbench.inventory.editing import edit_refusal as edit_refusal
from workbench.inventory.editing import editable_fields as editable_fields
from workbench.messages import msg, render, translator_for
from workbench.rowtypes import SignFinding

def normalize_code(value: Any) -> str:
    """NFKC (full-width → half-width), trimmed, lower case: for vocabulary lookups."""
    return unicodedata.normalize("NFKC", str(value or "")).strip().lower()


# The vocabularies (codes and labels) live in workbench.vocabulary; these names are what the
# inventory validates against. LANGUAGES is the foreign languages a sign may carry or
# require (English always).
SECTORS = vocabulary.SECTORS
FUNCTIONS = vocabulary.SIGN_FUNCTIONS
ACTIONS = vocabulary.SIGN_ACTIONS
STATUSES = vocabulary.SIGN_STATUSES
LANGUAGES = vocabulary.SIGN_LANGUAGES


def _aliases(terms: vocabulary.Vocabulary | tuple[str, ...], label_of: Any,
             words: dict[str, str]) -> dict[str, str]:
    """Every way a value may be written: its code, its label in Chinese and in English, and
    the synonyms people use (lower case)."""
    codes = terms.codes if isinstance(terms, vocabulary.Vocabulary) else terms
    found: dict[str, str] = {code: code for code in codes}
    chinese = translator_for("zh")
    for code in codes:
        found[normalize_code(render(label_of(code)))] = code
        found[normalize_code(render(label_of(code), chinese))] = code
    found.update(words)
    return found


# Words people write in the sector/function/action/language columns: the labels of the
# interface (whatever the catalogue says) and the words of the survey forms.
SECTOR_ALIASES: dict[str, str] = _aliases(SECTORS, SECTORS.label, {
    "交通": "transport", "旅游文化": "tourism_culture", "教育": "education",
    "医疗卫生": "health", "城乡公共设施": "public_facilities", "政务服务": "government",
    "商业": "commerce", "交通运输": "transport", "tourism": "tourism_culture",
    "culture": "tourism_culture", "文化旅游": "tourism_culture", "旅游": "tourism_culture",
    "文旅": "tourism_culture", "文化": "tourism_culture",
    "医疗": "health", "卫生": "health", "医疗卫生健康": "health",
    "公共设施": "public_facilities", "public facilities": "public_facilities",
    "政务": "government", "商业金融": "commerce",
})
FUNCTION_ALIASES: dict[str, str] = _aliases(FUNCTIONS, FUNCTIONS.label, {
    "功能设施": "facility", "警示警告": "warning", "限令禁止": "prohibition",
    "指示指令": "instruction", "说明提示": "notice", "名称": "name", "设施": "facility",
    "功能设施信息": "facility", "警示": "warning", "警告": "warning", "警示警告信息": "warning",
    "禁止": "prohibition", "限令": "prohibition",
    "限令禁止信息": "prohibition", "指示": "instruction",
    "指令": "instruction", "指示指令信息": "instruction", "说明": "notice",
    "提示": "notice", "说明提示信息": "notice", "名称标识": "name",
})
ACTION_ALIASES: dict[str, str] = _aliases(ACTIONS, ACTIONS.label, {
    "保留": "keep", "更正": "correct", "新设": "new", "保持": "keep", "不变": "keep",
    "纠正": "correct", "纠错": "correct", "修改": "correct", "整改": "correct", "新增": "new",
    "新建": "new", "新装": "new",
})
LANGUAGE_ALIASES: dict[str, str] = _aliases(LANGUAGES, vocabulary.LANGUAGES.label, {
    "英语": "en", "俄语": "ru", "日语": "ja", "韩语": "ko", "english": "en",
    "russian": "ru", "japanese": "ja", "korean": "ko", "英": "en", "英文": "en", "俄": "ru",
    "俄文": "ru", "日": "ja", "日文": "ja",
    "jp": "ja", "韩": "ko", "韩文": "ko", "朝鲜语": "ko",
    "kr": "ko",
})

MAX_TEXT_LENGTH = 500
SIGN_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_\-./]{0,39}$")
HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Transition:
    """A status change a person may ask for: from which statuses, to which, and by whom."""

    action: str
    from_statuses: frozenset[str]
    to_status: str
    roles: frozenset[str]
    needs_reason: bool = False


# The one table of user-driven status changes (enforced by :func:`transition`).
TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("reject", frozenset({"submitted", "drafting", "in_review"}), "rejected",
               frozenset({"staff", "admin"}), needs_reason=True),
    Transition("resubmit", frozenset({"rejected"}), "submitted",
               frozenset({"officer", "staff", "admin"})),
    Transition("mark_fabricated", frozenset({"approved"}), "fabricated",
               frozenset({"staff", "admin"})),
    Transition("mark_installed", frozenset({"fabricated"}), "installed",
               frozenset({"officer", "staff", "admin"})),
)}
# Moves made by the translation-unit workflow, never by hand.
SYSTEM_STATUSES = frozenset({"submitted", "drafting", "in_review", "approved"})


def parse_choice(value: Any, aliases: dict[str, str]) -> str | None:
    """Map a typed vocabulary value (code, Chinese or English word) to its code, or None."""
    key = normalize_code(value)
    key = re.sub(r"\s+", " ", key)
    return aliases.get(key) or aliases.get(key.replace(" ", "_")) or aliases.get(
        key.replace(" ", ""))


def parse_languages(value: Any) -> tuple[list[str], list[str]]:
    """``"en;ru"`` / ``"英语、俄语"`` → (["en", "ru"], unknown words). English always first."""
    text = normalize_code(value)
    words = [w for w in re.split(r"[;,、/|+\s，；]+", text) if w]
    known, unknown = {"en"}, []
    for word in words:
        code = LANGUAGE_ALIASES.get(word)
        if code:
            known.add(code)
        else:
            unknown.append(word)
    return [code for code in LANGUAGES if code in known], unknown


def languages_text(codes: Iterable[str]) -> str:
    """The stored form of required languages: ``en;ru`` in a fixed order."""
    wanted = set(codes) | {"en"}
    return ";".join(code for code in LANGUAGES if code in wanted)


def language_combinations(lang: str) -> list[str]:
    """Every stored required-languages value that includes ``lang`` (en;ru, en;ru;ja, …)."""
    others = [code for code in LANGUAGES if code != "en"]
    combos = []
    for mask in range(1 << len(others)):
        chosen = {"en"} | {code for bit, code in enumerate(others) if mask >> bit & 1}
        if lang in chosen:
            combos.append(languages_text(chosen))
    return combos


def has_chinese(text: str) -> bool:
    """Whether ``text`` holds at least one Han character."""
    return bool(HAN_RE.search(text or ""))


# Sign-code prefixes of the seeded counties (initials of the pinyin name), so that
# the common case needs no pinyin lookup; other counties get theirs computed.
COUNTY_PREFIXES = {
    "haikou": "HK", "sanya": "SY", "sansha": "SS", "danzhou": "DZ", "wuzhishan": "WZS",
    "qionghai": "QH", "wenchang": "WC", "wanning": "WN", "dongfang": "DF", "dingan": "DA",
    "tunchang": "TC", "chengmai": "CM", "lingao": "LG", "baisha": "BS", "changjiang": "CJ",
    "ledong": "LD", "lingshui": "LS", "baoting": "BT", "qiongzhong": "QZ", "yangpu": "YP",
}


def county_prefix(county: dict[str, Any]) -> str:
    """Sign-code prefix of a county: initials of its name's pinyin (海口市 → HK)."""
    if county["code"] in COUNTY_PREFIXES:
        return COUNTY_PREFIXES[county["code"]]
    from pypinyin import Style, lazy_pinyin

    name = county["name_zh"]
    for suffix in ("黎族苗族自治县", "黎族自治县", "经济开发区", "自治县", "市", "县", "区"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            name = name[: -len(suffix)]
            break
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).upper()
    initials = re.sub(r"[^A-Z]", "", initials)
    return initials or re.sub(r"[^A-Z0-9]", "", county["code"].upper())[:4] or "SG"


def next_sign_numbers(db: Database, prefix: str, how_many: int,
                      county_id: int | None = None) -> list[str]:
    """``how_many`` sign codes ``PREFIX-000123`` following the highest one in use.

    Codes are unique per county (migration 0013), so only the county's own codes
    count when ``county_id`` is given.
    """
    start = len(prefix) + 2
    county_filter, params = ("AND county_id = ?", [county_id]) if county_id else ("", [])
    row = db.execute(
        "SELECT max(CAST(substr(sign_code, ?) AS INTEGER)) FROM signs WHERE sign_code LIKE ? "
        f"AND substr(sign_code, ?) GLOB '[0-9]*' {county_filter}",
        [start, f"{prefix}-%", start, *params]).fetchone()
    first = (row[0] or 0) + 1
    return [f"{prefix}-{n:06d}" for n in range(first, first + how_many)]


# ---------------------------------------------------------------------------
# Sites

def _site_row(db: Database, site_id: int) -> dict[str, Any]:
    row = next(db.query("SELECT * FROM sites WHERE id = ?", [site_id]), None)
    if row is None:
        raise NotFound(msg("No such site."))
    return row


def get_site(db: Database, user: auth.User, site_id: int) -> dict[str, Any]:
    """One site with its county and sign counts; NotFound outside the user's county."""
    site = _site_row(db, site_id)
    auth.check_county(user, site["county_id"])
    county = next(db.query("SELECT name_zh, name_en, code FROM counties WHERE id = ?",
                           [site["county_id"]]))
    site["county_zh"], site["county_en"] = county["name_zh"], county["name_en"]
    site["sign_count"] = db.execute("SELECT count(*) FROM signs WHERE site_id = ?",
                                    [site_id]).fetchone()[0]
    return site


def list_sites(db: Database, user: auth.User, *, county_id: int | None = None,
               sector: str | None = None, q: str | None = None,
               with_counts: bool = True) -> list[dict[str, Any]]:
    """Sites the user may see, with their sign and flagged-sign counts (``with_counts``)."""
    where: list[str] = []
    params: list[Any] = []
    scope = auth.county_scope(user)
    if scope is not None:
        county_id = scope
    if county_id:
        where.append("st.county_id = ?")
        params.append(county_id)
    if sector:
        where.append("st.sector = ?")
        params.append(sector)
    if q:
        where.append("(st.name_zh LIKE ? ESCAPE '\\' OR st.name_en LIKE ? ESCAPE '\\' "
                     "OR st.address LIKE ? ESCAPE '\\')")
        params += [like_pattern(q)] * 3
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    counts = """, (SELECT count(*) FROM signs s WHERE s.site_id = st.id) AS sign_count,
               (SELECT count(*) FROM signs s WHERE s.site_id = st.id AND s.finding_count > 0)
                   AS flagged_count""" if with_counts else ""
    return list(db.query(f"""
        SELECT st.*, c.name_zh AS county_zh, c.name_en AS county_en {counts}
        FROM sites st JOIN counties c ON c.id = st.county_id {clause}
        ORDER BY c.sort_order, st.name_zh""", params))


def _clean_float(value: Any, column: str, low: float, high: float,
                 problems: list[Problem]) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(unicodedata.normalize("NFKC", str(value)).strip())
    except ValueError:
        problems.append(Problem(msg("This is not a number."), column=column, value=value))
        return None
    if not low <= number <= high:
        problems.append(Problem(msg("This must be between %(low)s and %(high)s.",
                                    low=format(low, "g"), high=format(high, "g")),
                                column=column, value=value))
        return None
    return number


def save_site(db: Database, actor: auth.User, values: dict[str, Any],
              site_id: int | None = None) -> int:
    """Create (no id) or edit a site; returns its id. Officers only in their own county."""
    auth.require(actor, "inventory.submit")
    problems: list[Problem] = []
    name_zh = (values.get("name_zh") or "").strip()
    sector = parse_choice(values.get("sector"), SECTOR_ALIASES)
    county_id: Any = values.get("county_id")
    if not name_zh:
        problems.append(Problem(msg("The site needs a Chinese name."), column="name_zh"))
    if not sector:
        problems.append(Problem(msg("Choose one of the sectors."), column="sector",
                                value=values.get("sector")))
    latitude = _clean_float(values.get("latitude"), "latitude", -90, 90, problems)
    longitude = _clean_float(values.get("longitude"), "longitude", -180, 180, problems)
    if (latitude is None) != (longitude is None):
        problems.append(Problem(msg("Give both latitude and longitude, or neither."),
                                column="latitude"))
    clean = {"name_zh": name_zh, "sector": sector,
             "address": (values.get("address") or "").strip(),
             "latitude": latitude, "longitude": longitude}
    for lang in LANGUAGES:
        if f"name_{lang}" in values:
            clean[f"name_{lang}"] = (values.get(f"name_{lang}") or "").strip()
    with transaction(db):
        if site_id is None:
            if not county_id:
                problems.append(Problem(msg("Choose a county."), column="county_id"))
            else:
                auth.check_county(actor, int(county_id))
                if db["sites"].count_where("county_id = ? AND name_zh = ?",
                                           [county_id, name_zh]):
                    problems.append(Problem(msg("This county already has a site of this name."),
                                            column="name_zh", value=name_zh))
            if problems:
                raise ValidationError(problems)
            now = audit.now_iso()
            clean.update(county_id=int(county_id), created_by=actor.username, created_at=now,
                         updated_at=now)
            new_site_id = insert_row(db, "sites", clean)
            audit.record(db, actor, "site.create", "site", new_site_id, None,
                         dict(clean, id=new_site_id))
            return new_site_id
        before = _site_row(db, site_id)
        auth.check_county(actor, before["county_id"])
        if name_zh and db["sites"].count_where("county_id = ? AND name_zh = ? AND id != ?",
                                               [before["county_id"], name_zh, site_id]):
            problems.append(Problem(msg("This county already has a site of this name."),
                                    column="name_zh", value=name_zh))
        if problems:
            raise ValidationError(problems)
        after = dict(before, **clean)
        if after != before:
            clean["updated_at"] = audit.now_iso()
            db.table("sites").update(site_id, clean)
            audit.record(db, actor, "site.update", "site", site_id, before, dict(after, **clean))
    return site_id


def set_site_location(db: Database, actor: auth.User, site_id: int, latitude: float,
                      longitude: float) -> None:
    """Set a site's coordinates (e.g. from a photo's EXIF GPS)."""
    site = _site_row(db, site_id)
    save_site(db, actor, dict(site, latitude=latitude, longitude=longitude), site_id)


# ---------------------------------------------------------------------------
# Signs: validation, create, edit

MAX_QUANTITY = 1_000_000  # signs of one kind at one place; beyond is a typo

def validate_sign(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a sign's fields; returns (clean fields, current texts) or raises ValidationError."""
    problems: list[Problem] = []
    zh = (values.get("zh") or "").strip()
    if not zh:
        problems.append(Problem(msg("The Chinese text is required."), column="zh"))
    elif not has_chinese(zh):
        problems.append(Problem(msg("The Chinese text has no Chinese characters."), column="zh",
                                value=zh))
    elif len(zh) > MAX_TEXT_LENGTH:
        problems.append(Problem(msg("The text is longer than %(limit)s characters.",
                                    limit=MAX_TEXT_LENGTH), column="zh"))
    function = parse_choice(values.get("function"), FUNCTION_ALIASES)
    if not function:
        problems.append(Problem(msg("Choose the sign's function."), column="function",
                                value=values.get("function")))
    action = parse_choice(values.get("action"), ACTION_ALIASES)
    if not action:
        problems.append(Problem(msg("Choose the action: %(allowed)s.",
                                    allowed=[term.message for term in ACTIONS]),
                                column="action", value=values.get("action")))
    raw_langs = values.get("languages") or "en"
    if isinstance(raw_langs, (list, tuple, set)):
        raw_langs = ";".join(raw_langs)
    langs, unknown = parse_languages(raw_langs)
    if unknown:
        problems.append(Problem(msg("Unknown language; use one of: %(allowed)s.",
                                    allowed=[vocabulary.LANGUAGES.label(code)
                                             for code in LANGUAGES]),
                                column="languages", value=", ".join(unknown)))
    quantity_raw = values.get("quantity")
    quantity = 1
    if quantity_raw not in (None, ""):
        try:
            number = float(unicodedata.normalize("NFKC", str(quantity_raw)).replace(",", ""))
            if not 1 <= number <= MAX_QUANTITY or number != int(number):
                raise ValueError
            quantity = int(number)
        except (ValueError, OverflowError):  # OverflowError: "inf"
            problems.append(Problem(msg("must be a whole number from 1 to %(max)s",
                                        max=MAX_QUANTITY), column="quantity",
                                    value=quantity_raw))
    latitude = _clean_float(values.get("latitude"), "latitude", -90, 90, problems)
    longitude = _clean_float(values.get("longitude"), "longitude", -180, 180, problems)
    if (latitude is None) != (longitude is None):
        problems.append(Problem(msg("Give both latitude and longitude, or neither."),
                                column="latitude"))
    texts: dict[str, str] = {}
    for lang in LANGUAGES:
        text = (values.get(f"{lang}_current") or "").strip()
        if len(text) > MAX_TEXT_LENGTH:
            problems.append(Problem(msg("The text is longer than %(limit)s characters.",
                                        limit=MAX_TEXT_LENGTH), column=f"{lang}_current"))
        elif text:
            texts[lang] = text
    if problems:
        raise ValidationError(problems)
    clean = {
        "location": (values.get("location") or "").strip(), "function": function, "zh": zh,
        "languages": languages_text(langs), "quantity": quantity,
        "size": (values.get("size") or "").strip(),
        "material": (values.get("material") or "").strip(), "action": action,
        "latitude": latitude, "longitude": longitude,
        "opt_out_reason": (values.get("opt_out_reason") or "").strip() or None,
    }
    return clean, texts


def _sign_row(db: Database, sign_id: int) -> dict[str, Any]:
    row = next(db.query("SELECT * FROM signs WHERE id = ?", [sign_id]), None)
    if row is None:
        raise NotFound(msg("No such sign."))
    return row


def current_texts(db: Database, sign_id: int) -> dict[str, str]:
    """The foreign texts installed on the sign now, by language."""
    return {r["lang"]: r["text"] for r in db.query(
        "SELECT lang, text FROM sign_current_texts WHERE sign_id = ?", [sign_id])}


def _snapshot(db: Database, sign_id: int) -> dict[str, Any]:
    row = _sign_row(db, sign_id)
    row["current_texts"] = current_texts(db, sign_id)
    return row


def create_sign(db: Database, actor: auth.User, site_id: int, values: dict[str, Any], *,
                photo: Any = None, upload_dir: str | None = None,
                photo_ocr: dict[str, Any] | None = None) -> int:
    """Submit one sign at a site: store it, its installed texts and QA findings, link units.

    ``photo`` (a checked :class:`workbench.inventory.photos.PreparedPhoto`, stored
    under ``upload_dir``) is attached in the same transaction: the sign and its
    photo are saved together or not at all, even when an approved wording makes
    the new sign approved (no longer editable) at once. ``photo_ocr`` is what OCR
    read on the photo (``OcrResult.to_dict()``), kept with it.
    """
    from workbench.inventory import photos
    from workbench.review import units

    auth.require(actor, "inventory.submit")
    clean, texts = validate_sign(values)
    with transaction(db):
        site = _site_row(db, site_id)
        auth.check_county(actor, site["county_id"])
        code = (values.get("sign_code") or "").strip()
        if code:
            code = unicodedata.normalize("NFKC", code).upper()
            if not SIGN_CODE_RE.match(code):
                raise ValidationError.single(
                    msg("A sign code has letters, digits, - _ . / only."),
                    column="sign_code", value=code)
            # Codes are unique per county: another county's codes are neither
            # visible nor in the way.
            if db["signs"].count_where("county_id = ? AND sign_code = ?",
                                       [site["county_id"], code]):
                raise ValidationError.single(msg("Another sign of this county already has "
                                                 "this code."), column="sign_code", value=code)
        else:
            county = next(db.query("SELECT * FROM counties WHERE id = ?", [site["county_id"]]))
            code = next_sign_numbers(db, county_prefix(county), 1, site["county_id"])[0]
        now = audit.now_iso()
        row = dict(clean, site_id=site_id, county_id=site["county_id"], sign_code=code,
                   status="submitted", created_by=actor.username, created_at=now,
                   updated_at=now)
        sign_id = insert_row(db, "signs", row)
        db.conn.executemany(
            "INSERT INTO sign_current_texts (sign_id, lang, text) VALUES (?, ?, ?)",
            [(sign_id, lang, text) for lang, text in texts.items()])
        refresh_findings(db, [sign_id])
        units.ensure_units_for_sign(db, actor, sign_id)
        reindex(db, [sign_id])
        audit.record(db, actor, "sign.create", "sign", sign_id, None,
                     _snapshot(db, sign_id))
        if photo is not None:
            photos.store_with_event(db, actor, sign_id, photo, upload_dir or "", photo_ocr)
        # A wording approved earlier for another sign applies at once.
        units.refresh_sign_status(db, sign_id, actor)
    return sign_id


def update_sign(db: Database, actor: auth.User, sign_id: int, values: dict[str, Any]) -> bool:
    """Edit a sign (only the fields :func:`editable_fields` allows now); True if it changed.

    A changed Chinese text links the sign to the units of the new text; their
    drafts are made by :func:`redraft` (a job).
    """
    from workbench.review import units

    clean, texts = validate_sign(values)
    with transaction(db):
        before = _snapshot(db, sign_id)
        auth.check_county(actor, before["county_id"])
        refusal = edit_refusal(actor, before)  # None exactly when some field is editable
        if refusal is not None:
            raise PermissionDenied(refusal)
        allowed = editable_fields(actor, before)
        if "site_id" in values and values["site_id"] and int(values["site_id"]) != before[
                "site_id"]:
            site = _site_row(db, int(values["site_id"]))
            if site["county_id"] != before["county_id"]:
                raise ValidationError.single(
                    msg("A sign can only move to a site of its county."), column="site_id")
            clean["site_id"] = site["id"]
        changed = {k: v for k, v in clean.items() if before.get(k) != v}
        if not changed and texts == before["current_texts"]:
            return False
        touched = set(changed) | ({"current_texts"} if texts != before["current_texts"] else set())
        if touched - allowed:
            # Some field is editable (above), so only a correcting user gets here.
            raise PermissionDenied(correction_note(actor, before) or "")
        changed["updated_at"] = audit.now_iso()
        db.table("signs").update(sign_id, changed)
        db.execute("DELETE FROM sign_current_texts WHERE sign_id = ?", [sign_id])
        db.conn.executemany(
            "INSERT INTO sign_current_texts (sign_id, lang, text) VALUES (?, ?, ?)",
            [(sign_id, lang, text) for lang, text in texts.items()])
        refresh_findings(db, [sign_id])
        units.ensure_units_for_sign(db, actor, sign_id)
        reindex(db, [sign_id])
        audit.record(db, actor, "sign.update", "sign", sign_id, before, _snapshot(db, sign_id))
        if before["status"] in SYSTEM_STATUSES:
            units.refresh_sign_status(db, sign_id, actor)
    return True


def transition(db: Database, actor: auth.User, sign_id: int, action: str,
               reason: str | None = None) -> str:
    """Apply one row of :data:`TRANSITIONS` to a sign; returns the new status."""
    from workbench.review import units

    rule = TRANSITIONS.get(action)
    if rule is None:
        raise ValidationError.single(msg("Unknown action %(action)s.", action=repr(action)))
    with transaction(db):
        sign = _sign_row(db, sign_id)
        auth.check_county(actor, sign["county_id"])
        if actor.role not in rule.roles:
            raise PermissionDenied(msg("Your role may not do this to a sign."))
        if sign["status"] not in rule.from_statuses:
            raise ValidationError.single(
                msg("A sign that is %(status)s cannot take this step (%(step)s).",
                    status=STATUSES.label(sign["status"]),
                    step=vocabulary.SIGN_STEPS.label(action)),
                column="status", value=sign["status"])
        reason = (reason or "").strip()
        if rule.needs_reason and not reason:
            raise ValidationError.single(
                msg("Give a reason, so the officer knows what to fix."), column="reason")
        change = {"status": rule.to_status, "updated_at": audit.now_iso(),
                  "rejection_reason": reason if action == "reject" else sign["rejection_reason"]}
        if action == "resubmit":
            change["rejection_reason"] = None
        db.table("signs").update(sign_id, change)
        audit.record(db, actor, f"sign.{action}", "sign", sign_id,
                     {"status": sign["status"], "rejection_reason": sign["rejection_reason"],
                      "county_id": sign["county_id"]},
                     dict(change, county_id=sign["county_id"]))
        if action == "resubmit":
            units.ensure_units_for_sign(db, actor, sign_id)
            units.refresh_sign_status(db, sign_id, actor)
        status: str = _sign_row(db, sign_id)["status"]
        return status


def allowed_actions(user: auth.User, sign: dict[str, Any]) -> list[str]:
    """The transitions the user may apply to this sign now (for buttons)."""
    return [t.action for t in TRANSITIONS.values()
            if user.role in t.roles and sign["status"] in t.from_statuses]


# ---------------------------------------------------------------------------
# QA findings and search index

MISSING_TEXT_CHECK = "missing_translation"


def installed_text_findings(db: Database, zh: str, function: str, action: str,
                            languages: str, texts: dict[str, str],
                            cache: dict[tuple[str, str, str, str], list[SignFinding]] | None = None
                            ) -> list[SignFinding]:
    """QA findings on a sign's installed texts (no sign id; the caller adds it).

    Each text goes through the one QA runner with the sign profile. A required
    language with nothing installed is itself a finding, except for a new sign,
    which has nothing installed yet by definition.
    """
    from workbench.checks import run_checks
    from workbench.vocabulary import LANGUAGES as LANGUAGE_LABELS

    found: list[SignFinding] = []
    for lang in languages.split(";"):
        if lang not in texts and action != "new":
            found.append({"lang": lang, "check_id": MISSING_TEXT_CHECK, "severity": "error",
                          "message": messages.dumps(messages.msg(
                              "The sign requires %(language)s but carries no such text.",
                              language=LANGUAGE_LABELS.label(lang))),
                          "start_pos": None, "end_pos": None, "suggestion": None})
    for lang, text in texts.items():
        key = (zh, text, lang, function)
        results: list[SignFinding]
        if cache is not None and key in cache:
            results = cache[key]
        else:
            # Stored as message id + parameters, shown in each reader's language.
            results = [{"lang": lang, "check_id": f.check, "severity": f.severity,
                        "message": messages.dumps(f.message), "start_pos": f.start,
                        "end_pos": f.end, "suggestion": f.suggestion}
                       for f in run_checks(db, zh, text, lang, function=function,
                                           profile="sign")]
            if cache is not None:
                cache[key] = results
        found.extend(results)
    return found


def finding_rows(sign_id: int, found: list[SignFinding]) -> list[tuple[Any, ...]]:
    """``sign_findings`` rows of one sign's findings (from :func:`installed_text_findings`)."""
    return [(sign_id, f["lang"], f["check_id"], f["severity"], f["message"], f["start_pos"],
             f["end_pos"], f["suggestion"]) for f in found]


def store_findings(db: Database, sign_ids: list[int], rows: list[tuple[Any, ...]],
                   counts: list[tuple[int, int]]) -> None:
    """Replace these signs' findings by ``rows``; ``counts`` are (finding_count, sign id).

    Runs in the caller's transaction. The findings may have been computed
    before it began (an import checks outside its short write transaction).
    """
    for start in range(0, len(sign_ids), 500):
        chunk = sign_ids[start:start + 500]
        db.execute(f"DELETE FROM sign_findings WHERE sign_id IN ({','.join('?' * len(chunk))})",
                   chunk)
    db.conn.executemany(
        "INSERT INTO sign_findings (sign_id, lang, check_id, severity, message, start_pos,"
        " end_pos, suggestion) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    # finding_count is a cache of sign_findings; keeping it on the row keeps the
    # has-QA-flags filter an index-free integer test.
    db.conn.executemany("UPDATE signs SET finding_count = ? WHERE id = ?", counts)


def refresh_findings(db: Database, sign_ids: Iterable[int]) -> int:
    """Re-run the QA checks on these signs' installed texts and store the findings.

    A confirmed public report about a sign is one more finding on it
    (``workbench.reports.queue.sign_findings_from_reports``).
    """
    from workbench.reports.queue import sign_findings_from_reports

    ids = list(sign_ids)
    cache: dict[tuple[str, str, str, str], list[SignFinding]] = {}
    total = 0
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        texts: dict[int, dict[str, str]] = {}
        for row in db.execute(f"SELECT sign_id, lang, text FROM sign_current_texts "
                              f"WHERE sign_id IN ({marks})", chunk):
            texts.setdefault(row[0], {})[row[1]] = row[2]
        rows: list[tuple[Any, ...]] = []
        counts: list[tuple[int, int]] = []
        reported = sign_findings_from_reports(db, chunk)
        for sign in db.query(f"SELECT id, zh, function, action, languages, finding_count "
                             f"FROM signs WHERE id IN ({marks})", chunk):
            found = installed_text_findings(db, sign["zh"], sign["function"],
                                            sign["action"], sign["languages"],
                                            texts.get(sign["id"], {}), cache)
            found += reported.get(sign["id"], [])
            rows += finding_rows(sign["id"], found)
            if len(found) != sign["finding_count"]:
                counts.append((len(found), sign["id"]))
        store_findings(db, chunk, rows, counts)
        total += len(rows)
    return total


RECHECK_CHUNK = 2000  # signs re-checked per transaction


def recheck(db: Database, actor: auth.User, county_id: int | None = None,
            progress: Callable[..., None] | None = None) -> tuple[int, int]:
    """Re-run the QA checks on every sign (of one county); returns (signs, findings).

    Signs are checked in chunks, each stored in one transaction with its audit
    event, so a stopped re-check keeps what it stored and can simply run again.
    """
    where, params = ("WHERE county_id = ?", [county_id]) if county_id else ("", [])
    ids = [r[0] for r in db.execute(f"SELECT id FROM signs {where} ORDER BY id", params)]
    total = 0
    if progress:
        progress(0, len(ids))
    for start in range(0, len(ids), RECHECK_CHUNK):
        chunk = ids[start:start + RECHECK_CHUNK]
        with transaction(db):
            found = refresh_findings(db, chunk)
            audit.record(db, actor, "inventory.recheck", "county" if county_id else "inventory",
                         county_id, None, {"signs": len(chunk), "findings": found,
                                           "first_sign": chunk[0], "last_sign": chunk[-1]})
        total += found
        if progress:
            progress(start + len(chunk), len(ids))
    return len(ids), total


def recheck_job(db: Database, *, progress: Callable[..., None], actor: auth.User,
                county_id: int | None = None) -> dict[str, Any]:
    """The ``inventory.recheck`` job: :func:`recheck` with progress."""
    signs, findings = recheck(db, actor, county_id, progress=progress)
    return {"signs": signs, "findings": findings,
            "summary": msg("Checked %(signs)s signs: %(findings)s findings.", signs=signs,
                           findings=findings)}


def search_body(code: str, zh: str, location: str, texts: Iterable[str]) -> str:
    """The text the full-text index holds for one sign (the site has its own filter)."""
    return " ".join([code, zh, location, *texts])


def reindex(db: Database, sign_ids: Iterable[int] | None = None) -> None:
    """Rebuild the full-text entries: code, Chinese, location, site, installed texts."""
    body = """SELECT s.id, s.sign_code || ' ' || s.zh || ' ' || s.location || ' ' ||
                     coalesce((SELECT group_concat(t.text, ' ') FROM sign_current_texts t
                               WHERE t.sign_id = s.id), '')
              FROM signs s"""
    if sign_ids is None:
        db.execute("DELETE FROM signs_fts")
        db.execute(f"INSERT INTO signs_fts (rowid, body) {body}")
        return
    ids = list(sign_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        db.execute(f"DELETE FROM signs_fts WHERE rowid IN ({marks})", chunk)
        db.execute(f"INSERT INTO signs_fts (rowid, body) {body} WHERE s.id IN ({marks})", chunk)


def search_clause(q: str) -> tuple[str, list[Any]]:
    """SQL restricting ``s.id`` to signs whose texts contain every word of ``q``.

    Words of 3+ characters use the trigram index; shorter ones (common in
    Chinese: 出口, 厕所) fall back to LIKE: Chinese ones over the sign's Chinese
    text and location (a short scan of the signs table), others over the
    indexed text.
    """
    parts, params = [], []
    for word in q.split():
        if len(word) >= 3:
            parts.append("s.id IN (SELECT rowid FROM signs_fts WHERE signs_fts MATCH ?)")
            params.append('"' + word.replace('"', '""') + '"')
        elif has_chinese(word):
            parts.append("(s.zh LIKE ? ESCAPE '\\' OR s.location LIKE ? ESCAPE '\\')")
            params += [like_pattern(word)] * 2
        else:
            parts.append("s.id IN (SELECT rowid FROM signs_fts WHERE body LIKE ? ESCAPE '\\')")
            params.append(like_pattern(word))
    return " AND ".join(parts), params


# ---------------------------------------------------------------------------
# Reading

SORTS = {
    # Each order follows an index, so a late page does not sort the whole table.
    "updated": "s.updated_at DESC, s.id DESC", "code": "s.sign_code",
    "site": "s.site_id, s.id", "status": "s.status, s.function, s.id",
    "findings": "s.finding_count DESC, s.id DESC", "created": "s.id",
}
FILTERS = ("county_id", "site_id", "status", "function", "action", "sector", "lang",
           "has_photo", "has_flags", "q")


def _filter_sql(user: auth.User, filters: dict[str, Any]) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    scope = auth.county_scope(user)
    county_id = scope if scope is not None else filters.get("county_id")
    county_id = to_int(county_id, minimum=1) if county_id not in (None, "") else None
    if county_id is not None:
        where.append("s.county_id = ?")
        params.append(county_id)
    if filters.get("site_id"):
        # A mangled or out-of-range id matches nothing.
        filters = dict(filters, site_id=to_int(filters["site_id"], minimum=1) or -1)
    for key in ("site_id", "status", "function", "action"):
        if filters.get(key):
            where.append(f"s.{key} = ?")
            params.append(filters[key])
    if filters.get("sector"):
        where.append("st.sector = ?")
        params.append(filters["sector"])
    if filters.get("lang") in LANGUAGES:
        # Stored lists are canonical (languages_text), so the few lists holding
        # a language can be named and looked up in the index.
        combos = language_combinations(filters["lang"])
        where.append(f"s.languages IN ({','.join('?' * len(combos))})")
        params += combos
    for key, column in (("has_photo", "photo_count"), ("has_flags", "finding_count")):
        if filters.get(key) in ("1", "yes", True, 1):
            where.append(f"s.{column} > 0")
        elif filters.get(key) in ("0", "no", False, 0):
            where.append(f"s.{column} = 0")
    if filters.get("q"):
        clause, extra = search_clause(str(filters["q"]))
        if clause:
            where.append(clause)
            params += extra
    return ("WHERE " + " AND ".join(where)) if where else "", params


def list_signs(db: Database, user: auth.User, filters: dict[str, Any] | None = None, *,
               sort: str = "updated", page: int = 1,
               page_size: int = 50) -> tuple[list[dict[str, Any]], int]:
    """One page of the signs the user may see, filtered and sorted; (rows, total)."""
    filters = filters or {}
    clause, params = _filter_sql(user, filters)
    joins = "JOIN sites st ON st.id = s.site_id"
    total = db.execute(f"SELECT count(*) FROM signs s {joins} {clause}"
                       if "st." in clause else f"SELECT count(*) FROM signs s {clause}",
                       params).fetchone()[0]
    order = SORTS.get(sort, SORTS["updated"])
    # Find the page's ids first, on the signs table and its indexes alone, then
    # read the details of just those: a late page then skips index entries
    # instead of joined rows.
    page_ids = [r[0] for r in db.execute(
        f"SELECT s.id FROM signs s {joins if 'st.' in clause else ''} {clause} "
        f"ORDER BY {order} LIMIT ? OFFSET ?",
        params + [page_size, (max(1, page) - 1) * page_size])]
    if not page_ids:
        return [], total
    details = {row["id"]: row for row in db.query(f"""
        SELECT s.id, s.sign_code, s.zh, s.location, s.function, s.action, s.status,
               s.languages, s.quantity, s.photo_count, s.finding_count, s.updated_at,
               s.county_id, st.id AS site_id, st.name_zh AS site_zh, st.sector,
               c.name_zh AS county_zh, c.name_en AS county_en,
               (SELECT text FROM sign_current_texts t WHERE t.sign_id = s.id AND t.lang = 'en')
                   AS en_current,
               (SELECT min(p.id) FROM sign_photos p WHERE p.sign_id = s.id) AS photo_id
        FROM signs s {joins} JOIN counties c ON c.id = s.county_id
        WHERE s.id IN ({','.join('?' * len(page_ids))})""", page_ids)}
    return [details[sign_id] for sign_id in page_ids], total


def get_sign(db: Database, user: auth.User, sign_id: int) -> dict[str, Any]:
    """A sign with its site, county, installed texts, photos, findings and units."""
    from workbench.review import units

    sign = _sign_row(db, sign_id)
    auth.check_county(user, sign["county_id"])
    sign["site"] = _site_row(db, sign["site_id"])
    sign["county"] = next(db.query("SELECT * FROM counties WHERE id = ?", [sign["county_id"]]))
    sign["current_texts"] = current_texts(db, sign_id)
    sign["photos"] = list(db.query("SELECT * FROM sign_photos WHERE sign_id = ? ORDER BY id",
                                   [sign_id]))
    sign["findings"] = [dict(row, message=messages.from_data(row["message"])) for row in db.query(
        "SELECT * FROM sign_findings WHERE sign_id = ? ORDER BY lang, id", [sign_id])]
    sign["units"] = units.units_for_sign(db, sign_id)
    sign["language_list"] = sign["languages"].split(";")
    return sign


def sign_history(db: Database, user: auth.User, sign_id: int) -> list[dict[str, Any]]:
    """The audit events about the sign, plus the import that created or changed it."""
    sign = _sign_row(db, sign_id)
    auth.check_county(user, sign["county_id"])
    events = audit.history(db, "sign", sign_id)
    if sign["import_id"]:
        events += audit.history(db, "inventory_import", sign["import_id"])
    return sorted(events, key=lambda e: e["id"])


def stats(db: Database, user: auth.User) -> list[dict[str, Any]]:
    """Sign counts per county and status (rows: county, status, signs, quantity)."""
    scope = auth.county_scope(user)
    clause, params = ("WHERE s.county_id = ?", [scope]) if scope is not None else ("", [])
    return list(db.query(f"""
        SELECT c.name_zh AS county_zh, c.name_en AS county_en, s.status,
               count(*) AS signs, sum(s.quantity) AS quantity
        FROM signs s JOIN counties c ON c.id = s.county_id {clause}
        GROUP BY c.id, s.status ORDER BY c.sort_order, s.status""", params))
