"""Glossary enforcement for neural engines: a draft never contradicts a preferred term.

Before translation, every glossary term found in the source is masked with a
placeholder (``ZX1Z``, ``ZX2Z``…) that translation models copy through; after
translation each placeholder is replaced by the term's preferred rendering. If
the model lost or duplicated a placeholder, the source is instead translated
piecewise: the text between terms goes to the model, the terms are put in
between as the glossary writes them. Finally every forbidden rendering known
to the glossary is replaced by its concept's preferred one, so no draft
contains a forbidden term.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from workbench.glossary.match import Glossary, TermMatch, normalize
from workbench.mt.base import TermUse

PLACEHOLDER = "ZX{}Z"
_PLACEHOLDER = re.compile(r"ZX\s?(\d+)\s?Z", re.IGNORECASE)

# translate(list of source texts) -> list of (text, score or None), same order.
Translate = Callable[[list[str]], list[tuple[str, float | None]]]


@dataclass
class Masked:
    """A source text with its protected terms replaced by placeholders."""

    source: str
    masked: str
    matches: list[TermMatch] = field(default_factory=list)

    @property
    def terms(self) -> list[TermUse]:
        """The glossary terms protected in this text."""
        return [TermUse(m.entry.source_text, m.entry.target or "", m.entry.concept_id)
                for m in self.matches]


def mask(text: str, glossary: Glossary | None) -> Masked:
    """Replace every glossary term with a preferred target rendering by a placeholder."""
    if glossary is None:
        return Masked(text, text)
    # One-character terms (山, 台, 路…) are too ambiguous to force on a model.
    matches = [m for m in glossary.match(text) if m.entry.target and m.end - m.start >= 2]
    if not matches:
        return Masked(text, text)
    pieces, last = [], 0
    for number, found in enumerate(matches, 1):
        pieces.append(text[last:found.start])
        pieces.append(f" {PLACEHOLDER.format(number)} ")
        last = found.end
    pieces.append(text[last:])
    return Masked(text, re.sub(r"\s+", " ", "".join(pieces)).strip(), matches)


def restore(output: str, masked: Masked) -> str | None:
    """The output with placeholders replaced by preferred terms; None if any was lost."""
    if not masked.matches:
        return output
    found = [int(n) for n in _PLACEHOLDER.findall(output)]
    if sorted(found) != list(range(1, len(masked.matches) + 1)):
        return None

    def replace(placeholder: re.Match[str]) -> str:
        return masked.matches[int(placeholder.group(1)) - 1].entry.target or ""

    return re.sub(r"\s+", " ", _PLACEHOLDER.sub(replace, output)).strip()


def _pieces(masked: Masked) -> list[tuple[str, TermMatch | None]]:
    """The source as alternating free text and glossary terms, in order."""
    pieces: list[tuple[str, TermMatch | None]] = []
    last = 0
    for found in masked.matches:
        if masked.source[last:found.start].strip():
            pieces.append((masked.source[last:found.start].strip(), None))
        pieces.append((masked.source[found.start:found.end], found))
        last = found.end
    if masked.source[last:].strip():
        pieces.append((masked.source[last:].strip(), None))
    return pieces


@dataclass
class ForbiddenIndex:
    """Every forbidden rendering of a glossary (case-folded) with its concept's preferred one."""

    automaton: Any
    size: int
    # The source wordings of each concept with forbidden renderings (folded), so that a
    # rendering is only replaced when the source speaks of that concept.
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)


def forbidden_index(glossary: Glossary | None) -> ForbiddenIndex | None:
    """An Aho-Corasick automaton of the glossary's forbidden renderings (cached per snapshot)."""
    if glossary is None:
        return None
    cached: ForbiddenIndex | None = getattr(glossary, "_forbidden_index", None)
    if cached is not None:
        return cached
    automaton = ahocorasick.Automaton()
    size = 0
    sources: dict[str, list[str]] = {}
    for key_source, entry in glossary.entries.items():
        if not entry.target or not entry.forbidden:
            continue
        sources.setdefault(entry.concept_id, []).append(key_source)
        for wrong in entry.forbidden:
            key = wrong.strip().casefold()
            if key and key != entry.target.casefold():
                automaton.add_word(key, (len(key), entry.target, entry.concept_id))
                size += 1
    if size:
        automaton.make_automaton()
    index = ForbiddenIndex(automaton, size, {c: tuple(s) for c, s in sources.items()})
    object.__setattr__(glossary, "_forbidden_index", index)
    return index


def _word_char(char: str) -> bool:
    # An apostrophe joins pinyin syllables (Xi'an): "Xi" there is not a word of its own.
    return char.isalnum() or char in "'’"


