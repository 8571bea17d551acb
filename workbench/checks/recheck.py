"""Re-running QA where a glossary change matters.

A glossary change can turn correct text into a finding (a term newly marked
forbidden) or clear one (a rendering newly admitted). :func:`recheck_for_concepts`
finds every sign whose Chinese and every translation unit whose source contains
a Chinese term of the changed concepts — matched with one Aho-Corasick automaton
over those terms, one pass over the distinct texts — and runs the QA checks on
them again: the installed texts of the signs (the inventory's findings) and the
current wording of the units (the review's findings).

It is written to run as a background job later: it takes a ``progress``
callback called as work advances, it is idempotent (running it twice leaves the
same findings), it uses no threads, and it commits in batches, each with an
audit event (``qa.recheck``) saying what it re-checked. For now the glossary's
write functions (:mod:`workbench.glossary.store`) call it synchronously after
each change.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import ahocorasick
from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.messages import Message, msg, nmsg

Progress = Callable[[int, int, Message | None], None]
BATCH = 500  # items re-checked per transaction (and per audit event)


@dataclass
class RecheckReport:
    """What a recheck did: the signs and units it checked again, and the terms it looked for."""

    terms: list[str] = field(default_factory=list)
    sign_ids: list[int] = field(default_factory=list)
    unit_ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Signs and units checked."""
        return len(self.sign_ids) + len(self.unit_ids)


def concept_source_terms(db: Database, concept_ids: Iterable[str],
                         source_lang: str = "zh") -> list[str]:
    """The Chinese (source-language) terms of these concepts, any status."""
    ids = sorted(set(concept_ids))
    terms: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        terms.update(row[0] for row in db.execute(
            f"SELECT DISTINCT text FROM glossary_terms WHERE lang = ? "
            f"AND concept_id IN ({','.join('?' * len(chunk))})", [source_lang, *chunk]))
    return sorted(term for term in terms if term.strip())


def _automaton(terms: Iterable[str]) -> Any:
    automaton = ahocorasick.Automaton()
    for term in terms:
        automaton.add_word(term, term)
    automaton.make_automaton()
    return automaton


def _touched(automaton: Any, rows: Iterable[tuple[Any, str]]) -> list[Any]:
    """The ids of the rows whose text contains one of the automaton's terms."""
    found = []
    for row_id, text in rows:
        if text and next(automaton.iter(text), None) is not None:
            found.append(row_id)
    return found


def affected(db: Database, terms: Iterable[str]) -> RecheckReport:
    """The signs and translation units (with wording) whose Chinese contains any of ``terms``."""
    terms = sorted({term for term in terms if term and term.strip()})
    report = RecheckReport(terms=terms)
    if not terms:
        return report
    automaton = _automaton(terms)
    # One pass over the distinct Chinese texts; many signs share one text.
    sign_texts = _touched(automaton, db.execute("SELECT DISTINCT zh, zh FROM signs"))
    if sign_texts:
        report.sign_ids = _ids_for(db, "SELECT id FROM signs WHERE zh IN ({})", sign_texts)
    unit_texts = _touched(automaton, db.execute(
        "SELECT DISTINCT source_text, source_text FROM translation_units "
        "WHERE target_text IS NOT NULL AND target_text != ''"))
    if unit_texts:
        report.unit_ids = _ids_for(
            db, "SELECT id FROM translation_units WHERE target_text IS NOT NULL "
                "AND target_text != '' AND source_text IN ({})", unit_texts)
    return report


def _ids_for(db: Database, sql: str, texts: list[str]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(texts), 500):
        chunk = texts[start:start + 500]
        ids += [row[0] for row in db.execute(sql.format(",".join("?" * len(chunk))), chunk)]
    return sorted(ids)


def recheck_for_concepts(db: Database, concept_ids: Iterable[str],
                         progress: Progress | None = None, *, actor: auth.User | None = None,
                         extra_terms: Iterable[str] = ()) -> RecheckReport:
    """Run QA again on every sign and unit whose Chinese contains a term of these concepts.

    ``extra_terms`` are Chinese terms the concepts no longer have (a term renamed or a
    concept deleted): texts carrying them are checked again too. ``progress(done, total,
    message)`` is called before the first batch and after each. Returns what was checked.
    """
    actor = actor or auth.system_actor("qa-recheck")
    concept_ids = sorted(set(concept_ids))
    terms = set(concept_source_terms(db, concept_ids)) | {t for t in extra_terms if t}
    report = affected(db, terms)
    total = report.total
    if progress:
        progress(0, total, msg("Looking for the signs and units that carry the changed "
                               "terms."))
    done = 0
    for kind, ids in (("sign", report.sign_ids), ("unit", report.unit_ids)):
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            _recheck_batch(db, actor, kind, batch, concept_ids)
            done += len(batch)
            if progress:
                progress(done, total, msg("Checked %(done)s of %(total)s signs and units "
                                          "again.", done=done, total=total))
    return report


def _recheck_batch(db: Database, actor: auth.User, kind: str, ids: list[int],
                   concept_ids: list[str]) -> None:
    """QA again on one batch of signs or units, with its audit event, in one transaction."""
    from workbench.inventory.records import refresh_findings
    from workbench.review.qa import store_findings

    with transaction(db):
        if kind == "sign":
            findings = refresh_findings(db, ids)
        else:
            findings = 0
            for unit in db.query(f"SELECT * FROM translation_units WHERE id IN "
                                 f"({','.join('?' * len(ids))})", ids):
                findings += len(store_findings(db, unit))
        audit.record(db, actor, "qa.recheck", "glossary", None, None,
                     {"concepts": concept_ids[:50], "concept_count": len(concept_ids),
                      f"{kind}s": ids, "findings": findings})


def recheck_job(db: Database, *, progress: Progress, actor: auth.User, concept_ids: list[str],
                extra_terms: list[str] | None = None) -> dict[str, Any]:
    """The ``glossary.recheck`` job: :func:`recheck_for_concepts` with progress."""
    report = recheck_for_concepts(db, concept_ids, progress, actor=actor,
                                  extra_terms=extra_terms or ())
    return {"signs": len(report.sign_ids), "units": len(report.unit_ids),
            "summary": nmsg("%(n)s sign or unit checked again",
                            "%(n)s signs and units checked again", report.total)}
