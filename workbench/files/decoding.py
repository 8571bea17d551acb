"""The one rule for text files: which encoding, decided the same way by every importer.

1. a byte-order mark decides: UTF-8 with BOM, UTF-16 (LE or BE) with BOM;
2. else UTF-8, if the whole file is valid UTF-8;
3. else GB18030 (a superset of GBK and GB2312: what Chinese Windows and WPS write
   when they do not write UTF-8), if the whole file is valid GB18030;
4. anything else is refused — a wrong guess would store garbled Chinese — and
   charset-normalizer only names, from the first megabyte, what the file looks
   like, so that the message can say what to do.

Text with NUL characters is refused (a binary file, or UTF-16 without a BOM).
Validity is checked with incremental decoders over chunks, so nothing but the
final text (or, for CSV, a line at a time) is held in memory.
"""
from __future__ import annotations

import codecs
import io
from collections.abc import Iterator

from workbench.errors import ValidationError
from workbench.messages import MessageLike, msg

CHUNK = 1024 * 1024
SAMPLE = 1024 * 1024
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _decodes(data: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for start in range(0, len(data), CHUNK):
            if "\x00" in decoder.decode(data[start:start + CHUNK]):
                return False
        return "\x00" not in decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False


def detect_encoding(data: bytes, what: MessageLike | None = None) -> str:
    """The encoding of text bytes by the rule above; ValidationError when none fits."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith(UTF16_BOMS):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        if _decodes(data, encoding):
            return encoding
    guess = _guess(data)
    what = what if what is not None else msg("the file")
    if guess:
        raise ValidationError.single(msg(
            "The text of %(what)s is not UTF-8 or GB18030 (it looks like %(guess)s); save "
            "it as UTF-8 and try again.", what=what, guess=guess))
    raise ValidationError.single(msg(
        "The text of %(what)s is not UTF-8 or GB18030; save it as UTF-8 and try again.", what=what))


def _guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:SAMPLE]).best()
    except Exception:  # noqa: BLE001 - a guess only improves the message
        return None
    return best.encoding if best is not None else None


def decode(data: bytes, what: MessageLike | None = None) -> tuple[str, str]:
    """(text, encoding) of text bytes; a BOM is not part of the text."""
    encoding = detect_encoding(data, what)
    text = data.decode(encoding)
    return (text.removeprefix("\ufeff")), encoding


def text_lines(data: bytes, encoding: str) -> Iterator[str]:
    """The decoded text a line at a time (newlines kept, as the csv module wants them)."""
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    first = True
    for line in stream:
        if first:
            first = False
            line = line.lstrip("\ufeff")
        yield line
