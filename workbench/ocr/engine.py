"""The recognition engine: RapidOCR (PP-OCR detection and recognition models in ONNX).

The models ship inside the ``rapidocr-onnxruntime`` wheel, so nothing is
downloaded, ever. The engine is built once per process and per set of
options, lazily (the first photo pays about a third of a second) and under a
lock, so concurrent requests share one instance. Calling it is thread-safe:
onnxruntime sessions may run concurrently and RapidOCR keeps no per-call state
in its detector, classifier and recognizer, which are what is called here.
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
        # Missing package, or OpenCV without the system's libGL / GLib (Debian: libgl1,
        # libglib2.0-0): say which, so that whoever installs it knows what to add.
        raise OcrUnavailable(msg("Text recognition is not available: %(reason)s",
                                 reason=str(error))) from error
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


def _detection_copy(image_bgr: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    import cv2

    height, width = image_bgr.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    if scale >= 1.0:
        return image_bgr, 1.0
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image_bgr, size, interpolation=cv2.INTER_AREA), scale


def recognize(image_bgr: np.ndarray, options: EngineOptions) -> list[RawLine]:
    """Every text line the engine finds in a BGR image, in its reading order.

    Lines are *detected* on a copy scaled to ``options.max_side`` (detection cost
    grows with the pixels and gains nothing from more on a sign photo) and
    *recognized* on crops of the full image, so small text keeps its detail.
    """
    engine = get_engine(options)
    small, scale = _detection_copy(image_bgr, options.max_side)
    boxes, _elapsed = engine.text_det(small)
    if boxes is None or len(boxes) == 0:
        return []
    boxes = [np.asarray(box, dtype=np.float32) / scale for box in engine.sorted_boxes(boxes)]
    height, width = image_bgr.shape[:2]
    for box in boxes:
        np.clip(box[:, 0], 0, width - 1, out=box[:, 0])
        np.clip(box[:, 1], 0, height - 1, out=box[:, 1])
    crops = engine.get_crop_img_list(image_bgr, boxes)
    if options.use_angle_classifier:
        crops, _classes, _elapsed = engine.text_cls(crops)
    recognized, _elapsed = engine.text_rec(crops)
    lines = []
    for box, (text, score, *_rest) in zip(boxes, recognized, strict=True):
        text = str(text).strip()
        if text and float(score) >= options.min_confidence:
            points = tuple((float(x), float(y)) for x, y in box)
            lines.append(RawLine(points, text, float(score)))
    return lines
