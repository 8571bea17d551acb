"""Exports: only approved wording leaves; sheets, proofs, exchange files, packages, CLI.

Signs are made with the inventory's functions and approved through the review
workflow (translator saves and submits, a second person approves), exactly as
people do it, so these tests exercise the real states.
"""
from __future__ import annotations

import io
import json
import subprocess
import zipfile

import pytest
from lxml import etree

from workbench.errors import ValidationError
from workbench.exports import exchange, package, proofs, sheets
from workbench.exports.selection import (ExportFilter, NothingToExport, iter_signs,
                                         resolve_filter)
from workbench.inventory import records
from workbench.review import units as unit_store
from workbench.review import workflow
from tests.support.exports import (TEXTS, county_id, csv_rows, export_csv, make_sign, pdf_text,
                                   translate, unit_of)


@pytest.fixture
def approved_and_pending(db, users):
    """One Haikou sign fully approved (en, ru); one with Russian only translated."""
    done = make_sign(db, users, "小心地滑", "en;ru")
    translate(db, users, done, TEXTS["小心地滑"])
    pending = make_sign(db, users, "禁止吸烟", "en;ru", location="候机区")
    translate(db, users, pending, TEXTS["禁止吸烟"], only={"en"})
    translate(db, users, pending, {"ru": "Курить запрещено ЧЕРНОВИК"}, approve=False,
              only={"ru"})
    return done, pending


# --- the rule: only approved wording leaves ------------------------------------------------

def test_sheet_has_only_fully_approved_signs(db, users, approved_and_pending):
    done, pending = approved_and_pending
    rows, result = export_csv(db)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["标识编号 Sign code", "市县 County", "场所 Site"]
    assert "俄语 Russian" in header and "英语 English" in header
    codes = [row[0] for row in body]
    done_code = db.execute("SELECT sign_code FROM signs WHERE id = ?", [done]).fetchone()[0]
    pending_code = db.execute("SELECT sign_code FROM signs WHERE id = ?",
                              [pending]).fetchone()[0]
    assert codes == [done_code]
    row = dict(zip(header, body[0], strict=True))
    assert row["中文 Chinese"] == "小心地滑"
    assert row["英语 English"] == "CAUTION//Wet Floor"
    assert row["俄语 Russian"] == "Осторожно, скользкий пол"
    assert row["审定人 Approved by"] == "reviewer"
    assert row["数量 Quantity"] == "2" and row["材质 Material"] == "铝板"
    assert len(row["审定日期 Approved on"]) == 10
    # The pending sign is reported missing Russian, with the unit's state.
    assert [r.sign_code for r in result.missing] == [pending_code]
    assert result.missing[0].missing == {"ru": "in_review"}
    everything = "\n".join(",".join(r) for r in rows)
    assert "ЧЕРНОВИК" not in everything and "No Smoking" not in everything


def test_editing_approved_wording_takes_the_sign_out(db, users, approved_and_pending, run_cli,
                                                      tmp_path):
    done, _pending = approved_and_pending
    unit = unit_of(db, done, "en")
    # A reviewer edits approved wording: it goes back to review.
    edited = workflow.save_translation(db, users["reviewer"], unit["id"],
                                       "CAUTION//Slippery Floor", unit["version"])
    assert edited["state"] == "in_review"
    with pytest.raises(NothingToExport) as raised:
        sheets.write_csv(db, ExportFilter(), io.BytesIO())
    assert "waiting for approved wording" in str(raised.value)
    records_ = {r.id: r for r in iter_signs(db, ExportFilter())}
    assert records_[done].missing == {"en": "in_review"}
    assert "en" not in records_[done].texts  # neither the old nor the new wording
    # The TMX no longer carries the English unit either (Russian stays approved).
    buffer = io.BytesIO()
    exchange.write_tmx(db, ExportFilter(), buffer)
    assert b"Wet Floor" not in buffer.getvalue() and b"Slippery" not in buffer.getvalue()
    assert "скользкий".encode() in buffer.getvalue()
    # And the CLI refuses with a clear message and a non-zero exit code.
    result = run_cli("export", "sheet", "--format", "csv", "--county", "海口市", "-o",
                     tmp_path / "s.csv")
    assert result.exit_code != 0
    assert "No approved signs" in result.stderr
    assert not (tmp_path / "s.csv").exists()
    # Approved again → exported again, with the new wording.
    workflow.approve(db, users["reviewer2"], unit["id"], edited["version"])
    rows, _ = export_csv(db)
    assert rows[1][rows[0].index("英语 English")] == "CAUTION//Slippery Floor"


