"""What the foreign text is expected to say: the glossary's renderings and the rule draft.

Two checks compare an installed text with what the workbench would write for
the same Chinese: near misses (a word one or two letters away from an expected
word) and meaning conflicts (another concept's rendering where a term's own is
missing). Both use this module, and share its results per text through
:meth:`CheckContext.memo`.

The draft comes from the rule engine through its public API
(``get_engine("rules", db).translate_batch``), cached per glossary version and
source text, so that checking the same Chinese again costs a dictionary look-up.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from workbench.checks.base import CheckContext

# Latin words of a rendering (apostrophes inside: People's, Xi'an).
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ]+(?:['’][A-Za-z]+)*")
_DRAFT_CACHE_SIZE = 50_000
_draft_cache: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_draft_lock = threading.Lock()


@dataclass(frozen=True)
class Expected:
    """One rendering the text is expected to hold: where it comes from and for what Chinese."""

    text: str
    source_text: str  # the Chinese it renders (the whole text for the draft)
    origin: str  # "glossary" or "draft"


def glossary_expectations(ctx: CheckContext) -> list[tuple[Any, int, int]]:
    """(entry, start, end) for every glossary term of the source (the whole text first)."""
    glossary = ctx.glossary
    if glossary is None or not len(glossary) or not ctx.source.strip():
        return []

    def compute() -> list[tuple[Any, int, int]]:
        from workbench.checks.pinyin import glossary_matches

        found: list[tuple[Any, int, int]] = []
        whole = glossary.lookup(ctx.source)
        if whole is not None:
            stripped = ctx.source.strip()
            start = ctx.source.find(stripped)
            found.append((whole, start, start + len(stripped)))
        for match in glossary_matches(ctx):
            if whole is None or match.entry is not whole:
                found.append((match.entry, match.start, match.end))
        return found

    return ctx.memo("glossary_expectations", compute)


def engine_draft(ctx: CheckContext) -> str:
    """The rule engine's draft of the source in the target language ('' when it has none)."""
    return ctx.memo("engine_draft", lambda: _cached_draft(ctx))


def _cached_draft(ctx: CheckContext) -> str:
    source = ctx.source.strip()
    if not source or ctx.source_lang != "zh":
        return ""
    version = getattr(ctx.glossary, "version", None)
    key = (id(ctx.db), version, ctx.target_lang, source)
    with _draft_lock:
        if key in _draft_cache:
            _draft_cache.move_to_end(key)
            return _draft_cache[key]
    text = _draft(ctx, source)
    with _draft_lock:
        _draft_cache[key] = text
        if len(_draft_cache) > _DRAFT_CACHE_SIZE:
            _draft_cache.popitem(last=False)
    return text


def _draft(ctx: CheckContext, source: str) -> str:
    from workbench.mt.base import EngineUnavailable, get_engine

    try:
        engine = get_engine("rules", ctx.db, dict(ctx.settings))
        if not engine.supports(ctx.source_lang, ctx.lang):
            return ""
        draft = engine.translate_batch([source], ctx.source_lang, ctx.lang)[0]
    except EngineUnavailable:
        return ""
    return draft.text or ""


def expected_renderings(ctx: CheckContext, with_draft: bool = True) -> list[Expected]:
    """Every rendering the text is expected to hold: acceptable glossary renderings of the
    terms in the source, then (``with_draft``) the rule engine's draft of the whole text."""
    found: list[Expected] = ctx.memo("glossary_renderings", lambda: [
        Expected(rendering, entry.source_text, "glossary")
        for entry, _start, _end in glossary_expectations(ctx)
        for rendering in entry.acceptable])
    if not with_draft:
        return found
    draft = engine_draft(ctx)
    return found + [Expected(draft, ctx.source.strip(), "draft")] if draft else found


def words(text: str) -> list[str]:
    """The Latin words of a rendering."""
    return _LATIN_WORD.findall(text)
