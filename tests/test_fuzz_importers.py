"""Fuzzing every importer: random and mutated files never crash and never write partially.

Each example feeds a random or mutated CSV, XLSX, TBX, XLIFF or DOCX to the real
import function. The only acceptable outcomes are a clean import or a
WorkbenchError (a message for the user) — and after a refusal the database is
exactly as before. The audit guard (conftest) also fails any example that wrote
without an audit event. Examples are few and bounded; no deadline.
"""
from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import crafted
from workbench import auth
from workbench.errors import WorkbenchError

FUZZ = settings(max_examples=50, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
TABLES = ("signs", "sites", "sign_current_texts", "translation_units", "sign_units",
          "inventory_imports", "sign_photos", "glossary_concepts", "glossary_terms",
          "documents", "doc_segments", "audit_events", "pending_imports")

CSV = ("县市,场所,行业,位置,功能,中文,现有英文,语种,数量,处置,纬度,经度\n"
       "海口市,海口站,交通,一层,功能设施,出口,Exit,en;ru,2,保留,19.9,110.3\n"
       "海口市,海口站,交通,二层,警示警告,小心地滑,Carefully Slide,en,1,更正,,\n").encode()
TBX = ('<?xml version="1.0" encoding="UTF-8"?><martif type="TBX-Basic" xml:lang="en"><text>'
       '<body><termEntry id="t-9001"><descrip type="subjectField">general</descrip>'
       '<langSet xml:lang="zh"><tig><term>出口</term><termNote type="administrativeStatus">'
       'preferredTerm-admn-sts</termNote></tig></langSet><langSet xml:lang="en"><tig>'
       '<term>Exit</term></tig></langSet></termEntry></body></text></martif>').encode()
XLIFF = ('<?xml version="1.0" encoding="UTF-8"?><xliff version="2.0" xmlns="urn:oasis:names:'
         'tc:xliff:document:2.0" srcLang="zh" trgLang="en"><file id="f1"><unit id="u1">'
         '<segment><source>海南自由贸易港建设<pc id="1">稳步推进</pc>。</source><target>'
         'Progress</target></segment></unit></file></xliff>').encode()
DOCX_BODY = (b"<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t>\xe6\x80\xbb\xe5"
             b"\x88\x99</w:t></w:r></w:p><w:p><w:r><w:rPr><w:b/></w:rPr><w:t>\xe7\xac\xac"
             b"\xe4\xb8\x80\xe6\x9d\xa1</w:t></w:r><w:r><w:t>\xe6\x94\xbf\xe7\xad\x96\xe3\x80"
             b"\x82</w:t></w:r></w:p>")


def counts(db) -> tuple[int, ...]:
    return tuple(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES)


def mutated(seed: bytes) -> st.SearchStrategy[bytes]:
    """Byte-level mutations of a valid file: flips, cuts, insertions, duplications."""
    def apply(edits: list[tuple[int, int, bytes]]) -> bytes:
        data = bytearray(seed)
        for kind, position, payload in edits:
            position %= max(len(data), 1)
            if kind == 0:
                data[position:position + len(payload)] = payload
            elif kind == 1:
                del data[position:position + len(payload) + 1]
            elif kind == 2:
                data[position:position] = payload
            else:
                data[position:position] = data[position:position + 64] * 3
        return bytes(data)
    edit = st.tuples(st.integers(0, 3), st.integers(0, 1 << 20), st.binary(min_size=1,
                                                                              max_size=8))
    return st.lists(edit, min_size=1, max_size=6).map(apply)


def text_files(seed: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=2000), mutated(seed))


def refused_or_clean(db, call) -> None:
    before = counts(db)
    try:
        call()
    except WorkbenchError:
        assert counts(db) == before, "a refused import changed the database"


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


SHEET = (crafted.inline_row(1, [("A1", "县市"), ("B1", "场所"), ("C1", "行业"), ("D1", "功能"),
                                ("E1", "中文"), ("F1", "处置")]) +
         crafted.inline_row(2, [("A2", "海口市"), ("B2", "海口站"), ("C2", "交通"),
                                ("D2", "功能设施"), ("E2", "出口"), ("F2", "保留")])).encode()


def xlsx_files() -> st.SearchStrategy[bytes]:
    whole = crafted.xlsx(SHEET)
    return st.one_of(mutated(whole), mutated(SHEET).map(crafted.xlsx),
                     st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b))


@FUZZ
@given(data=text_files(CSV))
def test_inventory_csv(db, data):
    actor = auth.system_actor("fuzz")
    refused_or_clean(db, lambda: __import__("workbench.inventory.importer", fromlist=["x"])
                     .import_inventory(db, actor, data, "fuzz.csv"))


@FUZZ
@given(data=xlsx_files())
def test_inventory_xlsx(db, data):
    from workbench.inventory.importer import import_inventory

    refused_or_clean(db, lambda: import_inventory(db, auth.system_actor("fuzz"), data,
                                                  "fuzz.xlsx"))


@FUZZ
@given(data=text_files(TBX), name=st.sampled_from(["g.tbx", "g.csv", "g.xlsx"]))
def test_glossary(db, data, name):
    from workbench.glossary.io import import_file

    refused_or_clean(db, lambda: import_file(db, auth.system_actor("fuzz"), data, name))


@FUZZ
@given(data=text_files(XLIFF))
def test_document_xliff(db, users, data):
    from workbench.documents.store import create_document

    refused_or_clean(db, lambda: create_document(db, users["staff"], "fuzz.xlf", data))


@FUZZ
@given(data=text_files(XLIFF))
def test_xliff_reimport(db, users, data):
    from workbench.exports.exchange import import_xliff

    refused_or_clean(db, lambda: import_xliff(db, users["translator"], data, "fuzz.xlf"))


@FUZZ
@given(data=st.one_of(mutated(crafted.docx(DOCX_BODY)), mutated(DOCX_BODY).map(crafted.docx)))
def test_document_docx(db, users, data):
    from workbench.documents.store import create_document

    refused_or_clean(db, lambda: create_document(db, users["staff"], "fuzz.docx", data))
