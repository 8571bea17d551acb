"""Engines, drafts and the engine registry.

An engine is a small class with an ``id``, a display ``name``, the language
pairs it supports and one method, :meth:`Engine.translate_batch`. Engines are
registered through the ``register_engines`` hook (the built-in ones in
:mod:`workbench.mt.plugin`); the UI and the CLI list them with
:func:`list_engines` and build one with :func:`get_engine`. An engine class may
say it is unavailable (no model folder, a library missing) through
:meth:`Engine.availability`; it is then listed with the reason but not offered.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from sqlite_utils import Database

from workbench.errors import TemporaryFailure, WorkbenchError
from workbench.messages import Message, MessageLike, msg, to_data

ORIGIN_TM_EXACT = "tm-exact"
ORIGIN_TM_FUZZY = "tm-fuzzy"
ORIGIN_ENGINE = "engine"

# What kind of text is drafted: a sign (short, standard patterns by function) or
# prose (document sentences). The pipeline picks the engine per profile.
PROFILE_SIGN = "sign"
PROFILE_PROSE = "prose"
DRAFT_PROFILES = (PROFILE_SIGN, PROFILE_PROSE)


@dataclass(frozen=True)
class DraftContext:
    """What an engine may know about one text besides its wording.

    ``function`` is the sign's kind (prohibition, warning, …) when known;
    ``before``/``after`` are the neighbouring segments of a document, nearest
    last/first. Engines that cannot use context ignore it.
    """

    function: str | None = None
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class TermUse:
    """A glossary term a draft relied on: the source wording, the rendering used, the concept."""

    source: str
    target: str
    concept_id: str | None = None


@dataclass(frozen=True)
class UnknownSpan:
    """A part of the source no rule could translate, left as it is in a partial draft.

    ``source`` is the untranslated source wording; ``start``/``end`` are its
    position in the draft's ``text`` (where it stands, untranslated, between the
    translated parts), so a page can highlight it and QA can point at it.
    """

    source: str
    start: int
    end: int


@dataclass
class Draft:
    """One machine draft with its provenance. An empty ``text`` always comes with a ``reason``.

    ``score`` is the engine's confidence (0–1) where it has one; for translation
    memory hits ``tm_score`` is the rapidfuzz similarity (0–100) and ``tm_id``
    the memory entry it came from. A *partial* draft (``unknown`` not empty)
    translates what the rules know and keeps each unknown part in the source
    language at its place, listed in ``unknown``; ``reason`` then says what is
    missing. ``reason`` is a translatable :class:`~workbench.messages.Message`
    (plain text only from engines that have nothing better).
    """

    text: str
    engine: str
    model: str | None = None
    score: float | None = None
    terms: list[TermUse] = field(default_factory=list)
    reason: MessageLike | None = None
    origin: str = ORIGIN_ENGINE
    tm_id: int | None = None
    tm_score: float | None = None
    tm_source: str | None = None
    # The prompt (or rule set) version the draft was made with, for provenance.
    prompt_version: str | None = None
    # Problems the engine found in its own draft and could not get fixed (a glossary
    # term not used, a placeholder lost): plain data that the QA check
    # ``machine_draft`` turns into findings (see workbench.mt.llm.verify).
    flags: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[UnknownSpan] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the engine gave no draft (see ``reason``)."""
        return not self.text

    @property
    def partial(self) -> bool:
        """True when parts of the source are left untranslated (see ``unknown``)."""
        return bool(self.text and self.unknown)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (terms and unknown spans as dicts, the reason as a message dict)."""
        data = asdict(self)
        data["reason"] = to_data(self.reason)
        return data


def empty_draft(engine: str, reason: MessageLike, model: str | None = None,
                prompt_version: str | None = None) -> Draft:
    """A draft that says why there is no text instead of guessing."""
    return Draft(text="", engine=engine, model=model, score=None, reason=reason,
                 prompt_version=prompt_version)


class EngineUnavailable(WorkbenchError):
    """The engine asked for cannot run here (unknown, no model, library missing)."""


class EngineTemporarilyFailed(TemporaryFailure):
    """The engine's server failed or timed out even after retries; trying later may work.

    Background jobs retry work that fails this way; a caller drafting
    interactively shows the message.
    """


class Engine:
    """Base class of every engine; subclasses set ``id``/``name`` and implement translate_batch."""

    id: ClassVar[str] = ""
    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __init__(self, db: Database | None, settings: dict[str, Any]) -> None:
        self.db = db
        self.settings = settings

    @classmethod
    def availability(cls, settings: dict[str, Any]) -> MessageLike | None:
        """None when the engine can run with these settings, else the reason it cannot."""
        return None

    @classmethod
    def variants(cls, settings: dict[str, Any]) -> dict[str, type[Engine]]:
        """The engines this class provides with these settings, by id (usually just itself).

        An engine family (one model server per configured endpoint) answers one
        subclass per endpoint, each with its own id.
        """
        return {cls.id: cls}

    @classmethod
    def destination(cls, settings: dict[str, Any]) -> str | None:
        """Where the texts to translate are sent; None when they stay on this machine."""
        return None

    @classmethod
    def language_pairs(cls, settings: dict[str, Any]) -> list[tuple[str, str]]:
        """The (source, target) pairs this engine translates with these settings."""
        return []

    def supports(self, source: str, target: str) -> bool:
        """Whether ``source`` → ``target`` is one of the engine's pairs."""
        return (source, target) in self.language_pairs(self.settings)

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Draft]:
        """One draft per text, in order (an empty draft with a reason where there is none)."""
        raise NotImplementedError

    def translate_in_context(self, texts: list[str], source: str, target: str,
                             profile: str = PROFILE_SIGN,
                             contexts: list[DraftContext] | None = None) -> list[Draft]:
        """Like :meth:`translate_batch`, knowing the profile and each text's context.

        Engines that make use of the sign's function or a document's neighbouring
        segments override this; the others translate the texts alone.
        """
        return self.translate_batch(texts, source, target)


