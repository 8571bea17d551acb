"""DOCX in and out with python-docx: paragraphs everywhere, inline formatting as placeholders.

Reading walks every paragraph of the main text (including tables, nested tables
and text boxes), the headers and footers, and the footnotes and endnotes, in a
fixed order; a paragraph's ``locator`` (part name and index) finds it again in
the original on export. Inside a paragraph the formatting most of its text has
is the *base*; text formatted differently (bold, italic, underline, struck,
super/subscript, a character style, a hyperlink) becomes a placeholder pair
``{n}…{/n}``; things without text (footnote references, tabs, line breaks,
fields such as page numbers, pictures) become ``{n/}``.

Writing starts from a copy of the original file and replaces only the text runs
of each translated paragraph: paragraph properties, numbering, tables, styles,
sections, headers and footers stay as they were. Placeholders come back as the
same run properties, hyperlinks and elements that were there in the original.
"""
from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from workbench.documents import tags
from workbench.errors import ValidationError
from workbench.messages import msg

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_NS = "http://www.w3.org/XML/1998/namespace"
CT_PREFIX = "application/vnd.openxmlformats-officedocument.wordprocessingml."
# Parts with translatable paragraphs, in the order they are read.
PART_KINDS = (("document.main+xml", "body"), ("header+xml", "header"),
              ("footer+xml", "footer"), ("footnotes+xml", "footnote"),
              ("endnotes+xml", "endnote"))
# Parts python-docx does not model (footnotes, endnotes) are parsed without entities.
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
# What sets a run's formatting apart: ``(marks, link key)`` for text, or
# ``("standalone", tag id)`` for a footnote mark or another standalone element.
_Signature = tuple[Any, ...]
HEADING_STYLE = re.compile(r"^(heading|title|subtitle|标题|toc ?heading)", re.IGNORECASE)
# Run children that are just a mark of something, not text.
_STANDALONE_LABELS = {
    "tab": "tab", "br": "line break", "cr": "line break", "footnoteReference": "footnote",
    "endnoteReference": "endnote", "footnoteRef": "footnote number",
    "endnoteRef": "endnote number", "drawing": "picture", "pict": "picture",
    "object": "object", "sym": "symbol", "ptab": "tab", "commentReference": "comment",
}
# Paragraph children that hold runs.
_RUN_CONTAINERS = {"ins", "smartTag", "customXml", "sdtContent", "moveTo"}
# Paragraph children dropped on reading and rewriting (deleted text, spelling marks).
_DROPPED = {"del", "moveFrom", "proofErr"}


def w(tag: str) -> str:
    """A WordprocessingML tag in Clark notation."""
    return f"{{{W}}}{tag}"


def _local(element: Any) -> str:
    tag = element.tag
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else str(tag)


@dataclass
class Block:
    """One translatable paragraph: where it is, what kind, its tagged text, its tag table."""

    locator: str
    kind: str
    style: str
    text: str
    tags: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Atom:
    kind: str  # text | standalone
    text: str = ""
    signature: _Signature = ()
    rpr: Any = None
    link: Any = None  # the w:hyperlink element the text sits in
    elements: list[Any] = field(default_factory=list)  # standalone: runs to put back
    label: str = ""


@dataclass
class _Parsed:
    atoms: list[_Atom]
    base: _Signature
    base_rpr: Any
    tag_of_signature: dict[_Signature, str]
    text: str
    tags: dict[str, dict[str, Any]]


def _on(element: Any) -> bool:
    value = element.get(w("val"))
    return value is None or value.lower() not in ("0", "false", "off", "none")


