"""The recognition engine: RapidOCR (PP-OCR detection and recognition models in ONNX).

The models ship inside the ``rapidocr-onnxruntime`` wheel, so nothing is
downloaded, ever. The engine is built once per process and per set of
options, lazily (the first photo pays about a third of a second) and under a
lock, so concurrent requests share one instance. Calling it is thread-safe:
onnxruntime sessions may run concurrently and RapidOCR keeps no per-call state
when it is called without keyword arguments, which is how it is called here.
"""
from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from workbench.errors import WorkbenchError
from workbench.messages import msg


@dataclass(frozen=True)
class EngineOptions:
    """How the engine runs; from the settings ``OCR_*`` (see :func:`options_from`)."""

    threads: int = 1  # onnxruntime threads per photo
    max_side: int = 960  # the detector sees the photo scaled to this longest side
    min_confidence: float = 0.5  # lines recognized with less are dropped
    use_angle_classifier: bool = False  # 180° text; off: it flips side-by-side zh/en lines


@dataclass(frozen=True)
class RawLine:
    """One line as the engine found it: four corner points, text, confidence."""

    box: tuple[tuple[float, float], ...]
    text: str
    confidence: float


def options_from(settings: Mapping[str, Any] | None) -> EngineOptions:
    """Engine options from the settings (``OCR_THREADS``, ``OCR_MAX_SIDE``,
    ``OCR_MIN_CONFIDENCE``, ``OCR_ANGLE_CLASSIFIER``); defaults for missing ones."""
    settings = settings or {}
    defaults = EngineOptions()
    return EngineOptions(
        threads=int(settings.get("OCR_THREADS") or defaults.threads),
        max_side=int(settings.get("OCR_MAX_SIDE") or defaults.max_side),
        min_confidence=float(settings.get("OCR_MIN_CONFIDENCE", defaults.min_confidence)),
        use_angle_classifier=bool(settings.get("OCR_ANGLE_CLASSIFIER",
                                               defaults.use_angle_classifier)))


class OcrUnavailable(WorkbenchError):
    """The OCR engine is not installed in this environment."""

    http_status = 503


_LOCK = threading.Lock()
_ENGINES: dict[EngineOptions, Any] = {}


def _build(options: EngineOptions) -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as error:
        raise OcrUnavailable(msg("Text recognition is not installed (package "
                                 "rapidocr-onnxruntime).")) from error
    return RapidOCR(
        intra_op_num_threads=options.threads, inter_op_num_threads=1,
        det_limit_type="max", det_limit_side_len=options.max_side,
        use_cls=options.use_angle_classifier, text_score=options.min_confidence,
        print_verbose=False)


def get_engine(options: EngineOptions) -> Any:
    """The process's engine for these options, built on first use."""
    engine = _ENGINES.get(options)
    if engine is None:
        with _LOCK:
            engine = _ENGINES.get(options)
            if engine is None:
                engine = _build(options)
                _ENGINES[options] = engine
    return engine


def is_available() -> bool:
    """Whether the OCR package can be imported (it is a default dependency)."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def recognize(image_bgr: np.ndarray, options: EngineOptions) -> list[RawLine]:
    """Every text line the engine finds in a BGR image, in its reading order."""
    engine = get_engine(options)
    found, _elapsed = engine(image_bgr)
    lines = []
    for box, text, score in found or ():
        text = str(text).strip()
        if text and float(score) >= options.min_confidence:
            points = tuple((float(x), float(y)) for x, y in box)
            lines.append(RawLine(points, text, float(score)))
    return lines