def test_formula_injection_is_neutralized(db, users):
    sign = make_sign(db, users, "出口", "en", location="=HYPERLINK(\"http://x\",\"go\")",
                     material="+cmd|' /C calc'!A0", size="@SUM(1+1)")
    translate(db, users, sign, {"en": "-Exit"})
    rows, _ = export_csv(db)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["位置 Location"] == "'=HYPERLINK(\"http://x\",\"go\")"
    assert row["材质 Material"] == "'+cmd|' /C calc'!A0"
    assert row["尺寸 Size"] == "'@SUM(1+1)"
    assert row["英语 English"] == "'-Exit"
    assert sheets.neutralize("\tx") == "'\tx" and sheets.neutralize("\rx") == "'\rx"
    assert sheets.neutralize("Exit") == "Exit" and sheets.neutralize(3) == 3

    from openpyxl import load_workbook
    buffer = io.BytesIO()
    sheets.write_xlsx(db, ExportFilter(), buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["标识 Signs"]
    header = [c.value for c in sheet[1]]
    cells = {h: c for h, c in zip(header, sheet[2], strict=True)}
    for column in ("位置 Location", "材质 Material", "尺寸 Size", "英语 English"):
        assert cells[column].data_type == "s", column  # text, never a formula
        assert cells[column].value.startswith("'"), column
    assert cells["数量 Quantity"].value == 2


def test_xlsx_lists_missing_signs_on_second_sheet(db, users, approved_and_pending):
    from openpyxl import load_workbook

    _done, pending = approved_and_pending
    buffer = io.BytesIO()
    result = sheets.write_xlsx(db, ExportFilter(), buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["标识 Signs", "缺少 Missing"]
    assert book["标识 Signs"].max_row == 2 and result.rows == 1
    missing = [[c.value for c in row] for row in book["缺少 Missing"].iter_rows(min_row=2)]
    assert missing[0][4] == "禁止吸烟" and missing[0][5] == "ru"
    assert "审校中 In review" in missing[0][6]


# --- filters and county isolation ----------------------------------------------------------

def test_county_isolation_and_filters(db, users):
    haikou = make_sign(db, users, "出口", "en;ja")
    sanya = make_sign(db, users, "卫生间", "en;ko", county="三亚市", site="三亚凤凰机场")
    translate(db, users, haikou, TEXTS["出口"])
    translate(db, users, sanya, TEXTS["卫生间"])
    staff = users["staff"]
    rows, _ = export_csv(db, resolve_filter(db, staff, county="海口市"))
    assert [r[1] for r in rows[1:]] == ["海口市"]
    assert "韩语 Korean" not in rows[0] and "日语 Japanese" in rows[0]
    rows, _ = export_csv(db, resolve_filter(db, staff, county="sanya"))
    assert [r[2] for r in rows[1:]] == ["三亚凤凰机场"]
    assert "화장실" in rows[1] and "出口" not in [r[9] for r in rows[1:]]
    rows, _ = export_csv(db, resolve_filter(db, staff, lang="ko"))
    assert [r[9] for r in rows[1:]] == ["卫生间"]
    rows, _ = export_csv(db, resolve_filter(db, staff, site="三亚凤凰机场"))
    assert len(rows) == 2
    with pytest.raises(NothingToExport):
        sheets.write_csv(db, resolve_filter(db, staff, sector="health"), io.BytesIO())
    with pytest.raises(NothingToExport):
        sheets.write_csv(db, resolve_filter(db, staff, approved_until="2000-01-01"),
                         io.BytesIO())
    with pytest.raises(ValidationError, match="Unknown county"):
        resolve_filter(db, staff, county="火星县")
    with pytest.raises(ValidationError):
        resolve_filter(db, staff, sector="space", approved_since="yesterday")
    # Exchange files follow the county too: units used on that county's signs only.
    buffer = io.BytesIO()
    exchange.write_tmx(db, resolve_filter(db, staff, county="海口市"), buffer)
    assert "出口".encode() in buffer.getvalue() and "卫生间".encode() not in buffer.getvalue()
    # An officer is held to their own county whatever they ask for.
    officer = users["officer"]
    assert resolve_filter(db, officer).county == "海口市"
    with pytest.raises(ValidationError):
        resolve_filter(db, officer, county="三亚市")
    with pytest.raises(ValidationError):
        resolve_filter(db, officer, site="三亚凤凰机场")


# --- proofs ----------------------------------------------------------------------------------

def test_proofs_show_every_language(db, users, artifacts_dir):
    sign = make_sign(db, users, "小心地滑", "en;ru;ja;ko")
    translate(db, users, sign, TEXTS["小心地滑"])
    other = make_sign(db, users, "服务台", "en;ru", location="问询处")
    translate(db, users, other, TEXTS["服务台"], only={"en"})  # Russian missing
    buffer = io.BytesIO()
    result = proofs.write_proofs(db, ExportFilter(), buffer,
                                 settings={"PUBLIC_URL": "https://signs.example.org"})
    data = buffer.getvalue()
    assert result.rows == 1 and [r.zh for r in result.missing] == ["服务台"]
    text = pdf_text(data)
    for expected in ("小心地滑", "CAUTION", "Wet Floor", "Осторожно, скользкий пол",
                     "足元注意", "滑りやすい", "미끄럼 주의", "海口美兰国际机场",
                     "https://signs.example.org/r/HK-"):
        assert expected in text, expected
    assert "Service Desk" not in text and "服务台" not in text
    assert result.warnings == []  # PUBLIC_URL is set and public
    from pypdf import PdfReader
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    # Render the page as a person would see it, and keep it for looking at.
    pdf = artifacts_dir / "exports-proof.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(pdf),
                    str(artifacts_dir / "exports-proof")], check=True)
    from PIL import Image
    image = Image.open(artifacts_dir / "exports-proof.png").convert("L")
    dark = sum(image.histogram()[:100])
    assert dark > 0.01 * image.width * image.height  # text, panel and QR are drawn


