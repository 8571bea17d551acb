"""Interface language (Simplified Chinese / English), vocabulary labels, local times.

Template helpers, one per concern:

- ``{{ stored|msg }}`` — a domain message (id + parameters) in the reader's language;
- ``{{ code|label('sign_status') }}`` — a code's label from :mod:`workbench.vocabulary`;
- ``{{ row.ts|when }}`` — a stored UTC time in the configured zone, zone named;
- ``{{ name|actor }}`` — who did something (a system actor's label, else the name);
- ``{{ events|history }}`` — audit events as readable changes (:mod:`workbench.history`).
"""
from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from flask import current_app, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user
from markupsafe import Markup

from workbench import history as history_module
from workbench.localtime import local_time, settings_zone
from workbench.messages import Message, Translator, from_data
from workbench.messages import render as render_message
from workbench.vocabulary import ALL as VOCABULARIES
from workbench.vocabulary import SEVERITIES, actor_label

babel = Babel()


def select_locale() -> str:
    """The user's saved choice, else this session's choice, else the browser's preference."""
    languages = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.user.locale in languages:
        return current_user.user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"]


def language_name(code: str | None) -> str:
    """A BCP 47 language code's name in the interface language (ru → 俄语 / Russian)."""
    if not code:
        return ""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(str(get_locale()))
    except (UnknownLocaleError, ValueError):
        return code
    return name or code


def translator() -> Translator:
    """The request's translations, for rendering domain messages."""
    return get_translations()


def message_text(value: Any, separator: str = ", ") -> str:
    """A domain message (or a list of them, stored message data, or plain text) in the
    interface language."""
    return render_message(from_data(value), translator(), separator)


def severity_label(code: str | None) -> str:
    """A QA severity code (error, warning) as its label in the interface language."""
    return SEVERITIES.text(code, translator())


def label(code: Any, vocabulary: str) -> str:
    """A code's label from the named vocabulary (``{{ s.status|label('sign_status') }}``)."""
    if code is None or code == "":
        return ""
    return VOCABULARIES[vocabulary].text(str(code), translator())


def labels(codes: Any, vocabulary: str, separator: str = "、") -> str:
    """Several codes (a list, or text separated by ``;``) as their labels, joined."""
    if isinstance(codes, str):
        codes = [code for code in codes.replace(",", ";").split(";") if code]
    return separator.join(label(code, vocabulary) for code in codes or [])


# Old filter names, kept so that templates written before the one vocabulary still work.
_VOCAB_KINDS = {"status": "sign_status", "lang": "language", "function": "sign_function",
                "action": "sign_action", "sector": "sector", "unit_state": "unit_state",
                "domain": "unit_domain"}


def vocab(code: Any, kind: str) -> str:
    """``{{ code|vocab('status') }}``: the older spelling of :func:`label`."""
    return label(code, _VOCAB_KINDS.get(kind, kind))


def when(value: Any, seconds: bool = False) -> str:
    """A stored (UTC) time in the configured zone, with the zone: 2026-12-04 15:30 (UTC+8)."""
    return local_time(value, settings_zone(current_app.config), seconds=seconds)


def actor(name: str | None) -> str:
    """Who did something: a system actor's label (机器起草), else the person's name."""
    system = actor_label(name)
    return render_message(system, translator()) if system is not None else (name or "")


def data(value: Any, lang: str | None = None) -> Markup:
    """User data inside an interface sentence, marked as such:
    ``{{ _("Welcome, %(name)s", name=user.label|data) }}``."""
    if lang:
        return Markup('<span translate="no" lang="{}">{}</span>').format(lang, value)
    return Markup('<span translate="no">{}</span>').format(value)


def note(value: Any) -> Markup | str:
    """Text stored either as a message (the system wrote it) or as what a person typed:
    the message in the interface language, a person's text marked as data."""
    stored = from_data(value)
    if isinstance(stored, (Message, list)):
        return render_message(stored, translator())
    return data(stored) if stored else ""


def history(events: Any) -> list[history_module.Entry]:
    """Audit events as readable entries (field, before → after), for the history macro."""
    from workbench.db import get_db

    return history_module.describe(get_db(), events or [])


def init_app(app: Any) -> None:
    """Install Flask-Babel and the template helpers."""
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")
    app.jinja_env.filters["language_name"] = language_name
    # {{ finding.message|msg }}: stored message ids and parameters in the reader's language.
    app.jinja_env.filters["msg"] = message_text
    # {{ finding.severity|severity }}: Error / 错误.
    app.jinja_env.filters["severity"] = severity_label
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["labels"] = labels
    app.jinja_env.filters["vocab"] = vocab
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["actor"] = actor
    app.jinja_env.filters["history"] = history
    app.jinja_env.filters["data"] = data
    app.jinja_env.filters["note"] = note
    # {% for code, label in vocabulary('glossary_domain') %}: a vocabulary's choices.
    app.jinja_env.globals["vocabulary"] = lambda name: VOCABULARIES[name].choices(translator())
    for name, vocabulary in (("unit_state", "unit_state"), ("sign_status", "sign_status"),
                             ("block_kind", "block_kind"), ("document_status", "document_status"),
                             ("document_domain", "glossary_domain")):
        app.jinja_env.filters[name] = lambda code, _v=vocabulary: label(code, _v)

    @app.context_processor
    def _inject_locale() -> dict[str, Any]:
        return {"current_locale": str(get_locale()),
                "interface_languages": app.config["LANGUAGES"]}
