"""Comments on translation units: threads, @mentions, and clarification requests.

A comment may answer another (``parent_id``), forming a thread. ``@username``
in a comment mentions that user when such a user exists; the mention shows on
their home page until they open the unit. A translator or reviewer can ask the
county officers for clarification ("what is this room used for?"): the
question is opened for every county with a sign carrying the unit (one row per
county in ``unit_clarifications``), and the unit is flagged
``needs_clarification`` while any county's question is open.

Identical Chinese texts share one unit across counties, so the counties must
not see each other through it: a comment written by an officer belongs to
their county (``unit_comments.county_id``) and only that county's officers
(and the review roles) see it; an officer's answer closes their own county's
question and nobody else's.
"""
from __future__ import annotations

import re
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth
from workbench.db import transaction
from workbench.errors import NotFound, PermissionDenied, ValidationError
from workbench.messages import msg
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
        raise NotFound(msg("No such translation unit."))
    return unit


def asked_question_ids(db: Database, unit_id: int, county_id: int) -> set[int]:
    """The unit's clarification questions put to a county.

    A question asked before questions kept their counties (migration 0020) counts
    as put to every county.
    """
    return {row[0] for row in db.execute(
        """SELECT c.id FROM unit_comments c WHERE c.unit_id = ? AND c.kind = 'clarification'
           AND (EXISTS (SELECT 1 FROM clarification_counties q
                        WHERE q.question_id = c.id AND q.county_id = ?)
                OR NOT EXISTS (SELECT 1 FROM clarification_counties q
                               WHERE q.question_id = c.id))""", [unit_id, county_id])}


def visible_comment_ids(db: Database, user: auth.User, unit_id: int) -> set[int] | None:
    """The comments of the unit an officer may read (None: every comment, for review roles).

    An officer reads the questions put to their county, what their county's
    officers wrote, and the review roles' replies to that; never the comments
    translators and reviewers exchange among themselves, nor another county's.
    """
    scope = auth.county_scope(user)
    if scope is None:
        return None
    asked = asked_question_ids(db, unit_id, scope)
    own: set[int] = set()
    visible: set[int] = set()
    for comment_id, parent_id, county_id, _kind in db.execute(
            "SELECT id, parent_id, county_id, kind FROM unit_comments WHERE unit_id = ? "
            "ORDER BY id", [unit_id]):
        if county_id == scope:
            own.add(comment_id)
            visible.add(comment_id)
        elif county_id is None and (comment_id in asked or parent_id in own):
            visible.add(comment_id)
    return visible


def comment_visible(db: Database, user: auth.User, comment: dict[str, Any]) -> bool:
    """Whether the user may read a comment (see :func:`visible_comment_ids`)."""
    if auth.county_scope(user) is None:
        return True
    if comment.get("county_id") not in (None, auth.county_scope(user)):
        return False
    visible = visible_comment_ids(db, user, comment["unit_id"])
    return visible is None or comment.get("id") in visible


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
        raise ValidationError.single(msg("The comment is empty."), column="body")
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationError.single(
            msg("The comment is longer than %(n)s characters.", n=MAX_COMMENT_LENGTH),
            column="body")
    return text


def _insert_comment(db: Database, actor: auth.User, unit_id: int, body: str,
                    parent_id: int | None, kind: str, *, photo_id: int | None = None,
                    counties: set[int] | None = None) -> dict[str, Any]:
    if parent_id is not None:
        parent = next(db.query("SELECT id, unit_id, county_id FROM unit_comments WHERE id = ?",
                               [parent_id]), None)
        if parent is None or parent["unit_id"] != unit_id or \
                not comment_visible(db, actor, parent):
            raise NotFound(msg("The comment you answer does not exist on this unit."))
    row: dict[str, Any] = {"unit_id": unit_id, "parent_id": parent_id, "author_id": actor.id,
           "author_name": actor.username, "body": body, "kind": kind,
           "county_id": auth.county_scope(actor), "created_at": audit.now_iso(),
           "photo_id": photo_id}
    comment_id = db.table("unit_comments").insert(row).last_pk
    row["id"] = comment_id
    if counties is not None:
        db.conn.executemany(
            "INSERT OR IGNORE INTO clarification_counties (question_id, county_id) VALUES (?, ?)",
            [(comment_id, county) for county in sorted(counties)])
    # Only people who may read the comment are notified: an officer of another
    # county must learn neither of the sign nor of what this county wrote, and an
    # officer does not read the review roles' own discussion.
    mentioned = [u for u in parse_mentions(db, body)
                 if u.id != actor.id and can_see_unit(db, u, unit_id)
                 and comment_visible(db, u, row)]
    if mentioned:
        db.table("unit_mentions").insert_all(
            [{"comment_id": comment_id, "user_id": u.id, "unit_id": unit_id} for u in mentioned])
    row = dict(row, mentions=[u.username for u in mentioned])
    audit.record(db, actor, f"unit.{kind}", ENTITY, unit_id, None,
                 {"comment": row, "counties": sorted(counties) if counties else None})
    return row


