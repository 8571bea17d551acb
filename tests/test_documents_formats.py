"""Files in and out: DOCX reading, XLIFF 1.2/2.0 round trips, XLIFF 2.0 and TMX export,
plain text and Markdown."""
from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from lxml import etree
from translate.storage import tmx as tt_tmx
from translate.storage import xliff2 as tt_xliff2

from workbench.documents import export, store
from workbench.documents.docx import read_docx
from workbench.errors import ValidationError
from workbench.review import workflow
from tests.data.documents.sample_docx import build_sample_docx

DATA = Path(__file__).parent / "data" / "documents"
X12 = "{urn:oasis:names:tc:xliff:document:1.2}"
X20 = "{urn:oasis:names:tc:xliff:document:2.0}"


def translate_and_approve(db, users, unit_id, text):
    unit = workflow.get_unit(db, unit_id)
    unit = workflow.save_translation(db, users["translator"], unit_id, text, unit["version"])
    if unit["state"] == "translated":
        unit = workflow.submit(db, users["translator"], unit_id, unit["version"])
    return workflow.approve(db, users["reviewer"], unit_id, unit["version"])


def test_docx_reader_finds_every_structure():
    blocks = read_docx(build_sample_docx())
    by_kind = {}
    for block in blocks:
        by_kind.setdefault(block.kind, []).append(block)
    assert by_kind["heading"][0].text == "海南自由贸易港建设工作报告"
    assert [b.text for b in by_kind["list"]] == ["坚持改革开放，优化营商环境。",
                                                 "扩大高水平对外开放。"]
    assert [b.text for b in by_kind["cell"]][:3] == ["指标", "增长率", "进出口总额"]
    assert by_kind["header"][0].text == "海南省人民政府外事办公室"
    assert by_kind["footer"][0].text == "第{1/}页"
    assert by_kind["footer"][0].tags["1"]["label"] == "field"
    assert by_kind["footnote"][0].text.endswith("数据来源：海南省统计局。")
    intro = next(b for b in blocks if b.text.startswith("2025年"))
    assert intro.tags["1"]["label"] == "bold" and intro.tags["2"]["label"] == "italic"
    assert intro.tags["3"]["label"] == "footnote"
    link = next(b for b in blocks if b.text.startswith("详见"))
    assert link.text == "详见{1}海南省人民政府网站{/1}。" and "link" in link.tags["1"]["label"]


def test_formatting_of_a_leading_bold_run_is_restored_exactly():
    from workbench.documents.docx import write_translated_docx

    source = docx.Document()
    paragraph = source.add_paragraph()
    paragraph.add_run("海南").bold = True
    paragraph.add_run("建设取得新进展。")
    buffer = io.BytesIO()
    source.save(buffer)
    blocks = read_docx(buffer.getvalue())
    assert blocks[0].text == "{1}海南{/1}建设取得新进展。"
    out = write_translated_docx(buffer.getvalue(),
                                {blocks[0].locator: "{1}Hainan{/1} made new progress."})
    runs = docx.Document(io.BytesIO(out)).paragraphs[0].runs
    assert [(r.text, bool(r.bold)) for r in runs] == [("Hainan", True),
                                                      (" made new progress.", False)]


def test_a_placeholder_left_out_loses_only_its_formatting():
    from workbench.documents.docx import write_translated_docx

    data = build_sample_docx()
    blocks = read_docx(data)
    intro = next(b for b in blocks if b.text.startswith("2025年"))
    out = write_translated_docx(data, {intro.locator: "In 2025 the GDP grew by 3.5%."})
    paragraph = docx.Document(io.BytesIO(out)).paragraphs[1]
    assert paragraph.text == "In 2025 the GDP grew by 3.5%."
    assert not any(r.bold for r in paragraph.runs)


