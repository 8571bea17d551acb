"""Reading uploaded files in views: bounded, and refused with the limit that applies."""
from __future__ import annotations

from typing import Any

from flask import current_app

from workbench.files.limits import check_size


def read_upload(storage: Any, setting: str) -> bytes | None:
    """The uploaded file's bytes (None when no file was chosen), at most the setting's limit.

    Reads one byte past the limit, so a larger file is refused with a message naming
    this limit (not the request limit the 413 page talks about), without reading it all.
    """
    if storage is None or not getattr(storage, "filename", None):
        return None
    limit = int(current_app.config[setting])
    data = storage.read(limit + 1)
    check_size(len(data), limit, setting)
    return data