@dataclass(frozen=True)
class EngineInfo:
    """What the UI and CLI show about a registered engine."""

    id: str
    name: MessageLike  # the engine's label (workbench.vocabulary.ENGINES)
    description: MessageLike
    available: bool
    reason: MessageLike | None
    pairs: list[tuple[str, str]]
    # Where texts go when this engine drafts (None: they stay on this machine).
    destination: str | None = None


def engine_classes(settings: dict[str, Any] | None = None) -> dict[str, type[Engine]]:
    """Every registered engine class by id; with ``settings``, each family's variants too."""
    from workbench import plugins

    registered = plugins.engines()
    if settings is None:
        return dict(registered)
    classes: dict[str, type[Engine]] = {}
    for engine_class in registered.values():
        classes.update(engine_class.variants(settings))
    return classes


def list_engines(settings: dict[str, Any] | None = None,
                 include_unavailable: bool = False) -> list[EngineInfo]:
    """The registered engines with whether they can run here and their language pairs."""
    from workbench.config import load_settings
    from workbench.vocabulary import ENGINES

    settings = settings if settings is not None else load_settings()
    infos = []
    for engine_id, engine_class in engine_classes(settings).items():
        reason = engine_class.availability(settings)
        if reason and not include_unavailable:
            continue
        pairs = [] if reason else engine_class.language_pairs(settings)
        infos.append(EngineInfo(engine_id, ENGINES.label(engine_id),
                                Message(engine_class.description),
                                reason is None, reason, pairs,
                                engine_class.destination(settings)))
    return infos


def get_engine(engine_id: str, db: Database | None = None,
               settings: dict[str, Any] | None = None) -> Engine:
    """An engine by id; raises :class:`EngineUnavailable` with the reason if it cannot run.

    Engines are cheap to build: what is expensive (rule tables, jieba, neural
    models) is loaded once per process by the engine modules themselves.
    """
    from workbench.config import load_settings

    settings = settings if settings is not None else load_settings()
    classes = engine_classes(settings)
    engine_class = classes.get(engine_id)
    if engine_class is None:
        raise EngineUnavailable(msg("Unknown engine %(engine)s; known engines: %(known)s.",
                                    engine=engine_id, known=", ".join(sorted(classes))))
    reason = engine_class.availability(settings)
    if reason:
        raise EngineUnavailable(msg("The engine %(engine)s is not available: %(reason)s",
                                    engine=engine_id, reason=reason))
    return engine_class(db, settings)
