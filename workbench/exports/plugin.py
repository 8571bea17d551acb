"""The exports the workbench brings: fabrication sheets, print proofs, county packages and
the TMX/TBX/XLIFF exchange files; the ``export`` and ``import`` commands; the export job.

A built-in plugin (see :mod:`workbench.plugins`), registered exactly as an
office's own plugin is. Each kind is an :class:`~workbench.exports.runs.ExportKind`
with a writer ``write(job) -> Outcome``; the writers import their libraries
(openpyxl, reportlab, lxml) only when an export runs.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.hooks import hookimpl
from workbench.messages import N_, MessageLike, nmsg

if TYPE_CHECKING:  # pragma: no cover
    import click

    from workbench.exports.runs import ExportKind, Job, Outcome
    from workbench.jobs.kinds import JobKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet_csv(job: Job) -> Outcome:
    from workbench.exports import sheets
    from workbench.exports.runs import Outcome

    result = sheets.write_csv(job.db, job.flt, job.stream, progress=job.progress)
    return Outcome(result.rows, len(result.missing))


def _sheet_xlsx(job: Job) -> Outcome:
    from workbench.exports import sheets
    from workbench.exports.runs import Outcome

    result = sheets.write_xlsx(job.db, job.flt, job.stream, progress=job.progress)
    return Outcome(result.rows, len(result.missing))


def _proofs(job: Job) -> Outcome:
    from workbench.exports import proofs
    from workbench.exports.runs import Outcome

    result = proofs.write_proofs(job.db, job.flt, job.stream, settings=job.settings,
                                 progress=job.progress)
    return Outcome(result.rows, len(result.missing), list(result.warnings))


def _tmx(job: Job) -> Outcome:
    from workbench.exports import exchange
    from workbench.exports.runs import Outcome

    return Outcome(exchange.write_tmx(job.db, job.flt, job.stream, progress=job.progress))


def _tbx(job: Job) -> Outcome:
    from workbench.exports import exchange
    from workbench.exports.runs import Outcome

    return Outcome(exchange.write_tbx(job.db, job.flt, job.stream))


def _xliff(job: Job) -> Outcome:
    from workbench.exports import exchange
    from workbench.exports.runs import Outcome

    return Outcome(exchange.write_xliff(job.db, job.flt, job.flt.lang or "en", job.stream))


def _package(job: Job) -> Outcome:
    from workbench.exports import package
    from workbench.exports.runs import Outcome

    result = package.write_package(job.db, job.flt, job.stream, settings=job.settings,
                                   progress=job.progress, actor_name=job.actor_name)
    notes: list[MessageLike] = [nmsg("%(n)s photo included.", "%(n)s photos included.",
                                     result.photos)]
    if result.photos_not_found:
        notes.append(nmsg("%(n)s photo file was not found on the server.",
                          "%(n)s photo files were not found on the server.",
                          len(result.photos_not_found)))
    return Outcome(result.rows, len(result.missing), notes + list(result.warnings))


@hookimpl
def register_export_kinds() -> list[ExportKind]:
    """The built-in kinds, in the order the Exports page offers them."""
    from workbench.exports.runs import ExportKind

    return [
        ExportKind("sheet-xlsx", N_("Fabrication sheet (XLSX)"), "xlsx", XLSX, _sheet_xlsx),
        ExportKind("sheet-csv", N_("Fabrication sheet (CSV)"), "csv", "text/csv; charset=utf-8",
                   _sheet_csv),
        ExportKind("proofs", N_("Print proofs (PDF)"), "pdf", "application/pdf", _proofs),
        ExportKind("package", N_("County package (ZIP)"), "zip", "application/zip", _package,
                   needs_county=True),
        ExportKind("tmx", N_("Approved translations (TMX)"), "tmx", "application/x-tmx+xml",
                   _tmx),
        ExportKind("tbx", N_("Glossary (TBX)"), "tbx", "application/x-tbx+xml", _tbx,
                   uses_signs=False),
        ExportKind("xliff", N_("Units to translate (XLIFF 2.0)"), "xlf",
                   "application/xliff+xml", _xliff, needs_lang=True),
    ]


@hookimpl
def register_commands() -> list[click.Command]:
    """``workbench export`` and ``workbench import`` (an outside translator's XLIFF)."""
    from workbench.exports.cli import export_group, import_group

    return [export_group, import_group]


@hookimpl
def register_job_kinds() -> list[JobKind]:
    """Every export runs as a job of this kind."""
    from workbench.jobs.kinds import JobKind

    return [JobKind("export", N_("Export"), "workbench.exports.runs:run_export",
                    permission="export.run", view_permission="export.run",
                    title="workbench.exports.runs:export_title")]
