"""Typed rows: the shapes of the records that flow between modules.

Rows come out of SQLite as plain dicts; these TypedDicts name their keys and types
where a row crosses a module boundary (a getter's result, a finding list), so a
reader and mypy know what a ``sign``, ``unit``, ``finding`` or ``run`` holds.
"""
from __future__ import annotations

from typing import Any, TypedDict

from workbench.messages import MessageLike


class SiteRow(TypedDict):
    """A ``sites`` row."""

    id: int
    county_id: int
    name_zh: str
    name_en: str
    name_ru: str
    name_ja: str
    name_ko: str
    sector: str
    address: str
    latitude: float | None
    longitude: float | None
    created_by: str | None
    created_at: str
    updated_at: str


class SignRow(TypedDict):
    """A ``signs`` row."""

    id: int
    site_id: int
    county_id: int
    sign_code: str
    location: str
    function: str
    zh: str
    languages: str
    quantity: int
    size: str
    material: str
    action: str
    status: str
    rejection_reason: str | None
    opt_out_reason: str | None
    latitude: float | None
    longitude: float | None
    photo_count: int
    finding_count: int
    import_id: int | None
    created_by: str | None
    created_at: str
    updated_at: str


class UnitRow(TypedDict):
    """A ``translation_units`` row (a sign's or a document segment's wording)."""

    id: int
    kind: str
    scope: str
    source_lang: str
    source_text: str
    target_lang: str
    state: str
    target_text: str | None
    draft_engine: str | None
    draft_score: float | None
    version: int
    domain: str | None
    function: str | None
    created_at: str
    updated_at: str
    updated_by: str | None
    approved_by: str | None
    approved_at: str | None
    author_id: int | None
    author_name: str | None
    rejection_reason: str | None
    needs_clarification: int
    draft_model: str | None
    draft_prompt: str | None
    draft_flags: str | None
    draft_memory: str | None


class SignFinding(TypedDict):
    """A QA finding on a sign's installed text, as stored in ``sign_findings`` (without the
    sign id): ``message`` is the stored message data (``messages.dumps``)."""

    lang: str
    check_id: str
    severity: str
    message: str
    start_pos: int | None
    end_pos: int | None
    suggestion: str | None


class UnitFinding(TypedDict):
    """A stored QA finding of a unit's version, as pages read it: ``message`` as a message,
    ``dismissal`` the reviewer's dismissal (None when the finding counts)."""

    unit_id: int
    version: int
    check_id: str
    severity: str
    message: MessageLike
    start_pos: int | None
    end_pos: int | None
    suggestion: str | None
    finding_key: str
    dismissal: dict[str, Any] | None


class JobRun(TypedDict):
    """A ``job_runs`` row with its stored values decoded (``jobs.store.get_run``)."""

    id: int
    kind: str
    state: str
    arguments: dict[str, Any]
    subject_type: str | None
    subject_id: int | None
    county_id: int | None
    started_by_id: int | None
    started_by: str
    progress_done: int
    progress_total: int
    progress_message: MessageLike | None
    result: Any
    error: MessageLike | None
    attempts: int
    cancel_requested: int
    claim: str | None
    worker: str | None
    heartbeat_at: str | None
    not_before: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    active: bool
    percent: int
