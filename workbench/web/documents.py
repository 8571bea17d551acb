"""Documents: upload, dashboard, segment editor, background drafting, exports, terms, rules.

Views call :mod:`workbench.documents` and :mod:`workbench.review` and render;
they hold no SQL. Segment actions go through the review workflow, so documents
have the same states, four-eyes rule and history as signs.
"""
from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request,
    send_file, url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from flask_wtf.file import FileField, FileRequired
from sqlite_utils import Database
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from workbench import auth
from workbench.db import get_db, page_count, page_offset
from workbench.documents import drafting, export, segmentation, store, tags, terms
from workbench.errors import Conflict, ValidationError, WorkbenchError
from workbench.review import detail as review_detail
from workbench.review import history, workflow
from workbench.review import qa as review_qa
from workbench.web.home import WaitingItem
from workbench.vocabulary import GLOSSARY_DOMAINS, LANGUAGES, ROLES, SIGN_LANGUAGES
from workbench.web.forms import flash_error, problem_text, select_choices
from workbench.web.i18n import severity_label, translator
from workbench.web.security import current_actor, permission_required
from workbench.web.params import int_arg, int_list, page_arg

bp = Blueprint("documents", __name__, url_prefix="/documents")

PAGE_SIZE = 40
# The glossary domains a document may have (labels: workbench.vocabulary.GLOSSARY_DOMAINS).
DOCUMENT_DOMAINS = ("policy", "organizations", "tourism", "commerce", "culture", "general")


class MultiCheckboxField(SelectMultipleField):
    """Several choices as check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UploadForm(FlaskForm):
    file = FileField(_l("File (DOCX, TXT, Markdown, XLIFF)"), validators=[FileRequired()])
    title = StringField(_l("Title (empty: the file name)"), validators=[Optional(),
                                                                        Length(max=200)])
    targets = MultiCheckboxField(_l("Target languages"), choices=[], default=["en"])
    domain = SelectField(_l("Domain"), choices=[], default="policy")
    due_date = DateField(_l("Due date"), validators=[Optional()])
    assignees = MultiCheckboxField(_l("Assigned to"), choices=[], coerce=int)


def _settings() -> dict[str, Any]:
    return current_app.config


def _translators(db: Database) -> list[tuple[int | None, Markup]]:
    """(id, label) of everyone who may be assigned: the name (data) and the role's label."""
    return [(u.id, Markup('<span translate="no">{}</span> ({})').format(
        u.label, ROLES.text(u.role, translator())))
        for u in auth.users_with_permission(db, "documents.translate")]


def _domain_choices() -> list[tuple[str, str]]:
    return GLOSSARY_DOMAINS.choices(translator(), only=DOCUMENT_DOMAINS)


def _upload_form(db: Database) -> UploadForm:
    form = UploadForm()
    form.targets.choices = select_choices((code, LANGUAGES.text(code, translator()))
                                          for code in SIGN_LANGUAGES)
    form.domain.choices = select_choices(_domain_choices())
    form.assignees.choices = select_choices(_translators(db))
    return form


def _language(document: dict[str, Any]) -> str:
    lang = request.args.get("lang") or request.form.get("lang") or document["targets"][0]
    if lang not in document["targets"]:
        abort(404)
    return lang


@bp.app_template_filter("placeholders_plain")
def placeholders_plain(text: str | None) -> str:
    """Text without placeholders (for reading views)."""
    return tags.strip_tags(text or "")


@bp.app_template_filter("tag_tokens")
def tag_tokens(text: str | None) -> list[tags.Token]:
    """Tagged text as tokens, so templates can show placeholders as chips."""
    return list(tags.tokens(text or ""))


# --- list and upload -------------------------------------------------------------------------

