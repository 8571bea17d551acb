"""Every acceptable reference of the development sets passes every check.

``tests/data/signs-dev.tsv`` and ``signs-dev-2.tsv`` are copies of the project's
development sets: zh <TAB> language <TAB> references separated by " | " <TAB> category
(<TAB> source, in the second).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from workbench.checks import run_checks

DEV_SETS = [Path(__file__).parent / "data" / name for name in ("signs-dev.tsv",
                                                                 "signs-dev-2.tsv")]

# References the shipped glossary's verified (standard) entries do not list. They are
# correct signs; the glossary check says "not the glossary's rendering", which is a gap
# in the glossary data, not a fault of the sign. Only that note is allowed for them.
# (With the glossary as shipped today every reference passes outright: another concept
# of 餐厅 admits "Dining Room". The allowance stays for glossaries that lack it.)
GLOSSARY_GAPS = {
    ("餐厅", "Dining Hall"),  # 餐厅 is verified (GB/T 30240.9) with "Restaurant" only
}


def _references() -> list[tuple[str, str, str]]:
    items = []
    for dev_set in DEV_SETS:
        for line in dev_set.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            zh, lang, references, _category, *_source = line.split("\t")
            items += [(zh, lang, reference.strip()) for reference in references.split(" | ")]
    return items


REFERENCES = _references()


def test_dev_set_is_there() -> None:
    assert len(REFERENCES) > 240
    assert {lang for _zh, lang, _ref in REFERENCES} == {"en", "ru", "ja", "ko"}


@pytest.mark.parametrize("zh,lang,reference", REFERENCES)
def test_acceptable_reference_without_glossary(zh: str, lang: str, reference: str) -> None:
    assert run_checks(None, zh, reference, lang) == []


def test_acceptable_references_with_the_shipped_glossary(db) -> None:
    problems = []
    for zh, lang, reference in REFERENCES:
        findings = run_checks(db, zh, reference, lang)
        if (zh, reference) in GLOSSARY_GAPS:
            findings = [f for f in findings if f.check != "glossary"]
        problems += [f"{zh} → {reference}: {f.check}: {f.text()}" for f in findings]
    assert problems == []
