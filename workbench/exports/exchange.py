"""Exchange files: TMX of approved units, TBX of the glossary, XLIFF 2.0 out and back in.

* **TMX 1.4** — every approved translation unit, all target languages in one
  file (one ``<tu>`` per unit: the Chinese and its approved wording), written by
  the one TMX writer (:mod:`workbench.files.tmx`), which streams to disk with
  lxml's incremental writer, so 100,000 units never sit in memory at once.
* **TBX-Basic** — the glossary, written by the glossary's own writer
  (:func:`workbench.glossary.io.export_glossary`), with every status including
  forbidden terms.
* **XLIFF 2.0** — sign units still to translate in one target language, for an
  outside translator's CAT tool, written by the one XLIFF layer
  (:mod:`workbench.files.xliff`, also used for documents). A unit's id
  ``u<unit id>.<version>`` carries the version the translator started from, so the
  re-import can tell when wording changed in the meantime.
* **Re-import** (:func:`import_xliff`) reads XLIFF 2.0 or 1.2 back (whichever the
  CAT tool wrote; the same reader as documents') and sends every translation
  **through review**: it is saved with the review workflow and submitted, so it
  lands in state ``in_review`` and needs a reviewer's approval like any other wording.
  Nothing is ever approved by an import.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.errors import Problem, ValidationError, WorkbenchError
from workbench.files.limits import UploadLimits, check_size
from workbench.files.tmx import TmxUnit
from workbench.files.xliff import XLIFF20 as XLIFF2_NS  # noqa: F401 - the namespace, for callers
from workbench.files.tmx import write_tmx as write_tmx_file
from workbench.files.xmlguard import check_xml
from workbench.messages import Message, msg, to_data
from workbench.vocabulary import LANGUAGES, UNIT_STATES
from workbench.exports.selection import ExportFilter, NothingToExport, Progress, count_signs

UNIT_ID = re.compile(r"^u(\d+)\.(\d+)$")
# Units an outside translator can work on: nothing yet, a machine draft, or rejected wording.
TO_TRANSLATE = ("new", "machine_draft", "rejected")
TMX_BATCH = 5000


def _unit_scope(flt: ExportFilter) -> tuple[str, list[Any]]:
    """SQL limiting units to those carried by signs the filter matches (if it names any)."""
    sign_where, params = [], []
    for column, value in (("s.county_id", flt.county_id), ("s.site_id", flt.site_id),
                          ("st.sector", flt.sector), ("s.status", flt.status)):
        if value:
            sign_where.append(f"{column} = ?")
            params.append(value)
    if not sign_where:
        return "", []
    return (f"""AND u.id IN (SELECT su.unit_id FROM sign_units su
                JOIN signs s ON s.id = su.sign_id JOIN sites st ON st.id = s.site_id
                WHERE {' AND '.join(sign_where)})""", params)


def approved_units_sql(flt: ExportFilter) -> tuple[str, list[Any]]:
    """The approved units an exchange export takes (filter by signs, language, dates)."""
    scope, params = _unit_scope(flt)
    where = ["u.state = 'approved'", "u.target_text IS NOT NULL", "u.target_text != ''"]
    if flt.lang:
        where.append("u.target_lang = ?")
        params.append(flt.lang)
    if flt.approved_since:
        where.append("substr(u.approved_at, 1, 10) >= ?")
        params.append(flt.approved_since)
    if flt.approved_until:
        where.append("substr(u.approved_at, 1, 10) <= ?")
        params.append(flt.approved_until)
    return (f"""SELECT u.id, u.source_lang, u.source_text, u.target_lang, u.target_text,
                       u.domain, u.function, u.kind, u.created_at, u.approved_by,
                       u.approved_at
                FROM translation_units u WHERE {' AND '.join(where)} {scope}
                ORDER BY u.id""", params)


def write_tmx(db: Database, flt: ExportFilter, stream: BinaryIO | str | Path, *,
              progress: Progress | None = None) -> int:
    """Write approved units as TMX 1.4 (all languages in one file); returns how many.

    Raises NothingToExport when no approved unit matches. The file is written by
    the one TMX writer (:mod:`workbench.files.tmx`), rows read in batches.
    """
    sql, params = approved_units_sql(flt)
    total = db.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
    if not total:
        raise NothingToExport(_nothing_units(db, flt))

    def units() -> Iterator[TmxUnit]:
        cursor = db.execute(sql, params)
        while rows := cursor.fetchmany(TMX_BATCH):
            for (unit_id, src_lang, source, tgt_lang, target, domain, function, kind,
                 created_at, approved_by, approved_at) in rows:
                yield TmxUnit(f"signbench-{unit_id}", [(src_lang, source), (tgt_lang, target)],
                              created_at, approved_at, approved_by,
                              [("x-domain", domain), ("x-function", function),
                               ("x-kind", kind)])

    def report(written: int) -> None:
        if progress and (written % TMX_BATCH == 0 or written == total):
            progress(written, total)

    return write_tmx_file(stream, units(), source_lang="zh", progress=report)


def _nothing_units(db: Database, flt: ExportFilter) -> Message:
    if _unit_scope(flt)[0] and not count_signs(db, flt):
        return msg("No signs match this filter (%(filter)s); nothing to export.",
                   filter=flt.describe())
    if flt.to_dict():
        return msg("No approved translation units to export (%(filter)s).",
                   filter=flt.describe())
    return msg("No approved translation units to export.")


def write_tbx(db: Database, flt: ExportFilter, stream: BinaryIO) -> int:
    """The glossary as TBX-Basic through the glossary's own writer; returns concepts written.

    Only the language filter applies (Chinese and that language); the glossary
    has no counties or sites.
    """
    from workbench.glossary.io import export_glossary

    langs = ["zh", flt.lang] if flt.lang else None
    count = export_glossary(db, "tbx", stream, langs=langs)
    if not count:
        raise NothingToExport(msg("The glossary has no terms to export in %(language)s.",
                                  language=LANGUAGES.label(flt.lang)) if flt.lang
                              else msg("The glossary has no terms to export."))
    return count


# --- XLIFF 2.0 out ---------------------------------------------------------------------------

def units_to_translate(db: Database, flt: ExportFilter, target_lang: str) -> list[dict[str, Any]]:
    """Sign units in ``target_lang`` that still need a translation, with how many signs use each."""
    scope, params = _unit_scope(flt)
    return list(db.query(
        f"""SELECT u.*, (SELECT count(*) FROM sign_units x WHERE x.unit_id = u.id) AS sign_count
            FROM translation_units u
            WHERE u.kind = 'sign' AND u.target_lang = ?
              AND u.state IN ({','.join('?' * len(TO_TRANSLATE))}) {scope}
            ORDER BY u.id""", [target_lang, *TO_TRANSLATE, *params]))


def write_xliff(db: Database, flt: ExportFilter, target_lang: str, stream: BinaryIO) -> int:
    """Write the units still to translate into ``target_lang`` as XLIFF 2.0; returns how many.

    A machine draft or rejected wording goes in as the target with state
    ``initial`` (for post-editing); a new unit has no target. Notes give the
    sign function, sector, how many signs share the unit, and a rejection reason.
    """
    from workbench.files.xliff import write_xliff20

    units = units_to_translate(db, flt, target_lang)
    if not units:
        raise NothingToExport(msg("No translation units into %(language)s are waiting for a "
                                  "translator (%(filter)s).",
                                  language=LANGUAGES.label(target_lang), filter=flt.describe()))
    rows = []
    for unit in units:
        notes = [("x-function", unit.get("function")), ("x-sector", unit.get("domain")),
                 ("x-signs", f"used on {unit['sign_count']} sign(s)"),
                 ("x-state", unit["state"])]
        if unit.get("rejection_reason"):
            notes.append(("x-rejection", f"Rejected: {unit['rejection_reason']}"))
        # A machine draft or rejected wording is state "initial": a draft to check.
        rows.append({"unit_id": f"u{unit['id']}.{unit['version']}", "source": unit["source_text"],
                     "target": unit["target_text"], "state": unit["state"], "notes": notes})
    stream.write(write_xliff20("", "", "zh", target_lang, rows))
    return len(units)


# --- XLIFF back in ---------------------------------------------------------------------------

@dataclass
class ImportReport:
    """What an XLIFF re-import did: units sent to review, untouched ones, and refusals."""

    submitted: list[int] = field(default_factory=list)
    untranslated: int = 0
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> Message:
        """One line for the CLI and the flash message (render it in the reader's language)."""
        return msg("%(sent)s translation(s) sent to review, %(left)s left untranslated, "
                   "%(refused)s refused.", sent=len(self.submitted), left=self.untranslated,
                   refused=len(self.problems))


def _read_units(data: bytes, name: str, limits: UploadLimits
                ) -> tuple[str | None, list[tuple[str, str, str | None]]]:
    """(target language, [(unit id, source, target)]) from XLIFF 2.0 or 1.2 bytes, read by
    the one XLIFF reader (:func:`workbench.files.xliff.read_xliff`)."""
    from workbench.files.xliff import read_xliff

    check_xml(data, limits, msg("%(name)s", name=name))
    document = read_xliff(data, limits)
    return document.target_lang, [
        (document.unit_ids.get(block.locator, ""), block.text,
         document.targets.get(block.locator)) for block in document.blocks]


def import_xliff(db: Database, actor: auth.User, data: bytes, name: str = "translation.xlf",
                 settings: Mapping[str, Any] | None = None) -> ImportReport:
    """Bring an outside translator's XLIFF back: each translation goes to review.

    A unit is refused (and reported) when its id is not ours, its Chinese or
    language differs from the unit, or the unit moved on since the export
    (someone else translated, submitted or approved it). The rest are saved
    with the review workflow and submitted, in one transaction with a summary
    audit event. Nothing is ever approved here.
    """
    from workbench.review import workflow

    auth.require(actor, "review.translate")
    limits = UploadLimits.from_settings(settings)
    check_size(len(data), limits.max_import_bytes, "MAX_IMPORT_BYTES")
    target_lang, entries = _read_units(data, name, limits)
    if not entries:
        raise ValidationError.single(msg("%(name)s has no translation units.", name=name))
    report = ImportReport()
    with transaction(db):
        for position, (unit_ref, source, target) in enumerate(entries, start=1):
            match = UNIT_ID.match(unit_ref)
            if not match:
                report.problems.append(Problem(msg("This is not a Signbench unit id."),
                                               row=position,
                                               column="id", value=unit_ref))
                continue
            if target is None or not target.strip():
                report.untranslated += 1
                continue
            unit_id, exported_version = int(match.group(1)), int(match.group(2))
            unit = next(db.query("SELECT * FROM translation_units WHERE id = ?", [unit_id]),
                        None)
            problem = _refusal(unit, source, target_lang, exported_version, target)
            if problem:
                report.problems.append(Problem(problem, row=position, column="id",
                                               value=unit_ref))
                continue
            assert unit is not None  # _refusal refuses a missing unit; said for mypy
            try:
                with transaction(db):
                    saved = workflow.save_translation(db, actor, unit_id, target,
                                                      unit["version"], settings=settings)
                    if saved["state"] == "translated":
                        workflow.submit(db, actor, unit_id, saved["version"], settings=settings)
            except WorkbenchError as error:
                report.problems.append(Problem(error.message, row=position, column="target",
                                               value=unit_ref))
                continue
            report.submitted.append(unit_id)
        audit.record(db, actor, "xliff.import", "xliff_import", name, None, {
            "file": name, "target_lang": target_lang, "submitted": report.submitted,
            "untranslated": report.untranslated,
            "refused": [to_data(p.reason) for p in report.problems][:200]})
    return report


def _refusal(unit: Mapping[str, Any] | None, source: str, target_lang: str | None,
             exported_version: int, target: str) -> Message | None:
    """Why an imported translation cannot be taken, or None when it can."""
    if unit is None:
        return msg("No such translation unit (it may have been removed).")
    if target_lang and unit["target_lang"] != target_lang.split("-")[0].lower():
        return msg("The unit is for %(unit_language)s, the file for %(file_language)s.",
                   unit_language=LANGUAGES.label(unit["target_lang"]),
                   file_language=LANGUAGES.label(target_lang.split("-")[0].lower()))
    if " ".join(source.split()) != " ".join(unit["source_text"].split()):
        return msg("The Chinese text differs from the unit's (the file was edited or is "
                   "stale).")
    if unit["state"] in ("in_review", "approved"):
        return msg("The unit moved on since the export (now: %(state)s); the imported "
                   "wording was not used.", state=UNIT_STATES.label(unit["state"]))
    if unit["version"] != exported_version and unit["target_text"] != target:
        return msg("The unit changed since the export (version %(exported)s → %(current)s); "
                   "compare and enter the wording by hand.", exported=exported_version,
                   current=unit["version"])
    return None