def test_proof_font_missing_is_a_clear_error(db, users):
    sign = make_sign(db, users, "出口", "en")
    translate(db, users, sign, TEXTS["出口"])
    with pytest.raises(proofs.FontMissing, match="fonts-wqy-microhei"):
        proofs.write_proofs(db, ExportFilter(), io.BytesIO(),
                            settings={"PROOF_FONT": "/nonexistent/font.ttc"})


def test_wrap_breaks_long_lines_and_forced_breaks():
    font = proofs.register_font()
    lines = proofs.wrap("CAUTION//Mind Your Head", font, 30, 1000)
    assert lines == ["CAUTION", "Mind Your Head"]
    long = proofs.wrap("Please Keep Your Belongings With You at All Times", font, 30, 200)
    assert len(long) > 1 and " ".join(long) == "Please Keep Your Belongings With You at All Times"
    chinese = proofs.wrap("请妥善保管好您的随身物品谨防丢失", font, 40, 200)
    assert len(chinese) > 1 and "".join(chinese) == "请妥善保管好您的随身物品谨防丢失"


# --- exchange files --------------------------------------------------------------------------

# The element and attribute structure of TMX 1.4b (keyed from the LISA specification's
# DTD, limited to the elements Signbench writes and reads).
TMX14_DTD = """
<!ELEMENT tmx (header, body)>
<!ATTLIST tmx version CDATA #FIXED "1.4">
<!ELEMENT header (note|ude|prop)*>
<!ATTLIST header creationtool CDATA #REQUIRED creationtoolversion CDATA #REQUIRED
  segtype (block|paragraph|sentence|phrase) #REQUIRED o-tmf CDATA #REQUIRED
  adminlang CDATA #REQUIRED srclang CDATA #REQUIRED datatype CDATA #REQUIRED
  o-encoding CDATA #IMPLIED creationdate CDATA #IMPLIED creationid CDATA #IMPLIED
  changedate CDATA #IMPLIED changeid CDATA #IMPLIED>
<!ELEMENT note (#PCDATA)>
<!ELEMENT ude (map+)>
<!ELEMENT map EMPTY>
<!ELEMENT prop (#PCDATA)>
<!ATTLIST prop type CDATA #REQUIRED xml:lang CDATA #IMPLIED o-encoding CDATA #IMPLIED>
<!ELEMENT body (tu*)>
<!ELEMENT tu ((note|prop)*, tuv+)>
<!ATTLIST tu tuid CDATA #IMPLIED o-encoding CDATA #IMPLIED datatype CDATA #IMPLIED
  usagecount CDATA #IMPLIED lastusagedate CDATA #IMPLIED creationtool CDATA #IMPLIED
  creationtoolversion CDATA #IMPLIED creationdate CDATA #IMPLIED creationid CDATA #IMPLIED
  changedate CDATA #IMPLIED segtype (block|paragraph|sentence|phrase) #IMPLIED
  changeid CDATA #IMPLIED o-tmf CDATA #IMPLIED srclang CDATA #IMPLIED>
<!ELEMENT tuv ((note|prop)*, seg)>
<!ATTLIST tuv xml:lang CDATA #REQUIRED o-encoding CDATA #IMPLIED datatype CDATA #IMPLIED
  usagecount CDATA #IMPLIED lastusagedate CDATA #IMPLIED creationtool CDATA #IMPLIED
  creationtoolversion CDATA #IMPLIED creationdate CDATA #IMPLIED creationid CDATA #IMPLIED
  changedate CDATA #IMPLIED changeid CDATA #IMPLIED o-tmf CDATA #IMPLIED>
<!ELEMENT seg (#PCDATA)>
"""


