"""``workbench check``: run the QA checks on a TSV file, and switch checks on and off.

    workbench check --source zh --target en FILE     # FILE or "-" for stdin
    workbench check list
    workbench check disable ID / enable ID
"""
from __future__ import annotations

import json
import sys
from typing import Any, BinaryIO, Iterator

import click

from workbench import plugins
from workbench.checks import Finding, list_checks, run_checks, set_check_enabled
from workbench.checks.base import ERROR, PROFILES, WARNING
from workbench.checks.settings import families
from workbench.cli import Env, pad, pass_env
from workbench.errors import WorkbenchError
from workbench.messages import Message, Translator, cli_translator, msg, render
from workbench.vocabulary import SEVERITIES

# Options of the group that take a value (to find the FILE argument among them).
_VALUE_OPTIONS = {"--source", "-s", "--target", "-t", "--profile", "--function"}


class _CheckGroup(click.Group):
    """A group that also runs as a command: ``check [OPTIONS] FILE`` besides ``check list``.

    click would read FILE as a subcommand name; here a first positional argument
    that is not a subcommand is taken out and kept as the file to check.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        index, skip_next = 0, False
        for index, arg in enumerate(args):
            if skip_next:
                skip_next = False
                continue
            if arg == "--":
                index += 1
                break
            if arg in _VALUE_OPTIONS:
                skip_next = True
                continue
            if arg.startswith("-") and arg != "-":
                continue
            break
        else:
            index = len(args)
        if index < len(args) and args[index] not in self.commands:
            ctx.meta["check_file"] = args[index]
            args = args[:index] + args[index + 1:]
            args = [a for a in args if a != "--"]
        return super().parse_args(ctx, args)


def _read_lines(stream: BinaryIO) -> Iterator[str]:
    """Lines of a text file, decoded (UTF-8, with a BOM or not; GB18030 as a fallback)."""
    first = True
    for raw in stream:
        line = raw
        if first and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        first = False
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            text = line.decode("gb18030", errors="replace")
        yield text.rstrip("\r\n")


def _input_finding(message: Message, translator: Translator | None,
                   severity: str = ERROR) -> dict[str, Any]:
    return _finding_dict(Finding("input", severity, message), translator)


def _finding_dict(finding: Finding, translator: Translator | None) -> dict[str, Any]:
    """The CLI's JSON for a finding: the documented fields (``message`` rendered in the
    terminal's language) plus ``message_id`` and ``params`` for programs."""
    data = finding.to_dict(translator)
    return {"check": data["check"], "severity": data["severity"], "message": data["message"],
            "start": data["start"], "end": data["end"], "message_id": data["message_id"],
            "params": data["params"]}


def check_line(db: Any, line: str, line_number: int, source_lang: str, target_lang: str,
               profile: str = "sign", function: str | None = None,
               translator: Translator | None = None) -> dict[str, Any]:
    """The JSON object for one ``chinese<TAB>foreign text`` line (never raises on bad input)."""
    if not line.strip():
        return {"source": "", "target": "", "findings": [_input_finding(msg(
            "Line %(line)s is empty: expected “chinese<TAB>foreign text”.", line=line_number),
            translator)]}
    if "\t" not in line:
        return {"source": line, "target": "", "findings": [_input_finding(msg(
            "Line %(line)s has no tab: expected “chinese<TAB>foreign text”.", line=line_number),
            translator)]}
    source, target, *rest = line.split("\t")
    extra = []
    if any(cell.strip() for cell in rest):  # empty trailing cells (spreadsheet exports) are fine
        extra.append(_input_finding(msg(
            "Line %(line)s has %(columns)s columns; only the first two were checked.",
            line=line_number, columns=len(rest) + 2), translator, WARNING))
    if not source.strip():
        extra.append(_input_finding(msg("Line %(line)s has no Chinese text.", line=line_number),
                                    translator))
    try:
        findings = [_finding_dict(f, translator) for f in run_checks(
            db, source, target, target_lang, function=function, profile=profile,
            source_lang=source_lang)]
    except Exception as error:  # noqa: BLE001 - one bad line must not stop the whole file
        findings = [_input_finding(msg("Line %(line)s could not be checked: %(error)s",
                                       line=line_number, error=str(error)), translator)]
    return {"source": source, "target": target, "findings": extra + findings}


