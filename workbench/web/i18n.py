"""Interface language (Simplified Chinese / English) and language display names."""
from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from flask import current_app, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user

from workbench.messages import Translator, from_data
from workbench.messages import render as render_message

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


def init_app(app: Any) -> None:
    """Install Flask-Babel and the template helpers."""
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")
    app.jinja_env.filters["language_name"] = language_name
    # {{ finding.message|msg }}: stored message ids and parameters in the reader's language.
    app.jinja_env.filters["msg"] = message_text

    @app.context_processor
    def _inject_locale() -> dict[str, Any]:
        return {"current_locale": str(get_locale()),
                "interface_languages": app.config["LANGUAGES"]}