def test_tmx_validates_and_round_trips(db, users, approved_and_pending):
    from translate.storage.tmx import tmxfile

    sign = make_sign(db, users, "出口", "en;ja;ko")
    translate(db, users, sign, TEXTS["出口"])
    buffer = io.BytesIO()
    written = exchange.write_tmx(db, ExportFilter(), buffer)
    data = buffer.getvalue()
    # All approved units, all languages, in one file: 小心地滑 en+ru, 禁止吸烟 en, 出口 en/ja/ko.
    assert written == 6
    dtd = etree.DTD(io.StringIO(TMX14_DTD))
    root = etree.fromstring(data)
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    store = tmxfile.parsestring(data)
    pairs = {(u.source, u.target) for u in store.units}
    assert ("出口", "출구") in pairs and ("小心地滑", "Осторожно, скользкий пол") in pairs
    assert not any("ЧЕРНОВИК" in (u.target or "") for u in store.units)
    languages = {tuv.get("{http://www.w3.org/XML/1998/namespace}lang")
                 for tuv in root.iter("tuv")}
    assert languages == {"zh", "en", "ru", "ja", "ko"}
    # Round trip: translate-toolkit writes back what it read, unit for unit.
    again = tmxfile.parsestring(bytes(store))
    assert [(u.source, u.target) for u in again.units] == \
        [(u.source, u.target) for u in store.units]
    tu = root.find("body/tu")
    assert tu.get("tuid").startswith("signbench-") and tu.get("changeid") == "reviewer"
    # A language filter keeps only that language.
    buffer = io.BytesIO()
    assert exchange.write_tmx(db, ExportFilter(lang="ko"), buffer) == 1


def test_tbx_has_every_status_and_parses(db):
    from translate.storage.tbx import tbxfile

    buffer = io.BytesIO()
    count = exchange.write_tbx(db, ExportFilter(), buffer)
    data = buffer.getvalue()
    assert count > 100
    root = etree.fromstring(data)
    statuses = {node.text for node in root.iter("termNote")
                if node.get("type") == "administrativeStatus"}
    # TBX-Basic statuses: preferred, admitted, and forbidden terms as deprecatedTerm.
    assert {"preferredTerm-admn-sts", "admittedTerm-admn-sts",
            "deprecatedTerm-admn-sts"} <= statuses
    forbidden = db.execute("SELECT text FROM glossary_terms WHERE status = 'forbidden' "
                           "LIMIT 1").fetchone()[0]
    tig = next(t for t in root.iter("tig") if t.findtext("term") == forbidden)
    assert tig.findtext("termNote[@type='administrativeStatus']") == "deprecatedTerm-admn-sts"
    langs = {node.get("{http://www.w3.org/XML/1998/namespace}lang")
             for node in root.iter("langSet")}
    assert {"zh", "en"} <= langs
    store = tbxfile.parsestring(data)
    assert len(store.units) > 0
    again = tbxfile.parsestring(bytes(store))
    assert len(again.units) == len(store.units)


