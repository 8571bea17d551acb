"""One clause of a sign: the glossary, sign patterns with their slots, names, composition.

Order of attempts for one clause (first success wins):

1. the whole text in the glossary (preferred term, written as the glossary writes it);
2. a sign pattern by function (``patterns.tsv``: 禁止 X → No X, 请勿 X → Do Not X,
   当心 X → Mind …/CAUTION//…, X 危险 → DANGER//…, 仅限 X → X Only, X时请Y → … When …,
   limits, hours, floors…);
3. an organization name (:mod:`organizations`), then a name of a road or place
   (:mod:`names`); a name rule declines descriptive compounds (地下停车场);
4. composition of known terms (glossary first, then ``words.tsv``) in the Chinese order,
   which is the English order for modifier + head compounds (地下停车场 → Underground Parking).

In *lenient* mode (a partial draft, see :mod:`engine`) composition keeps what it does
not know in the source language and records it as unknown.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from workbench.glossary.match import Glossary
from workbench.mt.base import TermUse
from workbench.mt.rules.lexicon import (
    ASCII_RUN,
    CJK,
    SCORE_COMPOSED,
    SCORE_PARTIAL,
    SCORE_PATTERN,
    Lex,
    Lexicon,
    Rendering,
    chinese_number,
    joined,
    term,
)
from workbench.mt.rules.tables import Tables

_CLAUSE_SPACE = re.compile(r"[\u3400-\u9fff]\s+[\u3400-\u9fff]")
_SLOT = re.compile(r"\{(\w+)(?::(\w+))?\}")
_UNKNOWN_COST = 1.5  # an unknown character costs more than a known word of any length
_SINGLE_CHARACTER_COST = 0.05  # a one-character piece is a word only when nothing longer fits
_LIST = re.compile("[、和及与]")


# Plural forms that stay plural before another noun (Arrivals Hall, Sports Center).
_PLURAL_MODIFIERS = frozenset({"arrivals", "departures", "sports", "customs", "goods", "arts",
                               "news", "glasses", "series", "clothes", "means", "works",
                               "games", "belongings", "headquarters", "savings", "sales",
                               "services", "affairs", "men's", "women's", "ladies",
                               "children's", "disabilities", "bus", "gas", "pass", "express",
                               "campus", "canvas", "atlas"})


def _as_head(word: str) -> str:
    """A modifier's possessive form heading a phrase is the plain noun: 儿童 is "Children's"
    before a noun (Children's Playground), "Children" at the end (Unaccompanied Children)."""
    if word.endswith("'s"):
        return word[:-2]
    return word[:-1] if word.endswith("s'") else word


def _singular(phrase: str) -> str:
    """The phrase with its last word singular (Visitors → Visitor); irregular forms kept."""
    head, _space, last = phrase.rpartition(" ")
    lower = last.lower()
    if lower in _PLURAL_MODIFIERS or not lower.endswith("s") or len(lower) < 4 or \
            lower.endswith(("ss", "us", "is", "ics", "'s", "ous")):
        return phrase
    if lower.endswith("ies"):
        singular = last[:-3] + "y"
    elif lower.endswith(("ches", "shes", "xes")):
        singular = last[:-2]
    else:
        singular = last[:-1]
    return f"{head} {singular}" if head else singular


def _korean_object_particle(word: str) -> str:
    """을 after a final consonant, 를 after a vowel (a Hangul syllable's final jamo)."""
    last = word.rstrip()[-1:]
    if not last or not "\uac00" <= last <= "\ud7a3":
        return "를"
    return "을" if (ord(last) - 0xAC00) % 28 else "를"


def _unknown_size(rendering: Rendering) -> int:
    return sum(len(part) for part in rendering.unknown)


class PhraseRules:
    """Mixin of the rule composer: one clause by glossary, patterns, names and composition."""

    tables: Tables
    glossary: Glossary
    lexicon: Lexicon
    target: str
    lenient: bool
    patterns: list[Any]
    _FORMS: ClassVar[dict[str, Any]]

    if TYPE_CHECKING:  # provided by the other mixins of the composer
        def organization(self, text: str) -> Rendering | None: ...
        def name(self, text: str) -> Rendering | None: ...
        def business_name(self, text: str) -> Rendering | None: ...
        def memorial(self, text: str) -> Rendering | None: ...
        def verb_phrase(self, value: str, form: str) -> Rendering | None: ...
        def established(self, entry: Any) -> Rendering: ...

    def translate_clause(self, source: str) -> Rendering | None:
        """One clause by the glossary, a sign pattern, a name or composition; None if none."""
        entry = self.glossary.lookup(source)
        if entry is not None and entry.target:
            return self.established(entry)
        for pattern in self.patterns:
            match = pattern.regex.match(source)
            if match:
                rendering = self._fill(pattern.template, match)
                if rendering is not None:
                    return rendering
        if self.target != "en":
            return self._compose_foreign(source)
        # A clause without an operator may still be an action (在旗帜之间游泳 → Swim Between
        # the Flags; 文明旅游 → Be a Civilized Tourist) once no name or compound reads it.
        found = self.phrase(source) or self.verb_phrase(source, "verb") or \
            (self._modified_noun(source) if "的" in source else None)
        if found is None and self.lenient:
            found = self.compose_partial(source)
        return found

    # --- patterns ------------------------------------------------------------------------
    def _fill(self, template: str, match: re.Match[str]) -> Rendering | None:
        parts: list[Rendering] = []
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
            parts.append(rendered)
            return rendered.text

        text = _SLOT.sub(replace, template)
        if failed or not text.strip():
            return None
        return Rendering(text, min([SCORE_PATTERN] + [p.score for p in parts]),
                         [t for p in parts for t in p.terms],
                         unknown=tuple(u for p in parts for u in p.unknown),
                         proper=tuple(n for p in parts for n in p.proper))

    def slot(self, value: str, form: str) -> Rendering | None:
        """A slot of a pattern in the form the template asks for (see ``patterns.tsv``)."""
        handler: Callable[[PhraseRules, str], Rendering | None] = self._FORMS.get(
            form, PhraseRules._noun)
        return handler(self, value)

    def _number(self, value: str) -> Rendering | None:
        return Rendering(value, SCORE_PATTERN)

    def _numeral(self, value: str) -> Rendering | None:
        number = chinese_number(value)
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

    def _clause(self, value: str) -> Rendering | None:
        # A whole clause inside a bigger pattern (X时请Y: the 请Y part).
        return self.translate_clause(value)

    def _foreign(self, value: str) -> Rendering | None:
        # ru/ja/ko: the glossary's term, else the verb table's column for the language,
        # else the language's sign vocabulary.
        entry = self.glossary.lookup(value)
        if entry is not None and entry.target:
            return Rendering(entry.target, SCORE_PATTERN, [term(entry)])
        verb = self.tables.verbs.get(value)
        wording = getattr(verb, self.target, "") if verb is not None else ""
        if wording:
            return Rendering(wording, SCORE_PATTERN - 0.1)
        return self._compose_foreign(value)

    def _who(self, value: str) -> Rendering | None:
        # The people a notice is about, as a subject: 儿童 → Children (never the
        # modifier form "Children's" of a compound).
        found = self._noun(value)
        if found is None or not found.text.endswith("'s"):
            return found
        return joined([found], found.text[:-2])

    def _please(self, value: str) -> Rendering | None:
        # ja/ko/ru: the polite request (並んでください, 줄을 서 주세요, Соблюдайте очередь).
        return self._polite(value, negative=False)

    def _please_not(self, value: str) -> Rendering | None:
        # ja/ko: the polite "please do not" (触らないでください, 만지지 마세요).
        return self._polite(value, negative=True)

    def _polite(self, value: str, negative: bool) -> Rendering | None:
        column = self.target + ("_not" if negative else "")
        polite = self.tables.polite_verbs
        found = polite.get(value)
        wording = getattr(found, column, "") if found is not None else ""
        if wording and "{o}" not in wording:
            return Rendering(wording, SCORE_PATTERN - 0.1)
        # A verb with its object: 出示 + 护照 → パスポートをご提示ください.
        for size in range(min(len(value) - 1, 4), 0, -1):
            found = polite.get(value[:size])
            wording = getattr(found, column, "") if found is not None else ""
            if "{o}" not in wording:
                continue
            thing = self.glossary.lookup(value[size:])
            if thing is None or not thing.target:
                continue
            obj = thing.target + (_korean_object_particle(thing.target)
                                  if self.target == "ko" else "")
            return Rendering(wording.replace("{o}", obj), SCORE_PATTERN - 0.15, [term(thing)])
        return None

    def _ru_verb(self, value: str) -> Rendering | None:
        # Russian prohibitions use the infinitive: Не курить, Не фотографировать.
        verb = self.tables.verbs.get(value)
        return Rendering(verb.ru, SCORE_PATTERN - 0.1) if verb is not None and verb.ru else None

    def _lower(self, value: str) -> Rendering | None:
        # A noun inside a Russian sentence (Осторожно, ступенька): no capital of its own.
        found = self._foreign(value)
        if found is None or found.text[:2].isupper():
            return found
        return joined([found], found.text[:1].lower() + found.text[1:])

    def _imperative(self, value: str) -> Rendering | None:
        return self._unknown_action(value) if (found := self.verb_phrase(value, "verb")) is None \
            else found

    def _negated(self, value: str) -> Rendering | None:
        return self._unknown_action(value) if (found := self.verb_phrase(value, "not")) is None \
            else found

    def _action_slot(self, value: str) -> Rendering | None:
        # An action only, never a noun: 不 + action (不随地吐痰 → No Spitting).
        return self.verb_phrase(value, "gerund") or self._unknown_action(value)

    def _doing(self, value: str) -> Rendering | None:
        # What people are doing when an instruction applies: an action, never a guess.
        lenient, self.lenient = self.lenient, False
        try:
            return self.verb_phrase(value, "gerund")
        finally:
            self.lenient = lenient

    def _gerund(self, value: str) -> Rendering | None:
        # A noun works after "No" as well (禁止吸烟区 → No Smoking Area). In a partial
        # draft, the reading that leaves less untranslated wins.
        action = self.verb_phrase(value, "gerund")
        if action is not None and not action.unknown:
            return action
        noun = self._noun(value)
        candidates = [r for r in (action, noun) if r is not None]
        return min(candidates, key=_unknown_size) if candidates else None

    def _unknown_action(self, value: str) -> Rendering | None:
        if not self.lenient or not CJK.search(value):
            return None
        return Rendering(value, SCORE_PARTIAL, unknown=(value,))

    def _warning(self, value: str) -> Rendering | None:
        hazard = self.tables.hazards.get(value)
        if hazard is None and "的" in value and self.target == "en":
            # 列车与月台之间的空隙 → Mind the Gap Between the Train and the Platform
            head = value.rpartition("的")[2]
            hazard = self.tables.hazards.get(head)
            where = self._modified_noun(value)
            if hazard is None or where is None or hazard.signal.upper() in \
                    self.tables.signal_words or not hazard.message.endswith(where.text.split()[0]):
                return None
            return joined([where], f"{hazard.signal} {hazard.message} "
                                   f"{where.text.split(' ', 1)[1]}")
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

    def _noun(self, value: str) -> Rendering | None:
        if value in self.tables.operators:
            return None  # 请 in 请勿进入 is part of the operator, not who may not enter
        if self.target != "en":
            entry = self.glossary.lookup(value)
            if entry is not None and entry.target:
                return Rendering(entry.target, SCORE_PATTERN, [term(entry)])
            return self._compose_foreign(value)
        # The lexicon already prefers sign vocabulary over name parts (区 Area, not District).
        lex = self.lexicon.items.get(value)
        if lex is not None:
            return Rendering(lex.en, SCORE_PATTERN, [term(lex.entry)] if lex.entry else [],
                             proper=(lex.en,) if lex.is_name else ())
        found = self.phrase(value) or self._modified_noun(value) or self._noun_list(value)
        if found is None and self.lenient:
            found = self.compose_partial(value)
        return found

    def _modified_noun(self, value: str) -> Rendering | None:
        # X之间的Y → Y Between the X; X上的Y → Y on the X (a place modifying a thing).
        modifier, _de, head = value.rpartition("的")
        if not modifier or not head:
            return None
        relative = self.tables.relatives.get(modifier)
        if relative is not None:
            # 有需要的乘客 → Passengers in Need; 未开放的水域 → Closed Waters
            thing = self._noun(head)
            if thing is None:
                return None
            wording, position = relative
            words = [wording, thing.text] if position == "before" else [thing.text, wording]
            return joined([thing], " ".join(words))
        for zh in sorted(self.tables.locatives, key=len, reverse=True):
            if modifier.endswith(zh) and len(modifier) > len(zh):
                thing = self._noun(head)
                place = self._noun(modifier[:-len(zh)])
                if thing is None or place is None:
                    return None
                preposition, article = self.tables.locatives[zh]
                words = [thing.text, preposition, *(["the"] if article == "the" else []),
                         place.text]
                return joined([thing, place], " ".join(words))
        # 公园的开放时间 → Park Opening Hours: a noun modifying a noun, as an English compound.
        owner, owned = self.lexicon.items.get(modifier), self.lexicon.items.get(head)
        if owner is not None and owned is not None and not owner.is_name:
            return Rendering(f"{owner.en} {owned.en}", SCORE_COMPOSED,
                             [term(x.entry) for x in (owner, owned) if x.entry])
        return None

    def _noun_list(self, value: str) -> Rendering | None:
        # 告示及广播 → Notices and Announcements; 行人通道、扶手电梯 → … and …
        if not _LIST.search(value):
            return None
        parts = [self._noun(part) for part in _LIST.split(value) if part]
        if len(parts) < 2 or not all(parts):
            return None
        done = [p for p in parts if p is not None]
        words = [p.text for p in done]
        return Rendering(", ".join(words[:-1]) + " and " + words[-1],
                         min(p.score for p in done), [t for p in done for t in p.terms],
                         unknown=tuple(u for p in done for u in p.unknown))

    def phrase(self, text: str) -> Rendering | None:
        """An organization or place name, else a composition of known terms."""
        known = self.lexicon.items.get(text) if self.target == "en" else None
        if known is not None and not known.is_name and known.entry is None:
            # A word of the rule vocabulary is that word, not a name ending in a generic
            # (儿童乐园 is a Children's Playground, not "Ertongle Park").
            return Rendering(_as_head(known.en), SCORE_PATTERN)
        named = self.memorial(text) or self.organization(text) or self.name(text)
        if named is None:
            composed = self.compose(text)
            if composed is not None:
                return composed
            named = self.business_name(text) if self.target == "en" else None
        if named is not None:
            named.proper = (*named.proper, named.text)
        return named

    # --- composition ---------------------------------------------------------------------
    def _segment(self, text: str, allow: Any = None,
                 lenient: bool = False) -> list[tuple[str, Lex | None]] | None:
        """Fewest known pieces covering ``text`` (Latin/digit runs pass through), or None.

        ``lenient``: unknown characters are allowed (as pieces without a rendering).
        """
        items = self.lexicon.items
        n = len(text)
        best: list[tuple[float, list[tuple[str, Lex | None]]] | None] = [None] * (n + 1)
        best[0] = (0.0, [])

        def offer(j: int, cost: float, pieces: list[tuple[str, Lex | None]]) -> None:
            current = best[j]
            if current is None or cost < current[0]:
                best[j] = (cost, pieces)

        for i in range(n):
            reached = best[i]
            if reached is None:
                continue
            cost, pieces = reached
            ascii_run = ASCII_RUN.match(text, i)
            if ascii_run:
                offer(ascii_run.end(), cost + 1, pieces + [(ascii_run.group(), None)])
            if text[i] == " ":
                offer(i + 1, cost, pieces)
                continue
            for j in range(min(n, i + self.lexicon.max_length), i, -1):
                lex = items.get(text[i:j])
                if lex is None or (allow is not None and not allow(text[i:j], lex)):
                    continue
                # Fewer pieces first; among equals prefer words of two or more characters
                # (公交 + 站点 "Bus Stop", not 公交站 + 点 "Bus Stop Point"), then the glossary.
                offer(j, cost + 1 - (0.01 if lex.entry is not None else 0)
                      + (_SINGLE_CHARACTER_COST if j - i == 1 else 0),
                      pieces + [(text[i:j], lex)])
            if lenient and CJK.match(text[i]):
                if pieces and pieces[-1][1] is None and CJK.match(pieces[-1][0]):
                    merged = pieces[:-1] + [(pieces[-1][0] + text[i], None)]
                    offer(i + 1, cost + _UNKNOWN_COST, merged)
                else:
                    offer(i + 1, cost + _UNKNOWN_COST, pieces + [(text[i], None)])
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
        return self._composed(pieces)

    def compose_partial(self, text: str) -> Rendering | None:
        """Known pieces in order with the unknown ones kept as they are (a partial draft).

        Single characters count as known only from the rule vocabulary: a lone
        glossary character (后 Rear) inside unknown text is more likely part of a word.
        A sign operator (请勿, 禁止) stays unknown: only a pattern may render it.
        """
        pieces = self._segment(text, allow=lambda zh, lex: (len(zh) > 1 or lex.entry is None)
                               and zh not in self.tables.operators, lenient=True)
        if not pieces:
            return None
        return self._composed(pieces)

    def _composed(self, pieces: list[tuple[str, Lex | None]]) -> Rendering:
        terms: list[TermUse] = [term(lex.entry) for _zh, lex in pieces
                                if lex is not None and lex.entry]
        unknown = tuple(zh for zh, lex in pieces if lex is None and CJK.search(zh))
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
        if unknown:
            score = SCORE_PARTIAL
        # A noun modifying another is singular in English: 游客 (Visitors) + 服务中心 →
        # Visitor Service Center.
        words = [_singular(word) if index < len(words) - 1 and word[:1].isupper() else word
                 for index, word in enumerate(words)]
        proper = tuple(lex.en for _zh, lex in pieces if lex is not None and lex.is_name)
        if words and words[-1] not in proper:
            words[-1] = _as_head(words[-1])
        return Rendering(" ".join(words), score, terms, unknown=unknown, proper=proper)

    def _compose_foreign(self, text: str) -> Rendering | None:
        """ru/ja/ko compounds from known terms, in the language's own way of joining them."""
        if self.target not in ("ja", "ko") or len(text) < 2:
            return None
        pieces = self._segment(text)
        if not pieces or len(pieces) > 3 or any(lex is None for _zh, lex in pieces):
            return None
        # Japanese compounds are written solid, as Chinese ones are (男女共用 + 更衣室);
        # Korean separates the words of a compound (남녀 공용 탈의실).
        separator = "" if self.target == "ja" else " "
        terms = [term(lex.entry) for _zh, lex in pieces if lex is not None and lex.entry]
        return Rendering(separator.join(lex.en for _zh, lex in pieces if lex is not None),
                         SCORE_COMPOSED, terms)
