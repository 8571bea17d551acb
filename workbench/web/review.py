"""The review screen: the queue, one unit with everything a decision needs, history, comments.

Views call :mod:`workbench.review` and render; they hold no SQL. Every form
carries the CSRF token and the version of the unit it was rendered from, so a
save over someone else's newer change is refused and shown as a conflict.
"""
from __future__ import annotations

from typing import Any

from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, request, url_for,
)
from flask_babel import gettext as _
from sqlite_utils import Database

from workbench import auth
from workbench.db import get_db
from workbench.errors import Conflict, NotFound, PermissionDenied, ValidationError
from workbench.review import bulk, comments, detail, history, workflow
from workbench.review import qa as review_qa
from workbench.review import queue as review_queue
from workbench.web.home import WaitingItem
from workbench.web.forms import error_message, flash_error
from workbench.web.i18n import message_text
from workbench.web.security import current_actor, login_required, permission_required
from workbench.web.params import int_arg, page_arg, unit_versions

bp = Blueprint("review", __name__, url_prefix="/review")


def _settings() -> dict[str, Any]:
    return current_app.config


def _filters() -> review_queue.QueueFilters:
    return review_queue.QueueFilters.from_args(request.args)


def _unit_url(unit_id: int, filters: review_queue.QueueFilters | None = None,
              anchor: str | None = None) -> str:
    return url_for("review.unit", unit_id=unit_id, _anchor=anchor,
                   **(filters or _filters()).as_args())


def _next_or_queue(unit_id: int) -> Any:
    """After a decision: the next unit of the same filtered queue, else the queue."""
    filters = _filters()
    _previous, following = review_queue.neighbours(get_db(), filters, unit_id, current_actor())
    if following is not None:
        return redirect(_unit_url(following, filters))
    flash(_("That was the last unit of this queue."), "info")
    return redirect(url_for("review.queue", **filters.as_args()))


def _version() -> int | None:
    return int_arg("version", form=True, minimum=0)


def _qa_confirmed() -> bool:
    """Whether the translator confirmed sending wording with QA errors ("Send anyway")."""
    return bool(request.form.get("qa_confirmed")) or \
        request.form.get("submit_for_review") == "confirm"


# --- the queue ---------------------------------------------------------------------------------

@bp.route("/")
@permission_required("review.view")
def queue():
    """The filtered, paged queue of translation units."""
    db = get_db()
    filters = _filters()
    page = review_queue.search(db, current_actor(), filters,
                               page_arg(),
                               int(_settings().get("PAGE_SIZE", 50)))
    return render_template("review/queue.html", result=page, filters=filters,
                           facets=review_queue.facets(db, filters),
                           states=workflow.STATES, qa_flags=review_queue.QA_FLAGS,
                           filter_args=filters.as_args())


@bp.route("/bulk-approve", methods=["POST"])
@permission_required("review.approve")
def bulk_approve():
    """Approve ticked units: first a preview of exactly what will be approved and what is
    skipped (and why), then, confirmed, the approval of those very versions."""
    items = unit_versions(request.form.getlist("unit"))
    filters = _filters()
    if not items:
        flash(_("Tick the units to approve first."), "warning")
        return redirect(url_for("review.queue", **filters.as_args()))
    db = get_db()
    if not request.form.get("confirm"):
        plan = bulk.plan_approval(db, current_actor(), items, _settings(), kind=filters.kind)
        return render_template("review/bulk_preview.html", plan=plan, filters=filters,
                               filter_args=filters.as_args())
    result = bulk.approve(db, current_actor(), items, _settings(), kind=filters.kind)
    if result.approved:
        flash(_("Approved %(count)s unit(s).", count=len(result.approved)), "success")
    if result.refused:
        lines = [_("Not approved: %(count)s unit(s).", count=len(result.refused))]
        lines += [f"#{unit_id}: {message_text(reason)}"
                  for unit_id, reason in result.refused[:20]]
        flash("\n".join(lines), "warning")
    return redirect(url_for("review.queue", **filters.as_args()))


# --- one unit ----------------------------------------------------------------------------------

