"""Loading the checks' data tables (``workbench/checks/data/*.tsv``), once per process.

Tables are tab-separated UTF-8 with ``#`` comment lines and a header row, so
that linguists can extend them without touching code.
"""
from __future__ import annotations

import functools
from importlib import resources


@functools.lru_cache(maxsize=None)
def table(name: str) -> tuple[dict[str, str], ...]:
    """The rows of data table ``name`` as dicts keyed by the header's column names."""
    text = resources.files("workbench.checks").joinpath("data", name).read_text("utf-8")
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if header is None:
            header = cells
            continue
        cells += [""] * (len(header) - len(cells))
        # Cells beyond the header have no column name: they are dropped, as before.
        rows.append(dict(zip(header, cells, strict=False)))
    return tuple(rows)


@functools.lru_cache(maxsize=None)
def word_list(name: str) -> frozenset[str]:
    """A one-word-per-line data file as a set of lower-case words (``#`` starts a comment)."""
    text = resources.files("workbench.checks").joinpath("data", name).read_text("utf-8")
    words = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(line.lower())
    return frozenset(words)