def open_question_counties(db: Database, unit_id: int) -> set[int]:
    """The counties whose clarification question on the unit is still open."""
    return {row[0] for row in db.execute(
        "SELECT county_id FROM unit_clarifications WHERE unit_id = ?", [unit_id])}


def add_comment(db: Database, actor: auth.User, unit_id: int, body: str,
                parent_id: int | None = None, *, photo: Any = None,
                photo_sign_id: int | None = None,
                upload_dir: str | None = None) -> dict[str, Any]:
    """Comment on a unit (optionally answering ``parent_id``); returns the comment.

    An officer's comment on a unit with an open question for their county is
    the answer: it closes that county's question (other counties' stay open).
    An answer may bring a photo (a checked
    :class:`~workbench.inventory.photos.PreparedPhoto`): it is stored with
    ``photo_sign_id``, one of the county's signs carrying the unit, like every
    sign photo, and the comment points to it. Comment and photo are saved
    together or not at all.
    """
    text = _clean_body(body)
    with transaction(db):
        check_unit_access(db, actor, unit_id)
        scope = auth.county_scope(actor)
        is_answer = scope is not None and scope in open_question_counties(db, unit_id)
        photo_id = None
        if photo is not None:
            photo_id = _attach_answer_photo(db, actor, unit_id, photo, photo_sign_id,
                                            upload_dir)
        comment = _insert_comment(db, actor, unit_id, text, parent_id,
                                  "answer" if is_answer else "comment", photo_id=photo_id)
        if is_answer:
            _close_questions(db, actor, unit_id, [scope])  # type: ignore[list-item]
    return comment


def _attach_answer_photo(db: Database, actor: auth.User, unit_id: int, photo: Any,
                         sign_id: int | None, upload_dir: str | None) -> int:
    """Store an answer's photo with one of the actor's signs carrying the unit; its id."""
    from workbench.inventory import photos

    carrying = {row[0] for row in db.execute(
        "SELECT su.sign_id FROM sign_units su JOIN signs s ON s.id = su.sign_id "
        "WHERE su.unit_id = ? AND (? IS NULL OR s.county_id = ?)",
        [unit_id, auth.county_scope(actor), auth.county_scope(actor)])}
    if sign_id is None and len(carrying) == 1:
        sign_id = next(iter(carrying))
    if sign_id is None or sign_id not in carrying:
        raise ValidationError.single(msg("Choose which of your signs the photo shows."),
                                     column="sign_id")
    return photos.attach_prepared(db, actor, sign_id, photo, upload_dir or "")


def request_clarification(db: Database, actor: auth.User, unit_id: int,
                          question: str, county_id: int | None = None) -> dict[str, Any]:
    """Ask the officers a question about a unit; returns the comment.

    The question is opened for ``county_id``, or for every county with a sign
    carrying the unit; each county answers (and closes) its own.
    """
    auth.require(actor, "review.translate")
    text = _clean_body(question)
    with transaction(db):
        unit = get_unit(db, unit_id)
        counties = unit_county_ids(db, unit_id)
        if county_id is not None:
            if county_id not in counties:
                raise NotFound(msg("No sign of that county carries this text."))
            counties = {county_id}
        comment = _insert_comment(db, actor, unit_id, text, None, "clarification",
                                  counties=counties)
        now = audit.now_iso()
        db.conn.executemany(
            """INSERT INTO unit_clarifications (unit_id, county_id, question_id, asked_at)
               VALUES (?, ?, ?, ?) ON CONFLICT(unit_id, county_id) DO UPDATE SET
               question_id = excluded.question_id, asked_at = excluded.asked_at""",
            [(unit_id, county, comment["id"], now) for county in sorted(counties)])
        if not unit["needs_clarification"]:
            _set_flag(db, actor, unit, True, counties=sorted(counties))
    return comment


def resolve_clarification(db: Database, actor: auth.User, unit_id: int) -> None:
    """Close every county's question without an answer (e.g. it was settled by phone)."""
    auth.require(actor, "review.translate")
    with transaction(db):
        unit = get_unit(db, unit_id)
        open_counties = open_question_counties(db, unit_id)
        db.execute("DELETE FROM unit_clarifications WHERE unit_id = ?", [unit_id])
        if unit["needs_clarification"]:
            _set_flag(db, actor, unit, False, counties=sorted(open_counties))


def _close_questions(db: Database, actor: auth.User, unit_id: int,
                     county_ids: list[int]) -> None:
    """Close the given counties' questions; the unit's flag drops with the last one."""
    marks = ",".join("?" for _ in county_ids)
    db.execute(f"DELETE FROM unit_clarifications WHERE unit_id = ? AND county_id IN ({marks})",
               [unit_id, *county_ids])
    unit = get_unit(db, unit_id)
    still_open = bool(open_question_counties(db, unit_id))
    if still_open:
        audit.record(db, actor, "unit.clarification_flag", ENTITY, unit_id,
                     {"open_counties": county_ids}, {"closed_counties": county_ids,
                                                     "needs_clarification": True})
    elif unit["needs_clarification"]:
        _set_flag(db, actor, unit, False, counties=county_ids)


