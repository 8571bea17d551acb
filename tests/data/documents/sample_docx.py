"""Builds small DOCX files for the document tests (headings, lists, a table, bold and
italic runs, a hyperlink, a header, a footer with a page field, a footnote)."""
from __future__ import annotations

import io

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

FOOTNOTES_XML = (
    '<w:footnotes %s>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
    '</w:r></w:p></w:footnote>'
    '<w:footnote w:id="1"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
    '<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> 数据来源：海南省统计局。</w:t>'
    '</w:r></w:p>'
    '</w:footnote></w:footnotes>' % nsdecls("w"))


def _hyperlink(paragraph, url: str, text: str) -> None:
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = parse_xml(
        f'<w:hyperlink {nsdecls("w", "r")} r:id="{r_id}"><w:r><w:rPr>'
        f'<w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr><w:t>{text}</w:t></w:r>'
        f'</w:hyperlink>')
    paragraph._p.append(link)


def _footnote_reference(paragraph) -> None:
    paragraph._p.append(parse_xml(
        f'<w:r {nsdecls("w")}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
        f'<w:footnoteReference w:id="1"/></w:r>'))


def _page_field(paragraph) -> None:
    for xml in ('<w:r %s><w:fldChar w:fldCharType="begin"/></w:r>',
                '<w:r %s><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
                '<w:r %s><w:fldChar w:fldCharType="separate"/></w:r>',
                '<w:r %s><w:t>1</w:t></w:r>',
                '<w:r %s><w:fldChar w:fldCharType="end"/></w:r>'):
        paragraph._p.append(parse_xml(xml % nsdecls("w")))


def build_sample_docx() -> bytes:
    """A short Chinese policy report exercising every structure the reader handles."""
    document = docx.Document()
    document.add_heading("海南自由贸易港建设工作报告", level=1)
    intro = document.add_paragraph("2025年，全省")
    intro.add_run("地区生产总值").bold = True
    intro.add_run("增长3.5%。各项工作取得")
    intro.add_run("新进展").italic = True
    intro.add_run("。")
    _footnote_reference(intro)
    document.add_heading("一、主要工作", level=2)
    document.add_paragraph("坚持改革开放，优化营商环境。", style="List Number")
    document.add_paragraph("扩大高水平对外开放。", style="List Number")
    linked = document.add_paragraph("详见")
    _hyperlink(linked, "https://www.hainan.gov.cn/", "海南省人民政府网站")
    linked.add_run("。")
    table = document.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    table.cell(0, 0).text = "指标"
    table.cell(0, 1).text = "增长率"
    table.cell(1, 0).text = "进出口总额"
    table.cell(1, 1).text = "3.5%"
    document.add_paragraph("《海南自由贸易港建设总体方案》全面实施。")
    section = document.sections[0]
    section.header.paragraphs[0].text = "海南省人民政府外事办公室"
    footer = section.footer.paragraphs[0]
    footer.add_run("第")
    _page_field(footer)
    footer.add_run("页")
    # A footnotes part, which python-docx cannot create itself.
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                FOOTNOTES_XML.encode("utf-8"), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def footer_has_page_field(data: bytes) -> bool:
    """Whether the first footer still holds a PAGE field."""
    document = docx.Document(io.BytesIO(data))
    xml = document.sections[0].footer._element.xml
    return "PAGE" in xml and qn("w:fldChar") in "".join(
        e.tag for e in document.sections[0].footer._element.iter())