def _render_unit(unit_id: int, *, editor_text: str | None = None, status: int = 200,
                 qa_stop: workflow.QaNotClean | None = None) -> Any:
    db = get_db()
    user = current_actor()
    unit = workflow.get_unit(db, unit_id)
    filters = _filters()
    previous_id, next_id = review_queue.neighbours(db, filters, unit_id, user)
    signs, sign_total = detail.signs_for_unit(db, unit_id, user)
    findings = review_qa.current_findings(db, unit)
    comments.mark_mentions_read(db, user, unit_id)
    actions = workflow.allowed_actions(user, unit, _settings(), db=db)
    terms = detail.glossary_terms(db, unit)
    page = render_template(
        "review/unit.html", unit=unit, filters=filters, filter_args=filters.as_args(),
        previous_id=previous_id, next_id=next_id, signs=signs, sign_total=sign_total,
        terms=terms, source_pieces=detail.source_pieces(unit["source_text"], terms),
        fuzzy=detail.fuzzy_draft(unit), qa_stop=qa_stop,
        memory=detail.memory_with_diffs(db, unit, _settings()), findings=findings,
        blocking=review_qa.blocking(findings), can_dismiss=auth.can(user, "review.approve"),
        actions=actions,
        # A reviewer who may not approve only because they wrote the wording is told why.
        four_eyes_blocked=(unit["state"] == "in_review" and auth.can(user, "review.approve")
                           and "approve" not in actions),
        comments=comments.thread(db, unit_id, user),
        versions=history.versions(db, unit_id, unit["target_lang"], unit)[:5],
        editor_text=unit["target_text"] if editor_text is None else editor_text)
    return page, status


@bp.route("/units/<int:unit_id>")
@permission_required("review.view")
def unit(unit_id: int):
    """One unit: signs and photos beside the Chinese, terms, memory, drafts, QA, actions."""
    return _render_unit(unit_id)


@bp.route("/units/<int:unit_id>/drafts")
@permission_required("review.view")
def drafts(unit_id: int):
    """Drafts from every available engine (an HTML fragment, fetched by review.js)."""
    db = get_db()
    unit = workflow.get_unit(db, unit_id)
    template = ("review/_drafts_list.html" if request.args.get("fragment") == "1"
                else "review/drafts.html")
    return render_template(template, unit=unit,
                           drafts=detail.engine_drafts(db, unit, dict(_settings())),
                           filter_args=_filters().as_args())


def _conflict(unit_id: int, error: Conflict, attempted_text: str | None) -> Any:
    db = get_db()
    unit = workflow.get_unit(db, unit_id)
    theirs = (error.current or {}).get("target_text") or ""
    return render_template(
        "review/conflict.html", unit=unit, current=error.current or {},
        message=error_message(error),
        attempted_text=attempted_text, attempted=error.attempted or {},
        conflict_diff=history.word_diff(theirs, attempted_text or "", unit["target_lang"]),
        filter_args=_filters().as_args(),
        can_save=("save" in workflow.allowed_actions(current_actor(), unit, _settings()))), 409


@bp.route("/units/<int:unit_id>/save", methods=["POST"])
@permission_required("review.translate")
def save(unit_id: int):
    """Save the editor's wording (and send it to review when asked: both or neither)."""
    db = get_db()
    actor = current_actor()
    text = request.form.get("text", "")
    try:
        if request.form.get("submit_for_review"):
            workflow.save_and_submit(db, actor, unit_id, text, _version(), _settings(),
                                     note=request.form.get("note"),
                                     qa_confirmed=_qa_confirmed())
            flash(_("Saved and sent to review."), "success")
            return _next_or_queue(unit_id)
        workflow.save_translation(db, actor, unit_id, text, _version(), _settings(),
                                  note=request.form.get("note"))
    except Conflict as error:
        return _conflict(unit_id, error, text)
    except workflow.QaNotClean as error:
        # Nothing was saved: the translator fixes the errors or confirms them.
        return _render_unit(unit_id, editor_text=text, qa_stop=error)
    except ValidationError as error:
        flash_error(error)
        return _render_unit(unit_id, editor_text=text, status=400)
    flash(_("Saved."), "success")
    if request.form.get("go_next"):
        return _next_or_queue(unit_id)  # Ctrl+Enter: save and move on
    return redirect(_unit_url(unit_id))


