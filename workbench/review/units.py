"""Shared translation units: one wording per Chinese text and target language.

Every sign is linked (``sign_units``) to one unit per required language.
Identical Chinese texts across the whole inventory share one unit (``scope``
``''``), so a wording is drafted, reviewed and approved once and reused on every
sign that carries it. A sign that needs a different wording opts out with a
reason and gets a private unit (``scope`` ``'sign:<id>'``). Documents will use
``'doc:<id>'`` scopes and ``kind='segment'``.

Unit states: new → machine_draft → translated → in_review → approved (or
rejected). This module creates, links and machine-drafts units; approving is
the review workflow's (``workbench.review.workflow``), which calls
:func:`refresh_sign_status` for the signs of a unit it changed. ``version``
starts at 1 and goes up with every change (optimistic locking).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.review.workflow import store_findings

UNIT_STATES = ("new", "machine_draft", "translated", "in_review", "approved", "rejected")
# state → (Chinese label, English label), for pages.
UNIT_STATE_LABELS: dict[str, tuple[str, str]] = {
    "new": ("待翻译", "New"), "machine_draft": ("机器初稿", "Machine draft"),
    "translated": ("已翻译", "Translated"), "in_review": ("审校中", "In review"),
    "approved": ("已批准", "Approved"), "rejected": ("已退回", "Rejected"),
}
SHARED_SCOPE = ""
# Sign statuses the unit states decide; later ones (fabricated, installed) and
# rejected are set by people and left alone here.
STATUS_FOLLOWS_UNITS = frozenset({"submitted", "drafting", "in_review", "approved"})


def sign_scope(sign_id: int, opt_out_reason: str | None) -> str:
    """The unit scope of a sign: shared, or private when it opted out with a reason."""
    return f"sign:{sign_id}" if opt_out_reason else SHARED_SCOPE


@dataclass
class SignUnitRequest:
    """What :func:`link_units_bulk` needs to know about one sign."""

    sign_id: int
    zh: str
    languages: Sequence[str]
    function: str | None = None
    domain: str | None = None
    opt_out_reason: str | None = None
    # lang → installed text to start the unit from (a sign kept as it is).
    prefill: dict[str, str] = field(default_factory=dict)


def link_units_bulk(db: Database, requests: Sequence[SignUnitRequest],
                    actor_name: str = "system", *, new_signs: bool = False) -> list[int]:
    """Create missing units and link every sign to its unit per language; new unit ids.

    Runs in the caller's transaction, which records the audit event (an import
    summary or the sign's own event). Links for languages a sign no longer
    requires are removed; the units themselves stay (other signs may use them).
    ``new_signs`` says every sign is brand new (no links to remove yet).
    """
    now = audit.now_iso()
    before_max = db.execute("SELECT coalesce(max(id), 0) FROM translation_units").fetchone()[0]
    # One candidate row per distinct (scope, text, language): 100,000 signs carry
    # a few hundred distinct wordings, and each INSERT OR IGNORE costs an index probe.
    candidates: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    keys = []
    for req in requests:
        scope = sign_scope(req.sign_id, req.opt_out_reason)
        for lang in req.languages:
            key = (scope, req.zh, lang)
            keys.append((req.sign_id, scope, req.zh, lang))
            text = req.prefill.get(lang)
            if key not in candidates or (text and candidates[key][6] is None):
                candidates[key] = ("sign", scope, "zh", req.zh, lang,
                                   "translated" if text else "new", text,
                                   "installed" if text else None, req.domain, req.function,
                                   now, now, actor_name)
    unit_rows = list(candidates.values())
    db.conn.executemany(
        """INSERT OR IGNORE INTO translation_units (kind, scope, source_lang, source_text,
               target_lang, state, target_text, draft_engine, domain, function, created_at,
               updated_at, updated_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", unit_rows)
    # Look the ids up in one pass per distinct (scope, text, lang).
    lookup: dict[tuple[str, str, str], int] = {}
    wanted = {(scope, zh, lang) for _sid, scope, zh, lang in keys}
    if len(wanted) > 2000:
        texts = {zh for _s, zh, _l in wanted}
        for row in db.execute("SELECT id, scope, source_text, target_lang FROM "
                              "translation_units WHERE kind = 'sign' AND source_lang = 'zh'"):
            if row[2] in texts:
                lookup[(row[1], row[2], row[3])] = row[0]
    else:
        for scope, zh, lang in wanted:
            row = db.execute(
                "SELECT id FROM translation_units WHERE kind = 'sign' AND scope = ? AND "
                "source_lang = 'zh' AND source_text = ? AND target_lang = ?",
                [scope, zh, lang]).fetchone()
            lookup[(scope, zh, lang)] = row[0]
    sign_ids = [] if new_signs else [req.sign_id for req in requests]
    for start in range(0, len(sign_ids), 500):
        chunk = sign_ids[start:start + 500]
        db.execute(f"DELETE FROM sign_units WHERE sign_id IN ({','.join('?' * len(chunk))})",
                   chunk)
    db.conn.executemany(
        "INSERT INTO sign_units (sign_id, target_lang, unit_id) VALUES (?, ?, ?)",
        [(sid, lang, lookup[(scope, zh, lang)]) for sid, scope, zh, lang in keys])
    return [r[0] for r in db.execute("SELECT id FROM translation_units WHERE id > ?",
                                     [before_max])]


def ensure_units_for_sign(db: Database, actor: auth.User, sign_id: int) -> list[int]:
    """Create or link one unit per required language of the sign (English always).

    A sign kept as it is ('keep') starts a *new* unit from its installed text
    when the QA checks found no error in it, so reviewers confirm rather than
    retranslate. Returns the ids of units created now (each audited).
    """
    with transaction(db):
        sign = next(db.query(
            "SELECT s.*, st.sector FROM signs s JOIN sites st ON st.id = s.site_id "
            "WHERE s.id = ?", [sign_id]))
        languages = [lang for lang in sign["languages"].split(";") if lang] or ["en"]
        if "en" not in languages:
            languages.insert(0, "en")
        prefill: dict[str, str] = {}
        if sign["action"] == "keep":
            flagged = {r[0] for r in db.execute(
                "SELECT DISTINCT lang FROM sign_findings WHERE sign_id = ? AND severity = "
                "'error'", [sign_id])}
            for lang, text in db.execute(
                    "SELECT lang, text FROM sign_current_texts WHERE sign_id = ?", [sign_id]):
                if lang in languages and lang not in flagged:
                    prefill[lang] = text
        created = link_units_bulk(db, [SignUnitRequest(
            sign_id, sign["zh"], languages, sign["function"], sign["sector"],
            sign["opt_out_reason"], prefill)], actor.username)
        for unit_id in created:
            audit.record(db, actor, "unit.create", "translation_unit", unit_id, None,
                         get_unit(db, unit_id))
    return created


def get_unit(db: Database, unit_id: int) -> dict[str, Any] | None:
    """One translation unit as a dict (KeyError-free: None when missing)."""
    return next(db.query("SELECT * FROM translation_units WHERE id = ?", [unit_id]), None)


def units_for_sign(db: Database, sign_id: int) -> list[dict[str, Any]]:
    """The sign's units per language, with how many signs share each."""
    return list(db.query(
        """SELECT su.target_lang AS lang, u.*,
                  (SELECT count(*) FROM sign_units x WHERE x.unit_id = u.id) AS sign_count
           FROM sign_units su JOIN translation_units u ON u.id = su.unit_id
           WHERE su.sign_id = ?
           ORDER BY CASE su.target_lang WHEN 'en' THEN 0 WHEN 'ru' THEN 1 WHEN 'ja' THEN 2
                    WHEN 'ko' THEN 3 ELSE 4 END""", [sign_id]))


def signs_of_units(db: Database, unit_ids: Iterable[int]) -> list[int]:
    """Ids of the signs linked to any of these units."""
    ids = list(unit_ids)
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update(r[0] for r in db.execute(
            f"SELECT DISTINCT sign_id FROM sign_units WHERE unit_id IN "
            f"({','.join('?' * len(chunk))})", chunk))
    return sorted(found)


def status_from_units(states: Sequence[str]) -> str:
    """The sign status its units' states imply: the least advanced language decides.

    Every required language approved → approved; every one at least in review →
    in_review; any draft or translation (in any language) → drafting; otherwise
    submitted. English approved while Russian has no draft yet is still
    drafting: the sign cannot be made before every language is ready.
    """
    if states and all(s == "approved" for s in states):
        return "approved"
    if states and all(s in ("in_review", "approved") for s in states):
        return "in_review"
    if any(s != "new" for s in states):
        return "drafting"
    return "submitted"


def _unit_states(db: Database, sign_ids: Sequence[int]) -> dict[int, list[str]]:
    """Per sign, the state of the unit of each required language ('new' where none is linked)."""
    marks = ",".join("?" * len(sign_ids))
    linked: dict[int, dict[str, str]] = {}
    for sign_id, lang, state in db.execute(
            f"SELECT su.sign_id, su.target_lang, u.state FROM sign_units su "
            f"JOIN translation_units u ON u.id = su.unit_id WHERE su.sign_id IN ({marks})",
            list(sign_ids)):
        linked.setdefault(sign_id, {})[lang] = state
    states = {}
    for sign_id, languages in db.execute(f"SELECT id, languages FROM signs WHERE id IN ({marks})",
                                         list(sign_ids)):
        required = [lang for lang in (languages or "en").split(";") if lang] or ["en"]
        found = linked.get(sign_id, {})
        states[sign_id] = [found.get(lang, "new") for lang in required]
    return states


def refresh_sign_status(db: Database, sign_id: int, actor: auth.User | None = None) -> str:
    """Move a sign to the status its units imply; returns the (new) status.

    Only statuses in :data:`STATUS_FOLLOWS_UNITS` move; a rejected, fabricated or
    installed sign stays where a person put it. The review workflow calls this
    for every sign of a unit it changes (:func:`signs_of_units`). Audited.
    """
    actor = actor or auth.system_actor("workflow")
    with transaction(db):
        row = db.execute("SELECT status, county_id FROM signs WHERE id = ?",
                         [sign_id]).fetchone()
        if row is None or row[0] not in STATUS_FOLLOWS_UNITS:
            return row[0] if row else ""
        status = status_from_units(_unit_states(db, [sign_id])[sign_id])
        if status != row[0]:
            db.execute("UPDATE signs SET status = ?, updated_at = ? WHERE id = ?",
                       [status, audit.now_iso(), sign_id])
            audit.record(db, actor, "sign.status", "sign", sign_id,
                         {"status": row[0], "county_id": row[1]},
                         {"status": status, "county_id": row[1]})
        return status


def refresh_statuses_bulk(db: Database, sign_ids: Sequence[int]) -> dict[str, list[int]]:
    """:func:`refresh_sign_status` for many signs at once, without audit events.

    For bulk imports: runs in the caller's transaction, whose summary audit
    event must list the returned changes (new status → sign ids).
    """
    changes: dict[str, list[int]] = {}
    now = audit.now_iso()
    updates = []
    for start in range(0, len(sign_ids), 900):
        chunk = list(sign_ids[start:start + 900])
        marks = ",".join("?" * len(chunk))
        states = _unit_states(db, chunk)
        for sign_id, status in db.execute(
                f"SELECT id, status FROM signs WHERE id IN ({marks})", chunk):
            if status not in STATUS_FOLLOWS_UNITS:
                continue
            wanted = status_from_units(states.get(sign_id, []))
            if wanted != status:
                changes.setdefault(wanted, []).append(sign_id)
                updates.append((wanted, now, sign_id))
    db.conn.executemany("UPDATE signs SET status = ?, updated_at = ? WHERE id = ?", updates)
    return changes


ENGINE_ACTOR_PREFIX = "engine:"


def engine_actor(engine_id: str | None) -> auth.User:
    """The actor a machine draft is credited to: the engine, never whoever started the drafting.

    Its name (``engine:rules``) cannot be a username (usernames have no colon).
    """
    return auth.system_actor(f"{ENGINE_ACTOR_PREFIX}{engine_id or 'unknown'}")


def _memory_match(draft: Any) -> str | None:
    """The memory match a fuzzy draft copied, as stored on the unit (JSON), or None."""
    from workbench.mt.base import ORIGIN_TM_FUZZY

    if getattr(draft, "origin", None) != ORIGIN_TM_FUZZY or not getattr(draft, "tm_source", None):
        return None
    return json.dumps({"id": draft.tm_id, "source": draft.tm_source, "target": draft.text,
                       "score": draft.tm_score}, ensure_ascii=False)


def apply_machine_draft(db: Database, actor: auth.User, unit_id: int, draft: Any) -> bool:
    """Put a machine draft into a unit still in state 'new'; True if it was applied.

    Runs inside the caller's transaction (audited). A unit someone already
    translated, or an empty draft, is left alone. The draft is credited to its
    engine (:func:`engine_actor`); ``actor``, who started the drafting, is named
    in the audit event as ``requested_by``.
    """
    if not draft or not (draft.text or "").strip():
        return False
    current = get_unit(db, unit_id)
    if current is None or current["state"] != "new":
        return False  # someone translated it meanwhile
    engine = engine_actor(draft.engine)
    change = {"state": "machine_draft", "target_text": draft.text,
              "draft_engine": draft.engine, "draft_score": draft.score,
              # Provenance (which model and prompt) and what the engine found wrong in its
              # own draft: the QA check machine_draft reads the flags.
              "draft_model": getattr(draft, "model", None),
              "draft_prompt": getattr(draft, "prompt_version", None),
              "draft_flags": json.dumps(draft.flags, ensure_ascii=False)
              if getattr(draft, "flags", None) else None,
              # A fuzzy memory match says what it was a translation of (QA: memory_match).
              "draft_memory": _memory_match(draft),
              "version": current["version"] + 1, "updated_at": audit.now_iso(),
              "updated_by": engine.username}
    db.table("translation_units").update(unit_id, change)
    audit.record(db, engine, "unit.draft", "translation_unit", unit_id,
                 {k: current[k] for k in change}, dict(change, requested_by=actor.username))
    return True


DRAFT_CHUNK = 200  # units drafted and written per transaction (a restart resumes from here)


def draft_units_of_signs(db: Database, actor: auth.User, sign_ids: Iterable[int],
                         engine: str | None = None,
                         settings: dict[str, Any] | None = None,
                         progress: Callable[..., None] | None = None) -> int:
    """Machine-draft the still undrafted units of these signs; returns how many.

    Called right after signs are submitted or imported, so translators find a
    draft waiting instead of an empty unit.
    """
    ids = list(sign_ids)
    unit_ids: list[int] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        unit_ids += [row[0] for row in db.execute(
            f"""SELECT DISTINCT u.id FROM sign_units su
                JOIN translation_units u ON u.id = su.unit_id
                WHERE u.state = 'new' AND su.sign_id IN ({','.join('?' * len(chunk))})""",
            chunk)]
    if not unit_ids:
        if progress:
            progress(0, 0)
        return 0
    return draft_new_units(db, actor, unit_ids, engine=engine, settings=settings,
                           progress=progress)


def draft_new_units(db: Database, actor: auth.User, unit_ids: Iterable[int] | None = None,
                    engine: str | None = None, settings: dict[str, Any] | None = None,
                    progress: Callable[..., None] | None = None) -> int:
    """Fill units in state 'new' with a machine draft; returns how many were drafted.

    Each drafted unit moves to 'machine_draft' (version + 1, audited) and every
    sign linked to it follows (submitted → drafting). Units are drafted in
    chunks of :data:`DRAFT_CHUNK`, each written in one transaction with the
    signs' status and the drafts' QA, so stopping between chunks (a cancel, a
    killed worker) leaves nothing half done, and running again drafts only the
    units still new. ``progress(done, total)`` is told after every chunk.
    """
    where, params = "WHERE state = 'new' AND kind = 'sign'", []
    if unit_ids is not None:
        ids = list(unit_ids)
        if not ids:
            return 0
        where += f" AND id IN ({','.join('?' * len(ids))})"
        params = ids
    pending = list(db.query(f"SELECT * FROM translation_units {where} ORDER BY id", params))
    by_lang: dict[str, list[dict[str, Any]]] = {}
    for unit in pending:
        by_lang.setdefault(unit["target_lang"], []).append(unit)
    done = drafted = 0
    if progress:
        progress(0, len(pending))
    for lang, group in by_lang.items():
        for start in range(0, len(group), DRAFT_CHUNK):
            chunk = group[start:start + DRAFT_CHUNK]
            drafted += _draft_chunk(db, actor, lang, chunk, engine, settings)
            done += len(chunk)
            if progress:
                progress(done, len(pending))
    return drafted


def _draft_chunk(db: Database, actor: auth.User, lang: str, chunk: list[dict[str, Any]],
                 engine: str | None, settings: dict[str, Any] | None) -> int:
    from workbench.mt.base import DraftContext
    from workbench.mt.pipeline import draft_texts

    # Drafting may be slow (neural engines): do it before taking the write lock.
    drafts = draft_texts(db, [u["source_text"] for u in chunk], source="zh", target=lang,
                         engine=engine, settings=settings,
                         contexts=[DraftContext(function=u.get("function")) for u in chunk])
    with transaction(db):
        drafted = [unit["id"] for unit, draft in zip(chunk, drafts, strict=True)
                   if apply_machine_draft(db, actor, unit["id"], draft)]
        # The signs follow their units: a consequence of the drafts, credited to the workflow.
        for sign_id in signs_of_units(db, drafted):
            refresh_sign_status(db, sign_id)
        # QA of every machine draft is stored at once, so the queue's QA filter and the
        # unit page show it before anyone opens the unit.
        for unit_id in drafted:
            drafted_unit = get_unit(db, unit_id)
            if drafted_unit is not None:
                store_findings(db, drafted_unit)
    return len(drafted)


def undrafted_count(db: Database, sign_ids: Sequence[int]) -> int:
    """How many units of these signs wait for a machine draft (state 'new')."""
    total = 0
    for start in range(0, len(sign_ids), 500):
        chunk = list(sign_ids[start:start + 500])
        total += db.execute(
            f"""SELECT count(DISTINCT u.id) FROM sign_units su
                JOIN translation_units u ON u.id = su.unit_id
                WHERE u.state = 'new' AND su.sign_id IN ({','.join('?' * len(chunk))})""",
            chunk).fetchone()[0]
    return total


def start_drafting(db: Database, actor: auth.User, sign_ids: Sequence[int],
                   settings: dict[str, Any]) -> int | None:
    """Queue the ``inventory.draft`` job for these signs' undrafted units; the run id.

    None when every unit already has wording (a corrected location, a Chinese text
    whose wording exists): nothing to draft, no job.
    """
    from workbench import jobs

    if not undrafted_count(db, sign_ids):
        return None
    return jobs.start(db, actor, "inventory.draft", {"sign_ids": list(sign_ids)},
                      settings=settings)


def draft_units_job(db: Database, *, progress: Callable[..., None], actor: auth.User,
                    settings: dict[str, Any], sign_ids: list[int] | None = None,
                    engine: str | None = None) -> dict[str, Any]:
    """The ``inventory.draft`` job: machine-draft the new units of these signs (all if None)."""
    from workbench.messages import nmsg

    if sign_ids is None:
        drafted = draft_new_units(db, actor, engine=engine, settings=settings,
                                  progress=progress)
    else:
        drafted = draft_units_of_signs(db, actor, sign_ids, engine=engine, settings=settings,
                                       progress=progress)
    return {"drafted": drafted,
            "summary": nmsg("%(n)s translation unit machine-drafted",
                            "%(n)s translation units machine-drafted", drafted)}
