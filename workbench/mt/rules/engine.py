"""The rule engine: drafts signs the way GB/T 30240 and DB46/T 506 say they are written.

A text is drafted as one clause (:mod:`phrases`: glossary, sign patterns, organization
and place names, composition), else clause by clause (split at punctuation and
spaces). Short signs put each clause on its own line (``//``); a notice written as
sentences (long, or ending with 。) gets English sentences in sentence case
(GB/T 30240.1: explanatory notices may be sentences).

When some part stays unknown, the draft is *partial*: what the rules know is
translated and each unknown part is kept in Chinese at its place, listed in
``Draft.unknown`` with the reason. A draft is empty only when (almost) nothing is
known: fewer than half of the Chinese characters.

Russian, Japanese and Korean come from the glossary, the sign patterns in each
language's own word order (撮影禁止, 주차금지, Не курить) and compounds of known terms.
"""
from __future__ import annotations

import re
from typing import Any, ClassVar

from workbench.glossary.match import Glossary, load_glossary
from workbench.messages import Message, msg
from workbench.mt.base import (
    PROFILE_PROSE, PROFILE_SIGN, Draft, DraftContext, Engine, TermUse, UnknownSpan, empty_draft,
)
from workbench.mt.enforce import remove_forbidden
from workbench.mt.rules import casing
from workbench.mt.rules.clauses import ClauseRules
from workbench.mt.rules.lexicon import (
    CJK,
    SCORE_PARTIAL,
    Rendering,
    clean_source,
    lexicon_for,
)
from workbench.mt.rules.names import ROAD_STYLES, NameRules
from workbench.mt.rules.organizations import ORG_STYLES, OrgRules
from workbench.mt.rules.phrases import PhraseRules
from workbench.mt.rules.tables import load_tables

RULE_LANGS = ("en", "ru", "ja", "ko")
CASED_LANGS = {"en"}
_CLAUSE_BREAK = re.compile(r"[\s，,。；;！!？?]+")
_SENTENCE_END = ("。", "．", "！", "!", "？", "?")
_KO_PHRASE_OPERATOR = re.compile(r"^(\S+ \S+)(금지|주의|조심)$")
# A phrase of two to five words said twice in a row: a slot's rendering that already holds
# the words its template adds (用后请冲水 → "Please Flush After Use" + " After Use").
_REPEATED_PHRASE = re.compile(r"\b((?:[A-Za-z'-]+ ){1,4}[A-Za-z'-]+) \1\b", re.IGNORECASE)
# A notice this long (Chinese characters) is written as sentences, not as a sign label.
SENTENCE_LENGTH = 14
# A partial draft needs more than this share of the source's characters translated.
MIN_KNOWN_SHARE = 0.5