def _decision(unit_id: int, action: str) -> Any:
    db = get_db()
    actor = current_actor()
    try:
        if action == "submit":
            workflow.submit(db, actor, unit_id, _version(), _settings(),
                            qa_confirmed=_qa_confirmed())
            flash(_("Sent to review."), "success")
        elif action == "approve":
            workflow.approve(db, actor, unit_id, _version(),
                             add_to_glossary=bool(request.form.get("add_to_glossary")),
                             settings=_settings())
            flash(_("Approved. Every sign with this text follows."), "success")
        else:
            workflow.reject(db, actor, unit_id, _version(), request.form.get("reason", ""),
                            _settings())
            flash(_("Rejected and sent back to the translator."), "success")
    except Conflict as error:
        return _conflict(unit_id, error, None)
    except workflow.QaNotClean as error:
        return _render_unit(unit_id, qa_stop=error)
    except ValidationError as error:
        flash_error(error)
        return redirect(_unit_url(unit_id))
    return _next_or_queue(unit_id)


@bp.route("/units/<int:unit_id>/submit", methods=["POST"])
@permission_required("review.translate")
def submit(unit_id: int):
    """Send translated wording to review."""
    return _decision(unit_id, "submit")


@bp.route("/units/<int:unit_id>/approve", methods=["POST"])
@permission_required("review.approve")
def approve(unit_id: int):
    """Approve wording under review (optionally recording it as a glossary term)."""
    return _decision(unit_id, "approve")


@bp.route("/units/<int:unit_id>/reject", methods=["POST"])
@permission_required("review.approve")
def reject(unit_id: int):
    """Reject wording under review with a reason."""
    return _decision(unit_id, "reject")


@bp.route("/units/<int:unit_id>/history")
@permission_required("review.view")
def unit_history(unit_id: int):
    """Every version of the unit with who, when, why and a word-level diff."""
    db = get_db()
    unit = workflow.get_unit(db, unit_id)
    return render_template("review/history.html", unit=unit,
                           versions=history.versions(db, unit_id, unit["target_lang"], unit),
                           can_revert="revert" in workflow.allowed_actions(
                               current_actor(), unit, _settings(), db=db),
                           filter_args=_filters().as_args())


@bp.route("/units/<int:unit_id>/revert", methods=["POST"])
@permission_required("review.approve")
def revert(unit_id: int):
    """Bring back an earlier version's wording (it goes through review again)."""
    to_version = int_arg("to_version", form=True, minimum=0)
    if to_version is None:
        abort(400)
    try:
        workflow.revert(get_db(), current_actor(), unit_id, to_version, _version(), _settings())
    except Conflict as error:
        return _conflict(unit_id, error, None)
    flash(_("Version %(version)s is back and waits for review.", version=to_version), "success")
    return redirect(_unit_url(unit_id))


# --- QA findings: dismissing one that does not apply -------------------------------------------

@bp.route("/units/<int:unit_id>/findings/<finding_key>/dismiss", methods=["POST"])
@permission_required("review.approve")
def dismiss_finding(unit_id: int, finding_key: str):
    """Dismiss one QA finding of the unit's wording, with the reviewer's reason."""
    try:
        review_qa.dismiss_finding(get_db(), current_actor(), unit_id, finding_key,
                                  request.form.get("reason", ""))
    except (ValidationError, NotFound) as error:
        flash(message_text(error.message), "error")
    else:
        flash(_("The finding is dismissed: it no longer blocks approval."), "success")
    return redirect(_unit_url(unit_id, anchor="qa"))


@bp.route("/units/<int:unit_id>/findings/<finding_key>/restore", methods=["POST"])
@permission_required("review.approve")
def restore_finding(unit_id: int, finding_key: str):
    """Undo a dismissal: the finding counts again."""
    try:
        review_qa.restore_finding(get_db(), current_actor(), unit_id, finding_key)
    except NotFound as error:
        flash(message_text(error.message), "error")
    else:
        flash(_("The finding counts again."), "success")
    return redirect(_unit_url(unit_id, anchor="qa"))


# --- comments and clarification ----------------------------------------------------------------

