"""The one XLIFF layer: 1.2 / 2.0 in and out, with inline tags kept as placeholders.

Importing reads every translatable unit of a file made by another CAT tool
(1.2 ``trans-unit``, or its ``seg-source`` segments; 2.0 ``segment``); each
becomes one block with one segment, keeping the tool's segmentation. Inline
elements (1.2 ``g x bx ex ph bpt ept it mrk``; 2.0 ``pc ph sc ec mrk``) become
placeholders and are stored so that exporting back rebuilds them exactly.
Existing targets are imported as translations.

Exporting back into the original file writes each target (with its inline
elements) and state into a copy of the original tree: everything else the
other tool put there stays. Documents that did not come from XLIFF export as a
new XLIFF 2.0 file. Parsing is done with lxml directly (not translate-toolkit's
stores) because only the raw tree keeps unknown attributes and inline elements
byte for byte for the round trip.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from workbench.documents import tags
from workbench.documents.docx import Block
from workbench.errors import ValidationError
from workbench.files.limits import DEFAULT_LIMITS, UploadLimits
from workbench.files.xmlguard import parse_xml
from workbench.messages import msg

XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF20 = "urn:oasis:names:tc:xliff:document:2.0"
_PAIRED = {"g", "pc", "mrk"}
_STANDALONE = {"x", "bx", "ex", "ph", "bpt", "ept", "it", "sc", "ec", "cp"}
# Review state → XLIFF state (1.2 target@state, 2.0 segment@state).
STATE_12 = {"new": "new", "machine_draft": "needs-review-translation",
            "translated": "translated", "in_review": "translated", "rejected":
            "needs-review-translation", "approved": "final"}
STATE_20 = {"new": "initial", "machine_draft": "initial", "translated": "translated",
            "in_review": "translated", "rejected": "initial", "approved": "final"}


@dataclass
class XliffDocument:
    """What an XLIFF file holds: version, languages and blocks (with existing targets)."""

    version: str
    source_lang: str
    target_lang: str | None
    blocks: list[Block] = field(default_factory=list)
    targets: dict[str, str] = field(default_factory=dict)  # locator → tagged target
    title: str = ""
    unit_ids: dict[str, str] = field(default_factory=dict)  # locator → its unit's id


def _local(element: Any) -> str:
    tag = element.tag
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else ""


def _parse(data: bytes, limits: UploadLimits | None = None) -> Any:
    """The checked XLIFF tree: entities refused, elements bounded (``XML_MAX_ELEMENTS``)."""
    root = parse_xml(data, limits or DEFAULT_LIMITS, msg("the XLIFF file"),
                     remove_blank_text=False)
    _as_version_12(root)
    return root


# XLIFF 1.0 and 1.1 (translate-toolkit writes 1.1), or 1.x without a namespace, are read as 1.2.
_OLDER_NAMESPACES = (None, "urn:oasis:names:tc:xliff:document:1.1",
                     "urn:oasis:names:tc:xliff:document:1.0")


def _as_version_12(root: Any) -> None:
    """Move the elements of an XLIFF 1.0/1.1 tree into the 1.2 namespace (same structure)."""
    namespace = etree.QName(root).namespace
    if _local_name(root) != "xliff" or namespace not in _OLDER_NAMESPACES \
            or not (root.get("version") or "1.").startswith("1."):
        return
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).namespace == namespace:
            element.tag = f"{{{XLIFF12}}}{etree.QName(element).localname}"
    etree.cleanup_namespaces(root)


def _local_name(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _shell(element: Any) -> str:
    """The element without children and text, serialized (what a pair placeholder stands for)."""
    shell = etree.Element(element.tag, attrib=dict(element.attrib), nsmap=element.nsmap)
    return etree.tostring(shell, encoding="unicode")


def _whole(element: Any) -> str:
    clone = copy.deepcopy(element)
    clone.tail = None
    return etree.tostring(clone, encoding="unicode")


class _TagMapper:
    """Numbers the inline elements of one unit; the same original id gets the same number."""

    def __init__(self) -> None:
        self.table: dict[str, dict[str, Any]] = {}
        self.by_key: dict[tuple[str, str], str] = {}

    def number(self, element: Any, paired: bool) -> str:
        key = (_local(element), element.get("id") or element.get("rid") or
               element.get("mid") or str(len(self.table) + 1))
        found = self.by_key.get(key)
        if found is not None:
            return found
        number = str(len([k for k in self.table if not k.startswith("_")]) + 1)
        self.by_key[key] = number
        self.table[number] = {
            "type": "pair" if paired else "standalone",
            "label": element.get("ctype") or element.get("type") or element.get("disp")
            or _local(element),
            "xml": _shell(element) if paired else _whole(element),
        }
        return number


def _inline_to_tagged(element: Any, mapper: _TagMapper) -> str:
    """The text of a source/target element with inline elements as placeholders."""
    parts = [_escape_braces(element.text or "")]
    for child in element:
        name = _local(child)
        if name in _PAIRED and not (name == "mrk" and child.get("mtype") == "seg"):
            number = mapper.number(child, paired=True)
            parts.append("{%s}%s{/%s}" % (number, _inline_to_tagged(child, mapper), number))
        elif name == "mrk":  # a seg-source segment inside a target: its text
            parts.append(_inline_to_tagged(child, mapper))
        elif name in _STANDALONE:
            parts.append("{%s/}" % mapper.number(child, paired=False))
        parts.append(_escape_braces(child.tail or ""))
    return "".join(parts)


def _escape_braces(text: str) -> str:
    # Text that looks like a placeholder would be mistaken for one; such text is
    # vanishingly rare in source documents, so it is only made harmless.
    return tags.TAG.sub(lambda m: m.group(0).replace("{", "｛").replace("}", "｝"), text)


def detect_version(root: Any) -> str:
    """'1.2' or '2.0' from the root element; ValidationError for anything else."""
    if _local(root) != "xliff":
        raise ValidationError.single(
            msg("This file is not XLIFF (its root element is not <xliff>)."))
    namespace = root.tag.split("}", 1)[0].lstrip("{") if "}" in root.tag else ""
    version = root.get("version") or ""
    if namespace == XLIFF20 or version.startswith("2."):
        return "2.0"
    if namespace == XLIFF12 or version in ("1.2", "1.1", "1.0"):
        return "1.2"
    raise ValidationError.single(msg("XLIFF version %(version)s is not supported; use XLIFF "
                                     "1.2 or 2.0.", version=version or "?"))


def read_xliff(data: bytes, limits: UploadLimits | None = None) -> XliffDocument:
    """Blocks (and existing targets) of an XLIFF 1.2 or 2.0 file."""
    root = _parse(data, limits)
    version = detect_version(root)
    return _read_12(root) if version == "1.2" else _read_20(root)


def _units_12(root: Any) -> list[tuple[Any, Any, str]]:
    """(file, unit element, locator) for every translatable 1.2 unit (or seg-source segment)."""
    found = []
    for file_index, file_element in enumerate(root.iter(f"{{{XLIFF12}}}file")):
        for unit in file_element.iter(f"{{{XLIFF12}}}trans-unit"):
            if unit.get("translate") == "no":
                continue
            found.append((file_element, unit, f"{file_index}/{unit.get('id')}"))
    return found


def _read_12(root: Any) -> XliffDocument:
    files = list(root.iter(f"{{{XLIFF12}}}file"))
    if not files:
        raise ValidationError.single(msg("This XLIFF file has no <file> element."))
    document = XliffDocument("1.2", files[0].get("source-language") or "zh",
                             files[0].get("target-language"),
                             title=files[0].get("original") or "")
    for _file, unit, locator in _units_12(root):
        source = unit.find(f"{{{XLIFF12}}}source")
        if source is None:
            continue
        mapper = _TagMapper()
        segments = _seg_source_segments(unit)
        target = unit.find(f"{{{XLIFF12}}}target")
        if segments:
            target_mrks = {m.get("mid"): m for m in (target.iter(f"{{{XLIFF12}}}mrk")
                                                     if target is not None else [])
                           if m.get("mtype") == "seg"}
            for mrk in segments:
                mid_locator = f"{locator}#{mrk.get('mid')}"
                text = _inline_to_tagged(mrk, mapper)
                document.blocks.append(Block(mid_locator, "unit", "", text, mapper.table))
                document.unit_ids[mid_locator] = unit.get("id") or ""
                if mrk.get("mid") in target_mrks:
                    translated = _inline_to_tagged(target_mrks[mrk.get("mid")], mapper)
                    if translated.strip():
                        document.targets[mid_locator] = translated
            continue
        text = _inline_to_tagged(source, mapper)
        document.blocks.append(Block(locator, "unit", "", text, mapper.table))
        document.unit_ids[locator] = unit.get("id") or ""
        if target is not None:
            translated = _inline_to_tagged(target, mapper)
            if translated.strip():
                document.targets[locator] = translated
    return document


def _seg_source_segments(unit: Any) -> list[Any]:
    seg_source = unit.find(f"{{{XLIFF12}}}seg-source")
    if seg_source is None:
        return []
    return [m for m in seg_source.iter(f"{{{XLIFF12}}}mrk") if m.get("mtype") == "seg"]


def _segments_20(root: Any) -> list[tuple[Any, Any, str]]:
    found = []
    for file_element in root.iter(f"{{{XLIFF20}}}file"):
        for unit in file_element.iter(f"{{{XLIFF20}}}unit"):
            if unit.get("translate") == "no":
                continue
            for index, segment in enumerate(unit.findall(f"{{{XLIFF20}}}segment")):
                found.append((unit, segment,
                              f"{file_element.get('id')}/{unit.get('id')}/{index}"))
    return found


def _read_20(root: Any) -> XliffDocument:
    files = list(root.iter(f"{{{XLIFF20}}}file"))
    if not files:
        raise ValidationError.single(msg("This XLIFF file has no <file> element."))
    document = XliffDocument("2.0", root.get("srcLang") or "zh", root.get("trgLang"),
                             title=files[0].get("original") or files[0].get("id") or "")
    mappers: dict[int, _TagMapper] = {}
    for unit, segment, locator in _segments_20(root):
        mapper = mappers.setdefault(id(unit), _TagMapper())
        source = segment.find(f"{{{XLIFF20}}}source")
        if source is None:
            continue
        text = _inline_to_tagged(source, mapper)
        document.blocks.append(Block(locator, "unit", "", text, mapper.table))
        document.unit_ids[locator] = unit.get("id") or ""
        target = segment.find(f"{{{XLIFF20}}}target")
        if target is not None:
            translated = _inline_to_tagged(target, mapper)
            if translated.strip():
                document.targets[locator] = translated
    return document


# --- writing -----------------------------------------------------------------------------------

def _append_text(node: Any, text: str) -> None:
    """Add text at the end of ``node``: after its last child (as its tail), else inside it."""
    if len(node):
        node[-1].tail = (node[-1].tail or "") + text
    else:
        node.text = (node.text or "") + text


def _fill(element: Any, tagged: str, table: dict[str, dict[str, Any]]) -> None:
    """Set ``element``'s content to ``tagged`` text, rebuilding inline elements from ``table``."""
    for child in list(element):
        element.remove(child)
    element.text = None
    stack: list[Any] = [element]
    for token in tags.tokens(tagged):
        definition = table.get(token.value) if token.kind != "text" else None
        if token.kind == "text":
            _append_text(stack[-1], token.value)
        elif token.kind == "open" and definition and definition.get("xml"):
            child = etree.fromstring(definition["xml"])
            child.tail = None
            stack[-1].append(child)
            stack.append(child)
        elif token.kind == "close" and definition and len(stack) > 1:
            stack.pop()
        elif token.kind == "standalone" and definition and definition.get("xml"):
            child = etree.fromstring(definition["xml"])
            child.tail = None
            stack[-1].append(child)


