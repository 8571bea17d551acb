"""Rule engine quality on the development set of real signs.

Prints, per target language and category, how many drafts equal one of the
acceptable references (after normalizing spaces and apostrophes) and chrF
(sacrebleu, against all references). The glossary is the shipped one
(``glossaries/``), loaded into a temporary database.

    .venv/bin/python benchmarks/bench_rules_devset.py [--show] [FILE]
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
from workbench.glossary.seed import load_shipped  # noqa: E402
from workbench.glossary.match import from_entries, load_glossary  # noqa: E402
from workbench.glossary.match import normalize as normalize_term  # noqa: E402
from workbench.mt import Draft, get_engine  # noqa: E402
from workbench.mt.rules.engine import RuleComposer  # noqa: E402

DEV_SET = Path(__file__).resolve().parent / "data" / "signs-dev.tsv"


def normalize(text: str) -> str:
    """Spaces collapsed, typographic apostrophes straight, for exact-match comparison."""
    return " ".join(text.replace("’", "'").replace("‘", "'").split())


def read_dev_set(path: Path) -> list[tuple[str, str, list[str], str]]:
    """(zh, target language, references, category) rows."""
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEV_SET))
    parser.add_argument("--show", action="store_true", help="print every miss")
    parser.add_argument("--held-out", action="store_true",
                        help="remove the glossary entries that equal a test sign, to measure "
                        "the rules on signs the glossary does not hold")
    args = parser.parse_args()
    from sacrebleu.metrics import CHRF

    rows = read_dev_set(Path(args.file))
    with tempfile.TemporaryDirectory() as tmp:
        db, settings = seeded_db(Path(tmp))
        engine = get_engine("rules", db, settings)
        started = time.perf_counter()
        drafts = []
        if args.held_out:
            composers = {}
            for zh, lang, _refs, _cat in rows:
                if lang not in composers:
                    full = load_glossary(db, "zh", lang)
                    held = {normalize_term(r[0]) for r in rows}
                    kept = [e for key, e in full.entries.items() if key not in held]
                    composers[lang] = RuleComposer(from_entries("zh", lang, kept, -1), lang,
                                                   settings)
                rendering, reason = composers[lang].draft(zh)
                drafts.append(Draft(rendering.text if rendering else "", "rules",
                                    reason=reason))
        else:
            for zh, lang, _refs, _cat in rows:
                drafts.append(engine.translate_batch([zh], "zh", lang)[0])
        elapsed = time.perf_counter() - started
        db.close()

    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, (_zh, lang, _refs, category) in enumerate(rows):
        groups[(lang, category)].append(index)
        groups[(lang, "ALL")].append(index)
    groups[("*", "ALL")] = list(range(len(rows)))
    print(f"Rule engine on {args.file}: {len(rows)} signs, {elapsed * 1000:.0f} ms "
          "(first call includes loading tables and jieba)"
          + ("; HELD OUT: glossary entries equal to a test sign removed" if args.held_out
             else ""))
    print(f"{'lang':<5} {'category':<13} {'n':>4} {'exact':>7} {'empty':>6} {'chrF':>6}")
    def order(group: tuple[tuple[str, str], list[int]]) -> tuple[str, bool, str]:
        (lang, category), _indices = group
        return lang, category == "ALL", category

    for (lang, category), indices in sorted(groups.items(), key=order):
        exact = sum(normalize(drafts[i].text) in {normalize(r) for r in rows[i][2]}
                    for i in indices)
        empty = sum(not drafts[i].text for i in indices)
        hypotheses = [drafts[i].text for i in indices]
        depth = max(len(rows[i][2]) for i in indices)
        references = [[rows[i][2][k] if k < len(rows[i][2]) else rows[i][2][0] for i in indices]
                      for k in range(depth)]
        chrf = CHRF().corpus_score(hypotheses, references).score
        print(f"{lang:<5} {category:<13} {len(indices):>4} {exact / len(indices):>7.1%} "
              f"{empty:>6} {chrf:>6.1f}")
    if args.show:
        print("\nMisses:")
        for (zh, lang, refs, category), draft in zip(rows, drafts):
            if normalize(draft.text) not in {normalize(r) for r in refs}:
                print(f"  [{lang}/{category}] {zh} → {draft.text!r} (refs: {' | '.join(refs)})"
                      + (f"  reason: {draft.reason}" if draft.reason else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
