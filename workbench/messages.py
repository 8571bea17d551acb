"""Messages for users: a message id and named parameters, rendered in the reader's language.

Domain code never builds an English sentence for a user. It builds a
:class:`Message`::

    from workbench.messages import msg
    raise ValidationError.single(msg("Unknown sector %(value)s.", value=cell))

The id is the English template (it is also the gettext msgid, so ``make
messages`` extracts it: ``msg``, ``nmsg`` and ``N_`` are extraction keywords).
What is stored (QA findings, job progress, audit notes) is :meth:`Message.to_dict`,
never the rendered text, so a page shows it in the interface language of whoever
reads it. The web layer renders with the request's translations
(``workbench.web.i18n``), the CLI with the language of the terminal
(:func:`cli_translator`).

A parameter may itself be a :class:`Message` (a vocabulary label, say), or any
:class:`Renderable` (an input problem, say): it is rendered in the same language.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, overload, runtime_checkable

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def N_(text: str) -> str:
    """Mark ``text`` as a message id for extraction without translating it here."""
    return text


class Translator(Protocol):
    """What rendering needs: babel ``Translations``, gettext ``NullTranslations``."""

    def gettext(self, message: str) -> str: ...  # noqa: D102

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...  # noqa: D102


class _English:
    """The identity translator: ids are English."""

    @staticmethod
    def gettext(message: str) -> str:
        return message

    @staticmethod
    def ngettext(singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


ENGLISH: Translator = _English()


@runtime_checkable
class Renderable(Protocol):
    """Something shown in the reader's language that is not a Message (``Problem``)."""

    def render(self, translator: Translator | None = None) -> str: ...  # noqa: D102


@dataclass
class Message:
    """A translatable message: ``id`` (English template with ``%(name)s`` fields) and params.

    ``plural`` is the English plural template when the message counts something;
    ``count`` names the parameter that decides singular or plural (default ``n``).
    """

    id: str
    params: dict[str, Any] = field(default_factory=dict)
    plural: str | None = None
    count: str = "n"

    def render(self, translator: Translator | None = None) -> str:
        """The message in the translator's language (English when none is given)."""
        translator = translator or ENGLISH
        if self.plural is not None:
            number = int(self.params.get(self.count, 0))
            template = translator.ngettext(self.id, self.plural, number)
        else:
            template = translator.gettext(self.id)
        if not self.params:
            return template
        values = {name: render(value, translator)
                  if isinstance(value, (Message, list, tuple, Renderable))
                  else value for name, value in self.params.items()}
        try:
            return template % values
        except (KeyError, TypeError, ValueError):
            # A translation that lost or mistyped a field must not hide the message.
            try:
                return self.id % values
            except (KeyError, TypeError, ValueError):
                return self.id

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: id, params (nested messages as dicts), plural."""
        data: dict[str, Any] = {"id": self.id}
        if self.params:
            data["params"] = {name: _param_to_data(value) for name, value in self.params.items()}
        if self.plural is not None:
            data["plural"] = self.plural
            data["count"] = self.count
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        """The message stored by :meth:`to_dict`."""
        params = {name: _param_from_data(value)
                  for name, value in (data.get("params") or {}).items()}
        return cls(str(data["id"]), params, data.get("plural"), data.get("count") or "n")


def _param_to_data(value: Any) -> Any:
    if isinstance(value, Message):
        return {"$message": value.to_dict()}
    if isinstance(value, (list, tuple)):
        return [_param_to_data(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _param_from_data(value: Any) -> Any:
    if isinstance(value, dict) and "$message" in value:
        return Message.from_dict(value["$message"])
    if isinstance(value, list):
        return [_param_from_data(item) for item in value]
    return value


def msg(message_id: str, **params: Any) -> Message:
    """A message with named parameters (``msg`` is an extraction keyword)."""
    return Message(message_id, params)


def nmsg(singular: str, plural: str, n: int, **params: Any) -> Message:
    """A counted message: ``n`` is also available to the templates as ``%(n)s``."""
    return Message(singular, {"n": n, **params}, plural, "n")


MessageLike = Message | str


def render(value: Any, translator: Translator | None = None, separator: str = ", ") -> str:
    """Any message-like value as text: a Message rendered, a list joined, others as str.

    Plain strings are shown as they are: they are user data or legacy English
    text stored before messages were ids.
    """
    if value is None:
        return ""
    if isinstance(value, (Message, Renderable)):
        return value.render(translator)
    if isinstance(value, (list, tuple)):
        return separator.join(render(item, translator, separator) for item in value)
    return str(value)


def to_data(value: MessageLike | list[MessageLike] | None) -> Any:
    """What to store for a message-like value (a dict for a Message, the text otherwise;
    a list of them item by item)."""
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [to_data(item) for item in value]
    return value


def from_data(value: Any) -> MessageLike | None:
    """The message (or list of messages) stored by :func:`to_data`; also reads a JSON text
    of one."""
    if isinstance(value, Message) or value is None:
        return value
    if isinstance(value, Mapping) and "id" in value:
        return Message.from_dict(value)
    if isinstance(value, list):
        return [from_data(item) for item in value]  # type: ignore[return-value]
    if isinstance(value, str) and value.startswith(("{", "[{")) and "\"id\"" in value:
        import json

        try:
            data = json.loads(value)
        except ValueError:
            return value
        if isinstance(data, list):
            return [from_data(item) for item in data]  # type: ignore[return-value]
        return Message.from_dict(data) if isinstance(data, dict) and "id" in data else value
    return value


@overload
def dumps(value: None) -> None: ...


@overload
def dumps(value: MessageLike | list[MessageLike]) -> str: ...


def dumps(value: MessageLike | list[MessageLike] | None) -> str | None:
    """A message-like value (or a list of them) as a JSON text for a TEXT column (None stays
    None)."""
    if value is None:
        return None
    import json

    return json.dumps(to_data(value), ensure_ascii=False, sort_keys=True)


@lru_cache(maxsize=8)
def translator_for(locale: str | None) -> Translator:
    """The shipped translations for a locale (``zh``, ``en`` …); English when there are none."""
    if not locale:
        return ENGLISH
    from babel.support import Translations

    code = locale.replace("-", "_").split(".")[0]
    base = code.split("_")[0].lower()
    if base == "en":
        return ENGLISH
    translations = Translations.load(str(TRANSLATIONS_DIR), [code, base], domain="messages")
    return translations  # NullTranslations (English) when no catalogue matches


def terminal_locale(environ: Mapping[str, str] | None = None) -> str | None:
    """The language a terminal user reads, from LANGUAGE / LC_ALL / LC_MESSAGES / LANG."""
    environ = os.environ if environ is None else environ
    for variable in ("WORKBENCH_CLI_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value.split(":")[0]
    return None


def cli_translator() -> Translator:
    """The translator for command-line output (the terminal's language)."""
    return translator_for(terminal_locale())
