"""HTTP load on the real server: concurrent signed-in users, then the same during a large import.

Starts ``workbench serve`` (waitress) on a loopback port with a temporary
database holding the demo inventory, signs in N clients (each its own
session and CSRF tokens) and lets them mix, for a bounded time and a bounded
number of requests:

* the sign list (``/inventory/``), the review queue (``/review/``),
* a search (``/inventory/?q=…``),
* a save: open a unit, send its wording back changed (``/review/units/N/save``).

Phase 1 runs alone (``--seconds``, ``--max-requests``); phase 2 runs for as
long as ``workbench inventory import`` takes to write a 100,000-row CSV into
the same database from the command line (at most ``--import-seconds`` and ten
times ``--max-requests``). For each phase
it prints requests/s, p50/p95/p99 latency per kind and overall, and the error
count (5xx answers or failed connections; a 409 conflict or a 503 "busy" page
is counted apart). Only loopback addresses are used; nothing is asserted about
speed.

    .venv/bin/python benchmarks/bench_http_load.py [--clients 8] [--seconds 20]
        [--max-requests 4000] [--import-rows 100000] [--import-seconds 600] [--threads 8]
"""
from __future__ import annotations

import argparse
import csv
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

PASSWORD = "load-bench-passphrase-42"
KINDS = {"list": 4, "queue": 3, "search": 2, "save": 3}
SEARCHES = ["出口", "卫生间", "禁止", "Exit", "Toilet", "小心地滑", "服务台"]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def workbench(env: dict[str, str], *args: str, stdin: str | None = None,
              background: bool = False):
    command = [sys.executable, "-c",
               "import sys; from workbench.cli import main; sys.exit(main(sys.argv[1:]))", *args]
    if background:
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, env=env, input=stdin, capture_output=True, text=True,
                          check=True)


