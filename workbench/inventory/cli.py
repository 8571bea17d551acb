"""``workbench inventory …`` and ``workbench demo load``."""
from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import click

from workbench import counties
from workbench.cli import Env, pad, pass_env, right, say, text
from workbench.files.limits import UploadLimits, check_size
from workbench.inventory import importer, pending, records
from workbench.jobs.cli import background_option, echo_queued, progress_bar, run_job_command
from workbench.messages import cli_translator, msg, nmsg


@click.group("inventory")
def inventory() -> None:
    """The sign inventory: template, import, statistics."""


@inventory.command("template")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx",
              show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
def template(fmt: str, output: str) -> None:
    """Write the import template (bilingual headers) to OUTPUT."""
    data = importer.template_csv() if fmt == "csv" else importer.template_xlsx()
    Path(output).write_bytes(data)
    say(msg("Wrote the %(format)s template to %(path)s.", format=fmt.upper(), path=output))


@inventory.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--county", help="County of every row (Chinese name, English name or code).")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--photos", type=click.Path(exists=True, dir_okay=False),
              help="ZIP of photos named in the 'photo' column.")
@click.option("--no-checks", is_flag=True,
              help="Skip the QA checks now (run `inventory recheck` later).")
@click.option("--no-draft", is_flag=True,
              help="Do not machine-draft the new translation units now (`inventory draft` later).")
@background_option
@pass_env
def import_command(env: Env, file: str, county: str | None, dry_run: bool,
                   photos: str | None, no_checks: bool, no_draft: bool,
                   background: bool) -> None:
    """Import a CSV or XLSX inventory; exits non-zero, writing nothing, on any bad row.

    The import itself is checked and written at once; the machine drafting of its
    new units that follows runs in the foreground, or with --background as a job
    (the last line is then {"job": ID}).
    """
    from workbench.inventory.submission import Drafting, InventoryFile, submit_signs

    limits = UploadLimits.from_settings(env.settings)
    source = InventoryFile(read_file(file, limits.max_import_bytes, "MAX_IMPORT_BYTES"), file, {
        "county": county, "dry_run": dry_run,
        "photos_zip": read_file(photos, limits.zip_max_uncompressed_bytes,
                                "ZIP_MAX_UNCOMPRESSED_BYTES") if photos else None,
        "upload_dir": env.settings["UPLOAD_DIR"],
        "max_photo_bytes": env.settings["MAX_PHOTO_BYTES"],
        "run_checks": not no_checks, "limits": limits})
    drafting: Drafting = "none" if no_draft else "job" if background else "here"
    with progress_bar(msg("Drafting")) if drafting == "here" else nullcontext() as echo:
        submission = submit_signs(env.db, env.actor, source, settings=env.settings,
                                  drafting=drafting, progress=echo)
    report = submission.result
    translator = cli_translator()
    for warning in report.warnings:
        click.secho(msg("Warning: %(warning)s", warning=warning).render(translator),
                    fg="yellow", err=True)
    if report.encoding and report.encoding not in ("utf-8", "utf-8-sig"):
        say(msg("Read as %(encoding)s.", encoding=report.encoding))
    click.echo(report.summary().render(translator))
    if not dry_run:
        say(msg("QA findings on installed texts: %(n)s.", n=report.findings))
        if submission.run_id is not None:
            echo_queued(submission.run_id)
        elif submission.drafted is not None:
            say(nmsg("Machine-drafted %(n)s translation unit (review it before use).",
                     "Machine-drafted %(n)s translation units (review them before use).",
                     submission.drafted))


def read_file(path: str, size_limit: int, setting: str) -> bytes:
    """A file's bytes, refused (with the limit named) when it is larger than the limit."""
    check_size(Path(path).stat().st_size, size_limit, setting)
    return Path(path).read_bytes()


@inventory.command("pending")
@click.option("--clean", is_flag=True, help="Remove the checked imports past their time.")
@pass_env
def pending_command(env: Env, clean: bool) -> None:
    """List checked imports waiting for confirmation; --clean removes expired ones."""
    upload_dir = env.settings["UPLOAD_DIR"]
    if clean:
        removed = pending.expire(env.db, upload_dir)
        say(nmsg("Removed %(n)s expired checked import.", "Removed %(n)s expired checked "
                 "imports.", removed))
    for row in pending.list_all(env.db):
        say(msg("%(created)s  %(user)s %(size)s bytes  until %(expires)s  %(file)s",
                created=row["created_at"][:16], user=f"{row['username']:<16}",
                size=f"{row['bytes']:>12,}", expires=row["expires_at"][:16],
                file=row["file_name"]))


@inventory.command("stats")
@pass_env
def stats(env: Env) -> None:
    """Print sign counts per county and status."""
    rows = records.stats(env.db, env.actor)
    statuses = list(records.STATUSES.codes)
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        table.setdefault(row["county_zh"], {})[row["status"]] = row["signs"]
    total = text(msg("total"))
    click.echo(pad(text(msg("county")), 14)
               + "".join(right(records.STATUSES.text(s, cli_translator()), 11) for s in statuses)
               + right(total, 9))
    totals = dict.fromkeys(statuses, 0)
    for county, counts in table.items():
        click.echo(pad(county, 14) + "".join(f"{counts.get(s, 0):>11}" for s in statuses)
                   + f"{sum(counts.values()):>9}")
        for status in statuses:
            totals[status] += counts.get(status, 0)
    click.echo(pad(total, 14) + "".join(f"{totals[s]:>11}" for s in statuses)
               + f"{sum(totals.values()):>9}")


@inventory.command("recheck")
@click.option("--county", help="Only this county.")
@background_option
@pass_env
def recheck(env: Env, county: str | None, background: bool) -> None:
    """Re-run the QA checks on the installed texts of every sign."""
    county_id = counties.resolve_county(env.db, county)["id"] if county else None
    run = run_job_command(env, "inventory.recheck", {"county_id": county_id},
                          background=background, label=msg("QA"), county_id=county_id)
    if run is not None:
        say(msg("Checked %(signs)s signs: %(findings)s findings.",
                signs=run["result"]["signs"], findings=run["result"]["findings"]))


@inventory.command("draft")
@click.option("--engine", help="Drafting engine id (default: the configured one).")
@background_option
@pass_env
def draft(env: Env, engine: str | None, background: bool) -> None:
    """Machine-draft every translation unit still in state 'new'."""
    run = run_job_command(env, "inventory.draft", {"engine": engine}, background=background,
                          label=msg("Drafting"))
    if run is not None:
        say(nmsg("Drafted %(n)s translation unit.", "Drafted %(n)s translation units.",
                 run["result"]["drafted"]))


@click.group("demo")
def demo_group() -> None:
    """Demo data."""


@demo_group.command("load")
@pass_env
def demo_load(env: Env) -> None:
    """Load the demo inventory (Boao, Meilan airport, Shamei, Shuiman, Dadonghai)."""
    from workbench.inventory.submission import DemoInventory, submit_signs

    # Drafting is left to `workbench inventory draft`, as for any load without drafts.
    submission = submit_signs(env.db, env.actor, DemoInventory(), settings=env.settings,
                              drafting="none")
    sites, signs = submission.result
    say(msg("Loaded the demo inventory: %(sites)s sites, %(signs)s signs added.", sites=sites,
            signs=signs))
