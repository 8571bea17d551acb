"""Review queue page speed with 100,000 translation units, filters included.

Builds a database with the real migrations, the county list and a reviewer,
then 1,000 sites, 110,000 signs and 100,000 translation units (10,000 shared
by two signs; states, languages, engines, domains, functions and QA results
spread like a campaign in progress), written in bulk straight into the tables
(a benchmark fixture: no audit events). Then requests the review queue page
through the Flask test client as a signed-in reviewer: every filter on its own,
some combined, a deep page, and the unit page. Prints the median and 95th
percentile per request after warm-up.

    .venv/bin/python benchmarks/bench_review.py [--units 100000] [--runs 15]

Target: median under 150 ms warm for every queue request.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench import auth, bootstrap, create_app  # noqa: E402
from workbench import db as dbmod  # noqa: E402
from workbench.config import load_settings  # noqa: E402

TARGET_MS = 150.0
STATES = ["machine_draft"] * 40 + ["new"] * 10 + ["translated"] * 15 + ["in_review"] * 15 + \
    ["approved"] * 17 + ["rejected"] * 3
LANGS = ["en"] * 70 + ["ru"] * 10 + ["ja"] * 10 + ["ko"] * 10
ENGINES = ["rules"] * 6 + ["marian"] * 2 + ["ct2"] + ["memory"]
DOMAINS = ["transport", "tourism_culture", "education", "health", "public_facilities",
           "government", "commerce"]
FUNCTIONS = ["facility", "warning", "prohibition", "instruction", "notice", "name"]
WORDS = list("出入口服务台售票处电梯卫生间停车场禁止吸烟小心地滑请勿触摸安全通道会议室办公室")


def build(path: Path, units: int, seed: int = 7) -> dict[str, int]:
    """Create the database and fill it; returns ids useful for filters."""
    rng = random.Random(seed)
    settings = load_settings(path.parent, {"DATABASE": str(path), "SECRET_KEY": "bench"})
    db = dbmod.open_db(path)
    bootstrap.initialize(db, settings, seed=False)
    auth.create_user(db, auth.system_actor("bench"), "reviewer", "reviewer",
                     password="bench-password-123")
    counties = [r[0] for r in db.execute("SELECT id FROM counties ORDER BY id")]
    now = "2026-11-01T08:00:00+00:00"
    conn = db.conn
    conn.execute("BEGIN")
    sites = []
    for number in range(1000):
        county = counties[number % len(counties)]
        cursor = conn.execute(
            "INSERT INTO sites (county_id, name_zh, sector, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [county, f"场所{number}", rng.choice(["transport", "education", "health",
                                                 "public_facilities"]), now, now])
        sites.append((cursor.lastrowid, county))
    unit_rows = []
    for number in range(units):
        state = rng.choice(STATES)
        text = None if state == "new" else f"Sign Text {number}"
        unit_rows.append((
            "sign", "", "zh", "".join(rng.choice(WORDS) for _ in range(rng.randint(2, 8)))
            + str(number), rng.choice(LANGS), state, text,
            rng.choice(ENGINES) if text else None, rng.choice(DOMAINS), rng.choice(FUNCTIONS),
            now, now, "bench", rng.randint(1, 6)))
    conn.executemany(
        """INSERT INTO translation_units (kind, scope, source_lang, source_text, target_lang,
               state, target_text, draft_engine, domain, function, created_at, updated_at,
               updated_by, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        unit_rows)
    unit_ids = [r[0] for r in conn.execute("SELECT id FROM translation_units ORDER BY id")]
    langs = {r[0]: r[1] for r in conn.execute("SELECT id, target_lang FROM translation_units")}
    sign_rows, link_rows = [], []
    signs = units + units // 10
    for number in range(signs):
        site_id, county = sites[number % len(sites)]
        sign_rows.append((number + 1, site_id, county, f"BENCH-{number:07d}", "一层",
                          rng.choice(FUNCTIONS), "标识", "new", "drafting", now, now))
        unit_id = unit_ids[number % len(unit_ids)]
        link_rows.append((number + 1, langs[unit_id], unit_id))
    conn.executemany(
        """INSERT INTO signs (id, site_id, county_id, sign_code, location, function, zh, action,
               status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        sign_rows)
    conn.executemany("INSERT INTO sign_units (sign_id, target_lang, unit_id) VALUES (?, ?, ?)",
                     link_rows)
    # QA checked for 90% of units with wording, at their current version.
    qa_rows = []
    for unit_id, version, text in conn.execute(
            "SELECT id, version, target_text FROM translation_units"):
        if text and rng.random() < 0.9:
            errors = 1 if rng.random() < 0.12 else 0
            warnings = 1 if rng.random() < 0.2 else 0
            qa_rows.append((unit_id, version, errors, warnings, now))
    conn.executemany("INSERT INTO unit_qa (unit_id, version, errors, warnings, checked_at) "
                     "VALUES (?, ?, ?, ?, ?)", qa_rows)
    conn.execute("COMMIT")
    db.execute("ANALYZE")
    ids = {"county": counties[3], "site": sites[17][0], "unit": unit_ids[len(unit_ids) // 2]}
    db.close()
    return ids


def timed(client, url: str, runs: int) -> tuple[float, float]:
    """Median and p95 in milliseconds for ``runs`` warm requests."""
    for _ in range(2):  # warm-up: template compile, page cache, SQLite statement cache
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        ids = build(path, args.units)
        print(f"built {args.units:,} units, {args.units + args.units // 10:,} signs in "
              f"{time.perf_counter() - started:.1f} s")
        app = create_app({"TESTING": True, "ENV": "testing", "SECRET_KEY": "bench",
                          "INSTANCE_PATH": folder, "DATABASE": str(path),
                          "WTF_CSRF_ENABLED": False, "BABEL_DEFAULT_LOCALE": "en"})
        client = app.test_client()
        db = dbmod.open_db(path)
        reviewer = auth.find_user(db, "reviewer")
        db.close()
        with client.session_transaction() as session:
            session["_user_id"] = str(reviewer.id)
            session["_fresh"] = True
        county, site = ids["county"], ids["site"]
        cases = [
            ("queue, no filter", "/review/"),
            ("state=in_review", "/review/?state=in_review"),
            ("state=machine_draft", "/review/?state=machine_draft"),
            ("county", f"/review/?county={county}"),
            ("county + site", f"/review/?county={county}&site={site}"),
            ("lang=ru", "/review/?lang=ru"),
            ("domain=health", "/review/?domain=health"),
            ("function=warning", "/review/?function=warning"),
            ("engine=marian", "/review/?engine=marian"),
            ("qa=error", "/review/?qa=error"),
            ("qa=clean + in_review", "/review/?qa=clean&state=in_review"),
            ("qa=unchecked", "/review/?qa=unchecked"),
            ("county + state + lang + qa", f"/review/?county={county}&state=in_review"
                                            f"&lang=en&qa=clean"),
            ("text search", "/review/?q=Text%204242"),
            ("clarification flag", "/review/?clarification=1"),
            ("deep page 1000", "/review/?page=1000"),
            ("unit page", f"/review/units/{ids['unit']}"),
        ]
        print(f"{'request':32} {'median ms':>10} {'p95 ms':>9}  target {TARGET_MS:.0f} ms")
        worst = 0.0
        for label, url in cases:
            median, p95 = timed(client, url, args.runs)
            if label != "unit page":
                worst = max(worst, median)
            flag = "ok" if median < TARGET_MS else "SLOW"
            print(f"{label:32} {median:10.1f} {p95:9.1f}  {flag}")
        print(f"worst queue median: {worst:.1f} ms = {worst / TARGET_MS:.2f} × target")
        return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
