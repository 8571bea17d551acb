"""What the ``llm`` engine asks, and how it reads the answer.

A request is two chat messages: a fixed system message (the task and the exact
JSON form of the reply) and a user message holding one JSON document with the
rules for the profile (from ``rules.tsv`` and the project's style settings) and
the segments. Each segment carries its source text, the kind of text (a sign of
a given function, or a document sentence), every glossary term found in it
with the renderings to use and never to use, translation-memory matches as
examples, a document's neighbouring sentences as context, and the placeholders
that must come back.

The reply must be ``{"translations": [{"id": …, "translation": …}]}``; a code
fence around it and a leading ``<think>`` block (reasoning models) are
tolerated, anything else that is not this JSON is refused
(:class:`ReplyError`). A re-ask continues the conversation with the model's
own reply and the problems found in it, segment by segment.

The prompt version (:func:`prompt_version`) is a digest of the system message,
the rules table and the style settings: it is recorded with every draft and is
part of the cache key, so changing a rule never serves drafts made under the
old one.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.messages import Message, msg
from workbench.mt.verify import HeldTerm

PROMPT_FORMAT = "signbench-llm-1"
RULES_FILE = Path(__file__).with_name("rules.tsv")
MAX_ECHOED_REPLY = 4000  # characters of a refused reply sent back when re-asking

LANGUAGE_NAMES = {
    "zh": "Chinese (Simplified)", "en": "English", "ru": "Russian", "ja": "Japanese",
    "ko": "Korean", "fr": "French", "de": "German", "es": "Spanish", "pt": "Portuguese",
    "it": "Italian", "ar": "Arabic", "vi": "Vietnamese", "th": "Thai", "ms": "Malay",
    "id": "Indonesian",
}
FUNCTION_NAMES = {
    "facility": "facility sign (names a function)", "warning": "warning sign",
    "prohibition": "prohibition sign", "instruction": "instruction sign",
    "notice": "notice sign", "name": "name sign (a place, road or organization)",
    "nameplate": "street nameplate (pinyin, GB 17733)",
}
ROAD_STYLES = {"direction-before": "Longkun South Road", "direction-after": "Longkun Road South",
               "abbreviated": "Longkun Rd S"}
PINYIN_U = {"v": "Wanlv", "u": "Wanlu", "ü": "Wanlü"}

SYSTEM = """You are a translator for the Foreign Affairs Office of Hainan Province, China. \
You translate Chinese public signs and official documents into {language}, following the \
national standards (GB/T 30240, GB/T 35302, GB/T 35303) and the Hainan standard DB46/T 506.
Follow the rules and each segment's glossary exactly. Translate only each segment's "source"; \
"context_before" and "context_after" are neighbouring sentences, given for reference only; \
"examples" are approved translations of similar texts.
Reply with one JSON object and nothing else, exactly in this form:
{{"translations": [{{"id": "<the segment's id>", "translation": "<the {language} text>"}}]}}
One entry per segment, with its id, in the order given. No notes, alternatives or explanations."""


class ReplyError(ValueError):
    """A reply that is not the JSON asked for; ``message`` says why (translatable)."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass
class Segment:
    """One text of a request with everything the model is told about it."""

    id: str
    source: str
    profile: str = "sign"
    function: str | None = None
    terms: list[HeldTerm] = field(default_factory=list)
    examples: list[tuple[str, str, float]] = field(default_factory=list)
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    placeholders: list[str] = field(default_factory=list)

    def to_prompt(self, target: str, settings: dict[str, Any]) -> dict[str, Any]:
        """The segment as the request states it (empty parts left out)."""
        item: dict[str, Any] = {"id": self.id, "source": self.source, "kind": self.kind}
        if self.profile == "sign" and self.function:
            own = rules_for(self.profile, self.function, target, settings, general=False)
            if own:
                item["rules"] = own
        if self.terms:
            item["glossary"] = [term.to_prompt() for term in self.terms]
        if self.examples:
            item["examples"] = [{"source": s, "translation": t, "similarity": round(score)}
                                for s, t, score in self.examples]
        if self.before:
            item["context_before"] = list(self.before)
        if self.after:
            item["context_after"] = list(self.after)
        if self.placeholders:
            item["placeholders"] = self.placeholders
        return item

    @property
    def kind(self) -> str:
        """The kind of text, in words."""
        if self.profile == "prose":
            return "sentence of an official document"
        return FUNCTION_NAMES.get(self.function or "", "public sign")


@functools.cache
def _rule_rows() -> tuple[tuple[str, str, str, str], ...]:
    rows = []
    for line in RULES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        profile, function, lang, rule = line.split("\t", 3)
        rows.append((profile.strip(), function.strip(), lang.strip(), rule.strip()))
    return tuple(rows)


