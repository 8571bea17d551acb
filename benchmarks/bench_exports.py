"""Export speed: 100,000 approved signs (zh + en, ru, ja) to CSV and XLSX, TMX of ~100,000
units, and 1,000 proof pages to PDF. Prints rows/s and the ratio to each target.

Data is generated straight into a temporary database (no audit events: this
measures the writers, not the workflow). Run: ``.venv/bin/python benchmarks/bench_exports.py
[--signs N]``.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench import auth, counties, migrations  # noqa: E402
from workbench.db import open_db, transaction  # noqa: E402
from workbench.exports import exchange, proofs, sheets  # noqa: E402
from workbench.exports.selection import ExportFilter  # noqa: E402

TARGETS = {"csv": 50_000, "xlsx": 10_000}
PHRASES = [("小心地滑", "CAUTION//Wet Floor", "Осторожно, скользкий пол", "足元注意"),
           ("禁止吸烟", "No Smoking", "Не курить", "禁煙"),
           ("出口", "Exit", "Выход", "出口"),
           ("卫生间", "Toilet", "Туалет", "トイレ"),
           ("服务台", "Service Desk", "Стойка обслуживания", "サービスカウンター")]


def build(path: Path, signs: int, share: int = 3) -> None:
    """``signs`` approved signs in 20 counties; every ``share`` signs share one Chinese text."""
    db = open_db(path)
    migrations.apply(db)
    counties.seed(db, auth.system_actor("bench"))
    county_ids = [r[0] for r in db.execute("SELECT id FROM counties ORDER BY id")]
    now = "2026-11-20T08:00:00.000000+00:00"
    rng = random.Random(7)
    with transaction(db):
        sites = []
        for number in range(200):
            county = county_ids[number % len(county_ids)]
            sites.append((number + 1, county, f"测试场所{number:03d}", "transport", now, now))
        db.conn.executemany("INSERT INTO sites (id, county_id, name_zh, sector, created_at, "
                            "updated_at) VALUES (?, ?, ?, ?, ?, ?)", sites)
        texts = -(-signs // share)
        unit_rows, sign_rows, link_rows = [], [], []
        unit_id = 0
        text_units: list[list[int]] = []
        for number in range(texts):
            zh, en, ru, ja = PHRASES[number % len(PHRASES)]
            zh = f"{zh}{number}"
            ids = []
            for lang, text in (("en", f"{en} {number}"), ("ru", f"{ru} {number}"),
                               ("ja", f"{ja}{number}")):
                unit_id += 1
                ids.append(unit_id)
                unit_rows.append((unit_id, "sign", "", "zh", zh, lang, "approved", text, 3,
                                  now, now, "reviewer", "reviewer", now))
            text_units.append(ids)
        db.conn.executemany(
            """INSERT INTO translation_units (id, kind, scope, source_lang, source_text,
                   target_lang, state, target_text, version, created_at, updated_at,
                   updated_by, approved_by, approved_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", unit_rows)
        for number in range(signs):
            site_id = 1 if number < 1000 else rng.randint(2, len(sites))
            county = sites[site_id - 1][1]
            text_index = number // share
            zh = f"{PHRASES[text_index % len(PHRASES)][0]}{text_index}"
            sign_rows.append((number + 1, site_id, county, f"BM-{number + 1:07d}",
                              f"{number % 9 + 1}号门", "warning", zh, "en;ru;ja", 1,
                              "60×40 cm", "铝板", "new", "approved", now, now))
            for lang, uid in zip(("en", "ru", "ja"), text_units[text_index], strict=True):
                link_rows.append((number + 1, lang, uid))
        db.conn.executemany(
            """INSERT INTO signs (id, site_id, county_id, sign_code, location, function, zh,
                   languages, quantity, size, material, action, status, created_at,
                   updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            sign_rows)
        db.conn.executemany("INSERT INTO sign_units (sign_id, target_lang, unit_id) "
                            "VALUES (?, ?, ?)", link_rows)
    db.execute("ANALYZE")
    db.close()


def timed(label: str, rows_label: str, target: int | None, run) -> None:
    """Run one export; print wall-clock and CPU rates (CPU shows the code's own speed when
    other work shares the machine) and the ratio of the wall-clock rate to the target."""
    started, cpu = time.perf_counter(), time.process_time()
    rows, size = run()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    rate, cpu_rate = rows / seconds, rows / max(cpu_seconds, 1e-9)
    ratio = (f"  wall {rate / target:.2f}× / CPU {cpu_rate / target:.2f}× the target of "
             f"{target:,}/s") if target else ""
    print(f"{label:<26} {rows:>8,} {rows_label:<5} {seconds:6.2f} s wall {rate:>9,.0f}/s"
          f" | {cpu_seconds:6.2f} s CPU {cpu_rate:>9,.0f}/s | {size / 1e6:6.1f} MB{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signs", type=int, default=100_000)
    parser.add_argument("--proofs", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        build(path, args.signs)
        print(f"Built {args.signs:,} approved signs (zh + en, ru, ja) in "
              f"{time.perf_counter() - started:.1f} s")
        print(f"Load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPU(s)")
        db = open_db(path)
        everything = ExportFilter()

        def csv_run():
            out = io.BytesIO()
            return sheets.write_csv(db, everything, out).rows, len(out.getvalue())

        def xlsx_run():
            target = Path(folder) / "sheet.xlsx"
            return sheets.write_xlsx(db, everything, target).rows, target.stat().st_size

        def tmx_run():
            target = Path(folder) / "units.tmx"
            return exchange.write_tmx(db, everything, target), target.stat().st_size

        def proofs_run():
            out = io.BytesIO()
            result = proofs.write_proofs(db, ExportFilter(site_id=1), out)
            return result.rows, len(out.getvalue())

        timed("Sheet CSV", "signs", TARGETS["csv"], csv_run)
        timed("Sheet XLSX (write-only)", "signs", TARGETS["xlsx"], xlsx_run)
        timed("TMX (all languages)", "units", None, tmx_run)
        timed("Proof PDF", "cards", None, proofs_run)
        db.close()


if __name__ == "__main__":
    main()
