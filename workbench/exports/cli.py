"""``workbench export …`` and ``workbench import xliff``.

Each export is a run of the job system, recorded like one made on the web page
(same functions, same audit events). In the foreground it shows a progress bar
on stderr and copies the file to ``-o``; with ``--background`` it is queued
for a worker and the command prints ``{"job": ID}`` (the file then stays in the
exports folder: ``workbench jobs show ID`` names it). A filter naming an
unknown county, or matching nothing approved, exits non-zero with a message.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import click

from workbench import jobs
from workbench.cli import Env, pass_env, say
from workbench.exports import runs
from workbench.exports.selection import resolve_filter
from workbench.jobs.cli import background_option, echo_queued, progress_bar
from workbench.messages import N_, cli_translator, msg, render


def _filter_options(command: Any) -> Any:
    """The filter options every sign export takes."""
    options = [
        click.option("--county", help="County (Chinese name, English name or code)."),
        click.option("--site", help="Site (Chinese or English name, or id)."),
        click.option("--sector", help="Sector (e.g. transport, 交通)."),
        click.option("--status", help="Sign status (approved, fabricated, installed, …)."),
        click.option("--lang", help="Only signs that carry this language (en, ru, ja, ko)."),
        click.option("--approved-since", metavar="YYYY-MM-DD",
                     help="Only signs whose wording was approved on or after this day."),
        click.option("--approved-until", metavar="YYYY-MM-DD",
                     help="Only signs whose wording was approved on or before this day."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _output_option(command: Any) -> Any:
    """``-o FILE`` (required unless ``--background``) and ``--background``."""
    command = click.option("-o", "--output", type=click.Path(dir_okay=False),
                           help="Where to write the file (not with --background).")(command)
    return background_option(command)


def _run(env: Env, kind: str, output: str | None, background: bool, **filters: Any) -> None:
    """Resolve the filter; queue the export, or run it with a progress bar and copy the file."""
    if background == bool(output):
        raise click.UsageError(msg("Give -o FILE, or --background (the file then stays in the "
                                   "exports folder; `workbench jobs show ID` names it).")
                               .render(cli_translator()))
    actor = env.actor
    flt = resolve_filter(env.db, actor, **filters)
    if background:
        echo_queued(runs.start_export(env.db, actor, kind, flt, env.settings))
        return
    label = runs.export_kind(kind).message.render(cli_translator())
    with progress_bar(label) as echo:
        run = runs.export_now(env.db, actor, kind, flt, env.settings, echo=echo)
    assert output is not None
    target = Path(output)
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    result = run["result"]
    shutil.copyfile(jobs.output_dir(env.settings) / result["file"], target)
    exported = EXPORTED.get(kind, EXPORTED["sheet"])
    say(msg(exported, n=result["rows"], path=str(target), job=run["id"],
            filter=flt.describe()))
    if result["missing"]:
        say(msg("%(n)s sign(s) left out: wording in a required language is not approved yet.",
                n=result["missing"]))
    if result.get("summary"):
        click.echo(render(result["summary"], cli_translator(), "\n"))


# What a finished export says, per kind of file (sheets and packages count signs).
EXPORTED = {
    "tbx": N_("Exported %(n)s concept(s) to %(path)s (job #%(job)s, filter: %(filter)s)."),
    "tmx": N_("Exported %(n)s translation unit(s) to %(path)s (job #%(job)s, filter: "
              "%(filter)s)."),
    "xliff": N_("Exported %(n)s unit(s) to translate to %(path)s (job #%(job)s, filter: "
                "%(filter)s)."),
    "proofs": N_("Exported %(n)s proof page(s) to %(path)s (job #%(job)s, filter: "
                 "%(filter)s)."),
    "sheet": N_("Exported %(n)s sign(s) to %(path)s (job #%(job)s, filter: %(filter)s)."),
}


@click.group("export")
def export_group() -> None:
    """Export approved wording: sheets, proofs, TMX, TBX, XLIFF, county packages."""


@export_group.command("sheet")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx",
              show_default=True)
@_filter_options
@_output_option
@pass_env
def export_sheet(env: Env, /, fmt: str, output: str | None, background: bool,
                 **filters: Any) -> None:
    """Fabrication sheet: one row per sign with all its wording approved."""
    _run(env, f"sheet-{fmt}", output, background, **filters)


@export_group.command("proofs")
@_filter_options
@_output_option
@pass_env
def export_proofs(env: Env, /, output: str | None, background: bool, **filters: Any) -> None:
    """Print proofs (PDF): one page per sign, as the sign will read, with a QR code."""
    _run(env, "proofs", output, background, **filters)


@export_group.command("tmx")
@_filter_options
@_output_option
@pass_env
def export_tmx(env: Env, /, output: str | None, background: bool, **filters: Any) -> None:
    """Approved translation units as TMX 1.4 (all languages in one file)."""
    _run(env, "tmx", output, background, **filters)


@export_group.command("tbx")
@click.option("--lang", help="Only Chinese and this language.")
@_output_option
@pass_env
def export_tbx(env: Env, output: str | None, background: bool, lang: str | None) -> None:
    """The glossary as TBX-Basic, every status including forbidden terms."""
    _run(env, "tbx", output, background, lang=lang)


@export_group.command("xliff")
@click.option("--target", "target", required=True, help="Target language (en, ru, ja, ko).")
@click.option("--county", help="Only units used on this county's signs.")
@click.option("--site", help="Only units used on this site's signs.")
@click.option("--sector", help="Only units used on signs of this sector.")
@_output_option
@pass_env
def export_xliff(env: Env, /, target: str, output: str | None, background: bool,
                 **filters: Any) -> None:
    """Units still to translate into TARGET as XLIFF 2.0, for an outside translator."""
    _run(env, "xliff", output, background, lang=target, **filters)


@export_group.command("package")
@click.option("--county", required=True, help="County (Chinese name, English name or code).")
@click.option("--site", help="Only this site.")
@click.option("--sector", help="Only this sector.")
@_output_option
@pass_env
def export_package(env: Env, /, output: str | None, background: bool, **filters: Any) -> None:
    """County package (ZIP): sheet, proofs, photos and a summary of what is missing."""
    _run(env, "package", output, background, **filters)


@click.group("import")
def import_group() -> None:
    """Bring files back in (XLIFF from an outside translator)."""


@import_group.command("xliff")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_env
def import_xliff(env: Env, file: str) -> None:
    """Read an XLIFF 2.0 or 1.2 file back: each translation goes to review (never approved)."""
    from workbench.exports.exchange import import_xliff as do_import

    path = Path(file)
    report = do_import(env.db, env.actor, path.read_bytes(), path.name, settings=env.settings)
    say(report.summary())
    for problem in report.problems[:100]:
        say(msg("  refused: %(problem)s", problem=problem), err=True)