class RuleComposer(PhraseRules, OrgRules, NameRules, ClauseRules):
    """Drafts for one source → target pair on one glossary snapshot."""

    _FORMS: ClassVar[dict[str, Any]] = {}  # filled below the class: slot form → method

    def __init__(self, glossary: Glossary, target: str, settings: dict[str, Any]) -> None:
        self.tables = load_tables()
        self.target = target
        self.glossary = glossary
        self.lexicon = lexicon_for(glossary, target)
        self.road_style = settings.get("ROAD_NAME_STYLE") or "direction-before"
        if self.road_style not in ROAD_STYLES:
            self.road_style = "direction-before"
        self.org_style = settings.get("ORG_NAME_STYLE") or "of"
        if self.org_style not in ORG_STYLES:
            self.org_style = "of"
        self.u_style = settings.get("PINYIN_U_STYLE") or "v"
        self.patterns = [p for p in self.tables.patterns if p.lang == target]
        self.lenient = False
        # Drafting a sign (not prose): glossary wording for running text is cased as a sign.
        self.sign_register = True

    # --- the whole text ------------------------------------------------------------------
    def draft(self, text: str) -> tuple[Rendering | None, Message | None]:
        """A rendering of a sign text (maybe partial), or None and the reason there is none."""
        source = clean_source(text)
        if not source:
            return None, msg("The source text is empty.")
        sentences = self._is_sentence(text, source)
        stop = text.strip().endswith(_SENTENCE_END)
        several = len(self._clauses_of(source)) > 1
        rendering = None if sentences and several else self.translate_clause(source)
        if rendering is not None and sentences:
            if rendering.verbatim or rendering.text in rendering.proper:
                sentences = False  # a name or a glossary entry keeps its own writing
            else:
                rendering = self._joined_clauses([rendering], True, stop)
        if rendering is None and not CJK.search(source):
            # Nothing Chinese to translate (a code, a number, a name already in Latin script).
            return Rendering(self._finish(source, keep_case=True), 0.6), None
        if rendering is None and several:
            rendering = self._by_clauses(source, sentences, stop)
        if rendering is None:
            rendering = self._partial(source, sentences, stop)
        if rendering is None:
            return None, self._reason(source)
        text = rendering.text if sentences else self._finish(rendering.text, rendering.verbatim,
                                                              rendering.proper)
        # Composed text could still spell a phrase the glossary forbids (Rental Car): never
        # let one out. One-word forbidden forms are pinyin generics (Lu, Xi) that a correct
        # pinyin specific part may equal, so they are left to the QA checks.
        rendering.text, _replaced = remove_forbidden(text, self.glossary, min_words=2,
                                                     source=source)
        return rendering, None

    def _is_sentence(self, raw: str, source: str) -> bool:
        if self.target != "en":
            return False
        chinese = len(CJK.findall(source))
        return chinese >= SENTENCE_LENGTH or raw.strip().endswith(_SENTENCE_END[:2])

    def _clauses_of(self, source: str) -> list[str]:
        return [c for c in _CLAUSE_BREAK.split(source) if c]

    def _by_clauses(self, source: str, sentences: bool, stop: bool) -> Rendering | None:
        clauses = self._clauses_of(source)
        parts = [self.translate_clause(c) for c in clauses]
        if not all(parts):
            return None
        return self._joined_clauses([p for p in parts if p is not None], sentences, stop)

    def _joined_clauses(self, parts: list[Rendering], sentences: bool, stop: bool) -> Rendering:
        parts = _merge_lead_ins(parts)
        if sentences:
            # Sentences of a notice: sentence case, each with its full stop when there are
            # several or the Chinese ends with one (GB/T 30240.1).
            texts = [casing.sentence(casing.tidy(p.text), p.proper) for p in parts]
            text = ". ".join(t.rstrip(".") for t in texts if t)
            if len(texts) > 1 or stop:
                text += "."
        else:
            text = "//".join(self._finish(p.text, p.verbatim, p.proper) for p in parts)
        return Rendering(text, min(p.score for p in parts) - 0.05,
                         [t for p in parts for t in p.terms], verbatim=True,
                         unknown=tuple(u for p in parts for u in p.unknown),
                         proper=tuple(n for p in parts for n in p.proper))

    def _partial(self, source: str, sentences: bool, stop: bool) -> Rendering | None:
        """What the rules know, with each unknown part kept in Chinese; None if too little."""
        self.lenient = True
        try:
            rendering = None if len(self._clauses_of(source)) > 1 else \
                self.translate_clause(source)
            if rendering is not None and sentences:
                rendering = self._joined_clauses([rendering], True, stop)
            if rendering is None:
                clauses = self._clauses_of(source)
                parts = [self.translate_clause(c) or Rendering(c, SCORE_PARTIAL, unknown=(c,))
                         for c in clauses]
                rendering = self._joined_clauses(parts, sentences, stop)
        finally:
            self.lenient = False
        if rendering is None:
            return None
        unknown = sum(len(u.replace(" ", "")) for u in rendering.unknown)
        total = len(source.replace(" ", "")) or 1
        if unknown and (total - unknown) / total <= MIN_KNOWN_SHARE:
            return None
        rendering.score = min(rendering.score, SCORE_PARTIAL) if unknown else rendering.score
        return rendering

    def _finish(self, text: str, keep_case: bool, proper: tuple[str, ...] = ()) -> str:
        text = casing.tidy(text) if self.target == "en" else text.strip()
        if self.target in CASED_LANGS:
            text = _REPEATED_PHRASE.sub(r"\1", text)
        if self.target in CASED_LANGS and not keep_case:
            text = casing.title_case(text, proper)
        elif self.target == "ru":
            text = casing.sentence_case(text)
        elif self.target == "ko":
            # Korean signs write a one-word notice solid (주차금지, 계단조심) and keep the
            # space after a phrase (쓰레기 투기 금지).
            text = _KO_PHRASE_OPERATOR.sub(r"\1 \2", text)
        return text

    def _reason(self, source: str) -> Message:
        unknown = self._uncovered(source)
        if self.target != "en":
            return msg("No glossary entry or sign pattern covers “%(text)s” for zh → %(lang)s; "
                       "the rule engine does not guess %(lang)s wording.",
                       text=source, lang=self.target)
        if unknown:
            return msg("No glossary entry, sign pattern or name rule covers “%(text)s” "
                       "(unknown: %(unknown)s).", text=source, unknown="、".join(unknown))
        return msg("No glossary entry, sign pattern or name rule covers “%(text)s”.",
                   text=source)

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
                if CJK.match(source[i]):
                    run += source[i]
                elif run:
                    unknown.append(run)
                    run = ""
                i += 1
        if run:
            unknown.append(run)
        return unknown


