"""``workbench worker``, ``workbench jobs list|show|cancel|retry`` and ``workbench run``.

Long commands elsewhere share :func:`background_option`, :func:`progress_bar`
and :func:`echo_queued`: with ``--background`` a command queues its run and
prints ``{"job": ID}``; without it the run executes in the foreground with a
progress bar on stderr, recorded like any other run.
"""
from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import click

from workbench import jobs, plugins
from workbench.cli import Env, coded, pad, pass_env, say, text
from workbench.jobs.runner import Echo
from workbench.messages import MessageLike, cli_translator, msg, render
from workbench.rowtypes import JobRun
from workbench.vocabulary import JOB_STATES


def background_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--background`` flag of a long command."""
    return click.option("--background", is_flag=True,
                        help="Queue the work for a worker and print {\"job\": ID} at once "
                             "(follow it with `workbench jobs show ID`).")(command)


def echo_queued(run_id: int) -> None:
    """What ``--background`` prints: the run's id as JSON."""
    click.echo(json.dumps({"job": run_id}))


@contextlib.contextmanager
def progress_bar(label: MessageLike) -> Iterator[Echo]:
    """A progress bar on stderr for a foreground run; yields the run's echo callback."""
    with click.progressbar(length=1, label=text(label), file=sys.stderr, show_pos=True) as bar:
        def echo(done: int, total: int, _message: Any = None) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)
        yield echo


def run_job_command(env: Env, kind: str, arguments: Mapping[str, Any], *, background: bool,
                    label: MessageLike, **options: Any) -> JobRun | None:
    """A long command's work: queue it (``--background``: prints the id, returns None) or
    run it here with a progress bar (returns the finished run; its error is raised)."""
    if background:
        echo_queued(jobs.start(env.db, env.actor, kind, arguments, settings=env.settings,
                               **options))
        return None
    with progress_bar(label) as echo:
        return jobs.run_now(env.db, env.actor, kind, arguments, settings=env.settings,
                            echo=echo, **options)


def _text(value: Any) -> str:
    return render(value, cli_translator())


