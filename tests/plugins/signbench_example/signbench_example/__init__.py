"""An example Signbench plugin, as a county office would write one.

It adds a QA check (the office writes "Toilets", never "Toilet"), a drafting
engine (the office's own short word list) and a command (``workbench
example-hello``). The workbench loads it through the ``signbench`` entry point
declared in ``pyproject.toml``.
"""
from __future__ import annotations

import re

import click

from workbench.checks.base import WARNING, Check, CheckContext, Finding
from workbench.cli import Env, pass_env
from workbench.hooks import hookimpl
from workbench.messages import N_, msg
from workbench.mt.base import Draft, Engine, empty_draft

_TOILET = re.compile(r"\bToilet\b")


class ToiletsCheck(Check):
    """Office style: the sign for 厕所 says "Toilets"."""

    id = "example_toilets"
    name = N_("Office style: Toilets")
    severity = WARNING
    explanation = N_("This office writes “Toilets” (plural) on every toilet sign.")
    languages = frozenset({"en"})

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        """One finding per “Toilet”."""
        return [self.finding(msg("Write “%(fixed)s”.", fixed="Toilets"), match.start(),
                             match.end(), "Toilets") for match in _TOILET.finditer(target)]


class WordListEngine(Engine):
    """Drafts from the office's own short word list; nothing else."""

    id = "example"
    name = "Office word list (example plugin)"
    WORDS = {"出口": "Way Out", "厕所": "Toilets"}

    @classmethod
    def language_pairs(cls, settings: dict) -> list[tuple[str, str]]:
        """Chinese to English only."""
        return [("zh", "en")]

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Draft]:
        """The listed words; an empty draft with a reason for anything else."""
        return [Draft(self.WORDS[text], self.id) if text in self.WORDS
                else empty_draft(self.id, msg("Not in the office word list."))
                for text in texts]


@click.command("example-hello")
@pass_env
def hello(env: Env) -> None:
    """Say hello and count the counties (shows a plugin command using the database)."""
    count = env.db["counties"].count
    click.echo(f"Hello from the example plugin: {count} counties.")


@hookimpl
def register_checks() -> list[type[Check]]:
    """The office's style check."""
    return [ToiletsCheck]


@hookimpl
def register_engines() -> list[type[Engine]]:
    """The office's word list."""
    return [WordListEngine]


@hookimpl
def register_commands() -> list[click.Command]:
    """``workbench example-hello``."""
    return [hello]
