"""``workbench doc …``: add, draft, export, stats, list, segmentation rules, candidate terms."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from workbench import jobs
from workbench.cli import Env, coded, pad, pass_env, right, say, text
from workbench.documents import drafting, export, formats, segmentation, store, terms
from workbench.jobs.cli import background_option, echo_queued, progress_bar
from workbench.messages import msg, nmsg
from workbench.vocabulary import JOB_STATES, UNIT_STATES


@click.group("doc")
def doc() -> None:
    """Document translation: upload, draft, export, progress."""


@doc.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--target", "targets", multiple=True,
              help="Target language (repeat for several: --target en --target ru). "
                   "Default: en, or the XLIFF file's target language.")
@click.option("--domain", default="policy", show_default=True, help="Subject domain.")
@click.option("--title", help="Title (default: the file name).")
@click.option("--due", "due_date", help="Due date, YYYY-MM-DD.")
@click.option("--source", "source_lang", help="Source language (default zh, or the XLIFF's).")
@click.option("--assign", "assignees", multiple=True,
              help="Username of a translator or reviewer to assign (repeatable).")
@pass_env
def add_command(env: Env, file: str, targets: tuple[str, ...], domain: str, title: str | None,
                due_date: str | None, source_lang: str | None,
                assignees: tuple[str, ...]) -> None:
    """Upload FILE (.docx, .txt, .md, .xlf/.xliff) and split it into segments."""
    from workbench import auth
    from workbench.errors import WorkbenchError

    path = Path(file)
    user_ids: list[int] = []
    for name in assignees:
        user = auth.find_user(env.db, name)
        if user is None or user.id is None:  # a stored user always has an id
            raise WorkbenchError(msg("No user named %(name)s.", name=repr(name)))
        user_ids.append(user.id)
    wanted = list(targets)
    found = formats.format_for_name(path.name)
    if not wanted and not (found and found.bilingual):  # a bilingual file names its target
        wanted = ["en"]
    doc_id = store.create_document(env.db, env.actor, path.name, path.read_bytes(),
                                   targets=wanted, title=title, domain=domain,
                                   due_date=due_date, assignees=user_ids,
                                   source_lang=source_lang, settings=env.settings)
    document = store.get_document(env.db, doc_id)
    say(msg("Document %(id)s: “%(title)s” (%(format)s), %(segments)s segments, %(words)s "
            "words, targets %(targets)s.", id=doc_id, title=document["title"],
            format=document["file_format"], segments=document["segment_count"],
            words=document["word_count"], targets=", ".join(document["targets"])))


@doc.command("list")
@pass_env
def list_command(env: Env) -> None:
    """List documents with their progress."""
    rows = store.list_documents(env.db)
    approved, due, title = text(msg("approved")), text(msg("due")), text(msg("title"))
    click.echo(f"{'id':>4}  {right(approved, 13)}  {pad(due, 10)}  {title}")
    for row in rows:
        click.echo(f"{row['id']:>4}  {row['approved']:>6}/{row['units']:<6}  "
                   f"{row['due_date'] or '-':<10}  {row['title']} [{', '.join(row['targets'])}]")
    say(nmsg("(%(n)s document)", "(%(n)s documents)", len(rows)))


@doc.command("draft")
@click.argument("doc_id", type=int)
@click.option("--engine", help="Engine id (see `workbench mt engines`); default: the configured "
                               "one.")
@click.option("--target", help="Only this target language.")
@background_option
@pass_env
def draft_command(env: Env, doc_id: int, engine: str | None, target: str | None,
                  background: bool) -> None:
    """Machine-draft every untranslated segment of document DOC_ID (memory, then the engine)."""
    if background:
        echo_queued(drafting.start_draft(env.db, env.actor, doc_id, engine=engine,
                                         target=target, settings=env.settings))
        return
    with progress_bar(msg("Drafting")) as echo:
        run_id = drafting.start_draft(env.db, env.actor, doc_id, engine=engine, target=target,
                                      settings=env.settings, background=False, echo=echo)
    run = jobs.get_run(env.db, run_id)
    say(msg("Job %(id)s %(state)s: %(summary)s (%(done)s of %(total)s segments processed).",
            id=run_id, state=coded(run["state"], JOB_STATES),
            summary=(run["result"] or {}).get("summary") or "", done=run["progress_done"],
            total=run["progress_total"]))


@doc.command("export")
@click.argument("doc_id", type=int)
@click.option("--format", "fmt", type=click.Choice(export.export_formats()), default="docx",
              show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="File to write ('-' for standard output).")
@click.option("--target", help="Target language (default: the document's first).")
@click.option("--draft", is_flag=True,
              help="Allow unapproved segments; the file is clearly marked as a draft.")
@pass_env
def export_command(env: Env, doc_id: int, fmt: str, output: str, target: str | None,
                   draft: bool) -> None:
    """Export document DOC_ID (final translated files need every segment approved)."""
    result = export.export_document(env.db, env.actor, doc_id, fmt, target=target, draft=draft)
    if output == "-":
        sys.stdout.buffer.write(result.data)
        return
    Path(output).write_bytes(result.data)
    size = f"{len(result.data):,}"
    if result.draft:
        say(msg("Wrote %(path)s (%(size)s bytes) (DRAFT: %(n)s segments not approved).",
                path=output, size=size, n=result.unapproved))
    else:
        say(msg("Wrote %(path)s (%(size)s bytes).", path=output, size=size))


@doc.command("stats")
@click.argument("doc_id", type=int)
@pass_env
def stats_command(env: Env, doc_id: int) -> None:
    """Progress of document DOC_ID: segments and words per state and language, per person."""
    found = store.stats(env.db, doc_id)
    document = found["document"]
    say(msg("Document %(id)s: %(title)s (%(format)s, %(segments)s segments, %(words)s words, "
            "due %(due)s)", id=doc_id, title=document["title"], format=document["file_format"],
            segments=document["segment_count"], words=document["word_count"],
            due=document["due_date"] or "-"))
    for lang, figures in found["languages"].items():
        states = ", ".join(f"{coded(state, UNIT_STATES)} {count}"
                           for state, count in figures["states"].items() if count)
        say(msg("  %(lang)s: drafted %(drafted)s, translated %(translated)s, approved "
                "%(approved)s of %(segments)s (%(percent)s%%), approved words %(approved_words)s "
                "of %(words)s  [%(states)s]", lang=lang, drafted=figures["drafted"],
                translated=figures["translated"], approved=figures["approved"],
                segments=figures["segments"], percent=figures["percent_approved"],
                approved_words=figures["approved_words"], words=figures["words"],
                states=states))
    for person in found["people"]:
        marker = "*" if person["assigned"] else " "
        say(msg("  %(marker)s %(user)s translated %(translated)s (%(words)s words), approved "
                "%(approved)s", marker=marker, user=f"{person['user']['username']:<16}",
                translated=f"{person['translated']:>5}", words=person["translated_words"],
                approved=f"{person['approved']:>5}"))


@doc.command("rules")
@click.option("--set", "set_file", type=click.Path(exists=True, dir_okay=False),
              help="Replace the project's segmentation rules with this TSV file.")
@click.option("--reset", is_flag=True, help="Go back to the shipped rules.")
@pass_env
def rules_command(env: Env, set_file: str | None, reset: bool) -> None:
    """Show (or set, or reset) the segmentation rules in force."""
    if set_file:
        segmentation.set_rules(env.db, env.actor, Path(set_file).read_text(encoding="utf-8"))
        say(msg("Segmentation rules set from %(path)s.", path=set_file))
    elif reset:
        segmentation.set_rules(env.db, env.actor, None)
        say(msg("Segmentation rules reset to the shipped table."))
    else:
        click.echo(segmentation.rules_text(env.db), nl=False)


@doc.command("terms")
@click.argument("doc_id", type=int)
@click.option("--min-count", default=2, show_default=True)
@click.option("--limit", default=50, show_default=True)
@pass_env
def terms_command(env: Env, doc_id: int, min_count: int, limit: int) -> None:
    """Candidate terms of document DOC_ID not yet in the glossary."""
    for candidate in terms.candidates(env.db, doc_id, min_count=min_count, limit=limit):
        click.echo(f"{candidate.count:>4}  {candidate.text}")
