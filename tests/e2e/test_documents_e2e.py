"""A document from upload to delivery in a real browser: staff upload a DOCX, a translator
translates and sends to review, a second person (a reviewer) approves, staff download the
translated DOCX, and python-docx finds the approved wording with its bold run."""
from __future__ import annotations

import io

import docx
import pytest

from tests.support.browser import settle, sign_in

pytestmark = pytest.mark.e2e

TRANSLATIONS = {
    "建设取得新进展": "Construction of the {1}Hainan Free Trade Port{/1} made new progress.",
    "各项政策": "All policies have taken effect.",
}


def _source_docx(path) -> None:
    document = docx.Document()
    document.add_heading("工作简报", level=1)
    paragraph = document.add_paragraph()
    paragraph.add_run("海南自由贸易港").bold = True
    paragraph.add_run("建设取得新进展。各项政策落地见效。")
    document.save(path)


def test_upload_translate_approve_download(live_server, new_page, artifacts_dir, tmp_path):
    source = tmp_path / "briefing.docx"
    _source_docx(source)

    staff = new_page("en-US")
    sign_in(staff, live_server, "staff")
    staff.goto(f"{live_server}/documents/")
    staff.screenshot(path=str(artifacts_dir / "documents-index.png"), full_page=True)
    staff.set_input_files("input[name=file]", str(source))
    staff.fill("input[name=title]", "Work briefing")
    staff.get_by_label("Translator (translator)").check()
    with staff.expect_navigation():
        staff.click("#upload-form button[type=submit]")
    settle(staff)
    assert "Work briefing" in staff.locator("h1").inner_text()
    assert staff.locator("#segments tbody tr").count() == 3
    assert "Translator" in staff.content()  # assigned at upload
    document_url = staff.url.split("?")[0]
    staff.screenshot(path=str(artifacts_dir / "documents-dashboard.png"), full_page=True)

    # The translator works through the segments with the editor.
    translator = new_page("en-US")
    sign_in(translator, live_server, "translator")
    translator.goto(document_url)
    translator.click("#segments tbody tr:nth-child(1) a")
    for _ in range(3):
        source_text = translator.locator("#source-text").inner_text()
        wording = next((text for key, text in TRANSLATIONS.items() if key in source_text),
                       "Work Briefing")
        translator.fill("#editor", wording)
        if "{1}" in wording:
            # The live check is quiet once the placeholder pair is back.
            settle(translator)  # its debounce timer and its fetch
            assert "placeholder" not in translator.locator("#live-findings").inner_text()
            translator.screenshot(path=str(artifacts_dir / "documents-editor.png"),
                                  full_page=True)
        with translator.expect_navigation():
            translator.click("#save-submit")
        settle(translator)
        assert "Saved and sent to review" in translator.content()

    # A reviewer (not the author: four-eyes) approves each segment.
    reviewer = new_page("en-US")
    sign_in(reviewer, live_server, "reviewer")
    reviewer.goto(document_url + "?state=in_review")
    reviewer.click("#segments tbody tr:nth-child(1) a")
    for _ in range(3):
        with reviewer.expect_navigation():
            reviewer.click("#approve-button")
        settle(reviewer)
        assert "Approved" in reviewer.content()
        if reviewer.locator("#approve-button").count() == 0:
            break
    reviewer.goto(document_url)
    assert "100%" in reviewer.locator("#progress").inner_text()

    # The same dashboard in Chinese, as the office uses it.
    chinese = new_page("zh-CN")
    sign_in(chinese, live_server, "reviewer2")
    chinese.goto(document_url)
    assert "进度" in chinese.content() and "已批准字数" in chinese.content()
    chinese.screenshot(path=str(artifacts_dir / "documents-dashboard-zh.png"), full_page=True)

    # Staff download the translated DOCX: final, since every segment is approved.
    staff.goto(document_url)
    staff.select_option("#export-form select[name=format]", "docx")
    with staff.expect_download() as download_info:
        staff.click("#export-button")
    download = download_info.value
    assert download.suggested_filename == "briefing.en.docx"
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    staff.screenshot(path=str(artifacts_dir / "documents-exported.png"), full_page=True)

    result = docx.Document(io.BytesIO(target.read_bytes()))
    texts = [p.text for p in result.paragraphs]
    assert texts[0] == "Work Briefing"
    assert texts[1] == ("Construction of the Hainan Free Trade Port made new progress. "
                        "All policies have taken effect.")
    assert [r.text for r in result.paragraphs[1].runs if r.bold] == ["Hainan Free Trade Port"]
    assert result.paragraphs[0].style.name == "Heading 1"
