"""Loading, importing and exporting the glossary: validation, all-or-nothing, round trips."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from workbench import auth, migrations
from workbench.db import open_db
from workbench.errors import ValidationError
from workbench.glossary import glossary_version, load_glossary
from workbench.glossary import io as gio
from workbench.glossary.model import get_concept, load_all_concepts
from workbench.glossary.seed import load_shipped, stored_checksum

DATA = Path(__file__).parent / "data" / "glossary"
SHIPPED = Path(__file__).resolve().parent.parent / "glossaries"
ACTOR = auth.system_actor("pytest")

HEADER = "id,domain,function,source,verified,zh,en,en_forbidden,ru,notes\n"


def counts(db) -> tuple[int, int, int]:
    """(concepts, terms, audit events) — to prove that nothing was written."""
    return (db["glossary_concepts"].count, db["glossary_terms"].count, db["audit_events"].count)


def concept_events(db, concept_id: str) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT action FROM audit_events WHERE entity_type = 'concept' AND entity_id = ? "
        "ORDER BY id", [concept_id])]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "glossaries"
    shutil.copytree(DATA / "folder", target)
    return target


@pytest.fixture
def empty_db(tmp_path: Path):
    """A database with the schema and no glossary."""
    database = open_db(tmp_path / "empty.sqlite3")
    migrations.apply(database)
    yield database
    database.close()


# --- the shipped glossary and init -----------------------------------------------------------

def test_init_loaded_the_shipped_glossary(db):
    assert db["glossary_concepts"].count > 100
    langs = {r[0] for r in db.execute("SELECT DISTINCT lang FROM glossary_terms")}
    assert {"zh", "en"} <= langs
    assert stored_checksum(db) == gio.folder_checksum(SHIPPED)  # init recorded what it loaded


def test_seed_is_cheap_and_writes_nothing_when_files_did_not_change(db):
    before = counts(db), glossary_version(db)
    settings = {"GLOSSARY_DIR": str(SHIPPED)}
    # Forced: the files are read and compared, but every concept is unchanged.
    load_shipped(db, settings, ACTOR, force=True)
    load_shipped(db, settings, ACTOR)
    assert (counts(db), glossary_version(db)) == before


def test_shipped_glossary_loads_strictly_without_problems(empty_db):
    report = gio.load_directory(empty_db, ACTOR, SHIPPED)
    assert report.created and not report.problems
    assert empty_db["audit_events"].count == len(report.created)


def test_shipped_glossary_meets_the_coverage_targets(db):
    from workbench.glossary.model import stats

    figures = stats(db)
    with_english = db.execute(
        """SELECT count(DISTINCT z.concept_id) FROM glossary_terms z JOIN glossary_terms e
           ON e.concept_id = z.concept_id AND e.lang = 'en' AND e.status = 'preferred'
           WHERE z.lang = 'zh' AND z.status = 'preferred'""").fetchone()[0]
    assert with_english >= 1500
    for lang in ("ru", "ja", "ko"):
        assert figures.concepts_by_language.get(lang, 0) >= 200, lang
    for domain in ("general", "transport", "tourism", "culture", "sports", "education",
                   "medical", "post", "catering", "commerce", "place_names", "organizations"):
        assert figures.by_domain.get(domain, 0) > 0, domain
    assert figures.by_language_status.get(("en", "forbidden"), 0) > 0


def test_consistency_lists_shared_wording_and_conflicting_statuses(empty_db):
    from workbench.glossary.model import consistency

    data = ("id,domain,zh,en,en_forbidden\n"
            "k-1,general,洗手间,Toilet,Restroom\n"
            "k-2,catering,洗手间,Restroom,\n").encode()
    gio.import_file(empty_db, ACTOR, data, "k.csv")
    found = consistency(empty_db)
    assert found.shared_source == {"洗手间": ["k-1", "k-2"]}
    assert found.forbidden_elsewhere_ok == [("k-1", "Restroom", ["k-2"])]


# --- load DIR: upsert, audit, version --------------------------------------------------------

def test_load_directory_creates_audits_and_is_idempotent(empty_db, folder):
    version = glossary_version(empty_db)
    report = gio.load_directory(empty_db, ACTOR, folder)
    assert sorted(report.created) == ["t-0001", "t-0002", "t-0003", "t-0004", "t-0005"]
    assert concept_events(empty_db, "t-0002") == ["concept.create"]
    assert glossary_version(empty_db) == version + 1
    toilet = get_concept(empty_db, "t-0002")
    assert [(t.lang, t.text, t.status) for t in toilet.terms_in("en")] == [
        ("en", "Accessible Toilet", "preferred"), ("en", "Toilet for the Disabled", "admitted"),
        ("en", "Deformed Man Toilet", "forbidden")]
    assert toilet.terms_in("zh", "admitted")[0].text == "无障碍卫生间"
    assert get_concept(empty_db, "t-0001").verified is True

    again = gio.load_directory(empty_db, ACTOR, folder)
    assert not again.changed and again.unchanged == 5
    assert empty_db["audit_events"].count == 5
    assert glossary_version(empty_db) == version + 1


def test_changed_row_is_one_update_event_and_new_matcher(empty_db, folder):
    gio.load_directory(empty_db, ACTOR, folder)
    assert load_glossary(empty_db, "zh", "en").lookup("火车站").target == "Railway Station"
    path = folder / "more.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Railway Station", "Train Station"),
                    encoding="utf-8")
    report = gio.load_directory(empty_db, ACTOR, folder)
    assert report.updated == ["t-0005"] and not report.created
    assert concept_events(empty_db, "t-0005") == ["concept.create", "concept.update"]
    event = empty_db.execute("SELECT before_json, after_json FROM audit_events "
                             "ORDER BY id DESC LIMIT 1").fetchone()
    assert "Railway Station" in event[0] and "Train Station" in event[1]
    assert load_glossary(empty_db, "zh", "en").lookup("火车站").target == "Train Station"


def test_reload_keeps_concepts_edited_or_deleted_in_the_workbench(empty_db, folder):
    from workbench.glossary.store import delete_concept, save_concept

    gio.load_directory(empty_db, ACTOR, folder)
    edited = get_concept(empty_db, "t-0005")
    edited.terms[1].text = "Railway Station (edited)"
    save_concept(empty_db, ACTOR, edited)
    delete_concept(empty_db, ACTOR, "t-0004")
    path = folder / "more.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Railway Station", "Train Station")
                    .replace("Car Rental", "Car Hire"), encoding="utf-8")
    report = gio.load_directory(empty_db, ACTOR, folder)
    assert sorted(report.kept) == ["t-0004", "t-0005"] and not report.changed
    assert get_concept(empty_db, "t-0005").terms_in("en")[0].text == "Railway Station (edited)"
    assert "t-0004" not in load_all_concepts(empty_db)
    forced = gio.load_directory(empty_db, ACTOR, folder, overwrite_local_edits=True)
    assert forced.created == ["t-0004"] and forced.updated == ["t-0005"]
    assert get_concept(empty_db, "t-0005").terms_in("en")[0].text == "Train Station"


def test_load_directory_is_all_or_nothing(empty_db, folder):
    (folder / "broken.csv").write_text(HEADER + "t-0100,nowhere,,common usage,0,入口,Entrance,,,\n",
                                       encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        gio.load_directory(empty_db, ACTOR, folder)
    assert counts(empty_db) == (0, 0, 0)
    [found] = caught.value.problems
    assert (found.file, found.row, found.column, found.value) == (
        "broken.csv", 2, "domain", "nowhere")
    assert "broken.csv, row 2, column 'domain'" in str(found)


def test_lenient_load_skips_bad_rows_and_reports_them(empty_db, folder):
    (folder / "broken.csv").write_text(
        HEADER + "t-0100,nowhere,,common usage,0,入口,Entrance,,,\n"
                 "t-0101,general,,common usage,0,洗手间,Toilet,,,\n", encoding="utf-8")
    report = gio.load_directory(empty_db, ACTOR, folder, lenient=True)
    assert "t-0101" in report.created and "t-0100" not in report.created
    assert [(p.file, p.row) for p in report.problems] == [("broken.csv", 2)]


# --- import: every error reported, nothing written -------------------------------------------

def import_bytes(db, data: bytes, name: str = "in.csv", **options):
    return gio.import_file(db, ACTOR, data, name, **options)


def test_import_bad_encoding_writes_nothing(db):
    before = counts(db)
    data = (HEADER + "t-0100,general,,common usage,0,入口,Entrance,,,\n").encode("utf-16-le")
    with pytest.raises(ValidationError) as caught:
        import_bytes(db, data + b"\xff\xff\x00\xd8")
    assert "UTF-8" in str(caught.value)
    garbage = b"id,domain,zh,en\nx-1,general,\x81\x20\xff,Exit\n"
    with pytest.raises(ValidationError):
        import_bytes(db, garbage)
    assert counts(db) == before


def test_import_missing_column_writes_nothing(db):
    before = counts(db)
    with pytest.raises(ValidationError) as caught:
        import_bytes(db, "id,zh,en\nt-0100,入口,Entrance\n".encode())
    [found] = caught.value.problems
    assert (found.row, found.column) == (1, "domain")
    assert "missing" in str(found.reason)
    assert counts(db) == before


def test_import_duplicate_ids_names_both_lines(db):
    before = counts(db)
    data = (HEADER + "t-0100,general,,common usage,0,入口,Entrance,,,\n"
                     "t-0101,general,,common usage,0,出口,Exit,,,\n"
                     "t-0100,general,,common usage,0,问讯处,Information,,,\n").encode()
    with pytest.raises(ValidationError) as caught:
        import_bytes(db, data)
    [found] = caught.value.problems
    assert (found.row, found.column, found.value) == (4, "id", "t-0100")
    assert "line 2" in str(found.reason)
    assert counts(db) == before


def test_import_unknown_language_writes_nothing(db):
    before = counts(db)
    with pytest.raises(ValidationError) as caught:
        import_bytes(db, "id,domain,zh,en,xx_admitted\nt-0100,general,入口,Entrance,Foo\n".encode())
    [found] = caught.value.problems
    assert (found.row, found.column) == (1, "xx_admitted")
    assert "Unknown language" in found.reason
    assert counts(db) == before


def test_import_reports_every_bad_row_with_line_field_reason(db):
    before = counts(db)
    data = (HEADER
            + "t-0100,general,exit-sign,common usage,0,入口,Entrance,,,\n"   # function
            + "t-0101,general,,common usage,maybe,出口,Exit,,,\n"          # verified
            + "t-0102,general,,common usage,0,,,,,\n"                      # no preferred term
            + "bad id!,general,,common usage,0,问讯处,Information,,,\n"    # id
            + "t-0104,general,,common usage,0,楼梯,Stairs,Stairs,,\n"      # same term twice
            ).encode()
    with pytest.raises(ValidationError) as caught:
        import_bytes(db, data)
    located = {(p.row, p.column) for p in caught.value.problems}
    assert located == {(2, "function"), (3, "verified"), (4, "terms"), (5, "id"),
                       (6, "en_forbidden")}
    assert counts(db) == before


def test_import_detects_gb18030_and_utf8_bom(db):
    row = ("t-0100,general,facility,common usage,0,母婴室,Baby Care Room,,"
           "Комната матери и ребенка,\n")
    gio.import_file(db, ACTOR, (HEADER + row).encode("gb18030"), "gbk.csv")
    assert get_concept(db, "t-0100").terms_in("zh")[0].text == "母婴室"
    parsed = gio.read_csv((HEADER + row.replace("t-0100", "t-0101")).encode("utf-8-sig"))
    assert parsed.encoding == "utf-8-sig" and parsed.records[0].id == "t-0101"
    assert gio.read_csv((HEADER + row).encode("gb18030")).encoding == "gb18030"


def test_import_dry_run_writes_nothing(db):
    before = counts(db), glossary_version(db)
    report = import_bytes(db, (HEADER + "t-0100,general,,common usage,0,入口,Entrance,,,\n")
                          .encode(), dry_run=True)
    assert report.created == ["t-0100"] and report.dry_run
    assert (counts(db), glossary_version(db)) == before


def test_import_without_id_upserts_on_source_term_and_domain(empty_db):
    data = "domain,zh,en\ngeneral,入口,Entrance\ngeneral,出口,Exit\n".encode()
    first = import_bytes(empty_db, data)
    assert len(first.created) == 2
    second = import_bytes(empty_db, "domain,zh,en\ngeneral,入口,Way In\n".encode())
    assert second.updated == [first.created[0]] and not second.created
    assert get_concept(empty_db, first.created[0]).terms_in("en")[0].text == "Way In"


def test_import_keeps_languages_the_file_does_not_carry(empty_db, folder):
    gio.load_directory(empty_db, ACTOR, folder)
    import_bytes(empty_db, "id,domain,zh,en\nt-0001,general,出口,Way Out\n".encode())
    concept = get_concept(empty_db, "t-0001")
    assert [t.text for t in concept.terms_in("en")] == ["Way Out"]
    assert [t.text for t in concept.terms_in("ru")] == ["Выход"]


def test_xlsx_import(empty_db):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "domain", "verified", "zh", "en", "ko"])
    sheet.append(["t-0200", "general", 1, "电梯", "Elevator", "엘리베이터"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["t-0201", "sports", 0, "体育馆", "Gymnasium", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_bytes(empty_db, buffer.getvalue(), "terms.xlsx")
    assert sorted(report.created) == ["t-0200", "t-0201"]
    assert get_concept(empty_db, "t-0200").verified is True
    assert get_concept(empty_db, "t-0200").terms_in("ko")[0].text == "엘리베이터"


def test_xlsx_problems_name_the_row(empty_db):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["id", "domain", "zh", "en"])
    workbook.active.append(["t-0200", "space", "电梯", "Elevator"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ValidationError) as caught:
        import_bytes(empty_db, buffer.getvalue(), "terms.xlsx")
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "domain")]
    assert counts(empty_db) == (0, 0, 0)


def test_not_a_tbx_or_broken_xml_is_reported(empty_db):
    with pytest.raises(ValidationError) as caught:
        import_bytes(empty_db, b"<martif><text><body><termEntry>", "x.tbx")
    assert "well-formed" in str(caught.value)
    with pytest.raises(ValidationError):
        import_bytes(empty_db, b"<html/>", "x.tbx")


# --- exports and round trips -----------------------------------------------------------------

def export(db, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    gio.export_glossary(db, fmt, buffer, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["tbx", "csv", "xlsx"])
def test_round_trip_of_the_shipped_glossary(db, empty_db, fmt):
    original = {cid: c.as_dict() for cid, c in load_all_concepts(db).items()}
    data = export(db, fmt)
    report = gio.import_file(empty_db, ACTOR, data, f"glossary.{fmt}")
    assert len(report.created) == len(original)
    copied = {cid: c.as_dict() for cid, c in load_all_concepts(empty_db).items()}
    assert copied == original
    # Importing the export into the glossary it came from changes nothing.
    again = gio.import_file(db, ACTOR, data, f"glossary.{fmt}")
    assert not again.changed and again.unchanged == len(original)


def test_tbx_parses_with_translate_toolkit_and_keeps_languages_and_statuses(db, empty_db,
                                                                               folder):
    from translate.storage.tbx import tbxfile

    gio.load_directory(empty_db, ACTOR, folder)
    data = export(empty_db, "tbx")
    store = tbxfile.parsestring(data)
    units = {u.xmlelement.get("id"): u for u in store.units}
    assert set(units) == {"t-0001", "t-0002", "t-0003", "t-0004", "t-0005"}
    toilet = units["t-0002"]
    languages = [n.get("{http://www.w3.org/XML/1998/namespace}lang")
                 for n in toilet.getlanguageNodes()]
    assert languages == ["zh", "en", "ru"]
    assert [t.text for t in toilet.get_source_terms()] == ["残疾人厕所", "无障碍卫生间"]
    english = toilet.get_target_terms("en")
    assert [(t.text, t.administrative_status) for t in english] == [
        ("Accessible Toilet", "preferredTerm-admn-sts"),
        ("Toilet for the Disabled", "admittedTerm-admn-sts"),
        ("Deformed Man Toilet", "deprecatedTerm-admn-sts")]
    # translate-toolkit's own reading: the forbidden rendering is one not to use.
    assert [t.deprecated for t in english] == [False, False, True]
    assert [t.text for t in toilet.get_target_terms("ru")] == ["Туалет для инвалидов"]
    # And our reader gives back every status, including deprecated (not recommended).
    parsed = gio.read_tbx(data)
    assert not parsed.problems and parsed.languages == {"zh", "en", "ru"}


def test_tbx_keeps_deprecated_part_of_speech_and_notes(empty_db):
    from workbench.glossary.model import ConceptRecord, TermRecord
    from workbench.glossary.store import save_concept

    save_concept(empty_db, ACTOR, ConceptRecord(
        id="t-0300", domain="general", function="notice", notes="line one\nline two",
        terms=[TermRecord("zh", "油漆未干", "preferred", "phrase"),
               TermRecord("en", "Wet Paint", "preferred", "phrase"),
               TermRecord("en", "Paint Not Dry", "deprecated"),
               TermRecord("ja", "ペンキ塗りたて", "preferred")]))
    parsed = gio.read_tbx(export(empty_db, "tbx"))
    [record] = parsed.records
    assert record.as_dict() == get_concept(empty_db, "t-0300").as_dict()


def test_export_languages_and_formula_guard(empty_db):
    from workbench.glossary.model import ConceptRecord, TermRecord
    from workbench.glossary.store import save_concept

    save_concept(empty_db, ACTOR, ConceptRecord(
        id="t-0400", domain="commerce", terms=[
            TermRecord("zh", "加一", "preferred"), TermRecord("en", "=1+1", "preferred"),
            TermRecord("ru", "Плюс один", "preferred")]))
    csv_text = export(empty_db, "csv", langs=["zh", "en"]).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "id,domain,function,source,verified,zh,en,notes"
    assert "'=1+1" in csv_text and "Плюс" not in csv_text
    parsed = gio.read_csv(csv_text.encode("utf-8"))
    assert parsed.records[0].terms_in("en")[0].text == "=1+1"
    from openpyxl import load_workbook

    xlsx = export(empty_db, "xlsx")
    sheet = load_workbook(io.BytesIO(xlsx)).active
    # Guarded in XLSX as in CSV (a re-saved or edited cell must not become a formula) …
    assert sheet["G2"].value == "'=1+1" and sheet["G2"].data_type == "s"
    # … and read back as the term itself.
    assert gio.read_xlsx(xlsx).records[0].terms_in("en")[0].text == "=1+1"
    with pytest.raises(ValidationError):
        export(empty_db, "csv", langs=["qq"])


def test_tbx_from_a_cat_tool_folds_region_codes_and_defaults_the_domain(empty_db):
    data = (DATA / "cat_tool.tbx").read_bytes()
    report = import_bytes(empty_db, data, "cat_tool.tbx")
    assert report.created == ["cat-tool-1"]
    concept = get_concept(empty_db, "cat-tool-1")
    assert concept.domain == "general" and concept.notes == "from the airport project"
    assert [(t.lang, t.text, t.status) for t in concept.terms] == [
        ("zh", "行李寄存", "preferred"),
        ("en", "Left Luggage", "preferred"), ("en", "Baggage Deposit", "admitted"),
        ("en", "Luggage Deposit Office", "deprecated"),
        ("zh-TW", "行李寄放", "preferred")]


def test_tbx_v3_concept_entries_import(empty_db):
    report = import_bytes(empty_db, (DATA / "v3.tbx").read_bytes(), "v3.tbx")
    assert report.created == ["v3-1"]
    concept = get_concept(empty_db, "v3-1")
    assert concept.domain == "transport"
    assert concept.terms_in("zh")[0].pos == "noun"
    assert [(t.text, t.status) for t in concept.terms_in("en")] == [
        ("Waiting Room", "preferred"), ("Wait Room", "forbidden")]


def test_tbx_problems_name_the_line(empty_db):
    data = (DATA / "v3.tbx").read_bytes().replace(b'xml:lang="en"><termSec>',
                                                   b'xml:lang="qq"><termSec>')
    with pytest.raises(ValidationError) as caught:
        import_bytes(empty_db, data, "v3.tbx")
    [found] = caught.value.problems
    assert (found.row, found.column, found.value) == (8, "xml:lang", "qq")
    assert counts(empty_db) == (0, 0, 0)