# Slot forms a pattern template may ask for: {x:gerund}, {n:number}…
RuleComposer._FORMS = {
    "noun": RuleComposer._noun, "verb": RuleComposer._imperative,
    "not": RuleComposer._negated, "act": RuleComposer._action_slot,
    "doing": RuleComposer._doing,
    "gerund": RuleComposer._gerund, "warning": RuleComposer._warning,
    "message": RuleComposer._message, "number": RuleComposer._number,
    "numeral": RuleComposer._numeral, "clause": RuleComposer._clause,
    "time": RuleComposer._time, "upper": RuleComposer._upper, "unit": RuleComposer._unit,
    "ru": RuleComposer._foreign, "ja": RuleComposer._foreign, "ko": RuleComposer._foreign,
    "lower": RuleComposer._lower, "please": RuleComposer._please,
    "pleasenot": RuleComposer._please_not, "ruverb": RuleComposer._ru_verb,
    "who": RuleComposer._who,
}


# A clause that only says why or when (为了您的安全 For Your Safety; 如遇火警 In Case of Fire)
# leads into the next one with a comma, on one line: For Your Safety, Do Not Lean on the Doors.
_LEAD_INS = ("For Your ", "For the ", "For Everyone's ", "In Case of ", "In the Event of ",
             "When ", "If ", "After ", "Before ", "During ")


def _merge_lead_ins(parts: list[Rendering]) -> list[Rendering]:
    merged: list[Rendering] = []
    leads = False  # whether the last merged part is a lead-in still waiting for its clause
    for part in parts:
        previous = merged[-1] if merged else None
        if previous is not None and leads:
            leads = False
            merged[-1] = Rendering(f"{previous.text}, {part.text}",
                                   min(previous.score, part.score), previous.terms + part.terms,
                                   verbatim=part.verbatim, unknown=part.unknown,
                                   proper=previous.proper + part.proper)
        else:
            merged.append(part)
            leads = part.text.startswith(_LEAD_INS) and not part.unknown and \
                "//" not in part.text
    return merged


def unknown_spans(text: str, unknown: tuple[str, ...]) -> list[UnknownSpan]:
    """Where each untranslated part stands in the draft text, in order."""
    spans, position = [], 0
    for part in unknown:
        start = text.find(part, position)
        if start < 0:
            continue
        spans.append(UnknownSpan(part, start, start + len(part)))
        position = start + len(part)
    return spans


class RuleEngine(Engine):
    """The embedded default: glossary, sign patterns, name rules. Needs no model."""

    id = "rules"
    name = "Rule engine (GB/T 30240, DB46/T 506)"
    description = ("Drafts from the glossary, sign patterns and name rules; "
                   "says why when it cannot.")
    version = "rules-2"

    @classmethod
    def language_pairs(cls, settings: dict[str, Any]) -> list[tuple[str, str]]:
        return [("zh", lang) for lang in RULE_LANGS]

    def composer(self, source: str, target: str) -> RuleComposer:
        """The composer for a pair on the current glossary (from the database, if any)."""
        from workbench.glossary.match import from_entries

        glossary = (load_glossary(self.db, source, target) if self.db is not None
                    else from_entries(source, target, []))
        return RuleComposer(glossary, target, self.settings)

    def translate_in_context(self, texts: list[str], source: str, target: str,
                             profile: str = PROFILE_SIGN,
                             contexts: list[DraftContext] | None = None) -> list[Draft]:
        """:meth:`translate_batch` in the profile's register (signs: title case)."""
        return self.translate_batch(texts, source, target,
                                    sign_register=profile != PROFILE_PROSE)

    def translate_batch(self, texts: list[str], source: str, target: str,
                        sign_register: bool = True) -> list[Draft]:
        """One draft per text; empty drafts carry the reason, partial ones their unknown parts."""
        if (source, target) not in self.language_pairs(self.settings):
            return [empty_draft(self.id, msg("The rule engine does not translate %(source)s → "
                                             "%(target)s.", source=source, target=target),
                                self.version) for _ in texts]
        composer = self.composer(source, target)
        composer.sign_register = sign_register
        drafts = []
        for text in texts:
            rendering, reason = composer.draft(text)
            if rendering is None:
                drafts.append(empty_draft(self.id, reason or msg("No rule applies."),
                                          self.version))
                continue
            spans = unknown_spans(rendering.text, rendering.unknown)
            drafts.append(Draft(
                text=rendering.text, engine=self.id, model=self.version,
                score=round(max(0.0, min(1.0, rendering.score)), 2),
                terms=_unique(rendering.terms), unknown=spans,
                reason=msg("Partial draft: no rule or glossary entry covers %(unknown)s.",
                           unknown="、".join(s.source for s in spans)) if spans else None))
        return drafts


def _unique(terms: list[TermUse]) -> list[TermUse]:
    seen, result = set(), []
    for term in terms:
        if term not in seen:
            seen.add(term)
            result.append(term)
    return result
