"""Documents end to end in the domain layer: upload, review workflow, TM reuse, export rules."""
from __future__ import annotations

import io
import re

import docx
import pytest

from workbench import audit, jobs
from workbench.documents import drafting, export, store, terms
from workbench.errors import Conflict, PermissionDenied, ValidationError, WorkbenchError
from workbench.mt import memory
from workbench.review import workflow
from tests.data.documents.sample_docx import build_sample_docx, footer_has_page_field

CJK = re.compile(r"[\u4e00-\u9fff]+")


def english(source: str) -> str:
    """A stand-in translation that keeps placeholders and numbers, with no Chinese left."""
    return CJK.sub("Text", source).replace("。", ".").replace("，", ", ").replace("、", ", ")


@pytest.fixture
def document_id(db, users):
    return store.create_document(db, users["staff"], "report.docx", build_sample_docx(),
                                 targets=["en", "ru"], due_date="2026-12-31",
                                 assignees=[users["translator"].id, users["reviewer"].id])


def approve_all(db, users, doc_id, lang="en", translate=english):
    for row in store.segment_rows(db, doc_id, lang):
        unit = workflow.save_translation(db, users["translator"], row["unit_id"],
                                         translate(row["source_text"]), row["version"])
        unit = workflow.submit(db, users["translator"], unit["id"], unit["version"])
        workflow.approve(db, users["reviewer"], unit["id"], unit["version"])


def test_upload_creates_one_unit_per_segment_and_target(db, users, document_id):
    document = store.get_document(db, document_id)
    assert document["targets"] == ["en", "ru"]
    assert {a["username"] for a in document["assignees"]} == {"translator", "reviewer"}
    rows = store.segment_rows(db, document_id, "en")
    kinds = {row["block_kind"] for row in rows}
    assert {"heading", "paragraph", "list", "cell", "header", "footer", "footnote"} <= kinds
    sources = [row["source_text"] for row in rows]
    # The bold run became a placeholder pair inside its sentence; the footnote mark follows it.
    assert "2025年，全省{1}地区生产总值{/1}增长3.5%。" in sources
    assert "各项工作取得{2}新进展{/2}。{3/}" in sources
    # A cell with only a number has nothing to translate.
    assert "3.5%" not in sources
    assert document["segment_count"] == len(rows)
    units = {row["unit_id"] for row in rows} | {row["unit_id"] for row in
                                                 store.segment_rows(db, document_id, "ru")}
    assert len(units) == 2 * len(rows)
    event = audit.history(db, "document", document_id)[0]
    assert event["action"] == "document.create" and event["after"]["segments"] == len(rows)


def test_identical_sentences_are_separate_units(db, users):
    data = "同一句话。\n同一句话。\n".encode()
    doc_id = store.create_document(db, users["staff"], "same.txt", data, targets=["en"])
    rows = store.segment_rows(db, doc_id, "en")
    assert [r["source_text"] for r in rows] == ["同一句话。", "同一句话。"]
    assert rows[0]["unit_id"] != rows[1]["unit_id"]


def test_only_staff_and_admin_upload(db, users):
    for name in ("translator", "reviewer", "officer"):
        with pytest.raises(PermissionDenied):
            store.create_document(db, users[name], "a.txt", "你好。".encode(), targets=["en"])


@pytest.mark.parametrize("name,data,message", [
    ("report.pdf", b"%PDF-1.4", "cannot be translated here"),
    ("report.doc", b"\xd0\xcf\x11\xe0", "save it as .docx"),
    ("fake.docx", b"not a zip", "not a real .docx"),
    ("empty.txt", b"", "empty"),
    ("numbers.txt", b"123\n456\n", "no text to translate"),
])
def test_unsupported_or_empty_files_are_refused_clearly(db, users, name, data, message):
    with pytest.raises(ValidationError) as caught:
        store.create_document(db, users["staff"], name, data, targets=["en"])
    assert message.lower() in str(caught.value).lower()


def test_size_limit(db, users):
    with pytest.raises(ValidationError) as caught:
        store.create_document(db, users["staff"], "big.txt", "好。".encode() * 400,
                              targets=["en"], settings={"MAX_DOCUMENT_BYTES": 1000})
    assert "1.0 KB" in str(caught.value) and "MAX_DOCUMENT_BYTES" in str(caught.value)


