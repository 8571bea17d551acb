"""The llm engine against a loopback OpenAI-compatible server: what the workbench adds.

The model is the scripted server of the test suite (tests/support/fake_llm.py),
so the figures measure the workbench's side only — building requests (glossary
terms, memory examples, rules), verifying answers, the cache — and how batching
and concurrency overlap a model's latency, simulated with ``--latency`` seconds
per request. Nothing leaves the machine; no model quality is measured.

    .venv/bin/python benchmarks/bench_llm.py [--segments 400] [--latency 0.25]
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

from bench_rules_devset import seeded_db

from tests.support.fake_llm import FakeLLMServer
from workbench import auth
from workbench.config import DEFAULTS
from workbench.db import transaction
from workbench.glossary.match import load_glossary
from workbench.mt import get_engine, memory
from workbench.mt.base import DraftContext
from workbench.mt.llm import cache
from workbench.mt.llm.prompt import build_messages
from workbench.mt.verify import verify

OPENINGS = ["坚持", "全面推进", "加快", "持续深化", "大力发展", "进一步优化", "着力提升",
            "积极推动"]
CLOSINGS = ["取得新进展。", "成效明显。", "全面实施。", "不断完善。", "稳步推进，{1}成效显著{/1}。",
            "，为高质量发展提供支撑。"]


def policy_terms(db) -> list[str]:
    """Chinese policy terms of the shipped glossary (to build realistic sentences)."""
    return [row[0] for row in db.execute(
        """SELECT DISTINCT t.text FROM glossary_terms t JOIN glossary_concepts c
           ON c.id = t.concept_id WHERE c.domain = 'policy' AND t.lang = 'zh'
           AND t.status = 'preferred' AND length(t.text) BETWEEN 3 AND 10""")]


def sentences(db, count: int, seed: int = 7) -> list[str]:
    """``count`` distinct document-like sentences, each with one or two policy terms."""
    rng = random.Random(seed)
    terms = policy_terms(db)
    found: dict[str, None] = {}
    while len(found) < count:
        picked = rng.sample(terms, 2)
        found[f"{rng.choice(OPENINGS)}{picked[0]}和{picked[1]}{rng.choice(CLOSINGS)}"] = None
    return list(found)


def seconds(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def overhead(db, settings, texts: list[str]) -> None:
    """Per segment: building the request, verifying the answer, cache read and write."""
    engine = get_engine("llm", db, settings)
    glossary = load_glossary(db, "zh", "en")
    build = seconds(lambda: [engine._segment(i, t, DraftContext(), "prose", glossary, "zh", "en")
                             for i, t in enumerate(texts)])
    segments = [engine._segment(i, t, DraftContext(), "prose", glossary, "zh", "en")
                for i, t in enumerate(texts)]
    prompts = seconds(lambda: [build_messages(segments[i:i + 8], "zh", "en", "prose", settings)
                               for i in range(0, len(segments), 8)])
    answers = [" ".join(["Text"] + [term.renderings[0] for term in s.terms if term.renderings])
               + " {1}{/1}" * ("{1}" in s.source) for s in segments]
    checking = seconds(lambda: [verify(s.source, a, s.terms, "en")
                                for s, a in zip(segments, answers, strict=True)])
    keys = [cache.CacheKey(t, "zh", "en", "prose", 1, "bench", "v") for t in texts]
    items = [(k, cache.CachedDraft(a, "bench", [])) for k, a in zip(keys, answers, strict=True)]
    writing = seconds(lambda: cache.put_many(db, items))
    reading = seconds(lambda: cache.get_many(db, keys))
    with transaction(db):
        db.execute("DELETE FROM llm_cache")
    per = 1000 / len(texts)
    print(f"overhead per segment ({len(texts)} prose segments, shipped glossary, "
          f"{memory.count(db, 'zh', 'en'):,} memory entries):")
    print(f"  request segment (terms, memory examples) {build * per:8.3f} ms")
    print(f"  chat messages (rules, JSON)              {prompts * per:8.3f} ms")
    print(f"  verification of the answer               {checking * per:8.3f} ms")
    print(f"  cache write / read                       {writing * per:8.3f} / "
          f"{reading * per:.3f} ms")
    total = (build + prompts + checking + writing + reading) * per
    print(f"  total                                    {total:8.3f} ms "
          "(the model's own time not included)")


def throughput(db, settings, server: FakeLLMServer, texts: list[str], latency: float) -> None:
    """Segments per second with the simulated latency, by concurrency; then the cache."""
    server.delay = latency
    print(f"\nthroughput, {len(texts)} segments, {latency:.2f} s per request, "
          f"batch {settings['LLM_BATCH_SIZE']}:")
    baseline = None
    for concurrency in (1, 2, 4):
        model = f"bench-c{concurrency}"  # a new cache key each run
        run = dict(settings, LLM_MAX_CONCURRENCY=concurrency, LLM_MODEL=model)
        engine = get_engine("llm", db, run)
        server.max_in_flight = 0
        elapsed = seconds(lambda engine=engine: engine.translate_in_context(
            texts, "zh", "en", "prose"))
        rate = len(texts) / elapsed
        baseline = baseline or rate
        print(f"  concurrency {concurrency}: {rate:8.1f} segments/s  ({elapsed:.2f} s, "
              f"{rate / baseline:.1f}x, at most {server.max_in_flight} requests in flight)")
    engine = get_engine("llm", db, dict(settings, LLM_MODEL="bench-c1"))
    cached = seconds(lambda: engine.translate_in_context(texts, "zh", "en", "prose"))
    first = len(texts) / baseline
    print(f"  cached (same texts again): {len(texts) / cached:8.1f} segments/s "
          f"({cached:.2f} s; {first / cached:.0f}x faster than asking at concurrency 1)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=400)
    parser.add_argument("--latency", type=float, default=0.25,
                        help="simulated seconds per model request")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--memory", type=int, default=20_000,
                        help="translation-memory entries (examples are looked up there)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeLLMServer() as server:
        db, base = seeded_db(Path(tmp))
        settings = dict(DEFAULTS, **{k: v for k, v in base.items() if k not in DEFAULTS},
                        LLM_URL=server.url, LLM_MODEL="bench", LLM_BATCH_SIZE=args.batch)
        texts = sentences(db, args.segments)
        others = [t for t in sentences(db, args.memory + args.segments, seed=99)
                  if t not in set(texts)][:args.memory]
        memory.import_entries(db, auth.system_actor("bench"),
                              ((t, f"translation {i}") for i, t in enumerate(others)), "zh", "en")
        overhead(db, settings, texts)
        throughput(db, settings, server, texts, args.latency)
        print(f"\n{len(server.requests)} requests answered by the loopback server")
    return 0


if __name__ == "__main__":
    sys.exit(main())
