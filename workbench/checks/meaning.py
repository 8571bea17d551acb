"""Meaning conflicts: the text renders another concept than the Chinese says.

女厕所 "Men's Room", 终点站 "Next Station", 出口 "Entrance": every word is
spelled right and the pattern is fine, but the sign says the opposite of the
Chinese. A glossary term of the source whose text holds none of its accepted
renderings (nor a variant sharing its distinctive words), while the text does
hold the rendering of a *sibling* concept, is flagged. Siblings are concepts
whose Chinese differs only in the modifier before a shared head (女|厕所 and
男|厕所, 终点|站 and 下一|站) or by one of the contrast pairs of
``data/contrasts.tsv`` (男/女, 出/入, 上/下 …): that is how a sign comes to say
the wrong one of two neighbouring things, where an unrelated concept's
rendering is more often a free translation.
"""
from __future__ import annotations

import functools
import re
from typing import Any

from workbench.checks.base import Check, CheckContext, Finding
from workbench.checks.data import table
from workbench.checks.expected import glossary_expectations
from workbench.checks.glossary import _content_stems
from workbench.checks.targetmatch import find_rendering, fold
from workbench.messages import N_, msg

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
MAX_WORDS = 8  # the longest rendering looked for in the text


@functools.lru_cache(maxsize=1)
def contrasts() -> frozenset[frozenset[str]]:
    """Pairs of Chinese words that name opposite members of a pair (男/女, 出/入)."""
    return frozenset(frozenset((row["a"], row["b"])) for row in table("contrasts.tsv"))


def _common_suffix(a: str, b: str) -> int:
    size = 0
    while size < min(len(a), len(b)) and a[-1 - size] == b[-1 - size]:
        size += 1
    return size


def sibling_part(term: str, other: str) -> str | None:
    """What sets ``term`` apart from a neighbouring concept ``other``, or None when the two
    are not neighbours (see the module docstring): the modifier before a shared head (女 of
    女厕所 against 男厕所), or the member of a contrast pair (到达 of 国际到达 against 国际出发).

    With a shared head the two modifiers have no character in common (用餐大厅 is a kind
    of 餐厅, not its neighbour).
    """
    if term == other or term in other or other in term:
        return None
    shared = _common_suffix(term, other)
    if shared and shared < len(term) and shared < len(other) and HAN.match(term[-1]) \
            and not set(term[:-shared]) & set(other[:-shared]):
        return term[:-shared]
    for pair in contrasts():
        first, second = tuple(pair)
        for mine, theirs in ((first, second), (second, first)):
            if mine in term and term.replace(mine, theirs, 1) == other:
                return mine
    return None


def _reverse_index(glossary: Any) -> dict[str, tuple[Any, ...]]:
    """Folded rendering → the glossary entries that accept it (cached on the snapshot)."""
    cached: dict[str, tuple[Any, ...]] | None = glossary.__dict__.get("_qa_reverse_index")
    if cached is None:
        index: dict[str, list[Any]] = {}
        for entry in glossary.entries.values():
            for rendering in entry.acceptable:
                key = " ".join(fold(rendering).replace("-", " ").split())
                if key and len(key.split()) <= MAX_WORDS:
                    index.setdefault(key, []).append(entry)
        cached = {key: tuple(entries) for key, entries in index.items()}
        glossary.__dict__["_qa_reverse_index"] = cached
    return cached


def _word_spans(target: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"[^\W_]+(?:['’][^\W_]+)*", target)]


def _renderings_in(target: str, index: dict[str, tuple[Any, ...]]) -> list[tuple[int, int, Any]]:
    """(start, end, entries) for every run of words of the target that is a rendering."""
    spans = _word_spans(target)
    folded = fold(target)
    found = []
    for first in range(len(spans)):
        for last in range(first, min(first + MAX_WORDS, len(spans))):
            start, end = spans[first][0], spans[last][1]
            key = " ".join(re.sub(r"[^\w'’]+", " ", folded[start:end]).split())
            entries = index.get(key.replace("’", "'"))
            if entries:
                found.append((start, end, entries))
    return found