def test_target_must_differ_from_source(db, users):
    with pytest.raises(ValidationError):
        store.create_document(db, users["staff"], "a.txt", "你好。".encode(), targets=["zh"])


def test_unapproved_segments_are_never_exported_as_final(db, users, document_id):
    for fmt in ("docx", "txt"):
        with pytest.raises(ValidationError) as caught:
            export.export_document(db, users["staff"], document_id, fmt)
        assert "not approved" in str(caught.value)
    # One approved segment is not enough either.
    row = store.segment_rows(db, document_id, "en")[0]
    unit = workflow.save_translation(db, users["translator"], row["unit_id"],
                                     "Report on Hainan", row["version"])
    unit = workflow.submit(db, users["translator"], unit["id"], unit["version"])
    workflow.approve(db, users["reviewer"], unit["id"], unit["version"])
    with pytest.raises(ValidationError):
        export.export_document(db, users["staff"], document_id, "docx")
    draft = export.export_document(db, users["staff"], document_id, "docx", draft=True)
    assert draft.draft and ".DRAFT." in draft.file_name
    opened = docx.Document(io.BytesIO(draft.data))
    assert opened.paragraphs[0].text.startswith("DRAFT — NOT APPROVED")
    assert "DRAFT" in opened.core_properties.keywords
    assert any(p.text == "Report on Hainan" for p in opened.paragraphs)


def test_four_eyes_and_roles_on_segments(db, users, document_id):
    row = store.segment_rows(db, document_id, "en")[1]
    with pytest.raises(PermissionDenied):  # staff may manage documents but not translate
        workflow.save_translation(db, users["staff"], row["unit_id"], "x", row["version"])
    unit = workflow.save_translation(db, users["reviewer"], row["unit_id"],
                                     english(row["source_text"]), row["version"])
    unit = workflow.submit(db, users["reviewer"], unit["id"], unit["version"])
    with pytest.raises(PermissionDenied):  # the author cannot approve their own wording
        workflow.approve(db, users["reviewer"], unit["id"], unit["version"])
    with pytest.raises(PermissionDenied):  # a translator cannot approve at all
        workflow.approve(db, users["translator"], unit["id"], unit["version"])
    approved = workflow.approve(db, users["reviewer2"], unit["id"], unit["version"])
    assert approved["state"] == "approved"
    history = [v["action"] for v in db.query(
        "SELECT action FROM unit_versions WHERE unit_id = ? ORDER BY version", [unit["id"]])]
    assert history[-3:] == ["save", "submit", "approve"]


def test_segment_qa_uses_prose_profile_and_flags_lost_placeholders(db, users, document_id):
    row = next(r for r in store.segment_rows(db, document_id, "en") if "{1}" in r["source_text"])
    unit = workflow.save_translation(db, users["translator"], row["unit_id"],
                                     "In 2025, the province's GDP grew by 3.5%.", row["version"])
    findings = workflow.current_findings(db, unit)
    checks = {f["check_id"] for f in findings}
    assert "placeholders" in checks
    assert not any(f["check_id"] == "numbers" for f in findings)  # {1} is not a number
    unit = workflow.save_translation(db, users["translator"], row["unit_id"],
                                     "In 2025, the province's {1}GDP{/1} grew by 3.5%.",
                                     unit["version"])
    assert not [f for f in workflow.current_findings(db, unit) if f["check_id"] == "placeholders"]


def test_round_trip_after_approval_keeps_structure_and_formatting(db, users, document_id):
    approve_all(db, users, document_id)
    result = export.export_document(db, users["staff"], document_id, "docx")
    assert not result.draft and result.file_name == "report.en.docx"
    opened = docx.Document(io.BytesIO(result.data))
    texts = [p.text for p in opened.paragraphs]
    assert texts[0] == "Text"  # the heading, translated, still first
    assert opened.paragraphs[0].style.name == "Heading 1"
    assert [p.style.name for p in opened.paragraphs].count("List Number") == 2
    body = opened.paragraphs[1]
    bold = [r.text for r in body.runs if r.bold]
    italic = [r.text for r in body.runs if r.italic]
    assert bold == ["Text"] and italic == ["Text"]
    assert "3.5%" in body.text
    assert 'w:footnoteReference' in body._p.xml
    assert opened.tables[0].cell(1, 0).text == "Text"
    assert opened.tables[0].cell(1, 1).text == "3.5%"  # untranslatable cells stay as they were
    assert "w:hyperlink" in opened.paragraphs[5]._p.xml
    assert opened.sections[0].header.paragraphs[0].text == "Text"
    assert footer_has_page_field(result.data)
    # Approved segments entered the translation memory.
    assert memory.count(db, "zh", "en") >= len(store.segment_rows(db, document_id, "en"))


