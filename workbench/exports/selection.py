"""Which signs an export takes, and the approved wording of each.

The one rule every export follows is written here, in :func:`iter_signs`:
for each sign and each language it requires (English always), the wording is
taken from the sign's translation unit **only while that unit's current state
is ``approved``**. A unit that was approved and then edited is back in review,
so its sign is *missing* that language until it is approved again — the last
approved text is never used in its place. A sign missing any required
language is reported as missing and never exported with a draft.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

from sqlite_utils import Database

from workbench import auth, counties
from workbench.db import equal_conditions, to_int
from workbench.errors import Problem, ValidationError, WorkbenchError
from workbench.messages import Message, MessageLike, msg, nmsg, render, translator_for
from workbench.vocabulary import (HISTORY_FIELDS, LANGUAGES, SECTORS, SIGN_STATUSES,
                                  Vocabulary)

# The standard's order on a sign: Chinese, English, then the other languages.
LANGUAGE_ORDER: tuple[str, ...] = ("en", "ru", "ja", "ko")
BATCH = 2000

Progress = Callable[[int, int], None]


class NothingToExport(WorkbenchError):
    """The filter matches no approved wording; the message says what is waiting."""

    http_status = 404
    exit_code = 3


@dataclass
class ExportFilter:
    """What an export takes; every field is optional ("all")."""

    county_id: int | None = None
    county: str | None = None  # the county's Chinese name, for people reading the record
    site_id: int | None = None
    site: str | None = None
    sector: str | None = None
    status: str | None = None
    lang: str | None = None
    approved_since: str | None = None  # YYYY-MM-DD, inclusive
    approved_until: str | None = None  # YYYY-MM-DD, inclusive

    def to_dict(self) -> dict[str, Any]:
        """The fields that are set (for the audit event and the exports list)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}

    def to_json(self) -> str:
        """Canonical JSON of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> "ExportFilter":
        """Rebuild a filter stored with :meth:`to_json`."""
        data = json.loads(text or "{}")
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def describe(self) -> MessageLike | list[MessageLike]:
        """A short description for people, e.g. ``County: 海口市, Language: Russian``."""
        shown = {k: v for k, v in self.to_dict().items() if k not in ("county_id", "site_id")}
        values = {"sector": SECTORS, "status": SIGN_STATUSES, "lang": LANGUAGES}
        parts: list[MessageLike] = [
            msg("%(field)s: %(value)s", field=HISTORY_FIELDS.label(name),
                value=values[name].label(value) if name in values else value)
            for name, value in shown.items()]
        return parts or msg("all signs")


def _parse_date(value: str | None, column: str, problems: list[Problem]) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip()[:10]
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        problems.append(Problem(msg("This is not a date (write YYYY-MM-DD)."), column=column,
                                value=value))
        return None


def resolve_filter(db: Database, user: auth.User, *, county: str | int | None = None,
                   site: str | int | None = None, sector: str | None = None,
                   status: str | None = None, lang: str | None = None,
                   approved_since: str | None = None,
                   approved_until: str | None = None) -> ExportFilter:
    """Turn what a person typed into an :class:`ExportFilter`, or raise ValidationError.

    An unknown county, site, sector, status or language is an error (never an
    empty export). A user limited to one county (an officer) always gets that
    county; naming another one answers like an unknown county.
    """
    from workbench.inventory.records import LANGUAGE_ALIASES, SECTOR_ALIASES, parse_choice

    problems: list[Problem] = []
    flt = ExportFilter()
    scope = auth.county_scope(user)
    if county not in (None, ""):
        if isinstance(county, int) or str(county).strip().isdigit():
            row = next(db.query("SELECT * FROM counties WHERE id = ?", [to_int(county)]), None)
            if row is None:
                raise ValidationError.single(msg("Unknown county %(county)s.",
                                                 county=repr(county)), column="county",
                                             value=county)
        else:
            row = counties.resolve_county(db, str(county))  # raises for an unknown name
        if scope is not None and row["id"] != scope:
            raise ValidationError.single(msg("Unknown county %(county)s.", county=repr(county)),
                                         column="county", value=county)
        flt.county_id, flt.county = row["id"], row["name_zh"]
    elif scope is not None:
        flt.county_id = scope
        flt.county = counties.get_county(db, scope)["name_zh"]
    if sector not in (None, ""):
        flt.sector = parse_choice(sector, SECTOR_ALIASES)
        if not flt.sector:
            problems.append(Problem(msg("Unknown sector; use one of: %(allowed)s.",
                                        allowed=[term.message for term in SECTORS]),
                                    column="sector", value=sector))
    if status not in (None, ""):
        if status not in SIGN_STATUSES:
            problems.append(Problem(msg("Unknown status; use one of: %(allowed)s.",
                                        allowed=", ".join(SIGN_STATUSES.codes)),
                                    column="status", value=status))
        else:
            flt.status = status
    if lang not in (None, ""):
        flt.lang = parse_choice(lang, LANGUAGE_ALIASES)
        if not flt.lang:
            problems.append(Problem(msg("Unknown language; use en, ru, ja or ko."), column="lang",
                                    value=lang))
    flt.approved_since = _parse_date(approved_since, "approved_since", problems)
    flt.approved_until = _parse_date(approved_until, "approved_until", problems)
    if site not in (None, ""):
        where: list[str] = []
        params: list[Any] = []
        if isinstance(site, int) or str(site).strip().isdigit():
            where.append("id = ?")
            params.append(to_int(site))  # None (no site) when out of range
        else:
            where.append("(name_zh = ? OR lower(name_en) = lower(?))")
            params += [str(site).strip()] * 2
        if flt.county_id:
            where.append("county_id = ?")
            params.append(flt.county_id)
        if scope is not None:
            where.append("county_id = ?")
            params.append(scope)
        rows = list(db.query(f"SELECT id, name_zh FROM sites WHERE {' AND '.join(where)}",
                             params))
        if not rows:
            problems.append(Problem(msg("No such site in this county.") if flt.county_id
                                    else msg("No such site."), column="site", value=site))
        elif len(rows) > 1:
            problems.append(Problem(msg("Several counties have a site of this name; choose the "
                                        "county too."), column="site", value=site))
        else:
            flt.site_id, flt.site = rows[0]["id"], rows[0]["name_zh"]
    if problems:
        raise ValidationError(problems, summary=msg("The export filter has problems."))
    return flt


@dataclass(slots=True)
class SignRecord:
    """One sign as an export sees it: its fields and the approved wording per language."""

    id: int
    sign_code: str
    county_id: int
    county: str
    county_en: str
    site: str
    site_en: str
    sector: str
    location: str
    function: str
    quantity: int
    size: str
    material: str
    zh: str
    status: str
    languages: list[str]
    texts: dict[str, str] = field(default_factory=dict)  # approved wording only
    approved_by: dict[str, str] = field(default_factory=dict)
    approved_at: dict[str, str] = field(default_factory=dict)
    # lang → unit state ('none': no unit); key "sign" when the sign itself was rejected
    missing: dict[str, str] = field(default_factory=dict)
    photos: list[str] = field(default_factory=list)  # files under UPLOAD_DIR

    @property
    def complete(self) -> bool:
        """Whether every required language has approved wording."""
        return not self.missing

    @property
    def last_approved_at(self) -> str:
        """The latest approval among the sign's languages (ISO text, '' when none)."""
        return max(self.approved_at.values(), default="")

    def approvers(self) -> str:
        """Distinct approvers, in language order, joined for a cell."""
        return "; ".join(dict.fromkeys(self.approved_by[lang] for lang in self.languages
                                       if self.approved_by.get(lang)))


