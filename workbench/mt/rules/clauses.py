"""Actions of notices and instructions, with their objects and qualifiers (GB/T 30240.1).

A prohibition or instruction is an operator (禁止, 请勿, 请 … — the sign patterns
in ``patterns.tsv``) applied to an action. This module reads the action:

- a verb from ``verbs.tsv`` with its object (紧握扶手 → Hold the Handrail), the
  object first with 将/把 (请将垃圾分类投放 → Please Sort Your Waste; 将烟头扔进垃圾桶
  → Throw Cigarette Butts into the Litter Bin);
- qualifiers of place and manner, written after the action as English notices do
  (禁止在此区域游泳 → No Swimming in This Area; 请勿在扶梯上奔跑 → Do Not Run on the
  Escalator); manner words that English leaves implicit (随意, 随地) are dropped;
- several actions joined by 、 (No Spitting or Littering; Please Queue and Wait).

Objects that belong to the reader take "your" (``possessed.tsv``); other singular
objects and places take "the" (``locatives.tsv``).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from workbench.glossary.match import Glossary
from workbench.mt.rules.lexicon import (
    CJK,
    SCORE_PARTIAL,
    SCORE_PATTERN,
    Lexicon,
    Rendering,
    joined,
)
from workbench.mt.rules.names import join_words
from workbench.mt.rules.tables import Tables, Verb

# Qualifiers meaning "here": English writes them after the action.
_HERE = {"在此处": "Here", "在此": "Here", "在这里": "Here", "此处": "Here", "于此": "Here",
         "在此区域": "in This Area", "在该区域": "in This Area", "在本区域": "in This Area",
         "此区域": "in This Area", "本区域": "in This Area", "区域内": "in This Area"}
# Manner words English leaves implicit on a sign (请勿随意丢弃 → Do Not Drop).
_DROPPED = ("随意", "随地", "随便", "擅自", "私自", "任意", "乱")
_ORDERLY = ("按顺序", "依次", "有序", "按次序")
# Verbs that only carry their object on a "No …" sign: 禁止使用明火 → No Open Flames,
# 禁止携带宠物 → No Pets (but Do Not Use Open Flames with "Do Not").
_LIGHT_VERBS = frozenset({"使用", "携带", "带", "带入", "携", "持", "拿", "燃放"})
# Words pointing at the thing in front of the reader: 按此按钮 → Press This Button.
_DETERMINERS = {"此": "This", "该": "This", "本": "This", "这个": "This", "这": "This",
                "这些": "These", "所有": "All", "各": "All"}
# To whom an action is done, written after it: 给有需要的乘客让座 → Offer Your Seat to …
_RECIPIENT_MARKERS = ("给", "为")
_OBJECT_MARKERS = ("将", "把")
_COMPLEMENTS = {"进": "into", "入": "into", "到": "to", "至": "to", "在": "on"}
_YOURS = ("您的", "你的", "自己的", "您", "自己")
_TIME = re.compile(r"^(?P<t>\d{1,2}[:：.]\d{2}|\d{1,2}点)(?P<w>以后|之后|后|以前|之前|前)")
# English nouns without an article after a verb (mass nouns, already plural forms).
_NO_ARTICLE = frozenset({"water", "rubbish", "litter", "waste", "garbage", "food", "luggage",
                         "baggage", "fire", "smoking", "parking", "traffic", "information",
                         "silence", "cash", "money", "trash"})


class ClauseRules:
    """Mixin of the rule composer: actions, their objects and qualifiers."""

    tables: Tables
    glossary: Glossary
    lexicon: Lexicon
    target: str
    lenient: bool

    if TYPE_CHECKING:  # provided by the other mixins of the composer
        def _noun(self, value: str) -> Rendering | None: ...

    def verb_phrase(self, value: str, form: str) -> Rendering | None:
        """An action with its qualifiers in ``form`` (``verb``: Do Not Run …, ``not``: the
        same with "or" between actions, ``gerund``: No Running …)."""
        qualifiers: list[Rendering] = []
        core = value
        while True:
            found = self._qualifier(core)
            if found is None:
                break
            rendering, core = found
            if rendering.text:
                qualifiers.append(rendering)
        if not core:
            return None
        action = self._actions(core, form)
        if action is not None and any(word in action.text for word in ("Queue", "Line Up")):
            # Queuing is in order already: 请按顺序排队 → Please Queue.
            qualifiers = [q for q in qualifiers if q.text != "in Order"]
        if action is None and self.lenient and qualifiers:
            # A partial draft: the qualifiers are known, the action stays as it is.
            action = Rendering(core, SCORE_PARTIAL, unknown=(core,))
        if action is None:
            return None
        parts = [action, *qualifiers]
        return joined(parts, " ".join(p.text for p in parts))

    # --- qualifiers ----------------------------------------------------------------------
    def _qualifier(self, text: str) -> tuple[Rendering, str] | None:
        """A qualifier at the front of ``text`` and what follows it, or None."""
        for zh in sorted(_HERE, key=len, reverse=True):
            if text.startswith(zh) and len(text) > len(zh):
                return Rendering(_HERE[zh], SCORE_PATTERN), text[len(zh):]
        for zh in _DROPPED:
            if text.startswith(zh) and len(text) > len(zh) and not self._is_verb(text):
                return Rendering("", SCORE_PATTERN), text[len(zh):]
        time = _TIME.match(text)
        if time and time.end() < len(text):
            clock = time.group("t").replace("：", ":").replace(".", ":").replace("点", ":00")
            hours, minutes = clock.split(":")
            word = "After" if "后" in time.group("w") else "Before"
            return Rendering(f"{word} {int(hours):02d}:{minutes}", SCORE_PATTERN), \
                text[time.end():]
        if text[:1] in ("在", "于") and len(text) > 2:
            return self._place_qualifier(text[1:])
        if text[:1] in ("从", "由") and len(text) > 2:
            return self._route_qualifier(text[1:])
        if text[:1] in ("向", "往") and len(text) > 2:
            return self._direction_qualifier(text[1:])
        if text[:1] in _RECIPIENT_MARKERS and not text.startswith("为了") and len(text) > 3:
            return self._recipient_qualifier(text[1:])
        for zh in _ORDERLY:
            if text.startswith(zh) and len(text) > len(zh):
                return Rendering("in Order", SCORE_PATTERN), text[len(zh):]
        return None

    def _route_qualifier(self, text: str) -> tuple[Rendering, str] | None:
        # 从后门下车 → Get Off by the Rear Door; 从此处进入 → Enter from Here
        for end in range(len(text) - 1, 0, -1):
            place = self._noun(text[:end])
            if place is None or not self._is_action(text[end:]):
                continue
            through = place.text.split()[-1] in ("Door", "Gate", "Exit", "Entrance", "Passage")
            words = ["by" if through else "from", _with_article(place.text)]
            return joined([place], " ".join(words)), text[end:]
        return None

    def _is_action(self, text: str) -> bool:
        verbs = self.tables.verbs
        return text in verbs or any(text[:size] in verbs for size in range(2, 7))

    def _place_qualifier(self, text: str) -> tuple[Rendering, str] | None:
        # 在 + place + locative (内, 上, 之间 …) + action: the place with its preposition.
        locatives = self.tables.locatives
        for end in range(len(text) - 1, 0, -1):
            for zh in sorted(locatives, key=len, reverse=True):
                if not text.startswith(zh, end) or end + len(zh) >= len(text):
                    continue
                place = self._noun(text[:end])
                if place is None:
                    continue
                preposition, article = locatives[zh]
                if preposition == "outside" and place.text.endswith("Line"):
                    preposition = "behind"  # 黄线外 → behind the Yellow Line
                words = [preposition, *(["the"] if article == "the" else []), place.text]
                return joined([place], " ".join(words)), text[end + len(zh):]
        # 在禁烟区吸烟: a place without a locative word, directly before the action.
        for end in range(len(text) - 1, 0, -1):
            if self._is_action(text[end:]):
                place = self._noun(text[:end])
                if place is not None and not place.unknown:
                    return joined([place], f"in {_place_article(place.text)}"), text[end:]
        return None

    def _recipient_qualifier(self, text: str) -> tuple[Rendering, str] | None:
        # 给老人让座 → Offer Your Seat to the Elderly (who receives the action, after it).
        for end in range(len(text) - 1, 0, -1):
            if not self._is_action(text[end:]):
                continue
            who = self._noun(text[:end])
            if who is not None and not who.unknown:
                return joined([who], f"to {_with_article(who.text)}"), text[end:]
        return None

    def _direction_qualifier(self, text: str) -> tuple[Rendering, str] | None:
        # 向水中投掷物品 → Throwing Objects into the Water (written after the action).
        for end in range(len(text) - 1, 0, -1):
            for zh in ("中", "里", "内"):
                if text.startswith(zh, end) and self._is_action(text[end + 1:]):
                    place = self._noun(text[:end])
                    if place is not None and not place.unknown:
                        return joined([place], f"into {_place_article(place.text)}"), \
                            text[end + 1:]
        return None

    # --- actions -------------------------------------------------------------------------
    def _is_verb(self, text: str) -> bool:
        return text in self.tables.verbs

    def _actions(self, text: str, form: str) -> Rendering | None:
        single = self._action(text, form)
        if single is not None:
            return single
        pair = self._juxtaposed(text, form)
        if pair is not None:
            return pair
        if "、" not in text and not re.search("[和或及与]", text):
            return None
        # Several actions: 吐痰、便溺 → Spitting or Urinating; 排队和等候 → Queue and Wait.
        for separator in ("、", "和", "或", "及", "与"):
            if separator not in text:
                continue
            parts = [self._action(part, form) for part in re.split(
                "[、和或及与]" if separator == "、" else separator, text.rstrip("等"))]
            if parts and all(parts):
                done = [p for p in parts if p is not None]
                conjunction = "and" if form == "verb" else "or"
                # One list, not nested ones: No Smoking, Food or Drink (饮食 is itself
                # "Food or Drink").
                words = [w for p in done for w in p.text.split(f" {conjunction} ")]
                text_out = (", ".join(words[:-1]) + f" {conjunction} " + words[-1]
                            if len(words) > 1 else words[0])
                return joined(done, text_out)
        return None

    def _juxtaposed(self, text: str, form: str) -> Rendering | None:
        # Two actions written one after the other: 奔跑打闹 → Run or Play Around,
        # 排队上车 → Queue and Board.
        verbs = self.tables.verbs
        for split in range(2, len(text) - 1):
            first, second = verbs.get(text[:split]), verbs.get(text[split:])
            if first is not None and second is not None:
                conjunction = "and" if form == "verb" else "or"
                words = [_form(first, form), _form(second, form)]
                return Rendering(f" {conjunction} ".join(_without_object(w) for w in words),
                                 SCORE_PATTERN)
        return None

    def _action(self, text: str, form: str) -> Rendering | None:
        text = text.rstrip("等")
        verb = self.tables.verbs.get(text)
        if verb is not None:
            return Rendering(_without_object(_form(verb, form)), SCORE_PATTERN)
        for marker in _OBJECT_MARKERS:
            if text.startswith(marker) and len(text) > 2:
                found = self._object_first(text[len(marker):], form)
                if found is not None:
                    return found
        return self._verb_object(text, form)

    def _verb_object(self, value: str, form: str) -> Rendering | None:
        """A known action followed by its object (翻越护栏 → Climbing Over Railings)."""
        lengths = list(range(min(len(value) - 2, 6), 1, -1))
        if value[1:2] in _DETERMINERS or value[1:3] in _DETERMINERS:
            lengths.append(1)  # 按此按钮: a one-character verb before "this …"
        for length in lengths:
            # An object of one character makes a compound, not an action on a thing
            # (吸烟区 is a smoking area); a verb of one character (按, 停) is too often
            # part of another word to be read as one here.
            verb = self.tables.verbs.get(value[:length])
            if verb is None:
                continue
            thing = self._object(value[length:], article=True)
            if thing is None or "".join(thing.unknown) == value[length:]:
                continue
            if form == "gerund" and value[:length] in _LIGHT_VERBS and not thing.unknown:
                bare = self._object(value[length:], article=False)
                if bare is not None:
                    return bare  # 禁止使用明火 → No Open Flames
            return joined([thing], _with_object(_form(verb, form, with_object=True), thing.text))
        return None

    def _object_first(self, text: str, form: str) -> Rendering | None:
        """将/把 + object + action (+ where to): 将烟头扔进垃圾桶 → Throw Cigarette Butts into …"""
        for start in range(1, len(text)):
            for end in range(len(text), start, -1):
                verb = self.tables.verbs.get(text[start:end])
                if verb is None:
                    continue
                thing = self._object(text[:start], article=True)
                if thing is None:
                    continue
                action = _with_object(_form(verb, form, with_object=True), thing.text)
                rest = text[end:]
                if not rest:
                    return joined([thing], action)
                where = self._complement(rest)
                if where is not None:
                    return joined([thing, where], f"{action} {where.text}")
        return None

    def _complement(self, text: str) -> Rendering | None:
        # 进垃圾桶里 → into the Litter Bin
        preposition = _COMPLEMENTS.get(text[:1])
        if preposition is None:
            return None
        place_zh = text[1:]
        for zh in sorted(self.tables.locatives, key=len, reverse=True):
            if place_zh.endswith(zh) and len(place_zh) > len(zh):
                place_zh = place_zh[:-len(zh)]
                break
        place = self._noun(place_zh)
        if place is None:
            return None
        return joined([place], f"{preposition} {_with_article(place.text)}")

    def _object(self, value: str, article: bool) -> Rendering | None:
        """The object of an action, with "your" for the reader's things, else "the"."""
        yours = False
        for zh in _YOURS:
            if value.startswith(zh) and len(value) > len(zh):
                value, yours = value[len(zh):], True
                break
        if re.fullmatch(r"[0-9][0-9-]{1,15}", value):
            return Rendering(value, SCORE_PATTERN)  # a number to call: 拨打110 → Call 110
        for zh in sorted(_DETERMINERS, key=len, reverse=True):
            if value.startswith(zh) and len(value) > len(zh) and not yours:
                thing = self._noun(value[len(zh):])
                if thing is None or thing.unknown:
                    return None
                return joined([thing], f"{_DETERMINERS[zh]} {thing.text}")
        if not value or not CJK.search(value):
            return None
        thing = self._noun(value)
        if thing is None:
            return None
        if yours or value in self.tables.possessed:
            return joined([thing], f"Your {thing.text}")
        if article:
            return joined([thing], _with_article(thing.text))
        return thing


