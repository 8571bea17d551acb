"""Public report pages under a bounded loopback flood.

Serves the app with waitress (8 threads) on a temporary database holding the
demo inventory, then sends a fixed number of requests from many threads at
once — the sign pages QR codes lead to, tracking pages (real and guessed
codes), the general page, form posts without a CSRF token, and partner-API
reports — while one "real visitor" keeps opening a sign page. Prints requests
per second, status codes and latencies per endpoint, the visitor's latency
during the flood against a quiet baseline, and how many reports the flood
managed to store (the per-address limit should hold it to
``REPORT_LIMIT_PER_ADDRESS``).

Before the flood, a few reports with a photo of a demo sign (drawn as a hand-held
photo, see ``benchmarks/sign_photos.py``) measure what one real report costs:
intake and triage with OCR run in the request for now.

Run: ``.venv/bin/python benchmarks/bench_public_reports.py [--requests 3000]
[--concurrency 32] [--photos 5]``. :func:`flood` is reusable by a general HTTP load
benchmark.
"""
from __future__ import annotations

import argparse
import http.client
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # sign_photos

from workbench import auth, counties, create_app, migrations  # noqa: E402
from workbench.db import open_db  # noqa: E402
from workbench.inventory import demo  # noqa: E402

LIMIT_PER_ADDRESS = 10


@dataclass
class Request:
    """One request of the plan: a name for the report, method, path, body, headers."""

    name: str
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Tally:
    """Statuses and latencies (seconds) per request name."""

    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[name][status] += 1
            self.latencies[name].append(seconds)


def multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type."""
    boundary = uuid.uuid4().hex
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
             f"{value}\r\n" for name, value in fields.items()]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode("utf-8")
    return body, f"multipart/form-data; boundary={boundary}"


def send(connection: http.client.HTTPConnection, request: Request) -> int:
    """Send one request on a kept-alive connection; the response's status."""
    connection.request(request.method, request.path, body=request.body,
                       headers=request.headers)
    response = connection.getresponse()
    response.read()
    return response.status


def flood(base_url: str, plan: Callable[[random.Random], Request], *, total: int,
          concurrency: int, timeout: float = 30.0) -> tuple[Tally, float]:
    """Send ``total`` requests drawn from ``plan`` over ``concurrency`` connections.

    Returns the tally and the wall-clock seconds. Bounded by ``total``: the
    flood stops by itself.
    """
    host = urlsplit(base_url)
    tally = Tally()
    remaining = iter(range(total))
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=timeout)
        while True:
            with lock:
                if next(remaining, None) is None:
                    break
            request = plan(rng)
            started = time.perf_counter()
            try:
                status = send(connection, request)
            except (OSError, http.client.HTTPException) as error:
                tally.errors[type(error).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection(host.hostname, host.port,
                                                        timeout=timeout)
                continue
            tally.add(request.name, status, time.perf_counter() - started)
        connection.close()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def public_plan(sign_codes: list[str], tracking_code: str) -> Callable[[random.Random], Request]:
    """The flood's mix of requests to the public report pages and the API."""
    def plan(rng: random.Random) -> Request:
        roll = rng.random()
        if roll < 0.35:
            return Request("GET /r/<sign>", "GET", f"/r/{rng.choice(sign_codes)}")
        if roll < 0.45:
            return Request("GET /r/track (real)", "GET", f"/r/track/{tracking_code}")
        if roll < 0.55:
            guess = "".join(rng.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(12))
            return Request("GET /r/track (guessed)", "GET", f"/r/track/{guess}")
        if roll < 0.65:
            return Request("GET /r/", "GET", "/r/")
        if roll < 0.80:
            body, kind = multipart({"kind": "other", "description": "flood", "place": "x"})
            return Request("POST /r/<sign> (no CSRF)", "POST", f"/r/{rng.choice(sign_codes)}",
                           body, {"Content-Type": kind})
        body, kind = multipart({"kind": "spelling", "description": "flood",
                                "sign_code": rng.choice(sign_codes)})
        return Request("POST /api/reports", "POST", "/api/reports", body, {"Content-Type": kind})
    return plan


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def _probe(base_url: str, path: str, stop: threading.Event, samples: list[float]) -> None:
    host = urlsplit(base_url)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    while not stop.is_set():
        started = time.perf_counter()
        try:
            if send(connection, Request("probe", "GET", path)) == 200:
                samples.append(time.perf_counter() - started)
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        stop.wait(0.05)
    connection.close()


def photo_reports(port: int, db_path: Path, count: int) -> tuple[list[float], int]:
    """Send ``count`` API reports with a photo of a demo sign; (seconds each, signs matched)."""
    from sign_photos import SignText, make_photo

    db = open_db(db_path)
    signs = list(db.query("SELECT s.id, s.zh, s.function, t.text FROM signs s JOIN "
                          "sign_current_texts t ON t.sign_id = s.id AND t.lang = 'en' "
                          "ORDER BY s.id"))
    db.close()
    rng = random.Random(11)
    seconds, matched = [], 0
    for sign in rng.sample(signs, min(count, len(signs))):
        photo = make_photo(rng, SignText(sign["zh"], sign["text"], sign["function"]))
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n"
                f"wrong_translation\r\n--{boundary}\r\nContent-Disposition: form-data; "
                f"name=\"photo\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
                ).encode() + photo + f"\r\n--{boundary}--\r\n".encode()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        started = time.perf_counter()
        connection.request("POST", "/api/reports", body=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}"})
        connection.getresponse().read()
        seconds.append(time.perf_counter() - started)
        connection.close()
        db = open_db(db_path)
        matched += db.execute("SELECT sign_id = ? FROM reports ORDER BY id DESC LIMIT 1",
                              [sign["id"]]).fetchone()[0] or 0
        db.close()
    return seconds, matched


