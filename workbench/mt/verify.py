"""Holding a draft to the glossary and to the source's placeholders.

An engine that cannot be forced to use the glossary (a large language model
behind a server) is checked after the fact instead:

- every glossary term of the source that the draft must render (its *held
  terms*, :func:`held_terms`) appears in one of its preferred or admitted
  renderings, and no forbidden rendering appears;
- every inline placeholder of a document segment (``{1}…{/1}``, ``{2/}``) comes
  back as often as in the source, and none is invented.

:func:`verify` returns the problems as *flags*: plain JSON-ready dicts kept with
the draft. The QA check ``machine_draft`` re-tests each recorded flag against
the wording as it is now (:func:`still_broken`), so a draft that breaks the
glossary is flagged until someone fixes it, and never passes as clean.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from workbench.checks.targetmatch import find_rendering
from workbench.documents import tags
from workbench.messages import Message, msg

TERM_MISSING = "term_missing"
TERM_FORBIDDEN = "term_forbidden"
PLACEHOLDER_MISSING = "placeholder_missing"
PLACEHOLDER_EXTRA = "placeholder_extra"
PLACEHOLDER_KINDS = frozenset({PLACEHOLDER_MISSING, PLACEHOLDER_EXTRA})

# Terms held in prose (document sentences): names and official terminology. Sign
# vocabulary (出口 Exit, 请勿 Do Not) is written for signs and would be wrong in a
# sentence (出口 is "export" in a trade report), so prose is not held to it.
PROSE_DOMAINS = frozenset({"policy", "organizations", "place_names"})


@dataclass(frozen=True)
class HeldTerm:
    """A glossary term of the source and what the draft must (and must not) write for it."""

    source: str
    concept_id: str | None
    renderings: tuple[str, ...]  # preferred first, then admitted
    forbidden: tuple[str, ...]
    must_use: bool  # False for sign operators (请勿, 禁止): patterns render them
    whole: bool  # the term is the whole source text

    def to_prompt(self) -> dict[str, Any]:
        """The term as the request states it."""
        entry: dict[str, Any] = {"term": self.source}
        if self.renderings:
            entry["use"] = list(self.renderings)
            entry["required"] = self.must_use
        if self.forbidden:
            entry["never"] = list(self.forbidden)
        return entry


@functools.cache
def _operators() -> frozenset[str]:
    from workbench.mt.rules.tables import load_tables

    return load_tables().operators


_SENTENCE_MARKS = frozenset("，。；！？,;!?")
SENTENCE_LENGTH = 16  # characters: longer sign texts are notices written as sentences


def sentence_like(text: str) -> bool:
    """Whether a sign text reads as a sentence (a notice) rather than a label."""
    return len(text) > SENTENCE_LENGTH or any(mark in text for mark in _SENTENCE_MARKS)


def _is_name_or_term(entry: Any) -> bool:
    """Names, organizations and official terminology: standard wherever they appear."""
    return entry.domain in PROSE_DOMAINS or entry.function == "name"


def held_terms(glossary: Any, source: str, profile: str = "sign") -> list[HeldTerm]:
    """The glossary terms found in ``source`` that a draft is held to, in source order.

    One-character terms (山, 面, 处) are left out: inside longer words they are
    noise. Prose is held only to names and official terminology
    (PROSE_DOMAINS). A sign must use the renderings of its names and terms, and
    of its sign vocabulary when it is a label (地下停车场: Parking); a notice
    written as a sentence only of its names (保管 is "Storage" on a label, not
    in "keep your belongings with you"), and the vocabulary is given to the
    model as guidance. Sign operators (请勿, 禁止) are rendered by patterns, and
    a term found under an admitted Chinese synonym is guidance too. Forbidden
    renderings are checked for every term.
    """
    if glossary is None or not len(glossary):
        return []
    plain = tags.strip_tags(source)
    whole_text = plain.strip()
    label = profile != "prose" and not sentence_like(whole_text)
    held: list[HeldTerm] = []
    seen: set[str] = set()
    for found in glossary.match(plain):
        entry = found.entry
        if found.end - found.start < 2 or entry.source_text in seen:
            continue
        if profile == "prose" and not _is_name_or_term(entry):
            continue
        if not entry.acceptable and not entry.forbidden:
            continue
        seen.add(entry.source_text)
        whole = plain[found.start:found.end] == whole_text
        binding = whole or _is_name_or_term(entry) or (
            label and entry.source_status == "preferred")
        held.append(HeldTerm(
            source=entry.source_text, concept_id=entry.concept_id,
            renderings=tuple(entry.acceptable), forbidden=tuple(entry.forbidden),
            must_use=bool(entry.acceptable) and binding
            and entry.source_text not in _operators(), whole=whole))
    return held


def _acceptable_spans(term: HeldTerm, text: str, lang: str) -> list[tuple[int, int]]:
    return [span for rendering in term.renderings for span in find_rendering(rendering, text, lang)]


def _forbidden_found(term: HeldTerm, text: str, lang: str) -> list[str]:
    """The forbidden renderings of ``term`` written in ``text`` (outside acceptable ones)."""
    accepted = _acceptable_spans(term, text, lang)
    found = []
    for rendering in term.forbidden:
        if len(rendering.split()) < 2 and not term.whole:
            # One word may be right inside a longer text (角 "Corner" in Corner Café).
            continue
        for start, end in find_rendering(rendering, text, lang):
            if not any(s <= start and end <= e for s, e in accepted):
                found.append(text[start:end])
                break
    return found


def verify(source: str, text: str, terms: list[HeldTerm], lang: str) -> list[dict[str, Any]]:
    """The flags of a draft: held terms not used, forbidden renderings, placeholders.

    ``source`` and ``text`` are as written (with placeholders); terms are looked
    for in the text without them.
    """
    plain = tags.strip_tags(text)
    flags: list[dict[str, Any]] = []
    for term in terms:
        if term.must_use and not _acceptable_spans(term, plain, lang):
            flags.append({"kind": TERM_MISSING, "term": term.source,
                          "concept_id": term.concept_id, "renderings": list(term.renderings)})
        for wrong in _forbidden_found(term, plain, lang):
            flags.append({"kind": TERM_FORBIDDEN, "term": term.source,
                          "concept_id": term.concept_id, "found": wrong,
                          "renderings": list(term.renderings)})
    flags += placeholder_flags(source, text)
    return flags


def placeholder_flags(source: str, text: str) -> list[dict[str, Any]]:
    """Placeholders of the source missing from ``text`` (or fewer times), and invented ones."""
    wanted, found = tags.tag_counts(source), tags.tag_counts(text)
    flags: list[dict[str, Any]] = []
    for placeholder, count in sorted(wanted.items()):
        if found.get(placeholder, 0) < count:
            flags.append({"kind": PLACEHOLDER_MISSING, "placeholder": placeholder,
                          "expected": count, "found": found.get(placeholder, 0)})
    for placeholder, count in sorted(found.items()):
        if count > wanted.get(placeholder, 0):
            flags.append({"kind": PLACEHOLDER_EXTRA, "placeholder": placeholder,
                          "expected": wanted.get(placeholder, 0), "found": count})
    return flags


def still_broken(flag: dict[str, Any], source: str, text: str, lang: str) -> bool:
    """Whether a recorded flag still holds for the wording ``text`` as it is now."""
    kind = flag.get("kind")
    plain = tags.strip_tags(text)
    renderings = tuple(flag.get("renderings") or ())
    if kind == TERM_MISSING:
        return not any(find_rendering(r, plain, lang) for r in renderings)
    if kind == TERM_FORBIDDEN:
        term = HeldTerm(str(flag.get("term", "")), None, renderings,
                        (str(flag.get("found", "")),), False, True)
        return bool(_forbidden_found(term, plain, lang))
    placeholder = str(flag.get("placeholder", ""))
    if kind == PLACEHOLDER_MISSING:
        return tags.tag_counts(text).get(placeholder, 0) < int(flag.get("expected", 1))
    if kind == PLACEHOLDER_EXTRA:
        return tags.tag_counts(text).get(placeholder, 0) > tags.tag_counts(source).get(
            placeholder, 0)
    return False


def flag_message(flag: dict[str, Any]) -> Message:
    """What a flag says, as a translatable message (also used to re-ask the model)."""
    kind = flag.get("kind")
    renderings = " / ".join(f"“{r}”" for r in (flag.get("renderings") or [])[:3])
    if kind == TERM_MISSING:
        return msg("The glossary renders %(term)s as %(renderings)s; the draft does not use it.",
                   term=flag.get("term", ""), renderings=renderings)
    if kind == TERM_FORBIDDEN:
        if renderings:
            return msg("“%(found)s” is a forbidden rendering of %(term)s in the glossary; "
                       "use %(renderings)s.", found=flag.get("found", ""),
                       term=flag.get("term", ""), renderings=renderings)
        return msg("“%(found)s” is a forbidden rendering of %(term)s in the glossary.",
                   found=flag.get("found", ""), term=flag.get("term", ""))
    if kind == PLACEHOLDER_MISSING:
        return msg("The placeholder %(placeholder)s of the source is missing from the draft "
                   "(%(found)s of %(expected)s).", placeholder=flag.get("placeholder", ""),
                   found=flag.get("found", 0), expected=flag.get("expected", 1))
    if kind == PLACEHOLDER_EXTRA:
        return msg("The placeholder %(placeholder)s is not in the source (or not so often).",
                   placeholder=flag.get("placeholder", ""))
    return msg("The draft has a problem the engine could not fix: %(kind)s.", kind=str(kind))
