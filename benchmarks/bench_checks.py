"""QA check throughput: texts per second with every check on, on one core.

Builds a seeded workbench database in a temporary folder (migrations and the
shipped glossary, so the glossary check works against the real term base),
then checks 100,000 sign texts: correct renderings from the development set
and the glossary, and the same texts with the errors the campaign found on
real signs injected (Chinglish, split or lower-case pinyin, pinyin generics,
full-width punctuation, final full stops, wrong numbers, Chinese left in the
English). Prints texts/s and the share of texts with findings.

    .venv/bin/python benchmarks/bench_checks.py [--texts 100000]

Target: ≥ 2,000 texts/s with all checks on.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench import bootstrap  # noqa: E402
from workbench import plugins  # noqa: E402
from workbench.checks import run_checks  # noqa: E402
from workbench.config import load_settings  # noqa: E402
from workbench.db import open_db  # noqa: E402

DEV_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "signs-dev.tsv"
NAMES = [("海口", "Haikou"), ("三亚", "Sanya"), ("龙昆", "Longkun"), ("国兴", "Guoxing"),
         ("海秀", "Haixiu"), ("滨海", "Binhai"), ("龙华", "Longhua"), ("美兰", "Meilan"),
         ("文昌", "Wenchang"), ("琼海", "Qionghai"), ("万宁", "Wanning"), ("定安", "Ding'an")]
GENERICS = [("路", "Road", "Lu"), ("大道", "Avenue", "Dadao"), ("街", "Street", "Jie"),
            ("公园", "Park", "Gongyuan"), ("广场", "Square", "Guangchang"),
            ("站", "Station", "Zhan"), ("桥", "Bridge", "Qiao")]
ERRORS = [
    lambda zh, en: (zh, en.lower()),
    lambda zh, en: (zh, en + "."),
    lambda zh, en: (zh, en + "！"),
    lambda zh, en: (zh, en.replace(" ", "  ", 1)),
    lambda zh, en: (zh, zh + " " + en),
    lambda zh, en: ("小心地滑", "Carefully Slide"),
    lambda zh, en: ("残疾人厕所", "Deformed Man Toilet"),
    lambda zh, en: ("汽车租赁", "Car Rent"),
    lambda zh, en: ("限宽2.5米", "Width Limit 3 m"),
    lambda zh, en: ("海口", "Hai Kou"),
    lambda zh, en: ("重庆路", "Zhongqing Road"),
]


def corpus(db, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """``count`` (Chinese, English) pairs: four in five correct, one in five with an error."""
    pairs: list[tuple[str, str]] = []
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            zh, lang, references, _ = line.split("\t")
            if lang == "en":
                pairs += [(zh, ref) for ref in references.split(" | ")]
    pairs += db.execute(
        """SELECT s.text, t.text FROM glossary_terms s
           JOIN glossary_terms t ON t.concept_id = s.concept_id
           WHERE s.lang = 'zh' AND s.status = 'preferred'
             AND t.lang = 'en' AND t.status = 'preferred'""").fetchall()
    for zh_name, en_name in NAMES:
        for zh_generic, en_generic, pinyin in GENERICS:
            pairs.append((zh_name + zh_generic, f"{en_name} {en_generic}"))
            pairs.append((zh_name + zh_generic, f"{en_name} {pinyin}"))
    texts = []
    for _ in range(count):
        zh, en = rng.choice(pairs)
        if rng.random() < 0.2:
            zh, en = rng.choice(ERRORS)(zh, en)
        elif rng.random() < 0.3:  # numbers, as on platform, gate and floor signs
            number = rng.randint(1, 30)
            zh, en = f"{zh}{number}号", f"{en} {number}"
        texts.append((zh, en))
    return texts


def distinct_corpus(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """``count`` different road and place names (none repeats: no cache helps)."""
    from pypinyin import lazy_pinyin
    chars = "海口三亚文昌琼中万宁东方定安屯昌澄迈临高白沙乐东陵水保亭龙华美兰秀英吉阳崖州天涯" \
            "金盘椰林新华和平解放人民滨江红城湖丘府城国兴大同世纪明珠玉沙蓝天金贸建设"
    seen: set[str] = set()
    texts = []
    while len(texts) < count:
        name = "".join(rng.choice(chars) for _ in range(rng.choice((2, 2, 3))))
        zh_generic, en_generic, pinyin = rng.choice(GENERICS)
        if name in seen:
            continue
        seen.add(name)
        spelled = "".join(lazy_pinyin(name)).capitalize()
        english = f"{spelled} {en_generic}" if rng.random() < 0.8 else f"{spelled} {pinyin}"
        texts.append((name + zh_generic, english))
    return texts


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--distinct", type=int, default=10_000,
                        help="also time this many texts that all differ (cold caches)")
    args = parser.parse_args()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        settings = load_settings(Path(folder), {"DATABASE": str(path), "SECRET_KEY": "bench"})
        db = open_db(path)
        started = time.perf_counter()
        bootstrap.initialize(db, settings, seed=True)
        print(f"seeded database in {time.perf_counter() - started:.1f} s "
              f"({db['glossary_concepts'].count:,} glossary concepts)")
        texts = corpus(db, args.texts, rng)
        run_checks(db, "出口", "Exit", "en")  # load dictionaries and the glossary once
        started = time.perf_counter()
        cpu_started = time.process_time()
        flagged = findings = 0
        for zh, en in texts:
            result = run_checks(db, zh, en, "en")
            findings += len(result)
            flagged += bool(result)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        distinct = distinct_corpus(args.distinct, rng) if args.distinct else []
        distinct_started = time.process_time()
        for zh, en in distinct:
            run_checks(db, zh, en, "en")
        distinct_cpu = time.process_time() - distinct_started
        db.close()
    rate = len(texts) / cpu
    registered = plugins.checks()
    print(f"checks on: {len(registered)} ({', '.join(registered)})")
    # CPU time of this single-threaded process is the one-core figure; wall time also
    # counts waiting for a core that other processes hold.
    print(f"{len(texts):,} texts in {cpu:.1f} s of CPU ({elapsed:.1f} s wall): "
          f"{rate:,.0f} texts/s on one core, {len(texts) / elapsed:,.0f} texts/s wall "
          f"(target ≥ 2,000: {'met' if rate >= 2000 else 'NOT met'}; "
          f"{rate / 2000:.1f}× the target)")
    print(f"texts with findings: {flagged:,} ({flagged / len(texts):.0%}), "
          f"findings: {findings:,}; distinct texts: {len(set(texts)):,}")
    if distinct:
        print(f"{len(distinct):,} texts that all differ (no cache helps): "
              f"{len(distinct) / distinct_cpu:,.0f} texts/s on one core")


if __name__ == "__main__":
    main()
