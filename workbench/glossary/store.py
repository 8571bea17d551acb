"""Writing the glossary: validation, bulk upsert, and single-concept edits — all audited.

Every change runs inside ``transaction(db)`` with one audit event per created,
changed or deleted concept (entity type ``concept``) and bumps the glossary
version so that cached matchers rebuild. Unchanged concepts write nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Iterable, Mapping
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.errors import Conflict, Problem, ValidationError
from workbench.glossary.match import bump_version
from workbench.glossary.model import (
    CONCEPT_ID_PATTERN, DEFAULT_SOURCE, DOMAINS, FUNCTIONS, MAX_TERM_LENGTH, PARTS_OF_SPEECH,
    SOURCE_LANG, STATUSES, ConceptRecord, TermRecord, concept_row, get_concept,
    load_all_concepts,
    normalize_lang, ordered_terms,
)
from workbench.messages import Message, MessageLike, Translator, msg, nmsg
from workbench.vocabulary import LANGUAGES, TERM_STATUSES

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
NEW_ID_PREFIX = "c-"


@dataclass
class FileProblem(Problem):
    """A problem in an input file: which file as well as which line and column."""

    file: str | None = None

    def render(self, translator: Translator | None = None) -> str:
        """The problem as one line, prefixed with its file."""
        text = Problem.render(self, translator)
        if self.file:
            return f"{self.file}, {text}" if self.row is not None or self.column else \
                f"{self.file}: {text}"
        return text


def problem(reason: MessageLike, record: ConceptRecord | None = None, *, row: int | None = None,
            column: str | None = None, value: Any = None, file: str | None = None) -> FileProblem:
    """A problem located at a record's line and file (or at an explicit row)."""
    return FileProblem(reason, row=row if row is not None else (record.line if record else None),
                       column=column, value=value,
                       file=file if file is not None else (record.origin if record else None))


# --- validation ----------------------------------------------------------------------------

def validate_record(record: ConceptRecord) -> list[FileProblem]:
    """Everything wrong with one concept record (empty list: it can be saved)."""
    found: list[FileProblem] = []
    if record.id is not None and not CONCEPT_ID_PATTERN.match(record.id):
        found.append(problem(
            msg("A concept id has 1–64 letters, digits, '.', '_', ':' or '-'."),
            record, column="id", value=record.id))
    if not record.domain:
        found.append(problem(msg("The domain is required."), record, column="domain"))
    elif record.domain not in DOMAINS:
        found.append(problem(msg("Unknown domain; use one of: %(allowed)s.",
                                 allowed=", ".join(DOMAINS)), record,
                             column="domain", value=record.domain))
    if record.function and record.function not in FUNCTIONS:
        found.append(problem(msg("Unknown sign function; use one of: %(allowed)s.",
                                 allowed=", ".join(FUNCTIONS)),
                             record, column="function", value=record.function))
    if not (record.source or "").strip():
        found.append(problem(msg("The source is required (e.g. 'common usage')."), record,
                             column="source"))
    elif len(record.source) > 200:
        found.append(problem(msg("The source is longer than 200 characters."), record,
                             column="source"))
    if len(record.notes or "") > 5000:
        found.append(problem(msg("The notes are longer than 5,000 characters."), record,
                             column="notes"))
    if not any(t.status == "preferred" for t in record.terms):
        found.append(problem(msg("The concept needs at least one preferred term."), record,
                             column="terms"))
    seen: dict[tuple[str, str], str] = {}
    for term in record.terms:
        column = term.lang if term.status == "preferred" else f"{term.lang}_{term.status}"
        if normalize_lang(term.lang) != term.lang:
            found.append(problem(
                msg("Unknown language code (use BCP 47, e.g. zh, en, ru, ja, ko)."),
                record, column=column, value=term.lang))
        if term.status not in STATUSES:
            found.append(problem(msg("Unknown term status; use one of: %(allowed)s.",
                                     allowed=", ".join(STATUSES)),
                                 record, column=column, value=term.status))
        if not term.text:
            found.append(problem(msg("A term is empty."), record, column=column))
        elif len(term.text) > MAX_TERM_LENGTH:
            found.append(problem(msg("A term is longer than %(limit)s characters.",
                                     limit=MAX_TERM_LENGTH), record,
                                 column=column, value=term.text[:40] + "…"))
        elif _CONTROL.search(term.text):
            found.append(problem(msg("A term contains a line break or control character."),
                                 record, column=column, value=term.text))
        if term.pos and term.pos not in PARTS_OF_SPEECH:
            found.append(problem(msg("Unknown part of speech; use one of: %(allowed)s.",
                                     allowed=", ".join(PARTS_OF_SPEECH)), record, column=column,
                                 value=term.pos))
        key = (term.lang, term.text.casefold())
        if term.text and key in seen:
            found.append(problem(msg("The same %(language)s term is listed twice in this "
                                     "concept (as %(first)s and as %(second)s).",
                                     language=LANGUAGES.label(term.lang),
                                     first=TERM_STATUSES.label(seen[key]),
                                     second=TERM_STATUSES.label(term.status)), record,
                                 column=column, value=term.text))
        seen.setdefault(key, term.status)
    return found


