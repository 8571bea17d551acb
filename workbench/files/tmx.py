"""The one TMX 1.4 writer: approved sign units (exports) and approved document segments.

Units are streamed to disk with lxml's incremental writer, so an export of the
whole province holds one ``<tu>`` in memory at a time. A text's formatting
placeholders (``{1}…{/1}``, ``{2/}``: :mod:`workbench.documents.tags`) become
TMX inline codes (``bpt``/``ept``/``ph``) when the caller says the texts carry
them; a sign's text is written as it is. Reading TMX back is translate-toolkit's
(``translate.storage.tmx.tmxfile``), as the round-trip tests do.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'


@dataclass
class TmxUnit:
    """One ``<tu>``: its id, the source and each target as (language, text), and its
    optional dates (ISO 8601), last editor and properties (``x-domain`` …)."""

    tuid: str
    variants: list[tuple[str, str]]
    created_at: str | None = None
    changed_at: str | None = None
    changed_by: str | None = None
    props: list[tuple[str, str | None]] = field(default_factory=list)


def tmx_date(iso: str | None) -> str | None:
    """ISO 8601 → TMX's ``YYYYMMDDThhmmssZ`` (UTC); None for nothing or an unreadable date."""
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    offset = moment.utcoffset()
    if offset:
        moment = moment - offset
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _segment(tuv: Any, text: str, markup: bool) -> None:
    """The ``<seg>`` of a variant; placeholders as inline codes when ``markup``."""
    seg = etree.SubElement(tuv, "seg")
    if not markup:
        seg.text = text
        return
    from workbench.documents import tags

    last: Any = None
    for token in tags.tokens(text):
        if token.kind == "text":
            if last is None:
                seg.text = (seg.text or "") + token.value
            else:
                last.tail = (last.tail or "") + token.value
            continue
        name = {"open": "bpt", "close": "ept", "standalone": "ph"}[token.kind]
        last = etree.SubElement(seg, name, {"x" if name == "ph" else "i": token.value})
        last.text = token.markup


def unit_element(unit: TmxUnit, markup: bool = False) -> Any:
    """The ``<tu>`` element of one unit (properties before the variants, as TMX wants)."""
    element = etree.Element("tu", tuid=unit.tuid)
    for name, value in (("creationdate", tmx_date(unit.created_at)),
                        ("changedate", tmx_date(unit.changed_at)),
                        ("changeid", unit.changed_by)):
        if value:
            element.set(name, value)
    for ptype, value in unit.props:
        if value:
            # Annotated: types-lxml's SubElement overloads leave the result unresolved here.
            prop: etree._Element = etree.SubElement(element, "prop", type=ptype)
            prop.text = value
    for lang, text in unit.variants:
        _segment(etree.SubElement(element, "tuv", {XML_LANG: lang}), text, markup)
    return element


def write_tmx(stream: BinaryIO | str | Path, units: Iterable[TmxUnit], *, source_lang: str,
              segtype: str = "phrase", markup: bool = False,
              progress: Callable[[int], None] | None = None) -> int:
    """Write ``units`` as TMX 1.4 to ``stream``; returns how many were written.

    ``segtype`` is ``phrase`` for signs and ``sentence`` for document segments;
    ``markup`` says the texts carry formatting placeholders; ``progress`` is told
    the number written after every unit.
    """
    from workbench import __version__
    from workbench.audit import now_iso

    written = 0
    with etree.xmlfile(stream, encoding="UTF-8") as xf:
        xf.write_declaration()
        xf.write_doctype(DOCTYPE)
        with xf.element("tmx", version="1.4"):
            xf.write(etree.Element("header", {
                "creationtool": "Signbench", "creationtoolversion": __version__,
                "segtype": segtype, "o-tmf": "Signbench", "adminlang": "en",
                "srclang": source_lang, "datatype": "plaintext",
                "creationdate": tmx_date(now_iso()) or ""}))
            with xf.element("body"):
                for unit in units:
                    xf.write(unit_element(unit, markup))
                    written += 1
                    if progress:
                        progress(written)
    return written
