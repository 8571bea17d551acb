"""Document translation pipeline: a 50,000-character Chinese report in DOCX, end to end.

Generates a report (headings, numbered lists, tables, bold runs, a footnote-free
body like a government work report), then times each step on a seeded
workbench database in a temporary folder:

1. upload + segmentation (parse the DOCX, split into sentences, create units);
2. translation-memory lookup of every segment against a 100,000-entry memory
   (the TM's own indexed lookup: exact, then fuzzy; segments/s);
3. rule-engine drafting of the whole document (the drafting job: memory first,
   then the rule engine, writes the drafts in short transactions);
4. DOCX export (the translated file rebuilt from the original; a draft, since
   nothing is approved in a benchmark).

The 100,000-entry memory (see :func:`build_memory`: report sentences, near
variants of them, and varied prose from the glossaries' terms) is built once
and cached in the temp folder (``--rebuild`` to build it again); building it is
not timed.

    .venv/bin/python benchmarks/bench_documents.py [--chars 50000] [--tm 100000]

Targets: the whole pipeline (1 + 3 + 4) under 15 s with the rule engine;
fuzzy TM lookup ≥ 200 segments/s against 100,000 entries.
"""
from __future__ import annotations

import argparse
import io
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench import auth, bootstrap, jobs, migrations  # noqa: E402
from workbench.config import load_settings  # noqa: E402
from workbench.db import open_db  # noqa: E402
from workbench.messages import render  # noqa: E402

SUBJECTS = ["海南自由贸易港建设", "全省经济社会发展", "优化营商环境工作", "乡村振兴战略",
            "对外开放水平", "博鳌亚洲论坛年会", "国际友好城市交流", "生态文明建设",
            "旅游消费中心建设", "数字政府建设",
            "现代化产业体系", "科技创新能力", "外事工作", "重点园区建设", "民生保障水平"]
VERBS = ["取得明显成效", "稳步推进", "持续深化", "实现新突破", "不断加强", "迈出坚实步伐",
         "得到有效落实", "全面提升", "加快推进", "保持良好势头"]
DETAILS = ["全年地区生产总值增长{n}%", "新增市场主体{m}万户", "实际利用外资{m}亿美元",
           "货物贸易进出口总额增长{n}%", "接待国际游客{m}万人次", "签约项目{k}个",
           "新建友好城市{k}对", "城镇新增就业{m}万人", "研发投入增长{n}%", "离岛免税销售额{m}亿元"]
CONNECT = ["同时", "此外", "其中", "与此同时", "特别是", "在此基础上"]
HEADINGS = ["一、{s}情况", "二、{s}的主要做法", "三、{s}面临的问题", "四、下一步{s}安排"]


def sentence(rng: random.Random) -> str:
    """One sentence of report prose (30–60 characters, numbers included)."""
    detail = rng.choice(DETAILS).format(n=f"{rng.randint(1, 15)}.{rng.randint(0, 9)}",
                                        m=rng.randint(2, 900), k=rng.randint(2, 60))
    parts = [rng.choice(SUBJECTS), rng.choice(VERBS), "，", detail]
    if rng.random() < 0.5:
        parts += ["，", rng.choice(CONNECT), rng.choice(SUBJECTS), rng.choice(VERBS)]
    return "".join(parts) + rng.choice(["。", "。", "。", "；"])


def build_report(chars: int, seed: int = 7) -> tuple[bytes, int]:
    """A DOCX report of about ``chars`` Chinese characters; returns (bytes, characters)."""
    import docx

    rng = random.Random(seed)
    document = docx.Document()
    document.add_heading("海南省2025年政府工作报告（征求意见稿）", level=0)
    written = 0
    section = 0
    while written < chars:
        section += 1
        heading = rng.choice(HEADINGS).format(s=rng.choice(SUBJECTS))
        document.add_heading(heading, level=1)
        written += len(heading)
        for _ in range(rng.randint(3, 6)):
            paragraph = document.add_paragraph()
            for index in range(rng.randint(2, 5)):
                text = sentence(rng)
                if index == 0 and rng.random() < 0.4:
                    # A bold lead phrase, as reports mark their key points.
                    cut = text.index("，") if "，" in text else len(text) // 2
                    paragraph.add_run(text[:cut]).bold = True
                    paragraph.add_run(text[cut:])
                else:
                    paragraph.add_run(text)
                written += len(text)
        for _item in range(rng.randint(2, 4)):
            item = sentence(rng)
            document.add_paragraph(item, style="List Number")
            written += len(item)
        if section % 3 == 0:
            table = document.add_table(rows=4, cols=3)
            table.style = "Table Grid"
            for row in range(4):
                for col in range(3):
                    cell = rng.choice(SUBJECTS) if col == 0 else \
                        f"{rng.randint(1, 99)}.{rng.randint(0, 9)}%" if col == 1 else \
                        rng.choice(VERBS)
                    table.cell(row, col).text = cell
                    written += len(cell)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), written


