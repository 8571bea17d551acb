"""Inventory import and list speed with one county's 100,000 signs.

Builds a seeded workbench database in a temporary folder (migrations, the
shipped glossary), generates a 100,000-row survey for one county (146 sites,
realistic sign texts, installed English on most signs — some of it wrong —,
a few ru/ja/ko lines and requirements), and measures:

0. The XLSX reader alone: the bounded python-calamine reader (streaming scan of
   the workbook, then calamine) against openpyxl's read-only mode.
1. CSV import, including reading, validation and the write in one
   transaction (sites, signs, installed texts, shared translation units,
   full-text index, one audit event). Timed twice: without the QA checks
   (``--no-checks``, run afterwards as ``inventory recheck``) and with them.
   For each import: how long its write transaction held SQLite's write lock,
   and the longest wait of another writer (a thread committing a tiny write
   every 5 ms on its own connection) — what a user's save would wait.
2. The same survey as XLSX into a fresh database (without and with checks).
3. Re-importing the CSV (nothing changes: the idempotency path).
4. The sign list page with the 100,000 signs (Flask test client, warm):
   median of plain, filtered, sorted and searched pages.

    .venv/bin/python benchmarks/bench_inventory.py [--rows 100000] [--requests 40]

Targets: CSV ≥ 20,000 rows/s, XLSX ≥ 5,000 rows/s, list median < 100 ms.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import random
import shutil
import resource
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench import auth, bootstrap  # noqa: E402
from workbench.config import load_settings  # noqa: E402
from workbench.db import open_db  # noqa: E402
from workbench.inventory import importer  # noqa: E402

TEXTS = [
    ("facility", "出口", "Exit"), ("facility", "入口", "Entrance"),
    ("facility", "安全出口", "Safety Exit"), ("facility", "卫生间", "Toilet"),
    ("facility", "男卫生间", "Men"), ("facility", "女卫生间", "Women"),
    ("facility", "无障碍卫生间", "Deformed Man Toilet"), ("facility", "电梯", "Elevator"),
    ("facility", "服务台", "Service Desk"), ("facility", "问讯处", "Ask Place"),
    ("facility", "售票处", "Ticket Office"), ("facility", "候车室", "Waiting Room"),
    ("facility", "停车场", "Parking"), ("facility", "医务室", "Clinic"),
    ("facility", "饮水处", "Drinking Water"), ("facility", "吸烟室", "Smoking Room。"),
    ("facility", "母婴室", "Mother And Baby Room"), ("facility", "行李寄存", "Left Luggage"),
    ("facility", "租车服务", "Car Rent"), ("facility", "游客中心", "Visitor Center"),
    ("warning", "小心地滑", "Carefully Slide"), ("warning", "当心碰头", "Mind Your Head"),
    ("warning", "小心台阶", "Mind the Step"), ("warning", "当心落水", "Beware of Falling"),
    ("warning", "当心触电", "Danger! High Voltage"), ("warning", "小心烫伤", "Caution Hot"),
    ("prohibition", "禁止吸烟", "No Smoking"), ("prohibition", "禁止游泳", "Forbid Swimming"),
    ("prohibition", "请勿触摸", "Don't Touch"), ("prohibition", "禁止停车", "No Parking"),
    ("prohibition", "请勿乱扔垃圾", "Do not throw rubbish everywhere."),
    ("prohibition", "禁止携带危险品", "Dangerous Goods Forbid"),
    ("instruction", "请排队等候", "Please Wait in Line"),
    ("instruction", "请保持安静", "Please Keep Quiet"),
    ("instruction", "请出示证件", "Please Show Your ID"),
    ("notice", "仅限紧急情况使用", "Emergency Use Only"), ("notice", "油漆未干", "Wet Paint"),
    ("notice", "营业时间 08:00-18:00", "Business Hours 08:00-18:00"),
    ("name", "海口市人民医院", "Haikou People's Hospital"),
    ("name", "万绿园", "Wanlv Yuan"), ("name", "海口湾", "Haikou Bay"),
]
SECTORS = ["transport", "tourism_culture", "education", "health", "public_facilities",
           "government", "commerce"]
SITE_WORDS = ["中心", "公园", "医院", "学校", "广场", "车站", "市场", "服务中心", "博物馆", "码头"]
FLOORS = ["一层", "二层", "三层", "负一层", "户外"]
AREAS = ["大厅", "东门", "西门", "南门", "北门", "走廊", "楼梯口", "电梯厅", "停车场", "广场"]
HEADER = ["sign_code", "county", "site", "sector", "location", "function", "zh", "en_current",
          "ru_current", "ja_current", "ko_current", "languages", "quantity", "size",
          "material", "action", "photo", "latitude", "longitude"]


def survey(rows: int, seed: int = 7) -> list[list[object]]:
    """One county's survey: 146 sites, ``rows`` signs with unique (site, location, text)."""
    rng = random.Random(seed)
    sites = [(f"海口{rng.choice(['龙华', '美兰', '秀英', '琼山'])}{n:03d}{rng.choice(SITE_WORDS)}",
              rng.choice(SECTORS), round(19.9 + rng.random() / 10, 5),
              round(110.3 + rng.random() / 10, 5)) for n in range(146)]
    out = []
    for index in range(rows):
        site, sector, lat, lon = sites[index % len(sites)]
        function, zh, en = TEXTS[rng.randrange(len(TEXTS))]
        action = rng.choices(["keep", "correct", "new"], [2, 3, 5])[0]
        languages = rng.choices(["en", "en;ru", "en;ja;ko"], [8, 1, 1])[0]
        location = f"{rng.choice(FLOORS)} {rng.choice(AREAS)} {index // len(sites) + 1}号点位"
        out.append(["", "海口市", site, sector, location, function, zh,
                    "" if action == "new" else en,
                    "Выход" if languages == "en;ru" and rng.random() < 0.3 else "", "", "",
                    languages, rng.choice([1, 1, 1, 2, 4]), "60×40 cm", "铝板", action, "",
                    lat, lon])
    return out


