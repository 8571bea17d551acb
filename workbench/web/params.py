"""Integer parameters from URLs, query strings and forms, parsed one safe way.

A number SQLite cannot hold (above 2^63) used to reach the database and
answer 500. Route converters ``<int:…>`` now stop at SQLite's range (a larger
id matches no route: 404), and query or form integers go through
:func:`int_arg` / :func:`page_arg`, built on :func:`workbench.db.to_int`.
"""
from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.routing import IntegerConverter

from workbench.db import SQLITE_INT_MAX, to_int


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` that only matches numbers an SQLite INTEGER can hold."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", SQLITE_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def int_arg(name: str, default: int | None = None, *, minimum: int | None = None,
            maximum: int | None = None, form: bool = False) -> int | None:
    """The integer query (with ``form``: form) argument ``name``; ``default`` if absent or bad."""
    source = request.form if form else request.args
    raw = source.get(name)
    if raw in (None, ""):
        return default
    value = to_int(raw, minimum=minimum, maximum=maximum)
    return default if value is None else value


def page_arg(name: str = "page") -> int:
    """The page number asked for: at least 1, and 1 for anything that is not a sane number."""
    return int_arg(name, 1, minimum=1) or 1


def int_list(values: list[str]) -> list[int]:
    """The integers among form values (e.g. ticked checkboxes), bad ones dropped."""
    return [number for number in (to_int(value) for value in values) if number is not None]


def unit_versions(values: list[str]) -> list[tuple[int, int]]:
    """Ticked ``unit:version`` form values as (unit id, version) pairs, bad ones dropped."""
    pairs = []
    for value in values:
        unit_id, _sep, version = value.partition(":")
        unit_number, version_number = to_int(unit_id, minimum=1), to_int(version, minimum=0)
        if unit_number is not None and version_number is not None:
            pairs.append((unit_number, version_number))
    return pairs


def init_app(app: Any) -> None:
    """Install the bounded converter; call before any blueprint adds its routes."""
    app.url_map.converters["int"] = BoundedIntegerConverter