def _signature(rpr: Any, link: Any) -> _Signature:
    """What makes a run's formatting different for a reader (fonts and sizes are not)."""
    marks = []
    if rpr is not None:
        for name in ("b", "i", "strike", "dstrike", "caps", "smallCaps"):
            element = rpr.find(w(name))
            if element is not None and _on(element):
                marks.append(name)
        underline = rpr.find(w("u"))
        if underline is not None and underline.get(w("val"), "single") != "none":
            marks.append("u")
        vert = rpr.find(w("vertAlign"))
        if vert is not None and vert.get(w("val")) in ("superscript", "subscript"):
            marks.append(vert.get(w("val")))
        style = rpr.find(w("rStyle"))
        if style is not None and style.get(w("val")) and \
                "hyperlink" not in style.get(w("val")).lower():
            marks.append("style:" + style.get(w("val")))
    link_key = None
    if link is not None:
        link_key = link.get(f"{{{R}}}id") or ("#" + (link.get(w("anchor")) or ""))
    return (tuple(marks), link_key)


_LABELS = {"b": "bold", "i": "italic", "u": "underline", "strike": "struck through",
           "dstrike": "struck through", "caps": "capitals", "smallCaps": "small capitals",
           "superscript": "superscript", "subscript": "subscript"}


def _label(signature: _Signature) -> str:
    marks, link = signature
    words = [_LABELS.get(m, m.replace("style:", "style ")) for m in marks]
    if link:
        words.append("link")
    return ", ".join(words) or "plain"


def _run_with(run: Any, child: Any) -> Any:
    """A copy of ``run`` holding only its properties and ``child``."""
    new = etree.Element(w("r"), nsmap=run.nsmap)
    rpr = run.find(w("rPr"))
    if rpr is not None:
        new.append(copy.deepcopy(rpr))
    new.append(copy.deepcopy(child))
    return new


class _AtomReader:
    """Reads a paragraph into atoms: runs of text with the same marks, and standalone marks
    (a field's runs folded into one, breaks, footnote references, formulas)."""

    def __init__(self) -> None:
        self.atoms: list[_Atom] = []
        self.field_depth = 0
        self.field_runs: list[Any] = []

    def add_text(self, text: str, rpr: Any, link: Any) -> None:
        signature = _signature(rpr, link)
        atoms = self.atoms
        if atoms and atoms[-1].kind == "text" and atoms[-1].signature == signature:
            atoms[-1].text += text
        else:
            atoms.append(_Atom("text", text, signature, rpr, link))

    def field_char(self, run: Any, child: Any) -> None:
        """A field's begin/separate/end mark: the field's runs are kept until it ends."""
        kind = child.get(w("fldCharType"))
        if kind == "begin":
            self.field_depth += 1
        self.field_runs.append(_run_with(run, child))
        if kind == "end":
            self.field_depth -= 1
            if self.field_depth <= 0:
                self.field_depth = 0
                self.atoms.append(_Atom("standalone", elements=self.field_runs, label="field"))
                self.field_runs = []

    def run_child(self, run: Any, child: Any, rpr: Any, link: Any) -> None:
        name = _local(child)
        if name == "t":
            self.add_text(child.text or "", rpr, link)
        elif name == "noBreakHyphen":
            self.add_text("\u2011", rpr, link)
        elif name in _STANDALONE_LABELS:
            label = _STANDALONE_LABELS[name]
            if name == "br" and child.get(w("type")) == "page":
                label = "page break"
            self.atoms.append(_Atom("standalone", elements=[_run_with(run, child)],
                                    label=label))
        # softHyphen, lastRenderedPageBreak, instrText and the rest carry no text.

    def visit_run(self, run: Any, link: Any) -> None:
        rpr = run.find(w("rPr"))
        for child in run:
            name = _local(child)
            if name == "rPr":
                continue
            if name == "fldChar":
                self.field_char(run, child)
            elif self.field_depth > 0:
                self.field_runs.append(_run_with(run, child))
            else:
                self.run_child(run, child, rpr, link)

    def visit(self, container: Any, link: Any) -> None:
        for child in container:
            name = _local(child)
            if name == "r":
                self.visit_run(child, link)
            elif name == "hyperlink":
                self.visit(child, child)
            elif name in _RUN_CONTAINERS:
                self.visit(child, link)
            elif name == "sdt":
                content = child.find(w("sdtContent"))
                if content is not None:
                    self.visit(content, link)
            elif name in ("fldSimple", "oMath", "oMathPara"):
                self.atoms.append(_Atom("standalone", elements=[copy.deepcopy(child)],
                                        label="field" if name == "fldSimple" else "formula"))


