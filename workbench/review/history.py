"""A unit's history: every version with who, when and why, and word-level diffs.

Versions are written by :mod:`workbench.review.workflow` (``unit_versions``);
this module reads them and compares consecutive wordings. The diff works on
words and spaces for alphabetic scripts and on single characters for Chinese
and Japanese, which have no spaces between words. Diff segments are plain
data; templates render them with autoescaping on, so wording can never
inject markup.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

# A word (letters, digits, apostrophes inside words), a run of spaces, or one other character.
_WORD_TOKENS = re.compile(r"[\w’']+|\s+|[^\w\s]", re.UNICODE)
_CHARACTER_LANGS = {"zh", "ja"}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class DiffSegment:
    """A piece of a diff: ``op`` is ``equal``, ``insert`` or ``delete``."""

    op: str
    text: str


def tokenize(text: str, lang: str | None = None) -> list[str]:
    """Split wording into diff tokens: characters for Chinese/Japanese, else words and spaces."""
    if not text:
        return []
    base = (lang or "").split("-")[0].lower()
    if base in _CHARACTER_LANGS or (not base and _CJK.search(text)):
        return list(text)
    return _WORD_TOKENS.findall(text)


def word_diff(old: str | None, new: str | None, lang: str | None = None) -> list[DiffSegment]:
    """The changes from ``old`` to ``new`` as equal/insert/delete segments, in reading order."""
    before, after = tokenize(old or "", lang), tokenize(new or "", lang)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    segments: list[DiffSegment] = []

    def add(op: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1] = DiffSegment(op, segments[-1].text + text)
        else:
            segments.append(DiffSegment(op, text))

    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag == "equal":
            add("equal", before[a_start:a_end])
        else:
            # Deletions first, so a replaced word reads "old → new".
            add("delete", before[a_start:a_end])
            add("insert", after[b_start:b_end])
    return segments


def versions(db: Database, unit_id: int, target_lang: str | None = None,
             unit: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every recorded version of a unit, newest first, each with its diff from the one before.

    Given the ``unit`` itself, its current version is listed even before the
    workflow first wrote it down (a fresh machine draft), marked ``recorded`` False.
    """
    rows = list(db.query(
        "SELECT * FROM unit_versions WHERE unit_id = ? ORDER BY version", [unit_id]))
    qa = {version: (errors, warnings) for version, errors, warnings in db.execute(
        """SELECT version, sum(severity = 'error'), sum(severity = 'warning')
           FROM unit_findings WHERE unit_id = ? GROUP BY version""", [unit_id])}
    checked = {r[0] for r in db.execute(
        "SELECT version FROM unit_qa WHERE unit_id = ? AND errors = 0 AND warnings = 0",
        [unit_id])}
    for row in rows:
        row["recorded"] = True
    if unit is not None and not any(r["version"] == unit["version"] for r in rows):
        rows.append({
            "unit_id": unit_id, "version": unit["version"], "state": unit["state"],
            "target_text": unit["target_text"],
            "action": "draft" if unit["state"] == "machine_draft" else "create",
            "actor_id": None, "actor_name": unit.get("updated_by") or "system",
            "author_id": unit.get("author_id"), "author_name": unit.get("author_name"),
            "engine": unit.get("draft_engine"), "reason": None,
            "ts": unit.get("updated_at") or unit.get("created_at") or "", "recorded": False})
    previous_text: str | None = None
    for row in rows:
        # (errors, warnings) QA found in this version's wording. A clean result is
        # only kept for the current version, so an older one without findings is
        # None (not known) rather than claimed clean.
        row["qa"] = qa.get(row["version"]) or ((0, 0) if row["version"] in checked else None)
        row["diff"] = word_diff(previous_text, row["target_text"], target_lang)
        row["text_changed"] = (row["target_text"] or "") != (previous_text or "")
        previous_text = row["target_text"]
    rows.reverse()
    return rows


def get_version(db: Database, unit_id: int, version: int) -> dict[str, Any] | None:
    """One recorded version, or None."""
    return next(db.query("SELECT * FROM unit_versions WHERE unit_id = ? AND version = ?",
                         [unit_id, version]), None)
