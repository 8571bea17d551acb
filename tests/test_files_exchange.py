"""The one TMX writer and the one XLIFF layer (workbench.files): what is written reads back."""
from __future__ import annotations

import io

from lxml import etree

from workbench.files.tmx import TmxUnit, write_tmx
from workbench.files.xliff import read_xliff, write_xliff20


def test_tmx_round_trips_through_translate_toolkit():
    from translate.storage.tmx import tmxfile

    units = [TmxUnit("signbench-1", [("zh", "小心地滑"), ("en", "CAUTION//Wet Floor")],
                     "2026-01-02T03:04:05+08:00", "2026-01-03T00:00:00", "reviewer",
                     [("x-domain", "transport"), ("x-function", None), ("x-kind", "sign")]),
             TmxUnit("signbench-2", [("zh", "出口"), ("en", "Exit")])]
    reported: list[int] = []
    buffer = io.BytesIO()
    assert write_tmx(buffer, units, source_lang="zh", progress=reported.append) == 2
    assert reported == [1, 2]
    data = buffer.getvalue()
    assert b'<!DOCTYPE tmx SYSTEM "tmx14.dtd">' in data
    store = tmxfile.parsestring(data)
    assert [(u.source, u.target) for u in store.units] == [
        ("小心地滑", "CAUTION//Wet Floor"), ("出口", "Exit")]
    first = etree.fromstring(data).find("body/tu")
    assert first.get("tuid") == "signbench-1" and first.get("changeid") == "reviewer"
    assert first.get("creationdate") == "20260101T190405Z"  # +08:00 → UTC
    assert [(p.get("type"), p.text) for p in first.findall("prop")] == [
        ("x-domain", "transport"), ("x-kind", "sign")]
    assert [etree.QName(c).localname for c in first] == ["prop", "prop", "tuv", "tuv"]


def test_tmx_writes_placeholders_as_inline_codes_only_when_asked():
    unit = TmxUnit("s1", [("zh", "请{1}勿{/1}吸烟{2/}"), ("en", "{1}No{/1} Smoking{2/}")])
    marked = io.BytesIO()
    write_tmx(marked, [unit], source_lang="zh", segtype="sentence", markup=True)
    seg = etree.fromstring(marked.getvalue()).find("body/tu/tuv/seg")
    assert [(c.tag, c.text) for c in seg] == [("bpt", "{1}"), ("ept", "{/1}"), ("ph", "{2/}")]
    assert "".join(seg.itertext()) == "请{1}勿{/1}吸烟{2/}"
    plain = io.BytesIO()
    write_tmx(plain, [unit], source_lang="zh")
    seg = etree.fromstring(plain.getvalue()).find("body/tu/tuv/seg")
    assert len(seg) == 0 and seg.text == "请{1}勿{/1}吸烟{2/}"


def test_xliff20_written_is_read_back_with_ids_notes_and_placeholders():
    rows = [{"unit_id": "u7.3", "source": "出口", "target": "Exit", "state": "machine_draft",
             "notes": [("x-function", "facility"), ("x-sector", None)]},
            {"id": 9, "locator": "p3", "source": "请{1}勿{/1}吸烟", "target": None,
             "state": "new", "tags": {"1": {"label": "bold"}}}]
    data = write_xliff20("Report", "report.docx", "zh", "en", rows)
    root = etree.fromstring(data)
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    first = root.find("x:file/x:unit", ns)
    assert [etree.QName(c).localname for c in first] == ["notes", "segment"]
    assert [n.get("category") for n in first.iterfind("x:notes/x:note", ns)] == ["x-function"]
    assert first.find("x:segment", ns).get("state") == "initial"
    document = read_xliff(data)
    assert document.version == "2.0" and document.target_lang == "en"
    assert [document.unit_ids[b.locator] for b in document.blocks] == ["u7.3", "s9"]
    assert [b.text for b in document.blocks] == ["出口", "请{1}勿{/1}吸烟"]
    assert list(document.targets.values()) == ["Exit"]


def test_xliff_11_from_translate_toolkit_is_read_as_12():
    from translate.storage.xliff import xlifffile

    store = xlifffile()
    store.setsourcelanguage("zh")
    store.settargetlanguage("ja")
    unit = store.addsourceunit("服务台")
    unit.setid("u1.1")
    unit.target = "サービスカウンター"
    document = read_xliff(bytes(store))
    assert document.version == "1.2" and document.target_lang == "ja"
    assert [(document.unit_ids[b.locator], b.text, document.targets.get(b.locator))
            for b in document.blocks] == [("u1.1", "服务台", "サービスカウンター")]
