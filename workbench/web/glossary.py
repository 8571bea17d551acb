"""The glossary pages: search, concept detail, editing, proposals, import and export."""
from __future__ import annotations

import io
from typing import Any

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import Length, Optional

from workbench import audit, auth
from workbench.db import get_db, page_count, page_offset
from workbench.errors import Conflict, ValidationError
from workbench.glossary import io as glossary_io
from workbench.glossary import proposals as glossary_proposals
from workbench.glossary.model import (
    DOMAINS, FUNCTIONS, PARTS_OF_SPEECH, STATUSES, ConceptRecord, TermRecord,
    concept_row, get_concept, languages_in_use, stats,
)
from workbench.glossary.match import TermMatch
from workbench.glossary.match import match as match_terms
from workbench.glossary.search import SearchFilters, facet_counts, search
from workbench.glossary.store import delete_concept, save_concept
from workbench.glossary.usage import signs_using
from workbench.web import home
from workbench.web.forms import error_message, flash_error, select_choices, show_problems
from workbench.vocabulary import GLOSSARY_DOMAINS, SIGN_FUNCTIONS, TERM_STATUSES
from workbench.vocabulary import PARTS_OF_SPEECH as PARTS_OF_SPEECH_VOCABULARY
from workbench.web.i18n import message_text, translator
from workbench.web.uploads import read_upload
from workbench.web.security import can, current_actor, permission_required
from workbench.web.params import page_arg

bp = Blueprint("glossary", __name__, url_prefix="/glossary")

# How each term status looks (labels: workbench.vocabulary.TERM_STATUSES).
STATUS_BADGES = {"preferred": "badge-ok", "admitted": "", "deprecated": "badge-warning",
                 "forbidden": "badge-error"}
# Offered in the term form besides the languages already in the glossary.
COMMON_LANGUAGES = ("zh", "en", "ru", "ja", "ko", "fr", "de", "es", "pt", "ar", "th", "vi",
                    "ms", "id")
BLANK_TERM_ROWS = 3


@bp.app_context_processor
def _glossary_badges() -> dict[str, Any]:
    return {"status_badges": STATUS_BADGES}


def home_cards(db: Any, user: auth.User) -> list[home.WaitingItem]:
    """The glossary's card on the home page: proposals to decide."""
    if not auth.can(user, "glossary.edit"):
        return []
    return [home.WaitingItem(_("Glossary proposals to decide"),
                             glossary_proposals.count_open(db),
                             url_for("glossary.proposal_list"), "task")]


# --- search --------------------------------------------------------------------------------

def _filters_from_request() -> SearchFilters:
    args = request.args
    verified = args.get("verified", "")
    return SearchFilters(
        query=args.get("q", "").strip()[:200],
        domain=args.get("domain") if args.get("domain") in DOMAINS else None,
        function=args.get("function") if args.get("function") in FUNCTIONS else None,
        lang=args.get("lang", "").strip() or None,
        status=args.get("status") if args.get("status") in STATUSES else None,
        verified=True if verified == "1" else False if verified == "0" else None)


@bp.route("/")
@permission_required("glossary.view")
def index():
    """Search the glossary in every language, with filters and pages."""
    db = get_db()
    filters = _filters_from_request()
    page = page_arg()
    size = current_app.config["PAGE_SIZE"]
    hits, total = search(db, filters, limit=size, offset=page_offset(page, size))
    langs = languages_in_use(db)
    shown_langs: list[str] = [lang for lang in ("zh", "en") if lang in langs]
    if filters.lang and filters.lang not in shown_langs:
        shown_langs.append(filters.lang)
    query_args = {k: v for k, v in {
        "q": filters.query, "domain": filters.domain, "function": filters.function,
        "lang": filters.lang, "status": filters.status,
        "verified": request.args.get("verified") or None}.items() if v}
    return render_template(
        "glossary/index.html", hits=hits, total=total, page=page,
        pages=page_count(total, size), filters=filters, query_args=query_args,
        languages=langs, shown_langs=shown_langs, facets=facet_counts(db),
        verified_arg=request.args.get("verified", ""),
        open_proposals=glossary_proposals.count_open(db) if can("glossary.edit") else 0)


