"""The ``workbench`` command.

Core commands live here; every other command comes from a plugin's
``register_commands`` hook (the built-in features' in their ``plugin`` modules,
an office's in its plugin package). Errors a user can cause become a message on
stderr and a non-zero exit code here, in :func:`main`, and nowhere else.
"""
from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from workbench import audit, auth, bootstrap, config, counties, migrations, plugins
from workbench.db import backup as backup_database
from workbench.db import open_db
from workbench.errors import WorkbenchError
from workbench.messages import Message, MessageLike, cli_translator, msg, nmsg, render
from workbench.vocabulary import Vocabulary


@dataclass
class Env:
    """What every command gets: the settings, and the database opened on first use."""

    settings: dict[str, Any]
    _db: Database | None = field(default=None, repr=False)

    @property
    def db(self) -> Database:
        """The workbench database, schema brought up to date."""
        if self._db is None:
            self._db = open_db(self.settings["DATABASE"])
            migrations.apply(self._db)
        return self._db

    @property
    def actor(self) -> auth.User:
        """Who CLI changes are recorded as in the audit history."""
        return auth.system_actor()


pass_env = click.make_pass_decorator(Env)


def say(message: MessageLike, *, err: bool = False, **style: Any) -> None:
    """Print a message in the terminal's language (on stderr with ``err``; ``style`` as for
    ``click.secho``: fg, bold …)."""
    click.secho(render(message, cli_translator()), err=err, **style)


def text(message: MessageLike) -> str:
    """A message rendered in the terminal's language (for a table cell or a heading)."""
    return render(message, cli_translator())


def columns(value: str) -> int:
    """How many terminal columns ``value`` takes (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def pad(value: str, width: int) -> str:
    """``value`` left-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    return value + " " * max(0, width - columns(value))


def coded(code: str, vocabulary: Vocabulary) -> str:
    """A vocabulary code for a terminal: the code (what options such as ``--state`` take),
    followed by its label when the label in the terminal's language says more."""
    label = text(vocabulary.label(code))
    return code if label.casefold() == code.casefold() else f"{code} {label}"