def _inside_rendering(folded: str, start: int, end: int, preferred: str) -> bool:
    """Whether ``folded[start:end]`` lies within the preferred rendering itself.

    "Not Touch" is forbidden for 请勿触摸, yet it is part of the correct "Do Not Touch";
    replacing it there would write "Do Do Not Touch".
    """
    wanted = preferred.casefold()
    position = folded.find(wanted)
    while position != -1:
        if position <= start and position + len(wanted) >= end:
            return True
        position = folded.find(wanted, position + 1)
    return False


def remove_forbidden(text: str, glossary: Glossary | None, min_words: int = 1,
                     source: str | None = None) -> tuple[str, list[str]]:
    """Replace forbidden renderings (whole words, any case) by the preferred ones.

    With ``source``, only renderings forbidden for a concept the source mentions are
    replaced: "No Fireworks" is wrong for 严禁烟火 (No Open Flames) but right for
    禁止燃放烟花爆竹.

    Returns the text and the forbidden renderings that were replaced. Longest
    matches win and never overlap. ``min_words=2`` leaves one-word forbidden
    renderings alone (pinyin generics such as "Lu" or "Xi" are forbidden for the
    generic, yet a correct pinyin specific part may be spelt the same).
    """
    index = forbidden_index(glossary)
    if index is None or not index.size or not text:
        return text, []
    folded = text.casefold()
    if len(folded) != len(text):  # a character whose case folding changes length
        return text, []
    found = []
    folded_source = normalize(source) if source is not None else None
    for end, (length, preferred, concept) in index.automaton.iter(folded):
        start = end - length + 1
        if folded_source is not None and not any(
                term in folded_source for term in index.sources.get(concept, ())):
            continue
        if (start > 0 and _word_char(folded[start - 1])) or (
                end + 1 < len(folded) and _word_char(folded[end + 1])):
            continue
        if min_words > 1 and len(folded[start:end + 1].split()) < min_words:
            continue
        if _inside_rendering(folded, start, end + 1, preferred):
            continue
        if preferred.casefold().startswith(folded[start:end + 1] + " ") and \
                folded[end + 1:end + 2] == " ":
            # "No Picking" is forbidden because it does not say what; "No Picking the
            # Flowers" does, and must not become "No Picking Flowers the Flowers".
            continue
        found.append((start, end + 1, preferred))
    if not found:
        return text, []
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    chosen: list[tuple[int, int, str]] = []
    for candidate in found:
        if all(candidate[1] <= c[0] or candidate[0] >= c[1] for c in chosen):
            chosen.append(candidate)
    chosen.sort()
    pieces, last, replaced = [], 0, []
    for start, end, preferred in chosen:
        pieces.append(text[last:start])
        pieces.append(preferred)
        replaced.append(text[start:end])
        last = end
    pieces.append(text[last:])
    return "".join(pieces), replaced


def translate_enforced(texts: list[str], glossary: Glossary | None,
                       translate: Translate) -> list[tuple[str, float | None, list[TermUse]]]:
    """Translate ``texts`` with ``translate`` keeping every glossary term as the glossary says.

    Returns (text, score, terms used) per input, in order. Texts made only of
    glossary terms never reach the model.
    """
    masked = [mask(text, glossary) for text in texts]
    results: list[tuple[str, float | None, list[TermUse]] | None] = [None] * len(texts)
    to_model = [i for i, m in enumerate(masked) if not _all_terms(m)]
    outputs = translate([masked[i].masked for i in to_model]) if to_model else []
    retry: list[int] = []
    for index, (output, score) in zip(to_model, outputs, strict=True):
        restored = restore(output, masked[index])
        if restored is None:
            retry.append(index)
        else:
            results[index] = (restored, score, masked[index].terms)
    # Placeholders lost by the model: translate the free text between terms on its own.
    free = [(index, text) for index in retry + [i for i, m in enumerate(masked)
                                                  if _all_terms(m)]
            for text, found in _pieces(masked[index]) if found is None]
    free_outputs = dict(zip(range(len(free)), translate([t for _i, t in free]) if free else [],
                            strict=True))
    cursor = 0
    for index in retry + [i for i, m in enumerate(masked) if _all_terms(m)]:
        words, scores = [], []
        for text, found in _pieces(masked[index]):
            if found is not None:
                words.append(found.entry.target or text)
            else:
                output, score = free_outputs[cursor]
                cursor += 1
                words.append(output)
                if score is not None:
                    scores.append(score)
        results[index] = (" ".join(w for w in words if w), min(scores) if scores else None,
                          masked[index].terms)
    final = []
    for text, score, terms in results:  # type: ignore[misc]
        text, _replaced = remove_forbidden(text, glossary)
        final.append((text, score, terms))
    return final


def _all_terms(masked: Masked) -> bool:
    return bool(masked.matches) and not _PLACEHOLDER.sub("", masked.masked).strip()
