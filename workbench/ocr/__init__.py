"""Reading sign photos (OCR): the recognized lines and the sign's texts they make.

    from workbench.ocr import read_image
    result = read_image(photo_bytes, settings)      # settings: the app config or None
    result.zh                 # "小心地滑"
    result.foreign            # {"en": "CAUTION//Wet Floor"}
    result.lines              # [OcrLine(text, box, confidence, script), …]
    result.questions          # what the officer must decide (never guessed)
    result.to_dict()          # JSON-ready; messages as ids + parameters

The engine (:mod:`workbench.ocr.engine`, RapidOCR with the PP-OCR models shipped
in its wheel) reads Chinese and Latin script. Cyrillic, Japanese kana and
Korean Hangul are not read: a line in one of them is reported as a notice and
never prefilled. Grouping and joining lines into texts is
:mod:`workbench.ocr.assemble`. Nothing here knows about signs in the database
or how it is scheduled (web request, CLI, job).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from workbench import images
from workbench.messages import Translator, render
from workbench.ocr import assemble as assembly
from workbench.ocr import engine, scripts
from workbench.ocr.assemble import Question

DEFAULT_MAX_BYTES = 15 * 1024 * 1024
# The recognizer gains nothing from more pixels than this; boxes are scaled back.
WORK_MAX_SIDE = 2000
ENGINE_NAME = "RapidOCR PP-OCRv4 (zh + Latin)"

__all__ = ["ENGINE_NAME", "READ_SCRIPTS", "OcrLine", "OcrResult", "Question", "engine",
           "from_lines", "read_image", "read_opened"]
READ_SCRIPTS = scripts.READ_SCRIPTS


@dataclass
class OcrLine:
    """One recognized line: text, four corner points (x, y) in the upright photo's
    pixels, the recognizer's confidence (0–1), the script, and the text block it
    joined (None: it joined none)."""

    text: str
    box: list[list[int]]
    confidence: float
    script: str
    block: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"text": self.text, "box": self.box, "confidence": round(self.confidence, 4),
                "script": self.script, "block": self.block}


@dataclass
class OcrResult:
    """What a photo says: lines, the assembled Chinese, foreign texts, questions."""

    width: int
    height: int
    lines: list[OcrLine] = field(default_factory=list)
    zh: str = ""
    foreign: dict[str, str] = field(default_factory=dict)
    questions: list[Question] = field(default_factory=list)

    @property
    def unread_scripts(self) -> list[str]:
        """Scripts found on the photo that the models do not read."""
        return sorted({line.script for line in self.lines
                       if line.script not in scripts.READ_SCRIPTS})

    def to_dict(self, translator: Translator | None = None) -> dict[str, Any]:
        """JSON-ready data; questions carry their messages as ids and parameters
        (``message``), and rendered (``text``) when a translator is given."""
        return {"width": self.width, "height": self.height, "zh": self.zh,
                "foreign": dict(self.foreign),
                "lines": [line.to_dict() for line in self.lines],
                "questions": [_question_data(q, translator) for q in self.questions],
                "engine": ENGINE_NAME}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OcrResult:
        """The result stored by :meth:`to_dict` (questions are re-derived from the lines)."""
        lines = [OcrLine(str(item["text"]), [list(map(int, p)) for p in item["box"]],
                         float(item["confidence"]), str(item["script"]), item.get("block"))
                 for item in data.get("lines", [])]
        return from_lines(int(data.get("width", 0)), int(data.get("height", 0)), lines)


def _question_data(question: Question, translator: Translator | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": question.kind, "field": question.field,
        "message": question.message.to_dict(), "lines": question.lines,
        "options": [{"value": o.value, "label": o.label.to_dict()} for o in question.options]}
    if translator is not None:
        data["text"] = render(question.message, translator)
        for option, rendered in zip(question.options, data["options"], strict=True):
            rendered["text"] = render(option.label, translator)
    return data


def from_lines(width: int, height: int, lines: list[OcrLine]) -> OcrResult:
    """Assemble recognized lines into the sign's texts and questions."""
    work = [assembly.Line(line.text, line.box, line.confidence, line.script) for line in lines]
    assembled = assembly.assemble(work)
    for line, grouped in zip(lines, work, strict=True):
        line.block = grouped.block
    return OcrResult(width, height, lines, assembled.zh, assembled.foreign,
                     assembled.questions)


def _to_bgr(image: Image.Image) -> tuple[np.ndarray, float]:
    scale = 1.0
    longest = max(image.size)
    if longest > WORK_MAX_SIDE:
        scale = WORK_MAX_SIDE / longest
        image = image.resize((max(1, round(image.width * scale)),
                              max(1, round(image.height * scale))), Image.Resampling.BILINEAR)
    rgb = np.asarray(image.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1]), scale


def read_opened(image: Image.Image, settings: Mapping[str, Any] | None = None) -> OcrResult:
    """Recognize an already opened, upright photo (see :func:`workbench.images.open_photo`)."""
    options = engine.options_from(settings)
    pixels, scale = _to_bgr(image)
    lines = []
    for raw in engine.recognize(pixels, options):
        box = [[round(x / scale), round(y / scale)] for x, y in raw.box]
        lines.append(OcrLine(raw.text, box, raw.confidence, scripts.script_of(raw.text)))
    return from_lines(image.width, image.height, lines)


def read_image(data: bytes, settings: Mapping[str, Any] | None = None,
               name: str = "photo") -> OcrResult:
    """Check, decode and recognize one photo (JPEG, PNG or WebP bytes).

    Raises :class:`workbench.errors.ValidationError` for anything that is not a
    readable image within ``MAX_PHOTO_BYTES``, and
    :class:`workbench.ocr.engine.OcrUnavailable` when the engine is missing.
    """
    limit = int((settings or {}).get("MAX_PHOTO_BYTES") or DEFAULT_MAX_BYTES)
    opened = images.open_photo(data, name, limit)
    return read_opened(opened.image, settings)
