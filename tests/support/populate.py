"""A database with something on every page: the demo inventory, drafts, decisions, comments,
a glossary proposal, a document, an export, a public report and their history.

Used by the language tests, which open every page of every role and need each page to
show its records (states, findings, history, times), not an empty list.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from workbench import auth
from sqlite_utils import Database

from workbench.exports.runs import export_now
from workbench.exports.selection import ExportFilter
from workbench.glossary.model import TermRecord
from workbench.glossary import proposals
from workbench.inventory import demo, records
from workbench.reports.intake import ReportInput, submit_report
from workbench.reports.triage import triage_report
from workbench.review import comments, units, workflow

DOCUMENT_TEXT = (
    "海南省人民政府关于优化营商环境的通知\n\n"
    "各市县人民政府：\n\n"
    "为全面优化营商环境，现将有关事项通知如下。\n\n"
    "一、坚持改革开放，推进自由贸易港建设。\n"
).encode("utf-8")


@dataclass
class Populated:
    """Ids of the records the pages show."""

    sign_id: int
    approved_sign_id: int
    unit_id: int
    approved_unit_id: int
    rejected_unit_id: int
    site_id: int
    concept_id: str
    proposal_id: int
    document_id: int
    segment_id: int
    export_run_id: int
    report_id: int
    report_code: str
    approved_sign_code: str


def _user(db: Database, name: str) -> auth.User:
    user = auth.find_user(db, name)
    assert user is not None, name
    return user


def _en_unit(db: Database, zh: str) -> tuple[int, int]:
    row = db.execute(
        """SELECT s.id, u.id FROM signs s JOIN sign_units su ON su.sign_id = s.id
           JOIN translation_units u ON u.id = su.unit_id
           WHERE s.zh = ? AND su.target_lang = 'en' ORDER BY s.id LIMIT 1""", [zh]).fetchone()
    return row[0], row[1]


def _decisions(db: Database, settings: dict[str, Any]) -> tuple[int, int, int, int, int]:
    """A unit approved (and its sign fabricated), one rejected, one asked about."""
    translator, reviewer = _user(db, "translator"), _user(db, "reviewer")
    approved_sign, approved_unit = _en_unit(db, "安检")
    version = units.get_unit(db, approved_unit)["version"]
    saved = workflow.save_and_submit(db, translator, approved_unit, "Security Check", version,
                                     settings)
    workflow.approve(db, reviewer, approved_unit, saved["version"], settings=settings)
    if records.get_sign(db, _user(db, "staff"), approved_sign)["status"] == "approved":
        records.transition(db, _user(db, "staff"), approved_sign, "mark_fabricated")
    _sign, rejected_unit = _en_unit(db, "小心地滑")
    version = units.get_unit(db, rejected_unit)["version"]
    saved = workflow.save_and_submit(db, translator, rejected_unit, "Carefully Slide", version,
                                     settings)
    workflow.reject(db, reviewer, rejected_unit, saved["version"], "不符合 GB/T 30240",
                    settings=settings)
    sign_id, unit_id = _en_unit(db, "国际出发")
    comments.request_clarification(db, translator, unit_id, "这块标牌在几层？")
    comments.add_comment(db, reviewer, unit_id, "@translator 请看照片")
    return sign_id, approved_sign, unit_id, approved_unit, rejected_unit


def _proposal(db: Database) -> tuple[str, int]:
    concept_id = db.execute(
        "SELECT c.id FROM glossary_concepts c JOIN glossary_terms t ON t.concept_id = c.id "
        "WHERE t.lang = 'zh' AND t.text = '出口' LIMIT 1").fetchone()[0]
    from workbench.glossary.model import load_all_concepts

    record = load_all_concepts(db, [concept_id])[concept_id]
    changed = dataclasses.replace(record, notes="机场标牌常用", terms=list(record.terms) + [
        TermRecord(lang="en", text="Egress", status="admitted")])
    proposal_id = proposals.propose(db, _user(db, "translator"), changed, "英国常用")
    return concept_id, proposal_id


def _document(db: Database, settings: dict[str, Any]) -> tuple[int, int]:
    from workbench.documents import drafting, store

    staff = _user(db, "staff")
    doc_id = store.create_document(db, staff, "通知.txt", DOCUMENT_TEXT, targets=["en"],
                                   domain="policy", settings=settings,
                                   assignees=[_user(db, "translator").id])
    drafting.start_draft(db, staff, doc_id, settings=settings)
    segment_id = db.execute("SELECT id FROM doc_segments WHERE document_id = ? "
                            "ORDER BY id LIMIT 1", [doc_id]).fetchone()[0]
    return doc_id, segment_id


def populate(db: Database, settings: dict[str, Any]) -> Populated:
    """Fill the test database as a few days of use would (see the module's docstring)."""
    demo.load_demo(db)
    units.draft_new_units(db, auth.system_actor("drafting"), settings=settings)
    sign_id, approved_sign, unit_id, approved_unit, rejected_unit = _decisions(db, settings)
    site_id = records.get_sign(db, _user(db, "staff"), sign_id)["site_id"]
    concept_id, proposal_id = _proposal(db)
    document_id, segment_id = _document(db, settings)
    export = export_now(db, _user(db, "staff"), "sheet-csv", ExportFilter(), settings)
    code = db.execute("SELECT sign_code FROM signs WHERE id = ?", [sign_id]).fetchone()[0]
    receipt = submit_report(db, ReportInput(kind="wrong_translation", sign_code=code,
                                            description="英文拼写错误", locale="zh"),
                            settings=settings, address="127.0.0.1")
    triage_report(db, receipt.report_id, settings=settings)  # links it to the sign's county
    approved_code = db.execute("SELECT sign_code FROM signs WHERE id = ?",
                               [approved_sign]).fetchone()[0]
    return Populated(sign_id, approved_sign, unit_id, approved_unit, rejected_unit, site_id,
                     concept_id, proposal_id, document_id, segment_id, export["id"],
                     receipt.report_id, receipt.tracking_code, approved_code)