def _setup(folder: Path) -> tuple[object, list[str]]:
    path = folder / "bench.sqlite3"
    db = open_db(path)
    migrations.apply(db)
    counties.seed(db, auth.system_actor("bench"))
    demo.load_demo(db)
    codes = [row[0] for row in db.execute("SELECT sign_code FROM signs ORDER BY id")]
    db.close()
    app = create_app({"DATABASE": str(path), "INSTANCE_PATH": str(folder),
                      "SECRET_KEY": "bench", "REPORT_OCR": True,
                      "REPORT_LIMIT_PER_ADDRESS": LIMIT_PER_ADDRESS,
                      "UPLOAD_DIR": str(folder / "uploads")})
    return app, codes


def main() -> None:
    """Run the flood and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--photos", type=int, default=5)
    args = parser.parse_args()
    import logging

    from waitress.server import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth" notes

    with tempfile.TemporaryDirectory() as tmp:
        app, codes = _setup(Path(tmp))
        server = create_server(app, host="127.0.0.1", port=_free_port(), threads=8,
                               connection_limit=200)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.effective_port}"
        # One real report first, whose tracking page the flood also opens.
        connection = http.client.HTTPConnection("127.0.0.1", server.effective_port)
        body, kind = multipart({"kind": "spelling", "description": "Toliet",
                                "sign_code": codes[0]})
        connection.request("POST", "/api/reports", body=body, headers={"Content-Type": kind})
        receipt = connection.getresponse().read().decode()
        tracking = receipt.split('"tracking_code":"')[1].split('"')[0]
        baseline = []
        for _ in range(50):
            started = time.perf_counter()
            send(connection, Request("baseline", "GET", f"/r/{codes[1]}"))
            baseline.append(time.perf_counter() - started)
        connection.close()

        ocr_seconds, matched = photo_reports(server.effective_port, Path(tmp) / "bench.sqlite3",
                                             args.photos)

        stop, during = threading.Event(), []
        prober = threading.Thread(target=_probe, args=(base, f"/r/{codes[1]}", stop, during))
        prober.start()
        tally, seconds = flood(base, public_plan(codes, tracking), total=args.requests,
                               concurrency=args.concurrency)
        stop.set()
        prober.join()
        server.close()

        db = open_db(Path(tmp) / "bench.sqlite3")
        stored = db.execute("SELECT count(*) FROM reports").fetchone()[0]
        attempts = db.execute("SELECT count(*) FROM report_attempts").fetchone()[0]
        db.close()

    done = sum(sum(c.values()) for c in tally.statuses.values())
    print(f"Flood: {done} requests from {args.concurrency} connections in {seconds:.1f} s "
          f"= {done / seconds:.0f} req/s (waitress, 8 threads, one loopback address)")
    print(f"{'endpoint':<28} {'n':>6} {'p50 ms':>8} {'p95 ms':>8}  statuses")
    server_errors = 0
    for name in sorted(tally.statuses):
        statuses = tally.statuses[name]
        server_errors += sum(n for status, n in statuses.items() if status >= 500)
        latencies = tally.latencies[name]
        print(f"{name:<28} {sum(statuses.values()):>6} "
              f"{1000 * statistics.median(latencies):>8.1f} "
              f"{1000 * _percentile(latencies, 0.95):>8.1f}  "
              + ", ".join(f"{status}×{n}" for status, n in sorted(statuses.items())))
    if tally.errors:
        print("connection errors:", dict(tally.errors))
    quiet = statistics.median(baseline)
    busy = statistics.median(during) if during else float("nan")
    print(f"A visitor's sign page: {1000 * quiet:.1f} ms quiet, {1000 * busy:.1f} ms during the "
          f"flood (p95 {1000 * _percentile(during, 0.95):.1f} ms, {len(during)} loads) — "
          f"ratio {busy / quiet:.1f}×")
    print(f"Reports stored: {stored} (limit per address: {LIMIT_PER_ADDRESS}, all from "
          f"127.0.0.1); attempts counted: {attempts}")
    print(f"Server errors (5xx): {server_errors}")
    if ocr_seconds:
        print(f"A report with a photo (intake + triage with OCR, in the request): median "
              f"{statistics.median(ocr_seconds):.2f} s, max {max(ocr_seconds):.2f} s; matched "
              f"to the photographed sign: {matched}/{len(ocr_seconds)}")


if __name__ == "__main__":
    main()
