"""Reading documents and their segments: one document, lists, a language's segments and
statistics."""
from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from workbench import auth
from workbench.errors import NotFound
from workbench.messages import msg
from workbench.documents import store


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["targets"] = [t for t in (row.get("targets") or "").split(";") if t]
    return row


def get_document(db: Database, doc_id: int) -> dict[str, Any]:
    """One document with its target list and assignees; NotFound when there is none."""
    row = next(db.query("SELECT * FROM documents WHERE id = ?", [doc_id]), None)
    if row is None:
        raise NotFound(msg("No such document."))
    document = _decode(row)
    document["assignees"] = list(db.query(
        """SELECT u.id, u.username, u.display_name, u.role FROM document_assignees a
           JOIN users u ON u.id = a.user_id WHERE a.document_id = ? ORDER BY u.username""",
        [doc_id]))
    return document


def original_file(db: Database, doc_id: int) -> bytes:
    """The uploaded file as it was."""
    row = db.execute("SELECT data FROM document_files WHERE document_id = ?",
                     [doc_id]).fetchone()
    if row is None:
        raise NotFound(msg("The document's file is missing."))
    return bytes(row[0])


def list_documents(db: Database, user: auth.User | None = None,
                   assigned_only: bool = False) -> list[dict[str, Any]]:
    """Every document (newest first) with its approved / total unit counts."""
    where, params = "", []
    if assigned_only and user is not None:
        where = "WHERE d.id IN (SELECT document_id FROM document_assignees WHERE user_id = ?)"
        params.append(user.id)
    rows = db.query(
        f"""SELECT d.*,
               (SELECT count(*) FROM doc_segments s JOIN doc_segment_units su
                  ON su.segment_id = s.id WHERE s.document_id = d.id) AS units,
               (SELECT count(*) FROM doc_segments s JOIN doc_segment_units su
                  ON su.segment_id = s.id JOIN translation_units u ON u.id = su.unit_id
                  WHERE s.document_id = d.id AND u.state = 'approved') AS approved
            FROM documents d {where} ORDER BY d.id DESC""", params)
    return [_decode(r) for r in rows]