def test_xliff_out_and_back_goes_through_review(db, users):
    from translate.storage.xliff2 import Xliff2File

    first = make_sign(db, users, "出口", "en;ru")
    second = make_sign(db, users, "卫生间", "en;ru", location="B1")
    translate(db, users, first, TEXTS["出口"], only={"en"})
    translate(db, users, second, TEXTS["卫生间"], only={"en"})
    buffer = io.BytesIO()
    count = exchange.write_xliff(db, ExportFilter(), "ru", buffer)
    data = buffer.getvalue()
    assert count == 2
    root = etree.fromstring(data)
    ns = {"x": exchange.XLIFF2_NS}
    assert root.get("version") == "2.0" and root.get("srcLang") == "zh"
    assert root.get("trgLang") == "ru"
    unit_ids = [u.get("id") for u in root.iterfind("x:file/x:unit", ns)]
    assert len(unit_ids) == len(set(unit_ids)) == 2
    for unit in root.iterfind("x:file/x:unit", ns):
        children = [etree.QName(c).localname for c in unit]
        assert children[0] == "notes" and children[-1] == "segment"  # XLIFF 2.0 order
        assert unit.find("x:segment/x:source", ns).text in ("出口", "卫生间")
    # The translator fills the targets in a CAT tool (translate-toolkit plays it).
    store = Xliff2File.parsestring(data)
    for xunit in store.units:
        xunit.target = TEXTS[xunit.source]["ru"]
        xunit.marktranslated()
    report = exchange.import_xliff(db, users["translator"], bytes(store), "back.xlf")
    assert len(report.submitted) == 2 and not report.problems
    ru = unit_of(db, first, "ru")
    assert ru["state"] == "in_review" and ru["target_text"] == "Выход"
    assert ru["author_name"] == "translator" and ru["approved_by"] is None
    # Still not approved → not exported.
    with pytest.raises(NothingToExport):
        sheets.write_csv(db, ExportFilter(), io.BytesIO())
    event = db.execute("SELECT after_json FROM audit_events WHERE action = 'xliff.import'"
                       ).fetchone()
    assert json.loads(event[0])["submitted"] == report.submitted
    # Importing the same file again is refused: the units moved on to review.
    again = exchange.import_xliff(db, users["translator"], bytes(store), "back.xlf")
    assert not again.submitted and len(again.problems) == 2
    assert "now: In review" in str(again.problems[0])
    # After approval by a reviewer the signs are exported.
    workflow.approve(db, users["reviewer"], ru["id"], ru["version"])
    rows, _ = export_csv(db)
    assert "Выход" in rows[1]


def test_xliff_12_import_and_conflicts(db, users):
    from translate.storage.xliff import xlifffile

    sign = make_sign(db, users, "服务台", "en;ja")
    ja = unit_of(db, sign, "ja")
    store = xlifffile()
    store.setsourcelanguage("zh")
    store.settargetlanguage("ja")
    unit = store.addsourceunit("服务台")
    unit.setid(f"u{ja['id']}.{ja['version']}")
    unit.target = "サービスカウンター"
    stale = store.addsourceunit("服务台")
    stale.setid(f"u{ja['id']}.{ja['version'] + 5}")
    stale.target = "Something else"
    foreign = store.addsourceunit("别的")
    foreign.setid("other-7")
    foreign.target = "x"
    report = exchange.import_xliff(db, users["translator"], bytes(store), "cat.xlf")
    assert report.submitted == [ja["id"]], report.problems
    reasons = " ".join(str(p) for p in report.problems)
    assert "not a Signbench unit id" in reasons and "now: In review" in reasons
    assert workflow.get_unit(db, ja["id"])["state"] == "in_review"
    with pytest.raises(ValidationError, match="not XLIFF"):
        exchange.import_xliff(db, users["translator"], b"<tmx version='1.4'/>", "x.tmx")
    with pytest.raises(Exception, match="role"):
        exchange.import_xliff(db, users["staff"], bytes(store), "cat.xlf")