def test_tm_reuse_after_approval(db, users, document_id, job_settings):
    approve_all(db, users, document_id)
    other = store.create_document(db, users["staff"], "again.txt",
                                  "坚持改革开放，优化营商环境。\n全新的一句话没有人翻译过。\n".encode(),
                                  targets=["en"])
    run_id = drafting.start_draft(db, users["translator"], other, settings=job_settings,
                                  background=False)
    run = jobs.get_run(db, run_id)
    assert run["state"] == "done" and run["progress_total"] == 2
    rows = store.segment_rows(db, other, "en")
    assert rows[0]["state"] == "machine_draft"
    assert rows[0]["target_text"] == english("坚持改革开放，优化营商环境。")
    assert rows[0]["draft_engine"] == "memory"


def test_draft_job_finishes_and_reports_progress(db, users, document_id, job_settings):
    run_id = drafting.start_draft(db, users["translator"], document_id, target="en",
                                  settings=job_settings)
    run = jobs.get_run(db, run_id)
    assert run["state"] == "done" and run["kind"] == "documents.draft"
    assert run["progress_done"] == run["progress_total"] == store.count_segments(
        db, document_id, "en")
    assert run["percent"] == 100 and run["result"]["processed"] == run["progress_total"]
    assert drafting.latest_run(db, document_id)["id"] == run_id
    actions = [e["action"] for e in audit.history(db, "job", run_id)]
    assert actions[:3] == ["job.start", "job.run", "job.done"]


def test_draft_job_can_be_cancelled(db, users, document_id, job_settings, monkeypatch):
    from workbench.mt import pipeline

    monkeypatch.setattr(drafting, "BATCH", 2)
    real = pipeline.draft_texts

    def cancel_on_first_batch(*args, **kwargs):
        run = drafting.latest_run(db, document_id)
        if run["state"] == "running" and not run["cancel_requested"]:
            jobs.cancel(db, users["translator"], run["id"])
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "draft_texts", cancel_on_first_batch)
    with pytest.raises(WorkbenchError, match="was cancelled"):
        drafting.start_draft(db, users["translator"], document_id, settings=job_settings,
                             background=False)
    run = drafting.latest_run(db, document_id)
    run_id = run["id"]
    assert run["state"] == "cancelled"
    assert 0 < run["progress_done"] < run["progress_total"]  # the first batch was written
    actions = [e["action"] for e in audit.history(db, "job", run_id)]
    assert "job.cancel" in actions and "job.cancelled" in actions


def _queue_run(db, users, doc_id):
    """A drafting run recorded as queued, with no worker to run it yet."""
    from workbench.jobs import store as job_store

    return job_store.create_run(db, users["translator"], drafting.JOB_KIND,
                                drafting.draft_arguments(db, users["translator"], doc_id),
                                subject=("document", doc_id), exclusive=True)


def test_merge_and_split_segments(db, users):
    doc_id = store.create_document(db, users["staff"], "m.txt",
                                   "第一句话。第二句。第三句。\n".encode(),
                                   targets=["en"])
    rows = store.segment_rows(db, doc_id, "en")
    assert [r["source_text"] for r in rows] == ["第一句话。", "第二句。", "第三句。"]
    merged = store.merge_with_next(db, users["translator"], doc_id, rows[0]["segment_id"])
    rows = store.segment_rows(db, doc_id, "en")
    assert [r["source_text"] for r in rows] == ["第一句话。第二句。", "第三句。"]
    assert rows[0]["segment_id"] == merged
    with pytest.raises(ValidationError):  # the last segment of a paragraph has no next one
        store.merge_with_next(db, users["translator"], doc_id, rows[1]["segment_id"])
    store.split_segment(db, users["translator"], doc_id, merged, len("第一句话。"))
    rows = store.segment_rows(db, doc_id, "en")
    assert [r["source_text"] for r in rows] == ["第一句话。", "第二句。", "第三句。"]
    assert store.get_document(db, doc_id)["segment_count"] == 3
    actions = [e["action"] for e in audit.history(db, "document", doc_id)]
    assert actions.count("document.segment_merge") == 1
    assert actions.count("document.segment_split") == 1
    with pytest.raises(PermissionDenied):
        store.merge_with_next(db, users["staff"], doc_id, rows[0]["segment_id"])


