"""The pieces every QA check is built from: findings, the check class, the registry.

A check is one small class with an ``id``, a ``name``, a ``severity``, an
``explanation`` (the rule and how to fix a breach) and one method,
:meth:`Check.check`, that looks at a Chinese source, a foreign target, the
target language and a :class:`CheckContext`, and returns :class:`Finding` s
with character positions in the target. Checks are registered through the
``register_checks`` hook (the built-in ones in :mod:`workbench.checks.plugin`);
the runner, the CLI and the web pages list them with
:func:`workbench.plugins.checks`.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar, cast

from sqlite_utils import Database

from workbench.messages import Message, MessageLike, Translator, from_data, render
from workbench.vocabulary import SEVERITIES as SEVERITY_VOCABULARY

ERROR = "error"
WARNING = "warning"
# The severities a finding may have (codes and labels in workbench.vocabulary).
SEVERITIES = SEVERITY_VOCABULARY.codes

# "sign": every sign rule. "prose": document segments, where the sign-only rules
# (title case, no final full stop, sign patterns, pinyin generics) do not apply.
# "term": glossary entries checked on their own (no consistency look-up).
# Every kind of text goes through the one runner (workbench.checks.run_checks); its caller
# names the profile: a sign's wording and a sign's installed texts "sign", a document
# segment "prose", a glossary entry "term". What differs per profile lives in the checks
# (``profiles`` and ``applies``).
PROFILES = ("sign", "prose", "term")
# Profiles whose texts carry formatting placeholders ({1}…{/1}, {2/}): checks read them
# without the placeholders unless they set ``sees_markup`` (the placeholder check).
MARKUP_PROFILES = frozenset({"prose"})

_Value = TypeVar("_Value")


@dataclass
class Finding:
    """One problem found in a target text.

    ``message`` is a :class:`~workbench.messages.Message` (an id and named
    parameters), rendered in the reader's language wherever it is shown and
    stored as data (:func:`workbench.messages.dumps`), never as English text.
    ``start``/``end`` are character offsets into the target (``end`` exclusive),
    or None when the problem is about the text as a whole (e.g. a missing term).
    ``suggestion`` is replacement text for the flagged words (or the whole text).
    """

    check: str
    severity: str
    message: MessageLike  # a message id with parameters (workbench.messages), or text
    start: int | None = None
    end: int | None = None
    suggestion: str | None = None

    def text(self, translator: Translator | None = None) -> str:
        """The message in the translator's language (English when none is given)."""
        return render(self.message, translator)

    def to_dict(self, translator: Translator | None = None) -> dict[str, Any]:
        """The finding as plain JSON-ready data: ``message`` rendered, plus its id and params."""
        message = self.message
        data = message.to_dict() if isinstance(message, Message) else {"id": str(message)}
        return {"check": self.check, "severity": self.severity,
                "message": self.text(translator), "message_id": data["id"],
                "params": data.get("params") or {}, "start": self.start, "end": self.end,
                "suggestion": self.suggestion}

    def key(self, target: str) -> str:
        """What identifies this finding on ``target`` whatever else the text says.

        The check, the message id and parameters, and the words flagged (not their
        position): an edit elsewhere in the text keeps the key, a change that makes
        the check say something else about other words gives a new one. A reviewer's
        dismissal is tied to this key.
        """
        return finding_key(self.check, self.message, target, self.start, self.end)


def finding_key(check: str, message: Any, target: str | None, start: int | None,
                end: int | None) -> str:
    """The key of a finding (see :meth:`Finding.key`); ``message`` may be stored data."""
    stored = from_data(message)
    data = stored.to_dict() if isinstance(stored, Message) else {"id": str(stored)}
    flagged = (target or "")[start:end] if start is not None and end is not None else ""
    # A rule of a family ("punctuation.final_stop") is keyed by its family, so a check split
    # into one check per rule keeps the keys (and the dismissals) of its findings.
    material = json.dumps([check_family(check), data, flagged], ensure_ascii=False,
                          sort_keys=True)
    return hashlib.sha1(material.encode("utf-8")).hexdigest()[:20]