def required_languages(languages: str | None) -> list[str]:
    """A sign's required foreign languages in the standard's order (English always)."""
    wanted = {lang for lang in (languages or "").split(";") if lang} | {"en"}
    return [lang for lang in LANGUAGE_ORDER if lang in wanted] + sorted(
        wanted - set(LANGUAGE_ORDER))


def _where(flt: ExportFilter) -> tuple[str, list[Any]]:
    where, params = equal_conditions([
        ("s.county_id", flt.county_id), ("s.site_id", flt.site_id),
        ("st.sector", flt.sector), ("s.status", flt.status)])
    if flt.lang and flt.lang != "en":
        where.append("instr(';' || s.languages || ';', ?) > 0")
        params.append(f";{flt.lang};")
    return ("WHERE " + " AND ".join(where)) if where else "", params


def _sites_join(flt: ExportFilter) -> str:
    # Only the sector lives on the site; without it, counting need not touch sites.
    return "JOIN sites st ON st.id = s.site_id" if flt.sector else ""


def count_signs(db: Database, flt: ExportFilter) -> int:
    """How many signs the filter's inventory part matches (approved or not)."""
    clause, params = _where(flt)
    count: int = db.execute(f"SELECT count(*) FROM signs s {_sites_join(flt)} {clause}",
                            params).fetchone()[0]
    return count