def write_back(data: bytes, targets: dict[str, tuple[str, str]],
               tables: dict[str, dict[str, dict[str, Any]]], target_lang: str) -> bytes:
    """The original XLIFF with targets filled in: locator → (tagged text, review state)."""
    root = _parse(data)
    version = detect_version(root)
    if version == "1.2":
        for file_element in root.iter(f"{{{XLIFF12}}}file"):
            file_element.set("target-language", file_element.get("target-language")
                             or target_lang)
        for _file, unit, locator in _units_12(root):
            segments = _seg_source_segments(unit)
            if segments:
                _write_12_segments(unit, locator, segments, targets, tables)
                continue
            if locator not in targets:
                continue
            text, state = targets[locator]
            target = unit.find(f"{{{XLIFF12}}}target")
            if target is None:
                target = etree.Element(f"{{{XLIFF12}}}target")
                source = unit.find(f"{{{XLIFF12}}}source")
                source.addnext(target)
                target.tail = source.tail
            _fill(target, text, tables.get(locator, {}))
            target.set("state", STATE_12.get(state, "translated"))
            if state == "approved":
                unit.set("approved", "yes")
    else:
        if not root.get("trgLang"):
            root.set("trgLang", target_lang)
        for _unit, segment, locator in _segments_20(root):
            if locator not in targets:
                continue
            text, state = targets[locator]
            target = segment.find(f"{{{XLIFF20}}}target")
            if target is None:
                target = etree.SubElement(segment, f"{{{XLIFF20}}}target")
            _fill(target, text, tables.get(locator, {}))
            segment.set("state", STATE_20.get(state, "translated"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _write_12_segments(unit: Any, locator: str, segments: list[Any],
                       targets: dict[str, tuple[str, str]],
                       tables: dict[str, dict[str, dict[str, Any]]]) -> None:
    wanted = [(m.get("mid"), targets.get(f"{locator}#{m.get('mid')}")) for m in segments]
    if not any(t for _mid, t in wanted):
        return
    target = unit.find(f"{{{XLIFF12}}}target")
    if target is None:
        target = etree.Element(f"{{{XLIFF12}}}target")
        anchor = unit.find(f"{{{XLIFF12}}}seg-source")
        anchor.addnext(target)
    for child in list(target):
        target.remove(child)
    target.text = None
    states = []
    for mid, found in wanted:
        mrk = etree.SubElement(target, f"{{{XLIFF12}}}mrk", mtype="seg", mid=mid or "")
        if found:
            _fill(mrk, found[0], tables.get(f"{locator}#{mid}", {}))
            states.append(found[1])
    target.set("state", "final" if states and all(s == "approved" for s in states)
               else "translated")


def _xliff20_inline(parent: Any, tagged: str, table: dict[str, dict[str, Any]],
                    counter: dict[str, int]) -> None:
    """Write tagged text into an XLIFF 2.0 source/target as ``pc`` and ``ph`` elements."""
    stack = [parent]
    for token in tags.tokens(tagged):
        if token.kind == "text":
            _append_text(stack[-1], token.value)
            continue
        definition = table.get(token.value, {})
        label = str(definition.get("label", ""))[:60]
        if token.kind == "close":
            if len(stack) > 1:
                stack.pop()
            continue
        # Ids are unique per unit in 2.0: a placeholder used twice gets a suffix.
        counter[token.value] = counter.get(token.value, 0) + 1
        element_id = token.value if counter[token.value] == 1 else \
            f"{token.value}_{counter[token.value]}"
        if token.kind == "open":
            element = etree.SubElement(stack[-1], f"{{{XLIFF20}}}pc", id=element_id)
            if label:
                element.set("disp", label)
            stack.append(element)
        else:
            element = etree.SubElement(stack[-1], f"{{{XLIFF20}}}ph", id=element_id)
            if label:
                element.set("disp", label)


def write_xliff20(title: str, file_name: str, source_lang: str, target_lang: str,
                  rows: list[dict[str, Any]]) -> bytes:
    """A new XLIFF 2.0 file: one unit per row.

    A row has ``source``, ``target`` (or None), ``state`` (a review state) and
    ``id`` (the unit is ``s<id>``) or ``unit_id`` (the unit's id as it is), and may
    have ``locator`` (the unit's name), ``tags`` (the placeholders' table) and
    ``notes`` ([(category, text)], written before the segment). ``title`` is the
    file's note, ``file_name`` its ``original`` (either may be empty).
    """
    root = etree.Element(f"{{{XLIFF20}}}xliff", nsmap={None: XLIFF20},
                         version="2.0", srcLang=source_lang, trgLang=target_lang)
    # Annotated: types-lxml's SubElement overloads leave the result unresolved here.
    file_element: etree._Element = etree.SubElement(root, f"{{{XLIFF20}}}file", id="f1")
    if file_name:
        file_element.set("original", file_name)
    if title:
        _notes(file_element, [("", title)])
    for row in rows:
        unit: etree._Element = etree.SubElement(file_element, f"{{{XLIFF20}}}unit",
                                                id=row.get("unit_id") or f"s{row['id']}")
        if row.get("locator"):
            unit.set("name", row["locator"])
        _notes(unit, row.get("notes") or [])
        segment = etree.SubElement(unit, f"{{{XLIFF20}}}segment", id="1",
                                   state=STATE_20.get(row["state"], "initial"))
        source = etree.SubElement(segment, f"{{{XLIFF20}}}source")
        _xliff20_inline(source, row["source"], row.get("tags") or {}, {})
        if row.get("target"):
            target = etree.SubElement(segment, f"{{{XLIFF20}}}target")
            _xliff20_inline(target, row["target"], row.get("tags") or {}, {})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _notes(parent: Any, notes: list[tuple[str, Any]]) -> None:
    """A ``<notes>`` element with one ``<note>`` per non-empty text (category when given)."""
    kept = [(category, text) for category, text in notes if text]
    if not kept:
        return
    container = etree.SubElement(parent, f"{{{XLIFF20}}}notes")
    for category, text in kept:
        note = etree.SubElement(container, f"{{{XLIFF20}}}note")
        if category:
            note.set("category", category)
        note.text = str(text)
