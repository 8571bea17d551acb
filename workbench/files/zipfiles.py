"""ZIP archives read within limits: members, declared against real sizes, ratio, total.

An XLSX or DOCX file and a ZIP of photos are ZIP archives. Their central
directory declares each member's sizes, and a hostile file lies: a member that
declares 1 KB may inflate to gigabytes, or declare more than it holds. Opening
checks what is declared (member count, each size, compression ratio, total);
reading streams each member in chunks and stops as soon as the real size
passes the declared one or the total limit, so nothing unbounded is ever
inflated into memory. Damaged members (bad CRC, truncated data, unknown
compression, encryption) become a :class:`~workbench.errors.ValidationError`
that names the member.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from workbench.errors import ValidationError
from workbench.files.limits import LimitExceeded, UploadLimits, size_text
from workbench.messages import MessageLike, msg

CHUNK = 1024 * 1024
# Below this size a member's compression ratio does not matter (a small file of
# repeated characters compresses a thousandfold and is harmless).
RATIO_FLOOR = 1024 * 1024
_DAMAGE = (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError,
           ValueError, struct.error)


@dataclass(frozen=True)
class Member:
    """One member as the archive declares it."""

    name: str
    declared_size: int
    compressed_size: int
    is_dir: bool


class BoundedZip:
    """A ZIP archive whose members are read in chunks within the limits."""

    def __init__(self, data: bytes, limits: UploadLimits, what: MessageLike) -> None:
        self.limits = limits
        self.what = what
        self._data = data
        try:
            self._archive = zipfile.ZipFile(io.BytesIO(data))
            infos = self._archive.infolist()
        except _DAMAGE:
            raise ValidationError.single(msg("Cannot read %(what)s: it is not a ZIP archive.",
                                             what=what)) from None
        if len(infos) > limits.zip_max_members:
            raise LimitExceeded(
                msg("There are more than %(limit)s files in %(what)s (setting ZIP_MAX_MEMBERS).",
                    what=what, limit=f"{limits.zip_max_members:,}"),
                setting="ZIP_MAX_MEMBERS", limit=limits.zip_max_members)
        self.members = {info.filename: info for info in infos}
        self._check_declared(infos)

    def _check_declared(self, infos: list[zipfile.ZipInfo]) -> None:
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise ValidationError.single(msg(
                    "%(name)s in %(what)s is encrypted; encrypted archives cannot be read.",
                    what=self.what, name=info.filename))
            total += info.file_size
            self._check_ratio(info.filename, info.file_size, info.compress_size)
        if total > self.limits.zip_max_uncompressed_bytes:
            raise self._too_much()

    def _check_ratio(self, name: str, size: int, compressed: int) -> None:
        if size > RATIO_FLOOR and size > self.limits.zip_max_ratio * max(compressed, 1):
            raise LimitExceeded(
                msg("%(name)s in %(what)s is compressed more than %(ratio)s times (setting "
                    "ZIP_MAX_RATIO); such files are refused as possible ZIP bombs.",
                    name=name, what=self.what, ratio=self.limits.zip_max_ratio),
                setting="ZIP_MAX_RATIO", limit=self.limits.zip_max_ratio)

    def _too_much(self) -> LimitExceeded:
        return LimitExceeded(
            msg("Unpacked, %(what)s would be larger than %(size)s (setting "
                "ZIP_MAX_UNCOMPRESSED_BYTES).",
                what=self.what, size=size_text(self.limits.zip_max_uncompressed_bytes)),
            setting="ZIP_MAX_UNCOMPRESSED_BYTES", limit=self.limits.zip_max_uncompressed_bytes)

    def infolist(self) -> list[Member]:
        """Every member as declared, in archive order."""
        return [Member(info.filename, info.file_size, info.compress_size, info.is_dir())
                for info in self.members.values()]

    def __contains__(self, name: object) -> bool:
        return name in self.members

    def chunks(self, name: str, max_bytes: int | None = None,
               chunk_size: int = CHUNK) -> Iterator[bytes]:
        """The member's bytes in chunks, checked against its declared size as they come.

        ``max_bytes`` bounds this member (e.g. the photo limit) on top of the
        archive's limits. The member's compressed bytes are inflated here, from
        the range the central directory declares, so a stream that inflates past
        the declared size, stops short of it, runs past its compressed range or
        fails its checksum is refused — whatever reads the archive next (python-docx,
        calamine) then sees exactly the bytes checked here.
        """
        info = self.members.get(name)
        if info is None:
            raise ValidationError.single(msg("%(name)s is missing from %(what)s.", name=name,
                                             what=self.what))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValidationError.single(msg(
                "%(name)s in %(what)s uses a compression method that cannot be read; save "
                "the file again with the usual ZIP compression.", name=name, what=self.what))
        raw = self._raw_range(info)
        pieces = _inflated(raw, chunk_size) if info.compress_type == zipfile.ZIP_DEFLATED \
            else _stored(raw, chunk_size)
        real, crc = 0, 0
        limit = info.file_size if max_bytes is None else min(info.file_size, max_bytes)
        try:
            for chunk in pieces:
                real += len(chunk)
                # Real sizes never pass the declared ones, whose total was checked
                # when the archive was opened: the total limit holds for real bytes.
                if real > info.file_size:
                    raise self._lying(name)
                if real > limit:
                    raise ValidationError.single(msg("%(name)s is larger than %(size)s.",
                                                     name=name, size=size_text(limit)))
                crc = zlib.crc32(chunk, crc)
                yield chunk
        except _Truncated:
            raise self._lying(name) from None
        if real != info.file_size or crc != info.CRC:
            raise self._lying(name)

    def _raw_range(self, info: zipfile.ZipInfo) -> memoryview:
        """The member's compressed bytes, where its local header says they start."""
        header = self._data[info.header_offset:info.header_offset + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise self._lying(info.filename)
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        start = info.header_offset + 30 + name_length + extra_length
        end = start + info.compress_size
        if end > len(self._data):
            raise self._lying(info.filename)
        return memoryview(self._data)[start:end]

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """The whole member (bounded as :meth:`chunks`)."""
        return b"".join(self.chunks(name, max_bytes))

    def verify(self, name: str) -> int:
        """Stream one member through without keeping it; its real size."""
        return sum(len(chunk) for chunk in self.chunks(name))

    def _lying(self, name: str) -> ValidationError:
        return ValidationError.single(msg(
            "%(name)s in %(what)s is damaged: its content does not match the sizes or "
            "checksum the archive declares.", name=name, what=self.what))

    def close(self) -> None:
        """Release the archive."""
        self._archive.close()


class _Truncated(Exception):
    """The compressed data is damaged, ends early, or runs past its declared range."""


def _stored(raw: memoryview, chunk_size: int) -> Iterator[bytes]:
    for start in range(0, len(raw), chunk_size):
        yield bytes(raw[start:start + chunk_size])


def _inflated(raw: memoryview, chunk_size: int) -> Iterator[bytes]:
    """Inflate a raw deflate stream that must end exactly where its range ends."""
    inflater = zlib.decompressobj(-15)
    position = 0
    while not inflater.eof:
        data: bytes | memoryview
        if inflater.unconsumed_tail:
            data = inflater.unconsumed_tail
        elif position < len(raw):
            data = raw[position:position + chunk_size]
            position += len(data)
        else:
            raise _Truncated
        try:
            out = inflater.decompress(data, chunk_size)
        except zlib.error:
            raise _Truncated from None
        if out:
            yield out
    if inflater.unused_data or inflater.unconsumed_tail or position < len(raw):
        raise _Truncated


def open_zip(data: bytes, limits: UploadLimits, what: MessageLike | None = None) -> BoundedZip:
    """Open ZIP bytes with their declared sizes checked against the limits."""
    return BoundedZip(data, limits, what if what is not None else msg("the file"))
