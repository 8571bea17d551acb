"""The rule engine: drafts signs the way GB/T 30240 and DB46/T 506 say they are written.

Order of attempts for one text (first success wins):

1. the whole text in the glossary (preferred term, written as the glossary writes it);
2. a sign pattern by function (``patterns.tsv``: 禁止 X → No X, 请勿 X → Do Not X,
   当心 X → Mind …/CAUTION//…, X 危险 → DANGER//…, 仅限 X → X Only, limits, hours, floors…);
3. a name: specific part (a glossary name, else pinyin by GB/T 16159) + translated generic
   part, with direction words per ``ROAD_NAME_STYLE`` (南渡江 → Nandu River, 龙昆南路 →
   Longkun South Road); a name rule declines descriptive compounds (地下停车场);
4. composition of known terms (glossary first, then ``words.tsv``) in the Chinese order,
   which is the English order for modifier + head compounds (地下停车场 → Underground Parking);
5. clauses separated by punctuation or spaces, each by 1–4, on separate lines (``//``).

Russian, Japanese and Korean come only from the glossary and patterns; where no rule
gives a confident draft the engine returns an empty draft with the reason.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from workbench.glossary.match import Entry, Glossary, load_glossary
from workbench.mt.base import Draft, Engine, TermUse, empty_draft, register
from workbench.mt.enforce import remove_forbidden
from workbench.mt.rules import casing, pinyin
from workbench.mt.rules.tables import Generic, Tables, load_tables, place_name_spellings

RULE_LANGS = ("en", "ru", "ja", "ko")
CASED_LANGS = {"en"}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CLAUSE_BREAK = re.compile(r"[\s，,。；;、！!？?]+")
_STRIP = "。．.！!，,；;：: \t\u3000"
_CLAUSE_SPACE = re.compile(r"[\u3400-\u9fff]\s+[\u3400-\u9fff]")
_ASCII_RUN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-/]*")
ROAD_STYLES = ("direction-before", "direction-after", "abbreviated")

# Confidence of each kind of draft, highest for what a standard or the glossary fixes.
SCORE_GLOSSARY = 0.95
SCORE_PATTERN = 0.85
SCORE_COMPOSED = 0.75
SCORE_NAME_KNOWN = 0.85
SCORE_NAME_PINYIN = 0.7


@dataclass
class Rendering:
    """A partial translation: text, confidence, glossary terms used."""

    text: str
    score: float
    terms: list[TermUse] = field(default_factory=list)
    verbatim: bool = False  # a whole glossary entry: its casing is kept as written


@dataclass(frozen=True)
class _Lex:
    en: str
    entry: Entry | None  # set when the rendering comes from the glossary
    is_name: bool = False
    bare: str = ""  # a name's rendering without its level (海南省 → Hainan), when known


def _is_name_entry(entry: Entry) -> bool:
    return entry.function == "name"


def bare_name(entry: Entry, tables: Tables) -> str:
    """A name's rendering for use before a generic: without a trailing level word.

    海南省 is "Hainan Province" on its own but "Hainan" in 海南大学 Hainan University;
    the glossary's admitted "Hainan" is preferred there over cutting words off.
    """
    for rendering in entry.acceptable:
        if not any(rendering.endswith(" " + level) for level in tables.admin_levels):
            return rendering
    return entry.target or ""


def _is_name_part(entry: Entry) -> bool:
    # The glossary's generic name parts: place-name vocabulary that is not a name itself.
    return entry.domain == "place_names" and not entry.function


class Lexicon:
    """Glossary + rule vocabulary for one glossary snapshot and target language."""

    def __init__(self, glossary: Glossary, tables: Tables, target: str) -> None:
        self.glossary = glossary
        self.target = target
        self.items: dict[str, _Lex] = {}
        if target == "en":
            for zh, en in tables.words.items():
                self.items[zh] = _Lex(en, None)
            for zh, generic in tables.generics.items():
                self.items.setdefault(zh, _Lex(generic.en, None))
        for key, entry in glossary.entries.items():
            if not entry.target or not _CJK.search(key):
                continue
            if key in self.items and (_is_name_part(entry) or entry.source_status != "preferred"):
                # Generic name parts (台 Terrace, 山 Mountain) are for names, and a concept's
                # other Chinese wordings (大厅 under 餐厅) belong to that concept; in a
                # compound the sign vocabulary reads better (服务台 Service Desk).
                continue
            is_name = _is_name_entry(entry)
            self.items[key] = _Lex(entry.target, entry, is_name,
                                   bare_name(entry, tables) if is_name else "")
        self.max_length = max((len(k) for k in self.items), default=1)
        # Established names teach pypinyin their readings and jieba their boundaries.
        if target == "en":
            names = [e for e in glossary.entries.values() if _is_name_entry(e) or
                     e.domain == "place_names"]
            spellings = place_name_spellings()
            pinyin.add_words([e.source_text for e in names] + list(spellings))
            pinyin.teach_readings([(e.source_text, e.target.split(" ")[0])
                                   for e in names if e.target] + list(spellings.items()))


_lexicons: dict[tuple[int, str, int], Lexicon] = {}
_lexicon_lock = threading.Lock()


def _lexicon(glossary: Glossary, target: str) -> Lexicon:
    key = (id(glossary), target, glossary.version)
    lexicon = _lexicons.get(key)
    if lexicon is None or lexicon.glossary is not glossary:
        lexicon = Lexicon(glossary, load_tables(), target)
        with _lexicon_lock:
            if len(_lexicons) > 16:
                _lexicons.clear()
            _lexicons[key] = lexicon
    return lexicon


def _term(entry: Entry, target: str | None = None) -> TermUse:
    return TermUse(entry.source_text, target or entry.target or "", entry.concept_id)


_ORDINAL = re.compile(r"第([一二三四五六七八九十]{1,3}|\d{1,3})$")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _chinese_number(numeral: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23, 15 → 15 (up to 99)."""
    if numeral.isdigit():
        return int(numeral)
    if "十" not in numeral:
        return _DIGITS.get(numeral) if len(numeral) == 1 else None
    tens, _sep, ones = numeral.partition("十")
    value = (_DIGITS.get(tens, 0) if tens else 1) * 10
    if ones:
        if ones not in _DIGITS:
            return None
        value += _DIGITS[ones]
    return value