def _set_flag(db: Database, actor: auth.User, unit: dict[str, Any], value: bool,
              counties: list[int] | None = None) -> None:
    # The flag is not part of the wording, so the unit's version stays: a
    # translator's open editor must not conflict because someone asked a question.
    db.execute("UPDATE translation_units SET needs_clarification = ? WHERE id = ?",
               [int(value), unit["id"]])
    audit.record(db, actor, "unit.clarification_flag", ENTITY, unit["id"],
                 {"needs_clarification": bool(unit["needs_clarification"])},
                 {"needs_clarification": value, "counties": counties or []})


def thread(db: Database, unit_id: int, viewer: auth.User) -> list[dict[str, Any]]:
    """The comments ``viewer`` may read on the unit, as a tree flattened in order.

    Every comment carries ``depth`` (0 for top level), ``replies`` and
    ``mentions`` (usernames). An officer gets what :func:`visible_comment_ids`
    allows; a reply whose parent they may not read is not shown.
    """
    scope = auth.county_scope(viewer)
    visible = visible_comment_ids(db, viewer, unit_id)
    rows = [row for row in db.query(
        """SELECT c.*, (SELECT group_concat(u.username, ' ') FROM unit_mentions m
                       JOIN users u ON u.id = m.user_id WHERE m.comment_id = c.id) AS mention_list
           FROM unit_comments c WHERE c.unit_id = ? ORDER BY c.id""", [unit_id])
        if visible is None or row["id"] in visible]
    by_id: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for row in rows:
        row["mentions"] = (row.pop("mention_list") or "").split()
        row["replies"] = []
        by_id[row["id"]] = row
        parent = by_id.get(row["parent_id"]) if row["parent_id"] else None
        if parent is not None:
            parent["replies"].append(row)
        elif not row["parent_id"] or scope is None:
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
    return [row for row in db.query(
        """SELECT c.*, u.source_text, u.target_lang FROM unit_mentions m
           JOIN unit_comments c ON c.id = m.comment_id
           JOIN translation_units u ON u.id = m.unit_id
           WHERE m.user_id = ? AND NOT EXISTS (SELECT 1 FROM unit_mention_reads r
                 WHERE r.user_id = m.user_id AND r.comment_id = m.comment_id)
           ORDER BY c.id DESC LIMIT ?""", [user.id, limit]) if comment_visible(db, user, row)]


def count_unread_mentions(db: Database, user: auth.User) -> int:
    """How many comments mention the user unseen."""
    unread: int = db.execute(
        """SELECT count(*) FROM unit_mentions m WHERE m.user_id = ? AND NOT EXISTS (
               SELECT 1 FROM unit_mention_reads r WHERE r.user_id = m.user_id
               AND r.comment_id = m.comment_id)""", [user.id]).fetchone()[0]
    return unread


def clarifications_for(db: Database, user: auth.User, limit: int = 100) -> list[dict[str, Any]]:
    """Units with a question this user can answer, with the latest question and who asked.

    An officer gets the units whose question is open for their county; review
    roles get every unit waiting for clarification.
    """
    scope = auth.county_scope(user)
    if scope is None and not auth.can(user, "review.view"):
        return []
    if scope is not None:
        where = """u.id IN (SELECT q.unit_id FROM unit_clarifications q
                            WHERE q.county_id = ?)"""
        params: list[Any] = [scope]
        # The question shown is the one open for the officer's county.
        latest = """(SELECT c.{column} FROM unit_comments c WHERE c.id = (
                     SELECT q.question_id FROM unit_clarifications q
                     WHERE q.unit_id = u.id AND q.county_id = ?))"""
        question_params = [scope, scope]
    else:
        where, params = "u.needs_clarification = 1", []
        # The latest question by a review role (county_id NULL).
        latest = """(SELECT c.{column} FROM unit_comments c WHERE c.unit_id = u.id
                     AND c.kind = 'clarification' AND c.county_id IS NULL
                     ORDER BY c.id DESC LIMIT 1)"""
        question_params = []
    return list(db.query(
        f"""SELECT u.*, {latest.format(column="body")} AS question,
                   {latest.format(column="author_name")} AS asked_by
            FROM translation_units u WHERE {where} ORDER BY u.id LIMIT ?""",
        question_params + params + [limit]))


def count_clarifications(db: Database, user: auth.User) -> int:
    """How many questions wait for this officer's county (0 for other roles)."""
    scope = auth.county_scope(user)
    if scope is None:
        return 0  # only officers answer; review roles see the flag in the queue
    waiting: int = db.execute("SELECT count(*) FROM unit_clarifications WHERE county_id = ?",
                              [scope]).fetchone()[0]
    return waiting


def ensure_can_comment(db: Database, user: auth.User, unit_id: int) -> None:
    """Raise unless the user may comment on the unit (review roles, or its county's officer)."""
    if not can_see_unit(db, user, unit_id):
        raise PermissionDenied(msg("You cannot comment on this translation."))
