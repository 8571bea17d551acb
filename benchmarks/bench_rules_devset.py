"""Rule engine quality on the development sets of real signs.

Prints, per file, target language and category: how many drafts equal one of the
acceptable references (exact after normalizing the case of function words, spaces
and apostrophes), how many are empty, how many partial (some part left in Chinese)
and chrF (sacrebleu, against all references). The glossary is the shipped one
(``glossaries/``), loaded into a temporary database.

    .venv/bin/python benchmarks/bench_rules_devset.py [--show] [--held-out] [FILE ...]

Without FILE: ``benchmarks/data/signs-dev.tsv`` (short common signs) and
``signs-dev-2.tsv`` (organizations, roads, hospitals, notices, ru/ja/ko), each
a third of a larger set whose other two thirds are held out. ``--held-out``
removes every glossary entry whose Chinese equals a test sign, to measure the
rules on signs the glossary does not hold (as on held-out signs).
Settings such as ``WORKBENCH_ORG_NAME_STYLE`` apply as for the app.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbench import auth, migrations  # noqa: E402
from workbench.config import load_settings  # noqa: E402
from workbench.db import open_db  # noqa: E402
from workbench.glossary.match import from_entries, load_glossary  # noqa: E402
from workbench.glossary.match import normalize as normalize_term  # noqa: E402
from workbench.glossary.seed import load_shipped  # noqa: E402
from workbench.mt import Draft, get_engine  # noqa: E402
from workbench.mt.rules.engine import RuleComposer, unknown_spans  # noqa: E402
from workbench.mt.rules.tables import load_tables  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
DEV_SETS = [DATA / "signs-dev.tsv", DATA / "signs-dev-2.tsv"]
Row = tuple[str, str, list[str], str]


def normalize(text: str) -> str:
    """Spaces collapsed, typographic apostrophes straight, function words in lower case."""
    function_words = load_tables().function_words
    words = text.replace("’", "'").replace("‘", "'").split()
    return " ".join(w.lower() if w.lower() in function_words else w for w in words)


def read_dev_set(path: Path) -> list[Row]:
    """(zh, target language, references, category) rows; a fifth column (source) is ignored."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        zh, lang, references, category = line.split("\t")[:4]
        rows.append((zh, lang, [r.strip() for r in references.split(" | ")], category))
    return rows


def seeded_db(folder: Path):
    """A temporary database with migrations applied and the shipped glossary loaded."""
    settings = load_settings(folder, {"DATABASE": str(folder / "bench.sqlite3")})
    db = open_db(settings["DATABASE"])
    migrations.apply(db)
    load_shipped(db, settings, auth.system_actor("bench"), force=True)
    return db, settings


def draft_rows(db, settings, rows: list[Row], held_out: bool) -> list[Draft]:
    """One draft per row, by the engine (or by composers without the test signs' entries)."""
    if not held_out:
        engine = get_engine("rules", db, settings)
        return [engine.translate_batch([zh], "zh", lang)[0] for zh, lang, _r, _c in rows]
    composers: dict[str, RuleComposer] = {}
    held = {normalize_term(row[0]) for row in rows}
    drafts = []
    for zh, lang, _refs, _cat in rows:
        if lang not in composers:
            full = load_glossary(db, "zh", lang)
            kept = [e for key, e in full.entries.items() if key not in held]
            composers[lang] = RuleComposer(from_entries("zh", lang, kept, -1), lang, settings)
        rendering, reason = composers[lang].draft(zh)
        text = rendering.text if rendering else ""
        drafts.append(Draft(text, "rules", reason=reason,
                            unknown=unknown_spans(text, rendering.unknown) if rendering else []))
    return drafts


def report(name: str, rows: list[Row], drafts: list[Draft], show: bool) -> None:
    """The table per language and category (and the misses with --show)."""
    from sacrebleu.metrics import CHRF

    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, (_zh, lang, _refs, category) in enumerate(rows):
        groups[(lang, category)].append(index)
        groups[(lang, "ALL")].append(index)
    groups[("*", "ALL")] = list(range(len(rows)))
    print(f"\n{name}: {len(rows)} signs")
    print(f"{'lang':<5} {'category':<13} {'n':>4} {'exact':>7} {'empty':>6} {'partial':>8} "
          f"{'chrF':>6}")

    def order(group: tuple[tuple[str, str], list[int]]) -> tuple[str, bool, str]:
        (lang, category), _indices = group
        return lang, category == "ALL", category

    for (lang, category), indices in sorted(groups.items(), key=order):
        exact = sum(normalize(drafts[i].text) in {normalize(r) for r in rows[i][2]}
                    for i in indices)
        empty = sum(not drafts[i].text for i in indices)
        partial = sum(drafts[i].partial for i in indices)
        hypotheses = [drafts[i].text for i in indices]
        depth = max(len(rows[i][2]) for i in indices)
        references = [[rows[i][2][k] if k < len(rows[i][2]) else rows[i][2][0] for i in indices]
                      for k in range(depth)]
        chrf = CHRF().corpus_score(hypotheses, references).score
        print(f"{lang:<5} {category:<13} {len(indices):>4} {exact / len(indices):>7.1%} "
              f"{empty / len(indices):>6.0%} {partial / len(indices):>8.0%} {chrf:>6.1f}")
    if show:
        print("\nMisses:")
        for (zh, lang, refs, category), draft in zip(rows, drafts, strict=True):
            if normalize(draft.text) not in {normalize(r) for r in refs}:
                reason = f"  reason: {draft.reason}" if draft.reason else ""
                print(f"  [{lang}/{category}] {zh} → {draft.text!r} "
                      f"(refs: {' | '.join(refs)}){reason}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=[str(p) for p in DEV_SETS])
    parser.add_argument("--show", action="store_true", help="print every miss")
    parser.add_argument("--held-out", action="store_true",
                        help="remove the glossary entries that equal a test sign, to measure "
                        "the rules on signs the glossary does not hold")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, settings = seeded_db(Path(tmp))
        print("Rule engine, exact = equal to a reference after normalizing the case of function "
              "words, spaces and apostrophes"
              + ("; HELD OUT: glossary entries equal to a test sign removed" if args.held_out
                 else ""))
        for name in args.files:
            rows = read_dev_set(Path(name))
            started = time.perf_counter()
            drafts = draft_rows(db, settings, rows, args.held_out)
            elapsed = time.perf_counter() - started
            report(f"{Path(name).name} ({elapsed * 1000:.0f} ms, the first file includes "
                   "loading tables and jieba)", rows, drafts, args.show)
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