def check_family(check_id: str) -> str:
    """The family of a check id: ``punctuation`` for ``punctuation.final_stop``; a check
    outside any family is its own family."""
    return check_id.split(".", 1)[0]


@dataclass
class Token:
    """A word of the target with its position."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        """The word in lower case."""
        return self.text.lower()


# Latin words (with inner apostrophes, e.g. People's, Xi'an) and Cyrillic words.
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ]+(?:['’][A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ]+)*"
                   r"|[Ѐ-ӿ]+")


def tokenize(text: str) -> list[Token]:
    """The Latin/Cyrillic words of ``text`` with their positions (digits and signs are skipped)."""
    return [Token(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


@dataclass
class CheckContext:
    """Everything a check may look at besides the two texts.

    Checks share work through :meth:`memo` (the tokens, the pinyin alignment)
    so that a text is analysed once however many checks look at it.
    """

    source: str
    target: str
    target_lang: str
    db: Database | None = None
    function: str | None = None
    profile: str = "sign"
    extra: dict[str, Any] = field(default_factory=dict)
    glossary: Any = None
    source_lang: str = "zh"
    # Ids of the checks running on this text (a check may leave a word to another one).
    active: frozenset[str] = frozenset()
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def lang(self) -> str:
        """The target's base language code (``en`` for ``en-GB``)."""
        return self.target_lang.split("-")[0].split("_")[0].lower()

    def memo(self, key: str, compute: Callable[[], _Value]) -> _Value:
        """``compute()`` once per text and key, then the stored value."""
        if key in self._memo:
            # Each key is always computed by the same function, so it holds that type.
            return cast(_Value, self._memo[key])
        value = compute()
        self._memo[key] = value
        return value

    @property
    def tokens(self) -> list[Token]:
        """The words of the target."""
        return self.memo("tokens", lambda: tokenize(self.target))

    @property
    def settings(self) -> Mapping[str, Any]:
        """The project's settings (``context={"settings": …}``, else the process's own)."""
        given = self.extra.get("settings")
        return given if given is not None else default_settings()


@functools.lru_cache(maxsize=1)
def default_settings() -> Mapping[str, Any]:
    """The settings of this process (defaults < instance config < environment), read once:
    checks run thousands of times a second and a server's configuration does not change."""
    from workbench.config import load_settings

    return load_settings()


class Check:
    """Base class of a QA check; subclasses set the class attributes and :meth:`check`."""

    id: ClassVar[str] = ""
    # Both are message ids: mark them with N_() so that they are translated.
    name: ClassVar[str] = ""
    severity: ClassVar[str] = ERROR
    explanation: ClassVar[str] = ""
    # Target languages the check applies to (base codes); None means every language.
    languages: ClassVar[frozenset[str] | None] = None
    profiles: ClassVar[frozenset[str]] = frozenset(PROFILES)
    # Whether the check reads the texts as written, placeholders included (see MARKUP_PROFILES).
    sees_markup: ClassVar[bool] = False
    # The family of a check that is one rule of several ("punctuation"): its id is
    # "<family>.<rule>", and switching the family off switches off every rule of it.
    family: ClassVar[str] = ""

    def applies(self, ctx: CheckContext) -> bool:
        """Whether the check runs for this text's language and profile."""
        if ctx.profile not in self.profiles:
            return False
        return self.languages is None or ctx.lang in self.languages

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        """The findings for one text (override in each check)."""
        raise NotImplementedError

    def finding(self, message: MessageLike, start: int | None = None, end: int | None = None,
                suggestion: str | None = None, severity: str | None = None) -> Finding:
        """A finding of this check (its default severity unless given)."""
        return Finding(self.id, severity or self.severity, message, start, end, suggestion)

    def describe(self, translator: Translator | None = None) -> dict[str, Any]:
        """The check as plain data for listings (name and explanation in the translator's
        language; English when none is given)."""
        return {"id": self.id, "name": render(Message(self.name), translator),
                "severity": self.severity,
                "explanation": render(Message(self.explanation), translator),
                "languages": sorted(self.languages) if self.languages else None,
                "profiles": sorted(self.profiles), "family": self.family or None}