def right(value: str, width: int) -> str:
    """``value`` right-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    return " " * max(0, width - columns(value)) + value


class WorkbenchGroup(click.Group):
    """The ``workbench`` group: its own core commands, then every plugin's commands."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Core and plugin command names, sorted (as ``--help`` lists them)."""
        return sorted({*self.commands, *plugins.commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A core command, else a plugin's."""
        return self.commands.get(cmd_name) or plugins.commands().get(cmd_name)


def check_plugin_commands() -> None:
    """Refuse a plugin command that would hide a core command of the same name."""
    clashing = sorted(set(cli.commands) & set(plugins.commands()))
    if clashing:
        raise plugins.PluginError(msg(
            "A plugin registers the command %(names)s, which the workbench has already.",
            names=", ".join(clashing)))


@click.group(cls=WorkbenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "database", envvar="WORKBENCH_DB", type=click.Path(dir_okay=False),
              help="SQLite database file (default: instance/workbench.sqlite3).")
@click.version_option(package_name="signbench-workbench")
@click.pass_context
def cli(ctx: click.Context, database: str | None) -> None:
    """Signbench workbench: standard bilingual public signs and document translation."""
    overrides = {"DATABASE": str(Path(database).resolve())} if database else {}
    ctx.obj = Env(config.load_settings(overrides=overrides))


@cli.command()
@click.option("--demo", is_flag=True,
              help="Also load the demo inventory if the database has no signs.")
@click.option("--no-seed", is_flag=True, help="Only migrations, counties and the first admin.")
@pass_env
def init(env: Env, demo: bool, no_seed: bool) -> None:
    """Create or upgrade the database: migrations, seeds, first admin (idempotent)."""
    env.settings["LOAD_DEMO"] = demo
    db = open_db(env.settings["DATABASE"])
    report = bootstrap.initialize(db, env.settings, seed=not no_seed, echo=say)
    say(msg("Database: %(path)s", path=env.settings["DATABASE"]))
    if report.migrations_applied:
        say(msg("Applied migrations: %(names)s", names=", ".join(report.migrations_applied)))
    if report.counties_added:
        say(nmsg("Added %(n)s county.", "Added %(n)s counties.", report.counties_added))
    if report.secret_key_written:
        key_file = Path(env.settings["INSTANCE_PATH"]) / "secret_key"
        say(msg("Wrote a new secret key to %(path)s.", path=str(key_file)))
    if report.admin_password:
        say(msg("\nFirst administrator created (the password is shown only once):"),
            fg="yellow", bold=True)
        say(msg("    username: %(username)s\n    password: %(password)s\n",
                username=report.admin_username, password=report.admin_password),
            fg="yellow", bold=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@pass_env
def serve(env: Env, host: str, port: int, threads: int) -> None:
    """Serve the web app with the waitress production server."""
    from waitress import serve as waitress_serve

    from workbench import create_app

    app = create_app({"DATABASE": env.settings["DATABASE"]})
    say(msg("Signbench is serving on %(url)s  (Ctrl+C stops it)",
            url=f"http://{host}:{port}/"))
    waitress_serve(app, host=host, port=port, threads=threads, ident="signbench")


@cli.command()
@click.argument("destination", type=click.Path(dir_okay=False))
@pass_env
def backup(env: Env, destination: str) -> None:
    """Write a consistent copy of the database (SQLite online backup) to DESTINATION."""
    path = backup_database(env.db, destination)
    say(msg("Backed up to %(path)s (%(size)s bytes)", path=str(path),
            size=f"{path.stat().st_size:,}"))


@cli.group()
def user() -> None:
    """Manage user accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(auth.ROLES))
@click.option("--county", help="County of an officer (Chinese name, English name or code).")
@click.option("--name", "display_name", default="", help="Full name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_env
def user_add(env: Env, username: str, role: str, county: str | None, display_name: str,
             password_stdin: bool) -> None:
    """Create a user; prints a generated password when none is given."""
    county_id = counties.resolve_county(env.db, county)["id"] if county else None
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    created, password = auth.create_user(env.db, env.actor, username, role, county_id=county_id,
                                         password=password, display_name=display_name)
    say(msg("Created %(role)s %(username)s.", role=auth.ROLE_VOCABULARY.label(created.role),
            username=created.username))
    if not password_stdin:
        say(msg("Password (shown once): %(password)s", password=password))


@user.command("list")
@pass_env
def user_list(env: Env) -> None:
    """List users with role, county and state."""
    rows = auth.list_users(env.db)
    headings = [text(msg("username")), text(msg("role")), text(msg("county")),
                text(msg("active")), text(msg("last sign-in"))]
    click.echo(" ".join(pad(heading, width) for heading, width
                        in zip(headings, (20, 11, 18, 6, 0), strict=True)))
    yes, no = text(msg("yes")), text(msg("no"))
    for row in rows:
        click.echo(f"{row['username']:<20} {row['role']:<11} {pad(row['county'] or '-', 18)} "
                   f"{pad(yes if row['active'] else no, 6)} {row['last_login_at'] or '-'}")


@user.command("disable")
@click.argument("username")
@pass_env
def user_disable(env: Env, username: str) -> None:
    """Disable a user (they can no longer sign in; their history stays)."""
    found = auth.find_user(env.db, username)
    if found is None:
        raise WorkbenchError(msg("No user named %(username)s.", username=repr(username)))
    auth.update_user(env.db, env.actor, found.id, active=False)  # type: ignore[arg-type]
    say(msg("Disabled %(username)s.", username=found.username))


@user.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@pass_env
def user_password(env: Env, username: str, password_stdin: bool) -> None:
    """Reset a user's password (prints a generated one unless --password-stdin)."""
    found = auth.find_user(env.db, username)
    if found is None:
        raise WorkbenchError(msg("No user named %(username)s.", username=repr(username)))
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else auth.generate_password()
    auth.set_password(env.db, env.actor, found.id, password)  # type: ignore[arg-type]
    say(msg("Password of %(username)s reset.", username=found.username))
    if not password_stdin:
        say(msg("New password (shown once): %(password)s", password=password))


def _named_user(env: Env, username: str) -> auth.User:
    found = auth.find_user(env.db, username)
    if found is None:
        raise WorkbenchError(msg("No user named %(name)s.", name=repr(username)))
    return found


@user.command("unlock")
@click.argument("username")
@pass_env
def user_unlock(env: Env, username: str) -> None:
    """Lift the sign-in back-off after failed attempts (e.g. for a locked-out administrator)."""
    found = _named_user(env, username)
    auth.unlock_sign_in(env.db, env.actor, found.id)  # type: ignore[arg-type]
    say(msg("Sign-in of %(username)s unlocked.", username=found.username))


@user.command("sign-out")
@click.argument("username")
@pass_env
def user_sign_out(env: Env, username: str) -> None:
    """End every session of a user on every browser and device."""
    found = _named_user(env, username)
    auth.sign_out_everywhere(env.db, env.actor, found.id)  # type: ignore[arg-type]
    say(msg("%(username)s is signed out everywhere.", username=found.username))


@cli.group("audit")
def audit_group() -> None:
    """Inspect the audit history."""


@audit_group.command("verify")
@pass_env
def audit_verify(env: Env) -> None:
    """Check the hash chain; exits 1 and names the first bad event when it is broken."""
    result = audit.verify(env.db)
    if not result.ok:
        raise WorkbenchError(result.message())
    say(result.message())


@audit_group.command("log")
@click.option("--entity-type")
@click.option("--entity-id")
@click.option("--limit", default=20, show_default=True)
@pass_env
def audit_log(env: Env, entity_type: str | None, entity_id: str | None, limit: int) -> None:
    """Print the newest audit events."""
    events, total = audit.search(env.db, entity_type=entity_type, entity_id=entity_id,
                                 limit=limit)
    for event in events:
        click.echo(f"{event['id']:>6} {event['ts'][:19]} {event['actor_name']:<16} "
                   f"{event['action']:<22} {event['entity_type']} {event['entity_id']}")
    say(msg("(%(shown)s of %(total)s)", shown=len(events), total=total))


@cli.group("county")
def county_group() -> None:
    """The list of counties."""


@county_group.command("list")
@pass_env
def county_list(env: Env) -> None:
    """List counties."""
    for row in counties.list_counties(env.db):
        click.echo(f"{row['code']:<12} {pad(row['name_zh'], 12)} {row['name_en']}"
                   + ("" if row["active"] else "  " + text(msg("(inactive)"))))


@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per plugin.")
def plugins_command(as_json: bool) -> None:
    """List the plugins (built in and installed) and the hooks each implements."""
    import json

    for info in plugins.describe():
        if as_json:
            click.echo(json.dumps({"name": info.name, "builtin": info.builtin,
                                   "package": info.package, "version": info.version,
                                   "hooks": list(info.hooks)}, ensure_ascii=False))
            continue
        origin = text(msg("built in")) if info.builtin \
            else f"{info.package or '?'} {info.version or ''}"
        click.echo(f"{info.name:<28} {pad(origin.strip(), 24)} {', '.join(info.hooks)}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the command, turning user errors into messages and exit codes."""
    try:
        check_plugin_commands()
        cli.main(args=argv, prog_name="workbench", standalone_mode=False)
    except WorkbenchError as error:
        translator = cli_translator()
        click.secho(msg("Error: %(message)s", message=error.render(translator)).render(translator),
                    fg="red", err=True)
        return error.exit_code
    except config.ConfigError as error:
        reason = error.args[0] if error.args and isinstance(error.args[0], Message) else str(error)
        say(msg("Error: %(message)s", message=reason), fg="red", err=True)
        return 2
    except click.exceptions.Abort:
        say(msg("Aborted."), err=True)
        return 1
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