def _atoms(paragraph: Any) -> list[_Atom]:
    """The paragraph's text and marks in order (fields folded into one mark each)."""
    reader = _AtomReader()
    reader.visit(paragraph, None)
    if reader.field_runs:  # an unterminated field: keep what there is
        reader.atoms.append(_Atom("standalone", elements=reader.field_runs, label="field"))
    return reader.atoms


def _parse_paragraph(paragraph: Any) -> _Parsed:
    atoms = _atoms(paragraph)
    weights: dict[_Signature, int] = {}
    for atom in atoms:
        if atom.kind == "text" and atom.link is None:
            weights[atom.signature] = weights.get(atom.signature, 0) + len(atom.text.strip())
    base = max(weights, key=lambda s: weights[s]) if weights else ((), None)
    # The base run may have no properties at all (None): that is its formatting.
    base_atom = next((a for a in atoms if a.kind == "text" and a.signature == base), None)
    if base_atom is None:
        base_atom = next((a for a in atoms if a.kind == "text"), None)
    base_rpr = base_atom.rpr if base_atom is not None else None
    tag_of_signature: dict[_Signature, str] = {}
    tag_table: dict[str, dict[str, Any]] = {}
    parts: list[str] = []
    next_id = 1
    tag_id: str | None
    for atom in atoms:
        if atom.kind == "standalone":
            tag_id = str(next_id)
            next_id += 1
            tag_table[tag_id] = {"type": "standalone", "label": atom.label}
            atom.signature = ("standalone", tag_id)
            parts.append("{%s/}" % tag_id)
            continue
        if atom.signature == base or not atom.text.strip():
            # Whitespace-only runs take the base formatting: nothing to see.
            parts.append(atom.text)
            atom.signature = base
            continue
        tag_id = tag_of_signature.get(atom.signature)
        if tag_id is None:
            tag_id = str(next_id)
            next_id += 1
            tag_of_signature[atom.signature] = tag_id
            tag_table[tag_id] = {"type": "pair", "label": _label(atom.signature)}
        parts.append("{%s}%s{/%s}" % (tag_id, atom.text, tag_id))
    text = _merge_adjacent("".join(parts))
    return _Parsed(atoms, base, base_rpr, tag_of_signature, text, tag_table)


_ADJACENT = re.compile(r"\{/(\d+)\}\{\1\}")


def _merge_adjacent(text: str) -> str:
    """``{1}a{/1}{1}b{/1}`` → ``{1}ab{/1}``."""
    return _ADJACENT.sub("", text)


def _in_fallback(paragraph: Any) -> bool:
    parent = paragraph.getparent()
    while parent is not None:
        if parent.tag == f"{{{MC}}}Fallback":
            return True
        parent = parent.getparent()
    return False


def _has_ancestor(paragraph: Any, tag: str) -> bool:
    parent = paragraph.getparent()
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


def _skipped_note(paragraph: Any) -> bool:
    # The separator lines of the footnote area are not text.
    parent = paragraph.getparent()
    while parent is not None:
        if _local(parent) in ("footnote", "endnote"):
            return parent.get(w("type")) in ("separator", "continuationSeparator",
                                             "continuationNotice")
        parent = parent.getparent()
    return False


