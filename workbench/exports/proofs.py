"""Print proofs: one A4 landscape page per sign, showing the sign as it will read.

Chinese on top, then each foreign language in the standard's order (English,
then Russian / Japanese / Korean as the sign requires), every line fitted to
the panel's width. Around the panel: the sign code, county, site, location,
fabrication details, who approved each language and when, and a QR code that
opens the sign's public page (``/r/<sign code>`` under ``PUBLIC_URL``), where
anyone who sees the sign can check its wording and report a problem.

One TrueType font draws every script: Debian's WenQuanYi Micro Hei
(``fonts-wqy-microhei``, a TrueType collection, face 0) covers Chinese, Latin,
Cyrillic, kana and Hangul. reportlab cannot embed CFF/OpenType fonts such as
Noto Sans CJK, which is why a TrueType one is used. Its path is the setting
``PROOF_FONT``; nothing is downloaded.
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urlsplit

from sqlite_utils import Database

from workbench.errors import WorkbenchError
from workbench.localtime import local_time, settings_zone
from workbench.messages import Message, msg, render
from workbench.vocabulary import SIGN_FUNCTIONS
from workbench.exports.selection import (ExportFilter, NothingToExport, Progress, SignRecord,
                                         bilingual, iter_signs, language_label,
                                         nothing_message)

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
DEFAULT_EXTERNAL_URL = "http://127.0.0.1:5000"
# Where a sign's page lives in the web app (the inventory blueprint's route).
DEFAULT_SIGN_PATH = "/inventory/signs/{id}"
FONT_NAME = "SignbenchProof"

_registered: dict[str, str] = {}


class FontMissing(WorkbenchError):
    """The proof font is not installed; the message says how to install or configure it."""

    exit_code = 2


def register_font(path: str | None = None) -> str:
    """Register the proof font with reportlab once; returns its reportlab name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont, TTFError

    path = path or DEFAULT_FONT
    if path in _registered:
        return _registered[path]
    if not Path(path).is_file():
        raise FontMissing(msg(
            "The proof font %(path)s is missing. Install it with "
            "`apt-get install fonts-wqy-microhei`, or set PROOF_FONT in the instance "
            "config.py to a TrueType font that has Chinese, Latin, Cyrillic, kana and Hangul.",
            path=path))
    name = f"{FONT_NAME}{len(_registered)}"
    try:
        index = 0 if path.lower().endswith((".ttc", ".otc")) else None
        font = TTFont(name, path, subfontIndex=index) if index is not None else TTFont(name, path)
    except TTFError as error:
        raise FontMissing(msg("The proof font %(path)s cannot be used: %(error)s", path=path,
                              error=str(error))) from error
    pdfmetrics.registerFont(font)
    _registered[path] = name
    return name


def sign_url(settings: Mapping[str, Any] | None, sign_id: int) -> str:
    """The sign's page in the workbench (``EXTERNAL_URL`` + ``SIGN_URL_PATH``)."""
    settings = settings or {}
    base = str(settings.get("EXTERNAL_URL") or DEFAULT_EXTERNAL_URL).rstrip("/")
    path = str(settings.get("SIGN_URL_PATH") or DEFAULT_SIGN_PATH)
    return base + path.format(id=sign_id)


def public_base_url(settings: Mapping[str, Any] | None) -> str:
    """Where the public report pages are reached: ``PUBLIC_URL``, else ``EXTERNAL_URL``."""
    settings = settings or {}
    return str(settings.get("PUBLIC_URL") or settings.get("EXTERNAL_URL")
               or DEFAULT_EXTERNAL_URL).rstrip("/")


def public_sign_url(settings: Mapping[str, Any] | None, sign_code: str) -> str:
    """The sign's public page, where its proof's QR code points: ``<PUBLIC_URL>/r/<code>``."""
    return f"{public_base_url(settings)}/r/{quote(sign_code, safe='/')}"


def _local_only(host: str) -> bool:
    if host in ("localhost", "") or host.endswith((".localhost", ".local")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified or address.is_link_local


def public_url_warning(settings: Mapping[str, Any] | None) -> Message | None:
    """A warning for the export's result when the QR codes would lead nowhere public."""
    settings = settings or {}
    base = public_base_url(settings)
    if not settings.get("PUBLIC_URL"):
        return msg("PUBLIC_URL is not set: the QR codes point to %(url)s. Set PUBLIC_URL "
                   "(WORKBENCH_PUBLIC_URL) to the public address before printing.", url=base)
    if _local_only((urlsplit(base).hostname or "").lower()):
        return msg("The QR codes point to %(url)s, which only this computer can open. Set "
                   "PUBLIC_URL (WORKBENCH_PUBLIC_URL) to the public address before printing.",
                   url=base)
    return None


# --- text fitting ----------------------------------------------------------------------------

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3040-\u30ff\uff00-\uffef]")


