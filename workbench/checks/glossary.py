"""Check 1: the glossary's standard renderings are used, forbidden ones are not."""
from __future__ import annotations

import re
from typing import Any

from sqlite_utils import Database

from workbench.checks.base import WARNING, Check, CheckContext, Finding
from workbench.checks.targetmatch import find_rendering, ru_stem
from workbench.messages import N_, msg

_INNER_CAPITAL = re.compile(r"[a-z][A-Z]|[A-Z]{2}")


def _case_matters(term: str) -> bool:
    """Terms whose capitals are part of the spelling (ATM, WC, iPhone, TCM)."""
    return bool(_INNER_CAPITAL.search(term)) or term[:1].islower() and any(
        c.isupper() for c in term)


# Words that carry no meaning of their own when comparing two renderings.
_GENERAL_WORDS = frozenset({"a", "an", "the", "and", "or", "of", "to", "for", "in", "on", "at",
                            "by", "with", "from", "into", "no", "not", "do", "please", "your",
                            "caution", "danger", "warning", "only", "here", "is", "are", "be"})


def _content_stems(text: str, lang: str) -> set[str]:
    base = lang.split("-")[0].lower()
    if base in ("zh", "ja", "ko"):
        compact = "".join(ch for ch in text if not ch.isspace())
        return {compact[i:i + 2] for i in range(max(1, len(compact) - 1))}
    words = [w for w in re.findall(r"[^\W\d_]+", text.casefold()) if w not in _GENERAL_WORDS]
    if base == "ru":
        return {ru_stem(w) for w in words}
    return {_english_stem(w) for w in words if len(w) > 2}


_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "er", "ed", "es", "s", "e", "y")


def _english_stem(word: str) -> str:
    """A rough stem: one suffix off, then the first four letters (smoking/smoke → smok,
    tickets/ticketing → tick, postal/post → post)."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:4]


def related(target: str, rendering: str, lang: str) -> bool:
    """Whether ``target`` shares a content word (by stem) with ``rendering``."""
    return bool(_content_stems(target, lang) & _content_stems(rendering, lang))


def _renderings_of_all_concepts(ctx: CheckContext, db: Database, term: str,
                                lang: str) -> list[str]:
    """Preferred and admitted renderings of ``term`` in every concept that has it.

    Cached on the glossary snapshot, which a glossary change replaces.
    """
    cache: dict[tuple[str, str], list[str]] = ctx.glossary.__dict__.setdefault(
        "_qa_renderings", {})
    key = (term, lang)
    if key not in cache:
        concepts = [row[0] for row in db.execute(
            "SELECT DISTINCT concept_id FROM glossary_terms WHERE lang = ? AND text = ?",
            [ctx.source_lang, term]).fetchall()]
        renderings: list[str] = []
        for concept_id in concepts:
            renderings += [row[0] for row in db.execute(
                """SELECT text FROM glossary_terms WHERE concept_id = ? AND lang = ?
                   AND status IN ('preferred', 'admitted')""", [concept_id, lang]).fetchall()]
        cache[key] = renderings
    return cache[key]


def _telling(rendering: str, term: str) -> bool:
    """Whether a forbidden rendering is wrong wherever the term appears: several words
    ("Car Rent", "Tourist Stop"), or the term's bare pinyin ("Lu" for 路)."""
    if len(rendering.split()) > 1:
        return True
    from workbench.checks.pinyin import _alignments, is_pinyin_word, normalize_word
    return is_pinyin_word(rendering) and any(
        start == 0 and end == len(term)
        for start, end, _used in _alignments(normalize_word(rendering), term))


def _status_message(status: str, written: str, term: str, better: str | None) -> Any:
    """Why a forbidden or deprecated rendering is flagged, naming the preferred one."""
    if status == "forbidden":
        if better:
            return msg("“%(written)s” is a forbidden rendering of %(term)s in the glossary. "
                       "Use “%(rendering)s”.", written=written, term=term, rendering=better)
        return msg("“%(written)s” is a forbidden rendering of %(term)s in the glossary.",
                   written=written, term=term)
    if better:
        return msg("“%(written)s” is a deprecated rendering of %(term)s in the glossary. "
                   "Use “%(rendering)s”.", written=written, term=term, rendering=better)
    return msg("“%(written)s” is a deprecated rendering of %(term)s in the glossary.",
               written=written, term=term)


