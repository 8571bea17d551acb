"""Files that jobs write: never visible half-written, and downloadable only by who may see the run.

A job writes its file under a temporary name in the same folder
(``.<name>.part``) and renames it into place only when it is complete
(:func:`atomic_output`), so a worker killed mid-way leaves no partial file
under the real name; a run started again writes the same name again.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from workbench import auth
from workbench.errors import NotFound
from workbench.jobs import store
from workbench.messages import msg
from workbench.rowtypes import JobRun


def output_dir(settings: Mapping[str, Any]) -> Path:
    """The folder job output files go to (``EXPORT_DIR``, default ``<instance>/exports``)."""
    folder = settings.get("EXPORT_DIR") or Path(settings.get("INSTANCE_PATH") or ".") / "exports"
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def atomic_output(folder: Path, name: str) -> Iterator[Path]:
    """Yield a temporary path to write ``name`` to; renamed into place when the block ends.

    An error (or a cancel) in the block removes the temporary file and leaves
    any earlier file of that name untouched.
    """
    if Path(name).name != name or name.startswith("."):
        raise ValueError(f"not a plain file name: {name!r}")
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.part"
    try:
        yield partial
        with open(partial, "rb+") as written:
            os.fsync(written.fileno())  # on disk before it gets its real name
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, folder / name)


def result_file(db: Database, user: auth.User, run_id: int,
                settings: Mapping[str, Any]) -> tuple[Path, JobRun]:
    """The file a finished run wrote, for a user who may see the run."""
    run = store.visible_run(db, user, run_id)
    name = (run["result"] or {}).get("file") if run["state"] == "done" else None
    if not name:
        raise NotFound(msg("This job has no file."))
    folder = output_dir(settings).resolve()
    path = (folder / str(name)).resolve()
    if path.parent != folder or not path.is_file():
        raise NotFound(msg("The job's file is no longer available."))
    return path, run