def _tokens(text: str) -> list[str]:
    """Break points: after each CJK/kana character, and at spaces between words."""
    tokens: list[str] = []
    for word in re.findall(r"\S+\s*", text):
        if _CJK.search(word):
            # Chinese and Japanese break between characters; keep Latin runs whole.
            tokens.extend(re.findall(r"[A-Za-z0-9]+\s*|.\s*", word))
        else:
            tokens.append(word)
    return tokens


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of ``text`` that fit ``width`` at ``size``; "//" is a forced break (GB/T 30240)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for part in (p.strip() for p in text.split("//")):
        if not part:
            continue
        line = ""
        for token in _tokens(part):
            candidate = line + token
            if line and stringWidth(candidate.rstrip(), font, size) > width:
                lines.append(line.rstrip())
                line = token
            else:
                line = candidate
        if line.strip():
            lines.append(line.rstrip())
    return lines or [""]


def fit(text: str, font: str, max_size: float, min_size: float, width: float,
        height: float) -> tuple[float, list[str]]:
    """The largest size (and its lines) at which ``text`` fits the box, down to ``min_size``."""
    size = max_size
    while True:
        lines = wrap(text, font, size, width)
        if len(lines) * size * 1.2 <= height or size <= min_size:
            return size, lines
        size = max(min_size, size * 0.9)


def fit_together(texts: list[str], font: str, max_size: float, min_size: float, width: float,
                 height: float) -> list[tuple[float, list[str]]]:
    """One size for several texts stacked in one box: the largest at which all of them fit."""
    size = max_size
    while True:
        blocks = [(size, wrap(text, font, size, width)) for text in texts]
        if sum(len(lines) for _s, lines in blocks) * size * 1.2 <= height or size <= min_size:
            return blocks
        size = max(min_size, size * 0.92)


# --- drawing ---------------------------------------------------------------------------------

@dataclass
class ProofResult:
    """What a proofs export wrote: pages, and the signs left out for missing approvals."""

    rows: int = 0
    missing: list[SignRecord] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)


def _draw_qr(canvas: Any, url: str, x: float, y: float, side: float) -> None:
    """Draw a QR code for ``url`` as vector squares (sharp at any print size)."""
    import segno

    qr = segno.make(url, error="m", micro=False)
    matrix = qr.matrix
    count = len(matrix)
    module = side / (count + 8)  # four modules of quiet zone on each side
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + side - (row_index + 4 + 1) * module
        start = None
        for col_index, dark in enumerate(list(row) + [0]):
            if dark and start is None:
                start = col_index
            elif not dark and start is not None:
                path.rect(x + (start + 4) * module, top, (col_index - start) * module, module)
                start = None
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, fill=1, stroke=0)