def _form(verb: Verb, form: str, with_object: bool = False) -> str:
    if form != "gerund":
        return verb.verb
    if with_object and not verb.gerund.split()[0].endswith("ing"):
        # "No Entry", but "No Entering the Scenic Area": with an object the -ing form.
        first, _space, rest = verb.verb.partition(" ")
        return " ".join([ing_form(first), rest]).strip()
    return verb.gerund


def ing_form(verb: str) -> str:
    """The -ing form of an English verb: Enter → Entering, Use → Using, Run → Running."""
    lower = verb.lower()
    vowels = sum(c in "aeiou" for c in lower)
    if lower.endswith("ie"):
        stem = verb[:-2] + "y"
    elif lower.endswith("e") and not lower.endswith(("ee", "ye", "oe")) and len(lower) > 2:
        stem = verb[:-1]
    elif vowels == 1 and len(lower) >= 3 and lower[-1] not in "aeiouwxy" and \
            lower[-2] in "aeiou" and lower[0] not in "aeiou":
        stem = verb + verb[-1]  # Run → Running, Stop → Stopping
    else:
        stem = verb
    return stem + "ing"


_OBJECT_PREPOSITIONS = ("on", "against", "onto", "into", "at", "to", "with", "for")


def _without_object(action: str) -> str:
    """A verb written with its object's place ({o}) used without one: "Lean on {o}" → Lean."""
    if "{o}" not in action:
        return action
    bare = action.replace(" {o}", "").replace("{o}", "").strip()
    head, _space, last = bare.rpartition(" ")
    return head if head and last.lower() in _OBJECT_PREPOSITIONS else bare