class _Source:
    """An opened DOCX with its story parts (those with paragraphs) as XML trees."""

    def __init__(self, data: bytes) -> None:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        try:
            self.document = docx.Document(io.BytesIO(data))
        except (PackageNotFoundError, KeyError, ValueError, etree.XMLSyntaxError,
                Exception) as error:  # noqa: BLE001 - any unreadable file is the user's problem
            raise ValidationError.single(msg(
                "This file cannot be read as a Word document (.docx): %(detail)s",
                detail=str(error))) from error
        self.parts: list[tuple[str, str, Any, Any]] = []  # (name, kind, part, root)
        found = []
        for part in self.document.part.package.iter_parts():
            content_type = part.content_type
            for suffix, kind in PART_KINDS:
                if content_type == CT_PREFIX + suffix:
                    found.append((PART_KINDS.index((suffix, kind)), str(part.partname), kind,
                                  part))
        for _order, name, kind, part in sorted(found):
            root = part.element if hasattr(part, "element") else \
                etree.fromstring(part.blob, _SAFE_PARSER)
            self.parts.append((name, kind, part, root))

    def paragraphs(self) -> Iterator[tuple[str, str, Any]]:
        """(locator, part kind, paragraph element) for every paragraph, in reading order."""
        for name, kind, _part, root in self.parts:
            index = 0
            for paragraph in root.iter(w("p")):
                if _in_fallback(paragraph) or _skipped_note(paragraph):
                    continue
                yield f"{name}#{index}", kind, paragraph
                index += 1

    def save(self) -> bytes:
        """The document with every change made to its trees."""
        for _name, _kind, part, root in self.parts:
            if not hasattr(part, "element"):
                part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                            standalone=True)
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def _paragraph_kind(paragraph: Any, part_kind: str) -> tuple[str, str]:
    ppr = paragraph.find(w("pPr"))
    style = ""
    outline = None
    numbered = False
    if ppr is not None:
        style_element = ppr.find(w("pStyle"))
        style = style_element.get(w("val"), "") if style_element is not None else ""
        outline = ppr.find(w("outlineLvl"))
        numbered = ppr.find(w("numPr")) is not None
    if part_kind != "body":
        return part_kind, style
    if HEADING_STYLE.match(style) or outline is not None:
        return "heading", style
    if _has_ancestor(paragraph, w("tc")):
        return "cell", style
    if numbered or "list" in style.lower():
        return "list", style
    return "paragraph", style


def read_docx(data: bytes) -> list[Block]:
    """Every paragraph with text, as blocks of tagged text (empty paragraphs are skipped)."""
    source = _Source(data)
    blocks = []
    for locator, part_kind, paragraph in source.paragraphs():
        parsed = _parse_paragraph(paragraph)
        if not tags.strip_tags(parsed.text).strip():
            continue
        kind, style = _paragraph_kind(paragraph, part_kind)
        blocks.append(Block(locator, kind, style, parsed.text, parsed.tags))
    return blocks


# --- writing -----------------------------------------------------------------------------------

def _text_run(rpr: Any, text: str, nsmap: dict[str | None, str]) -> Any:
    run = etree.Element(w("r"), nsmap=nsmap)
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    # Annotated: types-lxml's SubElement overloads do not resolve under mypy.
    t: etree._Element = etree.SubElement(run, w("t"))
    t.text = text
    t.set(f"{{{XML_NS}}}space", "preserve")
    return run


