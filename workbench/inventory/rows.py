"""The row phase of an inventory import: every row checked, every problem collected.

:class:`RowChecker` turns each data row into a :class:`PlannedRow` (clean values,
the county, the site) or into problems that name the row, the column *as the
file named it*, the value, and — for closed lists — the values allowed. It also
collects the sites the file describes and notices contradictions between rows
(the same site with two sectors, the same sign twice, a code used twice).

100,000 rows must be checked in about a second, so cells are taken with one
``itemgetter`` and repeated values (county, site, vocabulary words, language
lists) are looked up once per distinct spelling.
"""
from __future__ import annotations

import datetime as dt
import operator
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from sqlite_utils import Database

from workbench import auth
from workbench.errors import Problem
from workbench.inventory import records
from workbench.inventory.columns import HeaderMap
from workbench.messages import Message, msg
from workbench.vocabulary import LANGUAGES, SECTORS, Vocabulary

TEXT_COLUMNS = tuple((lang, f"{lang}_current") for lang in records.LANGUAGES)
COORDINATES = (("latitude", -90, 90), ("longitude", -180, 180))


def cell_text(value: Any) -> str:
    """A cell as trimmed text: Excel numbers without '.0', dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def nfkc(text: str) -> str:
    """Full-width to half-width (ＨＫ－００１ → HK-001), trimmed; ASCII untouched."""
    return unicodedata.normalize("NFKC", text).strip() if not text.isascii() else text.strip()


def allowed_values(vocabulary: Vocabulary) -> list[Message]:
    """A closed list as its labels, rendered in the reader's language (交通, 旅游文化 …);
    the importer accepts them in Chinese or English, and the codes."""
    return [term.message for term in vocabulary]


def county_lookup(db: Database) -> dict[str, dict[str, Any]]:
    """Every way a county may be written (海口市, 海口, Haikou, haikou) → its row."""
    lookup: dict[str, dict[str, Any]] = {}
    for county in db.query("SELECT * FROM counties"):
        names = {county["name_zh"], county["name_en"].lower(), county["code"].lower()}
        for suffix in ("市", "县"):
            if county["name_zh"].endswith(suffix):
                names.add(county["name_zh"][:-1])
        for name in names:
            lookup[name] = county
    return lookup


@dataclass(slots=True)
class PlannedRow:
    """A valid row: what the sign will be, and where."""

    row: int
    county_id: int
    site: str
    sign: dict[str, Any]
    texts: dict[str, str]
    code: str | None
    photo: str | None
    existing: dict[str, Any] | None = None


@dataclass
class SiteRequest:
    """A site as the file describes it (first row that names it wins; conflicts are problems)."""

    row: int
    sector: str
    address: str
    latitude: float | None
    longitude: float | None


@dataclass
class CheckedRows:
    """The outcome of the row phase."""

    rows: int = 0
    planned: list[PlannedRow] = field(default_factory=list)
    sites: dict[tuple[int, str], SiteRequest] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    counties: set[int] = field(default_factory=set)


class RowChecker:
    """Checks data rows one by one against the header, the counties and the vocabularies."""

    def __init__(self, db: Database, actor: auth.User, header: HeaderMap,
                 default_county: dict[str, Any] | None, photo_names: set[str] | None,
                 convert_cells: bool) -> None:
        self.header = header
        self.default_county = default_county
        self.scope = auth.county_scope(actor)
        self.lookup = county_lookup(db)
        self.photo_names = photo_names
        self.result = CheckedRows()
        keys = header.keys
        self._keys = keys
        self._width = max(header.positions.values()) + 1
        self._getter = operator.itemgetter(*[header.positions[key] for key in keys])
        self._convert = cell_text if convert_cells else str.strip
        self._text_columns = [(lang, column) for lang, column in TEXT_COLUMNS
                              if column in header.positions]
        self._counties: dict[str, dict[str, Any] | None] = {}
        self._names: dict[str, str] = {}
        self._choices: dict[tuple[str, str], str | None] = {}
        self._languages: dict[str, tuple[str, list[str]]] = {}
        self._codes: dict[str, int] = {}
        self._keys_seen: dict[tuple[int, str, str, str], int] = {}
        self._strings: dict[str, str] = {}

    # --- the hot loop ---------------------------------------------------------------------

    def check(self, number: int, cells: list[Any]) -> None:
        """Check one data row; a valid row becomes a plan, others add problems."""
        if len(cells) < self._width:
            cells = list(cells) + [""] * (self._width - len(cells))
        picked = self._getter(cells)
        if len(self._keys) == 1:
            picked = (picked,)
        values = dict(zip(self._keys, map(self._convert, picked), strict=True))
        if not any(values.values()):
            return
        self.result.rows += 1
        problems: list[Problem] = []
        county = self._county(values.get("county", ""), number, problems)
        site = self._site(values.get("site", ""), number, problems)
        sector = self._choice("sector", values, records.SECTOR_ALIASES, records.SECTORS,
                              number, problems)
        function = self._choice("function", values, records.FUNCTION_ALIASES,
                                records.FUNCTIONS, number, problems)
        action = self._choice("action", values, records.ACTION_ALIASES, records.ACTIONS,
                              number, problems)
        zh = self._chinese(self._shared(values.get("zh", "")), number, problems)
        languages = self._required_languages(values.get("languages", ""), number, problems)
        quantity = self._quantity(values.get("quantity", ""), number, problems)
        latitude, longitude = self._coordinates(values, number, problems)
        texts = self._texts(values, number, problems)
        code = self._code(values.get("sign_code", ""), number, problems)
        photo = self._photo(values.get("photo", ""), number, problems)
        location = values.get("location", "")
        if county is not None and site and sector:
            self._site_request(county["id"], site, sector, values, (latitude, longitude),
                               number, problems)
            if zh and not code:
                self._same_sign(county["id"], site, location, zh, number, problems)
        if problems:
            self.result.problems.extend(problems)
            return
        self.result.counties.add(county["id"])  # type: ignore[index]
        self.result.planned.append(PlannedRow(
            number, county["id"], site,  # type: ignore[index]
            {"location": location, "function": function, "zh": zh, "languages": languages,
             "quantity": quantity, "size": self._shared(values.get("size", "")),
             "material": self._shared(values.get("material", "")), "action": action,
             "latitude": latitude, "longitude": longitude},
            texts, code, photo))

    # --- one column each --------------------------------------------------------------------

    def _problem(self, problems: list[Problem], number: int, key: str, reason: Message,
                 value: Any = None) -> None:
        problems.append(Problem(reason, row=number, column=self.header.label(key), value=value))

    def _shared(self, text: str) -> str:
        """One object per distinct text: a survey repeats its wordings thousands of times."""
        return self._strings.setdefault(text, text)

    def _county(self, name: str, number: int,
                problems: list[Problem]) -> dict[str, Any] | None:
        if not name:
            if self.default_county is None:
                self._problem(problems, number, "county", msg("The county is required."))
            return self.default_county
        if name not in self._counties:
            self._counties[name] = self.lookup.get(nfkc(name).lower())
        county = self._counties[name]
        if county is None:
            self._problem(problems, number, "county", msg(
                "Unknown county; use one of: %(allowed)s.", allowed=self._county_names()), name)
        elif self.scope is not None and county["id"] != self.scope:
            self._problem(problems, number, "county",
                          msg("You may only import signs of your own county."), name)
        elif self.default_county is not None and county["id"] != self.default_county["id"]:
            self._problem(problems, number, "county", msg(
                "This import is for %(county)s only.", county=self.default_county["name_zh"]),
                name)
        else:
            return county
        return None

    def _county_names(self) -> str:
        if self.default_county is not None:
            name: str = self.default_county["name_zh"]
            return name
        names = dict.fromkeys(row["name_zh"] for row in self.lookup.values()
                              if self.scope is None or row["id"] == self.scope)
        return ", ".join(names)

    def _site(self, name: str, number: int, problems: list[Problem]) -> str:
        if name and not name.isascii():
            if name not in self._names:
                self._names[name] = nfkc(name)
            name = self._names[name]
        if not name:
            self._problem(problems, number, "site", msg("The site name is required."))
        return name

    def _choice(self, key: str, values: dict[str, str], aliases: dict[str, str],
                table: Vocabulary, number: int,
                problems: list[Problem]) -> str | None:
        raw = values.get(key, "")
        cache_key = (key, raw)
        if cache_key not in self._choices:
            self._choices[cache_key] = records.parse_choice(raw, aliases) if raw else None
        found = self._choices[cache_key]
        if found:
            return found
        if raw:
            self._problem(problems, number, key, msg("Unknown value; use one of: %(allowed)s.",
                                                     allowed=allowed_values(table)), raw)
        else:
            self._problem(problems, number, key, msg(
                "This column is required; use one of: %(allowed)s.",
                allowed=allowed_values(table)))
        return None

    def _chinese(self, zh: str, number: int, problems: list[Problem]) -> str:
        if not zh:
            self._problem(problems, number, "zh", msg("The Chinese text is required."))
        elif len(zh) > records.MAX_TEXT_LENGTH:
            self._problem(problems, number, "zh", msg(
                "The text is longer than %(limit)s characters.", limit=records.MAX_TEXT_LENGTH))
        elif not records.HAN_RE.search(zh):
            self._problem(problems, number, "zh",
                          msg("The Chinese text has no Chinese characters."), zh)
        return zh

    def _required_languages(self, raw: str, number: int, problems: list[Problem]) -> str:
        if raw not in self._languages:
            codes, unknown = records.parse_languages(raw)
            self._languages[raw] = (records.languages_text(codes), unknown)
        languages, unknown = self._languages[raw]
        if unknown:
            self._problem(problems, number, "languages", msg(
                "Unknown language; use one of: %(allowed)s.",
                allowed=[LANGUAGES.label(code) for code in records.LANGUAGES]), ", ".join(unknown))
        return languages

    def _quantity(self, raw: str, number: int, problems: list[Problem]) -> int:
        if not raw:
            return 1
        try:
            value = float(raw) if raw.isdigit() else float(nfkc(raw).replace(",", ""))
            if value.is_integer() and value >= 1:
                return int(value)
        except ValueError:
            pass
        self._problem(problems, number, "quantity",
                      msg("The quantity must be a whole number of at least 1."), raw)
        return 1

    def _coordinates(self, values: dict[str, str], number: int,
                     problems: list[Problem]) -> tuple[float | None, float | None]:
        found: list[float | None] = []
        for key, low, high in COORDINATES:
            raw = values.get(key, "")
            if not raw:
                found.append(None)
                continue
            try:
                value = float(raw) if raw.isascii() else float(nfkc(raw).rstrip("°"))
                if low <= value <= high:
                    found.append(value)
                    continue
            except ValueError:
                pass
            self._problem(problems, number, key, msg(
                "Give a decimal number between %(low)s and %(high)s.", low=low, high=high), raw)
            found.append(None)
        if (values.get("latitude", "") == "") != (values.get("longitude", "") == ""):
            self._problem(problems, number, "latitude",
                          msg("Give both latitude and longitude, or neither."))
        return found[0], found[1]

    def _texts(self, values: dict[str, str], number: int,
               problems: list[Problem]) -> dict[str, str]:
        texts = {}
        for lang, key in self._text_columns:
            text = values.get(key, "")
            if not text:
                continue
            if len(text) > records.MAX_TEXT_LENGTH:
                self._problem(problems, number, key, msg(
                    "The text is longer than %(limit)s characters.",
                    limit=records.MAX_TEXT_LENGTH))
            texts[lang] = self._shared(text)
        return texts

    def _code(self, raw: str, number: int, problems: list[Problem]) -> str | None:
        if not raw:
            return None
        code = nfkc(raw).upper()
        if not records.SIGN_CODE_RE.match(code):
            self._problem(problems, number, "sign_code", msg(
                "A sign code has letters, digits, - _ . / only (at most 40)."), code)
        elif code in self._codes:
            self._problem(problems, number, "sign_code", msg(
                "The same sign code is on row %(other)s.", other=self._codes[code]), code)
        else:
            self._codes[code] = number
            return code
        return None

    def _photo(self, name: str, number: int, problems: list[Problem]) -> str | None:
        if not name:
            return None
        if self.photo_names is None:
            self._problem(problems, number, "photo",
                          msg("A photo is named but no ZIP of photos was given."), name)
        elif photo_key(name) not in self.photo_names and \
                name.lower() not in self.photo_names:
            self._problem(problems, number, "photo",
                          msg("This file is not in the ZIP of photos."), name)
        return name

    def _site_request(self, county_id: int, site: str, sector: str, values: dict[str, str],
                      coordinates: tuple[float | None, float | None], number: int,
                      problems: list[Problem]) -> None:
        key = (county_id, site)
        known = self.result.sites.get(key)
        if known is None:
            self.result.sites[key] = SiteRequest(number, sector, values.get("address", ""),
                                                 *coordinates)
        elif known.sector != sector:
            self._problem(problems, number, "sector", msg(
                "Row %(other)s gives this site the sector %(sector)s.", other=known.row,
                sector=SECTORS.label(known.sector)), values.get("sector", ""))
        elif known.latitude is None and coordinates[0] is not None:
            known.latitude, known.longitude = coordinates

    def _same_sign(self, county_id: int, site: str, location: str, zh: str, number: int,
                   problems: list[Problem]) -> None:
        key = (county_id, site, location, zh)
        if key in self._keys_seen:
            self._problem(problems, number, "zh", msg(
                "Row %(other)s has the same site, location and Chinese text; give the number "
                "of signs in the column %(quantity)s instead.", other=self._keys_seen[key],
                quantity=self.header.label("quantity")), zh)
        else:
            self._keys_seen[key] = number


def photo_key(name: str) -> str:
    """How a photo named in the sheet is found in the ZIP: its file name, lower case."""
    return PurePosixPath(name.replace("\\", "/")).name.lower()
