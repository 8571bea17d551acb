"""Comments on translation units: threads, @mentions, and clarification requests.

A comment may answer another (``parent_id``), forming a thread. ``@username``
in a comment mentions that user when such a user exists; the mention shows on
their home page until they open the unit. A translator or reviewer can ask the
county officer for clarification ("what is this room used for?"): the unit is
flagged ``needs_clarification`` and the officers of every county with a sign
carrying the unit see the question on their home page. An officer's answer
(a comment on the unit) clears the flag.
"""
from __future__ import annotations

import re
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.errors import NotFound, PermissionDenied, ValidationError
from workbench.review.workflow import ENTITY, get_unit

MAX_COMMENT_LENGTH = 4000
# Usernames have no spaces (auth.create_user); stop at characters that end a
# mention in running text, including Chinese punctuation.
_MENTION = re.compile(r"(?<![\w@])@([^\s@,;:!?()\[\]{}<>，。；：！？、（）]{1,64})")
KINDS = ("comment", "clarification", "answer")


def unit_county_ids(db: Database, unit_id: int) -> set[int]:
    """The counties with at least one sign carrying this unit."""
    return {row[0] for row in db.execute(
        """SELECT DISTINCT s.county_id FROM sign_units su JOIN signs s ON s.id = su.sign_id
           WHERE su.unit_id = ?""", [unit_id])}


def can_see_unit(db: Database, user: auth.User, unit_id: int) -> bool:
    """Review roles see every unit; an officer sees units on their own county's signs."""
    if auth.can(user, "review.view"):
        return True
    scope = auth.county_scope(user)
    return scope is not None and scope in unit_county_ids(db, unit_id)


def check_unit_access(db: Database, user: auth.User, unit_id: int) -> dict[str, Any]:
    """The unit, or NotFound when the user may not see it (officers: other counties)."""
    unit = get_unit(db, unit_id)
    if not can_see_unit(db, user, unit_id):
        raise NotFound("No such translation unit.")
    return unit


def parse_mentions(db: Database, body: str) -> list[auth.User]:
    """The existing, active users mentioned as ``@username`` in ``body`` (each once)."""
    found: dict[int, auth.User] = {}
    for match in _MENTION.finditer(body or ""):
        name = match.group(1).rstrip(".'’\"")
        user = auth.find_user(db, name)
        if user is not None and user.active and user.id is not None:
            found.setdefault(user.id, user)
    return list(found.values())


def _clean_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationError.single("The comment is empty.", column="body")
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationError.single(
            f"The comment is longer than {MAX_COMMENT_LENGTH} characters.", column="body")
    return text


def _insert_comment(db: Database, actor: auth.User, unit_id: int, body: str,
                    parent_id: int | None, kind: str) -> dict[str, Any]:
    if parent_id is not None:
        parent = db.execute("SELECT unit_id FROM unit_comments WHERE id = ?",
                            [parent_id]).fetchone()
        if parent is None or parent[0] != unit_id:
            raise NotFound("The comment you answer does not exist on this unit.")
    row = {"unit_id": unit_id, "parent_id": parent_id, "author_id": actor.id,
           "author_name": actor.username, "body": body, "kind": kind,
           "created_at": audit.now_iso()}
    comment_id = db["unit_comments"].insert(row).last_pk
    # Only people who may see the unit are notified: an officer of another
    # county must not learn of the sign through a mention.
    mentioned = [u for u in parse_mentions(db, body)
                 if u.id != actor.id and can_see_unit(db, u, unit_id)]
    if mentioned:
        db["unit_mentions"].insert_all(
            [{"comment_id": comment_id, "user_id": u.id, "unit_id": unit_id} for u in mentioned])
    row = dict(row, id=comment_id, mentions=[u.username for u in mentioned])
    audit.record(db, actor, f"unit.{kind}", ENTITY, unit_id, None,
                 {"comment": row})
    return row


def add_comment(db: Database, actor: auth.User, unit_id: int, body: str,
                parent_id: int | None = None) -> dict[str, Any]:
    """Comment on a unit (optionally answering ``parent_id``); returns the comment.

    An officer's comment on a unit that waits for clarification is the answer:
    it clears the flag.
    """
    text = _clean_body(body)
    with transaction(db):
        unit = check_unit_access(db, actor, unit_id)
        is_answer = bool(unit["needs_clarification"]) and auth.county_scope(actor) is not None
        comment = _insert_comment(db, actor, unit_id, text, parent_id,
                                  "answer" if is_answer else "comment")
        if is_answer:
            _set_flag(db, actor, unit, False)
    return comment


def request_clarification(db: Database, actor: auth.User, unit_id: int,
                          question: str) -> dict[str, Any]:
    """Ask the county officer(s) a question about a unit and flag it; returns the comment."""
    auth.require(actor, "review.translate")
    text = _clean_body(question)
    with transaction(db):
        unit = get_unit(db, unit_id)
        comment = _insert_comment(db, actor, unit_id, text, None, "clarification")
        if not unit["needs_clarification"]:
            _set_flag(db, actor, unit, True)
    return comment


def resolve_clarification(db: Database, actor: auth.User, unit_id: int) -> None:
    """Clear the flag without an officer's answer (e.g. the question was settled by phone)."""
    auth.require(actor, "review.translate")
    with transaction(db):
        unit = get_unit(db, unit_id)
        if unit["needs_clarification"]:
            _set_flag(db, actor, unit, False)


