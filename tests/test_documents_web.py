"""The document pages: permissions per role, upload checks, editor actions, exports, CLI."""
from __future__ import annotations

import io
import re

import docx
import pytest

from workbench.documents import drafting, store
from workbench.review import workflow
from tests.data.documents.sample_docx import build_sample_docx


def upload(client, name="report.docx", data=None, **fields):
    form = {"file": (io.BytesIO(build_sample_docx() if data is None else data), name),
            "targets": fields.pop("targets", ["en"]), "domain": "policy"}
    form.update(fields)
    return client.post("/documents/upload", data=form, content_type="multipart/form-data")


@pytest.fixture
def doc_id(db, users):
    return store.create_document(db, users["staff"], "report.docx", build_sample_docx(),
                                 targets=["en"], assignees=[users["translator"].id])


@pytest.mark.parametrize("name,status", [("admin", 200), ("staff", 200), ("reviewer", 200),
                                         ("translator", 200), ("officer", 403)])
def test_who_sees_documents(login, name, status, doc_id):
    client = login(name)
    assert client.get("/documents/").status_code == status
    assert client.get(f"/documents/{doc_id}").status_code == status


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/documents/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("name,status", [("translator", 403), ("reviewer", 403),
                                         ("officer", 403)])
def test_only_staff_upload(login, name, status):
    assert upload(login(name)).status_code == status


def test_staff_uploads_and_sees_the_dashboard(staff_client, db, users):
    response = upload(staff_client, targets=["en", "ru"], due_date="2026-12-31",
                      assignees=[str(users["translator"].id)])
    assert response.status_code == 302
    doc_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    document = store.get_document(db, doc_id)
    assert document["targets"] == ["en", "ru"] and document["due_date"] == "2026-12-31"
    page = staff_client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "海南自由贸易港建设工作报告" in page
    assert 'id="progress"' in page and 'id="export-form"' in page


def test_upload_refuses_other_types_with_a_message(staff_client):
    response = upload(staff_client, "scan.pdf", b"%PDF-1.4 whatever")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "cannot be translated here" in text and "Convert the PDF" in text


def test_upload_size_limit(app, login):
    app.config["MAX_DOCUMENT_BYTES"] = 2000
    response = upload(login("staff"), "big.txt", "长句子。".encode() * 1000)
    assert response.status_code == 400
    assert "at most" in response.get_data(as_text=True)


def _first_segment(db, doc_id):
    return store.segment_rows(db, doc_id, "en")[0]


def test_translator_saves_and_submits_reviewer_approves(login, db, doc_id):
    row = _first_segment(db, doc_id)
    translator = login("translator")
    page = translator.get(f"/documents/{doc_id}/segments/{row['segment_id']}")
    assert page.status_code == 200 and 'id="editor"' in page.get_data(as_text=True)
    response = translator.post(f"/documents/{doc_id}/segments/{row['segment_id']}/save",
                               data={"text": "Report on the Hainan Free Trade Port",
                                     "version": row["version"], "submit_for_review": "1"})
    assert response.status_code == 302
    unit = workflow.get_unit(db, row["unit_id"])
    assert unit["state"] == "in_review" and unit["author_name"] == "translator"
    # The translator cannot approve; staff cannot approve either.
    for name in ("translator", "staff"):
        refused = login(name).post(f"/documents/{doc_id}/segments/{row['segment_id']}/approve",
                                   data={"version": unit["version"]})
        assert refused.status_code == 403
    reviewer = login("reviewer")
    page = reviewer.get(f"/documents/{doc_id}/segments/{row['segment_id']}").get_data(
        as_text=True)
    assert 'id="approve-button"' in page
    response = reviewer.post(f"/documents/{doc_id}/segments/{row['segment_id']}/approve",
                             data={"version": unit["version"]})
    assert response.status_code == 302
    assert workflow.get_unit(db, row["unit_id"])["state"] == "approved"


def test_stale_version_is_a_conflict_not_an_overwrite(login, db, doc_id):
    row = _first_segment(db, doc_id)
    translator = login("translator")
    translator.post(f"/documents/{doc_id}/segments/{row['segment_id']}/save",
                    data={"text": "First wording", "version": row["version"]})
    response = translator.post(f"/documents/{doc_id}/segments/{row['segment_id']}/save",
                               data={"text": "Second wording", "version": row["version"]})
    assert response.status_code == 409
    assert workflow.get_unit(db, row["unit_id"])["target_text"] == "First wording"


def test_segment_page_shows_memory_diff_terms_and_findings(login, db, users, doc_id):
    from workbench.mt import memory

    memory.add_entry(db, users["admin"], "坚持改革开放，优化营商环境和服务。",
                     "Keep reforming and opening up and improve services.", "zh", "en")
    row = next(r for r in store.segment_rows(db, doc_id, "en")
               if r["source_text"] == "坚持改革开放，优化营商环境。")
    page = login("translator").get(f"/documents/{doc_id}/segments/{row['segment_id']}")
    text = page.get_data(as_text=True)
    assert "fuzzy match" in text and "<del>" in text  # the memory source differs: shown
    assert "Keep reforming and opening up" in text
    assert "improve the business environment" in text  # from the policy glossary
    assert "reform and opening up" in text
    drafts = login("translator").get(
        f"/documents/{doc_id}/segments/{row['segment_id']}/drafts").get_data(as_text=True)
    assert "draft-card" in drafts


