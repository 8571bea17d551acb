"""``workbench export …`` and ``workbench import xliff``.

Each export is recorded like one made on the web page (same functions, same
audit events) and shows a progress bar on stderr. A filter naming an unknown
county, or matching nothing approved, exits non-zero with a message saying so.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import click

from workbench.cli import Env, pass_env
from workbench.exports import jobs
from workbench.exports.selection import resolve_filter
from workbench.messages import cli_translator, from_data, render


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


def _run(env: Env, kind: str, output: str, **filters: Any) -> None:
    """Resolve the filter, run the export with a progress bar, copy the file to OUTPUT."""
    actor = env.actor
    flt = resolve_filter(env.db, actor, **filters)
    settings = env.settings
    with click.progressbar(length=0, label=jobs.KINDS[kind].name, file=sys.stderr,
                           show_pos=True) as bar:
        def echo(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        row = jobs.export_now(env.db, actor, kind, flt, settings, echo=echo)
    target = Path(output)
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(row["file_path"], target)
    what = {"tbx": "concept(s)", "tmx": "translation unit(s)", "xliff": "unit(s) to translate",
            "proofs": "proof page(s)"}.get(kind, "sign(s)")
    click.echo(f"Exported {row['rows']} {what} to {target} (export #{row['id']}, "
               f"filter: {flt.describe()}).")
    if row["missing"]:
        click.echo(f"{row['missing']} sign(s) left out: wording in a required language is "
                   "not approved yet.")
    if row["message"]:
        click.echo(render(from_data(row["message"]), cli_translator(), "\n"))


@click.group("export")
def export_group() -> None:
    """Export approved wording: sheets, proofs, TMX, TBX, XLIFF, county packages."""


@export_group.command("sheet")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx",
              show_default=True)
@_filter_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@pass_env
def export_sheet(env: Env, fmt: str, output: str, **filters: Any) -> None:
    """Fabrication sheet: one row per sign with all its wording approved."""
    _run(env, f"sheet-{fmt}", output, **filters)


@export_group.command("proofs")
@_filter_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@pass_env
def export_proofs(env: Env, output: str, **filters: Any) -> None:
    """Print proofs (PDF): one page per sign, as the sign will read, with a QR code."""
    _run(env, "proofs", output, **filters)


@export_group.command("tmx")
@_filter_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@pass_env
def export_tmx(env: Env, output: str, **filters: Any) -> None:
    """Approved translation units as TMX 1.4 (all languages in one file)."""
    _run(env, "tmx", output, **filters)


@export_group.command("tbx")
@click.option("--lang", help="Only Chinese and this language.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@pass_env
def export_tbx(env: Env, output: str, lang: str | None) -> None:
    """The glossary as TBX-Basic, every status including forbidden terms."""
    _run(env, "tbx", output, lang=lang)


@export_group.command("xliff")
@click.option("--target", "target", required=True, help="Target language (en, ru, ja, ko).")
@click.option("--county", help="Only units used on this county's signs.")
@click.option("--site", help="Only units used on this site's signs.")
@click.option("--sector", help="Only units used on signs of this sector.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@pass_env
def export_xliff(env: Env, target: str, output: str, **filters: Any) -> None:
    """Units still to translate into TARGET as XLIFF 2.0, for an outside translator."""
    _run(env, "xliff", output, lang=target, **filters)


@export_group.command("package")
@click.option("--county", required=True, help="County (Chinese name, English name or code).")
@click.option("--site", help="Only this site.")
@click.option("--sector", help="Only this sector.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@pass_env
def export_package(env: Env, output: str, **filters: Any) -> None:
    """County package (ZIP): sheet, proofs, photos and a summary of what is missing."""
    _run(env, "package", output, **filters)


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
    click.echo(report.summary())
    for problem in report.problems[:100]:
        click.echo(f"  refused: {problem}", err=True)


commands = [export_group, import_group]
