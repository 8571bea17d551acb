"""``ct2`` (CTranslate2 int8) against ``marian`` (transformers) on the same model and inputs.

By default a tiny random Marian model is built in a temporary folder (as the tests
do) and converted to int8; ``--model NAME`` uses ``MODELS_DIR/NAME`` and
``MODELS_DIR/NAME-ct2`` instead (e.g. a real opus-mt-zh-en). Both engines get the
same sign texts in batches of 32 with one thread; the figure is generated target
tokens per second, and the ratio ct2 / marian.

    .venv/bin/python benchmarks/bench_mt_neural.py [--model NAME] [--count 256]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_rules_throughput import generate  # noqa: E402

from workbench.config import load_settings  # noqa: E402
from workbench.mt import get_engine, models, neural  # noqa: E402


def run(engine_id: str, settings: dict, texts: list[str]) -> tuple[float, int]:
    """(seconds, generated target tokens) for drafting ``texts`` with a cold cache."""
    engine = get_engine(engine_id, None, settings)
    engine.translate_batch(texts[:4], "zh", "en")  # load the model outside the timing
    neural.CACHE.clear()
    started = time.perf_counter()
    drafts = engine.translate_batch(texts, "zh", "en")
    elapsed = time.perf_counter() - started
    model = engine.model_for("zh", "en")
    tokenizer = engine.loaded(model)[0]
    tokens = sum(len(tokenizer(text_target=d.text)["input_ids"]) for d in drafts if d.text)
    return elapsed, tokens


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a model folder name in MODELS_DIR (with NAME-ct2)")
    parser.add_argument("--count", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    texts = list(dict.fromkeys(generate(args.count * 4, seed=7)))[:args.count]
    with tempfile.TemporaryDirectory() as tmp:
        if args.model:
            settings = load_settings(overrides={"MT_THREADS": args.threads})
            label = args.model
        else:
            from tests.data.mt.tiny_model import build_tiny_marian

            build_tiny_marian(Path(tmp), "opus-mt-zh-en")
            models.convert(tmp, "opus-mt-zh-en", "int8")
            settings = {"MODELS_DIR": tmp, "MT_THREADS": args.threads}
            label = "tiny random Marian (d_model 32, 2+2 layers)"
        results = {}
        for engine_id in ("marian", "ct2"):
            elapsed, tokens = run(engine_id, settings, texts)
            results[engine_id] = tokens / elapsed
            print(f"{engine_id:<7} {len(texts)} signs, batch 32, {args.threads} thread(s): "
                  f"{elapsed:.2f} s, {tokens:,} target tokens, {tokens / elapsed:,.0f} tokens/s, "
                  f"{len(texts) / elapsed:,.0f} signs/s")
    print(f"model: {label}; ct2 int8 / marian = {results['ct2'] / results['marian']:.1f}x "
          "tokens/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
