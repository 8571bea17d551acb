"""Translation memory at 100,000 entries: exact and fuzzy lookups/s, TM hit vs engine call.

Builds a temporary database with 100,000 zh→en entries (generated sign texts),
then times exact lookups, fuzzy lookups (target ≥ 200/s), and a pipeline draft
served from the memory against one that goes to the rule engine (and to the ct2
engine on a tiny model, unless --no-neural).

    .venv/bin/python benchmarks/bench_mt_memory.py [--entries 100000]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_rules_devset import seeded_db  # noqa: E402
from bench_rules_throughput import generate  # noqa: E402

from workbench import auth  # noqa: E402
from workbench.mt import memory, neural  # noqa: E402
from workbench.mt.pipeline import draft_texts  # noqa: E402


def timed(label: str, function, items: list, unit: str = "lookups") -> float:
    """Run ``function`` on every item; print and return items per second."""
    started = time.perf_counter()
    for item in items:
        function(item)
    rate = len(items) / (time.perf_counter() - started)
    print(f"{label:<48} {rate:>10,.0f} {unit}/s")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--no-neural", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    rng = random.Random(3)
    sources = list(dict.fromkeys(generate(args.entries * 3, seed=11)))
    # Not enough distinct generated signs: number the rest (候车区 12 etc.).
    while len(sources) < args.entries:
        sources.append(f"{rng.choice(sources)}{len(sources)}")
    sources = sources[:args.entries]
    with tempfile.TemporaryDirectory() as tmp:
        db, settings = seeded_db(Path(tmp))
        started = time.perf_counter()
        memory.import_entries(db, auth.system_actor("bench"),
                              ((s, f"target {i}") for i, s in enumerate(sources)), "zh", "en")
        print(f"imported {args.entries:,} entries in {time.perf_counter() - started:.1f} s")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        exact = rng.sample(sources, args.lookups)
        near = [s[:-1] + "区" if len(s) > 3 else s + "处" for s in rng.sample(sources,
                                                                         args.lookups)]
        hits = sum(bool(memory.lookup(db, s, "zh", "en", 75)) for s in near[:200])
        timed("exact lookup (hit)", lambda s: memory.lookup(db, s, "zh", "en", 75, 1), exact)
        fuzzy_rate = timed("fuzzy lookup (no exact match, threshold 75)",
                           lambda s: memory.lookup(db, s, "zh", "en", 75, 5), near)
        print(f"  fuzzy hits among 200 near-misses: {hits}; target ≥ 200 lookups/s: "
              f"{'met' if fuzzy_rate >= 200 else 'NOT met'}")
        settings = dict(settings, MT_ENGINE="rules")
        draft_texts(db, ["禁止吸烟", "龙昆南路"], settings=settings, use_memory=False)  # warm up
        unseen = [f"禁止{s}" for s in rng.sample(sources, 300)]
        tm_rate = timed("pipeline draft, TM exact hit", lambda s: draft_texts(
            db, [s], settings=settings), exact[:300], "drafts")
        rules_rate = timed("pipeline draft, TM miss → rules engine", lambda s: draft_texts(
            db, [s], settings=settings), unseen, "drafts")
        rules_only = timed("rules engine call alone (no TM)", lambda s: draft_texts(
            db, [s], settings=settings, use_memory=False), unseen, "drafts")
        print(f"  TM hit vs TM miss + rules: {tm_rate / rules_rate:.1f}x; "
              f"rules alone {rules_only:,.0f}/s")
        if not args.no_neural:
            from tests.data.mt.tiny_model import build_tiny_marian
            from workbench.mt import models

            build_tiny_marian(Path(tmp) / "models", "opus-mt-zh-en")
            models.convert(Path(tmp) / "models", "opus-mt-zh-en", "int8")
            ct2_settings = dict(settings, MODELS_DIR=str(Path(tmp) / "models"), MT_ENGINE="ct2")
            draft_texts(db, ["预热"], settings=ct2_settings, use_memory=False)

            def ct2_call(text: str) -> None:
                neural.CACHE.clear()
                draft_texts(db, [text], settings=ct2_settings, use_memory=False)

            ct2_rate = timed("ct2 engine call alone (tiny model, cold cache)", ct2_call,
                             unseen[:100], "drafts")
            print(f"  TM hit vs ct2 call: {tm_rate / ct2_rate:.1f}x")
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