def languages_in(db: Database, flt: ExportFilter) -> list[str]:
    """The foreign languages the matched signs require, in the standard's order."""
    clause, params = _where(flt)
    found: set[str] = set()
    for (languages,) in db.execute(
            f"SELECT DISTINCT s.languages FROM signs s {_sites_join(flt)} {clause}", params):
        found.update(required_languages(languages))
    return [lang for lang in LANGUAGE_ORDER if lang in found] + sorted(
        found - set(LANGUAGE_ORDER))


def _in_dates(record: SignRecord, flt: ExportFilter) -> bool:
    return day_in_range(record.last_approved_at[:10], flt)


def day_in_range(day: str, flt: ExportFilter) -> bool:
    """Whether an approval day (YYYY-MM-DD) is within the filter's approval dates."""
    if flt.approved_since and day < flt.approved_since:
        return False
    if flt.approved_until and day > flt.approved_until:
        return False
    return True


# Column positions in the rows of :func:`sign_rows_sql`.
BASE_COLUMNS = 17
LANGUAGES_COLUMN = 15
PHOTOS_COLUMN = 16
# The row's first columns are the record's first fields, in order (up to its languages).
ROW_FIELDS = tuple(f.name for f in fields(SignRecord))[:LANGUAGES_COLUMN]


def sign_rows_sql(flt: ExportFilter, languages: Sequence[str]) -> tuple[str, list[Any]]:
    """One query for the matched signs with, per language, the unit's state and wording.

    Each row: 17 sign columns (see :data:`BASE_COLUMNS`), then per language in
    ``languages`` four columns: unit state, **approved wording**, approver,
    approval time. The approved-wording column is where the export rule is
    enforced: it is NULL unless the unit's *current* state is ``approved``.
    """
    clause, where_params = _where(flt)
    columns, joins, join_params = [], [], []
    for index, lang in enumerate(languages):
        joins.append(f"LEFT JOIN sign_units su{index} ON su{index}.sign_id = s.id "
                     f"AND su{index}.target_lang = ? "
                     f"LEFT JOIN translation_units u{index} ON u{index}.id = su{index}.unit_id")
        join_params.append(lang)
        columns.append(
            f"u{index}.state, CASE WHEN u{index}.state = 'approved' "
            f"AND coalesce(u{index}.target_text, '') != '' THEN u{index}.target_text END, "
            f"u{index}.approved_by, u{index}.approved_at")
    extra = (", " + ", ".join(columns)) if columns else ""
    sql = f"""
        SELECT s.id, s.sign_code, s.county_id, c.name_zh, c.name_en, st.name_zh, st.name_en,
               st.sector, s.location, s.function, s.quantity, s.size, s.material, s.zh,
               s.status, s.languages,
               CASE WHEN s.photo_count > 0 THEN (SELECT group_concat(file_name, char(10)) FROM
                   (SELECT file_name FROM sign_photos p WHERE p.sign_id = s.id ORDER BY p.id))
               END
               {extra}
        FROM signs s JOIN sites st ON st.id = s.site_id JOIN counties c ON c.id = s.county_id
        {' '.join(joins)}
        {clause}
        ORDER BY c.sort_order, c.id, st.name_zh, st.id, s.sign_code"""
    return sql, join_params + where_params


