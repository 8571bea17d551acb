"""CLI: ``workbench review status|check|history|approve|reject|findings|dismiss|restore``.

Decisions from the command line name the person who takes them (``--as``):
the audit history records them and the four-eyes rule applies to them as on
the web. The same workflow functions serve both.
"""
from __future__ import annotations

import click

from workbench import auth
from workbench.cli import Env, coded, pad, pass_env, say, text
from workbench.errors import NotFound
from workbench.jobs.cli import background_option, run_job_command
from workbench.messages import cli_translator, msg, render
from workbench.review import history, queue, workflow
from workbench.review import qa as review_qa
from workbench.vocabulary import SEVERITIES, UNIT_ACTIONS, UNIT_STATES


def _person(env: Env, username: str) -> auth.User:
    user = auth.find_user(env.db, username)
    if user is None or not user.active:
        raise NotFound(msg("No active user named %(username)s.", username=repr(username)))
    return user


@click.group("review")
def review() -> None:
    """The review workflow of translation units."""


@review.command("status")
@pass_env
def status(env: Env) -> None:
    """How many translation units are in each state."""
    counts = queue.state_counts(env.db)
    for state in workflow.STATES:
        click.echo(f"{pad(coded(state, UNIT_STATES), 28)} {counts.get(state, 0):>8,}")
    clarifications = env.db.execute(
        "SELECT count(*) FROM translation_units WHERE needs_clarification = 1").fetchone()[0]
    label, note = text(msg("clarification")), text(msg("(questions open)"))
    click.echo(f"{pad(label, 28)} {clarifications:>8,}  {note}")


@review.command("check")
@click.option("--limit", type=int, default=None, help="Check at most this many units.")
@background_option
@pass_env
def check(env: Env, limit: int | None, background: bool) -> None:
    """Run the QA checks on every unit whose wording has no current QA result."""
    run = run_job_command(env, "review.check", {"limit": limit}, background=background,
                          label=msg("QA"))
    if run is not None:
        say(msg("Checked %(n)s unit(s).", n=f"{run['result']['checked']:,}"))


@review.command("history")
@click.argument("unit_id", type=int)
@pass_env
def show_history(env: Env, unit_id: int) -> None:
    """Every version of UNIT_ID: who, when, what, why and the wording."""
    unit = workflow.get_unit(env.db, unit_id)
    say(msg("#%(id)s %(source)s → %(lang)s: %(state)s, version %(version)s", id=unit["id"],
            source=unit["source_text"], lang=unit["target_lang"],
            state=coded(unit["state"], UNIT_STATES), version=unit["version"]))
    for row in history.versions(env.db, unit_id, unit["target_lang"]):
        reason = f" ({row['reason']})" if row["reason"] else ""
        click.echo(f"v{row['version']:<3} {row['ts'][:19]} {row['actor_name']:<12} "
                   f"{pad(text(UNIT_ACTIONS.label(row['action'])), 20)} "
                   f"{pad(text(UNIT_STATES.label(row['state'])), 14)} "
                   f"{row['target_text'] or ''}{reason}")


@review.command("approve")
@click.argument("unit_id", type=int)
@click.option("--version", "version", type=int, required=True,
              help="The version you checked (a newer one is refused as a conflict).")
@click.option("--as", "username", required=True, help="The reviewer who approves.")
@click.option("--glossary", is_flag=True, help="Also record the pair as a glossary term.")
@pass_env
def approve(env: Env, unit_id: int, version: int, username: str, glossary: bool) -> None:
    """Approve UNIT_ID (four-eyes: not by the author of its wording)."""
    unit = workflow.approve(env.db, _person(env, username), unit_id, version,
                            add_to_glossary=glossary, settings=env.settings)
    say(msg("Approved #%(id)s (version %(version)s): %(text)s", id=unit_id,
            version=unit["version"], text=unit["target_text"]))


@review.command("reject")
@click.argument("unit_id", type=int)
@click.option("--version", "version", type=int, required=True)
@click.option("--as", "username", required=True, help="The reviewer who rejects.")
@click.option("--reason", required=True, help="Why, for the translator.")
@pass_env
def reject(env: Env, unit_id: int, version: int, username: str, reason: str) -> None:
    """Send UNIT_ID back to the translator with a reason."""
    unit = workflow.reject(env.db, _person(env, username), unit_id, version, reason,
                           env.settings)
    say(msg("Rejected #%(id)s (version %(version)s).", id=unit_id, version=unit["version"]))


@review.command("findings")
@click.argument("unit_id", type=int)
@pass_env
def findings(env: Env, unit_id: int) -> None:
    """The QA findings of UNIT_ID's current wording, each with its key (to dismiss it)."""
    translator = cli_translator()
    unit = workflow.get_unit(env.db, unit_id)
    for finding in review_qa.current_findings(env.db, unit):
        dismissal = finding["dismissal"]
        state = (render(msg("dismissed by %(who)s: %(why)s", who=dismissal["dismissed_by"],
                            why=dismissal["reason"]), translator) if dismissal else "")
        click.echo(f"{finding['finding_key']}  "
                   f"{pad(SEVERITIES.text(finding['severity'], translator), 8)} "
                   f"{finding['check_id']:<14} {render(finding['message'], translator)}"
                   + (f"  [{state}]" if state else ""))


@review.command("dismiss")
@click.argument("unit_id", type=int)
@click.argument("finding_key")
@click.option("--as", "username", required=True, help="The reviewer who dismisses it.")
@click.option("--reason", required=True, help="Why the finding does not apply.")
@pass_env
def dismiss(env: Env, unit_id: int, finding_key: str, username: str, reason: str) -> None:
    """Dismiss one QA finding of UNIT_ID (its key from `review findings`), with a reason."""
    review_qa.dismiss_finding(env.db, _person(env, username), unit_id, finding_key, reason)
    click.echo(render(msg("Dismissed finding %(key)s of unit %(unit)s.", key=finding_key,
                          unit=unit_id), cli_translator()))


@review.command("restore")
@click.argument("unit_id", type=int)
@click.argument("finding_key")
@click.option("--as", "username", required=True, help="The reviewer who restores it.")
@pass_env
def restore(env: Env, unit_id: int, finding_key: str, username: str) -> None:
    """Undo the dismissal of a QA finding of UNIT_ID: it counts again."""
    review_qa.restore_finding(env.db, _person(env, username), unit_id, finding_key)
    click.echo(render(msg("Finding %(key)s of unit %(unit)s counts again.", key=finding_key,
                          unit=unit_id), cli_translator()))