def test_split_keeps_placeholders_balanced(db, users, document_id):
    row = next(r for r in store.segment_rows(db, document_id, "en")
               if r["source_text"].startswith("2025年"))
    text = row["source_text"]
    position = text.index("生产")
    store.split_segment(db, users["translator"], document_id, row["segment_id"], position)
    rows = [r["source_text"] for r in store.segment_rows(db, document_id, "en")]
    assert "2025年，全省{1}地区{/1}" in rows
    assert "{1}生产总值{/1}增长3.5%。" in rows


def test_stats_per_language_and_person(db, users, document_id):
    approve_all(db, users, document_id)
    found = store.stats(db, document_id)
    en, ru = found["languages"]["en"], found["languages"]["ru"]
    assert en["approved"] == en["segments"] and en["percent_approved"] == 100
    assert ru["approved"] == 0 and ru["states"]["new"] == ru["segments"]
    people = {p["user"]["username"]: p for p in found["people"]}
    assert people["translator"]["translated"] == en["segments"]
    assert people["reviewer"]["approved"] == en["segments"]
    assert people["translator"]["assigned"]


def test_term_candidates_skip_glossary_terms(db, users):
    text = ("推进数字政府建设，数字政府建设取得成效。数字政府建设要加快。"
            "海南自由贸易港政策落地。海南自由贸易港建设提速。")
    doc_id = store.create_document(db, users["staff"], "t.txt", text.encode(), targets=["en"])
    found = [c.text for c in terms.candidates(db, doc_id)]
    assert "数字政府建设" in found or "数字政府" in found
    assert "海南自由贸易港" not in found  # already a glossary concept
    proposal = terms.propose(db, users["translator"], doc_id, "数字政府", "digital government")
    assert proposal > 0


def test_a_run_left_by_a_dead_worker_is_taken_back_and_finished(db, users, document_id,
                                                                 job_settings):
    import socket
    import subprocess
    import sys

    from workbench.jobs import runner, store as job_store, workers

    run_id = _queue_run(db, users, document_id)
    with pytest.raises(Conflict):  # a second drafting while the first is queued: refused
        drafting.start_draft(db, users["translator"], document_id, settings=job_settings)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    job_store.claim(db, run_id, f"{socket.gethostname()}:{int(gone.stdout)}")
    assert workers.sweep(db, stale_seconds=60, max_attempts=3) == [run_id]
    run = jobs.get_run(db, run_id)
    assert run["state"] == "queued" and run["attempts"] == 1 and "stopped" in str(run["error"])
    assert runner.execute(job_settings, run_id, worker="test:1") == "done"
    assert jobs.get_run(db, run_id)["attempts"] == 2
    again = drafting.start_draft(db, users["translator"], document_id, settings=job_settings)
    assert jobs.get_run(db, again)["state"] == "done"


def test_editing_stays_possible_while_a_document_is_drafted(db, users, document_id, db_path,
                                                            job_settings, monkeypatch):
    """Drafts are computed outside any transaction: meanwhile a translator's save goes
    through at once, on a connection that would fail rather than wait for a lock."""
    from workbench.db import open_db
    from workbench.mt import pipeline

    real = pipeline.draft_texts
    row = store.segment_rows(db, document_id, "ru")[0]  # not touched by the job
    other = open_db(db_path)
    other.execute("PRAGMA busy_timeout = 0")
    saved = []

    def save_meanwhile(*args, **kwargs):  # while the job computes a batch of drafts
        if not saved:
            saved.append(workflow.save_translation(other, users["translator"], row["unit_id"],
                                                   "Отчёт", row["version"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(drafting, "BATCH", 3)
    monkeypatch.setattr(pipeline, "draft_texts", save_meanwhile)
    try:
        run_id = drafting.start_draft(db, users["translator"], document_id, target="en",
                                      settings=job_settings)
    finally:
        other.close()
    assert saved and saved[0]["target_text"] == "Отчёт"
    assert jobs.get_run(db, run_id)["state"] == "done"
