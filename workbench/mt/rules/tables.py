"""The rule engine's readable tables (``*.tsv`` beside this module), loaded once per process.

Every table is tab-separated UTF-8; lines starting with ``#`` are comments.
Editing a table changes the engine's behaviour without touching code.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

TABLE_DIR = Path(__file__).resolve().parent


def read_table(name: str, columns: int) -> list[list[str]]:
    """Rows of a table, each padded to ``columns`` cells (missing cells are empty)."""
    rows = []
    for line in (TABLE_DIR / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        rows.append((cells + [""] * columns)[:columns])
    return rows


@dataclass(frozen=True)
class Pattern:
    """A sign pattern: a regex over the Chinese text and an output template with slots."""

    lang: str
    function: str
    regex: re.Pattern[str]
    template: str
    line: int


@dataclass(frozen=True)
class Verb:
    """An action with its sign forms per language."""

    verb: str
    gerund: str
    ru: str
    ja: str
    ko: str


@dataclass(frozen=True)
class PoliteVerb:
    """An instruction's polite forms in Japanese, Korean and Russian (``verbs_polite.tsv``).

    ``ja``/``ko``/``ru``: please do it; ``ja_not``/``ko_not``: please do not.
    """

    ja: str
    ja_not: str
    ko: str
    ko_not: str
    ru: str


@dataclass(frozen=True)
class Hazard:
    """A hazard: the English signal word and message, and whole signs in ru/ja/ko."""

    signal: str
    message: str
    ja: str = ""
    ko: str = ""
    ru: str = ""


@dataclass(frozen=True)
class Generic:
    """A generic name part: its English, its kind, and its modifier form (admin units)."""

    en: str
    kind: str
    modifier: str
    known_specific_only: bool = False
    reading: str = ""


@dataclass(frozen=True)
class OrgLevel:
    """An administrative level in organization names (DB46/T 506.9).

    ``noun`` follows the place in the "of" style (Department of Finance of Hainan
    *Province*), ``adjective`` precedes the body in the adjectival style (Hainan
    *Provincial* Department of Finance) and in people's congresses and Party
    committees; ``institution`` is written in hospital, court and school names
    (empty: left out, as in Haikou People's Hospital).
    """

    noun: str
    adjective: str
    institution: str


@dataclass(frozen=True)
class OrgBody:
    """The head of an organization name: its English (``{f}`` marks the field), kind, forms.

    ``kind``: government, congress, part (a body inside another: Standing Committee),
    department, court, institution, school. ``affiliated`` is the head's English
    after 附属 (附属中学 → High School Affiliated to …).
    """

    en: str
    kind: str
    affiliated: str = ""


@dataclass(frozen=True)
class Tables:
    """Every rule table, parsed."""

    patterns: tuple[Pattern, ...]
    verbs: dict[str, Verb]
    hazards: dict[str, Hazard]
    generics: dict[str, Generic]
    directions: dict[str, tuple[str, str]]
    abbreviations: dict[str, str]
    function_words: frozenset[str]
    signal_words: frozenset[str]
    units: dict[str, str]
    words: dict[str, str]
    operators: frozenset[str]
    org_levels: dict[str, OrgLevel]
    org_bodies: dict[str, OrgBody]
    org_functions: dict[str, str]
    org_field_nouns: dict[str, str]
    foreign_words: dict[str, dict[str, str]]
    locatives: dict[str, tuple[str, str]]
    possessed: frozenset[str]
    business_ends: dict[str, tuple[str, str]]
    school_fields: dict[str, tuple[str, str]]
    org_regions: dict[str, tuple[str, bool]]
    relatives: dict[str, tuple[str, str]]
    surnames: dict[str, str]
    polite_verbs: dict[str, PoliteVerb]
    memorials: dict[str, str]
    food_words: frozenset[str]

    @functools.cached_property
    def admin_levels(self) -> frozenset[str]:
        """English words of administrative levels (Province, City, District…)."""
        return frozenset(g.en for g in self.generics.values() if g.kind == "admin")

    @functools.cached_property
    def org_levels_longest_first(self) -> tuple[str, ...]:
        """The administrative levels of organization names, longest first (黎族自治县 before 县)."""
        return tuple(sorted(self.org_levels, key=len, reverse=True))

    @functools.cached_property
    def max_generic_length(self) -> int:
        """The longest generic name part, in characters."""
        return max(len(k) for k in self.generics)


# The QA checks' authoritative place-name spellings (polyphonic characters, established
# forms): drafts must spell names the way the checks will accept them.
PLACE_NAMES_FILE = TABLE_DIR.parent.parent / "checks" / "data" / "place_names.tsv"


@functools.cache
def place_name_spellings() -> dict[str, str]:
    """Chinese place name → its standard spelling (first listed), from the checks' table."""
    if not PLACE_NAMES_FILE.exists():
        return {}
    spellings = {}
    for line in PLACE_NAMES_FILE.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if line.startswith("#") or len(cells) < 2 or cells[0] == "zh":
            continue
        spelling = cells[1].split("|")[0].strip()
        if cells[0].strip() and spelling:
            spellings[cells[0].strip()] = spelling
    return spellings


@functools.cache
def load_tables() -> Tables:
    """Parse every table (cached for the life of the process)."""
    patterns = []
    for number, (lang, function, regex, template) in enumerate(read_table("patterns.tsv", 4), 1):
        patterns.append(Pattern(lang, function, re.compile(regex), template, number))
    return Tables(
        patterns=tuple(patterns),
        verbs={zh: Verb(verb, gerund, ru, ja, ko)
               for zh, verb, gerund, ru, ja, ko in read_table("verbs.tsv", 6)},
        hazards={zh: Hazard(signal, message, ja, ko, ru)
                 for zh, signal, message, ja, ko, ru in read_table("hazards.tsv", 6)},
        generics={zh: Generic(en, kind, modifier or en, specific == "known", reading)
                  for zh, en, kind, modifier, specific, reading
                  in read_table("generics.tsv", 6)},
        directions={zh: (word, abbreviation)
                    for zh, word, abbreviation in read_table("directions.tsv", 3)},
        abbreviations={word: abbreviation
                       for word, abbreviation in read_table("abbreviations.tsv", 2)},
        function_words=frozenset(w.lower() for (w,) in read_table("function_words.tsv", 1)),
        signal_words=frozenset(w.upper() for (w,) in read_table("signal_words.tsv", 1)),
        units={zh: symbol for zh, symbol in read_table("units.tsv", 2)},
        words={zh: en for zh, en in read_table("words.tsv", 2)},
        operators=frozenset(zh for (zh,) in read_table("operators.tsv", 1)),
        org_levels={zh: OrgLevel(noun, adjective, "" if institution == "-" else institution)
                    for zh, noun, adjective, institution in read_table("org_levels.tsv", 4)},
        org_bodies={zh: OrgBody(en, kind, affiliated)
                    for zh, en, kind, affiliated in read_table("org_bodies.tsv", 4)},
        org_functions={zh: en for zh, en, _noun in read_table("org_functions.tsv", 3)},
        org_field_nouns={zh: noun for zh, _en, noun in read_table("org_functions.tsv", 3) if noun},
        foreign_words=_foreign_words(),
        locatives={zh: (preposition, article)
                   for zh, preposition, article in read_table("locatives.tsv", 3)},
        possessed=frozenset(zh for (zh,) in read_table("possessed.tsv", 1)),
        business_ends={zh: (en, needs)
                       for zh, en, needs in read_table("business_names.tsv", 3)},
        food_words=frozenset(zh for (zh,) in read_table("food_words.tsv", 1)),
        school_fields={zh: (en, form) for zh, en, form in read_table("school_fields.tsv", 3)},
        org_regions={zh: (en, national == "yes")
                     for zh, en, national in read_table("org_regions.tsv", 3)},
        relatives={zh: (en, position) for zh, en, position in read_table("relatives.tsv", 3)},
        surnames={zh: reading for zh, reading in read_table("surnames.tsv", 2)},
        polite_verbs={zh: PoliteVerb(ja, ja_not, ko, ko_not, ru)
                      for zh, ja, ja_not, ko, ko_not, ru in read_table("verbs_polite.tsv", 6)},
        memorials={zh: template for zh, template in read_table("memorials.tsv", 2)},
    )


def _foreign_words() -> dict[str, dict[str, str]]:
    """Sign vocabulary in Russian, Japanese and Korean (``words_foreign.tsv``) per language."""
    by_lang: dict[str, dict[str, str]] = {"ru": {}, "ja": {}, "ko": {}}
    for zh, ru, ja, ko in read_table("words_foreign.tsv", 4):
        for lang, wording in (("ru", ru), ("ja", ja), ("ko", ko)):
            if wording:
                by_lang[lang][zh] = wording
    return by_lang
