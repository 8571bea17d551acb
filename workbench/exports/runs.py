"""Export runs: what a kind of export is, and each run as a job of the job system.

The kinds themselves are registered through the ``register_export_kinds`` hook
(the built-in sheets, proofs, packages and exchange files in
:mod:`workbench.exports.plugin`) and listed by :func:`workbench.plugins.export_kinds`.

Every export — from the web page or the CLI — is a run of the job kind
``export`` (:mod:`workbench.jobs`): :func:`start_export` checks the request and
queues it for a worker, :func:`export_now` runs it in the foreground (the CLI),
and :func:`run_export` is the job itself. It writes the file under a
temporary name in the exports folder and renames it when complete, so a run
that is killed leaves no half-written file; the run's result names the file,
the rows written and the signs left out. Starting, finishing and failing are
audited by the job system (``job.start``, ``job.done``, ``job.failed``).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from sqlite_utils import Database

from workbench import auth, jobs, plugins
from workbench.errors import NotFound, ValidationError
from workbench.exports.selection import ExportFilter, Progress
from workbench.messages import Message, MessageLike, msg
from workbench.rowtypes import JobRun

JOB_KIND = "export"


@dataclass
class Outcome:
    """What an export wrote: rows (signs, units or concepts), signs left out, and notes for
    the person who ran it (messages: counts, warnings such as QR codes leading nowhere)."""

    rows: int
    missing: int = 0
    notes: list[MessageLike] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
    """Everything a writer needs for one run."""

    db: Database
    flt: ExportFilter
    stream: BinaryIO
    settings: Mapping[str, Any]
    progress: Progress
    actor_name: str


@dataclass(frozen=True)
class ExportKind:
    """One kind of export: its label, file type and writer."""

    id: str
    label: str  # message id (N_)
    extension: str
    mimetype: str
    write: Callable[[Job], Outcome]
    needs_county: bool = False
    needs_lang: bool = False
    uses_signs: bool = True  # whether the inventory filters apply

    @property
    def message(self) -> Message:
        """The label as a translatable message."""
        return Message(self.label)


def export_kind(kind_id: str) -> ExportKind:
    """The export kind with this id, or a ValidationError listing the known ones."""
    known = plugins.export_kinds()
    kind = known.get(kind_id)
    if kind is None:
        raise ValidationError.single(
            msg("Unknown export %(kind)s; use one of %(known)s.", kind=kind_id,
                known=", ".join(known)), column="kind", value=kind_id)
    return kind


def _check(actor: auth.User, kind: ExportKind, flt: ExportFilter) -> None:
    auth.require(actor, "export.run")
    scope = auth.county_scope(actor)
    if scope is not None and flt.county_id != scope:
        raise NotFound(msg("No such county."))  # resolve_filter already forces the scope
    if kind.needs_county and not flt.county_id:
        raise ValidationError.single(msg("A county package needs a county."), column="county")
    if kind.needs_lang and not flt.lang:
        raise ValidationError.single(msg("Choose the target language of the XLIFF file."),
                                     column="lang")


def _arguments(kind: ExportKind, flt: ExportFilter) -> dict[str, Any]:
    return {"export": kind.id, "filter": flt.to_dict()}


def start_export(db: Database, actor: auth.User, kind_id: str, flt: ExportFilter,
                 settings: Mapping[str, Any]) -> int:
    """Check an export request and queue it for a worker; returns the run's id."""
    kind = export_kind(kind_id)
    _check(actor, kind, flt)
    return jobs.start(db, actor, JOB_KIND, _arguments(kind, flt), settings=settings,
                      county_id=flt.county_id)


def export_now(db: Database, actor: auth.User, kind_id: str, flt: ExportFilter,
               settings: Mapping[str, Any], *,
               echo: Callable[[int, int, Any], None] | None = None) -> JobRun:
    """Run an export in the foreground (the CLI); returns the finished run.

    The export's error (an empty selection, say) is raised after it is recorded.
    """
    kind = export_kind(kind_id)
    _check(actor, kind, flt)
    return jobs.run_now(db, actor, JOB_KIND, _arguments(kind, flt), settings=settings,
                        echo=echo, county_id=flt.county_id)


