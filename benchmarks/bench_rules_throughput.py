"""Rule engine throughput on 100,000 generated signs (target: ≥ 5,000 signs/s on one core).

The signs are composed from the rule tables and the shipped glossary (prohibitions,
warnings, limits, hours, facility compounds, road and place names with made-up
specific parts), so most are distinct and nothing is served from a cache of whole
results. Runs in one process on one core.

    .venv/bin/python benchmarks/bench_rules_throughput.py [--count 100000]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_rules_devset import seeded_db  # noqa: E402

from workbench.mt import get_engine  # noqa: E402
from workbench.mt.rules.tables import load_tables  # noqa: E402

NAME_CHARS = "龙昆国兴滨海金盘秀英美兰琼山府城白沙红城湖新埠椰林丰宝华建设文明和平"


def generate(count: int, seed: int = 1) -> list[str]:
    """``count`` sign texts of the kinds the engine meets, mostly distinct."""
    rng = random.Random(seed)
    tables = load_tables()
    verbs = list(tables.verbs)
    hazards = list(tables.hazards)
    words = [w for w in tables.words if len(w) >= 2]
    generics = list(tables.generics)
    directions = ["东", "西", "南", "北", ""]
    makers = [
        lambda: rng.choice(["禁止", "严禁", "请勿"]) + rng.choice(verbs),
        lambda: rng.choice(["当心", "小心", "注意"]) + rng.choice(hazards),
        lambda: rng.choice(words) + rng.choice(words),
        lambda: rng.choice(words),
        lambda: f"限{rng.choice(['宽', '高'])}{rng.randint(2, 5)}.{rng.randint(0, 9)}米",
        lambda: f"限速{rng.choice([20, 30, 40, 60, 80])}",
        lambda: f"营业时间{rng.randint(6, 10)}:00-{rng.randint(17, 22)}:30",
        lambda: "".join(rng.sample(NAME_CHARS, 2)) + rng.choice(directions) +
        rng.choice(["路", "大道", "街"]),
        lambda: "".join(rng.sample(NAME_CHARS, rng.randint(2, 3))) + rng.choice(generics),
        lambda: f"{rng.randint(1, 40)}号{rng.choice(['登机口', '线', '门', '窗口'])}",
        lambda: "".join(rng.sample(NAME_CHARS, 4)),  # unknown: an empty draft with a reason
    ]
    return [rng.choice(makers)() for _ in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    signs = generate(args.count)
    with tempfile.TemporaryDirectory() as tmp:
        db, settings = seeded_db(Path(tmp))
        engine = get_engine("rules", db, settings)
        warm = time.perf_counter()
        engine.translate_batch(["禁止吸烟", "龙昆南路"], "zh", "en")  # tables, jieba, lexicon
        warmup = time.perf_counter() - warm
        started = time.perf_counter()
        drafts = engine.translate_batch(signs, "zh", "en")
        elapsed = time.perf_counter() - started
        db.close()
    drafted = sum(bool(d.text) for d in drafts)
    print(f"rule engine: {len(signs):,} signs ({len(set(signs)):,} distinct) in {elapsed:.2f} s "
          f"= {len(signs) / elapsed:,.0f} signs/s on one core (target ≥ 5,000); "
          f"warm-up {warmup:.2f} s; drafted {drafted / len(signs):.1%}, "
          f"empty with a reason {1 - drafted / len(signs):.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
