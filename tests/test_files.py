"""workbench/files: bounded ZIP members, XML guard, decoding, spreadsheets, formula guard."""
from __future__ import annotations

import codecs
import dataclasses
import io
import zipfile

import openpyxl
import pytest

from tests.support import crafted
from workbench.config import DEFAULTS
from workbench.errors import ValidationError
from workbench.files import decoding, formulas
from workbench.files.limits import LimitExceeded, UploadLimits
from workbench.files.packages import check_package
from workbench.files.spreadsheets import cell_reference, read_sheet
from workbench.files.xmlguard import check_xml, parse_xml
from workbench.files.zipfiles import open_zip
from workbench.messages import msg

LIMITS = UploadLimits()


def test_default_limits_are_the_settings_defaults():
    for item in dataclasses.fields(UploadLimits):
        assert getattr(LIMITS, item.name) == DEFAULTS[item.name.upper()], item.name
    assert UploadLimits.from_settings({"IMPORT_MAX_ROWS": "7"}).import_max_rows == 7


# --- ZIP -----------------------------------------------------------------------------------

def test_zip_members_are_read_in_chunks_and_checked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", "你好" * 1000)
        archive.writestr("b.bin", bytes(range(256)) * 10)
    bounded = open_zip(out.getvalue(), LIMITS)
    assert bounded.read("a.txt").decode() == "你好" * 1000
    assert len(b"".join(bounded.chunks("b.bin", chunk_size=100))) == 2560


@pytest.mark.parametrize("declared", [10, 5000])
@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_a_member_lying_about_its_size_is_refused(declared, compression):
    data = crafted.lying_zip("photo.jpg", b"x" * 1000, declared, compression)
    with pytest.raises(ValidationError, match="does not match the sizes"):
        open_zip(data, LIMITS).read("photo.jpg")


def test_a_zip_bomb_is_refused_by_its_ratio_before_inflating():
    with pytest.raises(LimitExceeded) as caught:
        open_zip(crafted.zip_bomb(size=8 * 1024 * 1024), LIMITS)
    assert caught.value.setting == "ZIP_MAX_RATIO"


def test_member_count_and_total_size_limits():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for index in range(5):
            archive.writestr(f"{index}.txt", "x" * 100)
    with pytest.raises(LimitExceeded, match="ZIP_MAX_MEMBERS"):
        open_zip(out.getvalue(), dataclasses.replace(LIMITS, zip_max_members=4))
    with pytest.raises(LimitExceeded, match="ZIP_MAX_UNCOMPRESSED_BYTES"):
        open_zip(out.getvalue(), dataclasses.replace(LIMITS, zip_max_uncompressed_bytes=499))


def test_not_a_zip_is_a_message():
    with pytest.raises(ValidationError, match="not a ZIP"):
        open_zip(b"PK\x03\x04 not really", LIMITS)


# --- XML -----------------------------------------------------------------------------------

def test_entity_declarations_are_refused():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>')
    with pytest.raises(ValidationError, match="entity"):
        parse_xml(laughs, LIMITS, msg("the file"))
    external = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(ValidationError, match="entity"):
        parse_xml(external, LIMITS, msg("the file"))


def test_elements_are_counted_in_chunks():
    chunks = [b"<a>", b"<b/>" * 10, b"<", b"c/></a>"]
    assert check_xml(chunks, LIMITS, msg("the file")) == 12
    with pytest.raises(LimitExceeded, match="XML_MAX_ELEMENTS"):
        check_xml(b"<a>" + b"<b/>" * 20 + b"</a>", dataclasses.replace(LIMITS, xml_max_elements=10),
                  msg("the file"))


def test_too_deep_nesting_is_a_message():
    with pytest.raises(ValidationError, match="not well-formed"):
        parse_xml(b"<a>" * 5000 + b"</a>" * 5000, LIMITS, msg("the file"))


# --- decoding ------------------------------------------------------------------------------

@pytest.mark.parametrize("data,encoding", [
    ("标识".encode(), "utf-8"),
    (codecs.BOM_UTF8 + "标识".encode(), "utf-8-sig"),
    ("标识".encode("utf-16"), "utf-16"),
    ("标识".encode("gb18030"), "gb18030"),
])
def test_one_decoding_rule(data, encoding):
    text, found = decoding.decode(data)
    assert (text, found) == ("标识", encoding)


def test_undecodable_text_is_refused_with_a_hint():
    with pytest.raises(ValidationError, match="not UTF-8 or GB18030"):
        decoding.decode(b"id,zh\nx,\x81\x20\xff\n")
    with pytest.raises(ValidationError):
        decoding.decode("exit,出口".encode("utf-16-le"))  # no BOM: NUL characters


def test_text_lines_are_streamed():
    lines = list(decoding.text_lines(codecs.BOM_UTF8 + "a,b\r\n标识,c\n".encode(), "utf-8-sig"))
    assert lines == ["a,b\r\n", "标识,c\n"]