@bp.route("/stats")
@permission_required("glossary.view")
def statistics():
    """Counts per language, domain, function, status and source."""
    return render_template("glossary/stats.html", stats=stats(get_db()))


@bp.route("/match")
@permission_required("glossary.view")
def match_text():
    """Paste a sign text and see which glossary terms it contains, with their renderings."""
    db = get_db()
    text = request.args.get("text", "")[:2000]
    langs = languages_in_use(db)
    source = request.args.get("source", "zh")
    source = source if source in langs else "zh"
    target = request.args.get("target", "en")
    target = target if target in langs else "en"
    found = match_terms(text, source, target, db) if text.strip() else []
    pieces: list[tuple[str, TermMatch | None]] = []
    cursor = 0
    for hit in found:  # the text cut into plain and matched pieces, for highlighting
        if hit.start > cursor:
            pieces.append((text[cursor:hit.start], None))
        pieces.append((text[hit.start:hit.end], hit))
        cursor = hit.end
    if cursor < len(text):
        pieces.append((text[cursor:], None))
    return render_template("glossary/match.html", text=text, source=source, target=target,
                           languages=langs, matches=found, pieces=pieces)


# --- one concept ---------------------------------------------------------------------------

@bp.route("/c/<concept_id>")
@permission_required("glossary.view")
def concept(concept_id: str):
    """A concept with every term, its history and the signs that use it."""
    db = get_db()
    record = get_concept(db, concept_id)
    row = concept_row(db, concept_id)
    user = current_actor()
    open_proposals = glossary_proposals.list_proposals(db, status="open", concept_id=concept_id)
    if not can("glossary.edit"):
        open_proposals = [p for p in open_proposals if p.proposed_by == user.id]
    events = audit.history(db, "concept", concept_id)
    return render_template(
        "glossary/concept.html", concept=record, row=row, history=list(reversed(events)),
        signs=signs_using(db, concept_id, user=current_actor()), proposals=open_proposals)


class TermForm(Form):
    """One term row of the concept form (no CSRF of its own: the outer form has it)."""

    lang = SelectField(_l("Language"), choices=[], validate_choice=False)
    text = StringField(_l("Term"), validators=[Optional(), Length(max=500)])
    # The domain layer validates status and part of speech with a message per row;
    # WTForms' own choice check would only say "Not a valid choice".
    status = SelectField(_l("Status"), choices=select_choices((s, s) for s in STATUSES),
                         validate_choice=False)
    pos = SelectField(_l("Part of speech"),
                      choices=select_choices([("", "—")] + [(p, p) for p in PARTS_OF_SPEECH]),
                      validate_choice=False)