def segment_rows(db: Database, doc_id: int, target_lang: str, *, state: str | None = None,
                 offset: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
    """The document's segments in reading order with their unit in ``target_lang``."""
    where = "WHERE s.document_id = ?"
    params: list[Any] = [target_lang, doc_id]
    if state:
        where += " AND u.state = ?"
        params.append(state)
    sql = f"""SELECT s.id AS segment_id, s.seg_no, s.source_text, s.words, b.id AS block_id,
                     b.block_no, b.kind AS block_kind, b.locator, b.tags_json,
                     u.id AS unit_id, u.state, u.target_text, u.version, u.draft_engine,
                     u.author_name, u.approved_by, u.author_id
              FROM doc_segments s JOIN doc_blocks b ON b.id = s.block_id
              JOIN doc_segment_units su ON su.segment_id = s.id AND su.target_lang = ?
              JOIN translation_units u ON u.id = su.unit_id
              {where} ORDER BY b.block_no, s.seg_no"""
    if limit is not None:
        sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
    rows = []
    for number, row in enumerate(db.query(sql, params), start=offset + 1):
        row = dict(row)
        row["number"] = number
        row["tags"] = json.loads(row.pop("tags_json") or "{}")
        rows.append(row)
    return rows


def count_segments(db: Database, doc_id: int, target_lang: str,
                   state: str | None = None) -> int:
    """How many segments (in a state, when given) the document has in ``target_lang``."""
    sql = """SELECT count(*) FROM doc_segments s JOIN doc_segment_units su
             ON su.segment_id = s.id AND su.target_lang = ?
             JOIN translation_units u ON u.id = su.unit_id WHERE s.document_id = ?"""
    params: list[Any] = [target_lang, doc_id]
    if state:
        sql += " AND u.state = ?"
        params.append(state)
    count: int = db.execute(sql, params).fetchone()[0]
    return count


def segment_position(db: Database, doc_id: int, segment_id: int) -> int:
    """The 1-based reading-order number of a segment in its document."""
    row = db.execute(
        """SELECT count(*) FROM doc_segments s JOIN doc_blocks b ON b.id = s.block_id
           JOIN doc_segments t ON t.id = ? JOIN doc_blocks tb ON tb.id = t.block_id
           WHERE s.document_id = ? AND (b.block_no < tb.block_no
                 OR (b.block_no = tb.block_no AND s.seg_no <= t.seg_no))""",
        [segment_id, doc_id]).fetchone()
    position: int = row[0]
    return position


def get_segment(db: Database, doc_id: int, segment_id: int, target_lang: str) -> dict[str, Any]:
    """One segment with its unit in ``target_lang``, its neighbours and block; NotFound if none."""
    row = next(db.query(
        """SELECT s.*, b.block_no, b.kind AS block_kind, b.locator, b.tags_json, b.style,
                  su.unit_id FROM doc_segments s JOIN doc_blocks b ON b.id = s.block_id
           JOIN doc_segment_units su ON su.segment_id = s.id AND su.target_lang = ?
           WHERE s.id = ? AND s.document_id = ?""", [target_lang, segment_id, doc_id]), None)
    if row is None:
        raise NotFound(msg("No such segment in this document."))
    row = dict(row)
    row["tags"] = json.loads(row.pop("tags_json") or "{}")
    row["unit"] = next(db.query("SELECT * FROM translation_units WHERE id = ?",
                                [row["unit_id"]]))
    order = [r[0] for r in db.execute(
        """SELECT s.id FROM doc_segments s JOIN doc_blocks b ON b.id = s.block_id
           WHERE s.document_id = ? ORDER BY b.block_no, s.seg_no""", [doc_id])]
    index = order.index(segment_id)
    row["number"] = index + 1
    row["total"] = len(order)
    row["previous_id"] = order[index - 1] if index > 0 else None
    row["next_id"] = order[index + 1] if index + 1 < len(order) else None
    row["block_segments"] = list(db.query(
        "SELECT id, seg_no, source_text FROM doc_segments WHERE block_id = ? ORDER BY seg_no",
        [row["block_id"]]))
    return row


def unit_in_document(db: Database, doc_id: int, unit_id: int) -> dict[str, Any]:
    """The unit if it belongs to the document (a guard for web actions); NotFound otherwise."""
    row = next(db.query(
        """SELECT u.*, s.id AS segment_id FROM translation_units u
           JOIN doc_segment_units su ON su.unit_id = u.id
           JOIN doc_segments s ON s.id = su.segment_id
           WHERE u.id = ? AND s.document_id = ?""", [unit_id, doc_id]), None)
    if row is None:
        raise NotFound(msg("No such segment in this document."))
    return row


def stats(db: Database, doc_id: int) -> dict[str, Any]:
    """Progress of a document: per target language, units and words per state; per assignee."""
    document = get_document(db, doc_id)
    per_lang = {}
    for lang in document["targets"]:
        counts = {state: 0 for state in store.STATES}
        words = {state: 0 for state in store.STATES}
        for state, number, word_sum in db.execute(
                """SELECT u.state, count(*), coalesce(sum(s.words), 0) FROM doc_segments s
                   JOIN doc_segment_units su ON su.segment_id = s.id AND su.target_lang = ?
                   JOIN translation_units u ON u.id = su.unit_id
                   WHERE s.document_id = ? GROUP BY u.state""", [lang, doc_id]):
            counts[state] = number
            words[state] = word_sum
        total = sum(counts.values())
        total_words = sum(words.values())
        translated = counts["translated"] + counts["in_review"] + counts["approved"] \
            + counts["rejected"]
        per_lang[lang] = {
            "segments": total, "words": total_words, "states": counts, "state_words": words,
            "drafted": counts["machine_draft"], "translated": translated,
            "approved": counts["approved"], "approved_words": words["approved"],
            "percent_approved": round(100 * counts["approved"] / total) if total else 0,
            "percent_translated": round(100 * translated / total) if total else 0,
        }
    people: dict[str, dict[str, Any]] = {}
    for assignee in document["assignees"]:
        people[assignee["username"]] = {"user": assignee, "assigned": True, "translated": 0,
                                        "translated_words": 0, "approved": 0}
    for name, number, word_sum in db.execute(
            """SELECT u.author_name, count(*), coalesce(sum(s.words), 0) FROM doc_segments s
               JOIN doc_segment_units su ON su.segment_id = s.id
               JOIN translation_units u ON u.id = su.unit_id
               WHERE s.document_id = ? AND u.author_name IS NOT NULL
               GROUP BY u.author_name""", [doc_id]):
        slot = people.setdefault(name, {"user": {"username": name}, "assigned": False,
                                        "translated": 0, "translated_words": 0, "approved": 0})
        slot["translated"] = number
        slot["translated_words"] = word_sum
    for name, number in db.execute(
            """SELECT u.approved_by, count(*) FROM doc_segments s
               JOIN doc_segment_units su ON su.segment_id = s.id
               JOIN translation_units u ON u.id = su.unit_id
               WHERE s.document_id = ? AND u.state = 'approved' AND u.approved_by IS NOT NULL
               GROUP BY u.approved_by""", [doc_id]):
        slot = people.setdefault(name, {"user": {"username": name}, "assigned": False,
                                        "translated": 0, "translated_words": 0, "approved": 0})
        slot["approved"] = number
    return {"document": document, "languages": per_lang,
            "people": sorted(people.values(), key=lambda p: p["user"]["username"])}