def _explained(others: tuple[Any, ...], term: str, source: str, distinct: str,
               sibling: Any) -> bool:
    """Whether the Chinese may mean what the written rendering says after all: a concept
    accepting it is in the source, shares a character with the source besides the term's own
    (扶手电梯 in the Chinese makes "escalator" right, though the glossary matched only 电梯 in
    it), or shares what sets the term apart (用餐大厅 accepts "Dining Hall": the 餐 of 餐厅)."""
    # What the two sibling parts share (国 of 国际 and 国内) explains nothing.
    own_part = set(distinct) - set(sibling_part(sibling.source_text, term) or "")
    for other in others:
        chars = set(other.source_text)
        if other.source_text in source or (chars - set(term)) & set(source) \
                or chars & own_part:
            return True
    return False


def _meaning_stems(text: str, lang: str) -> set[str]:
    """The content stems of a rendering, or its bare words when it has none (Up, Down)."""
    return _content_stems(text, lang) or set(re.findall(r"[^\W\d_]+", text.casefold()))


class MeaningCheck(Check):
    """A glossary term rendered as a neighbouring concept (女厕所 "Men's Room")."""

    id = "meaning"
    # Sign texts: a document sentence may well name a neighbouring concept on purpose.
    profiles = frozenset({"sign"})
    name = N_("Meaning conflicts")
    languages = frozenset({"en"})
    explanation = N_("A term of the Chinese that the glossary covers must not be rendered as "
                     "a neighbouring concept: 女厕所 is not “Men's Room”, 终点站 is not “Next "
                     "Station”, 出口 is not “Entrance”. The check finds text that holds none of "
                     "the term's accepted renderings but does hold the rendering of a concept "
                     "whose Chinese differs from it only in the modifier or by an opposite "
                     "(男/女, 出/入, 上/下). Fix: write the term's rendering.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        terms = [entry for entry, _start, _end in glossary_expectations(ctx)
                 if entry.acceptable]
        if not terms or not target.strip():
            return []
        spans = {entry.source_text: [span for rendering in entry.acceptable
                                     for span in find_rendering(rendering, target,
                                                                ctx.target_lang)]
                 for entry in terms}
        unrendered = [entry for entry in terms if not spans[entry.source_text]]
        if not unrendered:
            return []
        present = _renderings_in(target, _reverse_index(ctx.glossary))
        if not present:
            return []
        covered = [span for found in spans.values() for span in found]
        findings: list[Finding] = []
        for entry in unrendered:
            conflict = self._conflict(entry, target, present, covered, lang, source)
            if conflict is not None:
                start, end, other = conflict
                findings.append(self.finding(
                    msg("“%(written)s” renders %(other)s, not %(term)s: write “%(rendering)s”.",
                        written=target[start:end], other=other.source_text,
                        term=entry.source_text, rendering=entry.target),
                    start, end, suggestion=entry.target))
        return findings

    @staticmethod
    def _conflict(entry: Any, target: str, present: list[tuple[int, int, Any]],
                  covered: list[tuple[int, int]], lang: str,
                  source: str) -> tuple[int, int, Any] | None:
        """The longest sibling rendering in the text, unless the text renders the term."""
        own = set(entry.acceptable)
        own_stems = {stem for r in own for stem in _meaning_stems(r, lang)}
        target_stems = _meaning_stems(target, lang)
        best: tuple[int, int, Any] | None = None
        accounted = list(covered)  # spans the term's own renderings or variants explain
        for start, end, others in sorted(present, key=lambda p: p[0] - p[1]):  # longest first
            if any(s <= start and end <= e for s, e in accounted):
                continue  # part of an accepted rendering, or of a variant of the term
            if not _meaning_stems(target[start:end], lang) - own_stems:
                continue  # "Smoking" for 禁止吸烟 says nothing the term's renderings do not
            for other in others:
                distinct = sibling_part(entry.source_text, other.source_text)
                if distinct is None or own & set(other.acceptable):
                    continue
                if _explained(others, entry.source_text, source, distinct, other):
                    accounted.append((start, end))
                    break
                # A word of the term's renderings that the other concept does not use
                # ("Women" for 女厕所 against 男厕所) in the text: a variant of the term.
                other_stems = {stem for r in other.acceptable
                               for stem in _meaning_stems(r, lang)}
                if (own_stems - other_stems) & target_stems:
                    continue
                if best is None or end - start > best[1] - best[0]:
                    best = (start, end, other)
        return best