def _rebuild(paragraph: Any, parsed: _Parsed, translated: str) -> None:
    """Replace the paragraph's runs with ``translated``, formatted like the original."""
    nsmap = paragraph.nsmap
    pair_atoms: dict[str, _Atom] = {}
    for atom in parsed.atoms:
        if atom.kind == "text" and atom.signature in parsed.tag_of_signature:
            pair_atoms.setdefault(parsed.tag_of_signature[atom.signature], atom)
    standalone_atoms = {atom.signature[1]: atom for atom in parsed.atoms
                        if atom.kind == "standalone"}
    used_standalone: set[str] = set()
    # Remove the content, keep properties and markers (bookmarks, comment ranges).
    for child in list(paragraph):
        name = _local(child)
        if name in ("r", "hyperlink", "fldSimple", "sdt", "oMath", "oMathPara") or \
                name in _RUN_CONTAINERS or name in _DROPPED:
            paragraph.remove(child)
    new_children: list[Any] = []
    current_link: Any = None  # (link element copy, key)
    stack: list[str] = []
    for token in tags.tokens(translated):
        if token.kind == "open":
            stack.append(token.value)
            continue
        if token.kind == "close":
            if token.value in stack:
                del stack[len(stack) - 1 - stack[::-1].index(token.value)]
            continue
        if token.kind == "standalone":
            mark = standalone_atoms.get(token.value)
            if mark is None:
                continue  # a placeholder the original does not have: drop it
            # A mark used twice (e.g. copied by the translator) is inserted once.
            if token.value in used_standalone and mark.label in ("footnote", "endnote"):
                continue
            used_standalone.add(token.value)
            current_link = None
            new_children.extend(copy.deepcopy(e) for e in mark.elements)
            continue
        if not token.value:
            continue
        formatting = next((pair_atoms[t] for t in reversed(stack) if t in pair_atoms), None)
        rpr = formatting.rpr if formatting is not None else parsed.base_rpr
        link = formatting.link if formatting is not None else None
        run = _text_run(rpr, token.value, nsmap)
        if link is None:
            current_link = None
            new_children.append(run)
            continue
        if current_link is None or current_link[1] is not link:
            holder = etree.Element(link.tag, attrib=dict(link.attrib), nsmap=link.nsmap)
            current_link = (holder, link)
            new_children.append(holder)
        current_link[0].append(run)
    for child in new_children:
        paragraph.append(child)


def write_translated_docx(data: bytes, translations: dict[str, str],
                          draft_banner: str | None = None) -> bytes:
    """A copy of the original with each paragraph in ``translations`` (locator → tagged text).

    ``draft_banner`` adds a first paragraph saying that the file is a draft.
    """
    source = _Source(data)
    # Last paragraph first: a paragraph inside a text box is rebuilt before the paragraph
    # that holds the text box copies it (document order puts the holder first).
    for locator, _part_kind, paragraph in reversed(list(source.paragraphs())):
        translated = translations.get(locator)
        if translated is None:
            continue
        _rebuild(paragraph, _parse_paragraph(paragraph), translated)
    if draft_banner:
        _add_banner(source, draft_banner)
    return source.save()


def _add_banner(source: _Source, text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    document = source.document
    body = document.element.body
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = RGBColor(0xB9, 0x1C, 0x1C)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    body.remove(paragraph._p)
    body.insert(0, paragraph._p)
    # Also in the file's properties, so a file manager shows it.
    core = document.core_properties
    core.title = f"{text} {core.title or ''}".strip()[:250]
    core.keywords = "DRAFT"


def write_bilingual_docx(title: str, source_lang: str, target_lang: str,
                         rows: list[tuple[str, str, str]], note: str = "") -> bytes:
    """A two-column table, source | target, one row per segment (rows: source, target, state).

    Chinese government offices proofread translations this way. Placeholders are
    dropped from both sides; a target that is not approved yet is marked.
    """
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    document.add_heading(title, level=1)
    if note:
        para = document.add_paragraph()
        run = para.add_run(note)
        run.italic = True
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    header = table.rows[0].cells
    header[0].text = f"原文 Source ({source_lang})"
    header[1].text = f"译文 Translation ({target_lang})"
    for cell in header:
        for run in cell.paragraphs[0].runs:
            run.bold = True
    page_width, left, right = section.page_width, section.left_margin, section.right_margin
    # Set above (python-docx's template has a page size; the margins are ours).
    assert page_width is not None and left is not None and right is not None
    width = (page_width - left - right) // 2
    for source_text, target_text, state in rows:
        cells = table.add_row().cells
        cells[0].text = tags.strip_tags(source_text)
        paragraph = cells[1].paragraphs[0]
        paragraph.add_run(tags.strip_tags(target_text or ""))
        if state != "approved":
            mark = paragraph.add_run(f"  [{state}]")
            mark.italic = True
            mark.font.size = Pt(8)
            mark.font.color.rgb = RGBColor(0x9C, 0x3D, 0x00)
    for row in table.rows:
        for cell in row.cells:
            cell.width = width
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