def _style_rules(profile: str, target: str, settings: dict[str, Any]) -> list[str]:
    """The project's style choices, stated as rules (they change the prompt version)."""
    if target != "en":
        return []
    road = ROAD_STYLES.get(settings.get("ROAD_NAME_STYLE") or "direction-before",
                           ROAD_STYLES["direction-before"])
    u_style = PINYIN_U.get(settings.get("PINYIN_U_STYLE") or "v", PINYIN_U["v"])
    return [f"Direction words in road names are written as in “{road}” (龙昆南路).",
            f"ü in pinyin names is written as in “{u_style}” (万绿园)."]


def rules_for(profile: str, function: str | None, target: str, settings: dict[str, Any],
              general: bool = True) -> list[str]:
    """The rules for a profile and target language; with ``general=False`` only the function's."""
    base = target.split("-")[0].lower()
    rules = []
    for rule_profile, rule_function, rule_lang, rule in _rule_rows():
        if rule_profile not in ("all", profile) or rule_lang not in ("*", base):
            continue
        specific = rule_function != "*"
        if specific and rule_function == function and not general or not specific and general:
            rules.append(rule)
    if general:
        rules += _style_rules(profile, base, settings)
    return rules


def language_name(code: str) -> str:
    """The English name of a language code (the model reads English instructions)."""
    return LANGUAGE_NAMES.get(code.split("-")[0].lower(), code)


def prompt_version(settings: dict[str, Any]) -> str:
    """A short digest of everything that shapes the request besides the texts."""
    digest = hashlib.sha256()
    digest.update(SYSTEM.encode("utf-8"))
    digest.update(RULES_FILE.read_bytes())
    digest.update(json.dumps(_style_rules("sign", "en", settings)).encode("utf-8"))
    return f"{PROMPT_FORMAT}+{digest.hexdigest()[:10]}"


def build_messages(segments: list[Segment], source: str, target: str, profile: str,
                   settings: dict[str, Any]) -> list[dict[str, str]]:
    """The chat messages asking for ``segments``."""
    payload = {
        "source_language": language_name(source), "target_language": language_name(target),
        "rules": rules_for(profile, None, target, settings),
        "segments": [segment.to_prompt(target, settings) for segment in segments],
    }
    return [{"role": "system", "content": SYSTEM.format(language=language_name(target))},
            {"role": "user", "content": "Translate these segments.\n"
             + json.dumps(payload, ensure_ascii=False, indent=1)}]


def reask_messages(messages: list[dict[str, str]], reply: str,
                   problems: list[tuple[Segment, str | None, list[str]]]) -> list[dict[str, str]]:
    """The conversation continued: the model's reply, then what was wrong, per segment.

    ``problems`` holds (segment, the translation given or None, problems in English).
    """
    items = []
    for segment, given, found in problems:
        item: dict[str, Any] = {"id": segment.id, "source": segment.source}
        if segment.terms:
            item["glossary"] = [term.to_prompt() for term in segment.terms]
        if segment.placeholders:
            item["placeholders"] = segment.placeholders
        if given is not None:
            item["previous_translation"] = given
        item["problems"] = found
        items.append(item)
    request = ("Some translations break the rules or the glossary. Translate these segments "
               "again, fixing every problem listed, and reply in the same JSON form with "
               "only these ids.\n" + json.dumps({"segments": items}, ensure_ascii=False, indent=1))
    return messages + [{"role": "assistant", "content": reply[:MAX_ECHOED_REPLY]},
                       {"role": "user", "content": request}]


_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n?(.*?)\n?```$", re.DOTALL)
_THINK = re.compile(r"^<think>.*?</think>\s*", re.DOTALL)


def parse_reply(content: str, ids: list[str]) -> dict[str, str]:
    """The translations of a reply by segment id; raises :class:`ReplyError` if it is not
    the JSON asked for. Ids not asked for are ignored; empty translations are left out."""
    text = _THINK.sub("", (content or "").strip()).strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    if not text:
        raise ReplyError(msg("The model's reply is empty."))
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ReplyError(msg("The model's reply is not valid JSON (%(error)s).",
                             error=str(error))) from error
    items = data.get("translations") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ReplyError(msg("The model's reply has no list of \"translations\"."))
    wanted = set(ids)
    found: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("translation"), str):
            raise ReplyError(msg("An entry of the model's reply has no \"translation\" text."))
        segment_id = str(item.get("id", "")).strip()
        translation = item["translation"].strip()
        if segment_id in wanted and translation and segment_id not in found:
            found[segment_id] = translation
    return found