def record_from_row(row: Sequence[Any], languages: Sequence[str]) -> SignRecord:
    """A :class:`SignRecord` from one row of :func:`sign_rows_sql`."""
    record = SignRecord(**dict(zip(ROW_FIELDS, row[:LANGUAGES_COLUMN], strict=True)),
                        languages=required_languages(row[LANGUAGES_COLUMN]))
    if row[PHOTOS_COLUMN]:
        record.photos = row[PHOTOS_COLUMN].split("\n")
    position = {lang: BASE_COLUMNS + 4 * index for index, lang in enumerate(languages)}
    for lang in record.languages:
        at = position.get(lang)
        state, text, by, when = row[at:at + 4] if at is not None else (None, None, None, None)
        if text is not None:
            record.texts[lang] = text
            record.approved_by[lang] = by or ""
            record.approved_at[lang] = when or ""
        else:
            record.missing[lang] = state or "none"
    if record.status == "rejected":
        # Sent back to the county: its details are being fixed, so it is not made yet.
        record.missing["sign"] = "rejected"
    return record


def iter_rows(db: Database, flt: ExportFilter, languages: Sequence[str], *,
              progress: Progress | None = None) -> Iterator[tuple[Any, ...]]:
    """The raw rows of :func:`sign_rows_sql`, fetched in batches, reporting progress."""
    sql, params = sign_rows_sql(flt, languages)
    total = count_signs(db, flt) if progress else 0
    cursor = db.execute(sql, params)
    done = 0
    while True:
        batch = cursor.fetchmany(BATCH)
        if not batch:
            break
        yield from batch
        done += len(batch)
        if progress:
            progress(done, total)


def iter_signs(db: Database, flt: ExportFilter, *, progress: Progress | None = None,
               languages: Sequence[str] | None = None) -> Iterator[SignRecord]:
    """Every sign the filter matches, in county, site and code order, with approved wording.

    Incomplete signs are yielded too (``record.missing`` says which languages
    lack approved wording) so callers can list them; exporters write only
    ``record.complete`` ones. The approval-date filter applies to complete
    signs only: a summary of what is missing stays whole. Rows stream in
    batches, so 100,000 signs take constant memory.
    """
    languages = list(languages) if languages is not None else languages_in(db, flt)
    for row in iter_rows(db, flt, languages, progress=progress):
        record = record_from_row(row, languages)
        if record.complete and not _in_dates(record, flt):
            continue
        yield record


def nothing_message(db: Database, flt: ExportFilter) -> Message:
    """Why an export is empty, in words a user can act on."""
    matched = count_signs(db, flt)
    if not matched:
        if flt.to_dict():
            return msg("No signs match this filter (%(filter)s); nothing to export.",
                       filter=flt.describe())
        return msg("No signs match this filter; nothing to export.")
    return nmsg("No approved signs to export: %(n)s matching sign is still waiting for "
                "approved wording in at least one required language.",
                "No approved signs to export: %(n)s matching signs are still waiting for "
                "approved wording in at least one required language.", matched)


def photo_names(record: SignRecord) -> list[str]:
    """The names the sign's photos carry in an export (``photos/<code>-<n>.jpg``)."""
    return photo_file_names(record.sign_code, record.photos)


def photo_file_names(sign_code: str, stored: Sequence[str]) -> list[str]:
    """Export names for a sign's stored photo files, numbered in upload order."""
    code = re.sub(r"[^A-Za-z0-9._-]", "_", sign_code)
    names = []
    for number, path in enumerate(stored, start=1):
        suffix = re.sub(r"[^A-Za-z0-9]", "", path.rsplit(".", 1)[-1]).lower() \
            if "." in path else ""
        names.append(f"photos/{code}-{number}.{suffix or 'jpg'}")
    return names


def bilingual(label: MessageLike) -> str:
    """A label as the sheets and proofs write it, Chinese then English: ``英语 English``.

    Sign makers read the Chinese, the office and foreign partners the English; the
    files are the same whoever downloads them.
    """
    chinese, english = render(label, translator_for("zh")), render(label)
    return chinese if chinese == english else f"{chinese} {english}"


def chinese_labels(vocabulary: Vocabulary) -> dict[str, str]:
    """Code → Chinese label, for cells filled row by row (fast lookups)."""
    chinese = translator_for("zh")
    return {term.code: term.message.render(chinese) for term in vocabulary}


def language_label(lang: str) -> str:
    """A bilingual column label for a language, e.g. ``英语 English``."""
    return bilingual(LANGUAGES.label(lang))


def ordered(languages: Sequence[str]) -> list[str]:
    """Languages in the standard's order."""
    known = [lang for lang in LANGUAGE_ORDER if lang in languages]
    return known + sorted(set(languages) - set(LANGUAGE_ORDER))
