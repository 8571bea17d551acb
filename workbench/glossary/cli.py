"""``workbench glossary …``: import, export, load the shipped folder, statistics."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from workbench.cli import Env, pass_env
from workbench.glossary import io as glossary_io
from workbench.glossary.model import consistency, language_display_name
from workbench.glossary.model import stats as glossary_stats
from workbench.glossary.store import ApplyReport


@click.group("glossary")
def glossary() -> None:
    """The term glossary: import, export, load shipped files, statistics."""


def _print_problems(report: ApplyReport) -> None:
    for found in report.problems:
        click.echo(f"  - {found}", err=True)


@glossary.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; save nothing.")
@pass_env
def import_command(env: Env, file: str, dry_run: bool) -> None:
    """Import a glossary FILE (.tbx, .csv or .xlsx): all rows or none."""
    path = Path(file)
    report = glossary_io.import_file(env.db, env.actor, path.read_bytes(), path.name,
                                     dry_run=dry_run)
    click.echo(f"{path.name}: {report.summary()}{' (dry run: nothing saved)' if dry_run else ''}.")


@glossary.command("export")
@click.option("--format", "fmt", type=click.Choice(glossary_io.FORMATS), default="tbx",
              show_default=True)
@click.option("--lang", "langs", multiple=True,
              help="Only these languages (repeat: --lang zh --lang en). Default: all.")
@click.option("--domain", help="Only concepts of this domain.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="File to write ('-' for standard output).")
@pass_env
def export_command(env: Env, fmt: str, langs: tuple[str, ...], domain: str | None,
                   output: str) -> None:
    """Export the glossary as TBX-Basic, CSV (UTF-8 with BOM) or XLSX."""
    buffer = io.BytesIO()
    count = glossary_io.export_glossary(env.db, fmt, buffer, langs=list(langs) or None,
                                        domain=domain)
    if output == "-":
        sys.stdout.buffer.write(buffer.getvalue())
        sys.stdout.flush()
        return
    Path(output).write_bytes(buffer.getvalue())
    click.echo(f"Wrote {count} concepts to {output} ({fmt}).")


@glossary.command("load")
@click.argument("folder", type=click.Path(exists=True, file_okay=False), required=False)
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; save nothing.")
@click.option("--overwrite-local-edits", is_flag=True,
              help="Also reset concepts edited or deleted in the workbench to the files.")
@pass_env
def load_command(env: Env, folder: str | None, dry_run: bool,
                 overwrite_local_edits: bool) -> None:
    """Load every .csv/.tbx/.xlsx under FOLDER (default: the shipped glossaries/), all or nothing.

    Idempotent: loading the same files again changes nothing. Concepts edited or
    deleted in the workbench since they were loaded are kept as they are.
    """
    target = Path(folder or env.settings["GLOSSARY_DIR"])
    report = glossary_io.load_directory(env.db, env.actor, target, dry_run=dry_run,
                                        overwrite_local_edits=overwrite_local_edits)
    click.echo(f"{target}: {report.summary()}{' (dry run: nothing saved)' if dry_run else ''}.")
    if not dry_run:
        from workbench.glossary.seed import CHECKSUM_KEY
        from workbench.db import transaction

        # The files are now loaded as they are: init need not read them again.
        with transaction(env.db):
            env.db.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                           "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           [CHECKSUM_KEY, glossary_io.folder_checksum(target)])


@glossary.command("stats")
@click.option("--examples", default=5, show_default=True,
              help="How many examples of shared wordings to list.")
@pass_env
def stats_command(env: Env, examples: int) -> None:
    """Counts of concepts and terms per language, domain, sign function and status."""
    figures = glossary_stats(env.db)
    click.echo(f"Concepts: {figures.concepts}   terms: {figures.terms}   "
               f"verified concepts: {figures.verified}")
    click.echo("\nPer language            terms  concepts  preferred admitted deprecated forbidden")
    for lang, count in figures.by_language.items():
        per_status = [figures.by_language_status.get((lang, s), 0)
                      for s in ("preferred", "admitted", "deprecated", "forbidden")]
        label = f"{lang} {language_display_name(lang)}"
        click.echo(f"  {label:<20} {count:>7} {figures.concepts_by_language.get(lang, 0):>9}  "
                   + " ".join(f"{n:>9}" for n in per_status))
    click.echo("\nPer domain (concepts)")
    for domain, count in figures.by_domain.items():
        click.echo(f"  {domain:<20} {count:>7}")
    click.echo("\nPer sign function (concepts)")
    for function, count in figures.by_function.items():
        click.echo(f"  {function or '(none)':<20} {count:>7}")
    click.echo("\nPer status (terms)")
    for status, count in figures.by_status.items():
        click.echo(f"  {status:<20} {count:>7}")
    click.echo("\nPer source (concepts)")
    for source, count in figures.by_source.items():
        click.echo(f"  {source:<20} {count:>7}")
    found = consistency(env.db)
    click.echo("\nFor reviewers")
    click.echo(f"  Chinese wordings in more than one concept: {len(found.shared_source)}")
    for text, ids in list(found.shared_source.items())[:examples]:
        click.echo(f"    {text}: {', '.join(ids)}")
    click.echo(f"  English renderings forbidden in one concept but accepted in another: "
               f"{len(found.forbidden_elsewhere_ok)}")
    for concept_id, text, ids in found.forbidden_elsewhere_ok[:examples]:
        click.echo(f"    {text!r} forbidden in {concept_id}, accepted in {', '.join(ids)}")
