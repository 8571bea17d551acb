"""Running the QA checks on the glossary's own target terms.

A glossary term is a rendering that drafts and reviewers will copy onto signs;
a misspelling, broken pinyin or full-width mark in it spreads everywhere. The
check runs every preferred and admitted foreign term against its concept's
preferred Chinese term with the "term" profile (no title-case or consistency
rules: terms serve running text too).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

from workbench.checks import run_checks
from workbench.messages import Translator


def check_glossary_terms(db: Database, target_lang: str | None = None,
                         source_lang: str = "zh", *,
                         translator: Translator | None = None) -> Iterator[dict[str, Any]]:
    """Yield ``{"concept_id", "source", "target", "lang", "status", "findings"}`` for every
    preferred or admitted foreign term that has findings (messages in the translator's
    language, with their ids and parameters)."""
    params: list[Any] = [source_lang, source_lang]
    where = ""
    if target_lang:
        where = "AND t.lang = ?"
        params.append(target_lang)
    rows = db.execute(
        f"""SELECT t.concept_id, s.text, t.text, t.lang, t.status
            FROM glossary_terms t
            JOIN glossary_terms s ON s.concept_id = t.concept_id AND s.lang = ?
                 AND s.status = 'preferred'
            WHERE t.lang != ? AND t.status IN ('preferred', 'admitted') {where}
            ORDER BY t.concept_id, t.lang, t.position, t.id""", params).fetchall()
    for concept_id, source, target, lang, status in rows:
        findings = run_checks(db, source, target, lang, profile="term", source_lang=source_lang)
        if findings:
            yield {"concept_id": concept_id, "source": source, "target": target, "lang": lang,
                   "status": status, "findings": [f.to_dict(translator) for f in findings]}
