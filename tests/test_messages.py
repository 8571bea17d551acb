"""Translatable messages: ids and parameters, stored as data, rendered per reader."""
from __future__ import annotations

import json

from workbench.errors import NotFound, Problem, ValidationError
from workbench.messages import (
    ENGLISH, Message, dumps, from_data, msg, nmsg, render, terminal_locale, translator_for,
)
from workbench.vocabulary import ROLES


def test_message_renders_english_and_chinese():
    message = msg("No user named %(name)s.", name="alice")
    assert message.render() == "No user named alice."
    assert str(message) == "No user named alice."
    zh = translator_for("zh")
    assert zh.gettext("No such record.") != "No such record."
    assert NotFound().render(zh) == zh.gettext("No such record.")


def test_message_round_trips_through_json_with_nested_labels():
    message = msg("Role %(role)s may not do this.", role=ROLES.label("officer"))
    stored = dumps(message)
    assert json.loads(stored)["params"]["role"] == {"$message": {"id": "County officer"}}
    again = from_data(stored)
    assert isinstance(again, Message)
    assert again == message
    assert again.render() == "Role County officer may not do this."


def test_plural_messages_choose_by_count():
    assert nmsg("%(n)s row", "%(n)s rows", 1).render() == "1 row"
    assert nmsg("%(n)s row", "%(n)s rows", 3).render() == "3 rows"


def test_a_broken_translation_falls_back_to_the_id():
    class Broken:
        def gettext(self, text):
            return "%(missing)s"

        def ngettext(self, singular, plural, n):
            return singular

    assert msg("Hello %(name)s", name="x").render(Broken()) == "Hello x"


def test_legacy_strings_are_shown_as_they_are():
    assert render("plain text") == "plain text"
    assert from_data("plain text") == "plain text"
    assert render([msg("a"), "b"], ENGLISH) == "a, b"


def test_validation_errors_render_every_problem_in_the_readers_language():
    error = ValidationError([Problem(msg("must be a whole number"), row=3, column="数量",
                                     value="x")])
    english = error.render()
    assert "row 3" in english and "数量" in english and "must be a whole number" in english
    assert str(error) == english


def test_terminal_locale_reads_the_usual_variables():
    assert terminal_locale({"LANG": "zh_CN.UTF-8"}) == "zh_CN.UTF-8"
    assert terminal_locale({"LANG": "C.UTF-8"}) is None
    assert terminal_locale({"LANGUAGE": "en:zh", "LANG": "zh_CN.UTF-8"}) == "en"