# --- county package --------------------------------------------------------------------------

def _photo_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_county_package_is_complete(db, users, tmp_path):
    from workbench.inventory import photos

    upload = tmp_path / "uploads"
    done = make_sign(db, users, "小心地滑", "en;ru")
    translate(db, users, done, TEXTS["小心地滑"])
    photos.add_photo(db, users["staff"], done, _photo_bytes(), "wet.jpg", upload_dir=upload,
                     max_bytes=10_000_000)
    waiting = make_sign(db, users, "服务台", "en;ko", location="问询处")
    translate(db, users, waiting, TEXTS["服务台"], only={"en"})
    photos.add_photo(db, users["staff"], waiting, _photo_bytes(), "desk.jpg",
                     upload_dir=upload, max_bytes=10_000_000)
    elsewhere = make_sign(db, users, "卫生间", "en", county="三亚市", site="三亚凤凰机场")
    translate(db, users, elsewhere, TEXTS["卫生间"])
    photos.add_photo(db, users["staff"], elsewhere, _photo_bytes(), "wc.jpg",
                     upload_dir=upload, max_bytes=10_000_000)
    flt = resolve_filter(db, users["staff"], county="海口市")
    buffer = io.BytesIO()
    result = package.write_package(db, flt, buffer, settings={"UPLOAD_DIR": str(upload)},
                                   actor_name="staff")
    archive = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    names = sorted(archive.namelist())
    code = db.execute("SELECT sign_code FROM signs WHERE id = ?", [done]).fetchone()[0]
    assert names == sorted(["haikou-signs.xlsx", "haikou-signs.csv", "haikou-proofs.pdf",
                            f"photos/{code}-1.jpg", "missing.csv", "README.txt"])
    assert archive.read(f"photos/{code}-1.jpg") == (upload / db.execute(
        "SELECT file_name FROM sign_photos WHERE sign_id = ?", [done]).fetchone()[0]).read_bytes()
    sheet = csv_rows(archive.read("haikou-signs.csv"))
    assert [r[0] for r in sheet[1:]] == [code]
    assert sheet[1][-1] == f"photos/{code}-1.jpg"  # the sheet names the photo in the ZIP
    assert "Осторожно" in pdf_text(archive.read("haikou-proofs.pdf"))
    missing = csv_rows(archive.read("missing.csv"))
    assert missing[1][4] == "服务台" and missing[1][5] == "ko"
    readme = archive.read("README.txt").decode("utf-8")
    assert "服务台" in readme and "Korean: " in readme and "New (no draft)" in readme
    assert "Signs with all wording approved (in the sheet and the proofs): 1" in readme
    everything = b"".join(archive.read(n) for n in names if not n.endswith((".pdf", ".xlsx")))
    assert "卫生间".encode() not in everything and b"Toilet" not in everything
    assert result.rows == 1 and result.photos == 1 and len(result.missing) == 1
    with pytest.raises(ValidationError, match="county"):
        package.write_package(db, ExportFilter(), io.BytesIO())


# --- CLI and the record of every export ------------------------------------------------------

def test_cli_exports_and_records_them(db, users, run_cli, tmp_path):
    sign = make_sign(db, users, "出口", "en;ru")
    translate(db, users, sign, TEXTS["出口"])
    out = tmp_path / "out"
    for args, name in ((("sheet", "--format", "csv", "--county", "海口市"), "s.csv"),
                       (("sheet", "--format", "xlsx"), "s.xlsx"),
                       (("proofs", "--county", "haikou"), "p.pdf"),
                       (("tmx",), "u.tmx"), (("tbx",), "g.tbx"),
                       (("package", "--county", "海口市"), "pkg.zip")):
        result = run_cli("export", *args, "-o", out / name)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        assert (out / name).stat().st_size > 0
        assert "Exported" in result.stdout
    assert "出口" in (out / "s.csv").read_text(encoding="utf-8-sig")
    assert zipfile.ZipFile(out / "pkg.zip").namelist()
    # Each export is a job run, recorded and audited like one started on the web page.
    runs = list(db.query("SELECT id, arguments, state, result FROM job_runs "
                         "WHERE kind = 'export' ORDER BY id"))
    assert [json.loads(r["arguments"])["export"] for r in runs] == [
        "sheet-csv", "sheet-xlsx", "proofs", "tmx", "tbx", "package"]
    assert all(r["state"] == "done" for r in runs)
    assert all((tmp_path / "exports" / json.loads(r["result"])["file"]).is_file() for r in runs)
    started = list(db.query("SELECT actor_name, after_json FROM audit_events "
                            "WHERE action = 'job.start' AND entity_type = 'job' ORDER BY id"))
    assert json.loads(started[0]["after_json"])["arguments"]["filter"]["county"] == "海口市"
    assert started[0]["actor_name"].startswith("cli:")
    done = list(db.query("SELECT actor_name, after_json FROM audit_events "
                         "WHERE action = 'job.done' ORDER BY id"))
    assert len(done) == 6
    assert json.loads(done[0]["after_json"])["result"]["rows"] == 1


