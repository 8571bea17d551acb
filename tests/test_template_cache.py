"""Compiled templates are shared by the apps of one process (server, worker, tests)."""
from __future__ import annotations

import pytest

from workbench import create_app


def test_a_second_app_renders_without_compiling_again(app, app_config, monkeypatch):
    with app.test_request_context():
        first = app.jinja_env.get_template("auth/login.html")
    assert first is not None
    second = create_app(app_config)
    assert second.jinja_env is not app.jinja_env

    def compile_again(*_args, **_kwargs):
        raise AssertionError("compiled a template the first app had compiled")

    monkeypatch.setattr(second.jinja_env, "compile", compile_again)
    with second.test_request_context():
        assert second.jinja_env.get_template("auth/login.html") is not None
    # A template nobody compiled yet is compiled (the patched compile says so).
    with second.test_request_context(), pytest.raises(AssertionError, match="compiled"):
        second.jinja_env.from_string("{{ 1 + 1 }}")


def test_an_edited_template_is_compiled_anew(app, tmp_path):
    from jinja2 import Environment, FileSystemLoader

    from workbench.web import SharedTemplateCache

    folder = tmp_path / "templates"
    folder.mkdir()
    page = folder / "page.html"
    page.write_text("one", encoding="utf-8")
    first = Environment(loader=FileSystemLoader(folder), bytecode_cache=SharedTemplateCache())
    assert first.get_template("page.html").render() == "one"
    page.write_text("two", encoding="utf-8")
    second = Environment(loader=FileSystemLoader(folder), bytecode_cache=SharedTemplateCache())
    assert second.get_template("page.html").render() == "two"
