"""QA quality on real signs: recall on documented wrong texts, false flags on correct ones.

Wrong texts: the ``flag`` rows of ``benchmarks/data/qa-dev-2.tsv`` (installed texts of
real signs that the press or a correction campaign documented as wrong), plus the
evaluation examples of ``benchmarks/data/qa-extra.tsv`` (Chinglish collections and the
error list of SIGN-RULES.md, written for this benchmark so that the figures do not come
from the dev rows alone). Correct texts: the ``ok`` rows of both files and every
acceptable reference of ``signs-dev.tsv`` and ``signs-dev-2.tsv``.

A text counts as *flagged* when QA reports at least one finding of severity
``error`` or ``warning`` (as the inventory's *QA flags* filter and bulk approval see
it). Prints recall per error type, the false flags with their findings, and
throughput. The glossary is the shipped one, loaded into a temporary database.

    .venv/bin/python benchmarks/bench_qa_devset.py [--show] [--only-dev]
    .venv/bin/python benchmarks/bench_qa_devset.py --qa qa-heldout-own.tsv \
        --signs signs-heldout-own.tsv

``--qa`` and ``--signs`` (repeatable; a name in ``benchmarks/data/`` or a path) replace the
default files, e.g. to measure an evaluation set written apart from the dev rows.

Target (held-out data like the dev files): recall ≥ 90 %, at most 1 correct text
in 30 flagged.
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
from workbench.checks import run_checks  # noqa: E402
from workbench.config import load_settings  # noqa: E402
from workbench.db import open_db  # noqa: E402
from workbench.glossary.seed import load_shipped  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
SIGN_FILES = ("signs-dev.tsv", "signs-dev-2.tsv")
QA_FILES = ("qa-dev-2.tsv", "qa-extra.tsv", "qa-extra-2.tsv")


def read_qa(path: Path) -> list[tuple[str, str, bool, str]]:
    """(zh, installed text, should be flagged, error type) rows of a QA file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        zh, text, expected, error_type, *_source = line.split("\t")
        rows.append((zh, text, expected.strip() == "flag", error_type.strip()))
    return rows


def read_references(path: Path) -> list[tuple[str, str, str, str]]:
    """(zh, language, reference, category) for every acceptable reference of a sign file."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        zh, lang, references, category, *_source = line.split("\t")
        items += [(zh, lang, ref.strip(), category) for ref in references.split(" | ")]
    return items


def _data_file(name: str) -> Path:
    """A file of ``benchmarks/data/`` by name, or any path."""
    return DATA / name if (DATA / name).exists() else Path(name)


def seeded_db(folder: Path):
    """A temporary database with migrations applied and the shipped glossary loaded."""
    settings = load_settings(folder, {"DATABASE": str(folder / "bench.sqlite3")})
    db = open_db(settings["DATABASE"])
    migrations.apply(db)
    load_shipped(db, settings, auth.system_actor("bench"), force=True)
    return db


def flagged(db, zh: str, text: str, lang: str) -> list:
    """The findings that flag a text (errors and warnings)."""
    return [f for f in run_checks(db, zh, text, lang) if f.severity in ("error", "warning")]


def _print_findings(findings: list) -> None:
    for finding in findings:
        print(f"      {finding.check}: {finding.message}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list missed wrong texts too")
    parser.add_argument("--only-dev", action="store_true",
                        help="only the public dev rows (qa-dev-2.tsv and the sign files)")
    parser.add_argument("--qa", action="append", metavar="FILE",
                        help="a QA file instead of the defaults (repeatable)")
    parser.add_argument("--signs", action="append", metavar="FILE",
                        help="a sign file whose references count as correct texts (repeatable)")
    args = parser.parse_args()
    qa_files = args.qa or (QA_FILES[:1] if args.only_dev else QA_FILES)
    sign_files = args.signs or ([] if args.qa else list(SIGN_FILES))
    with tempfile.TemporaryDirectory() as folder:
        db = seeded_db(Path(folder))
        run_checks(db, "出口", "Exit", "en")  # load dictionaries and the glossary once
        wrong_by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        missed: list[tuple[str, str, str, str]] = []
        correct = []
        for name in qa_files:
            for zh, text, should_flag, error_type in read_qa(_data_file(name)):
                if should_flag:
                    caught = bool(flagged(db, zh, text, "en"))
                    wrong_by_type[error_type][0] += caught
                    wrong_by_type[error_type][1] += 1
                    if not caught:
                        missed.append((name, error_type, zh, text))
                else:
                    correct.append((name, zh, "en", text))
        for name in sign_files:
            correct += [(name, zh, lang, ref) for zh, lang, ref, _cat in
                        read_references(_data_file(name))]
        started = time.process_time()
        false_flags = []
        for name, zh, lang, text in correct:
            findings = flagged(db, zh, text, lang)
            if findings:
                false_flags.append((name, zh, text, findings))
        cpu = time.process_time() - started
        db.close()
    total_caught = sum(c for c, _n in wrong_by_type.values())
    total_wrong = sum(n for _c, n in wrong_by_type.values())
    print(f"QA files: {', '.join(qa_files)}; correct texts also from "
          f"{', '.join(sign_files) or 'no sign file'}")
    print(f"wrong texts flagged: {total_caught}/{total_wrong} "
          f"({total_caught / max(total_wrong, 1):.0%}; target ≥ 90 %)")
    for error_type, (caught, count) in sorted(wrong_by_type.items()):
        print(f"  {error_type:<12} {caught}/{count} ({caught / count:.0%})")
    if missed and (args.show or len(missed) <= 15):
        print("missed:")
        for name, error_type, zh, text in missed:
            print(f"  [{name} {error_type}] {zh} → {text}")
    share = len(false_flags) / max(len(correct), 1)
    print(f"correct texts flagged: {len(false_flags)}/{len(correct)} ({share:.1%}; "
          f"target ≤ 1 in 30 = 3.3 %)")
    for name, zh, text, findings in false_flags:
        print(f"  [{name}] {zh} → {text}")
        _print_findings(findings)
    print(f"throughput on the correct texts: {len(correct) / max(cpu, 1e-9):,.0f} texts/s "
          f"on one core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