def clean_source(text: str) -> str:
    """Full-width letters/digits folded, spaces collapsed, leading/trailing punctuation off."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", " ", text).strip(_STRIP)
    return text


class RuleComposer:
    """Drafts for one source → target pair on one glossary snapshot."""

    _FORMS: dict[str, Any] = {}  # filled below the class: slot form → method

    def __init__(self, glossary: Glossary, target: str, settings: dict[str, Any]) -> None:
        self.tables = load_tables()
        self.target = target
        self.glossary = glossary
        self.lexicon = _lexicon(glossary, target)
        self.road_style = settings.get("ROAD_NAME_STYLE") or "direction-before"
        if self.road_style not in ROAD_STYLES:
            self.road_style = "direction-before"
        self.u_style = settings.get("PINYIN_U_STYLE") or "v"
        self.patterns = [p for p in self.tables.patterns if p.lang == target]

    # --- the whole text ------------------------------------------------------------------
    def draft(self, text: str) -> tuple[Rendering | None, str | None]:
        """A rendering of a sign text, or None and the reason there is none."""
        source = clean_source(text)
        if not source:
            return None, "The source text is empty."
        rendering = self._translate(source)
        if rendering is None and not _CJK.search(source):
            # Nothing Chinese to translate (a code, a number, a name already in Latin script).
            return Rendering(self._finish(source, keep_case=True), 0.6), None
        if rendering is None and _CLAUSE_BREAK.search(source):
            clauses = [c for c in _CLAUSE_BREAK.split(source) if c]
            parts = [self._translate(c) for c in clauses]
            if all(parts):
                done = [p for p in parts if p is not None]
                rendering = Rendering(
                    "//".join(self._finish(p.text, p.verbatim) for p in done),
                    min(p.score for p in done) - 0.05, [t for p in done for t in p.terms],
                    verbatim=True)
        if rendering is None:
            return None, self._reason(source)
        text = self._finish(rendering.text, keep_case=rendering.verbatim)
        # Composed text could still spell a phrase the glossary forbids (Rental Car): never
        # let one out. One-word forbidden forms are pinyin generics (Lu, Xi) that a correct
        # pinyin specific part may equal, so they are left to the QA checks.
        rendering.text, _replaced = remove_forbidden(text, self.glossary, min_words=2)
        return rendering, None

    def _finish(self, text: str, keep_case: bool) -> str:
        text = casing.tidy(text) if self.target == "en" else text.strip()
        if self.target in CASED_LANGS and not keep_case:
            text = casing.title_case(text)
        elif self.target == "ru":
            text = casing.sentence_case(text)
        return text

    def _reason(self, source: str) -> str:
        unknown = self._uncovered(source)
        pair = f"zh → {self.target}"
        if self.target != "en":
            return (f"No glossary entry or sign pattern covers “{source}” for {pair}; "
                    f"the rule engine does not guess {self.target} wording.")
        if unknown:
            return (f"No glossary entry, sign pattern or name rule covers “{source}” "
                    f"(unknown: {'、'.join(unknown)}).")
        return f"No glossary entry, sign pattern or name rule covers “{source}”."

    def _uncovered(self, source: str) -> list[str]:
        items = self.lexicon.items
        unknown, run, i = [], "", 0
        while i < len(source):
            for j in range(min(len(source), i + self.lexicon.max_length), i, -1):
                if source[i:j] in items or source[i:j] in self.tables.verbs:
                    if run:
                        unknown.append(run)
                        run = ""
                    i = j
                    break
            else:
                if _CJK.match(source[i]):
                    run += source[i]
                elif run:
                    unknown.append(run)
                    run = ""
                i += 1
        if run:
            unknown.append(run)
        return unknown

    def _translate(self, source: str) -> Rendering | None:
        entry = self.glossary.lookup(source)
        if entry is not None and entry.target:
            return Rendering(entry.target, SCORE_GLOSSARY, [_term(entry)], verbatim=True)
        for pattern in self.patterns:
            match = pattern.regex.match(source)
            if match:
                rendering = self._fill(pattern.template, match)
                if rendering is not None:
                    return rendering
        if self.target != "en":
            return None
        # Names first: a name rule declines descriptive compounds (地下停车场), which
        # composition then renders word by word.
        return self.phrase(source)

    # --- patterns ------------------------------------------------------------------------
    _SLOT = re.compile(r"\{(\w+)(?::(\w+))?\}")

    def _fill(self, template: str, match: re.Match[str]) -> Rendering | None:
        terms: list[TermUse] = []
        scores = [SCORE_PATTERN]
        failed = False

        def replace(slot: re.Match[str]) -> str:
            nonlocal failed
            value = match.group(slot.group(1))
            if value is None:
                return ""
            rendered = self.slot(value.strip(), slot.group(2) or "noun")
            if rendered is None:
                failed = True
                return ""
            terms.extend(rendered.terms)
            scores.append(rendered.score)
            return rendered.text

        text = self._SLOT.sub(replace, template)
        if failed or not text.strip():
            return None
        return Rendering(text, min(scores), terms)

    def slot(self, value: str, form: str) -> Rendering | None:
        """A slot of a pattern in the form the template asks for (see ``patterns.tsv``)."""
        handler = self._FORMS.get(form, RuleComposer._noun)
        return handler(self, value)

    def _number(self, value: str) -> Rendering | None:
        return Rendering(value, SCORE_PATTERN)

    def _numeral(self, value: str) -> Rendering | None:
        number = _chinese_number(value)
        return Rendering(str(number), SCORE_PATTERN) if number is not None else None

    def _time(self, value: str) -> Rendering | None:
        hours, minutes = re.split(r"[:.]", value)
        if int(hours) > 24 or int(minutes) > 59:
            return None
        return Rendering(f"{int(hours):02d}:{minutes}", SCORE_PATTERN)

    def _upper(self, value: str) -> Rendering | None:
        return Rendering(value.upper(), SCORE_PATTERN)

    def _unit(self, value: str) -> Rendering | None:
        return Rendering(self.tables.units.get(value, value), SCORE_PATTERN)

    def _foreign(self, value: str) -> Rendering | None:
        # ru/ja/ko: the glossary's term, else the verb table's column for the language.
        entry = self.glossary.lookup(value)
        if entry is not None and entry.target:
            return Rendering(entry.target, SCORE_PATTERN, [_term(entry)])
        verb = self.tables.verbs.get(value)
        wording = getattr(verb, self.target, "") if verb is not None else ""
        return Rendering(wording, SCORE_PATTERN - 0.1) if wording else None

    def _imperative(self, value: str) -> Rendering | None:
        verb = self.tables.verbs.get(value)
        if verb is not None:
            return Rendering(verb.verb, SCORE_PATTERN)
        return self._verb_object(value, "verb")

    def _gerund(self, value: str) -> Rendering | None:
        verb = self.tables.verbs.get(value)
        if verb is not None:
            return Rendering(verb.gerund, SCORE_PATTERN)
        # A noun works after "No" as well (禁止吸烟区 → No Smoking Area).
        return self._verb_object(value, "gerund") or self._noun(value)

    def _warning(self, value: str) -> Rendering | None:
        hazard = self.tables.hazards.get(value)
        if hazard is None:
            return None
        if self.target != "en":
            wording = getattr(hazard, self.target, "")
            return Rendering(wording, SCORE_PATTERN - 0.1) if wording else None
        if hazard.signal.upper() in self.tables.signal_words:
            return Rendering(f"{hazard.signal.upper()}//{hazard.message}", SCORE_PATTERN)
        return Rendering(f"{hazard.signal} {hazard.message}", SCORE_PATTERN)

    def _message(self, value: str) -> Rendering | None:
        hazard = self.tables.hazards.get(value)
        if hazard is not None:
            return Rendering(hazard.message, SCORE_PATTERN)
        return self._noun(value)

    def _verb_object(self, value: str, form: str) -> Rendering | None:
        """A known action followed by its object (翻越护栏 → Climbing Over Railings)."""
        for length in range(min(len(value) - 1, 6), 1, -1):
            verb = self.tables.verbs.get(value[:length])
            if verb is None:
                continue
            thing = self._noun(value[length:])
            if thing is None:
                return None
            action = verb.verb if form == "verb" else verb.gerund
            return Rendering(f"{action} {thing.text}", min(thing.score, SCORE_PATTERN),
                             thing.terms)
        return None

    def _noun(self, value: str) -> Rendering | None:
        if value in self.tables.operators:
            return None  # 请 in 请勿进入 is part of the operator, not who may not enter
        if self.target != "en":
            entry = self.glossary.lookup(value)
            if entry is not None and entry.target:
                return Rendering(entry.target, SCORE_PATTERN, [_term(entry)])
            return None
        # The lexicon already prefers sign vocabulary over name parts (区 Area, not District).
        lex = self.lexicon.items.get(value)
        if lex is not None:
            return Rendering(lex.en, SCORE_PATTERN, [_term(lex.entry)] if lex.entry else [])
        return self.phrase(value)

    def phrase(self, text: str) -> Rendering | None:
        """A name (specific + generic part), else a composition of known terms."""
        return self.name(text) or self.compose(text)

    # --- composition ---------------------------------------------------------------------
    def _segment(self, text: str, allow: Any = None) -> list[tuple[str, _Lex | None]] | None:
        """Fewest known pieces covering ``text`` (Latin/digit runs pass through), or None."""
        items = self.lexicon.items
        n = len(text)
        best: list[tuple[float, list] | None] = [None] * (n + 1)
        best[0] = (0.0, [])
        for i in range(n):
            if best[i] is None:
                continue
            cost, pieces = best[i]  # type: ignore[misc]
            ascii_run = _ASCII_RUN.match(text, i)
            if ascii_run:
                j = ascii_run.end()
                candidate = (cost + 1, pieces + [(ascii_run.group(), None)])
                if best[j] is None or candidate[0] < best[j][0]:  # type: ignore[index]
                    best[j] = candidate
            if text[i] == " ":
                if best[i + 1] is None or cost < best[i + 1][0]:  # type: ignore[index]
                    best[i + 1] = (cost, pieces)
                continue
            for j in range(min(n, i + self.lexicon.max_length), i, -1):
                lex = items.get(text[i:j])
                if lex is None or (allow is not None and not allow(text[i:j], lex)):
                    continue
                # Fewer pieces first; among equals prefer the glossary.
                candidate = (cost + 1 - (0.01 if lex.entry is not None else 0),
                             pieces + [(text[i:j], lex)])
                if best[j] is None or candidate[0] < best[j][0]:  # type: ignore[index]
                    best[j] = candidate
        return best[n][1] if best[n] is not None else None  # type: ignore[index]

    def compose(self, text: str) -> Rendering | None:
        """Known pieces in order (modifier + head), or None if any part is unknown."""
        if _CLAUSE_SPACE.search(text):
            # A space between Chinese words separates clauses (前方施工 车辆慢行): each
            # becomes its own line, not one run-on phrase.
            return None
        pieces = self._segment(text)
        if not pieces or len(pieces) > 6:
            return None
        if any(zh in self.tables.operators for zh, _lex in pieces):
            return None  # a sign operator only a pattern may render (operators.tsv)
        # A one-character name part (山, 海, 江…) or glossary term only heads a compound;
        # in front it is usually part of a name (南山寺 is Nanshan Temple, not "South
        # Mountain Temple"), which the name rule handles.
        for zh, lex in pieces[:-1]:
            if len(zh) == 1 and lex is not None and zh not in self.tables.words:
                return None
        terms = [_term(lex.entry) for _zh, lex in pieces if lex is not None and lex.entry]
        words: list[str] = []
        for zh, lex in pieces:
            word = lex.en if lex is not None else zh
            # 值机 is already "Check-in Counter": 值机柜台 must not repeat "Counter";
            # 观光 + 电瓶车 "Sightseeing Bus" must not repeat "Sightseeing".
            if words and (words[-1].endswith(" " + word) or words[-1] == word):
                continue
            if words and word.startswith(words[-1] + " "):
                words[-1] = word
                continue
            words.append(word)
        score = SCORE_COMPOSED if len(pieces) > 1 else SCORE_PATTERN
        return Rendering(" ".join(words), score, terms)

    # --- names -----------------------------------------------------------------------------
    def _generic_suffix(self, text: str) -> tuple[str, str, Generic] | None:
        """The longest generic name part ending ``text``: (zh, English, table row)."""
        tables = self.tables
        for length in range(min(len(text) - 1, tables.max_generic_length), 0, -1):
            zh = text[-length:]
            generic = tables.generics.get(zh)
            if generic is not None:
                entry = self.glossary.lookup(zh)
                en = entry.target if entry is not None and entry.target else generic.en
                return zh, en, generic
        return None

    def _direction(self, prefix: str) -> tuple[str, tuple[str, str]] | None:
        for length in (2, 1):
            zh = prefix[-length:]
            if len(prefix) - length >= 2 and zh in self.tables.directions:
                return zh, self.tables.directions[zh]
        return None

    def name(self, text: str) -> Rendering | None:
        """Specific part (glossary name or pinyin) + translated generic part, or None."""
        suffix = self._generic_suffix(text)
        if suffix is None:
            return None
        generic_zh, generic_en, generic = suffix
        kind = generic.kind
        prefix = text[:-len(generic_zh)]
        terms: list[TermUse] = []
        entry = self.glossary.lookup(generic_zh)
        if entry is not None and entry.target:
            terms.append(_term(entry))
        after: list[str] = []
        before: list[str] = []
        if kind == "road":
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
            if self.road_style == "abbreviated":
                generic_en = " ".join(self.tables.abbreviations.get(w, w)
                                      for w in generic_en.split())
        known_place: Rendering | None = None
        if kind in ("org", "transport", "place"):
            admin = self._admin_suffix(prefix)
            if admin is not None:
                admin_zh, modifier = admin
                # 五指山市 is the city Wuzhishan, not 五指山 (Wuzhi Mountain) + 市.
                whole = self.glossary.lookup(prefix)
                if whole is not None and whole.target and _is_name_entry(whole):
                    name = bare_name(whole, self.tables)
                    known_place = Rendering(name, SCORE_NAME_KNOWN, [_term(whole, name)])
                prefix = prefix[:-len(admin_zh)]
                if known_place is None or not known_place.text.endswith(" " + modifier):
                    before.append(modifier)
        specific = known_place or self._specific(prefix)
        if specific is None or (generic.known_specific_only and not before and not after
                                and specific.score <= SCORE_NAME_PINYIN):
            return None
        terms = specific.terms + terms
        text_out = " ".join([specific.text, *before, generic_en, *after])
        return Rendering(text_out, min(specific.score, SCORE_NAME_KNOWN), terms)

    def _admin_suffix(self, prefix: str) -> tuple[str, str] | None:
        for length in range(min(len(prefix) - 1, 8), 0, -1):
            generic = self.tables.generics.get(prefix[-length:])
            if generic is not None and generic.kind == "admin" and len(prefix) - length >= 2:
                return prefix[-length:], generic.modifier
        return None

    def _specific(self, prefix: str) -> Rendering | None:
        """The specific part: established names from the glossary, the rest in pinyin."""
        if not prefix:
            return None
        ordinal = _ORDINAL.search(prefix)
        if ordinal and ordinal.start() > 0:
            # 海口市第一中学 → Haikou No. 1 Middle School
            place = self._specific(prefix[:ordinal.start()])
            number = _chinese_number(ordinal.group(1))
            if place is None or number is None:
                return None
            return Rendering(f"{place.text} No. {number}", place.score, place.terms)
        entry = self.glossary.lookup(prefix)
        if entry is not None and entry.target:
            if not _is_name_entry(entry):
                # An ordinary word (汽车 in 汽车站) describes; it is not a specific name.
                return None
            text = bare_name(entry, self.tables)
            return Rendering(text, SCORE_NAME_KNOWN, [_term(entry, text)])
        if self._is_descriptive(prefix):
            return None
        pieces = self._segment(prefix, allow=lambda zh, lex: lex.is_name or (
            lex.entry is None and zh in self.tables.generics and
            self.tables.generics[zh].kind == "admin"))
        if pieces and any(lex is not None for _zh, lex in pieces):
            terms = [_term(lex.entry) for _zh, lex in pieces if lex is not None and lex.entry]
            return Rendering(" ".join((lex.bare or lex.en) if lex else zh for zh, lex in pieces),
                             SCORE_NAME_KNOWN, terms)
        # Names found inside the specific part stay as the glossary writes them; each
        # remaining run of characters becomes one pinyin word.
        words: list[str] = []
        terms = []
        run = ""
        i = 0
        items = self.lexicon.items
        while i < len(prefix):
            found = None
            for j in range(min(len(prefix), i + self.lexicon.max_length), i + 1, -1):
                lex = items.get(prefix[i:j])
                if lex is not None and lex.is_name:
                    found = (j, lex)
                    break
            if found:
                if run:
                    words.append(self._pinyin(run))
                    run = ""
                words.append(found[1].bare or found[1].en)
                if found[1].entry:
                    terms.append(_term(found[1].entry))
                i = found[0]
            else:
                if not (_CJK.match(prefix[i]) or prefix[i].isalnum()):
                    return None
                run += prefix[i]
                i += 1
        if run:
            words.append(self._pinyin(run))
        return Rendering(" ".join(words), SCORE_NAME_PINYIN, terms)

    def _is_descriptive(self, prefix: str) -> bool:
        # A prefix made only of ordinary (non-name) words of two or more characters is a
        # description (地下停车场, 急救中心), not a name: leave it to composition.
        pieces = self._segment(prefix, allow=lambda zh, lex: len(zh) >= 2 and not lex.is_name
                               and zh not in self.tables.generics)
        return pieces is not None and all(lex is not None for _zh, lex in pieces)

    def _pinyin(self, chinese: str) -> str:
        if not _CJK.search(chinese):
            return chinese
        # An established spelling (Boao, Changpo) wins over spelling it out again; ü is
        # still written as the project's setting says (Wanlv / Wanlu / Wanlü).
        established = place_name_spellings().get(chinese)
        if established:
            return pinyin.apply_u_style(established, self.u_style)
        return pinyin.name_pinyin(chinese, self.u_style)


# Slot forms a pattern template may ask for: {x:gerund}, {n:number}…
RuleComposer._FORMS = {
    "noun": RuleComposer._noun, "verb": RuleComposer._imperative,
    "gerund": RuleComposer._gerund, "warning": RuleComposer._warning,
    "message": RuleComposer._message, "number": RuleComposer._number,
    "numeral": RuleComposer._numeral,
    "time": RuleComposer._time, "upper": RuleComposer._upper, "unit": RuleComposer._unit,
    "ru": RuleComposer._foreign, "ja": RuleComposer._foreign, "ko": RuleComposer._foreign,
}


@register
class RuleEngine(Engine):
    """The embedded default: glossary, sign patterns, name rules. Needs no model."""

    id = "rules"
    name = "Rule engine (GB/T 30240, DB46/T 506)"
    description = ("Drafts from the glossary, sign patterns and name rules; "
                   "says why when it cannot.")
    version = "rules-1"

    @classmethod
    def language_pairs(cls, settings: dict[str, Any]) -> list[tuple[str, str]]:
        return [("zh", lang) for lang in RULE_LANGS]

    def composer(self, source: str, target: str) -> RuleComposer:
        """The composer for a pair on the current glossary (from the database, if any)."""
        from workbench.glossary.match import from_entries

        glossary = (load_glossary(self.db, source, target) if self.db is not None
                    else from_entries(source, target, []))
        return RuleComposer(glossary, target, self.settings)

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Draft]:
        """One draft per text; empty drafts carry the reason."""
        if (source, target) not in self.language_pairs(self.settings):
            return [empty_draft(self.id, f"The rule engine does not translate {source} → "
                                f"{target}.", self.version) for _ in texts]
        composer = self.composer(source, target)
        drafts = []
        for text in texts:
            rendering, reason = composer.draft(text)
            if rendering is None:
                drafts.append(empty_draft(self.id, reason or "No rule applies.", self.version))
            else:
                drafts.append(Draft(text=rendering.text, engine=self.id, model=self.version,
                                    score=round(max(0.0, min(1.0, rendering.score)), 2),
                                    terms=_unique(rendering.terms)))
        return drafts


def _unique(terms: list[TermUse]) -> list[TermUse]:
    seen, result = set(), []
    for term in terms:
        if term not in seen:
            seen.add(term)
            result.append(term)
    return result
