"""Crafted uploads: each one gets a clear refusal (or is read), within 300 MB of memory.

Every file is generated here and handed to the real import function in a child
process, which reports its own peak memory: the peak includes Python, the
workbench and the libraries, i.e. what a server process would pay. The child
reads its high-water mark from ``/proc/self/status`` (VmHWM): on Linux
``ru_maxrss`` also counts the memory of the parent it was forked from (the
test process), which the exec that started the child released.
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import crafted

PEAK_LIMIT_MB = 300

CHILD = r"""
import json, resource, sys
from workbench import auth, db as dbmod
from workbench.errors import ValidationError
kind, path, name, db_path, warm = sys.argv[1:6]
data = open(path, "rb").read()
db = dbmod.open_db(db_path)
actor = auth.system_actor("memory-test")
result = {"outcome": "read", "setting": None, "message": ""}


def memory_kb(field):
    try:
        return int(open("/proc/self/status").read().split(field + ":")[1].split()[0])
    except (OSError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


baseline_kb = 0
if warm == "warm":
    # A server has loaded the QA machinery (glossary, rule engine, dictionaries) before any
    # upload: import one row first, then measure what this upload adds (peak reset).
    from workbench.inventory.importer import import_inventory
    import_inventory(db, actor, data.split(b"\n", 2)[0] + b"\n" + data.split(b"\n", 2)[1]
                     + b"\n", "warm.csv", dry_run=True) if name.endswith(".csv") else None
    from workbench.checks import run_checks
    run_checks(db, "小心地滑", "Carefully Slide", "en", function="warning")
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # resets VmHWM to the current resident size
    baseline_kb = memory_kb("VmRSS")
try:
    if kind == "inventory":
        from workbench.inventory.importer import import_inventory
        import_inventory(db, actor, data, name, dry_run=True)
    elif kind == "photos":
        from workbench.inventory.importer import import_inventory
        sheet = ("county,site,sector,function,zh,action,photo\n"
                 "海口市,海口站,transport,facility,出口,keep,photo.jpg\n").encode()
        import_inventory(db, actor, sheet, "p.csv", dry_run=True, photos_zip=data)
    elif kind == "document":
        from workbench.documents import store
        store.parse_file(store.detect_format(name, data), data)
    elif kind == "glossary":
        from workbench.glossary.io import import_file
        import_file(db, actor, data, name, dry_run=True)
    elif kind == "xliff":
        from workbench.exports.exchange import import_xliff
        import_xliff(db, actor, data, name)
except ValidationError as error:
    import re
    named = re.search(r"setting ([A-Z_]+)", str(error))
    result = {"outcome": "refused", "message": str(error)[:2000],
              "setting": getattr(error, "setting", None) or (named and named.group(1))}
result["peak_mb"] = (memory_kb("VmHWM") - baseline_kb) / 1024
result["baseline_mb"] = baseline_kb / 1024
print(json.dumps(result))
"""


def _rows_xlsx(rows: int) -> bytes:
    return crafted.xlsx(b"<row/>" * rows)


def _numbered_rows_xlsx(rows: int) -> bytes:
    return crafted.xlsx("".join(f'<row r="{n}"/>' for n in range(1, rows + 1)))


def _far_cell_xlsx(reference: str) -> bytes:
    return crafted.xlsx(crafted.inline_row(1, [("A1", "县市")]) +
                        f'<row r="2"><c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row>')


def _lying_xlsx() -> bytes:
    """A workbook whose sheet declares 200 bytes but holds 2 MB."""
    good = crafted.xlsx(crafted.inline_row(1, [("A1", "县市")]) + "<row/>" * 200_000)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
    data = bytearray(out.getvalue())
    central = data.find(b"PK\x01\x02", data.find(b"xl/worksheets/sheet1.xml") - 100)
    position = data.find(b"xl/worksheets/sheet1.xml", central) - 46
    data[position + 24:position + 28] = (200).to_bytes(4, "little")
    return bytes(data)


def _paragraphs_docx(count: int, varied: bool) -> bytes:
    if varied:
        body = b"".join(b"<w:p><w:r><w:t>%d</w:t></w:r></w:p>" % n for n in range(count))
    else:
        body = b"<w:p/>" * count
    return crafted.docx(body)


def _legit_xlsx(rows: int) -> bytes:
    header = ["county", "site", "sector", "location", "function", "zh", "en_current", "action"]
    letters = "ABCDEFGH"
    parts = [crafted.inline_row(1, list(zip([f"{c}1" for c in letters], header, strict=True)))]
    for n in range(2, rows + 2):
        values = ["海口市", f"场所{n % 146}", "transport", f"{n}号点位", "facility",
                  ["出口", "入口", "卫生间", "小心地滑"][n % 4],
                  ["Exit", "Entrance", "Toilet", "Carefully Slide"][n % 4], "correct"]
        cells = [f"{c}{n}" for c in letters]
        parts.append(crafted.inline_row(n, list(zip(cells, values, strict=True))))
    return crafted.xlsx("".join(parts))


def _legit_csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["county", "site", "sector", "location", "function", "zh", "en_current",
                     "action"])
    for n in range(rows):
        writer.writerow(["海口市", f"场所{n % 146}", "transport", f"{n}号点位", "facility",
                         ["出口", "入口", "卫生间", "小心地滑"][n % 4],
                         ["Exit", "Entrance", "Toilet", "Carefully Slide"][n % 4], "correct"])
    return out.getvalue().encode("utf-8")


CASES = {
    # name: (kind, file name, maker, expected outcome, expected setting or None)
    "xlsx-3m-empty-rows": ("inventory", "rows.xlsx", lambda: _rows_xlsx(3_000_000),
                           "refused", "ZIP_MAX_RATIO"),
    "xlsx-1m-numbered-rows": ("inventory", "rows.xlsx", lambda: _numbered_rows_xlsx(1_000_000),
                              "refused", "IMPORT_MAX_ROWS"),
    "xlsx-ZZZZZZZZZ2": ("inventory", "far.xlsx", lambda: _far_cell_xlsx("ZZZZZZZZZ2"),
                        "refused", "IMPORT_MAX_COLUMNS"),
    "xlsx-AAAAA2": ("inventory", "far.xlsx", lambda: _far_cell_xlsx("AAAAA2"),
                    "refused", "IMPORT_MAX_COLUMNS"),
    "xlsx-shared-strings-count": ("inventory", "sst.xlsx", lambda: crafted.xlsx(
        crafted.inline_row(1, [("A1", "县市")]),
        sst=crafted.shared_strings(["x"], unique_count=99_999_999_999)),
        "refused", "IMPORT_MAX_CELLS"),
    "xlsx-bad-shared-string": ("inventory", "sst.xlsx", lambda: crafted.xlsx(
        '<row r="1"><c r="A1" t="s"><v>99</v></c></row>'), "refused", None),
    "xlsx-lying-member": ("inventory", "lie.xlsx", _lying_xlsx, "refused", None),
    "xlsx-zip-bomb": ("inventory", "bomb.xlsx", lambda: crafted.zip_bomb(
        "xl/worksheets/sheet1.xml", 120 * 1024 * 1024), "refused", "ZIP_MAX_RATIO"),
    "csv-5mb-newlines": ("inventory", "lines.csv", lambda: b"county,site,sector,function,zh,"
                         b"action\n" + b"\n" * 5_000_000, "refused", "IMPORT_MAX_ROWS"),
    # Within the limits, a real import: measured in a process that already holds the QA
    # machinery, as a server does (what the upload itself adds).
    "csv-100k-rows-within-limits": ("inventory", "ok.csv", lambda: _legit_csv(100_000),
                                    "read", None),
    "xlsx-100k-rows-within-limits": ("inventory", "ok.xlsx", lambda: _legit_xlsx(100_000),
                                     "read", None),
    "photos-lying-sizes": ("photos", "p.zip", lambda: crafted.lying_zip(
        "photo.jpg", b"\xff\xd8" + b"x" * 100_000, 100), "refused", None),
    "photos-zip-bomb": ("photos", "p.zip", lambda: crafted.zip_bomb("photo.jpg"),
                        "refused", "ZIP_MAX_RATIO"),
    "docx-2m-paragraphs": ("document", "big.docx", lambda: _paragraphs_docx(2_000_000, False),
                           "refused", "ZIP_MAX_RATIO"),
    "docx-paragraphs-varied": ("document", "big.docx", lambda: _paragraphs_docx(300_000, True),
                               "refused", "DOCUMENT_MAX_PARAGRAPHS"),
    "txt-newlines": ("document", "big.txt", lambda: "政策\n".encode() * 2_000_000, "refused",
                     "DOCUMENT_MAX_PARAGRAPHS"),
    "tbx-elements": ("glossary", "g.tbx", lambda: b"<martif><text><body>" +
                     b"<termEntry/>" * 2_000_000 + b"</body></text></martif>",
                     "refused", "XML_MAX_ELEMENTS"),
    "glossary-csv-newlines": ("glossary", "g.csv", lambda: b"id,domain,zh,en\n" + b"\n" * 5_000_000,
                              "refused", "IMPORT_MAX_ROWS"),
    "xliff-elements": ("xliff", "x.xlf", lambda: b'<xliff version="2.0" xmlns="urn:oasis:names:'
                       b'tc:xliff:document:2.0"><file id="f">' + b"<unit id='u'/>" * 2_000_000 +
                       b"</file></xliff>", "refused", "XML_MAX_ELEMENTS"),
}


def _measure(kind: str, name: str, data: bytes, db_path: Path, tmp_path: Path,
             warm: bool = False) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", CHILD, kind, str(path), name, str(db_path),
                           "warm" if warm else "cold"],
                          check=False,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", list(CASES))
def test_crafted_upload_is_bounded(case, db_path, tmp_path):
    kind, name, make, expected, setting = CASES[case]
    data = make()
    warm = case.endswith("within-limits")
    result = _measure(kind, name, data, db_path, tmp_path, warm=warm)
    print(f"{case}: {len(data):,} bytes → {result['outcome']} ({result['setting']}), "
          f"peak {result['peak_mb']:.0f} MB{' over a warm ' if warm else ''}"
          f"{result['baseline_mb']:.0f} MB" if warm else
          f"{case}: {len(data):,} bytes → {result['outcome']} ({result['setting']}), "
          f"peak {result['peak_mb']:.0f} MB")
    assert result["outcome"] == expected, result
    if setting:
        assert result["setting"] == setting and setting in result["message"], result
    assert result["peak_mb"] < PEAK_LIMIT_MB, result