def _plain(value: Any) -> Any:
    """A run's stored values as JSON with messages rendered in the terminal's language."""
    from workbench.messages import Message

    if isinstance(value, Message):
        return _text(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def run_summary(run: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """Everything `jobs show` tells about a run (messages rendered)."""
    kind = plugins.job_kinds().get(run["kind"])
    file_name = (run["result"] or {}).get("file") if run["state"] == "done" else None
    return {
        "id": run["id"], "kind": run["kind"],
        "title": _text(kind.describe(run["arguments"]) if kind else run["kind"]),
        "state": run["state"], "arguments": run["arguments"],
        "progress": {"done": run["progress_done"], "total": run["progress_total"],
                     "percent": run["percent"], "message": _text(run["progress_message"])},
        "result": _plain(run["result"]), "error": _text(run["error"]) or None,
        "attempts": run["attempts"], "started_by": run["started_by"],
        "worker": run["worker"], "created_at": run["created_at"],
        "started_at": run["started_at"], "finished_at": run["finished_at"],
        "file": str(jobs.output_dir(settings) / file_name) if file_name else None,
    }


@click.command("worker")
@click.option("--workers", "threads", type=int, default=None,
              help="Jobs run at the same time (threads; default JOBS_WORKERS, 1).")
@pass_env
def worker(env: Env, threads: int | None) -> None:
    """Run queued jobs until stopped (Ctrl+C or SIGTERM); running jobs resume on restart."""
    from workbench.jobs.consumer import run_worker

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    env.db  # noqa: B018 - bring the schema up to date before the consumer starts
    run_worker(env.settings, threads)


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs: list, show, cancel, retry."""


@jobs_group.command("list")
@click.option("--state", type=click.Choice(JOB_STATES.codes), help="Only runs in this state.")
@click.option("--kind", help="Only runs of this kind (e.g. export, documents.draft).")
@click.option("--limit", default=30, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run.")
@pass_env
def jobs_list(env: Env, state: str | None, kind: str | None, limit: int, as_json: bool) -> None:
    """The newest runs, with their state and progress."""
    runs, total = jobs.list_runs(env.db, env.actor, state=state, kind=kind, limit=limit)
    for run in runs:
        summary = run_summary(run, env.settings)
        if as_json:
            click.echo(json.dumps(summary, ensure_ascii=False))
            continue
        progress = f"{run['progress_done']}/{run['progress_total']}" \
            if run["progress_total"] else ""
        click.echo(f"{run['id']:>6} {pad(coded(run['state'], JOB_STATES), 11)} "
                   f"{progress:>11} {run['created_at'][:19]} {run['started_by']:<16} "
                   f"{summary['title']}")
    if not as_json:
        say(msg("(%(shown)s of %(total)s)", shown=len(runs), total=total))


@jobs_group.command("show")
@click.argument("run_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="As one JSON object.")
@pass_env
def jobs_show(env: Env, run_id: int, as_json: bool) -> None:
    """State, progress, result and error of one run."""
    summary = run_summary(jobs.visible_run(env.db, env.actor, run_id), env.settings)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    for key, label in SHOW_FIELDS:
        if summary[key] not in (None, ""):
            value = coded(summary[key], JOB_STATES) if key == "state" else summary[key]
            click.echo(f"{pad(text(label), 12)} {value}")
    progress = summary["progress"]
    heading = text(msg("progress:"))
    click.echo(f"{pad(heading, 12)} {progress['done']}/{progress['total']} "
               f"({progress['percent']} %) {progress['message']}".rstrip())
    if summary["result"]:
        heading = text(msg("result:"))
        click.echo(f"{pad(heading, 12)} "
                   f"{json.dumps(summary['result'], ensure_ascii=False)}")


# What `jobs show` prints, in order, with the label of each line.
SHOW_FIELDS = (("id", msg("id:")), ("title", msg("title:")), ("kind", msg("kind:")),
               ("state", msg("state:")), ("attempts", msg("attempts:")),
               ("started_by", msg("started by:")), ("worker", msg("worker:")),
               ("created_at", msg("created:")), ("started_at", msg("started:")),
               ("finished_at", msg("finished:")), ("error", msg("error:")),
               ("file", msg("file:")))


@jobs_group.command("cancel")
@click.argument("run_id", type=int)
@pass_env
def jobs_cancel(env: Env, run_id: int) -> None:
    """Cancel a queued run, or stop a running one at its next progress report."""
    run = jobs.cancel(env.db, env.actor, run_id)
    if run["state"] == "running":
        say(msg("Job %(id)s: %(state)s (stops at its next progress report)", id=run_id,
                state=coded(run["state"], JOB_STATES)))
    else:
        say(msg("Job %(id)s: %(state)s", id=run_id, state=coded(run["state"], JOB_STATES)))


@jobs_group.command("retry")
@click.argument("run_id", type=int)
@pass_env
def jobs_retry(env: Env, run_id: int) -> None:
    """Queue a failed, cancelled or interrupted run again."""
    run = jobs.retry(env.db, env.actor, run_id, env.settings)
    say(msg("Job %(id)s: %(state)s", id=run_id, state=coded(run["state"], JOB_STATES)))


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", "threads", type=int, default=None,
              help="Threads of the worker (default JOBS_WORKERS, 1).")
@pass_env
def run_command(env: Env, host: str, port: int, threads: int | None) -> None:
    """Serve the web app and run one worker together; Ctrl+C stops both."""
    from workbench.jobs.supervisor import supervise, workbench_command

    database = env.settings["DATABASE"]
    serve = workbench_command(database, "serve", "--host", host, "--port", str(port))
    work = workbench_command(database, "worker",
                             *(["--workers", str(threads)] if threads else []))
    say(msg("Signbench: web server on %(url)s and one worker (Ctrl+C stops both)",
            url=f"http://{host}:{port}/"))
    code = supervise({"web": serve, "worker": work})
    if code:
        raise click.exceptions.Exit(code)