def test_xliff12_from_another_tool_imports_and_exports_back(db, users):
    data = (DATA / "other_tool_12.xlf").read_bytes()
    doc_id = store.create_document(db, users["staff"], "forum.xlf", data)
    document = store.get_document(db, doc_id)
    assert document["source_lang"] == "zh" and document["targets"] == ["en"]
    rows = store.segment_rows(db, doc_id, "en")
    assert [r["source_text"] for r in rows] == [
        "博鳌亚洲论坛{1}2026年年会{/1}开幕", "海南欢迎各国朋友{1/}共享发展机遇。", "第一句。",
        "第二句。"]
    # The other tool's translation came in as a translation to review.
    assert rows[0]["state"] == "translated"
    assert rows[0]["target_text"] == \
        "Opening of the {1}Boao Forum for Asia Annual Conference 2026{/1}"
    with pytest.raises(ValidationError):
        export.export_document(db, users["staff"], doc_id, "xliff")
    unit = workflow.submit(db, users["translator"], rows[0]["unit_id"], rows[0]["version"])
    workflow.approve(db, users["reviewer"], unit["id"], unit["version"])
    translate_and_approve(db, users, rows[1]["unit_id"],
                          "Hainan welcomes friends from all countries{1/} to share opportunities.")
    translate_and_approve(db, users, rows[2]["unit_id"], "First sentence.")
    translate_and_approve(db, users, rows[3]["unit_id"], "Second sentence.")
    result = export.export_document(db, users["staff"], doc_id, "xliff")
    root = etree.fromstring(result.data)
    assert root.get("version") == "1.2"
    units = {u.get("id"): u for u in root.iter(f"{X12}trans-unit")}
    # Everything the other tool wrote is still there.
    assert root.find(f".//{X12}tool").get("tool-name") == "Other CAT"
    assert units["u1"].find(f"{X12}note").text == "Title case in headings."
    assert units["u3"].find(f"{X12}target") is None
    target = units["u1"].find(f"{X12}target")
    assert target.get("state") == "final" and units["u1"].get("approved") == "yes"
    bold = target.find(f"{X12}g")
    assert bold.get("ctype") == "bold" and bold.text == "Boao Forum for Asia Annual Conference 2026"
    line_break = units["u2"].find(f"{X12}target").find(f"{X12}x")
    assert line_break is not None and line_break.get("ctype") == "lb"
    mrks = units["u4"].find(f"{X12}target").findall(f"{X12}mrk")
    assert [(m.get("mid"), m.text) for m in mrks] == [("1", "First sentence."),
                                                       ("2", "Second sentence.")]


def test_xliff20_imports_and_exports_back(db, users):
    data = (DATA / "other_tool_20.xlf").read_bytes()
    doc_id = store.create_document(db, users["staff"], "brochure.xlf", data)
    assert store.get_document(db, doc_id)["targets"] == ["ru"]
    rows = store.segment_rows(db, doc_id, "ru")
    assert [r["source_text"] for r in rows] == ["欢迎来到{1}海南{/1}。", "三亚是旅游城市。",
                                                "联系电话{1/}。"]
    translate_and_approve(db, users, rows[0]["unit_id"], "Добро пожаловать на {1}Хайнань{/1}.")
    draft = export.export_document(db, users["staff"], doc_id, "xliff", draft=True)
    assert draft.draft and ".DRAFT." in draft.file_name
    root = etree.fromstring(draft.data)
    segments = list(root.iter(f"{X20}segment"))
    assert segments[0].get("state") == "final"
    pc = segments[0].find(f"{X20}target").find(f"{X20}pc")
    assert pc.get("id") == "p1" and pc.text == "Хайнань"
    assert segments[1].find(f"{X20}target").text == "Санья — туристический город."
    assert root.find(f".//{X20}note").text == "keep this note"


