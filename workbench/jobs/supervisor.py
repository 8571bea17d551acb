"""``workbench run``: the web server and a worker as two child processes, stopped together.

Ctrl+C (or SIGTERM) stops both: each child gets SIGTERM and, after a grace
period, SIGKILL. When one child exits on its own, the other is stopped too and
the command exits with the child's status, so a service manager notices. On
Linux the children also get SIGTERM if the supervisor itself is killed.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import Any

from workbench.messages import cli_translator, msg

GRACE_SECONDS = 15.0
POLL_SECONDS = 0.2


def workbench_command(database: str, *args: str) -> list[str]:
    """The command line of ``workbench --db DATABASE ARGS…`` with this Python."""
    return [sys.executable, "-m", "workbench", "--db", database, *args]


def _die_with_parent() -> None:
    # PR_SET_PDEATHSIG (1): the kernel sends SIGTERM to the child when its parent dies.
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _start(command: list[str]) -> subprocess.Popen[Any]:
    # A session of its own: Ctrl+C in the terminal reaches only the supervisor,
    # which then stops every child the same way.
    return subprocess.Popen(command, start_new_session=True,
                            preexec_fn=_die_with_parent if sys.platform == "linux" else None)


def _stop(children: Mapping[str, subprocess.Popen[Any]]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def supervise(commands: Mapping[str, list[str]]) -> int:
    """Run the commands until Ctrl+C, SIGTERM or one of them exits; returns the exit status."""
    stopping = False

    def request_stop(_signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    children: dict[str, subprocess.Popen[Any]] = {}
    status = 0
    try:
        for name, command in commands.items():
            children[name] = _start(command)
        while not stopping:
            ended = [(name, child.returncode) for name, child in children.items()
                     if child.poll() is not None]
            if ended:
                name, code = ended[0]
                print(msg("workbench run: the %(name)s process exited (%(code)s); stopping "
                          "the others.", name=name, code=code).render(cli_translator()),
                      file=sys.stderr)
                status = code or 1
                break
            time.sleep(POLL_SECONDS)
    finally:
        _stop(children)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
