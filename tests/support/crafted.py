"""Hostile and odd files, generated in the tests (never stored): XLSX, DOCX, ZIP, CSV."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="s" sheetId="1" '
    'r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/'
    'sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '</Relationships>')


def shared_strings(strings: list[str], unique_count: int | None = None) -> str:
    """A sharedStrings part (``unique_count`` may lie)."""
    count = len(strings) if unique_count is None else unique_count
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    return f'<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">{items}</sst>'


def xlsx(sheet_data: str | bytes, sst: str | None = None,
         compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal workbook whose first sheet's ``<sheetData>`` is ``sheet_data``."""
    if isinstance(sheet_data, str):
        sheet_data = sheet_data.encode()
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
             .encode() + sheet_data + b"</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", sst or shared_strings(["x"]))
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def inline_row(number: int, cells: list[tuple[str, str]]) -> str:
    """A row of inline-string cells given as (reference, text)."""
    inner = "".join(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'
                    for ref, text in cells)
    return f'<row r="{number}">{inner}</row>'


def docx(body: bytes) -> bytes:
    """A minimal Word document whose body is ``body`` (raw WordprocessingML)."""
    main = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main")
    document = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{main}"><w:body>'
                .encode() + body + b"</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'))
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def lying_zip(name: str, content: bytes, declared_size: int,
              compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A one-member ZIP whose headers declare ``declared_size`` bytes for ``content``.

    The CRC is that of the real content, as a tool that forged only the sizes leaves it.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        archive.writestr(name, content)
    data = bytearray(out.getvalue())
    real = len(content)
    # Local header: uncompressed size at offset 22; central directory entry: at offset 24.
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, declared_size)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared_size)
    assert struct.unpack_from("<I", data, central + 24)[0] != real or declared_size == real
    return bytes(data)


def zip_bomb(name: str = "bomb.jpg", size: int = 200 * 1024 * 1024) -> bytes:
    """One member of ``size`` zero bytes (compressed about a thousandfold)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return out.getvalue()


def deflated_size(data: bytes) -> int:
    """How big ``data`` is once deflated (to show a crafted file is small)."""
    return len(zlib.compress(data, 9))
