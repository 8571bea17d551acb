"""XML read safely: no entity declarations, a bounded number of elements, no network.

XXE and "billion laughs" need entity declarations, so any ``<!ENTITY`` is refused
before parsing; parsers never resolve entities, load DTDs or touch the network,
and keep libxml2's default nesting limit (256 levels; deeper files fail to parse
with a message). Counting elements is done on the raw bytes (every start or
empty-element tag begins with ``<`` followed by a name), in chunks, so a file of
millions of tiny elements is refused before a tree of them is built.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from workbench.errors import ValidationError
from workbench.files.limits import LimitExceeded, UploadLimits
from workbench.messages import MessageLike, msg

ENTITY_DECLARATION = b"<!ENTITY"


def safe_parser(**options: Any) -> etree.XMLParser:
    """An lxml parser that resolves no entities, loads no DTD and reads nothing remote."""
    settings: dict[str, Any] = {"resolve_entities": False, "no_network": True,
                                "load_dtd": False, "huge_tree": False}
    settings.update(options)
    parser: etree.XMLParser = etree.XMLParser(**settings)
    return parser


class ElementCounter:
    """Counts elements in XML bytes fed in chunks; refuses entity declarations."""

    def __init__(self, limits: UploadLimits, what: MessageLike, *, start: int = 0,
                 marks: tuple[bytes, ...] = ()) -> None:
        self.limits = limits
        self.what = what
        self.elements = start
        self.marks = marks  # tags also counted on their own (e.g. Word paragraphs)
        self.marked = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        """Count the tags of one more chunk (a tag split across chunks is counted once)."""
        buffer = self._tail + chunk
        cut = buffer.rfind(b"<")
        if cut < 0:
            part, self._tail = buffer, b""
        else:
            part, self._tail = buffer[:cut], buffer[cut:]
            if len(self._tail) > 4096:  # no tag name is that long: count what we have
                part, self._tail = buffer, b""
        self._count(part)

    def close(self) -> int:
        """Count what is left; the number of elements."""
        self._count(self._tail)
        self._tail = b""
        return self.elements

    def _count(self, part: bytes) -> None:
        if ENTITY_DECLARATION in part:
            raise ValidationError.single(msg(
                "XML entity declarations in %(what)s are refused for safety.",
                what=self.what))
        self.elements += (part.count(b"<") - part.count(b"</") - part.count(b"<?")
                          - part.count(b"<!"))
        self.marked += sum(part.count(mark) for mark in self.marks)
        if self.elements > self.limits.xml_max_elements:
            raise LimitExceeded(
                msg("There are more than %(limit)s XML elements in %(what)s (setting "
                    "XML_MAX_ELEMENTS).",
                    what=self.what, limit=f"{self.limits.xml_max_elements:,}"),
                setting="XML_MAX_ELEMENTS", limit=self.limits.xml_max_elements)


def check_xml(data: bytes | Iterable[bytes], limits: UploadLimits, what: MessageLike) -> int:
    """Refuse entity declarations and too many elements; the number of elements."""
    counter = ElementCounter(limits, what)
    chunks = [data] if isinstance(data, (bytes, bytearray)) else data
    for chunk in chunks:
        counter.feed(bytes(chunk))
    return counter.close()


def parse_xml(data: bytes, limits: UploadLimits, what: MessageLike, **options: Any) -> Any:
    """The root element of checked XML bytes; ValidationError when not well-formed."""
    check_xml(data, limits, what)
    try:
        return etree.fromstring(data, safe_parser(**options))
    except etree.XMLSyntaxError as error:
        raise ValidationError.single(msg(
            "The XML of %(what)s is not well-formed (line %(line)s): %(reason)s", what=what,
            line=error.lineno or "?", reason=error.msg or str(error))) from None