def test_xliff20_and_tmx_export_of_a_docx_document(db, users):
    doc_id = store.create_document(db, users["staff"], "report.docx", build_sample_docx(),
                                   targets=["en", "ru"])
    rows = store.segment_rows(db, doc_id, "en")
    intro = next(r for r in rows
                 if "{1}" in r["source_text"] and r["source_text"].startswith("2025"))
    translate_and_approve(db, users, intro["unit_id"],
                          "In 2025, the province's {1}GDP{/1} grew by 3.5%.")
    result = export.export_document(db, users["staff"], doc_id, "xliff")
    assert result.file_name.endswith(".en.xlf")
    # A well-kept library reads it.
    store_20 = tt_xliff2.Xliff2File.parsestring(result.data)
    assert len(store_20.units) == len(rows)
    root = etree.fromstring(result.data)
    assert root.get("srcLang") == "zh" and root.get("trgLang") == "en"
    unit = root.find(f".//{X20}unit[@id='s{intro['segment_id']}']")
    segment = unit.find(f"{X20}segment")
    assert segment.get("state") == "final"
    assert segment.find(f"{X20}target/{X20}pc").text == "GDP"
    assert segment.find(f"{X20}target/{X20}pc").get("disp") == "bold"
    tmx = export.export_document(db, users["staff"], doc_id, "tmx")
    parsed = tt_tmx.tmxfile.parsestring(tmx.data)
    assert len(parsed.units) == 1  # only approved segments go into a memory
    assert "GDP" in parsed.units[0].target


def test_plain_text_round_trip(db, users):
    text = "海南省外事办公室\n\n  第一句。第二句。\n\n12345\n"
    doc_id = store.create_document(db, users["staff"], "notice.txt", text.encode("utf-8"),
                                   targets=["en"])
    rows = store.segment_rows(db, doc_id, "en")
    assert [r["source_text"] for r in rows] == ["海南省外事办公室", "第一句。", "第二句。"]
    for row, english in zip(rows, ["Foreign Affairs Office", "First.", "Second."], strict=True):
        translate_and_approve(db, users, row["unit_id"], english)
    result = export.export_document(db, users["staff"], doc_id, "txt")
    assert result.data.decode("utf-8") == \
        "Foreign Affairs Office\n\n  First. Second.\n\n12345\n"


def test_gbk_text_is_decoded(db, users):
    text = "海南自由贸易港建设取得明显成效，各项政策逐步落地。\n优化营商环境是重要任务。\n"
    doc_id = store.create_document(db, users["staff"], "gbk.txt", text.encode("gb18030"),
                                   targets=["en"])
    assert store.segment_rows(db, doc_id, "en")[0]["source_text"].startswith("海南自由贸易港")


def test_markdown_round_trip(db, users):
    source = ("# 海南**自贸港**简介\n\n海南是中国最大的经济特区。详见[官网](https://www.hainan.gov.cn)。\n\n"
              "- 第一项\n- 第二项\n\n| 城市 | 人口 |\n|---|---|\n| 海口 | 290万 |\n\n"
              "```\n代码不翻译\n```\n")
    doc_id = store.create_document(db, users["staff"], "intro.md", source.encode(), targets=["en"])
    rows = store.segment_rows(db, doc_id, "en")
    assert [r["source_text"] for r in rows] == [
        "海南{1}自贸港{/1}简介", "海南是中国最大的经济特区。", "详见{1}官网{/1}。", "第一项",
        "第二项", "城市", "人口", "海口", "290万"]
    english = ["About the Hainan {1}FTP{/1}", "Hainan is China's largest SEZ.",
               "See the {1}website{/1}.", "Item one", "Item two", "City", "Population", "Haikou",
               "2.9 million"]
    for row, text in zip(rows, english, strict=True):
        translate_and_approve(db, users, row["unit_id"], text)
    result = export.export_document(db, users["staff"], doc_id, "txt")
    assert result.file_name.endswith(".md")
    assert result.data.decode() == (
        "# About the Hainan **FTP**\n\nHainan is China's largest SEZ. See the "
        "[website](https://www.hainan.gov.cn).\n\n- Item one\n- Item two\n\n"
        "| City | Population |\n|---|---|\n| Haikou | 2.9 million |\n\n```\n代码不翻译\n```\n")


