"""``workbench glossary …``: import, export, load the shipped folder, statistics."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from workbench.errors import Problem
from workbench.cli import Env, coded, columns, pad, pass_env, right, say, text
from workbench.glossary import io as glossary_io
from workbench.glossary.model import consistency, language_display_name
from workbench.glossary.model import stats as glossary_stats
from workbench.glossary.store import ApplyReport
from workbench.messages import Message, cli_translator, msg, terminal_locale
from workbench.vocabulary import (
    GLOSSARY_DOMAINS, GLOSSARY_SOURCES, SIGN_FUNCTIONS, TERM_STATUSES, Vocabulary,
)


@click.group("glossary")
def glossary() -> None:
    """The term glossary: import, export, load shipped files, statistics."""


def _print_problems(report: ApplyReport) -> None:
    for found in report.problems:
        click.echo("  - " + text_of(found), err=True)


def text_of(found: Problem) -> str:
    """A problem with its place, in the terminal's language."""
    return found.render(cli_translator())


def _applied(where: str, report: ApplyReport, dry_run: bool) -> Message:
    """``FILE: created …, updated …`` with the dry-run note."""
    if dry_run:
        return msg("%(file)s: %(summary)s (dry run: nothing saved).", file=where,
                   summary=report.summary())
    return msg("%(file)s: %(summary)s.", file=where, summary=report.summary())


@glossary.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; save nothing.")
@pass_env
def import_command(env: Env, file: str, dry_run: bool) -> None:
    """Import a glossary FILE (.tbx, .csv or .xlsx): all rows or none."""
    path = Path(file)
    report = glossary_io.import_file(env.db, env.actor, path.read_bytes(), path.name,
                                     dry_run=dry_run)
    say(_applied(path.name, report, dry_run))


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
    say(msg("Wrote %(n)s concepts to %(path)s (%(format)s).", n=count, path=output, format=fmt))


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
    say(_applied(str(target), report, dry_run))
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
    say(msg("Concepts: %(concepts)s   terms: %(terms)s   verified concepts: %(verified)s",
            concepts=figures.concepts, terms=figures.terms, verified=figures.verified))
    statuses = ("preferred", "admitted", "deprecated", "forbidden")
    display_locale = _display_locale()
    click.echo("\n" + pad(text(msg("Per language")), 22)
               + "".join(" " + right(text(heading), 9) for heading in (
                   msg("terms"), msg("concepts"), TERM_STATUSES.label("preferred"),
                   TERM_STATUSES.label("admitted"), TERM_STATUSES.label("deprecated"),
                   TERM_STATUSES.label("forbidden"))))
    for lang, count in figures.by_language.items():
        per_status = [figures.by_language_status.get((lang, s), 0) for s in statuses]
        label = f"{lang} {language_display_name(lang, display_locale)}"
        click.echo(f"  {pad(label, 20)} {count:>9} {figures.concepts_by_language.get(lang, 0):>9}"
                   + "".join(f" {n:>9}" for n in per_status))
    sections = ((msg("Per domain (concepts)"), figures.by_domain, GLOSSARY_DOMAINS),
                (msg("Per sign function (concepts)"), figures.by_function, SIGN_FUNCTIONS),
                (msg("Per status (terms)"), figures.by_status, TERM_STATUSES),
                (msg("Per source (concepts)"), figures.by_source, GLOSSARY_SOURCES))
    for heading, counts, vocabulary in sections:
        click.echo("\n" + text(heading))
        width = min(40, max([20, *(columns(_with_label(code, vocabulary)) + 2
                                    for code in counts)]))
        for code, count in counts.items():
            click.echo(f"  {pad(_with_label(code, vocabulary), width)} {count:>7}")
    found = consistency(env.db)
    click.echo("\n" + text(msg("For reviewers")))
    say(msg("  Chinese wordings in more than one concept: %(n)s", n=len(found.shared_source)))
    for wording, ids in list(found.shared_source.items())[:examples]:
        click.echo(f"    {wording}: {', '.join(ids)}")
    say(msg("  English renderings forbidden in one concept but accepted in another: %(n)s",
            n=len(found.forbidden_elsewhere_ok)))
    for concept_id, wording, ids in found.forbidden_elsewhere_ok[:examples]:
        say(msg("    %(text)s forbidden in %(concept)s, accepted in %(others)s",
                text=repr(wording), concept=concept_id, others=", ".join(ids)))


def _display_locale() -> str:
    """The terminal's language as a Babel locale for language names (English if unknown)."""
    from babel import Locale, UnknownLocaleError

    code = (terminal_locale() or "en").replace("-", "_").split(".")[0]
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return "en"
    return code


def _with_label(code: str, vocabulary: Vocabulary) -> str:
    """A code with its label in the terminal's language (the code alone when they agree)."""
    if not code:
        return text(msg("(none)"))
    label = text(vocabulary.label(code))
    if vocabulary is TERM_STATUSES or vocabulary is GLOSSARY_SOURCES:
        return label
    return coded(code, vocabulary)