def draw_card(canvas: Any, record: SignRecord, font: str, url: str, generated: str) -> None:
    """Draw one sign's proof page on ``canvas`` (A4 landscape)."""
    from reportlab.lib.pagesizes import A4, landscape

    page_w, page_h = landscape(A4)
    margin = 36
    # Header: the sign code, and where the sign goes.
    canvas.setFillColorRGB(0.04, 0.43, 0.31)
    canvas.rect(0, page_h - 58, page_w, 58, fill=1, stroke=0)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setFont(font, 22)
    canvas.drawString(margin, page_h - 38, record.sign_code)
    canvas.setFont(font, 11)
    canvas.drawRightString(page_w - margin, page_h - 26, "印刷校样 Print proof")
    canvas.drawRightString(page_w - margin, page_h - 42, f"{generated}")
    canvas.setFillColorRGB(0.12, 0.16, 0.22)
    canvas.setFont(font, 12)
    place = " · ".join(p for p in (record.county, record.site, record.location) if p)
    canvas.drawString(margin, page_h - 80, place)
    canvas.setFont(font, 9.5)
    canvas.setFillColorRGB(0.42, 0.45, 0.5)
    details = [f"数量 Qty {record.quantity}"]
    if record.size:
        details.append(f"尺寸 Size {record.size}")
    if record.material:
        details.append(f"材质 Material {record.material}")
    details.append(f"功能 Function {bilingual(SIGN_FUNCTIONS.label(record.function))}")
    canvas.drawString(margin, page_h - 96, "   ".join(details))

    # The sign panel: Chinese above, each foreign language below in the standard's order.
    panel_x, panel_w = margin, page_w - 2 * margin
    panel_top, panel_bottom = page_h - 112, 150
    panel_h = panel_top - panel_bottom
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setStrokeColorRGB(0.12, 0.16, 0.22)
    canvas.setLineWidth(2)
    canvas.roundRect(panel_x, panel_bottom, panel_w, panel_h, 10, fill=1, stroke=1)
    inner_w = panel_w - 60
    languages = [lang for lang in record.languages if lang in record.texts]
    # Chinese takes about 40 % of the height; the foreign languages share the rest at one
    # common size, as they would on the sign itself.
    zh_box = panel_h * {0: 0.8, 1: 0.45, 2: 0.38}.get(len(languages), 0.3)
    blocks: list[tuple[float, list[str]]] = [fit(record.zh, font, 64, 18, inner_w, zh_box)]
    if languages:
        blocks += fit_together([record.texts[lang] for lang in languages], font, 34, 9,
                               inner_w, panel_h - zh_box - 24 - 10 * len(languages))
    total_h = sum(len(lines) * size * 1.2 for size, lines in blocks) + 10 * len(languages)
    cursor = panel_bottom + panel_h / 2 + total_h / 2
    canvas.setFillColorRGB(0, 0, 0)
    for index, (size, lines) in enumerate(blocks):
        if index == 1:
            # A thin rule between the Chinese and the foreign languages.
            canvas.setStrokeColorRGB(0.75, 0.78, 0.82)
            canvas.setLineWidth(0.8)
            canvas.line(panel_x + 60, cursor - 4, panel_x + panel_w - 60, cursor - 4)
            cursor -= 10
        elif index > 1:
            cursor -= 10
        canvas.setFont(font, size)
        for line in lines:
            cursor -= size * 1.2
            canvas.drawCentredString(panel_x + panel_w / 2, cursor + size * 0.22, line)

    # Footer: who approved what, and the QR code to the sign's page.
    canvas.setFont(font, 10)
    canvas.setFillColorRGB(0.12, 0.16, 0.22)
    y = 128
    canvas.drawString(margin, y, "审定 Approved wording")
    canvas.setFont(font, 9.5)
    for lang in languages:
        y -= 15
        when = (record.approved_at.get(lang) or "")[:10]
        canvas.drawString(margin, y, f"{language_label(lang)}: {record.approved_by.get(lang, '')}"
                                     f"  {when}")
    qr_side = 112
    qr_x = page_w - margin - qr_side
    _draw_qr(canvas, url, qr_x, 24, qr_side)
    canvas.setFont(font, 8)
    canvas.setFillColorRGB(0.42, 0.45, 0.5)
    canvas.drawRightString(qr_x - 8, 30, url)
    canvas.drawRightString(qr_x - 8, 42, "扫码核对译文、报告问题 Scan to check the wording or "
                                         "report a problem")


def write_proofs(db: Database, flt: ExportFilter, stream: BinaryIO | str | Path, *,
                 settings: Mapping[str, Any] | None = None,
                 progress: Progress | None = None,
                 records: Iterable[SignRecord] | None = None) -> ProofResult:
    """Write one proof page per sign whose wording is all approved; raises NothingToExport
    when there is none. ``records`` may be given to reuse an already-read selection."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    settings = settings or {}
    font = register_font(settings.get("PROOF_FONT"))
    result = ProofResult()
    warning = public_url_warning(settings)
    if warning is not None:
        result.warnings.append(warning)
    generated = local_time(datetime.now(timezone.utc), settings_zone(settings))
    canvas = Canvas(str(stream) if isinstance(stream, Path) else stream,
                    pagesize=landscape(A4), pageCompression=1)
    canvas.setTitle("Signbench print proofs" + (f" — {flt.county}" if flt.county else ""))
    canvas.setAuthor("Signbench")
    canvas.setSubject(f"Approved sign wording ({render(flt.describe())})")
    source = records if records is not None else iter_signs(db, flt,
                                                            progress=progress)
    for record in source:
        if not record.complete:
            result.missing.append(record)
            continue
        draw_card(canvas, record, font, public_sign_url(settings, record.sign_code), generated)
        canvas.showPage()
        result.rows += 1
    if not result.rows:
        raise NothingToExport(nothing_message(db, flt))
    canvas.save()
    return result