@bp.route("/units/<int:unit_id>/comment", methods=["POST"])
@login_required
def comment(unit_id: int):
    """Comment on a unit or answer a comment; an officer's comment answers a clarification."""
    db = get_db()
    actor = current_actor()
    parent = int_arg("parent_id", form=True, minimum=1)
    try:
        photo = _answer_photo()
        added = comments.add_comment(db, actor, unit_id, request.form.get("body", ""), parent,
                                     photo=photo, photo_sign_id=int_arg(
                                         "sign_id", form=True, minimum=1),
                                     upload_dir=current_app.config["UPLOAD_DIR"])
    except (ValidationError, PermissionDenied) as error:
        flash_error(error)
    else:
        flash(_("Answer sent; the question is closed.") if added["kind"] == "answer"
              else _("Comment added."), "success")
    if not auth.can(actor, "review.view"):
        return redirect(url_for("review.clarifications"))
    return redirect(_unit_url(unit_id, anchor="comments"))


def _answer_photo() -> Any:
    """The photo sent with an answer, checked and re-encoded (None when there is none)."""
    from workbench.inventory import photos

    storage = request.files.get("photo")
    if storage is None or not storage.filename:
        return None
    limit = current_app.config["MAX_PHOTO_BYTES"]
    return photos.prepare_photo(storage.read(limit + 1), storage.filename, limit)


@bp.route("/units/<int:unit_id>/clarify", methods=["POST"])
@permission_required("review.translate")
def clarify(unit_id: int):
    """Ask the county officer a question about the sign; the unit is flagged."""
    try:
        comments.request_clarification(get_db(), current_actor(), unit_id,
                                       request.form.get("question", ""))
    except ValidationError as error:
        flash_error(error)
    else:
        flash(_("Question sent to the county officer."), "success")
    return redirect(_unit_url(unit_id, anchor="comments"))


@bp.route("/units/<int:unit_id>/resolve", methods=["POST"])
@permission_required("review.translate")
def resolve(unit_id: int):
    """Clear the clarification flag without an officer's answer."""
    comments.resolve_clarification(get_db(), current_actor(), unit_id)
    flash(_("The clarification request is closed."), "success")
    return redirect(_unit_url(unit_id, anchor="comments"))


@bp.route("/clarifications")
@login_required
def clarifications():
    """Questions waiting for the signed-in officer (review roles: all open questions)."""
    db = get_db()
    user = current_actor()
    if auth.county_scope(user) is None and not auth.can(user, "review.view"):
        abort(403)
    items = comments.clarifications_for(db, user)
    for item in items:
        item["signs"], item["sign_total"] = detail.signs_for_unit(db, item["id"], user, limit=5)
        item["thread"] = comments.thread(db, item["id"], user)
        comments.mark_mentions_read(db, user, item["id"])
    return render_template("review/clarifications.html", items=items)


@bp.route("/mentions")
@login_required
def mentions():
    """Comments that mention the signed-in user and that they have not opened yet."""
    db = get_db()
    user = current_actor()
    return render_template("review/mentions.html",
                           items=comments.unread_mentions(db, user),
                           can_open=auth.can(user, "review.view"))


# --- home page ---------------------------------------------------------------------------------

def home_cards(db: Database, user: auth.User) -> list[WaitingItem]:
    """Review's cards on the home page: drafts to check, translations to review, questions."""
    items: list[WaitingItem] = []
    if auth.can(user, "review.view"):
        counts = review_queue.home_counts(db, user)
        if auth.can(user, "review.translate"):
            items.append(WaitingItem(_("Machine drafts to check"), counts["machine_draft"],
                                     url_for("review.queue", state="machine_draft")))
            items.append(WaitingItem(_("Texts without a draft"), counts["new"],
                                     url_for("review.queue", state="new")))
            items.append(WaitingItem(_("Rejected translations to rework"), counts["rejected"],
                                     url_for("review.queue", state="rejected"), "warning"))
        if auth.can(user, "review.approve"):
            items.append(WaitingItem(_("Translations waiting for your review"),
                                     counts["in_review_by_others"],
                                     url_for("review.queue", state="in_review", others=1)))
    items.append(WaitingItem(_("Comments mentioning you"), comments.count_unread_mentions(db, user),
                             url_for("review.mentions")))
    if auth.county_scope(user) is not None:
        items.append(WaitingItem(_("Questions about your county's signs"),
                                 comments.count_clarifications(db, user),
                                 url_for("review.clarifications"), "warning"))
    return items