def _covered(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


class GlossaryCheck(Check):
    """Terms of the glossary found in the Chinese must be rendered as the glossary says."""

    id = "glossary"
    name = N_("Glossary terms")
    explanation = N_("When the Chinese text is a verified glossary term, the foreign text uses "
                     "one of its renderings (preferred or admitted) or a close variant of one; "
                     "where the Chinese contains any glossary term, a deprecated or forbidden "
                     "rendering of it is never used; capitals of abbreviations are kept (ATM, "
                     "WC). Fix: replace the wording by the glossary's preferred rendering.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        glossary = ctx.glossary
        if glossary is None or not len(glossary) or not source.strip() or not target.strip():
            return []
        findings: list[Finding] = []
        from workbench.checks.pinyin import glossary_matches
        whole = glossary.lookup(source)
        matches = glossary_matches(ctx)
        lang_code = ctx.target_lang or lang
        for term_match in matches:
            entry = term_match.entry
            findings += self._entry(entry, target, lang_code,
                                    exact=whole is not None and entry is whole)
        if whole is not None and not any(m.entry is whole for m in matches):
            findings += self._entry(whole, target, lang_code, exact=True)
        if findings and whole is not None:
            findings = self._drop_admitted_elsewhere(ctx, whole.source_text, findings,
                                                     target, lang_code)
        if whole is not None and not findings:
            findings += self._pinyin_instead(whole, ctx)
        return findings

    def _drop_admitted_elsewhere(self, ctx: CheckContext, term: str, findings: list[Finding],
                                 target: str, lang: str) -> list[Finding]:
        """Findings less those that another concept with the same Chinese term answers.

        The glossary snapshot keeps one concept per Chinese wording (餐厅 as a restaurant);
        another concept (餐厅 as a dining room) may render it otherwise, and both are right.
        """
        if ctx.db is None:
            return findings
        renderings = _renderings_of_all_concepts(ctx, ctx.db, term, lang)
        spans = [span for r in renderings for span in find_rendering(r, target, lang)]
        kept = []
        for finding in findings:
            if finding.start is None:
                if spans or any(related(target, r, lang) for r in renderings):
                    continue
            elif _covered((finding.start, finding.end or finding.start), spans):
                continue
            kept.append(finding)
        return kept

    def _pinyin_instead(self, entry: Any, ctx: CheckContext) -> list[Finding]:
        """The whole text written in pinyin where the glossary translates it (出口 "Chukou")."""
        if ctx.lang in ("zh", "ja", "ko", "ru") or not entry.target or not ctx.tokens:
            return []
        if any(find_rendering(r, ctx.target, ctx.target_lang) for r in entry.acceptable):
            return []  # the glossary itself admits the pinyin (牌坊 Paifang)
        from workbench.checks.pinyin import HAN, analyse, is_pinyin_word
        if any(is_pinyin_word(word) and len(word) > 1
               for word in re.findall(r"[A-Za-z'’]+", entry.target)):
            return []  # the glossary's own rendering keeps a name in pinyin
        aligned = analyse(ctx).aligned
        if len(aligned) != len(ctx.tokens):
            return []
        covered = {i for a in aligned.values() for i in range(a.start, a.end)}
        han = {m.start() + k for m in HAN.finditer(ctx.source) for k in range(len(m.group()))}
        if not han or not han <= covered:
            return []
        return [self.finding(
            msg("“%(written)s” is the pinyin of %(term)s, not a translation: write "
                "“%(rendering)s”.", written=ctx.target.strip(), term=entry.source_text,
                rendering=entry.target), 0, len(ctx.target.rstrip()), suggestion=entry.target)]

    def _entry(self, entry: Any, target: str, lang: str, exact: bool) -> list[Finding]:
        findings: list[Finding] = []
        acceptable_spans: list[tuple[int, int]] = []
        found_case_issue = []
        for rendering in entry.acceptable:
            spans = find_rendering(rendering, target, lang)
            acceptable_spans += spans
            if _case_matters(rendering):
                for start, _end in spans:
                    written = target[start:start + len(rendering)]
                    if written != rendering and written.lower() == rendering.lower():
                        found_case_issue.append((start, start + len(rendering), rendering))
        for start, end, rendering in found_case_issue:
            findings.append(self.finding(
                msg("Write “%(rendering)s” with the glossary's capitals.", rendering=rendering),
                start, end, suggestion=rendering, severity=WARNING))
        for status, severity in (("forbidden", "error"), ("deprecated", WARNING)):
            for rendering in getattr(entry, status):
                if not exact and not _telling(rendering, entry.source_text):
                    # Inside a longer text a one-word rendering may be right in context
                    # (角 "Corner" in 街角 Corner Café, 收费 "Toll" in 收费站 Toll Station).
                    continue
                for span in find_rendering(rendering, target, lang):
                    if _covered(span, acceptable_spans):
                        continue
                    better = entry.target
                    findings.append(self.finding(
                        _status_message(status, target[span[0]:span[1]], entry.source_text,
                                        better), span[0], span[1],
                        suggestion=better, severity=severity))
        if exact and entry.verified and entry.acceptable and not acceptable_spans \
                and not findings and not any(related(target, r, lang) for r in entry.acceptable):
            # Only a term that experts verified (a standard's entry) is held against other
            # wordings; "common usage" entries list some renderings, not all good ones.
            # A wording sharing its key word with a glossary rendering ("Quiet Please" for
            # "Please Keep Quiet") is a variant, not a mistranslation.
            shown = "”, “".join(entry.acceptable[:4])
            findings.append(self.finding(
                msg("The glossary renders %(term)s as “%(renderings)s”: use “%(rendering)s”.",
                    term=entry.source_text, renderings=shown, rendering=entry.target),
                None, None, suggestion=entry.target))
        return findings
