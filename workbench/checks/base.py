"""The pieces every QA check is built from: findings, the check class, the registry.

A check is one small class with an ``id``, a ``name``, a ``severity``, an
``explanation`` (the rule and how to fix a breach) and one method,
:meth:`Check.check`, that looks at a Chinese source, a foreign target, the
target language and a :class:`CheckContext`, and returns :class:`Finding` s
with character positions in the target. Checks register themselves in
:data:`CHECKS` with :func:`register`; the runner, the CLI and the web pages
list them from there.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from sqlite_utils import Database

from workbench.messages import MessageLike

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)

# "sign": every sign rule. "prose": document segments, where the sign-only rules
# (title case, no final full stop, sign patterns, pinyin generics) do not apply.
# "term": glossary entries checked on their own (no consistency look-up).
PROFILES = ("sign", "prose", "term")


@dataclass
class Finding:
    """One problem found in a target text.

    ``start``/``end`` are character offsets into the target (``end`` exclusive),
    or None when the problem is about the text as a whole (e.g. a missing term).
    """

    check: str
    severity: str
    message: MessageLike  # a message id with parameters (workbench.messages), or text
    start: int | None = None
    end: int | None = None
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The finding as plain data (JSON, templates)."""
        return asdict(self)


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

    def memo(self, key: str, compute: Any) -> Any:
        """``compute()`` once per text and key, then the stored value."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def tokens(self) -> list[Token]:
        """The words of the target."""
        return self.memo("tokens", lambda: tokenize(self.target))


class Check:
    """Base class of a QA check; subclasses set the class attributes and :meth:`check`."""

    id: ClassVar[str] = ""
    name: ClassVar[str] = ""
    severity: ClassVar[str] = ERROR
    explanation: ClassVar[str] = ""
    # Target languages the check applies to (base codes); None means every language.
    languages: ClassVar[frozenset[str] | None] = None
    profiles: ClassVar[frozenset[str]] = frozenset(PROFILES)

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

    def describe(self) -> dict[str, Any]:
        """The check as plain data for listings."""
        return {"id": self.id, "name": self.name, "severity": self.severity,
                "explanation": self.explanation,
                "languages": sorted(self.languages) if self.languages else None,
                "profiles": sorted(self.profiles)}


# id → check instance, in registration order (the order findings are reported in).
CHECKS: dict[str, Check] = {}


def register(cls: type[Check]) -> type[Check]:
    """Class decorator: add a check to :data:`CHECKS` under its id."""
    if not cls.id or cls.severity not in SEVERITIES:
        raise ValueError(f"check {cls.__name__} needs an id and a severity in {SEVERITIES}")
    CHECKS[cls.id] = cls()
    return cls