def as_csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def as_xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class WriterProbe:
    """Another writer: tiny write transactions every 5 ms on its own connection.

    The longest time one of them waited for SQLite's write lock is how long the
    import starved every other writer (a user's save waits exactly as long).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.waits: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "WriterProbe":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        conn = sqlite3.connect(str(self.path), timeout=120, isolation_level=None)
        conn.execute("CREATE TABLE IF NOT EXISTS bench_probe (at REAL)")
        while not self._stop.is_set():
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            self.waits.append(time.perf_counter() - started)
            conn.execute("INSERT INTO bench_probe VALUES (?)", [started])
            conn.execute("COMMIT")
            time.sleep(0.005)
        conn.close()

    def summary(self) -> str:
        """Longest and median wait for the write lock, and how many writes got through."""
        if not self.waits:
            return "no probe writes"
        return (f"longest wait for the write lock {max(self.waits):6.3f} s, median "
                f"{statistics.median(self.waits) * 1000:5.1f} ms over {len(self.waits):,} "
                f"probe writes (busy timeout 10 s)")


def timed_import(template: Path, folder: Path, name: str, data: bytes, file_name: str,
                 run_checks: bool) -> tuple[float, float, object, Path, WriterProbe]:
    path = folder / f"{name}.sqlite3"
    shutil.copyfile(template, path)
    db = open_db(path)
    actor = auth.system_actor("bench")
    with WriterProbe(path) as probe:
        time.sleep(0.05)
        started, cpu_started = time.perf_counter(), time.process_time()
        report = importer.import_inventory(db, actor, data, file_name, run_checks=run_checks)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    db.close()
    return elapsed, cpu, report, path, probe


def compare_xlsx_readers(data: bytes) -> None:
    """The XLSX reader alone: the bounded calamine reader against openpyxl's read-only mode.

    (The hand-written lxml reader these replaced read the 100,000-row survey in about
    8 s of a 16 s import, at load 0.3: see the figures in the issue's report.)
    """
    import openpyxl

    from workbench.files.limits import UploadLimits
    from workbench.files.spreadsheets import read_sheet

    timings = {}
    for label, read in (
            ("calamine (scan + read)", lambda: sum(1 for _ in read_sheet(
                data, "s.xlsx", UploadLimits()).rows)),
            ("openpyxl read-only", lambda: sum(1 for _ in openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True).worksheets[0].iter_rows(
                    values_only=True)))):
        started, cpu = time.perf_counter(), time.process_time()
        rows = read()
        timings[label] = (time.perf_counter() - started, time.process_time() - cpu)
        print(f"xlsx reader {label:<24} {timings[label][0]:6.2f} s  CPU "
              f"{timings[label][1]:6.2f} s  ({rows:,} rows)")
    fast, slow = timings["calamine (scan + read)"][1], timings["openpyxl read-only"][1]
    print(f"xlsx reader: calamine is {slow / fast:4.1f}× faster than openpyxl in CPU time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--formats", default="csv,xlsx", help="csv,xlsx or one of them")
    parser.add_argument("--skip-list", action="store_true", help="only the imports")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template = folder / "template.sqlite3"
        settings = load_settings(folder, {"DATABASE": str(template), "SECRET_KEY": "bench"})
        db = open_db(template)
        bootstrap.initialize(db, settings, seed=True)
        auth.create_user(db, auth.system_actor("bench"), "benchstaff", "staff",
                         password="bench-password-1")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()

        rows = survey(args.rows)
        csv_data, xlsx_data = as_csv(rows), as_xlsx(rows)
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        if "xlsx" in args.formats.split(","):
            compare_xlsx_readers(xlsx_data)
        print(f"survey: {args.rows:,} rows, 146 sites; CSV {len(csv_data) / 1e6:.1f} MB, "
              f"XLSX {len(xlsx_data) / 1e6:.1f} MB")
        results = {}
        for fmt, data, target in (("csv", csv_data, 20_000), ("xlsx", xlsx_data, 5_000)):
            if fmt not in args.formats.split(","):
                continue
            for checks in (False, True):
                label = f"{fmt} import {'with' if checks else 'without'} QA checks"
                elapsed, cpu, report, path, probe = timed_import(
                    template, folder, f"{fmt}{int(checks)}", data, f"survey.{fmt}", checks)
                rate = args.rows / elapsed
                results[(fmt, checks)] = path
                extra = f", {report.findings:,} findings" if checks else ""
                print(f"{label:<32} {elapsed:6.2f} s  {rate:>9,.0f} rows/s  "
                      f"(target {target:,}: {rate / target:4.2f}×); CPU {cpu:5.2f} s = "
                      f"{args.rows / cpu:,.0f} rows/CPU-s{extra}; "
                      f"{report.signs_created:,} signs, {report.sites_created} sites")
                print(f"{'':<32} write transaction held the lock {report.lock_seconds:6.3f} s; "
                      f"other writers: {probe.summary()}")
        # Re-import into the CSV database: nothing changes.
        db = open_db(results[("csv", True)])
        started = time.perf_counter()
        report = importer.import_inventory(db, auth.system_actor("bench"), csv_data,
                                           "survey.csv")
        elapsed = time.perf_counter() - started
        print(f"{'csv re-import (no changes)':<32} {elapsed:6.2f} s  "
              f"{args.rows / elapsed:>9,.0f} rows/s  ({report.signs_unchanged:,} unchanged, "
              f"{report.signs_created + report.signs_updated} written)")
        print(f"peak memory of this process so far: "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
        units = db.execute("SELECT count(*) FROM translation_units").fetchone()[0]
        print(f"shared translation units: {units:,} for {args.rows:,} signs")
        db.close()
        if args.skip_list:
            return

        from workbench import create_app

        app = create_app({"DATABASE": str(results[("csv", True)]), "SECRET_KEY": "bench",
                          "TESTING": True, "WTF_CSRF_ENABLED": False,
                          "UPLOAD_DIR": str(folder / "uploads"), "INSTANCE_PATH": tmp})
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        with client.session_transaction() as session:
            db = open_db(results[("csv", True)])
            session["_user_id"] = str(auth.find_user(db, "benchstaff").id)
            session["_fresh"] = True
            db.close()
        for url in ("/inventory/", "/inventory/?status=submitted&function=warning",
                    "/inventory/?has_flags=1&sort=findings", "/inventory/?lang=ru&page=40",
                    "/inventory/?q=小心地滑", "/inventory/?q=出口", "/inventory/?q=Carefully",
                    "/inventory/?sort=site&page=1000"):
            for _ in range(3):  # warm
                assert client.get(url).status_code == 200
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            median = statistics.median(times)
            print(f"list {url:<46} median {median:6.1f} ms  p90 "
                  f"{sorted(times)[int(len(times) * 0.9) - 1]:6.1f} ms  "
                  f"(target 100 ms: {100 / median:4.1f}× headroom)")
        started = time.perf_counter()
        assert client.get("/inventory/dashboard").status_code == 200
        print(f"dashboard ({args.rows:,} signs, cold)  "
              f"{(time.perf_counter() - started) * 1000:6.1f} ms")
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