@dataclass
class Stats:
    """Latencies per kind, and outcomes, of one phase."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, outcome: str) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.outcomes[outcome] += 1


class Client:
    """One signed-in browser: cookies, CSRF tokens, its own units to edit."""

    def __init__(self, base: str, username: str, units: list[int], seed: int) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.units = units
        self.rng = random.Random(seed)
        page = self.get("/auth/login")[1]
        status, _body = self.post("/auth/login", {
            "username": username, "password": PASSWORD, "csrf_token": CSRF.search(page).group(1)})
        if status != 200:  # urllib follows the redirect to the home page
            raise RuntimeError(f"sign-in failed: {status}")

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body))

    def one(self, stats: Stats) -> None:
        kind = self.rng.choices(list(KINDS), list(KINDS.values()))[0]
        if kind == "save":
            unit_id = self.rng.choice(self.units)
            status, page = self.get(f"/review/units/{unit_id}")
            token, version = CSRF.search(page), VERSION.search(page)
            if status != 200 or not token or not version:
                stats.add("unit", 0.0, "error")
                return
            data = {"csrf_token": token.group(1), "version": version.group(1),
                    "text": f"Service Desk {self.rng.randrange(10 ** 6)}"}
            path = f"/review/units/{unit_id}/save"
            started = time.perf_counter()
            status, _page = self.post(path, data)
        else:
            path = {"list": "/inventory/", "queue": "/review/",
                    "search": "/inventory/?q=" + urllib.parse.quote(self.rng.choice(SEARCHES))
                    }[kind]
            started = time.perf_counter()
            status, _page = self.get(path)
        elapsed = time.perf_counter() - started
        outcome = ("error" if status >= 500 and status != 503 else "busy" if status == 503
                   else "conflict" if status == 409 else "refused" if status >= 400 else "ok")
        stats.add(kind, elapsed, outcome)


def run_phase(clients: list[Client], seconds: float, max_requests: int,
              until: threading.Event | None = None) -> tuple[Stats, float]:
    stats = Stats()
    budget = threading.Semaphore(max_requests)
    deadline = time.monotonic() + seconds

    def loop(client: Client) -> None:
        while time.monotonic() < deadline and not (until and until.is_set()):
            if not budget.acquire(blocking=False):
                return
            try:
                client.one(stats)
            except (OSError, urllib.error.URLError):
                stats.add("connection", 0.0, "error")

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return stats, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(title: str, stats: Stats, elapsed: float) -> float:
    everything = [value for kind, values in stats.latencies.items() if kind != "connection"
                  for value in values]
    rate = len(everything) / elapsed if elapsed else 0.0
    print(f"\n{title}: {len(everything)} requests in {elapsed:.1f} s = {rate:.1f} requests/s")
    print(f"  {'kind':<8} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in [*KINDS, "unit"]:
        values = stats.latencies.get(kind, [])
        if values:
            print(f"  {kind:<8} {len(values):>6} {1000 * statistics.median(values):>8.0f} "
                  f"{1000 * percentile(values, .95):>8.0f} {1000 * percentile(values, .99):>8.0f}")
    print(f"  {'all':<8} {len(everything):>6} {1000 * statistics.median(everything or [0]):>8.0f} "
          f"{1000 * percentile(everything, .95):>8.0f} {1000 * percentile(everything, .99):>8.0f}")
    print("  outcomes: " + ", ".join(f"{name} {count}" for name, count in
                                     sorted(stats.outcomes.items())))
    print(f"  errors (5xx except 503, failed connections): {stats.outcomes['error']}")
    return rate


def write_survey(path: Path, rows: int) -> None:
    from bench_inventory import HEADER, survey

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(survey(rows))


def wait_until_up(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped: " + (server.stderr.read() if server.stderr
                                                         else ""))
        try:
            with urllib.request.urlopen(base + "/auth/login", timeout=2):
                return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase (at most)")
    parser.add_argument("--max-requests", type=int, default=4000, help="per phase (at most)")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--import-seconds", type=float, default=600.0,
                        help="phase 2 runs until the import ends, at most this long")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-http-"))
    env = dict(os.environ, WORKBENCH_DB=str(folder / "workbench.sqlite3"),
               WORKBENCH_INSTANCE=str(folder), WORKBENCH_ENV="production",
               PYTHONPATH=str(ROOT))
    print(f"Database and server in {folder}")
    workbench(env, "init", "--demo")
    for number in range(args.clients):
        workbench(env, "user", "add", f"load{number}", "--role", "translator",
                  "--password-stdin", stdin=PASSWORD + "\n")
    survey_file = folder / "survey.csv"
    write_survey(survey_file, args.import_rows)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = workbench(env, "serve", "--host", "127.0.0.1", "--port", str(port),
                       "--threads", str(args.threads), background=True)
    try:
        wait_until_up(base, server)
        probe = Client(base, "load0", [0], 0)
        queue_page = probe.get("/review/?state=machine_draft")[1]
        unit_ids = sorted({int(n) for n in re.findall(r"/review/units/(\d+)", queue_page)})
        if len(unit_ids) < args.clients:
            unit_ids = sorted({int(n) for n in re.findall(r"/review/units/(\d+)",
                                                           probe.get("/review/")[1])})
        # Each client edits its own units, so conflicts are not what is measured.
        clients = [Client(base, f"load{n}", unit_ids[n::args.clients] or unit_ids[:1], n)
                   for n in range(args.clients)]
        print(f"{args.clients} clients signed in; {len(unit_ids)} units to edit; "
              f"waitress with {args.threads} threads")

        run_phase(clients, 3.0, 4 * args.clients)  # warm-up (caches, first queries): not counted
        normal, elapsed = run_phase(clients, args.seconds, args.max_requests)
        normal_rate = report("Phase 1, normal load", normal, elapsed)

        done = threading.Event()
        import_result: dict[str, object] = {}

        def run_import() -> None:
            started = time.perf_counter()
            process = workbench(env, "inventory", "import", str(survey_file), "--no-checks",
                                background=True)
            _out, err = process.communicate()
            import_result.update(code=process.returncode, seconds=time.perf_counter() - started,
                                 stderr=(err or "")[-400:])
            done.set()

        importer = threading.Thread(target=run_import)
        importer.start()
        during, elapsed = run_phase(clients, args.import_seconds, args.max_requests * 10,
                                    until=done)
        importer.join()
        during_rate = report(f"Phase 2, during a {args.import_rows:,}-row CLI import", during,
                             elapsed)
        print(f"\nImport: exit code {import_result.get('code')} in "
              f"{float(import_result.get('seconds', 0)):.1f} s"
              + (f" ({import_result['stderr'].strip()})" if import_result.get("code") else ""))
        if normal_rate:
            print(f"Throughput during the import / normal: {during_rate / normal_rate:.2f}")
        print(f"Errors: normal {normal.outcomes['error']}, during the import "
              f"{during.outcomes['error']}; busy pages: {during.outcomes['busy']}")
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