class ConceptForm(FlaskForm):
    """Create or edit a concept (or propose doing so)."""

    domain = SelectField(_l("Domain"), choices=[])
    function = SelectField(_l("Sign function"), choices=[])
    source = StringField(_l("Source"), validators=[Optional(), Length(max=200)],
                         default="common usage")
    verified = BooleanField(_l("Verified against a standard"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    terms = FieldList(FormField(TermForm), min_entries=0)
    comment = TextAreaField(_l("Why this change (for the reviewer)"),
                            validators=[Optional(), Length(max=2000)])
    updated_at = HiddenField()


def _language_choices(db: Any) -> list[tuple[str, str]]:
    from workbench.web.i18n import language_name

    codes = list(dict.fromkeys(languages_in_use(db) + list(COMMON_LANGUAGES)))
    return [(code, language_name(code)) for code in codes]


def _prepare(form: ConceptForm, db: Any) -> None:
    form.domain.choices = select_choices(GLOSSARY_DOMAINS.choices(translator()))
    form.function.choices = select_choices(
        [("", "—")] + SIGN_FUNCTIONS.choices(translator()))
    languages = select_choices(_language_choices(db))
    for entry in form.terms:
        entry.form.lang.choices = languages
        entry.form.status.choices = select_choices(TERM_STATUSES.choices(translator()))
        entry.form.pos.choices = select_choices(
            [("", "—")] + PARTS_OF_SPEECH_VOCABULARY.choices(translator()))


def _add_blank_rows(form: ConceptForm, count: int = BLANK_TERM_ROWS) -> None:
    for _index in range(count):
        form.terms.append_entry({"lang": "en", "status": "admitted", "text": "", "pos": ""})


def _record_from_form(form: ConceptForm, concept_id: str | None) -> ConceptRecord:
    terms = [TermRecord(entry.form.lang.data or "", (entry.form.text.data or "").strip(),
                        entry.form.status.data or "preferred", entry.form.pos.data or None)
             for entry in form.terms if (entry.form.text.data or "").strip()]
    return ConceptRecord(id=concept_id, domain=form.domain.data or "",
                         function=form.function.data or None,
                         source=(form.source.data or "").strip() or "common usage",
                         verified=bool(form.verified.data), notes=form.notes.data or "",
                         terms=terms)


def _edit_mode() -> str:
    """'edit' for reviewers and staff, 'propose' for translators; others may not."""
    if can("glossary.edit"):
        return "edit"
    if can("glossary.propose"):
        return "propose"
    abort(403)


@bp.route("/new", methods=["GET", "POST"])
@permission_required("glossary.view")
def new_concept():
    """A new concept: saved at once by editors, sent as a proposal by translators."""
    return _concept_form(None)


@bp.route("/c/<concept_id>/edit", methods=["GET", "POST"])
@permission_required("glossary.view")
def edit_concept(concept_id: str):
    """Change a concept and its terms (editors) or propose a change (translators)."""
    return _concept_form(concept_id)


def _concept_form(concept_id: str | None):
    db = get_db()
    mode = _edit_mode()
    existing = get_concept(db, concept_id) if concept_id else None
    if request.method == "POST":
        form = ConceptForm()
    elif existing is not None:
        form = ConceptForm(data={
            "domain": existing.domain, "function": existing.function or "",
            "source": existing.source, "verified": existing.verified, "notes": existing.notes,
            "updated_at": concept_row(db, existing.id)["updated_at"],  # type: ignore[arg-type]
            "terms": [{"lang": t.lang, "text": t.text, "status": t.status, "pos": t.pos or ""}
                      for t in existing.terms]})
        _add_blank_rows(form)
    else:
        form = ConceptForm(data={"terms": [
            {"lang": "zh", "status": "preferred", "text": "", "pos": ""},
            {"lang": "en", "status": "preferred", "text": "", "pos": ""}]})
        _add_blank_rows(form, 2)
    _prepare(form, db)
    if request.method == "POST" and "more_rows" in request.form:
        _add_blank_rows(form)
        _prepare(form, db)
    elif form.validate_on_submit():
        record = _record_from_form(form, concept_id)
        try:
            if mode == "edit":
                saved_id = save_concept(db, current_actor(), record,
                                        expected_updated_at=form.updated_at.data or None,
                                        settings=current_app.config)
                flash(_("Saved."), "success")
                return redirect(url_for("glossary.concept", concept_id=saved_id))
            proposal_id = glossary_proposals.propose(db, current_actor(), record,
                                                     form.comment.data or "")
            flash(_("Your proposal was sent to the reviewers."), "success")
            return redirect(url_for("glossary.proposal", proposal_id=proposal_id))
        except ValidationError as error:
            show_problems(form, error, flash_columns=("terms",))
        except Conflict as error:
            flash_error(error)
    return render_template("glossary/edit.html", form=form, concept=existing, mode=mode)


class DeleteForm(FlaskForm):
    """A confirmation button (CSRF only)."""


@bp.route("/c/<concept_id>/delete", methods=["GET", "POST"])
@permission_required("glossary.edit")
def delete(concept_id: str):
    """Ask, then delete a concept (its history stays in the audit log)."""
    db = get_db()
    record = get_concept(db, concept_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        return render_template("glossary/delete.html", concept=record, form=form)
    delete_concept(db, current_actor(), concept_id, settings=current_app.config)
    flash(_("Concept %(id)s deleted.", id=concept_id), "success")
    return redirect(url_for("glossary.index"))


# --- proposals -----------------------------------------------------------------------------

class DecisionForm(FlaskForm):
    """Accept or reject a proposal, with a comment."""

    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


@bp.route("/proposals")
@permission_required("glossary.view")
def proposal_list():
    """Open proposals (editors: everyone's; translators: their own, in every state)."""
    db = get_db()
    user = current_actor()
    status = request.args.get("status", "open")
    status_filter = status if status in ("open", "accepted", "rejected", "withdrawn") else None
    if can("glossary.edit"):
        items = glossary_proposals.list_proposals(db, status=status_filter)
    elif can("glossary.propose"):
        items = glossary_proposals.list_proposals(db, status=status_filter, proposed_by=user.id)
    else:
        abort(403)
    return render_template("glossary/proposals.html", proposals=items, status=status)


@bp.route("/proposals/<int:proposal_id>", methods=["GET", "POST"])
@permission_required("glossary.view")
def proposal(proposal_id: int):
    """A proposal side by side with the concept as it is; accept, reject or withdraw."""
    db = get_db()
    user = current_actor()
    item = glossary_proposals.get_proposal(db, proposal_id)
    if not can("glossary.edit") and item.proposed_by != user.id:
        abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        decision = request.form.get("decision")
        try:
            if decision == "accept":
                item = glossary_proposals.accept(db, user, proposal_id, form.comment.data or "")
                flash(_("Accepted: the glossary is updated."), "success")
                return redirect(url_for("glossary.concept", concept_id=item.concept_id))
            if decision == "reject":
                glossary_proposals.reject(db, user, proposal_id, form.comment.data or "")
                flash(_("Rejected."), "success")
            elif decision == "withdraw":
                glossary_proposals.withdraw(db, user, proposal_id)
                flash(_("Withdrawn."), "success")
            else:
                abort(400)
            return redirect(url_for("glossary.proposal", proposal_id=proposal_id))
        except ValidationError as error:
            form.comment.errors = list(form.comment.errors) + [error_message(error, form)]
        except Conflict as error:
            flash_error(error)
        item = glossary_proposals.get_proposal(db, proposal_id)
    return render_template("glossary/proposal.html", proposal=item, form=form,
                           history=audit.history(db, glossary_proposals.ENTITY, proposal_id))


# --- files ---------------------------------------------------------------------------------

class ImportForm(FlaskForm):
    """Upload a glossary file."""

    file = FileField(_l("Glossary file (.tbx, .csv or .xlsx)"), validators=[FileRequired()])
    dry_run = BooleanField(_l("Only check the file; save nothing"), default=True)


@bp.route("/import", methods=["GET", "POST"])
@permission_required("glossary.edit")
def import_file():
    """Import TBX, CSV or XLSX: every row validated, all rows saved or none."""
    form = ImportForm()
    report = None
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            data = read_upload(upload, "MAX_IMPORT_BYTES") or b""
            report = glossary_io.import_file(get_db(), current_actor(), data,
                                             upload.filename or "upload.csv",
                                             dry_run=bool(form.dry_run.data),
                                             limits=current_app.config,
                                             settings=current_app.config)
        except ValidationError as error:
            problems = error.problems
            flash(message_text(error.summary), "error")
        else:
            if not report.dry_run:
                flash(_("Imported: %(created)s created, %(updated)s updated, %(same)s unchanged.",
                        created=len(report.created), updated=len(report.updated),
                        same=report.unchanged), "success")
    return render_template("glossary/import.html", form=form, report=report, problems=problems)


@bp.route("/export")
@permission_required("glossary.view")
def export():
    """Download the glossary as TBX-Basic, CSV or XLSX, all languages or some."""
    fmt = request.args.get("format", "tbx")
    if fmt not in glossary_io.FORMATS:
        abort(400)
    langs = [lang for lang in request.args.getlist("lang") if lang] or None
    domain = request.args.get("domain") if request.args.get("domain") in DOMAINS else None
    buffer = io.BytesIO()
    glossary_io.export_glossary(get_db(), fmt, buffer, langs=langs, domain=domain)
    buffer.seek(0)
    mimetypes = {"tbx": "application/x-tbx", "csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    name = "glossary" + (f"-{domain}" if domain else "") + (
        "-" + "-".join(langs) if langs else "") + f".{fmt}"
    return send_file(buffer, mimetype=mimetypes[fmt], as_attachment=True, download_name=name)