def validate_records(records: list[ConceptRecord]) -> list[FileProblem]:
    """Every problem in a batch: each record's own, plus duplicate ids and keys."""
    found: list[FileProblem] = []
    first_by_id: dict[str, ConceptRecord] = {}
    first_by_key: dict[tuple[str, str], ConceptRecord] = {}
    for record in records:
        found.extend(validate_record(record))
        if record.id:
            first = first_by_id.setdefault(record.id, record)
            if first is not record:
                found.append(problem(msg("Duplicate concept id (first %(first)s).",
                                         first=_where(first)), record, column="id",
                                     value=record.id))
        else:
            key = (record.source_term() or "", record.domain)
            first = first_by_key.setdefault(key, record)
            if first is not record:
                found.append(problem(
                    msg("The same source term and domain without an id (first %(first)s); give "
                        "each an id or merge them.", first=_where(first)),
                    record, column="id", value=key[0]))
    return found


def _where(record: ConceptRecord) -> str:
    parts = []
    if record.origin:
        parts.append(f"in {record.origin}")
    if record.line is not None:
        parts.append(f"on line {record.line}")
    return " ".join(parts) or "earlier"


# --- bulk upsert ---------------------------------------------------------------------------

@dataclass
class ApplyReport:
    """What a bulk upsert did (or, in a dry run, would do)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # edited here since loaded: left alone
    dry_run: bool = False
    problems: list[FileProblem] = field(default_factory=list)  # skipped (lenient loads only)

    @property
    def changed(self) -> bool:
        """Whether anything was (or would be) written."""
        return bool(self.created or self.updated)

    def summary(self) -> Message:
        """One line for people (render it in the reader's language)."""
        counts = {"created": len(self.created), "updated": len(self.updated),
                  "unchanged": self.unchanged}
        line = (msg("would create %(created)s, would update %(updated)s, unchanged "
                    "%(unchanged)s concept(s)", **counts) if self.dry_run
                else msg("created %(created)s, updated %(updated)s, unchanged %(unchanged)s "
                         "concept(s)", **counts))
        if not self.kept:
            return line
        return msg("%(counts)s, kept %(kept)s edited in the workbench", counts=line,
                   kept=len(self.kept))


def _merged(existing: ConceptRecord | None, record: ConceptRecord,
            covered_langs: set[str] | None) -> ConceptRecord:
    """The concept after the upsert: the record's fields, and its terms for covered languages.

    Languages the input does not speak about (e.g. ru when a file has only zh and en
    columns) keep their existing terms.
    """
    kept: list[TermRecord] = []
    if existing is not None and covered_langs is not None:
        kept = [t for t in existing.terms if t.lang not in covered_langs]
    return ConceptRecord(
        id=record.id, domain=record.domain, function=record.function or None,
        source=(record.source or DEFAULT_SOURCE).strip(), verified=bool(record.verified),
        notes=(record.notes or "").strip(), terms=ordered_terms(
            [TermRecord(t.lang, t.text, t.status, t.pos or None) for t in record.terms] + kept),
        line=record.line, origin=record.origin)


def next_concept_ids(db: Database, count: int, taken: Iterable[str] = ()) -> list[str]:
    """``count`` fresh concept ids (``c-00001`` …) not in the database nor in ``taken``."""
    highest = 0
    pattern = re.compile(rf"^{re.escape(NEW_ID_PREFIX)}(\d+)$")
    for value in list(taken) + [r[0] for r in db.execute(
            "SELECT id FROM glossary_concepts WHERE id LIKE ?", [NEW_ID_PREFIX + "%"])]:
        found = pattern.match(value or "")
        if found:
            highest = max(highest, int(found.group(1)))
    return [f"{NEW_ID_PREFIX}{n:05d}" for n in range(highest + 1, highest + 1 + count)]


def _write_concept(db: Database, merged: ConceptRecord, is_new: bool, now: str) -> None:
    if is_new:
        db.execute(
            """INSERT INTO glossary_concepts (id, domain, function, source, verified, notes,
                                              created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [merged.id, merged.domain, merged.function, merged.source, int(merged.verified),
             merged.notes, now, now])
    else:
        db.execute(
            """UPDATE glossary_concepts SET domain = ?, function = ?, source = ?, verified = ?,
                      notes = ?, updated_at = ? WHERE id = ?""",
            [merged.domain, merged.function, merged.source, int(merged.verified), merged.notes,
             now, merged.id])
        db.execute("DELETE FROM glossary_terms WHERE concept_id = ?", [merged.id])
    positions: dict[str, int] = {}
    rows = []
    for term in merged.terms:
        position = positions.get(term.lang, 0)
        positions[term.lang] = position + 1
        rows.append((merged.id, term.lang, term.text, term.status, term.pos, position))
    db.conn.executemany(
        """INSERT INTO glossary_terms (concept_id, lang, text, status, pos, position)
           VALUES (?, ?, ?, ?, ?, ?)""", rows)


LOAD_PREFIX = "load:"


def locally_edited(db: Database) -> set[str]:
    """Concepts whose latest change did not come from loading shipped files.

    A reviewer's edit, an import, an accepted proposal or a deletion: reloading the
    shipped files must not silently undo it.
    """
    return {row[0] for row in db.execute(
        """SELECT entity_id FROM audit_events WHERE id IN (
               SELECT max(id) FROM audit_events WHERE entity_type = 'concept'
               GROUP BY entity_id)
           AND coalesce(json_extract(after_json, '$.via'), '') NOT LIKE ?""",
        [LOAD_PREFIX + "%"])}


def apply_records(db: Database, actor: auth.User, records: list[ConceptRecord], *,
                  covered_langs: set[str] | None = None, dry_run: bool = False,
                  lenient: bool = False, action: str = "import",
                  keep_local_edits: bool = False,
                  settings: Mapping[str, Any] | None = None) -> ApplyReport:
    """Upsert concepts: all or nothing, one audit event per created or changed concept.

    A record with an id updates that concept (or creates it with that id); a
    record without an id updates the concept with the same preferred source term
    (Chinese) in the same domain, else creates a new concept. ``covered_langs``
    are the languages the input carries: their terms are replaced, the others'
    kept (None: replace all terms). Any problem raises ValidationError and writes
    nothing — unless ``lenient``, where bad records are skipped and listed in the
    report (the shipped-glossary seed uses this so one bad row cannot stop ``init``).
    ``keep_local_edits`` leaves alone the concepts changed in the workbench since
    they were last loaded (or deleted there), listing them in ``report.kept``.
    """
    auth.require(actor, "glossary.edit")
    problems = validate_records(records)
    report = ApplyReport(dry_run=dry_run)
    if problems:
        if not lenient:
            raise ValidationError(list(problems), summary=(
                nmsg("The glossary input has %(n)s problem; nothing was saved.",
                     "The glossary input has %(n)s problems; nothing was saved.",
                     len(problems))))
        bad = {(p.file, p.row) for p in problems}
        records = [r for r in records if (r.origin, r.line) not in bad]
        report.problems = problems
    with transaction(db):
        existing = load_all_concepts(db)
        protected = locally_edited(db) if keep_local_edits else set()
        by_key: dict[tuple[str, str], str | None] = {}
        for concept in existing.values():
            by_key.setdefault((concept.source_term() or "", concept.domain), concept.id)
        pending_new = [r for r in records
                       if not r.id and (r.source_term() or "", r.domain) not in by_key]
        fresh_ids = iter(next_concept_ids(db, len(pending_new),
                                          taken=[r.id for r in records if r.id]))
        now = audit.now_iso()
        old_terms: list[str] = []
        for record in records:
            concept_id = record.id or by_key.get((record.source_term() or "", record.domain))
            if concept_id is None:
                concept_id = next(fresh_ids)
            record = ConceptRecord(**{**record.__dict__, "id": concept_id})
            before = existing.get(concept_id)
            merged = _merged(before, record, covered_langs)
            if before is not None and before.as_dict() == merged.as_dict():
                report.unchanged += 1
                continue
            if concept_id in protected:
                report.kept.append(concept_id)
                continue
            (report.updated if before is not None else report.created).append(concept_id)
            if dry_run:
                continue
            _write_concept(db, merged, before is None, now)
            audit.record(db, actor, f"concept.{'update' if before else 'create'}", "concept",
                         concept_id, before.as_dict() if before else None,
                         dict(merged.as_dict(), via=action))
            old_terms += _source_terms(before)
        if report.changed and not dry_run:
            bump_version(db)
    if report.changed and not dry_run:
        _recheck(db, actor, report.created + report.updated, old_terms, settings)
    return report


# --- single-concept edits (web form, proposals) ---------------------------------------------

def save_concept(db: Database, actor: auth.User, record: ConceptRecord, *,
                 expected_updated_at: str | None = None, action: str = "edit",
                 settings: Mapping[str, Any] | None = None) -> str:
    """Create (no id) or replace one concept and all its terms; returns its id. Audited.

    ``expected_updated_at`` is the ``updated_at`` the editor loaded: when the
    concept changed since, Conflict is raised instead of overwriting that change.
    """
    auth.require(actor, "glossary.edit")
    problems = validate_record(record)
    if problems:
        raise ValidationError(list(problems), summary=problems[0].reason
                              if len(problems) == 1 else msg("The concept has problems; "
                                                             "nothing was saved."))
    with transaction(db):
        before: ConceptRecord | None = None
        if record.id:
            existing = load_all_concepts(db, [record.id])
            before = existing.get(record.id)
            if before is None and expected_updated_at is not None:
                raise Conflict(msg("Someone deleted this concept after you opened it; "
                                   "nothing was saved."), attempted=record.as_dict())
            if before is not None and expected_updated_at is not None:
                current = concept_row(db, record.id)["updated_at"]
                if current != expected_updated_at:
                    raise Conflict(msg("Someone changed this concept after you opened it. "
                                       "Reload it, then make your change again."),
                                   current=before.as_dict(), attempted=record.as_dict())
        concept_id = record.id or next_concept_ids(db, 1)[0]
        merged = _merged(None, ConceptRecord(**{**record.__dict__, "id": concept_id}), None)
        if before is not None and before.as_dict() == merged.as_dict():
            return concept_id
        _write_concept(db, merged, before is None, audit.now_iso())
        audit.record(db, actor, f"concept.{'update' if before else 'create'}", "concept",
                     concept_id, before.as_dict() if before else None,
                     dict(merged.as_dict(), via=action))
        bump_version(db)
    _recheck(db, actor, [concept_id], _source_terms(before), settings)
    return concept_id


def delete_concept(db: Database, actor: auth.User, concept_id: str, *,
                   settings: Mapping[str, Any] | None = None) -> None:
    """Remove a concept and its terms (audited with the full concept as it was)."""
    auth.require(actor, "glossary.edit")
    with transaction(db):
        before = get_concept(db, concept_id)
        db.execute("DELETE FROM glossary_terms WHERE concept_id = ?", [concept_id])
        db.execute("DELETE FROM glossary_concepts WHERE id = ?", [concept_id])
        audit.record(db, actor, "concept.delete", "concept", concept_id, before.as_dict(), None)
        bump_version(db)
    _recheck(db, actor, [], _source_terms(before), settings)


def _source_terms(record: ConceptRecord | None) -> list[str]:
    """A concept's Chinese terms as they were (a changed or deleted term's texts)."""
    return [term.text for term in record.terms_in(SOURCE_LANG)] if record else []


def _recheck(db: Database, actor: auth.User, concept_ids: list[str], old_terms: list[str],
             settings: Mapping[str, Any] | None) -> None:
    """QA again on the signs and units the changed concepts touch (workbench.checks.recheck):
    a term newly forbidden flags the signs that carry it.

    With ``settings`` (the web app, the CLI) the re-check is a ``glossary.recheck`` job
    for the worker, so a large glossary import does not wait for it; without (a
    domain caller such as the first seed) it runs here and now.
    """
    if not concept_ids and not old_terms:
        return
    if settings is not None:
        from workbench import jobs

        jobs.start(db, actor, "glossary.recheck",
                   {"concept_ids": sorted(set(concept_ids)), "extra_terms": sorted(set(old_terms))},
                   settings=settings)
        return
    from workbench.checks.recheck import recheck_for_concepts

    recheck_for_concepts(db, concept_ids, actor=actor, extra_terms=old_terms)
