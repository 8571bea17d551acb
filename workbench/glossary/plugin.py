"""The glossary's part of the workbench: loading the shipped glossaries on ``init``, and
the ``glossary`` command.

A built-in plugin (see :mod:`workbench.plugins`), registered exactly as an
office's own plugin is; what it names is imported when a hook is first called.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.hooks import hookimpl

if TYPE_CHECKING:  # pragma: no cover
    import click

    from workbench.bootstrap import SeedStep


@hookimpl
def seed_steps() -> list[SeedStep]:
    """Load the shipped glossaries (``GLOSSARY_DIR``) when they changed."""
    from workbench.bootstrap import SeedStep
    from workbench.glossary.seed import seed_glossary

    return [SeedStep("glossary", seed_glossary)]


@hookimpl
def register_commands() -> list[click.Command]:
    """``workbench glossary``: import, export, load, stats."""
    from workbench.glossary.cli import glossary

    return [glossary]