def test_live_check_flags_missing_placeholders(login, db, doc_id):
    row = next(r for r in store.segment_rows(db, doc_id, "en") if "{1}" in r["source_text"])
    response = login("translator").post(
        f"/documents/{doc_id}/segments/{row['segment_id']}/check",
        data={"text": "In 2025 the province's GDP grew by 3.5%."})
    assert any(f["check"] == "placeholders" for f in response.get_json())


def test_export_permissions_and_final_rule(login, db, doc_id):
    assert login("translator").get(f"/documents/{doc_id}/export?format=docx").status_code == 403
    staff = login("staff")
    refused = staff.get(f"/documents/{doc_id}/export?format=docx")
    assert refused.status_code == 302  # back to the dashboard with the reason
    page = staff.get(refused.headers["Location"]).get_data(as_text=True)
    assert "not approved" in page
    draft = staff.get(f"/documents/{doc_id}/export?format=docx&draft=1")
    assert draft.status_code == 200
    assert "DRAFT" in draft.headers["Content-Disposition"]
    assert docx.Document(io.BytesIO(draft.data)).paragraphs[0].text.startswith("DRAFT")
    bilingual = staff.get(f"/documents/{doc_id}/export?format=bilingual-docx")
    assert bilingual.status_code == 200
    assert len(docx.Document(io.BytesIO(bilingual.data)).tables[0].columns) == 2