def _set_flag(db: Database, actor: auth.User, unit: dict[str, Any], value: bool) -> None:
    # The flag is not part of the wording, so the unit's version stays: a
    # translator's open editor must not conflict because someone asked a question.
    db.execute("UPDATE translation_units SET needs_clarification = ? WHERE id = ?",
               [int(value), unit["id"]])
    audit.record(db, actor, "unit.clarification_flag", ENTITY, unit["id"],
                 {"needs_clarification": bool(unit["needs_clarification"])},
                 {"needs_clarification": value})


def thread(db: Database, unit_id: int) -> list[dict[str, Any]]:
    """The unit's comments as a tree: top-level comments in order, each with ``replies``.

    Every comment carries ``depth`` (0 for top level) and ``mentions`` (usernames).
    """
    rows = list(db.query(
        """SELECT c.*, (SELECT group_concat(u.username, ' ') FROM unit_mentions m
                        JOIN users u ON u.id = m.user_id WHERE m.comment_id = c.id) AS mention_list
           FROM unit_comments c WHERE c.unit_id = ? ORDER BY c.id""", [unit_id]))
    by_id: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for row in rows:
        row["mentions"] = (row.pop("mention_list") or "").split()
        row["replies"] = []
        by_id[row["id"]] = row
        parent = by_id.get(row["parent_id"]) if row["parent_id"] else None
        if parent is not None:
            parent["replies"].append(row)
        else:
            roots.append(row)

    def flatten(nodes: list[dict[str, Any]], depth: int) -> list[dict[str, Any]]:
        flat = []
        for node in nodes:
            node["depth"] = depth
            flat.append(node)
            flat.extend(flatten(node["replies"], min(depth + 1, 6)))
        return flat
    return flatten(roots, 0)


def mark_mentions_read(db: Database, user: auth.User, unit_id: int) -> None:
    """Note that the user saw the mentions of them on this unit (bookkeeping, unaudited)."""
    if user.id is None:
        return
    unread = db.execute(
        """SELECT 1 FROM unit_mentions m WHERE m.user_id = ? AND m.unit_id = ? AND NOT EXISTS (
               SELECT 1 FROM unit_mention_reads r WHERE r.user_id = m.user_id
               AND r.comment_id = m.comment_id) LIMIT 1""", [user.id, unit_id]).fetchone()
    if unread is None:
        return  # most page views: no write lock taken
    with transaction(db):
        db.execute(
            """INSERT OR IGNORE INTO unit_mention_reads (user_id, comment_id)
               SELECT m.user_id, m.comment_id FROM unit_mentions m
               WHERE m.user_id = ? AND m.unit_id = ?""", [user.id, unit_id])


def unread_mentions(db: Database, user: auth.User, limit: int = 50) -> list[dict[str, Any]]:
    """Comments that mention the user and that they have not seen, newest first."""
    return list(db.query(
        """SELECT c.*, u.source_text, u.target_lang FROM unit_mentions m
           JOIN unit_comments c ON c.id = m.comment_id
           JOIN translation_units u ON u.id = m.unit_id
           WHERE m.user_id = ? AND NOT EXISTS (SELECT 1 FROM unit_mention_reads r
                 WHERE r.user_id = m.user_id AND r.comment_id = m.comment_id)
           ORDER BY c.id DESC LIMIT ?""", [user.id, limit]))


def count_unread_mentions(db: Database, user: auth.User) -> int:
    """How many comments mention the user unseen."""
    return db.execute(
        """SELECT count(*) FROM unit_mentions m WHERE m.user_id = ? AND NOT EXISTS (
               SELECT 1 FROM unit_mention_reads r WHERE r.user_id = m.user_id
               AND r.comment_id = m.comment_id)""", [user.id]).fetchone()[0]


def clarifications_for(db: Database, user: auth.User, limit: int = 100) -> list[dict[str, Any]]:
    """Units waiting for clarification that this user can answer.

    An officer sees those on their county's signs; review roles see all.
    """
    scope = auth.county_scope(user)
    if scope is None and not auth.can(user, "review.view"):
        return []
    where, params = "u.needs_clarification = 1", []
    if scope is not None:
        where += """ AND EXISTS (SELECT 1 FROM sign_units su JOIN signs s ON s.id = su.sign_id
                                 WHERE su.unit_id = u.id AND s.county_id = ?)"""
        params.append(scope)
    return list(db.query(
        f"""SELECT u.*, (SELECT c.body FROM unit_comments c WHERE c.unit_id = u.id
                         AND c.kind = 'clarification' ORDER BY c.id DESC LIMIT 1) AS question,
                        (SELECT c.author_name FROM unit_comments c WHERE c.unit_id = u.id
                         AND c.kind = 'clarification' ORDER BY c.id DESC LIMIT 1) AS asked_by
            FROM translation_units u WHERE {where} ORDER BY u.id LIMIT ?""",
        params + [limit]))


def count_clarifications(db: Database, user: auth.User) -> int:
    """How many units wait for this user's clarification (see :func:`clarifications_for`)."""
    scope = auth.county_scope(user)
    if scope is None:
        return 0  # only officers answer; review roles see the flag in the queue
    return db.execute(
        """SELECT count(*) FROM translation_units u WHERE u.needs_clarification = 1
           AND EXISTS (SELECT 1 FROM sign_units su JOIN signs s ON s.id = su.sign_id
                       WHERE su.unit_id = u.id AND s.county_id = ?)""", [scope]).fetchone()[0]


def ensure_can_comment(db: Database, user: auth.User, unit_id: int) -> None:
    """Raise unless the user may comment on the unit (review roles, or its county's officer)."""
    if not can_see_unit(db, user, unit_id):
        raise PermissionDenied("You cannot comment on this translation.")
