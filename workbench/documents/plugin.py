"""Document translation's part of the workbench: the DOCX, plain text, Markdown and XLIFF
formats, the ``doc`` command and the document drafting job.

A built-in plugin (see :mod:`workbench.plugins`), registered exactly as an
office's own plugin is; what it names is imported when a hook is first called.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.hooks import hookimpl
from workbench.messages import N_

if TYPE_CHECKING:  # pragma: no cover
    import click

    from workbench.documents.formats import DocumentFormat
    from workbench.jobs.kinds import JobKind


@hookimpl
def register_document_formats() -> list[DocumentFormat]:
    """Word, plain text, Markdown and XLIFF 1.2/2.0."""
    from workbench.documents.formats import (
        DocxFormat, MarkdownFormat, TextFormat, XliffFormat,
    )

    return [DocxFormat(), TextFormat(), MarkdownFormat(), XliffFormat()]


@hookimpl
def register_commands() -> list[click.Command]:
    """``workbench doc``: upload, draft, export, progress."""
    from workbench.documents.cli import doc

    return [doc]


@hookimpl
def register_job_kinds() -> list[JobKind]:
    """Machine drafts for the untranslated segments of a document."""
    from workbench.jobs.kinds import JobKind

    return [JobKind("documents.draft", N_("Machine drafts for a document"),
                    "workbench.documents.drafting:draft_document",
                    view_permission="documents.view",
                    title="workbench.documents.drafting:draft_title")]