# --- formula guard -------------------------------------------------------------------------

def test_formula_guard_and_its_inverse():
    for text in ("=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert formulas.guard(text) == "'" + text
        assert formulas.unguard(formulas.guard(text)) == text
    assert formulas.guard("Exit") == "Exit" and formulas.guard(3) == 3
    assert formulas.unguard("'quoted'") == "'quoted'"


# --- spreadsheets --------------------------------------------------------------------------

def test_cell_references():
    assert [cell_reference(1, n) for n in (1, 26, 27, 702, 703)] == [
        "A1", "Z1", "AA1", "ZZ1", "AAA1"]


def test_csv_limits_are_checked_while_reading():
    limits = dataclasses.replace(LIMITS, import_max_rows=3, import_max_columns=4,
                                 import_max_cells=11)
    ok = read_sheet(b"a,b\n1,2\n3,4\n5,6\n", "x.csv", limits)
    assert len(list(ok.rows)) == 4
    with pytest.raises(LimitExceeded, match="IMPORT_MAX_ROWS"):
        list(read_sheet(b"a\n" * 10, "x.csv", limits).rows)
    with pytest.raises(LimitExceeded, match="IMPORT_MAX_COLUMNS"):
        list(read_sheet(b"a,b,c,d,e\n", "x.csv", limits).rows)
    with pytest.raises(LimitExceeded, match="IMPORT_MAX_CELLS"):
        list(read_sheet(b"a,b,c,d\n" * 3, "x.csv", limits).rows)


def test_xlsx_rows_keep_their_columns_when_column_a_is_empty():
    data = crafted.xlsx(crafted.inline_row(1, [("B1", "head")]) +
                        crafted.inline_row(3, [("C3", "x")]))
    rows = list(read_sheet(data, "x.xlsx", LIMITS).rows)
    assert rows == [(1, ["", "head", ""]), (2, ["", "", ""]), (3, ["", "", "x"])]


@pytest.mark.parametrize("reference,setting", [
    ("AAAAA2", "IMPORT_MAX_COLUMNS"), ("ZZZZZZZZZ2", "IMPORT_MAX_COLUMNS"),
    ("A999999", "IMPORT_MAX_ROWS"), ("IV20000", "IMPORT_MAX_CELLS"),
])
def test_far_cell_references_are_refused_before_calamine(reference, setting):
    data = crafted.xlsx(crafted.inline_row(1, [("A1", "a")]) +
                        f'<row r="2"><c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row>')
    with pytest.raises(LimitExceeded) as caught:
        read_sheet(data, "x.xlsx", LIMITS)
    assert caught.value.setting == setting


def test_cells_without_references_are_placed_as_calamine_places_them():
    rows = "".join("<row><c><v>1</v></c></row>" for _ in range(5))
    wide = "<row>" + "<c><v>1</v></c>" * 300 + "</row>"
    with pytest.raises(LimitExceeded, match="IMPORT_MAX_COLUMNS"):
        read_sheet(crafted.xlsx(rows + wide), "x.xlsx", LIMITS)
    assert len(list(read_sheet(crafted.xlsx(rows), "x.xlsx", LIMITS).rows)) == 5


def test_a_huge_shared_string_count_is_refused():
    data = crafted.xlsx(crafted.inline_row(1, [("A1", "a")]),
                        sst=crafted.shared_strings(["x"], unique_count=99_999_999_999))
    with pytest.raises(LimitExceeded, match="IMPORT_MAX_CELLS"):
        read_sheet(data, "x.xlsx", LIMITS)


def test_a_bad_shared_string_index_is_a_message():
    data = crafted.xlsx('<row r="1"><c r="A1" t="s"><v>7</v></c></row>')
    with pytest.raises(ValidationError, match="not a readable .xlsx"):
        read_sheet(data, "x.xlsx", LIMITS)


def test_merged_ranges_and_dates_come_from_calamine():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["a", "b", "c"])
    sheet.append(["x", None, None])
    sheet.merge_cells("A1:C1")
    sheet["B2"] = __import__("datetime").date(2024, 5, 1)
    workbook.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    out = io.BytesIO()
    workbook.save(out)
    read = read_sheet(out.getvalue(), "m.xlsx", LIMITS)
    assert read.merged == ["A1:C1"]
    rows = list(read.rows)
    assert str(rows[1][1][1])[:10] == "2024-05-01"  # 1904-based serial read right


def test_word_paragraphs_are_counted_before_python_docx():
    body = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 30
    assert check_package(crafted.docx(body), LIMITS, msg("the file")).paragraphs == 30
    with pytest.raises(LimitExceeded, match="DOCUMENT_MAX_PARAGRAPHS"):
        check_package(crafted.docx(body), dataclasses.replace(LIMITS, document_max_paragraphs=20),
                      msg("the file"))