def test_cli_refuses_unknown_county_and_empty_exports(db, users, run_cli, tmp_path):
    result = run_cli("export", "sheet", "--format", "csv", "--county", "火星县", "-o",
                     tmp_path / "x.csv")
    assert result.exit_code != 0 and "Unknown county" in result.stderr
    result = run_cli("export", "package", "--county", "三亚市", "-o", tmp_path / "x.zip")
    assert result.exit_code != 0 and "No signs match" in result.stderr
    sign = make_sign(db, users, "出口", "en")
    result = run_cli("export", "proofs", "-o", tmp_path / "x.pdf")
    assert result.exit_code != 0 and "No approved signs" in result.stderr
    result = run_cli("export", "tmx", "-o", tmp_path / "x.tmx")
    assert result.exit_code != 0 and "No approved translation units" in result.stderr
    result = run_cli("export", "xliff", "--target", "en", "-o", tmp_path / "x.xlf")
    assert result.exit_code == 0, result.stderr
    assert not list(tmp_path.glob("x.csv")) and not list(tmp_path.glob("x.zip"))
    # Empty exports fail with the reason; the unknown county never became a run.
    states = [r[0] for r in db.execute("SELECT state FROM job_runs WHERE kind = 'export' "
                                       "ORDER BY id")]
    assert states == ["failed", "failed", "failed", "done"]
    assert not list((tmp_path / "exports").glob("*.pdf"))  # nothing half-written left behind
    # The XLIFF comes back in through the CLI and goes to review.
    xliff = (tmp_path / "x.xlf").read_bytes().replace(
        b"<source>\xe5\x87\xba\xe5\x8f\xa3</source>",
        b"<source>\xe5\x87\xba\xe5\x8f\xa3</source><target>Exit</target>")
    (tmp_path / "back.xlf").write_bytes(xliff)
    result = run_cli("import", "xliff", tmp_path / "back.xlf")
    assert result.exit_code == 0, result.stderr
    assert "1 translation(s) sent to review" in result.stdout
    assert unit_of(db, sign, "en")["state"] == "in_review"


def test_fast_sheet_path_equals_record_path(db, users, approved_and_pending, tmp_path):
    """Sheets stream plain rows for speed; the package builds them from SignRecords.
    Both must give the same sheet, cell for cell."""
    from workbench.inventory import photos

    odd = make_sign(db, users, "出口", "en;ja", location="-1层", material="=铝")
    for unit in unit_store.units_for_sign(db, odd):
        saved = workflow.save_translation(db, users["translator"], unit["id"],
                                          TEXTS["出口"][unit["target_lang"]], unit["version"])
        submitted = workflow.submit(db, users["translator"], unit["id"], saved["version"])
        approver = users["reviewer"] if unit["target_lang"] == "en" else users["reviewer2"]
        workflow.approve(db, approver, unit["id"], submitted["version"])
    photos.add_photo(db, users["staff"], odd, _photo_bytes(), "a.jpg",
                     upload_dir=tmp_path, max_bytes=10_000_000)
    fast, slow = io.BytesIO(), io.BytesIO()
    fast_result = sheets.write_csv(db, ExportFilter(), fast)
    slow_result = sheets.write_csv(db, ExportFilter(), slow,
                                   records=list(iter_signs(db, ExportFilter())))
    assert fast.getvalue() == slow.getvalue()
    assert fast_result.rows == slow_result.rows == 2
    assert [r.id for r in fast_result.missing] == [r.id for r in slow_result.missing]
    rows = csv_rows(fast.getvalue())
    row = dict(zip(rows[0], next(r for r in rows[1:] if r[9] == "出口"), strict=True))
    assert row["审定人 Approved by"] == "reviewer; reviewer2"
    assert row["俄语 Russian"] == "" and row["日语 Japanese"] == "出口"
    assert row["位置 Location"] == "'-1层" and row["材质 Material"] == "'=铝"
    assert row["照片 Photos"].startswith("photos/") and row["照片 Photos"].endswith("-1.jpg")