@click.group("check", cls=_CheckGroup, invoke_without_command=True)
@click.option("--source", "-s", "source_lang", default="zh", show_default=True,
              help="Language of the first column.")
@click.option("--target", "-t", "target_lang", default="en", show_default=True,
              help="Language of the second column (en, ru, ja, ko, …).")
@click.option("--profile", type=click.Choice(PROFILES), default="sign", show_default=True,
              help="sign: all sign rules; prose: document sentences.")
@click.option("--function", default=None,
              help="Kind of sign (prohibition, warning, instruction, notice, facility).")
@click.pass_context
def check_group(ctx: click.Context, source_lang: str, target_lang: str, profile: str,
                function: str | None) -> None:
    """Check sign translations: FILE holds lines “chinese<TAB>foreign text” (“-” = stdin).

    Writes one JSON object per input line, in order:
    {"source", "target", "findings": [{"check", "severity", "message", "start", "end",
    "message_id", "params"}]} (``message`` in the terminal's language).
    Subcommands: list, disable ID, enable ID, glossary (check the glossary's own terms).
    """
    if ctx.invoked_subcommand is not None:
        return
    path = ctx.meta.get("check_file")
    if path is None:
        click.echo(ctx.get_help())
        return
    env: Env = ctx.ensure_object(Env)
    db = env.db
    try:
        stream = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    except OSError as error:
        raise WorkbenchError(msg("Cannot read %(path)s: %(reason)s.", path=path,
                                 reason=error.strerror)) from error
    translator = cli_translator()
    try:
        for number, line in enumerate(_read_lines(stream), start=1):
            result = check_line(db, line, number, source_lang, target_lang, profile, function,
                                translator)
            # One line out per line in, flushed at once, so a pipe sees results as they come.
            click.echo(json.dumps(result, ensure_ascii=False))
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


@check_group.command("glossary")
@click.option("--target", "-t", "target_lang", default=None,
              help="Only terms in this language (default: every language).")
@pass_env
def check_glossary(env: Env, target_lang: str | None) -> None:
    """Check the glossary's own foreign terms; one JSON object per term with findings."""
    from workbench.checks.terms import check_glossary_terms
    translator = cli_translator()
    count = 0
    for item in check_glossary_terms(env.db, target_lang, translator=translator):
        click.echo(json.dumps(item, ensure_ascii=False))
        count += 1
    click.echo(render(msg("%(n)s glossary terms with findings.", n=count), translator),
               err=True)


@check_group.command("list")
@pass_env
def check_list(env: Env) -> None:
    """List the checks, with severity and whether each is on for this project."""
    translator = cli_translator()
    on, off = msg("on").render(translator), msg("off").render(translator)
    for item in list_checks(env.db, translator):
        state = on if item["enabled"] else off
        click.echo(f"{pad(state, 3)} {item['id']:<28} "
                   f"{pad(SEVERITIES.text(item['severity'], translator), 8)} {item['name']}")


def _switch_ids() -> list[str]:
    """What ``enable``/``disable`` accept: every check id and every family of rules."""
    return list(plugins.checks()) + list(families())


@check_group.command("disable")
@click.argument("check_id", type=click.Choice(_switch_ids()))
@pass_env
def check_disable(env: Env, check_id: str) -> None:
    """Switch a check off for this project."""
    changed = set_check_enabled(env.db, env.actor, check_id, False)
    click.echo(render(msg("Check %(check)s switched off.", check=check_id) if changed
                      else msg("Check %(check)s was off.", check=check_id), cli_translator()))


@check_group.command("enable")
@click.argument("check_id", type=click.Choice(_switch_ids()))
@pass_env
def check_enable(env: Env, check_id: str) -> None:
    """Switch a check back on for this project."""
    changed = set_check_enabled(env.db, env.actor, check_id, True)
    click.echo(render(msg("Check %(check)s switched on.", check=check_id) if changed
                      else msg("Check %(check)s was on.", check=check_id), cli_translator()))