@bp.route("/")
@permission_required("documents.view")
def index():
    """Every document with its progress, and the upload form for staff."""
    db = get_db()
    user = current_actor()
    mine = request.args.get("mine") == "1"
    form = None
    if auth.can(user, "documents.manage"):
        form = _upload_form(db)
    return render_template("documents/index.html",
                           documents=store.list_documents(db, user, assigned_only=mine),
                           form=form, mine=mine,
                           max_mb=store.max_bytes(_settings()) // (1024 * 1024))


@bp.route("/upload", methods=["POST"])
@permission_required("documents.manage")
def upload():
    """Upload a document and split it into segments."""
    db = get_db()
    form = _upload_form(db)
    if form.validate_on_submit():
        uploaded = form.file.data
        data = uploaded.read(store.max_bytes(_settings()) + 1)
        try:
            doc_id = store.create_document(
                db, current_actor(), uploaded.filename or "document", data,
                targets=form.targets.data or ["en"], title=form.title.data or None,
                domain=form.domain.data, assignees=form.assignees.data or [],
                due_date=form.due_date.data.isoformat() if form.due_date.data else None,
                settings=_settings())
        except ValidationError as error:
            form.file.errors = list(form.file.errors) + [str(p.reason) for p in error.problems]
        else:
            document = store.get_document(db, doc_id)
            flash(_("Uploaded “%(title)s”: %(segments)s segments, %(words)s characters.",
                    title=document["title"], segments=document["segment_count"],
                    words=document["word_count"]), "success")
            return redirect(url_for("documents.detail", doc_id=doc_id))
    return render_template("documents/index.html",
                           documents=store.list_documents(db, current_actor()), form=form,
                           mine=False, max_mb=store.max_bytes(_settings()) // (1024 * 1024)), 400


# --- one document ----------------------------------------------------------------------------

@bp.route("/<int:doc_id>")
@permission_required("documents.view")
def detail(doc_id: int):
    """Dashboard of one document and its segments in one target language."""
    db = get_db()
    document = store.get_document(db, doc_id)
    lang = _language(document)
    state = request.args.get("state") or None
    if state and state not in store.STATES:
        state = None
    page = page_arg()
    total = store.count_segments(db, doc_id, lang, state)
    rows = store.segment_rows(db, doc_id, lang, state=state, offset=page_offset(page, PAGE_SIZE),
                              limit=PAGE_SIZE)
    return render_template(
        "documents/detail.html", document=document, lang=lang, state=state, rows=rows,
        page=page, pages=page_count(total, PAGE_SIZE), total=total,
        stats=store.stats(db, doc_id), job=drafting.latest_run(db, doc_id),
        engines=_engines(), translators=_translators(db), domain_choices=_domain_choices())


def _engines() -> list[Any]:
    from workbench.mt import list_engines

    try:
        return list_engines(dict(_settings()))
    except WorkbenchError:
        return []


@bp.route("/<int:doc_id>/settings", methods=["POST"])
@permission_required("documents.manage")
def update(doc_id: int):
    """Change title, due date, status or assignees."""
    db = get_db()
    try:
        store.update_document(
            db, current_actor(), doc_id, title=request.form.get("title"),
            due_date=request.form.get("due_date", ""), status=request.form.get("status") or None,
            domain=request.form.get("domain") or None,
            assignees=int_list(request.form.getlist("assignees")))
    except ValidationError as error:
        flash_error(error)
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("documents.detail", doc_id=doc_id))


@bp.route("/<int:doc_id>/delete", methods=["POST"])
@permission_required("documents.manage")
def delete(doc_id: int):
    """Delete a document and its segments (approved wording stays in the memory)."""
    db = get_db()
    document = store.get_document(db, doc_id)
    store.delete_document(db, current_actor(), doc_id)
    flash(_("Deleted “%(title)s”.", title=document["title"]), "success")
    return redirect(url_for("documents.index"))


# --- drafting in the background ---------------------------------------------------------------

@bp.route("/<int:doc_id>/draft", methods=["POST"])
@permission_required("documents.view")
def draft(doc_id: int):
    """Queue machine drafting of every untranslated segment (a worker runs it)."""
    db = get_db()
    user = current_actor()
    if not (auth.can(user, "documents.translate") or auth.can(user, "documents.manage")):
        abort(403)
    try:
        drafting.start_draft(db, user, doc_id, engine=request.form.get("engine") or None,
                             target=request.form.get("lang") or None, settings=_settings())
    except (Conflict, ValidationError, WorkbenchError) as error:
        flash_error(error)
    else:
        flash(_("Drafting started; you can keep working meanwhile."), "info")
    return redirect(url_for("documents.detail", doc_id=doc_id, lang=request.form.get("lang")))


# --- segment editor -------------------------------------------------------------------------

def _segment_url(doc_id: int, segment_id: int, lang: str) -> str:
    return url_for("documents.segment", doc_id=doc_id, segment_id=segment_id, lang=lang)


def _render_segment(doc_id: int, segment_id: int, *, editor_text: str | None = None,
                    status: int = 200) -> Any:
    db = get_db()
    user = current_actor()
    document = store.get_document(db, doc_id)
    lang = _language(document)
    segment = store.get_segment(db, doc_id, segment_id, lang)
    unit = segment["unit"]
    plain_unit = dict(unit, source_text=tags.strip_tags(unit["source_text"]))
    memory = review_detail.memory_with_diffs(
        db, unit, _settings(),
        fallback=plain_unit if tags.has_tags(unit["source_text"]) else None)
    findings = review_qa.current_findings(db, unit) if unit["target_text"] else []
    actions = workflow.allowed_actions(user, unit, _settings())
    can_translate = auth.can(user, "documents.translate")
    return render_template(
        "documents/segment.html", document=document, lang=lang, segment=segment, unit=unit,
        memory=memory, terms=review_detail.glossary_terms(db, plain_unit), findings=findings,
        actions=actions if can_translate else set(), can_translate=can_translate,
        four_eyes_blocked=(unit["state"] == "in_review" and auth.can(user, "review.approve")
                           and "approve" not in actions),
        versions=history.versions(db, unit["id"], lang)[:8],
        editor_text=unit["target_text"] if editor_text is None else editor_text,
        engine_drafts_url=url_for("documents.segment_drafts", doc_id=doc_id,
                                  segment_id=segment_id, lang=lang)), status


@bp.route("/<int:doc_id>/segments/<int:segment_id>")
@permission_required("documents.view")
def segment(doc_id: int, segment_id: int):
    """One segment: memory with diffs, glossary terms, drafts, QA findings, review actions."""
    return _render_segment(doc_id, segment_id)


@bp.route("/<int:doc_id>/segments/<int:segment_id>/drafts")
@permission_required("documents.view")
def segment_drafts(doc_id: int, segment_id: int):
    """Drafts of every available engine for one segment (HTML fragment fetched by documents.js)."""
    db = get_db()
    document = store.get_document(db, doc_id)
    lang = _language(document)
    unit = store.get_segment(db, doc_id, segment_id, lang)["unit"]
    plain_unit = dict(unit, source_text=tags.strip_tags(unit["source_text"]))
    return render_template("documents/_drafts.html",
                           drafts=review_detail.engine_drafts(db, plain_unit, dict(_settings())),
                           has_tags=tags.has_tags(unit["source_text"]), lang=lang)


@bp.route("/<int:doc_id>/segments/<int:segment_id>/check", methods=["POST"])
@permission_required("documents.view")
def segment_check(doc_id: int, segment_id: int):
    """QA findings for text being typed (JSON, for the editor's live check)."""
    db = get_db()
    document = store.get_document(db, doc_id)
    lang = _language(document)
    unit = store.get_segment(db, doc_id, segment_id, lang)["unit"]
    findings = review_qa.run_qa(db, unit, request.form.get("text", ""))
    return jsonify([dict(f.to_dict(translator()), severity_label=severity_label(f.severity))
                    for f in findings])


def _version() -> int | None:
    return int_arg("version", form=True, minimum=0)


def _after_action(doc_id: int, segment_id: int, lang: str) -> Any:
    db = get_db()
    if request.form.get("go_next"):
        found = store.get_segment(db, doc_id, segment_id, lang)
        if found["next_id"]:
            return redirect(_segment_url(doc_id, found["next_id"], lang))
    return redirect(_segment_url(doc_id, segment_id, lang))


def _conflict_page(doc_id: int, segment_id: int, error: Conflict, text: str | None) -> Any:
    flash_error(error)
    theirs = (error.current or {}).get("target_text") or ""
    flash(_("Their wording: %(text)s", text=theirs), "warning")
    return _render_segment(doc_id, segment_id, editor_text=text, status=409)


@bp.route("/<int:doc_id>/segments/<int:segment_id>/save", methods=["POST"])
@permission_required("documents.translate")
def save(doc_id: int, segment_id: int):
    """Save the translation of a segment (and send it to review when asked)."""
    db = get_db()
    actor = current_actor()
    document = store.get_document(db, doc_id)
    lang = _language(document)
    unit = store.get_segment(db, doc_id, segment_id, lang)["unit"]
    text = request.form.get("text", "")
    try:
        saved = workflow.save_translation(db, actor, unit["id"], text, _version(), _settings())
        if request.form.get("submit_for_review") and saved["state"] == "translated":
            workflow.submit(db, actor, unit["id"], saved["version"], _settings())
            flash(_("Saved and sent to review."), "success")
        else:
            flash(_("Saved."), "success")
    except Conflict as error:
        return _conflict_page(doc_id, segment_id, error, text)
    except ValidationError as error:
        flash_error(error)
        return _render_segment(doc_id, segment_id, editor_text=text, status=400)
    return _after_action(doc_id, segment_id, lang)


@bp.route("/<int:doc_id>/segments/<int:segment_id>/<any(submit, approve, reject):action>",
          methods=["POST"])
@permission_required("documents.translate")
def decide(doc_id: int, segment_id: int, action: str):
    """Send to review, approve (four-eyes) or reject a segment's translation."""
    db = get_db()
    actor = current_actor()
    document = store.get_document(db, doc_id)
    lang = _language(document)
    unit = store.get_segment(db, doc_id, segment_id, lang)["unit"]
    try:
        if action == "submit":
            workflow.submit(db, actor, unit["id"], _version(), _settings())
            flash(_("Sent to review."), "success")
        elif action == "approve":
            workflow.approve(db, actor, unit["id"], _version(), settings=_settings())
            flash(_("Approved; the translation memory has learnt it."), "success")
        else:
            workflow.reject(db, actor, unit["id"], _version(), request.form.get("reason", ""),
                            _settings())
            flash(_("Rejected and sent back to the translator."), "success")
    except Conflict as error:
        return _conflict_page(doc_id, segment_id, error, None)
    except ValidationError as error:
        flash_error(error)
    return _after_action(doc_id, segment_id, lang)


@bp.route("/<int:doc_id>/segments/<int:segment_id>/merge", methods=["POST"])
@permission_required("documents.translate")
def merge(doc_id: int, segment_id: int):
    """Merge a segment with the next one of its paragraph."""
    db = get_db()
    document = store.get_document(db, doc_id)
    lang = _language(document)
    try:
        merged = store.merge_with_next(db, current_actor(), doc_id, segment_id)
    except ValidationError as error:
        flash_error(error)
        return redirect(_segment_url(doc_id, segment_id, lang))
    flash(_("Segments merged."), "success")
    return redirect(_segment_url(doc_id, merged, lang))


@bp.route("/<int:doc_id>/segments/<int:segment_id>/split", methods=["POST"])
@permission_required("documents.translate")
def split(doc_id: int, segment_id: int):
    """Split a segment at a position of its source text."""
    db = get_db()
    document = store.get_document(db, doc_id)
    lang = _language(document)
    position = int_arg("position", form=True, minimum=0)
    try:
        if position is None:
            raise ValidationError.single(_("Say where to split (a character position)."))
        new_ids = store.split_segment(db, current_actor(), doc_id, segment_id, position)
    except ValidationError as error:
        flash_error(error)
        return redirect(_segment_url(doc_id, segment_id, lang))
    flash(_("Segment split in two."), "success")
    return redirect(_segment_url(doc_id, new_ids[0], lang))


# --- exports ---------------------------------------------------------------------------------

@bp.route("/<int:doc_id>/export")
@permission_required("documents.manage")
def download(doc_id: int):
    """Download an export (a final translated file needs every segment approved)."""
    db = get_db()
    fmt = request.args.get("format", "docx")
    draft_requested = request.args.get("draft") == "1"
    try:
        result = export.export_document(db, current_actor(), doc_id, fmt,
                                        target=request.args.get("lang") or None,
                                        draft=draft_requested)
    except ValidationError as error:
        flash_error(error)
        return redirect(url_for("documents.detail", doc_id=doc_id,
                                lang=request.args.get("lang")))
    return send_file(io.BytesIO(result.data), mimetype=result.mimetype, as_attachment=True,
                     download_name=result.file_name)


# --- terminology -----------------------------------------------------------------------------

@bp.route("/<int:doc_id>/terms")
@permission_required("documents.view")
def term_candidates(doc_id: int):
    """Recurring phrases of the document that the glossary does not have yet."""
    db = get_db()
    document = store.get_document(db, doc_id)
    min_count = int_arg("min", 2, minimum=2, maximum=1_000_000) or 2
    return render_template("documents/terms.html", document=document, min_count=min_count,
                           candidates=terms.candidates(db, doc_id, min_count=min_count))


@bp.route("/<int:doc_id>/terms/propose", methods=["POST"])
@permission_required("glossary.propose")
def propose_term(doc_id: int):
    """Propose a candidate as a new glossary concept (a reviewer decides in the glossary)."""
    db = get_db()
    document = store.get_document(db, doc_id)
    try:
        terms.propose(db, current_actor(), doc_id, request.form.get("source", ""),
                      request.form.get("target", ""), document["targets"][0],
                      request.form.get("comment", ""))
    except ValidationError as error:
        flash_error(error)
    else:
        flash(_("Proposed to the glossary: %(term)s", term=request.form.get("source", "")),
              "success")
    return redirect(url_for("documents.term_candidates", doc_id=doc_id))


# --- segmentation rules -----------------------------------------------------------------------

@bp.route("/rules", methods=["GET", "POST"])
@permission_required("documents.manage")
def rules():
    """The segmentation rule table of the project (view, edit, reset)."""
    db = get_db()
    text = segmentation.rules_text(db)
    problems: list[str] = []
    if request.method == "POST":
        try:
            if request.form.get("reset"):
                segmentation.set_rules(db, current_actor(), None)
            else:
                segmentation.set_rules(db, current_actor(), request.form.get("rules", ""))
        except ValidationError as error:
            problems = [problem_text(p) for p in error.problems]
            text = request.form.get("rules", "")
        else:
            flash(_("Segmentation rules saved; they apply to documents uploaded from now on."),
                  "success")
            return redirect(url_for("documents.rules"))
    return render_template("documents/rules.html", rules_text=text, problems=problems,
                           custom=segmentation.rules_text(db) != segmentation.shipped_rules_text()
                           ), (400 if problems else 200)


# --- home page ------------------------------------------------------------------------------

def home_cards(db: Database, user: auth.User) -> list[WaitingItem]:
    """Documents' cards on the home page: assigned documents not approved yet."""
    items: list[WaitingItem] = []
    if not auth.can(user, "documents.view"):
        return items
    for document in store.list_documents(db, user, assigned_only=True):
        if document["status"] != "open" or document["units"] == document["approved"]:
            continue
        items.append(WaitingItem(
            _("Document “%(title)s”: %(left)s of %(total)s segments not approved yet",
              title=document["title"], left=document["units"] - document["approved"],
              total=document["units"]),
            document["units"] - document["approved"],
            url_for("documents.detail", doc_id=document["id"])))
    return items