def test_rejected_sign_is_not_exported_even_with_approved_wording(db, users):
    sign = make_sign(db, users, "服务台", "en;ru")
    translate(db, users, sign, TEXTS["服务台"], only={"en"})
    translate(db, users, sign, TEXTS["服务台"], only={"ru"}, approve=False)
    records.transition(db, users["staff"], sign, "reject", "Wrong location, check on site")
    ru = unit_of(db, sign, "ru")
    workflow.approve(db, users["reviewer"], ru["id"], ru["version"])
    assert db.execute("SELECT status FROM signs WHERE id = ?", [sign]).fetchone()[0] == \
        "rejected"
    with pytest.raises(NothingToExport):
        sheets.write_csv(db, ExportFilter(), io.BytesIO())
    buffer = io.BytesIO()
    other = make_sign(db, users, "出口", "en")
    translate(db, users, other, TEXTS["出口"])
    result = sheets.write_csv(db, ExportFilter(), buffer)
    assert [r.id for r in result.missing] == [sign]
    assert result.missing[0].missing == {"sign": "rejected"}
    assert "Sign rejected" in sheets.missing_row(result.missing[0])[-1]


def test_proof_qr_code_is_drawn_module_for_module(db, users, tmp_path):
    """Render the page and read the QR's modules back: they match the sign's URL's code."""
    import segno
    from PIL import Image

    sign = make_sign(db, users, "出口", "en")
    translate(db, users, sign, TEXTS["出口"])
    settings = {"PUBLIC_URL": "https://signs.hainan.example"}
    pdf = tmp_path / "p.pdf"
    with open(pdf, "wb") as stream:
        proofs.write_proofs(db, ExportFilter(), stream, settings=settings)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "-gray", str(pdf),
                    str(tmp_path / "p")], check=True)
    image = Image.open(tmp_path / "p.png").convert("L")
    code = db.execute("SELECT sign_code FROM signs WHERE id = ?", [sign]).fetchone()[0]
    url = proofs.public_sign_url(settings, code)
    assert url == f"https://signs.hainan.example/r/{code}"
    matrix = segno.make(url, error="m", micro=False).matrix
    scale = 150 / 72
    side, left, top = 112, 842 - 36 - 112, 595 - 24 - 112  # points, as draw_card places it
    module = side / (len(matrix) + 8)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            x = (left + (col_index + 4.5) * module) * scale
            y = (top + (row_index + 4.5) * module) * scale
            assert (image.getpixel((int(x), int(y))) < 128) == bool(dark), (row_index,
                                                                              col_index)


def test_a_running_export_does_not_block_writers(db, users, db_path):
    """An export reads in one long statement; under WAL other users still write meanwhile."""
    from workbench.db import open_db
    from workbench.exports.selection import iter_rows, languages_in

    for zh in ("出口", "卫生间", "服务台"):
        translate(db, users, make_sign(db, users, zh, "en"), TEXTS[zh])
    reading = iter_rows(db, ExportFilter(), languages_in(db, ExportFilter()))
    assert next(reading)  # the export's read is open now
    other = open_db(db_path)
    other.execute("PRAGMA busy_timeout = 0")  # a writer held up by the reader fails at once
    try:
        records.save_site(other, users["staff"], {"county_id": county_id(other, "三亚市"),
                                                   "name_zh": "三亚湾", "sector": "tourism"})
    finally:
        other.close()
    assert len(list(reading)) == 2