def _with_object(action: str, thing: str) -> str:
    if "{o}" in action:
        return action.replace("{o}", thing)
    # 喂食动物: "Feed the Animals" already names its object; never write it twice.
    return join_words([action, thing])


def _place_article(place: str) -> str:
    """A place after a preposition: "the" unless it has its own (in This Area)."""
    if place.startswith(("the ", "The ", "This ", "Your ")):
        return place
    return f"the {place}"


# Words that end a noun phrase's head and start what describes it (Passengers in Need).
_POSTMODIFIERS = frozenset({"in", "with", "who", "under", "of", "for", "on", "at", "from",
                            "between", "near", "behind", "outside", "around"})


def _with_article(noun: str) -> str:
    """"the" before a singular countable thing (the Handrail).

    None before plurals and mass nouns.
    """
    words = noun.split()
    for index, word in enumerate(words[1:], 1):
        if word.lower() in _POSTMODIFIERS:
            words = words[:index]  # the head noun decides: Passengers in Need
            break
    last = words[-1] if words else ""
    if not noun or noun.startswith(("Your ", "the ", "The ", "This ", "All ")) \
            or last.lower() in _NO_ARTICLE or (last.endswith("s") and not last.endswith("ss")) \
            or any(c.isdigit() for c in noun) or last.isupper():
        return noun
    return f"the {noun}"
