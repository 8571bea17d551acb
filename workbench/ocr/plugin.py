"""Reading sign photos: the ``ocr`` and ``survey`` commands.

A built-in plugin (see :mod:`workbench.plugins`), registered exactly as an
office's own plugin is; what it names is imported when a hook is first called.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.hooks import hookimpl

if TYPE_CHECKING:  # pragma: no cover
    import click


@hookimpl
def register_commands() -> list[click.Command]:
    """``workbench ocr`` (read photos) and ``workbench survey`` (read an uploaded batch)."""
    from workbench.ocr.cli import ocr, survey

    return [ocr, survey]
