"""A real ``workbench worker`` (or any ``python -m workbench`` command) in a child process,
on the test's database, for the tests that kill and restart workers."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent.parent
TIMEOUT = 90.0


class WorkerProcess:
    """``python -m workbench ARGS`` on the test's database, its output in a log file."""

    def __init__(self, tmp_path: Path, db_path: Path, *args: str) -> None:
        self.log_path = tmp_path / f"worker-{time.monotonic_ns()}.log"
        env = dict(os.environ, WORKBENCH_DB=str(db_path), WORKBENCH_INSTANCE=str(tmp_path),
                   WORKBENCH_ENV="testing", WORKBENCH_JOBS_IMMEDIATE="0",
                   PYTHONPATH=str(PROJECT))
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "workbench", *args], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_registered(self, db: Any) -> None:
        """Until the worker has recorded itself (it has recovered lost runs by then)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            if db.execute("SELECT 1 FROM job_workers WHERE pid = ? AND stopped_at IS NULL",
                          [self.proc.pid]).fetchone():
                return
            time.sleep(0.05)
        raise AssertionError("the worker did not start:\n" + self.output())

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log.close()
