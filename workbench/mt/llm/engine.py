"""``llm``: drafts from an OpenAI-compatible model server, held to the glossary.

For each text the engine builds a request segment (:mod:`.prompt`): the kind
of text, the glossary terms found in it (:func:`workbench.mt.verify.held_terms`),
translation-memory matches as examples, a document's neighbouring segments and
the placeholders that must come back. Texts already drafted under the same
model, prompt version and glossary version come from the cache (:mod:`.cache`);
the others go to the server in batches (``LLM_BATCH_SIZE`` texts,
``LLM_BATCH_CHARS`` characters), several batches at once up to
``LLM_MAX_CONCURRENCY``.

Every answer is verified (:func:`workbench.mt.verify.verify`). A text whose
draft leaves out a glossary term, uses a forbidden rendering or loses a
placeholder, or that got no usable answer, is asked again once, in the same
conversation, with the problems named. What is still wrong after that is kept
with the draft as *flags* (``Draft.flags``): the QA check ``machine_draft``
shows them until the wording is fixed. The engine never edits a model's text
itself. A reply that is not the JSON asked for is refused; if the re-ask does
not give a usable one either, the text gets no draft and the reason says why.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, ClassVar

from workbench.documents import tags
from workbench.errors import WorkbenchError
from workbench.messages import N_, Message, MessageLike, msg
from workbench.mt import memory
from workbench.mt.base import (
    PROFILE_PROSE,
    PROFILE_SIGN,
    Draft,
    DraftContext,
    Engine,
    EngineUnavailable,
    TermUse,
    empty_draft,
)
from workbench.mt.llm import cache
from workbench.mt.llm.client import ChatClient
from workbench.mt.llm.endpoints import BASE_ID, Endpoint, find_endpoint, named_endpoints
from workbench.mt.llm.prompt import (
    LANGUAGE_NAMES,
    ReplyError,
    Segment,
    build_messages,
    parse_reply,
    prompt_version,
    reask_messages,
)
from workbench.mt.verify import flag_message, held_terms, verify

TARGETS = tuple(code for code in LANGUAGE_NAMES if code != "zh")


@dataclass
class Outcome:
    """What became of one text: the draft, its flags, or why there is none."""

    text: str
    model: str
    flags: list[dict[str, Any]] = field(default_factory=list)
    reason: MessageLike | None = None


def profile_key(profile: str, function: str | None) -> str:
    """The profile as the cache and the provenance know it: ``prose``, ``sign:warning``…"""
    if profile == PROFILE_PROSE:
        return PROFILE_PROSE
    return f"{PROFILE_SIGN}:{function}" if function else PROFILE_SIGN


def batches(segments: Iterable[Segment], size: int, chars: int) -> Iterator[list[Segment]]:
    """Consecutive groups of at most ``size`` segments and (unless one alone) ``chars`` chars.

    A generator: a group is handed on as soon as it is full, so the next group's
    segments are built while the server works on it.
    """
    current: list[Segment] = []
    length = 0
    for segment in segments:
        if current and (len(current) >= max(1, size) or length + len(segment.source) > chars):
            yield current
            current, length = [], 0
        current.append(segment)
        length += len(segment.source)
    if current:
        yield current


def _english(message: MessageLike | None) -> str:
    return str(message) if message is not None else ""


class BatchAsker:
    """Asks the server for one batch, verifies, re-asks once; used from worker threads.

    Touches no database: everything it needs is in the segments.
    """

    def __init__(self, client: ChatClient, source: str, target: str, profile: str,
                 settings: dict[str, Any]) -> None:
        self.client = client
        self.source, self.target, self.profile = source, target, profile
        self.settings = settings

    def ask(self, batch: list[Segment]) -> dict[str, Outcome]:
        """An outcome for every segment of the batch, by segment id."""
        messages = build_messages(batch, self.source, self.target, self.profile, self.settings)
        reply = self.client.complete(messages)
        if reply.finish_reason == "length" and len(batch) > 1:
            # The answer was cut off at LLM_MAX_TOKENS: ask for each half on its own.
            half = len(batch) // 2
            return {**self.ask(batch[:half]), **self.ask(batch[half:])}
        model = reply.model or self.client.endpoint.model or ""
        try:
            answers, refused = parse_reply(reply.content, [s.id for s in batch]), None
        except ReplyError as error:
            answers, refused = {}, error.message
        outcomes: dict[str, Outcome] = {}
        first: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        problems: list[tuple[Segment, str | None, list[str]]] = []
        for segment in batch:
            text = answers.get(segment.id)
            if text is None:
                problems.append((segment, None, [_english(refused) or
                                                 "No translation was given for this segment."]))
                continue
            flags = verify(segment.source, text, segment.terms, self.target)
            if flags:
                first[segment.id] = (text, flags)
                problems.append((segment, text, [flag_message(f).render() for f in flags]))
            else:
                outcomes[segment.id] = Outcome(text, model)
        if problems:
            outcomes.update(self._reask(messages, reply.content, problems, first, model, refused))
        return outcomes

    def _reask(self, messages: list[dict[str, str]], reply: str,
               problems: list[tuple[Segment, str | None, list[str]]],
               first: dict[str, tuple[str, list[dict[str, Any]]]], model: str,
               refused: Message | None) -> dict[str, Outcome]:
        """Ask once more for the segments with problems; keep the better of the two answers."""
        again = self.client.complete(reask_messages(messages, reply, problems))
        model = again.model or model
        try:
            answers = parse_reply(again.content, [segment.id for segment, _g, _p in problems])
            refused_again = None
        except ReplyError as error:
            answers, refused_again = {}, error.message
        outcomes = {}
        for segment, _given, _found in problems:
            candidates = []
            if segment.id in answers:
                text = answers[segment.id]
                candidates.append((text, verify(segment.source, text, segment.terms, self.target)))
            if segment.id in first:
                candidates.append(first[segment.id])
            if not candidates:
                reason = refused_again or refused or msg("The model gave no translation for "
                                                         "this text.")
                outcomes[segment.id] = Outcome("", model, reason=msg(
                    "No usable answer from the model, even when asked again: %(reason)s",
                    reason=reason))
                continue
            # Fewer problems wins; on a tie the corrected answer.
            text, flags = min(candidates, key=lambda candidate: len(candidate[1]))
            outcomes[segment.id] = Outcome(text, model, flags)
        return outcomes


_VARIANTS: dict[str, type[LLMEngine]] = {}


class LLMEngine(Engine):
    """A chat model behind an OpenAI-compatible server (vLLM, Ollama, llama.cpp, a cloud)."""

    id = BASE_ID
    name = N_("Model server (OpenAI-compatible)")
    description = N_("A large language model on a vLLM, Ollama, llama.cpp or approved cloud "
                     "server. Glossary terms and placeholders are verified; what the model "
                     "gets wrong is flagged for QA, never passed off as clean.")
    endpoint_name: ClassVar[str] = ""

    @classmethod
    def variants(cls, settings: dict[str, Any]) -> dict[str, type[Engine]]:
        """``llm`` and one ``llm:NAME`` engine per named endpoint."""
        found: dict[str, type[Engine]] = {cls.id: cls}
        for endpoint in named_endpoints(settings):
            found[endpoint.engine_id] = _variant(endpoint.name)
        return found

    @classmethod
    def endpoint(cls, settings: dict[str, Any]) -> Endpoint:
        """This engine's endpoint as configured now."""
        return find_endpoint(settings, cls.endpoint_name)

    @classmethod
    def availability(cls, settings: dict[str, Any]) -> MessageLike | None:
        return cls.endpoint(settings).problem()

    @classmethod
    def language_pairs(cls, settings: dict[str, Any]) -> list[tuple[str, str]]:
        return [("zh", target) for target in TARGETS]

    @classmethod
    def destination(cls, settings: dict[str, Any]) -> str | None:
        endpoint = cls.endpoint(settings)
        return f"{endpoint.completions_url} ({endpoint.model})" if endpoint.url else None

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Draft]:
        return self.translate_in_context(texts, source, target)

    def _segment(self, number: int, text: str, context: DraftContext, profile: str,
                 glossary: Any, source: str, target: str) -> Segment:
        examples: list[tuple[str, str, float]] = []
        wanted = int(self.settings.get("LLM_TM_EXAMPLES") or 0)
        if self.db is not None and wanted > 0:
            matches = memory.lookup(self.db, tags.strip_tags(text), source, target,
                                    threshold=float(self.settings.get("LLM_TM_MIN_SCORE") or 50),
                                    limit=wanted)
            examples = [(m.source_text, m.target_text, m.score) for m in matches]
        around = max(0, int(self.settings.get("MT_CONTEXT_SEGMENTS", 2) or 0))
        return Segment(
            id=str(number), source=text, profile=profile, function=context.function,
            terms=held_terms(glossary, text, profile), examples=examples,
            before=tuple(tags.strip_tags(t) for t in context.before[-around:]) if around else (),
            after=tuple(tags.strip_tags(t) for t in context.after[:around]) if around else (),
            placeholders=[t.markup for t in tags.tokens(text) if t.kind != "text"])

    def translate_in_context(self, texts: list[str], source: str, target: str,
                             profile: str = PROFILE_SIGN,
                             contexts: list[DraftContext] | None = None) -> list[Draft]:
        """One draft per text: cached, else asked of the server, verified and flagged."""
        endpoint = self.endpoint(self.settings)
        problem = endpoint.problem()
        if problem is not None:
            raise EngineUnavailable(msg("The engine %(engine)s is not available: %(reason)s",
                                        engine=repr(self.id), reason=problem))
        version = prompt_version(self.settings)
        glossary = self._glossary(source, target)
        contexts = list(contexts) if contexts else [DraftContext()] * len(texts)
        keys = [cache.CacheKey(text.strip(), source, target,
                               profile_key(profile, (context or DraftContext()).function),
                               glossary.version if glossary is not None else -1,
                               endpoint.model or "", version)
                for text, context in zip(texts, contexts, strict=True)]
        outcomes: dict[str, Outcome] = {digest: Outcome(c.text, c.model, c.flags) for digest, c
                                        in cache.get_many(self.db, keys).items()}
        todo: list[int] = []  # positions of the texts to ask for, each digest once
        asked: set[str] = set()
        for number, (text, key) in enumerate(zip(texts, keys, strict=True)):
            if text.strip() and key.digest not in outcomes and key.digest not in asked:
                asked.add(key.digest)
                todo.append(number)
        if todo:
            # Built one by one (glossary, memory examples) while earlier batches are asked.
            segments = (self._segment(number, texts[number].strip(),
                                      contexts[number] or DraftContext(), profile, glossary,
                                      source, target) for number in todo)
            outcomes.update(self._ask(endpoint, segments, keys, source, target, profile))
        return [self._draft(text, key, outcomes.get(key.digest), endpoint, version,
                            glossary, profile)
                for text, key in zip(texts, keys, strict=True)]

    def _glossary(self, source: str, target: str) -> Any:
        if self.db is None:
            return None
        from workbench.glossary.match import load_glossary

        return load_glossary(self.db, source, target)

    def _ask(self, endpoint: Endpoint, segments: Iterable[Segment],
             keys: list[cache.CacheKey], source: str, target: str,
             profile: str) -> dict[str, Outcome]:
        """Outcomes of the segments by cache digest; finished ones cached even if one batch
        failed (then its error is raised, and a retry finds the others in the cache)."""
        asker = BatchAsker(ChatClient(endpoint), source, target, profile, self.settings)
        by_id: dict[str, Outcome] = {}
        failure: WorkbenchError | None = None
        with ThreadPoolExecutor(max_workers=max(1, endpoint.max_concurrency),
                                thread_name_prefix="llm") as pool:
            futures = [pool.submit(asker.ask, group) for group in
                       batches(segments, endpoint.batch_size, endpoint.batch_chars)]
            for future in futures:
                try:
                    by_id.update(future.result())
                except WorkbenchError as error:
                    failure = failure or error
        digest_of = {str(number): key.digest for number, key in enumerate(keys)}
        outcomes = {digest_of[segment_id]: outcome for segment_id, outcome in by_id.items()}
        cache.put_many(self.db, [(key, cache.CachedDraft(o.text, o.model, o.flags))
                                 for key in {k.digest: k for k in keys}.values()
                                 if (o := outcomes.get(key.digest)) is not None and o.text])
        if failure is not None:
            raise failure
        return outcomes

    def _draft(self, text: str, key: cache.CacheKey, outcome: Outcome | None,
               endpoint: Endpoint, version: str, glossary: Any, profile: str) -> Draft:
        if not text.strip():
            return empty_draft(self.id, msg("The source text is empty."), endpoint.model, version)
        if outcome is None or not outcome.text:
            reason = outcome.reason if outcome is not None else None
            return empty_draft(self.id, reason or msg("The model gave no translation."),
                               endpoint.model, version)
        terms = [TermUse(term.source, term.renderings[0] if term.renderings else "",
                         term.concept_id) for term in held_terms(glossary, text, profile)]
        return Draft(text=outcome.text, engine=self.id, model=outcome.model or endpoint.model,
                     score=None, terms=terms, prompt_version=version,
                     flags=list(outcome.flags))


def _variant(name: str) -> type[LLMEngine]:
    """The engine class of the named endpoint ``llm:NAME`` (one class per name and process)."""
    if name not in _VARIANTS:
        _VARIANTS[name] = type(f"LLMEngine_{name}", (LLMEngine,), {
            "id": f"{BASE_ID}:{name}", "endpoint_name": name,
            "name": LLMEngine.name,  # labelled per endpoint by workbench.vocabulary.ENGINES
            "__doc__": f"The model server configured as {name!r}."})
    return _VARIANTS[name]
