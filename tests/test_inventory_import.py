"""Bulk import: encodings, headers, every validation error class (nothing written), upserts."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from PIL import Image

from workbench import auth
from workbench.errors import ValidationError
from workbench.inventory import importer

HEADER = ["sign_code", "county", "site", "sector", "location", "function", "zh", "en_current",
          "ru_current", "languages", "quantity", "action", "photo", "latitude", "longitude"]

GOOD_ROWS = [
    ["", "海口市", "海口美兰国际机场", "transport", "T2 一层", "warning", "小心地滑",
     "Carefully Slide", "", "en", "2", "correct", "", "19.9349", "110.4590"],
    ["", "海口市", "海口美兰国际机场", "transport", "T2 二层", "facility", "问讯处",
     "Information", "", "en;ru", "1", "keep", "", "", ""],
    ["", "海口市", "万绿园", "城乡公共设施", "南门", "禁止", "禁止游泳", "", "", "", "", "新设",
     "", "", ""],
]


def csv_bytes(rows, header=HEADER, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER, merge=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def counts(db):
    """Everything an import may write, to prove a failed import wrote nothing."""
    return tuple(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in (
        "signs", "sites", "sign_current_texts", "translation_units", "sign_units",
        "inventory_imports", "audit_events", "sign_photos"))


@pytest.fixture
def system():
    return auth.system_actor("pytest")


def test_clean_csv_imports_sites_signs_texts_units_and_findings(db, system, tmp_path):
    report = importer.import_inventory(db, system, csv_bytes(GOOD_ROWS), "survey.csv",
                                       upload_dir=tmp_path)
    assert (report.sites_created, report.signs_created, report.signs_updated) == (2, 3, 0)
    signs = {r["zh"]: r for r in db.query("SELECT * FROM signs")}
    assert signs["小心地滑"]["quantity"] == 2 and signs["小心地滑"]["function"] == "warning"
    assert signs["小心地滑"]["sign_code"].startswith("HK-")
    assert signs["禁止游泳"]["action"] == "new" and signs["禁止游泳"]["function"] == "prohibition"
    assert signs["问讯处"]["languages"] == "en;ru"
    site = next(db.query("SELECT * FROM sites WHERE name_zh = '万绿园'"))
    assert site["sector"] == "public_facilities"
    airport = next(db.query("SELECT * FROM sites WHERE name_zh = '海口美兰国际机场'"))
    assert airport["latitude"] == pytest.approx(19.9349)
    # The wrong installed English is flagged; the missing Russian of a kept sign too.
    flagged = {(r["zh"], r["lang"]) for r in db.query(
        "SELECT s.zh, f.lang FROM sign_findings f JOIN signs s ON s.id = f.sign_id")}
    assert ("问讯处", "ru") in flagged
    assert ("禁止游泳", "en") not in flagged  # a new sign has nothing installed yet
    assert signs["小心地滑"]["finding_count"] >= 1
    # One unit per required language, and one audit event summarising the import.
    assert db.execute("SELECT count(*) FROM sign_units").fetchone()[0] == 4
    events = list(db.query("SELECT * FROM audit_events WHERE action = 'inventory.import'"))
    assert len(events) == 1 and str(report.import_id) == events[0]["entity_id"]


def test_reimport_of_the_same_file_changes_nothing(db, system):
    data = csv_bytes(GOOD_ROWS)
    importer.import_inventory(db, system, data, "survey.csv")
    before = counts(db)
    codes = [r[0] for r in db.execute("SELECT sign_code FROM signs ORDER BY id")]
    again = importer.import_inventory(db, system, data, "survey.csv")
    assert (again.signs_created, again.signs_updated, again.signs_unchanged) == (0, 0, 3)
    assert counts(db) == before
    assert [r[0] for r in db.execute("SELECT sign_code FROM signs ORDER BY id")] == codes


def test_reimport_with_a_change_updates_only_that_sign(db, system):
    importer.import_inventory(db, system, csv_bytes(GOOD_ROWS), "survey.csv")
    changed = [list(r) for r in GOOD_ROWS]
    changed[1][7] = "Information Desk"
    report = importer.import_inventory(db, system, csv_bytes(changed), "survey.csv")
    assert (report.signs_created, report.signs_updated, report.signs_unchanged) == (0, 1, 2)
    text = db.execute("SELECT t.text FROM sign_current_texts t JOIN signs s ON s.id = t.sign_id "
                      "WHERE s.zh = '问讯处' AND t.lang = 'en'").fetchone()[0]
    assert text == "Information Desk"


def test_sign_code_is_the_upsert_key_when_given(db, system):
    rows = [["ＨＫ－Ａ１", "海口市", "海口美兰国际机场", "交通", "T2", "功能设施", "出口", "Exit",
             "", "", "", "保留", "", "", ""]]
    importer.import_inventory(db, system, csv_bytes(rows), "a.csv")
    assert db.execute("SELECT sign_code FROM signs").fetchone()[0] == "HK-A1"  # full-width
    rows[0][4] = "T2 到达层"  # moved within the site: same code, so an update
    report = importer.import_inventory(db, system, csv_bytes(rows), "a.csv")
    assert (report.signs_created, report.signs_updated) == (0, 1)
    assert db.execute("SELECT location FROM signs").fetchone()[0] == "T2 到达层"


def test_gb18030_csv_with_chinese_headers(db, system):
    header = ["县市", "场所", "行业", "位置", "功能", "中文", "现有英文", "处置"]
    rows = [["三亚市", "大东海旅游区", "旅游文化", "海滩", "警示警告", "当心溺水",
             "Be Careful Drowning", "更正"],
            ["三亚", "大东海旅游区", "旅游文化", "海滩", "名称", "大东海", "Dadonghai", "保留"]]
    data = csv_bytes(rows, header=header, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    report = importer.import_inventory(db, system, data, "sanya.csv")
    assert report.encoding == "gb18030" and report.signs_created == 2
    assert {r[0] for r in db.execute("SELECT zh FROM signs")} == {"当心溺水", "大东海"}


def test_utf8_bom_and_semicolon_delimiter(db, system):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["county 县市", "site 场所", "sector 行业", "function 功能", "zh 中文",
                     "action 处置", "备注"])
    writer.writerow(["海口市", "海口站", "transport", "facility", "售票处", "new", "x"])
    report = importer.import_inventory(db, system, ("\ufeff" + out.getvalue()).encode("utf-8"),
                                       "bom.csv", dry_run=True)
    assert report.signs_created == 1 and report.encoding == "utf-8-sig"
    assert any("备注" in str(w) for w in report.warnings)  # extra column: warned, ignored


def test_dry_run_reports_and_writes_nothing(db, system):
    before = counts(db)
    report = importer.import_inventory(db, system, csv_bytes(GOOD_ROWS), "s.csv", dry_run=True)
    assert (report.sites_created, report.signs_created) == (2, 3)
    assert counts(db) == before


def test_xlsx_with_excel_numbers_and_dates(db, system):
    rows = [[1001, "海口市", "海口美兰国际机场", "transport", dt.datetime(2024, 5, 1), "facility",
             "行李提取", "Baggage Claim", None, "en", 3.0, "keep", None, 19.93, 110.45]]
    report = importer.import_inventory(db, system, xlsx_bytes(rows), "s.xlsx")
    assert report.signs_created == 1
    sign = next(db.query("SELECT * FROM signs"))
    assert sign["sign_code"] == "1001" and sign["quantity"] == 3
    assert sign["location"] == "2024-05-01"  # a date cell becomes readable text


def test_template_files_are_accepted_headers(db, system, run_cli, tmp_path):
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"t.{fmt}"
        result = run_cli("inventory", "template", "--format", fmt, "-o", target)
        assert result.exit_code == 0, result.stderr
    workbook = openpyxl.load_workbook(tmp_path / "t.xlsx")
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert "县市 county" in header and "中文 zh" in header
    values = {"county": "海口市", "site": "海口站", "sector": "交通", "function": "功能设施",
              "zh": "候车室", "action": "新设"}
    sheet.append([values.get(h.split()[1], None) for h in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert importer.import_inventory(db, system, buffer.getvalue(), "t.xlsx").signs_created == 1
    text = (tmp_path / "t.csv").read_bytes().decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    line = ",".join(values.get(h.split()[1], "") for h in header)
    data = (text + line.replace("候车室", "售票处") + "\n").encode("utf-8")
    assert importer.import_inventory(db, system, data, "t.csv").signs_created == 1


# --- every class of validation error: reported with row/column/value, nothing written ------

def _row(**changes):
    row = dict(zip(HEADER, GOOD_ROWS[0], strict=True))
    row.update(changes)
    return [row[h] for h in HEADER]


ROW_ERRORS = [
    ("missing county", _row(county=""), "county"),
    ("unknown county", _row(county="火星市"), "county"),
    ("missing site", _row(site=""), "site"),
    ("unknown sector", _row(sector="农业"), "sector"),
    ("unknown function", _row(function="装饰"), "function"),
    ("unknown action", _row(action="拆除"), "action"),
    ("missing Chinese", _row(zh=""), "zh"),
    ("no Chinese characters", _row(zh="Exit"), "zh"),
    ("text too long", _row(zh="出" * 501), "zh"),
    ("unknown language", _row(languages="en;fr"), "languages"),
    ("bad quantity", _row(quantity="two"), "quantity"),
    ("zero quantity", _row(quantity="0"), "quantity"),
    ("latitude out of range", _row(latitude="123"), "latitude"),
    ("latitude without longitude", _row(longitude=""), "latitude"),
    ("bad sign code", _row(sign_code="HK 001!"), "sign_code"),
    ("photo without zip", _row(photo="a.jpg"), "photo"),
]


@pytest.mark.parametrize("name,bad_row,column", ROW_ERRORS, ids=[e[0] for e in ROW_ERRORS])
def test_row_errors_are_reported_and_nothing_is_written(db, system, name, bad_row, column):
    before = counts(db)
    rows = [GOOD_ROWS[1], bad_row, GOOD_ROWS[2]]
    with pytest.raises(ValidationError) as caught:
        importer.import_inventory(db, system, csv_bytes(rows), "bad.csv")
    problems = caught.value.problems
    assert any(p.row == 3 and p.column == column for p in problems), problems
    assert "nothing was imported" in str(caught.value.summary)
    assert counts(db) == before


def test_every_bad_row_is_reported_at_once(db, system):
    rows = [_row(county="火星市"), GOOD_ROWS[1], _row(function="?", action="?")]
    with pytest.raises(ValidationError) as caught:
        importer.import_inventory(db, system, csv_bytes(rows), "bad.csv")
    where = {(p.row, p.column) for p in caught.value.problems}
    assert {(2, "county"), (4, "function"), (4, "action")} <= where


def test_duplicate_rows_and_codes_within_a_file(db, system):
    before = counts(db)
    with pytest.raises(ValidationError) as caught:
        importer.import_inventory(db, system, csv_bytes([GOOD_ROWS[0], GOOD_ROWS[0]]), "d.csv")
    assert caught.value.problems[0].row == 3 and "Row 2" in str(caught.value.problems[0].reason)
    coded = [_row(sign_code="X1"), _row(sign_code="X1", zh="出口")]
    with pytest.raises(ValidationError):
        importer.import_inventory(db, system, csv_bytes(coded), "d.csv")
    assert counts(db) == before


def test_conflicting_sector_for_one_site(db, system):
    rows = [GOOD_ROWS[0], _row(sector="health", zh="出口")]
    with pytest.raises(ValidationError) as caught:
        importer.import_inventory(db, system, csv_bytes(rows), "s.csv")
    assert caught.value.problems[0].column == "sector"


@pytest.mark.parametrize("header,message", [
    ([h for h in HEADER if h != "zh"], "required column"),
    (HEADER + ["zh"], "appears twice"),
    (["name", "value", "other"], "column names"),
], ids=["missing column", "duplicate column", "not a template"])
def test_header_errors(db, system, header, message):
    before = counts(db)
    with pytest.raises(ValidationError) as caught:
        importer.import_inventory(db, system, csv_bytes([], header=header), "h.csv")
    assert message in str(caught.value)
    assert counts(db) == before


def test_title_row_above_the_header_is_rejected(db, system):
    data = csv_bytes([HEADER] + GOOD_ROWS, header=["海口市公共场所外语标识普查表"] + [""] * 14)
    with pytest.raises(ValidationError) as caught:
        importer.import_inventory(db, system, data, "t.csv")
    assert "title or merged header" in str(caught.value)


def test_merged_header_cells_are_rejected(db, system):
    data = xlsx_bytes(GOOD_ROWS, merge="A1:C1")
    before = counts(db)
    with pytest.raises(ValidationError) as caught:
        importer.import_inventory(db, system, data, "m.xlsx")
    assert "merged cells (A1:C1)" in str(caught.value)
    assert counts(db) == before


def test_empty_file_and_header_only(db, system):
    with pytest.raises(ValidationError, match="empty"):
        importer.import_inventory(db, system, b"", "e.csv")
    with pytest.raises(ValidationError, match="no rows"):
        importer.import_inventory(db, system, csv_bytes([]), "e.csv")


def test_old_xls_is_explained(db, system):
    with pytest.raises(ValidationError, match="xlsx"):
        importer.import_inventory(db, system, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 50,
                                  "old.xls")


# --- county rules ---------------------------------------------------------------------------

def test_officer_imports_only_into_their_county(db, users):
    officer = users["officer"]  # 海口市
    before = counts(db)
    rows = [GOOD_ROWS[0], _row(county="三亚市", zh="出口")]
    with pytest.raises(ValidationError) as caught:
        importer.import_inventory(db, officer, csv_bytes(rows), "o.csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "county")]
    with pytest.raises(ValidationError, match="own county"):
        importer.import_inventory(db, officer, csv_bytes(GOOD_ROWS), "o.csv", county="三亚市")
    assert counts(db) == before
    # Rows without a county take the officer's own.
    rows = [_row(county="")]
    assert importer.import_inventory(db, officer, csv_bytes(rows), "o.csv").signs_created == 1


def test_county_option_fills_and_restricts(db, system):
    with pytest.raises(ValidationError) as caught:
        importer.import_inventory(db, system, csv_bytes(GOOD_ROWS), "c.csv", county="三亚市")
    assert all(p.column == "county" for p in caught.value.problems)
    rows = [_row(county="")]
    report = importer.import_inventory(db, system, csv_bytes(rows), "c.csv", county="Sanya")
    assert report.signs_created == 1
    assert db.execute("SELECT c.name_zh FROM signs s JOIN counties c ON c.id = s.county_id"
                      ).fetchone()[0] == "三亚市"


def test_approved_sign_cannot_be_changed_by_import(db, users):
    officer = users["officer"]
    importer.import_inventory(db, officer, csv_bytes([GOOD_ROWS[0]]), "a.csv")
    from workbench.db import transaction
    from workbench import audit
    with transaction(db):
        db.execute("UPDATE signs SET status = 'approved'")
        audit.record(db, auth.system_actor("pytest"), "test.approve", "sign", 1)
    changed = _row(en_current="CAUTION//Wet Floor")
    with pytest.raises(ValidationError, match="(?i)approved"):
        importer.import_inventory(db, officer, csv_bytes([changed]), "a.csv")


# --- photos in a ZIP ------------------------------------------------------------------------

def _jpeg(colour="red"):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def _zip(files):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_photos_from_a_zip_are_checked_and_attached(db, system, tmp_path):
    rows = [_row(photo="IMG_0001.JPG")]
    archive = _zip({"photos/IMG_0001.JPG": _jpeg()})
    report = importer.import_inventory(db, system, csv_bytes(rows), "p.csv", photos_zip=archive,
                                       upload_dir=tmp_path)
    assert report.photos == 1
    photo = next(db.query("SELECT * FROM sign_photos"))
    assert (tmp_path / photo["file_name"]).is_file() and photo["original_name"] == "IMG_0001.JPG"
    assert db.execute("SELECT photo_count FROM signs").fetchone()[0] == 1
    again = importer.import_inventory(db, system, csv_bytes(rows), "p.csv", photos_zip=archive,
                                      upload_dir=tmp_path)
    assert again.photos == 0 and again.signs_unchanged == 1


def test_a_non_image_in_the_zip_fails_the_whole_import(db, system, tmp_path):
    rows = [_row(photo="ok.jpg"), _row(zh="出口", photo="fake.jpg"),
            _row(zh="入口", photo="gone.jpg")]
    archive = _zip({"ok.jpg": _jpeg(), "fake.jpg": b"this is not a picture at all"})
    before = counts(db)
    with pytest.raises(ValidationError) as caught:
        importer.import_inventory(db, system, csv_bytes(rows), "p.csv", photos_zip=archive,
                                  upload_dir=tmp_path)
    reasons = {(p.row, p.column): str(p.reason) for p in caught.value.problems}
    assert "not a readable" in reasons[(3, "photo")]
    assert "not in the ZIP" in reasons[(4, "photo")]
    assert counts(db) == before
    assert not (tmp_path / "signs").exists()


# --- CLI ------------------------------------------------------------------------------------

def test_cli_import_exit_codes_and_stats(run_cli, tmp_path, db):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([GOOD_ROWS[0], _row(county="火星市", zh="出口")]))
    result = run_cli("inventory", "import", bad)
    assert result.exit_code != 0
    assert "row 3" in result.stderr and "火星市" in result.stderr
    assert db.execute("SELECT count(*) FROM signs").fetchone()[0] == 0

    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(GOOD_ROWS))
    result = run_cli("inventory", "import", good, "--dry-run")
    assert result.exit_code == 0 and "Would create 2 sites and 3 signs" in result.stdout
    assert db.execute("SELECT count(*) FROM signs").fetchone()[0] == 0
    result = run_cli("inventory", "import", good, "--county", "海口市")
    assert result.exit_code == 0, result.stderr
    assert "Created 2 sites and 3 signs" in result.stdout
    assert "Machine-drafted" in result.stdout
    result = run_cli("inventory", "stats")
    assert result.exit_code == 0
    line = next(text for text in result.stdout.splitlines() if text.startswith("海口市"))
    counts = [int(n) for n in line.split()[1:]]
    # submitted + drafting (the import drafts at once) = all three signs
    assert counts[0] + counts[1] == 3 and counts[-1] == 3


def test_xlsx_reader_gives_values_as_openpyxl_wrote_them():
    from workbench.files.limits import UploadLimits
    from workbench.files.spreadsheets import read_sheet

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([12, "海口市", "站 & <场>", None, "x", "facility", "出口", "Exit", None, None,
                  None, "en", 2.5, True, None, "keep", None, 19.5, 110])
    sheet.append([None] * 5 + [dt.datetime(2024, 5, 1, 8, 30)])
    sheet.cell(row=5, column=3, value="gap above")  # a missing row 4
    out = io.BytesIO()
    workbook.save(out)
    rows = list(read_sheet(out.getvalue(), "t.xlsx", UploadLimits()).rows)
    assert [number for number, _cells in rows] == [1, 2, 3, 4, 5]
    assert rows[0][1][:3] == HEADER[:3]
    assert rows[1][1][:3] == [12, "海口市", "站 & <场>"] and rows[1][1][12] == 2.5
    assert rows[1][1][13] is True and rows[1][1][3] == ""
    assert rows[2][1][5] == dt.datetime(2024, 5, 1, 8, 30)
    assert rows[4][1][2] == "gap above" and not any(rows[3][1])