def glossary_terms() -> list[str]:
    """Chinese terms of every shipped glossary (a varied vocabulary for the memory)."""
    import csv

    terms = []
    for path in sorted((Path(__file__).resolve().parent.parent / "glossaries").glob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row.get("zh") and len(row["zh"]) >= 2:
                    terms.append(row["zh"].strip())
    return terms


def varied_sentence(rng: random.Random, vocabulary: list[str]) -> str:
    """Report-like prose built from glossary terms (more varied than :func:`sentence`)."""
    parts = []
    for _ in range(rng.randint(2, 4)):
        parts.append(rng.choice(vocabulary) + rng.choice(VERBS + ["的", "和", "中", "与"]))
    return "，".join(parts) + rng.choice(["。", "。", "；"])


def near_variant(rng: random.Random, text: str) -> str:
    """The sentence with a few characters changed (what earlier reports left in a memory)."""
    chars = list(text)
    for _ in range(max(1, len(chars) // 12)):
        chars[rng.randrange(len(chars) - 1)] = rng.choice("新各全区市县省年项度等")
    return "".join(chars)


def build_memory(db, actor, size: int, doc_sentences: list[str], seed: int = 11) -> None:
    """Fill the TM with ``size`` zh→en entries.

    A tenth of the report's sentences are stored as they are (exact hits) and
    another three tenths with a few characters changed (fuzzy hits, as last
    year's report would give); the rest is other prose built from the shipped
    glossaries' Chinese terms, so the memory's vocabulary is as varied as a real
    office's memory rather than the report's 25 phrases repeated.
    """
    from workbench.mt import memory

    rng = random.Random(seed)
    vocabulary = glossary_terms()
    pairs = []
    seen: set[str] = set()

    def add(text: str) -> None:
        if text not in seen:
            seen.add(text)
            pairs.append((text, f"Translation {len(pairs)}"))

    shuffled = list(doc_sentences)
    rng.shuffle(shuffled)
    tenth = len(shuffled) // 10
    for text in shuffled[:tenth]:
        add(text)
    for text in shuffled[tenth:4 * tenth]:
        add(near_variant(rng, text))
    while len(pairs) < size:
        add(varied_sentence(rng, vocabulary))
    # Bulk load through the TM's own insert (one summary audit event per chunk).
    for start in range(0, len(pairs), 20_000):
        memory.import_entries(db, actor, pairs[start:start + 20_000], "zh", "en")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--tm", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="Build the cached memory again.")
    args = parser.parse_args()

    from workbench.documents import drafting, export, store
    from workbench.documents.docx import read_docx
    from workbench.documents.segmentation import split_sentences
    from workbench.mt import memory

    cache = Path(tempfile.gettempdir()) / f"signbench-bench-documents-v3-{args.tm}.sqlite3"
    data, chars = build_report(args.chars)
    print(f"report: {chars:,} Chinese characters, {len(data):,} bytes of DOCX")
    folder = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    path = folder / "workbench.sqlite3"
    actor = auth.system_actor("bench")
    if cache.exists() and not args.rebuild:
        shutil.copyfile(cache, path)
    else:
        settings = load_settings(folder, {"DATABASE": str(path), "SECRET_KEY": "bench"})
        db = open_db(path)
        bootstrap.initialize(db, settings, seed=True)
        sentences = [s for block in read_docx(data) for s in split_sentences(block.text)]
        started = time.perf_counter()
        build_memory(db, actor, args.tm, sentences)
        print(f"built a {memory.count(db, 'zh', 'en'):,}-entry memory in "
              f"{time.perf_counter() - started:.1f} s (not timed; cached at {cache})")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        shutil.copyfile(path, cache)
    db = open_db(path)
    migrations.apply(db)  # the cached copy may predate a newer migration
    settings = load_settings(folder, {"DATABASE": str(path), "SECRET_KEY": "bench",
                                      "MT_ENGINE": "rules"})
    print(f"memory: {memory.count(db, 'zh', 'en'):,} entries (zh → en)")
    staff = auth.User(id=None, username="bench", role="admin")

    timings: dict[str, float] = {}
    started = time.perf_counter()
    doc_id = store.create_document(db, staff, "report.docx", data, targets=["en"],
                                   settings=settings)
    timings["upload + segmentation"] = time.perf_counter() - started
    document = store.get_document(db, doc_id)
    rows = store.segment_rows(db, doc_id, "en")
    print(f"document: {document['segment_count']:,} segments, {document['word_count']:,} words")

    started = time.perf_counter()
    exact = fuzzy = 0
    for row in rows:
        found = memory.lookup(db, row["source_text"], "zh", "en", threshold=75, limit=5)
        if found and found[0].exact:
            exact += 1
        elif found:
            fuzzy += 1
    lookup_time = time.perf_counter() - started
    timings["TM lookup (all segments)"] = lookup_time

    started = time.perf_counter()
    job_id = drafting.start_draft(db, staff, doc_id, engine="rules", settings=settings,
                                  background=False)
    timings["rule-engine drafting (TM first)"] = time.perf_counter() - started
    job = jobs.get_run(db, job_id)

    started = time.perf_counter()
    result = export.export_document(db, staff, doc_id, "docx", draft=True)
    timings["DOCX export"] = time.perf_counter() - started

    print()
    for step, seconds in timings.items():
        print(f"{step:<34} {seconds:7.2f} s")
    pipeline = (timings["upload + segmentation"] + timings["rule-engine drafting (TM first)"]
                + timings["DOCX export"])
    rate = len(rows) / lookup_time if lookup_time else float("inf")
    print(f"{'pipeline (upload + draft + export)':<34} {pipeline:7.2f} s   target < 15 s "
          f"({'OK' if pipeline < 15 else 'MISSED'}; ratio {pipeline / 15:.2f})")
    print(f"{'TM lookup rate':<34} {rate:7.0f} segments/s against "
          f"{memory.count(db, 'zh', 'en'):,} entries   target ≥ 200/s "
          f"({'OK' if rate >= 200 else 'MISSED'}; ratio {rate / 200:.2f})")
    print(f"TM hits: {exact} exact, {fuzzy} fuzzy ≥ 75 of {len(rows)} segments")
    print(f"drafting: {render(job['result']['summary'])}")
    print(f"export: {result.file_name}, {len(result.data):,} bytes")
    db.close()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
