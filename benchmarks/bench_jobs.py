"""Job system speed: the overhead of running work as a job, the time from enqueueing a run
to a worker starting it, and the throughput of many small jobs through real worker processes.

1. overhead: a no-op kind run in-process through the job system (record, claim, progress,
   result: four audited writes) against calling the function directly;
2. latency: single runs enqueued one at a time while a `workbench worker` waits idle
   (created_at → started_at, as recorded on each run);
3. throughput: N small real jobs (``review.check`` with nothing to check) enqueued at once,
   drained by one worker with 1 thread, then with 2 threads.

Run: ``.venv/bin/python benchmarks/bench_jobs.py [--jobs 300] [--latency 30]``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench import auth, counties, jobs, migrations, plugins  # noqa: E402
from workbench.config import load_settings  # noqa: E402
from workbench.db import open_db  # noqa: E402
from workbench.hooks import hookimpl  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent


def noop(db, *, progress):
    """The smallest job: one progress report, an empty result."""
    progress(1, 1)
    return {}


def seconds_between(earlier: str, later: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


def start_worker(folder: Path, database: Path, threads: int) -> subprocess.Popen:
    env = dict(os.environ, WORKBENCH_DB=str(database), WORKBENCH_INSTANCE=str(folder),
               WORKBENCH_ENV="development", WORKBENCH_JOBS_IMMEDIATE="0",
               PYTHONPATH=str(PROJECT))
    log = open(folder / f"worker-{threads}.log", "ab")
    process = subprocess.Popen([sys.executable, "-m", "workbench", "worker", "--workers",
                                str(threads)], env=env, stdout=log, stderr=subprocess.STDOUT)
    db = open_db(database)
    while not db.execute("SELECT 1 FROM job_workers WHERE pid = ? AND stopped_at IS NULL",
                         [process.pid]).fetchone():
        if process.poll() is not None:
            raise SystemExit(f"the worker did not start; see {log.name}")
        time.sleep(0.05)
    db.close()
    return process


def wait_all(db, run_ids: list[int], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    marks = ",".join("?" * len(run_ids))
    while time.monotonic() < deadline:
        active = db.execute(f"SELECT count(*) FROM job_runs WHERE id IN ({marks}) "
                            "AND state IN ('queued', 'running')", run_ids).fetchone()[0]
        if not active:
            return
        time.sleep(0.02)
    raise SystemExit("timed out")


class NoopKind:
    """A plugin adding the no-op job kind measured below."""

    @hookimpl
    def register_job_kinds(self) -> list[jobs.JobKind]:
        return [jobs.JobKind("bench.noop", "No-op", noop)]


def overhead(db, settings: dict, runs: int) -> None:
    actor = auth.system_actor("bench")
    plugins.register(NoopKind(), name="bench-noop")
    started = time.perf_counter()
    for _ in range(runs):
        noop(db, progress=lambda done, total, message=None: None)
    direct = (time.perf_counter() - started) / runs
    started = time.perf_counter()
    for _ in range(runs):
        jobs.run_now(db, actor, "bench.noop", settings=settings)
    through_jobs = (time.perf_counter() - started) / runs
    print(f"overhead per job (in-process, 4 audited writes): {1000 * (through_jobs - direct):6.2f}"
          f" ms  (direct call {1e6 * direct:.1f} µs, as a job {1000 * through_jobs:.2f} ms, "
          f"{runs} runs)")


def latency(db, settings: dict, folder: Path, database: Path, count: int) -> None:
    actor = auth.system_actor("bench")
    worker = start_worker(folder, database, 1)
    try:
        waits = []
        for _ in range(count):
            run_id = jobs.start(db, actor, "review.check", {"limit": 1}, settings=settings)
            wait_all(db, [run_id])
            run = jobs.get_run(db, run_id)
            waits.append(seconds_between(run["created_at"], run["started_at"]))
            time.sleep(0.3)  # let the worker go idle again, as between real requests
    finally:
        worker.terminate()
        worker.wait()
    waits.sort()
    p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))]
    median = statistics.median(waits)
    print(f"enqueue → start (idle worker, {count} runs): median {1000 * median:6.1f}"
          f" ms, p95 {1000 * p95:6.1f} ms, max {1000 * waits[-1]:6.1f} ms")


def throughput(db, settings: dict, folder: Path, database: Path, count: int,
               threads: int) -> None:
    actor = auth.system_actor("bench")
    started = time.perf_counter()
    run_ids = [jobs.start(db, actor, "review.check", {"limit": 1}, settings=settings)
               for _ in range(count)]
    enqueued = time.perf_counter() - started
    worker = start_worker(folder, database, threads)
    try:
        began = time.perf_counter()
        wait_all(db, run_ids)
        drained = time.perf_counter() - began
    finally:
        worker.terminate()
        worker.wait()
    done = db.execute(f"SELECT count(*) FROM job_runs WHERE state = 'done' AND id IN "
                      f"({','.join('?' * len(run_ids))})", run_ids).fetchone()[0]
    print(f"throughput, {count} small jobs, 1 worker × {threads} thread(s): "
          f"{count / drained:7.1f} jobs/s ({drained:.2f} s to drain; enqueueing "
          f"{count / enqueued:,.0f} jobs/s; {done} done)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=300, help="jobs for the throughput runs")
    parser.add_argument("--latency", type=int, default=30, help="runs for the latency figure")
    parser.add_argument("--overhead", type=int, default=200, help="runs for the overhead figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        database = folder / "workbench.sqlite3"
        db = open_db(database)
        migrations.apply(db)
        counties.seed(db, auth.system_actor("bench"))
        settings = load_settings(folder, {"DATABASE": str(database), "SECRET_KEY": "bench",
                                          "JOBS_IMMEDIATE": False})
        print(f"Load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPU(s)")
        overhead(db, settings, args.overhead)
        latency(db, settings, folder, database, args.latency)
        for threads in (1, 2):
            throughput(db, settings, folder, database, args.jobs, threads)
        db.close()


if __name__ == "__main__":
    main()
