"""Named limits on uploaded files, and the error that tells a user which one was passed.

Each limit is a setting (``config.DEFAULTS``, ``WORKBENCH_*`` variables) so that
an office can raise it; the defaults keep the memory of any upload within the
size limits under about 300 MB. Readers check them while streaming, before
anything is materialized, and raise :class:`LimitExceeded`, whose message names
the limit, its value and the setting.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from workbench.errors import Problem, ValidationError
from workbench.messages import MessageLike, msg

MB = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    """The limits one read applies (attribute = lower-case setting name).

    The defaults here equal ``config.DEFAULTS`` (a test checks it), so domain
    code called without settings (tests, scripts) applies the same limits.
    """

    max_import_bytes: int = 40 * MB
    max_document_bytes: int = 20 * MB
    max_photo_bytes: int = 15 * MB
    import_max_rows: int = 100_000
    import_max_columns: int = 256
    import_max_cells: int = 3_000_000
    zip_max_members: int = 10_000
    zip_max_uncompressed_bytes: int = 128 * MB
    zip_max_ratio: int = 100
    xml_max_elements: int = 1_000_000
    document_max_uncompressed_bytes: int = 64 * MB
    document_max_paragraphs: int = 50_000
    document_max_segments: int = 20_000
    photo_max_pixels: int = 50_000_000

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> UploadLimits:
        """The limits of a settings mapping (missing settings keep their defaults)."""
        settings = settings or {}
        values = {}
        for item in fields(cls):
            value = settings.get(item.name.upper())
            if value not in (None, ""):
                values[item.name] = int(value)
        return cls(**values)


DEFAULT_LIMITS = UploadLimits()


def limits_of(settings: Mapping[str, Any] | UploadLimits | None) -> UploadLimits:
    """Limits from settings, or the limits themselves, or the defaults."""
    if isinstance(settings, UploadLimits):
        return settings
    return UploadLimits.from_settings(settings)


class LimitExceeded(ValidationError):
    """An upload passed one of the named limits; nothing was read further or written."""

    http_status = 413

    def __init__(self, reason: MessageLike, *, setting: str, limit: int,
                 row: int | None = None, column: str | None = None, value: Any = None) -> None:
        super().__init__([Problem(reason, row=row, column=column, value=value)], summary=reason)
        self.setting = setting
        self.limit = limit


def size_text(size: int) -> str:
    """A byte count for messages: ``40 MB``, ``1.5 MB``, ``977 KB``."""
    if size < MB:
        return f"{max(size / 1024, 0.1):,.{0 if size >= 10 * 1024 else 1}f} KB"
    value = size / MB
    return f"{value:,.0f} MB" if value >= 10 or value.is_integer() else f"{value:,.1f} MB"


def too_large(size_limit: int, setting: str) -> LimitExceeded:
    """The error for an upload larger than its byte limit (the limit that applies, by name)."""
    return LimitExceeded(
        msg("The file is larger than the limit of %(size)s (setting %(setting)s).",
            size=size_text(size_limit), setting=setting), setting=setting, limit=size_limit)


def check_size(size: int, size_limit: int, setting: str) -> None:
    """Raise :class:`LimitExceeded` when ``size`` bytes are more than the limit."""
    if size > size_limit:
        raise too_large(size_limit, setting)


def count_exceeded(count_name: MessageLike, limit: int, setting: str, *,
                   hint: MessageLike | None = None, row: int | None = None) -> LimitExceeded:
    """The error for "more than N rows/cells/paragraphs …" naming the limit and its setting."""
    reason = msg("The file has more %(things)s than the limit of %(limit)s (setting "
                 "%(setting)s).", things=count_name, limit=f"{limit:,}", setting=setting)
    if hint is not None:
        reason = msg("%(reason)s %(hint)s", reason=reason, hint=hint)
    return LimitExceeded(reason, setting=setting, limit=limit, row=row)
