"""Names of roads and places (GB/T 30240.1/.2, GB 17733, DB46/T 506.1, GB/T 16159).

The specific part (专名) is an established name from the glossary or Hanyu Pinyin
written as one word; the generic part (通名) is translated: 南渡江 Nandu River,
龙昆南路 Longkun South Road. Road names follow the project's ``ROAD_NAME_STYLE``
(direction words before or after the generic, or abbreviated: Longkun Rd S);
ring roads and numbered roads take ordinals (三环路 3rd Ring Road, 海府一路 Haifu
1st Road); a one-syllable specific name takes its generic into the pinyin and the
generic is translated as well (淮河 Huaihe River, 新路 Xinlu Road).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from workbench.glossary.match import Glossary
from workbench.mt.base import TermUse
from workbench.mt.rules import pinyin
from workbench.mt.rules.lexicon import (
    CHINESE_NUMERAL,
    CJK,
    SCORE_NAME_KNOWN,
    SCORE_NAME_PINYIN,
    Lexicon,
    Rendering,
    bare_name,
    chinese_number,
    is_name_entry,
    ordinal_number,
    term,
)
from workbench.mt.rules.tables import Generic, Tables, place_name_spellings

ROAD_STYLES = ("direction-before", "direction-after", "abbreviated")
_ORDINAL = re.compile(rf"第({CHINESE_NUMERAL})$")
_RING = re.compile(rf"^(?P<d1>[东西南北])?(?P<n>{CHINESE_NUMERAL}|[内中外])环(?:路|线)?"
                   r"(?:(?P<d2>[东西南北中])(?:路|段))?$")
_RING_WORDS = {"内": "Inner", "中": "Middle", "外": "Outer"}
_NUMBERED = re.compile(r"(?P<n>[一二三四五六七八九十]{1,3})$")
_PINYIN_WORD = re.compile(r"^[A-Z][a-zü']+$")
# A run of characters this long is not one name (pinyin names have 2-4 syllables).
MAX_PINYIN_RUN = 5
# Generics of a structure that belongs to a road (国兴大道辅路 Guoxing Avenue Side Road).
_ATTACHED = frozenset({"辅路", "支路", "高架", "高架路", "高架桥", "隧道", "桥", "大桥", "立交",
                       "立交桥", "人行天桥"})


def join_words(parts: list[str]) -> str:
    """Parts joined by spaces, never repeating words where one part ends as the next begins.

    "Xinglong Overseas Chinese Farm" + "Overseas Chinese Farm" is written once,
    and "People's" + "People's Court" gives "People's Court".
    """
    words: list[str] = []
    for part in parts:
        new = part.split()
        overlap = 0
        for size in range(min(len(words), len(new)), 0, -1):
            if [w.lower() for w in words[-size:]] == [w.lower() for w in new[:size]]:
                overlap = size
                break
        words.extend(new[overlap:])
    return " ".join(words)


class NameRules:
    """Mixin of the rule composer: names of roads, places and institutions."""

    tables: Tables
    glossary: Glossary
    lexicon: Lexicon
    road_style: str
    u_style: str


    if TYPE_CHECKING:  # provided by the other mixins of the composer
        def _segment(self, text: str, allow: Any = None) -> Any: ...

    # --- generic parts -------------------------------------------------------------------
    def generic_suffix(self, text: str) -> tuple[str, str, Generic] | None:
        """The longest generic name part ending ``text``: (zh, English, table row)."""
        tables = self.tables
        for length in range(min(len(text) - 1, tables.max_generic_length), 0, -1):
            zh = text[-length:]
            generic = tables.generics.get(zh)
            if generic is not None:
                entry = self.glossary.lookup(zh)
                # Only the glossary's own generic name part: 立交 is an admitted wording of
                # 立交桥 (Flyover) but a generic of its own (Interchange), and 广场 as
                # everyday vocabulary is a Square but in a name a Plaza (南亚广场).
                if entry is not None and entry.target and entry.source_status == "preferred" \
                        and entry.domain == "place_names":
                    return zh, entry.target, generic
                return zh, generic.en, generic
        return None

    def _direction(self, prefix: str) -> tuple[str, tuple[str, str]] | None:
        for length in (2, 1):
            zh = prefix[-length:]
            if len(prefix) - length >= 2 and zh in self.tables.directions:
                return zh, self.tables.directions[zh]
        return None

    def _abbreviated(self, words: str) -> str:
        if self.road_style != "abbreviated":
            return words
        return " ".join(self.tables.abbreviations.get(w, w) for w in words.split())

    # --- names -------------------------------------------------------------------------------
    def name(self, text: str) -> Rendering | None:
        """Specific part (glossary name or pinyin) + translated generic part, or None."""
        ring = self.ring_road(text)
        if ring is not None:
            return ring
        memorial = self.memorial(text)
        if memorial is not None:
            return memorial
        suffix = self.generic_suffix(text)
        if suffix is None:
            return None
        generic_zh, generic_en, generic = suffix
        prefix = text[:-len(generic_zh)]
        if len(generic_zh) == 1 and prefix[-1:] + generic_zh in self.lexicon.items \
                and prefix[-1:] + generic_zh not in self.tables.generics:
            return None  # 铁路 is a railway, 道路 a road: not a name ending in 路
        terms: list[TermUse] = []
        entry = self.glossary.lookup(generic_zh)
        if entry is not None and entry.target and entry.source_status == "preferred":
            terms.append(term(entry))
        if generic.kind == "road":
            return self._road(prefix, generic_zh, generic_en, generic, terms)
        return self._place(prefix, generic_zh, generic_en, generic, terms)

    def _place(self, prefix: str, generic_zh: str, generic_en: str, generic: Generic,
               terms: list[TermUse]) -> Rendering | None:
        before: list[str] = []
        known_place: Rendering | None = None
        if generic.kind in ("org", "transport", "place"):
            admin = self._admin_suffix(prefix)
            if admin is not None:
                admin_zh, modifier = admin
                # 五指山市 is the city Wuzhishan, not 五指山 (Wuzhi Mountain) + 市.
                whole = self.glossary.lookup(prefix)
                if whole is not None and whole.target and is_name_entry(whole):
                    name = bare_name(whole, self.tables)
                    known_place = Rendering(name, SCORE_NAME_KNOWN, [term(whole, name)])
                prefix = prefix[:-len(admin_zh)]
                if known_place is None or not known_place.text.endswith(" " + modifier):
                    before.append(modifier)
        if len(prefix) == 1 and not known_place and generic.kind in ("nature", "place") \
                and CJK.match(prefix) and (not generic.known_specific_only or (
                    generic.kind == "nature" and prefix not in self.lexicon.items)):
            return self._one_syllable(prefix, generic_zh, generic_en, generic, terms)
        specific = known_place or self.specific(prefix)
        if specific is None:
            return None
        if generic_zh == "站" and not before and self._is_town(prefix):
            # 杭州站, 三亚站: a town's station is its railway station.
            generic_en = "Railway Station"
        elif generic.known_specific_only and not before and specific.score <= SCORE_NAME_PINYIN:
            return None
        return Rendering(join_words([specific.text, *before, generic_en]),
                         min(specific.score, SCORE_NAME_KNOWN), specific.terms + terms)

    def _one_syllable(self, prefix: str, generic_zh: str, generic_en: str, generic: Generic,
                      terms: list[TermUse]) -> Rendering | None:
        # GB/T 30240.1: a one-syllable specific name keeps its generic in the pinyin, and
        # the generic is translated as well (淮河 Huaihe River, 新路 Xinlu Road). An
        # everyday word is no name (环岛 is a roundabout, 铁路 a railway).
        if pinyin.is_common_word(prefix + generic_zh):
            return None
        syllables = pinyin.syllables(prefix)
        syllables += [generic.reading] if generic.reading else pinyin.syllables(generic_zh)
        word = pinyin.write_syllables(syllables, self.u_style)
        return Rendering(f"{word} {self._abbreviated(generic_en)}", SCORE_NAME_PINYIN, terms)

    def _road(self, prefix: str, generic_zh: str, generic_en: str, generic: Generic,
              terms: list[TermUse]) -> Rendering | None:
        if generic_zh in _ATTACHED:
            inner = self.generic_suffix(prefix)
            if inner is not None and inner[2].kind == "road" and inner[0] not in _ATTACHED:
                road = self.name(prefix)
                if road is not None:
                    return Rendering(join_words([road.text, self._abbreviated(generic_en)]),
                                     road.score, road.terms + terms)
        before: list[str] = []
        after: list[str] = []
        direction = self._direction(prefix)
        if direction is not None:
            zh, (word, abbreviation) = direction
            prefix = prefix[:-len(zh)]
            if self.road_style == "direction-after":
                after.append(word)
            elif self.road_style == "abbreviated":
                after.append(abbreviation)
            else:
                before.append(word)
        numbered = _NUMBERED.search(prefix)
        if numbered and numbered.start() >= 2:
            # 海府一路 → Haifu 1st Road, 海甸二东路 → Haidian 2nd East Road
            number = chinese_number(numbered.group("n"))
            if number:
                before.insert(0, ordinal_number(number))
                prefix = prefix[:numbered.start()]
                direction = None if (before[1:] or after) else self._direction(prefix)
                if direction is not None:
                    # 中山北二路 → Zhongshan North 2nd Road
                    zh, (word, abbreviation) = direction
                    prefix = prefix[:-len(zh)]
                    if self.road_style == "direction-before":
                        before.insert(0, word)
                    else:
                        after.append(abbreviation if self.road_style == "abbreviated" else word)
        if not prefix:
            return None
        if len(prefix) == 1 and not before and not after and CJK.match(prefix):
            return self._one_syllable(prefix, generic_zh, generic_en, generic, terms)
        specific = self.road_specific(prefix)
        if specific is None:
            return None
        text = join_words([specific.text, *before, self._abbreviated(generic_en), *after])
        return Rendering(text, min(specific.score, SCORE_NAME_KNOWN), specific.terms + terms)

    def road_specific(self, prefix: str) -> Rendering | None:
        """A road's specific part: always pinyin (GB 17733), or a glossary name spelt as one.

        A road named after a place keeps the place's pinyin even where the place
        has an English name: 西湖隧道 is Xihu Tunnel, not West Lake Tunnel.
        """
        entry = self.glossary.lookup(prefix)
        if entry is not None and entry.target and is_name_entry(entry):
            bare = bare_name(entry, self.tables)
            if _PINYIN_WORD.match(bare):
                return Rendering(bare, SCORE_NAME_KNOWN, [term(entry, bare)])
        if not all(CJK.match(c) or c.isalnum() for c in prefix) or len(prefix) > MAX_PINYIN_RUN:
            return None
        return Rendering(self.pinyin_word(prefix), SCORE_NAME_PINYIN)

    def ring_road(self, text: str) -> Rendering | None:
        """三环路 → 3rd Ring Road; 东二环南路 → East 2nd Ring Road South; 内环 → Inner Ring Road."""
        match = _RING.match(text)
        if match is None:
            return None
        number = match.group("n")
        if number in _RING_WORDS:
            ring = _RING_WORDS[number]
        else:
            value = chinese_number(number)
            if not value:
                return None
            ring = ordinal_number(value)
        words = []
        abbreviated = self.road_style == "abbreviated"
        for group in ("d1", "d2"):
            zh = match.group(group)
            if zh:
                word, abbreviation = self.tables.directions[zh]
                words.append((group, abbreviation if abbreviated else word))
        first = [w for g, w in words if g == "d1"]
        last = [w for g, w in words if g == "d2"]
        return Rendering(" ".join([*first, ring, self._abbreviated("Ring Road"), *last]),
                         SCORE_NAME_KNOWN)

    def memorial(self, text: str) -> Rendering | None:
        """A memorial named after a person: 海瑞墓 → Tomb of Hai Rui (memorials.tsv)."""
        for size in (3, 2, 1):
            template = self.tables.memorials.get(text[-size:])
            if template is None or len(text) <= size:
                continue
            person = self.person_name(text[:-size])
            if person is None:
                return None
            return Rendering(template.format(name=person.text), SCORE_NAME_PINYIN, person.terms)
        return None

    def person_name(self, chinese: str) -> Rendering | None:
        """A person's name: the glossary's (Sun Yat-sen), else surname and given name in pinyin.

        Only a name that starts with a common surname (surnames.tsv) and has one or two
        characters after it; None otherwise.
        """
        entry = self.glossary.lookup(chinese)
        if entry is not None and entry.target and is_name_entry(entry):
            return Rendering(entry.target, SCORE_NAME_KNOWN, [term(entry)])
        for size in (2, 1):
            surname, given = chinese[:size], chinese[size:]
            if surname not in self.tables.surnames or not 1 <= len(given) <= 2 \
                    or not all(CJK.match(c) for c in chinese):
                continue
            reading = self.tables.surnames[surname]
            family = reading.capitalize() if reading else \
                pinyin.write_syllables(pinyin.syllables(surname), self.u_style)
            return Rendering(f"{family} {pinyin.name_pinyin(given, self.u_style)}",
                             SCORE_NAME_PINYIN)
        return None

    def _is_town(self, prefix: str) -> bool:
        """Whether ``prefix`` names a city, county or town (a place with a station of its own)."""
        lex = self.lexicon.items.get(prefix)
        if lex is None or lex.entry is None:
            return pinyin.is_place_word(prefix)
        if lex.entry.domain != "place_names" or not lex.is_name:
            return False
        for level in ("市", "县", "镇"):  # 三亚 is the short name of 三亚市
            whole = self.glossary.lookup(prefix + level)
            if whole is not None and whole.concept_id == lex.entry.concept_id:
                return True
        return prefix.endswith(("市", "县", "镇"))

    def business_name(self, text: str) -> Rendering | None:
        """A shop's or restaurant's name plus the generic it leaves out (蘩楼 Fanlou Restaurant).

        GB/T 30240.1/.9: a name without an English generic gets one added; the
        name itself, its last character included, is one pinyin word. Only short
        names no other rule reads, and never one the dictionary knows as a single
        word (黄鹤楼 is a landmark, 酒楼 a restaurant in general).
        """
        if not 2 <= len(text) <= 4 or not all(CJK.match(c) for c in text):
            return None
        for length in (2, 1):
            stem, end = text[:-length], text[-length:]
            found = self.tables.business_ends.get(end)
            if found is None or not stem:
                continue
            generic_en, needs = found
            if needs == "food" and not stem.endswith(tuple(self.tables.food_words)):
                return None
            if len(pinyin.words_of(text)) < 2 or text in self.lexicon.items:
                return None
            # A generic of its own (酒楼) is translated; a name's last character (楼 in
            # 聚福楼) stays in the pinyin word and the generic is added.
            name = self.pinyin_word(stem if length > 1 else text)
            return Rendering(f"{name} {generic_en}", SCORE_NAME_PINYIN)
        return None

    def _admin_suffix(self, prefix: str) -> tuple[str, str] | None:
        for length in range(min(len(prefix) - 1, 8), 0, -1):
            generic = self.tables.generics.get(prefix[-length:])
            if generic is not None and generic.kind == "admin" and len(prefix) - length >= 2:
                return prefix[-length:], generic.modifier
        return None

    def specific(self, prefix: str) -> Rendering | None:
        """The specific part: established names from the glossary, the rest in pinyin."""
        if not prefix:
            return None
        ordinal = _ORDINAL.search(prefix)
        if ordinal and ordinal.start() > 0:
            # 海口市第一中学 → Haikou No. 1 Middle School
            place = self.specific(prefix[:ordinal.start()])
            number = chinese_number(ordinal.group(1))
            if place is None or number is None:
                return None
            return Rendering(f"{place.text} No. {number}", place.score, place.terms)
        entry = self.glossary.lookup(prefix)
        if entry is not None and entry.target:
            if not is_name_entry(entry):
                # An ordinary word (汽车 in 汽车站) describes; it is not a specific name.
                return None
            text = bare_name(entry, self.tables)
            return Rendering(text, SCORE_NAME_KNOWN, [term(entry, text)])
        if self._is_descriptive(prefix):
            return None
        pieces = self._segment(prefix, allow=lambda zh, lex: lex.is_name or (
            lex.entry is None and zh in self.tables.generics and
            self.tables.generics[zh].kind == "admin"))
        if pieces and any(lex is not None for _zh, lex in pieces):
            terms = [term(lex.entry) for _zh, lex in pieces if lex is not None and lex.entry]
            return Rendering(join_words([(lex.bare or lex.en) if lex else zh
                                         for zh, lex in pieces]), SCORE_NAME_KNOWN, terms)
        return self._names_and_pinyin(prefix)

    def _names_and_pinyin(self, prefix: str) -> Rendering | None:
        # Names found inside the specific part stay as the glossary writes them; a place
        # name leading it is its own word (上海梅山 → Shanghai Meishan); after a name, a
        # word the tables know is translated, never left in pinyin (五指山热带雨林风景区 →
        # Wuzhi Mountain Tropical Rainforest Scenic Area); each remaining run of
        # characters becomes one pinyin word.
        words: list[str] = []
        terms: list[TermUse] = []
        run = ""
        i = 0
        while i < len(prefix):
            found = self._known_at(prefix, i, after_name=bool(terms) and not run)
            if found:
                if run:
                    words.extend(self._pinyin_words(run))
                    run = ""
                end, lex = found
                words.append(lex.bare or lex.en)
                if lex.entry:
                    terms.append(term(lex.entry))
                i = end
            else:
                if not (CJK.match(prefix[i]) or prefix[i].isalnum()):
                    return None
                run += prefix[i]
                i += 1
        if run:
            if len(run) > MAX_PINYIN_RUN:
                return None  # not a name: a clause or a description no rule reads
            words.extend(self._pinyin_words(run))
        return Rendering(join_words(words), SCORE_NAME_PINYIN, terms)

    def _known_at(self, prefix: str, i: int, after_name: bool) -> tuple[int, Any] | None:
        """A name starting at ``i`` (or, right after a name, a known word), longest first."""
        items = self.lexicon.items
        for j in range(min(len(prefix), i + self.lexicon.max_length), i + 1, -1):
            lex = items.get(prefix[i:j])
            if lex is None:
                continue
            if lex.is_name or (after_name and not lex.is_name and prefix[i:j] not in
                               self.tables.generics and prefix[i:j] not in self.tables.operators):
                return j, lex
        return None

    def _pinyin_words(self, run: str) -> list[str]:
        # A descriptive word ending the run is translated after the name in pinyin
        # (望海国际广场 → Wanghai International Plaza), as English names write it.
        for size in range(min(4, len(run) - 2), 1, -1):
            word = self.tables.words.get(run[-size:])
            if word is not None and run[-size:] not in self.tables.generics:
                return [*self._pinyin_words(run[:-size]), word]
        place = pinyin.leading_place(run)
        if place and len(run) - len(place) >= 2:
            return [self.pinyin_word(place), self.pinyin_word(run[len(place):])]
        return [self.pinyin_word(run)]

    def _is_descriptive(self, prefix: str) -> bool:
        # A prefix made only of ordinary (non-name) words of two or more characters is a
        # description (地下停车场, 急救中心), not a name: leave it to composition.
        pieces = self._segment(prefix, allow=lambda zh, lex: len(zh) >= 2 and not lex.is_name
                               and zh not in self.tables.generics)
        return pieces is not None and all(lex is not None for _zh, lex in pieces)

    def pinyin_word(self, chinese: str) -> str:
        """One name in pinyin (GB/T 16159), an established spelling where there is one."""
        if not CJK.search(chinese):
            return chinese
        # An established spelling (Boao, Changpo) wins over spelling it out again; ü is
        # still written as the project's setting says (Wanlv / Wanlu / Wanlü).
        established = place_name_spellings().get(chinese)
        if established:
            return pinyin.apply_u_style(established, self.u_style)
        return pinyin.name_pinyin(chinese, self.u_style)