def _file_name(db: Database, run_id: int, created_at: str, kind: ExportKind,
               flt: ExportFilter) -> str:
    scope = "all"
    if flt.county_id:
        scope = db.execute("SELECT code FROM counties WHERE id = ?",
                           [flt.county_id]).fetchone()[0]
    parts = [f"{run_id:05d}", kind.id.split("-")[0], scope]
    if kind.needs_lang and flt.lang:
        parts.append(flt.lang)
    parts.append(created_at[:10].replace("-", ""))
    return "-".join(parts) + "." + kind.extension


def run_export(db: Database, *, progress: Progress, settings: Mapping[str, Any], run_id: int,
               actor: auth.User, export: str, filter: Mapping[str, Any]) -> dict[str, Any]:
    """The ``export`` job: write the file atomically into the exports folder.

    Raises NothingToExport when nothing approved matches (the run fails with
    that message and no file is left behind).
    """
    kind = export_kind(export)
    flt = ExportFilter(**{k: v for k, v in filter.items()
                          if k in ExportFilter.__dataclass_fields__})
    run = jobs.get_run(db, run_id)
    name = _file_name(db, run_id, run["created_at"], kind, flt)
    folder = jobs.output_dir(settings)
    with jobs.atomic_output(folder, name) as partial, open(partial, "wb") as stream:
        outcome = kind.write(Job(db, flt, stream, settings, progress, run["started_by"]))
    size = (folder / name).stat().st_size
    return {"file": name, "file_name": name, "bytes": size, "mimetype": kind.mimetype,
            "rows": outcome.rows, "missing": outcome.missing,
            "summary": outcome.notes or None}


def export_title(arguments: Mapping[str, Any]) -> MessageLike:
    """What an export run exports: the export's label and its filter."""
    kind = plugins.export_kinds().get(arguments.get("export", ""))
    label: MessageLike = kind.message if kind else str(arguments.get("export"))
    values = arguments.get("filter") or {}
    if not values:
        return label  # everything
    return msg("%(export)s (%(filter)s)", export=label, filter=describe_filter(values))


def describe_filter(values: Mapping[str, Any]) -> MessageLike | list[MessageLike]:
    """A short description of a stored filter, e.g. ``County: 海口市, Language: Russian``."""
    return ExportFilter(**{k: v for k, v in values.items()
                           if k in ExportFilter.__dataclass_fields__}).describe()


# --- reading -----------------------------------------------------------------------------------

def _decorate(job_run: Mapping[str, Any]) -> dict[str, Any]:
    """The run (a copy) with its export kind, label, filter and counts."""
    run = dict(job_run)
    arguments = run["arguments"]
    kind = plugins.export_kinds().get(arguments.get("export", ""))
    run["export"] = kind
    run["export_label"] = kind.message if kind else arguments.get("export", "")
    run["filter"] = describe_filter(arguments.get("filter") or {})
    result = run["result"] or {}
    run["rows"], run["missing"] = result.get("rows", 0), result.get("missing", 0)
    run["file_name"] = result.get("file_name") if run["state"] == "done" else None
    return run


def get_export(db: Database, user: auth.User, run_id: int) -> dict[str, Any]:
    """One export run the user may see, with its export kind, filter and counts."""
    auth.require(user, "export.run")
    run = jobs.visible_run(db, user, run_id)
    if run["kind"] != JOB_KIND:
        raise NotFound(msg("No such export."))
    return _decorate(run)


def list_exports(db: Database, user: auth.User, *, limit: int = 50,
                 offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Past export runs the user may see, newest first; (page, total)."""
    auth.require(user, "export.run")
    rows, total = jobs.list_runs(db, user, kind=JOB_KIND, limit=limit, offset=offset)
    return [_decorate(row) for row in rows], total
