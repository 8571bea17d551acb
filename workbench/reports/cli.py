"""CLI: ``workbench report list|show|triage|confirm|reject|fix|export``.

The same domain functions as the office's web pages. Decisions are recorded
as the person named with ``--as`` (their county scope applies), or as the
command line's system user.
"""
from __future__ import annotations

from pathlib import Path

import click

from workbench import auth
from workbench.cli import Env, pad, pass_env, say, text
from workbench.errors import NotFound
from workbench.messages import cli_translator, msg, render
from workbench.reports import export, queue, triage
from workbench.reports.intake import format_tracking_code
from workbench.vocabulary import REPORT_KINDS, REPORT_MATCHES, REPORT_STATUSES


def _actor(env: Env, username: str | None) -> auth.User:
    if not username:
        return env.actor
    user = auth.find_user(env.db, username)
    if user is None or not user.active:
        raise NotFound(msg("No active user named %(name)s.", name=username))
    return user


@click.group("report")
def report() -> None:
    """Public error reports about signs: the office's queue."""


@report.command("list")
@click.option("--status", type=click.Choice(REPORT_STATUSES.codes), default=None)
@click.option("--all", "show_all", is_flag=True, help="Also list duplicates one by one.")
@click.option("--limit", type=int, default=50, show_default=True)
@pass_env
def list_command(env: Env, status: str | None, show_all: bool, limit: int) -> None:
    """The newest reports (one line per group of duplicates unless --all)."""
    translator = cli_translator()
    rows, total = queue.list_reports(env.db, env.actor, {"status": status,
                                                         "grouped": not show_all},
                                     page_size=limit)
    for row in rows:
        sign = f"{row['sign_code']} {row['sign_zh']}" if row["sign_code"] else "-"
        duplicates = f" +{row['duplicates']}" if row["duplicates"] else ""
        click.echo(f"#{row['id']:<6} {row['created_at'][:10]} "
                   f"{pad(REPORT_STATUSES.text(row['status'], translator), 12)} "
                   f"{pad(REPORT_KINDS.text(row['kind'], translator), 24)} "
                   f"{pad(row['county_zh'] or '-', 8)} {sign}{duplicates}")
    say(msg("%(shown)s of %(total)s shown.", shown=len(rows), total=total))


@report.command("show")
@click.argument("report_id", type=int)
@pass_env
def show(env: Env, report_id: int) -> None:
    """One report: what was sent, the sign found, QA findings."""
    translator = cli_translator()
    item = queue.get_report(env.db, env.actor, report_id)
    click.echo(f"#{item['id']} {format_tracking_code(item['tracking_code'])} "
               f"{REPORT_STATUSES.text(item['status'], translator)}: "
               f"{REPORT_KINDS.text(item['kind'], translator)}")
    for label, value in ((msg("description"), item["description"]),
                         (msg("suggestion"), item["suggestion"]), (msg("place"), item["place"])):
        if value:
            click.echo(f"  {text(label)}: {value}")
    if item["sign"]:
        say(msg("  sign: %(code)s %(zh)s (%(match)s)", code=item["sign"]["sign_code"],
                zh=item["sign"]["zh"], match=REPORT_MATCHES.label(item["match_method"])))
    for finding in item["triage"].get("findings", []):
        click.echo(f"  [{finding['lang']}] {render(finding['message'], translator)}")


@report.command("triage")
@click.argument("report_ids", type=int, nargs=-1)
@click.option("--new", "all_new", is_flag=True, help="Every new report.")
@pass_env
def triage_command(env: Env, report_ids: tuple[int, ...], all_new: bool) -> None:
    """Run triage (OCR, matching, QA, duplicates) on reports again."""
    ids = list(report_ids) + (triage.pending_ids(env.db) if all_new else [])
    for report_id in ids:
        result = triage.triage_report(env.db, report_id, settings=env.settings)
        say(msg("#%(id)s: %(findings)s finding(s), %(candidates)s candidate sign(s)",
                id=report_id, findings=len(result["findings"]),
                candidates=len(result["candidates"])))
    say(msg("Triaged %(n)s report(s).", n=len(ids)))


@report.command("confirm")
@click.argument("report_id", type=int)
@click.option("--sign", "sign_code", default=None, help="The sign's code (else triage's match).")
@click.option("--as", "username", default=None, help="Who decides (a user name).")
@pass_env
def confirm(env: Env, report_id: int, sign_code: str | None, username: str | None) -> None:
    """Confirm a report: its sign gets action 'correct' and a QA finding."""
    ids = queue.confirm_report(env.db, _actor(env, username), report_id, sign_code=sign_code)
    say(msg("Confirmed report(s) %(ids)s.", ids=", ".join(f"#{i}" for i in ids)))


@report.command("reject")
@click.argument("report_id", type=int)
@click.option("--reason", required=True, help="Why; the reporter reads it.")
@click.option("--as", "username", default=None, help="Who decides (a user name).")
@pass_env
def reject(env: Env, report_id: int, reason: str, username: str | None) -> None:
    """Close a report without changing the sign."""
    queue.reject_report(env.db, _actor(env, username), report_id, reason)
    say(msg("Report #%(id)s closed.", id=report_id))


@report.command("fix")
@click.argument("report_id", type=int)
@click.option("--as", "username", default=None, help="Who decides (a user name).")
@pass_env
def fix(env: Env, report_id: int, username: str | None) -> None:
    """The sign was corrected: mark the report (and its group) fixed."""
    ids = queue.mark_fixed(env.db, _actor(env, username), report_id)
    say(msg("Fixed report(s) %(ids)s.", ids=", ".join(f"#{i}" for i in ids)))


@report.command("export")
@click.option("--status", type=click.Choice(REPORT_STATUSES.codes), default=None)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@pass_env
def export_command(env: Env, status: str | None, output: str) -> None:
    """The reports as CSV (UTF-8 with BOM; no contact data)."""
    target = Path(output)
    with target.open("wb") as stream:
        count = export.write_reports_csv(env.db, env.actor, stream, {"status": status},
                                         cli_translator())
    say(msg("Exported %(n)s report(s) to %(path)s.", n=count, path=str(target)))
