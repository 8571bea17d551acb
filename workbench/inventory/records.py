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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth, vocabulary
from workbench.db import insert_row, transaction
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


# Moved by concern; importable from here as before.
from workbench.inventory.sites import _clean_float as _clean_float  # noqa: E402
from workbench.inventory.sites import _site_row as _site_row  # noqa: E402
from workbench.inventory.sites import get_site as get_site  # noqa: E402
from workbench.inventory.sites import list_sites as list_sites  # noqa: E402
from workbench.inventory.sites import save_site as save_site  # noqa: E402
from workbench.inventory.sites import set_site_location as set_site_location  # noqa: E402
from workbench.inventory.findings import MISSING_TEXT_CHECK as MISSING_TEXT_CHECK  # noqa: E402
from workbench.inventory.findings import RECHECK_CHUNK as RECHECK_CHUNK  # noqa: E402
from workbench.inventory.findings import finding_rows as finding_rows  # noqa: E402
from workbench.inventory.findings import installed_text_findings as installed_text_findings  # noqa: E402
from workbench.inventory.findings import recheck as recheck  # noqa: E402
from workbench.inventory.findings import recheck_job as recheck_job  # noqa: E402
from workbench.inventory.findings import refresh_findings as refresh_findings  # noqa: E402
from workbench.inventory.findings import reindex as reindex  # noqa: E402
from workbench.inventory.findings import search_body as search_body  # noqa: E402
from workbench.inventory.findings import search_clause as search_clause  # noqa: E402
from workbench.inventory.findings import store_findings as store_findings  # noqa: E402
from workbench.inventory.listing import FILTERS as FILTERS  # noqa: E402
from workbench.inventory.listing import SORTS as SORTS  # noqa: E402
from workbench.inventory.listing import _filter_sql as _filter_sql  # noqa: E402
from workbench.inventory.listing import get_sign as get_sign  # noqa: E402
from workbench.inventory.listing import list_signs as list_signs  # noqa: E402
from workbench.inventory.listing import sign_history as sign_history  # noqa: E402
from workbench.inventory.listing import stats as stats  # noqa: E402
