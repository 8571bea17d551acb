"""Organization names (DB46/T 506.9, GB/T 30240.1/.7): established names, else composition.

A name the body uses itself (the glossary's organizations) wins. Otherwise the
name is parsed into places (海南省, 三亚市吉阳区), bodies (人民政府, 财政厅,
人民代表大会 + 常务委员会, 人民法院, 医院 …) and relations (附属, 分院), and
composed the way the standards write them:

- government bodies follow ``ORG_NAME_STYLE``: ``of`` (the default, DB46/T 506.9
  and the Hainan government's usage: Department of Finance of Hainan Province,
  People's Government of Jinan Municipality) or ``adjectival`` (Hainan Provincial
  Department of Finance, Jinan Municipal People's Government);
- people's congresses and Party committees: Sanya Municipal People's Congress,
  Standing Committee of the …, CPC Hainan Provincial Committee;
- courts, hospitals and schools: Sanya Jiyang District People's Court, Haikou Third
  People's Hospital, Haikou No. 1 Middle School;
- bodies inside bodies: Foreign Affairs Office of the People's Government of Beijing
  Municipality; affiliation: Zhongshan Hospital Affiliated to Fudan University, First
  Affiliated Hospital of …; branches: Hainan Dental Hospital, Yuhe Branch.

No word is repeated, and a part the tables know is never left in pinyin.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workbench.glossary.match import Entry, Glossary
from workbench.mt.base import TermUse
from workbench.mt.rules import casing, pinyin
from workbench.mt.rules.lexicon import (
    CHINESE_NUMERAL,
    CJK,
    SCORE_COMPOSED,
    SCORE_GLOSSARY,
    Lexicon,
    Rendering,
    chinese_number,
    ordinal_word,
    term,
)
from workbench.mt.rules.names import join_words
from workbench.mt.rules.tables import OrgBody, OrgLevel, Tables, load_tables

ORG_STYLES = ("of", "adjectival")
_PARTY = re.compile(r"^(?:中共|中国共产党|中国人民政治协商会议|政协)")
# Committees named after their place (DB46/T 506.9): the Party's, and the CPPCC's.
_COMMITTEES = {
    "中共": "CPC {place} Committee", "中国共产党": "CPC {place} Committee",
    "中国人民政治协商会议": "{place} Committee of the Chinese People's Political Consultative "
                  "Conference",
    "政协": "{place} Committee of the CPPCC",
}
_ORDINAL_PREFIX = re.compile(rf"^第({CHINESE_NUMERAL})")
_BRANCHES = {"分院": "Branch", "分局": "Branch", "分校": "Branch", "分行": "Branch",
             "支行": "Sub-branch", "分中心": "Branch", "分所": "Branch", "分部": "Branch",
             "院区": "Campus", "校区": "Campus"}
_CONNECTORS = "和与及、"
# Kinds whose names follow ORG_NAME_STYLE; the others are named the same in both styles.
GOVERNED_KINDS = frozenset({"government", "department"})
_NESTING_KINDS = frozenset({"government", "congress", "department", "part", "party"})
_LEVEL_NOUNS = ("Province", "Municipality", "County", "District", "Town", "Township",
                "Village", "Subdistrict", "Autonomous Region", "Autonomous Prefecture")


@dataclass
class Place:
    """A place in an organization name: its English name and administrative level."""

    name: str
    level: OrgLevel | None = None
    terms: list[TermUse] = field(default_factory=list)
    national: bool = False
    guessed: bool = False  # its name is a pinyin guess, not a known place


@dataclass
class Unit:
    """One body of an organization name, without its place (Department of Finance).

    ``named``: the body has a name of its own (中南医院 Zhongnan Hospital), ``numbered``:
    an ordinal (第三人民医院), ``head``/``field``: the Chinese head and field.
    """

    text: str
    kind: str
    terms: list[TermUse] = field(default_factory=list)
    named: bool = False
    numbered: bool = False
    head: str = ""
    field: str = ""
    guessed: bool = False  # its own name is a pinyin guess, not a known name


def _head_of(tables: Tables, zh: str) -> tuple[str, OrgBody] | None:
    """The longest organization head that ``zh`` ends with (人民法院 in 吉阳区人民法院)."""
    return _cached_head_of(zh) if tables is load_tables() else _find_head(tables, zh)


@functools.lru_cache(maxsize=50_000)
def _cached_head_of(zh: str) -> tuple[str, OrgBody] | None:
    return _find_head(load_tables(), zh)


def _find_head(tables: Tables, zh: str) -> tuple[str, OrgBody] | None:
    for length in range(min(len(zh), 12), 0, -1):
        body = _body(tables, zh[-length:])
        if body is not None:
            return zh[-length:], body
    return None


def _body(tables: Tables, zh: str) -> OrgBody | None:
    body = tables.org_bodies.get(zh)
    if body is not None:
        return body
    generic = tables.generics.get(zh)
    if generic is not None and generic.kind == "org":
        return OrgBody(generic.en, "institution")
    return None


def _of_shaped(rendering: str) -> bool:
    return " of " in rendering and rendering.endswith(_LEVEL_NOUNS)


def styled_rendering(entry: Entry, tables: Tables, style: str) -> str | None:
    """The established name written in the project's style, when the glossary lists both.

    海南省财政厅 is both "Department of Finance of Hainan Province" and "Hainan
    Provincial Department of Finance"; a people's congress or a hospital has one
    established form whatever the style.
    """
    head = _head_of(tables, entry.source_text)
    if head is None or head[1].kind not in GOVERNED_KINDS or len(entry.acceptable) < 2:
        return None
    for rendering in entry.acceptable:
        if _of_shaped(rendering) == (style == "of"):
            return rendering
    return None


class OrgRules:
    """Mixin of the rule composer: names of organizations."""

    tables: Tables
    glossary: Glossary
    lexicon: Lexicon
    target: str
    org_style: str
    sign_register: bool = True  # drafting a sign, not prose (RuleComposer sets it)

    if TYPE_CHECKING:  # provided by the other mixins of the composer
        def name(self, text: str) -> Rendering | None: ...
        def specific(self, prefix: str) -> Rendering | None: ...
        def pinyin_word(self, chinese: str) -> str: ...

    def established(self, entry: Entry) -> Rendering:
        """A glossary entry's rendering, in the project's organization style where it has two.

        The entry keeps its own writing, except that wording written for running text
        (a policy term, a rendering in lower case) is cased as a sign when it is used
        on one: "free trade port" → "Free Trade Port". Names are never re-cased.
        """
        text = styled_rendering(entry, self.tables, self.org_style) or entry.target or ""
        if self.sign_register:
            text = casing.for_sign(text, entry.domain, entry.function, self.target)
        return Rendering(text, SCORE_GLOSSARY, [term(entry, text)], verbatim=True,
                         proper=(text,) if entry.function == "name" else ())

    def organization(self, text: str) -> Rendering | None:
        """The name of an organization composed from its parts, or None."""
        if self.target != "en" or len(text) < 3 or not CJK.search(text):
            return None
        party = _PARTY.match(text)
        if party:
            return self._party(text[party.end():], _COMMITTEES[party.group()])
        if "附属" not in text and not text.endswith(tuple(_BRANCHES)) \
                and _head_of(self.tables, text) is None:
            return None  # not the name of a body: no parsing needed
        return self._affiliated(text) or self._branch(text) or self._placed(text)

    def _known_or_composed(self, zh: str) -> Rendering | None:
        entry = self.glossary.lookup(zh)
        if entry is not None and entry.target:
            return self.established(entry)
        return self.organization(zh) or self.name(zh)

    # --- places --------------------------------------------------------------------------
    def _place_chains(self, text: str, start: int = 0) -> list[tuple[list[Place], int]]:
        """Every way ``text`` may start with places (longest first), ending with no place."""
        chains: list[tuple[list[Place], int]] = []
        for place, end in self._places_at(text, start):
            if end < len(text):
                for rest, rest_end in self._place_chains(text, end):
                    chains.append(([place, *rest], rest_end))
        chains.append(([], start))
        return chains

    def _places_at(self, text: str, i: int) -> list[tuple[Place, int]]:
        found: list[tuple[Place, int]] = []
        if i == 0:
            for zh, (word, national) in self.tables.org_regions.items():
                if text.startswith(zh) and len(text) > len(zh) + 1:
                    found.append((Place(word, national=national), len(zh)))
        for j in range(min(len(text), i + 12), i + 1, -1):
            place = self._known_place(text[i:j])
            if place is not None:
                found.append((place, j))
        levels = self.tables.org_levels_longest_first
        for size in (2, 3):
            name = text[i:i + size]
            if len(name) < size or not all(CJK.match(c) for c in name) or "和" in name:
                continue
            for level_zh in levels:
                if text.startswith(level_zh, i + size):
                    known = self._known_place(name)
                    place = Place(known.name if known else self.pinyin_word(name),
                                  self.tables.org_levels[level_zh], known.terms if known else [],
                                  guessed=known is None)
                    found.append((place, i + size + len(level_zh)))
                    break
        # A place the dictionary knows without a level, leading the name (上海 in 上海梅山
        # 医院); one with a level inside (上海市浦东新区) is read part by part above.
        leading = pinyin.leading_place(text) if i == 0 else ""
        if leading and len(leading) <= 3 and not any(end == i + len(leading) for _p, end in found) \
                and not any(c in leading for c in "省市县区镇乡村"):
            found.append((Place(self.pinyin_word(leading), guessed=True), i + len(leading)))
        found.sort(key=lambda item: -item[1])
        return found

    def _known_place(self, zh: str) -> Place | None:
        lex = self.lexicon.items.get(zh)
        if lex is None or lex.entry is None or not lex.is_name \
                or lex.entry.domain != "place_names" or _head_of(self.tables, zh):
            return None
        level = None
        for level_zh in self.tables.org_levels_longest_first:
            if zh.endswith(level_zh) and len(zh) > len(level_zh):
                level = self.tables.org_levels[level_zh]
                break
        name = lex.bare or lex.en
        for noun in _LEVEL_NOUNS + ("City", "Li Autonomous County",
                                    "Li and Miao Autonomous County", "Autonomous County"):
            if level is not None and name.endswith(" " + noun):
                name = name[:-len(noun) - 1]
                break
        return Place(name, level, [term(lex.entry, name)])

    # --- bodies --------------------------------------------------------------------------
    def _units(self, text: str) -> list[Unit] | None:
        """``text`` as a sequence of bodies, each ending with a known head, or None.

        Of the readings, the one that guesses fewest names in pinyin wins, then the one
        with fewest bodies: 海南大学法学院 is Hainan University + Law School, not a
        school named "Daxuefa".
        """
        parses = self._unit_parses(text, {})
        if not parses:
            return None
        return min(parses, key=lambda units: (sum(u.guessed for u in units), len(units)))

    def _unit_parses(self, text: str, memo: dict[str, list[list[Unit]]]) -> list[list[Unit]]:
        if text in memo:
            return memo[text]
        parses: list[list[Unit]] = []
        for end in range(len(text), 0, -1):
            units = self._units_ending(text[:end])
            if not units:
                continue
            rests = [[]] if end == len(text) else self._unit_parses(text[end:], memo)
            parses.extend([unit, *rest] for unit in units for rest in rests)
        memo[text] = parses[:64]  # a name has few readings; this bounds pathological input
        return memo[text]

    def _units_ending(self, zh: str) -> list[Unit]:
        """The readings of ``zh`` as one body (glossary first, then head + field)."""
        units: list[Unit] = []
        lex = self.lexicon.items.get(zh)
        head = _head_of(self.tables, zh)
        if head is None:
            return units
        head_zh, body = head
        if lex is not None and lex.entry is not None and not self._is_place_name(zh) \
                and " X " not in f" {lex.en} ":  # a template term (People's Government of X …)
            rendering = self.established(lex.entry)
            field_zh = zh[:-len(head_zh)]
            units.append(Unit(rendering.text, body.kind, rendering.terms, head=head_zh,
                              field=field_zh if field_zh in self.tables.org_functions else ""))
        composed = self._field_and_head(zh[:-len(head_zh)], body)
        if composed is not None:
            composed.head = head_zh
            units.append(composed)
        return units

    def _is_place_name(self, zh: str) -> bool:
        return self._known_place(zh) is not None and self._known_place(zh).level is not None  # type: ignore[union-attr]

    def _field_and_head(self, prefix: str, body: OrgBody) -> Unit | None:
        if not prefix:
            return Unit(_without_field(body.en), body.kind)
        ordinal = _ORDINAL_PREFIX.match(prefix)
        if ordinal:
            # Schools and courts are numbered (Haikou No. 1 Middle School, Hainan No. 1
            # Intermediate People's Court), hospitals counted (Haikou Third People's Hospital).
            number = chinese_number(ordinal.group(1))
            rest = self._field_and_head(prefix[ordinal.end():], body)
            if number is None or rest is None:
                return None
            numeral = f"No. {number}" if body.kind in ("school", "court") else \
                ordinal_word(number)
            return Unit(f"{numeral} {rest.text}", body.kind, rest.terms, numbered=True)
        school = self._school_field(prefix, body)
        if school is not None:
            return Unit(school, body.kind, field=prefix)
        field_en = self._field(prefix)
        if field_en is not None:
            return Unit(_with_field(body.en, field_en), body.kind, field=prefix)
        if body.kind not in ("institution", "school", "court"):
            return None
        return self._specific_unit(prefix, body)

    def _specific_unit(self, prefix: str, body: OrgBody) -> Unit | None:
        # An institution's own name (梅山医院 Meishan Hospital), maybe with a field
        # (玉河口腔医院 Yuhe Dental Hospital). A name ending with a body of its own
        # (浙江大学 in 浙江大学医学院) is that body, read as such by _units.
        if _head_of(self.tables, prefix) is not None:
            return None
        for split in range(2, len(prefix)):  # the longest field first (财经政法, not 法)
            school = self._school_field(prefix[split:], body)
            field_en = self._field(prefix[split:])
            if (school or field_en) and _head_of(self.tables, prefix[:split]) is None:
                specific = self.specific(prefix[:split])
                if specific is not None:
                    headed = school or _with_field(body.en, field_en or "")
                    return Unit(join_words([specific.text, headed]),
                                body.kind, specific.terms, named=True,
                                guessed=not specific.terms)
        if len(prefix) > 4 or not all(CJK.match(c) for c in prefix):
            return None
        specific = self.specific(prefix)
        if specific is None:
            return None
        return Unit(join_words([specific.text, _without_field(body.en)]), body.kind,
                    specific.terms, named=True, guessed=not specific.terms)

    def _school_field(self, zh: str, body: OrgBody) -> str | None:
        """A university's or college's field as its registered names write it.

        师范大学 Normal University, 科技大学 University of Science and Technology
        (``school_fields.tsv``); None for other bodies and fields.
        """
        found = self.tables.school_fields.get(zh)
        if found is None or body.kind != "school" or "{f}" not in body.en:
            return None
        field_en, form = found
        head = _without_field(body.en)
        return f"{head} of {field_en}" if form == "of" else f"{field_en} {head}"

    def _field(self, zh: str) -> str | None:
        """The English of a body's field: one known field or several joined (A, B and C)."""
        functions = self.tables.org_functions
        if zh in functions:
            return functions[zh]
        parts = _split_fields(zh, functions)
        if parts is None or len(parts) < 2:
            return None
        words = [functions[p] for p in parts]
        return ", ".join(words[:-1]) + " and " + words[-1]

    # --- composing -----------------------------------------------------------------------
    def _placed(self, text: str) -> Rendering | None:
        # Of the readings, the one that guesses fewest names in pinyin wins (海南省农业农村厅
        # is a department of agriculture and rural affairs, not one of a village
        # "Nongyenong"); among equals the one with the longest places first.
        best: tuple[int, list[Place], list[Unit]] | None = None
        for places, start in self._place_chains(text):
            units = self._units(text[start:])
            if units is None:
                continue
            guesses = sum(p.guessed for p in places) + sum(u.guessed for u in units)
            if best is None or guesses < best[0]:
                best = (guesses, places, units)
            if guesses == 0:
                break
        return self._render(best[1], best[2]) if best is not None else None

    def _render(self, places: list[Place], units: list[Unit]) -> Rendering:
        first = units[0]
        text = self._with_place(places, first)
        for unit in units[1:]:
            if first.kind in _NESTING_KINDS:
                text = f"{unit.text} of the {text}"
            elif unit.named:
                text = f"{unit.text} of {text}"  # 武汉大学中南医院 Zhongnan Hospital of …
            elif first.kind == "school" and unit.head == "学院" and unit.field:
                # 浙江大学医学院 → Zhejiang University School of Medicine
                noun = self.tables.org_field_nouns.get(unit.field) or \
                    self.tables.org_functions[unit.field]
                text = f"{text} School of {noun}"
            else:
                text = join_words([text, unit.text])  # 海南大学图书馆 Hainan University Library
        terms = [t for p in places for t in p.terms] + [t for u in units for t in u.terms]
        return Rendering(text, SCORE_COMPOSED, terms)

    def _with_place(self, places: list[Place], unit: Unit) -> str:
        if not places:
            return unit.text
        inner, outer = places[-1], places[:-1]
        if unit.kind in GOVERNED_KINDS and self.org_style == "of" and not places[0].national:
            where = join_words([inner.name, inner.level.noun]) if inner.level else inner.name
            if outer:
                where += ", " + ", ".join(p.name for p in reversed(outer))
            return f"{unit.text} of {where}"
        words = [p.name for p in places]
        if inner.level is not None and not unit.numbered:
            # A numbered body leaves the level out (Haikou Third People's Hospital).
            political = unit.kind in _NESTING_KINDS
            words.append(inner.level.adjective if political else inner.level.institution)
        return join_words([w for w in words if w] + [unit.text])

    def _party(self, rest: str, template: str) -> Rendering | None:
        """中共海南省委员会 → CPC Hainan Provincial Committee; bodies of it nested after it.

        The same for the CPPCC: 中国人民政治协商会议海南省委员会 → Hainan Provincial
        Committee of the Chinese People's Political Consultative Conference.
        """
        for places, start in self._place_chains(rest):
            if not places or places[0].national:
                continue
            tail = rest[start:]
            for committee in ("委员会", "委"):
                if not tail.startswith(committee):
                    continue
                inner = places[-1]
                words = [p.name for p in places]
                if inner.level is not None:
                    words.append(inner.level.adjective)
                text = template.format(place=join_words(words))
                after = tail[len(committee):]
                units = self._units(after) if after else []
                if units is None:
                    continue
                for unit in units:
                    text = f"{unit.text} of the {text}"
                return Rendering(text, SCORE_COMPOSED, [t for p in places for t in p.terms])
        return None

    def _branch(self, text: str) -> Rendering | None:
        """海南口腔医院玉河分院 → Hainan Dental Hospital, Yuhe Branch (Y, X Branch)."""
        for suffix, word in _BRANCHES.items():
            if not text.endswith(suffix):
                continue
            stem = text[:-len(suffix)]
            for size in (2, 3, 4):
                parent_zh, name_zh = stem[:-size], stem[-size:]
                if len(parent_zh) < 3 or not all(CJK.match(c) for c in name_zh):
                    continue
                parent = self._known_or_composed(parent_zh)
                name = self.specific(name_zh)
                if parent is not None and name is not None and _head_of(self.tables, parent_zh):
                    return Rendering(f"{parent.text}, {name.text} {word}",
                                     min(parent.score, SCORE_COMPOSED), parent.terms + name.terms)
        return None

    def _affiliated(self, text: str) -> Rendering | None:
        """附属: Zhongshan Hospital Affiliated to Fudan University.

        Also First Affiliated Hospital of …
        """
        index = text.find("附属")
        if index < 2 or index + 2 >= len(text):
            return None
        parent_zh, child = text[:index], text[index + 2:]
        number = None
        ordinal = re.search(rf"第({CHINESE_NUMERAL})$", parent_zh)
        if ordinal:  # 海南医科大学第一附属医院
            number = chinese_number(ordinal.group(1))
            parent_zh = parent_zh[:ordinal.start()]
        ordinal = _ORDINAL_PREFIX.match(child)
        if ordinal and number is None:  # 中山大学附属第一医院
            number = chinese_number(ordinal.group(1))
            child = child[ordinal.end():]
        parent = self._known_or_composed(parent_zh)
        if parent is None or _head_of(self.tables, parent_zh) is None:
            return None
        return self._affiliated_child(parent, child, number)

    def _affiliated_child(self, parent: Rendering, child: str,
                          number: int | None) -> Rendering | None:
        body = _body(self.tables, child)
        if body is not None:
            head = body.affiliated or _without_field(body.en)
            if number:
                text = f"{ordinal_word(number)} Affiliated {head} of {parent.text}"
            elif body.kind == "school":
                text = f"{head} Affiliated to {parent.text}"
            else:
                text = f"Affiliated {head} of {parent.text}"
            return Rendering(text, min(parent.score, SCORE_COMPOSED), parent.terms)
        if number:
            return None
        unit = self._known_or_composed(child)
        if unit is None:
            return None
        return Rendering(f"{unit.text} Affiliated to {parent.text}",
                         min(parent.score, unit.score, SCORE_COMPOSED), unit.terms + parent.terms)


def _without_field(template: str) -> str:
    return " ".join(template.replace("of {f}", "").replace("{f}", "").split())


def _with_field(template: str, field_en: str) -> str:
    if "{f}" in template:
        return template.replace("{f}", field_en)
    return f"{field_en} {template}"


def _split_fields(zh: str, functions: dict[str, str]) -> list[str] | None:
    """旅游和文化广电体育 → [旅游, 文化, 广电, 体育] (connectors 和/与/及/、 dropped)."""
    best: list[list[str] | None] = [None] * (len(zh) + 1)
    best[0] = []
    for i in range(len(zh)):
        current = best[i]
        if current is None:
            continue
        if zh[i] in _CONNECTORS and (best[i + 1] is None):
            best[i + 1] = current
        for j in range(len(zh), i, -1):
            if zh[i:j] in functions:
                candidate = [*current, zh[i:j]]
                if best[j] is None or len(candidate) < len(best[j]):  # type: ignore[arg-type]
                    best[j] = candidate
    return best[len(zh)]