def test_bilingual_docx_is_a_two_column_table(db, users):
    doc_id = store.create_document(db, users["staff"], "report.docx", build_sample_docx(),
                                   targets=["en"])
    rows = store.segment_rows(db, doc_id, "en")
    translate_and_approve(db, users, rows[0]["unit_id"], "Report on Hainan FTP")
    result = export.export_document(db, users["staff"], doc_id, "bilingual-docx")
    opened = docx.Document(io.BytesIO(result.data))
    table = opened.tables[0]
    assert len(table.columns) == 2
    assert len(table.rows) == len(rows) + 1
    assert table.cell(1, 0).text == "海南自由贸易港建设工作报告"
    assert table.cell(1, 1).text == "Report on Hainan FTP"
    assert "[new]" in table.cell(2, 1).text  # unapproved rows are marked
    assert any("DRAFT" in p.text for p in opened.paragraphs)


def test_broken_files_give_a_message(db, users):
    with pytest.raises(ValidationError) as caught:
        store.create_document(db, users["staff"], "x.xlf", b"<xliff version='1.2'><file>",
                              targets=["en"])
    assert "not well-formed" in str(caught.value)
    with pytest.raises(ValidationError):
        store.create_document(db, users["staff"], "x.docx", b"PK\x03\x04broken", targets=["en"])


BILINGUAL_12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="speech.txt" source-language="zh" target-language="en" datatype="plaintext"><body>
    <trans-unit id="p1"><source>海南欢迎您。我们共享机遇！</source>
      <target>Hainan welcomes you. We share opportunities!</target></trans-unit>
    <trans-unit id="p2"><source>第一句。第二句。第三句。</source>
      <target>Only one English sentence here.</target></trans-unit>
    <trans-unit id="p3"><source>未翻译的第一句。未翻译的第二句。</source></trans-unit>
  </body></file></xliff>"""


def test_bilingual_units_are_split_with_source_and_target_rules(db, users):
    doc_id = store.create_document(db, users["staff"], "speech.xlf", BILINGUAL_12.encode())
    rows = store.segment_rows(db, doc_id, "en")
    assert [(r["source_text"], r["target_text"]) for r in rows] == [
        ("海南欢迎您。", "Hainan welcomes you."),
        ("我们共享机遇！", "We share opportunities!"),
        # The translation does not split the same way: the unit stays whole.
        ("第一句。第二句。第三句。", "Only one English sentence here."),
        ("未翻译的第一句。", None), ("未翻译的第二句。", None)]
    for row in rows:
        text = row["target_text"] or f"Untranslated sentence {row['number']}."
        translate_and_approve(db, users, row["unit_id"], text)
    result = export.export_document(db, users["staff"], doc_id, "xliff")
    units = {u.get("id"): u for u in etree.fromstring(result.data).iter(f"{X12}trans-unit")}
    assert units["p1"].find(f"{X12}target").text == "Hainan welcomes you. We share opportunities!"
    assert units["p3"].find(f"{X12}target").text == \
        "Untranslated sentence 4. Untranslated sentence 5."
    assert units["p3"].find(f"{X12}target").get("state") == "final"


def test_text_box_paragraphs_are_translated_inside_their_box():
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from workbench.documents.docx import write_translated_docx

    source = docx.Document()
    holder = source.add_paragraph("图表说明：")
    holder._p.append(parse_xml(
        f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape>'
        f'<v:textbox><w:txbxContent><w:p><w:r><w:t>文本框中的文字。</w:t></w:r></w:p>'
        f'</w:txbxContent></v:textbox></v:shape></w:pict></w:r>'))
    buffer = io.BytesIO()
    source.save(buffer)
    blocks = read_docx(buffer.getvalue())
    assert [b.text for b in blocks] == ["图表说明：{1/}", "文本框中的文字。"]
    out = write_translated_docx(buffer.getvalue(), {blocks[0].locator: "Chart notes: {1/}",
                                                    blocks[1].locator: "Text in the box."})
    xml = docx.Document(io.BytesIO(out)).paragraphs[0]._p.xml
    assert "Chart notes: " in xml and "Text in the box." in xml and "文本框" not in xml