def test_draft_job_progress_and_cancel_buttons(login, db, users, doc_id):
    from workbench.jobs import store as job_store

    translator = login("translator")
    response = translator.post(f"/documents/{doc_id}/draft", data={"lang": "en"})
    assert response.status_code == 302
    run = drafting.latest_run(db, doc_id)
    status = translator.get(f"/jobs/{run['id']}/status").get_json()
    assert status["total"] == store.count_segments(db, doc_id, "en")
    assert status["state"] == "done" and not status["active"]
    page = translator.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert f'data-job-id="{run["id"]}"' in page and "jobs.js" in page
    # Cancelling a finished job is refused with a message, nothing changes.
    assert translator.post(f"/jobs/{run['id']}/cancel").status_code == 302
    assert drafting.latest_run(db, doc_id)["state"] == "done"
    assert login("officer").post(f"/documents/{doc_id}/draft").status_code == 403
    # A queued run: the page polls it and offers its starter the cancel button.
    queued = job_store.create_run(db, users["translator"], drafting.JOB_KIND,
                                  {"document_id": doc_id, "targets": ["ru"]},
                                  subject=("document", doc_id), exclusive=True)
    page = translator.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert 'data-job-active="1"' in page and 'class="inline job-cancel" >' in page
    # Another translator sees the run but may not cancel it; the page does not offer it.
    reviewer_page = login("reviewer").get(f"/documents/{doc_id}").get_data(as_text=True)
    assert f'data-job-id="{queued}"' in reviewer_page and "job-cancel" not in reviewer_page
    assert login("reviewer").post(f"/jobs/{queued}/cancel").status_code == 403
    response = translator.post(f"/jobs/{queued}/cancel",
                               data={"next": f"/documents/{doc_id}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/documents/{doc_id}"
    assert job_store.get_run(db, queued)["state"] == "cancelled"


def test_merge_and_split_from_the_editor(login, db, doc_id):
    rows = store.segment_rows(db, doc_id, "en")
    first = next(r for r in rows if r["source_text"].startswith("2025年"))
    translator = login("translator")
    response = translator.post(f"/documents/{doc_id}/segments/{first['segment_id']}/merge")
    assert response.status_code == 302
    merged = [r["source_text"] for r in store.segment_rows(db, doc_id, "en")]
    assert "2025年，全省{1}地区生产总值{/1}增长3.5%。各项工作取得{2}新进展{/2}。{3/}" in merged
    merged_id = int(re.search(r"/segments/(\d+)", response.headers["Location"]).group(1))
    response = translator.post(f"/documents/{doc_id}/segments/{merged_id}/split",
                               data={"position": "abc"})
    assert response.status_code == 302
    assert len(store.segment_rows(db, doc_id, "en")) == len(rows) - 1
    assert login("staff").post(f"/documents/{doc_id}/segments/{merged_id}/merge").status_code \
        == 403


def test_terms_page_and_proposal(login, db, users):
    text = "推进数字政府建设。数字政府建设成效明显。数字政府建设要加快。"
    doc_id = store.create_document(db, users["staff"], "t.txt", text.encode(), targets=["en"])
    translator = login("translator")
    page = translator.get(f"/documents/{doc_id}/terms").get_data(as_text=True)
    assert "数字政府" in page
    response = translator.post(f"/documents/{doc_id}/terms/propose",
                               data={"source": "数字政府", "target": "digital government"})
    assert response.status_code == 302
    assert db["glossary_proposals"].count == 1
    assert login("reviewer").post(f"/documents/{doc_id}/terms/propose",
                                  data={"source": "数字政府"}).status_code == 403


def test_rules_page_is_for_staff(login):
    assert login("translator").get("/documents/rules").status_code == 403
    staff = login("staff")
    assert "segmentation" in staff.get("/documents/rules").get_data(as_text=True).lower()
    bad = staff.post("/documents/rules", data={"rules": "zh\tbreak\t[。\t."})
    assert bad.status_code == 400
    good = staff.post("/documents/rules", data={"rules": "zh\tbreak\t[。！？]\t.\n"})
    assert good.status_code == 302


def test_forms_need_csrf(csrf_app, db, users, doc_id):
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(users["translator"].id)
        session["_fresh"] = True
    row = _first_segment(db, doc_id)
    response = client.post(f"/documents/{doc_id}/segments/{row['segment_id']}/save",
                           data={"text": "x", "version": row["version"]})
    assert response.status_code == 400
    assert workflow.get_unit(db, row["unit_id"])["target_text"] is None


def test_cli_add_draft_stats_export(run_cli, tmp_path):
    source = tmp_path / "report.docx"
    source.write_bytes(build_sample_docx())
    result = run_cli("doc", "add", source, "--target", "en", "--target", "ru",
                     "--domain", "policy", "--due", "2026-12-31")
    assert result.exit_code == 0, result.stderr
    doc_id = int(re.search(r"Document (\d+)", result.stdout).group(1))
    result = run_cli("doc", "draft", doc_id, "--engine", "rules")
    assert result.exit_code == 0, result.stderr
    assert "done" in result.stdout
    result = run_cli("doc", "stats", doc_id)
    assert result.exit_code == 0 and "en:" in result.stdout and "ru:" in result.stdout
    out = tmp_path / "out.docx"
    result = run_cli("doc", "export", doc_id, "--format", "docx", "-o", out)
    assert result.exit_code == 1 and "not approved" in result.stderr
    assert not out.exists()
    result = run_cli("doc", "export", doc_id, "--format", "docx", "-o", out, "--draft")
    assert result.exit_code == 0 and out.exists()
    for fmt, name in (("bilingual-docx", "b.docx"), ("xliff", "d.xlf"), ("tmx", "d.tmx")):
        result = run_cli("doc", "export", doc_id, "--format", fmt, "-o", tmp_path / name)
        assert result.exit_code == 0, result.stderr
    result = run_cli("doc", "add", tmp_path / "missing.pdf")
    assert result.exit_code != 0
    bad = tmp_path / "old.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0")
    result = run_cli("doc", "add", bad)
    assert result.exit_code == 1 and "docx" in result.stderr


def test_staff_delete_a_document_with_its_units(login, db, doc_id):
    unit_ids = [r["unit_id"] for r in store.segment_rows(db, doc_id, "en")]
    assert login("translator").post(f"/documents/{doc_id}/delete").status_code == 403
    response = login("staff").post(f"/documents/{doc_id}/delete")
    assert response.status_code == 302
    assert login("staff").get(f"/documents/{doc_id}").status_code == 404
    assert not db.execute(f"SELECT count(*) FROM translation_units WHERE id IN "
                          f"({','.join('?' * len(unit_ids))})", unit_ids).fetchone()[0]


def test_settings_change_assignees_and_due_date(login, db, users, doc_id):
    response = login("staff").post(f"/documents/{doc_id}/settings", data={
        "title": "Renamed", "due_date": "2027-01-15", "status": "open", "domain": "policy",
        "assignees": [str(users["reviewer"].id)]})
    assert response.status_code == 302
    document = store.get_document(db, doc_id)
    assert document["title"] == "Renamed" and document["due_date"] == "2027-01-15"
    assert [a["username"] for a in document["assignees"]] == ["reviewer"]
    bad = login("staff").post(f"/documents/{doc_id}/settings", data={
        "title": "x", "assignees": [str(users["officer"].id)]})
    assert bad.status_code == 302
    assert [a["username"] for a in store.get_document(db, doc_id)["assignees"]] == ["reviewer"]


def test_home_page_lists_assigned_documents(login, doc_id):
    page = login("translator").get("/").get_data(as_text=True)
    assert "segments not approved yet" in page


def test_segments_also_work_on_the_review_screen(login, db, doc_id):
    row = next(r for r in store.segment_rows(db, doc_id, "en") if "{1}" in r["source_text"])
    translator = login("translator")
    translator.post(f"/documents/{doc_id}/segments/{row['segment_id']}/save",
                    data={"text": "In 2025 the province's GDP grew by 3.5%.",
                          "version": row["version"]})
    page = login("reviewer").get(f"/review/units/{row['unit_id']}")
    assert page.status_code == 200
    # The review screen shows the segment's QA with the placeholder finding (prose profile).
    assert "placeholder" in page.get_data(as_text=True).lower()
