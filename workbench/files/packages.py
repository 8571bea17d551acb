"""Office packages (DOCX) checked before a library opens them.

python-docx reads every XML part of a package into an lxml tree as it opens
it, so a small DOCX with millions of paragraphs would be built in memory before
anything could count them. :func:`check_package` streams every member first —
real sizes against declared ones (so python-docx later reads exactly these
bytes), entity declarations refused, elements and paragraphs counted — and
raises :class:`~workbench.files.limits.LimitExceeded` naming the limit passed.
"""
from __future__ import annotations

from dataclasses import dataclass

from workbench.files.limits import (
    LimitExceeded,
    UploadLimits,
    count_exceeded,
    size_text,
)
from workbench.files.xmlguard import ElementCounter
from workbench.files.zipfiles import open_zip
from workbench.messages import MessageLike, msg

WORD_PARAGRAPHS = (b"<w:p>", b"<w:p ", b"<w:p/>")


@dataclass
class PackageCounts:
    """What the package holds: XML elements and paragraphs (the marked tags)."""

    elements: int = 0
    paragraphs: int = 0


def check_package(data: bytes, limits: UploadLimits, what: MessageLike, *,
                  paragraph_marks: tuple[bytes, ...] = WORD_PARAGRAPHS) -> PackageCounts:
    """Stream every member of an OOXML package within the limits; the counts."""
    archive = open_zip(data, limits, what)
    counts = PackageCounts()
    unpacked = 0
    try:
        for member in archive.infolist():
            if member.is_dir:
                continue
            unpacked += member.declared_size
            if unpacked > limits.document_max_uncompressed_bytes:
                raise LimitExceeded(msg(
                    "Unpacked, %(what)s would be larger than %(size)s (setting "
                    "DOCUMENT_MAX_UNCOMPRESSED_BYTES).", what=what,
                    size=size_text(limits.document_max_uncompressed_bytes)),
                    setting="DOCUMENT_MAX_UNCOMPRESSED_BYTES",
                    limit=limits.document_max_uncompressed_bytes)
            if not member.name.endswith((".xml", ".rels")):
                archive.verify(member.name)
                continue
            counter = ElementCounter(limits, what, start=counts.elements,
                                     marks=paragraph_marks)
            for chunk in archive.chunks(member.name):
                counter.feed(chunk)
                if counts.paragraphs + counter.marked > limits.document_max_paragraphs:
                    raise count_exceeded(msg("paragraphs"), limits.document_max_paragraphs,
                                         "DOCUMENT_MAX_PARAGRAPHS")
            counts.elements = counter.close()
            counts.paragraphs += counter.marked
    finally:
        archive.close()
    if counts.paragraphs > limits.document_max_paragraphs:
        raise count_exceeded(msg("paragraphs"), limits.document_max_paragraphs,
                             "DOCUMENT_MAX_PARAGRAPHS")
    return counts
