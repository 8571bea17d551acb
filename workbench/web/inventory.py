"""Inventory pages: sign list and detail, forms, photos, sites, import, dashboard.

Views call :mod:`workbench.inventory` and render; county isolation is done by
the domain functions (another county's record raises NotFound → 404).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, send_file, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DecimalField, IntegerField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from workbench import auth, counties, jobs
from workbench.db import get_db, page_count, to_int
from workbench.errors import NotFound, PermissionDenied, ValidationError, WorkbenchError
from workbench.inventory import dashboard as dashboard_data
from workbench.inventory import editing, importer, pending, photos, records
from workbench.inventory.submission import CheckedImport, NewSign, submit_signs
from workbench.ocr import read_image
from workbench.reports import queue as report_queue
from workbench.review import units
from workbench.rowtypes import JobRun
from workbench.vocabulary import COUNTY_PROGRESS, LANGUAGES, REPORT_STATUSES, Vocabulary
from workbench.web import home
from workbench.web import survey as survey_views
from workbench.web.forms import flash_error, select_choices, show_problems
from workbench.web.i18n import message_text, translator
from workbench.web.uploads import read_upload
from workbench.web.security import current_actor, permission_required
from workbench.web.params import int_arg, page_arg

bp: Blueprint = Blueprint("inventory", __name__, url_prefix="/inventory")


def _choices(vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """A select field's choices from a vocabulary, labelled in the interface language."""
    return vocabulary.choices(translator())


# ---------------------------------------------------------------------------
# Forms

class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SignForm(FlaskForm):
    site_id = SelectField(_l("Site"), validators=[DataRequired()], choices=[])
    location = StringField(_l("Location within the site"), validators=[Optional(),
                                                                          Length(max=200)])
    function = SelectField(_l("Sign function"), choices=[])
    zh = TextAreaField(_l("Chinese text"), validators=[DataRequired(), Length(max=500)])
    en_current = TextAreaField(_l("English installed now"), validators=[Optional(),
                                                                        Length(max=500)])
    ru_current = StringField(_l("Russian installed now"), validators=[Optional(),
                                                                      Length(max=500)])
    ja_current = StringField(_l("Japanese installed now"), validators=[Optional(),
                                                                       Length(max=500)])
    ko_current = StringField(_l("Korean installed now"), validators=[Optional(),
                                                                     Length(max=500)])
    languages = MultiCheckboxField(_l("Required languages (English always)"), choices=[])
    quantity = IntegerField(_l("Quantity"), default=1,
                            validators=[Optional(), NumberRange(min=1)])
    size = StringField(_l("Size"), validators=[Optional(), Length(max=100)])
    material = StringField(_l("Material"), validators=[Optional(), Length(max=100)])
    action = SelectField(_l("Action"), choices=[])
    opt_out_reason = StringField(
        _l("Own wording: reason (leave empty to share the approved wording of identical "
           "Chinese texts)"), validators=[Optional(), Length(max=300)])
    photo = FileField(_l("Photo of the sign (JPEG, PNG or WebP)"))
    use_photo_location = BooleanField(_l("Use the photo's position as the site's location"))


class SignCorrectionForm(FlaskForm):
    """What an officer may still correct while the wording is translated.

    The fields of ``editing.CORRECTABLE_FIELDS`` (the edit rule, inventory.editing).
    """

    location = StringField(_l("Location within the site"), validators=[Optional(),
                                                                          Length(max=200)])
    zh = TextAreaField(_l("Chinese text"), validators=[DataRequired(), Length(max=500)])
    quantity = IntegerField(_l("Quantity"), default=1,
                            validators=[Optional(), NumberRange(min=1)])
    photo = FileField(_l("Photo of the sign (JPEG, PNG or WebP)"))


class SiteForm(FlaskForm):
    county_id = SelectField(_l("County"), choices=[])
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("English name (once approved)"), validators=[Optional(),
                                                                           Length(max=200)])
    sector = SelectField(_l("Sector"), choices=[])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    latitude = DecimalField(_l("Latitude"), places=None, validators=[Optional()])
    longitude = DecimalField(_l("Longitude"), places=None, validators=[Optional()])


class ImportForm(FlaskForm):
    # The domain decides which counties a user may import into (officers: their own).
    county_id = SelectField(_l("County"), choices=[], validate_choice=False)
    file = FileField(_l("Spreadsheet (CSV or XLSX)"))
    photos = FileField(_l("Photos (ZIP, optional)"))


def _county_choices(user: auth.User, blank: bool = False) -> list[tuple[str, str]]:
    scope = auth.county_scope(user)
    rows = [c for c in counties.list_counties(get_db(), include_inactive=False)
            if scope is None or c["id"] == scope]
    items = [(str(c["id"]), c["name_zh"]) for c in rows]
    return ([("", _("All counties"))] + items) if blank and scope is None else items


def _sign_form(user: auth.User, data: dict[str, Any] | None = None) -> SignForm:
    form = SignForm(data=data)
    sites = records.list_sites(get_db(), user, with_counts=False)
    form.site_id.choices = select_choices(
        (str(s["id"]), f"{s['county_zh']} · {s['name_zh']}") for s in sites)
    form.function.choices = select_choices(_choices(records.FUNCTIONS))
    form.action.choices = select_choices(_choices(records.ACTIONS))
    form.languages.choices = select_choices((code, LANGUAGES.text(code, translator()))
                                            for code in records.LANGUAGES)
    return form


def _sign_values(form: SignForm) -> dict[str, Any]:
    return {"location": form.location.data, "function": form.function.data,
            "zh": form.zh.data, "en_current": form.en_current.data,
            "ru_current": form.ru_current.data, "ja_current": form.ja_current.data,
            "ko_current": form.ko_current.data,
            "languages": ";".join(form.languages.data or ["en"]),
            "quantity": form.quantity.data or 1, "size": form.size.data,
            "material": form.material.data, "action": form.action.data,
            "opt_out_reason": form.opt_out_reason.data, "site_id": form.site_id.data}


def _photo_ocr(data: bytes, filename: str) -> dict[str, Any] | None:
    """What OCR read on an uploaded photo: kept from the form's preview, else read now."""
    ocr_data = survey_views.recall_ocr(current_actor(), hashlib.sha256(data).hexdigest())
    if ocr_data is None and len(data) <= current_app.config["MAX_PHOTO_BYTES"]:
        try:
            ocr_data = read_image(data, current_app.config, filename).to_dict()
        except WorkbenchError:
            ocr_data = None  # the photo's own check says what is wrong
    return ocr_data


def _upload_photo(sign_id: int, storage: Any) -> int | None:
    """Attach the uploaded photo with what OCR read on it (read again if not kept)."""
    if storage is None or not getattr(storage, "filename", ""):
        return None
    limit = current_app.config["MAX_PHOTO_BYTES"]
    data = storage.read(limit + 1)
    return photos.add_photo(get_db(), current_actor(), sign_id, data, storage.filename,
                            upload_dir=current_app.config["UPLOAD_DIR"], max_bytes=limit,
                            ocr=_photo_ocr(data, storage.filename))


# ---------------------------------------------------------------------------
# Signs

LIST_FILTERS = ("county_id", "site_id", "status", "function", "action", "sector", "lang",
                "has_photo", "has_flags", "q")


@bp.route("/")
@permission_required("inventory.view")
def signs():
    """The sign list: filters, full-text search, sort and pagination."""
    db = get_db()
    user = current_actor()
    filters = {k: request.args.get(k, "").strip() for k in LIST_FILTERS}
    filters = {k: v for k, v in filters.items() if v}
    sort = request.args.get("sort", "updated")
    page = page_arg()
    size = current_app.config["PAGE_SIZE"]
    rows, total = records.list_signs(db, user, filters, sort=sort, page=page, page_size=size)
    job = _followed_job(db, user, int_arg("job", minimum=1))
    sites = records.list_sites(db, user, county_id=to_int(filters.get("county_id"), minimum=1),
                               with_counts=False)
    return render_template(
        "inventory/list.html", rows=rows, total=total, page=page,
        pages=page_count(total, size), filters=filters, sort=sort,
        query_args=dict(filters, sort=sort), county_choices=_county_choices(user, blank=True),
        sites=sites, statuses=records.STATUSES.codes, functions=records.FUNCTIONS.codes,
        actions=records.ACTIONS.codes, sectors=records.SECTORS.codes, languages=records.LANGUAGES,
        sorts=records.SORTS, job=job)


def _followed_job(db: Any, user: auth.User, run_id: int | None) -> JobRun | None:
    """The job a page was sent to follow (``?job=ID``), if the user may see it."""
    if not run_id:
        return None
    try:
        return jobs.visible_run(db, user, run_id)
    except NotFound:
        return None


@bp.route("/signs/<int:sign_id>")
@permission_required("inventory.view")
def sign_detail(sign_id: int):
    """One sign: texts, photos, findings, translation units, history."""
    db = get_db()
    user = current_actor()
    sign = records.get_sign(db, user, sign_id)
    for photo_row in sign["photos"]:
        photo_row["ocr"] = json.loads(photo_row["ocr_json"]) if photo_row.get("ocr_json") else None
    return render_template(
        "inventory/detail.html", sign=sign, history=records.sign_history(db, user, sign_id),
        actions=records.allowed_actions(user, sign), can_edit=editing.can_edit(user, sign),
        edit_refusal=editing.edit_refusal(user, sign),
        correction_note=editing.correction_note(user, sign),
        can_change_photos=editing.can_change_photos(user, sign),
        transitions=records.TRANSITIONS, job=_followed_job(db, user, int_arg("job", minimum=1)))


@bp.route("/signs/new", methods=["GET", "POST"])
@permission_required("inventory.submit")
def sign_new():
    """Submit one sign, with an optional photo."""
    db = get_db()
    user = current_actor()
    form = _sign_form(user, {"site_id": request.args.get("site_id", ""),
                             "languages": ["en"], "action": "correct", "quantity": 1})
    if not form.site_id.choices:
        flash(_("Create the site first, then add its signs."), "info")
        return redirect(url_for("inventory.site_new"))
    if form.validate_on_submit():
        try:
            photo_data, prepared, ocr_data = form.photo.data, None, None
            if photo_data and getattr(photo_data, "filename", ""):
                # Checked first, stored with the sign: both or neither.
                limit = current_app.config["MAX_PHOTO_BYTES"]
                data = photo_data.read(limit + 1)
                prepared = photos.prepare_photo(data, photo_data.filename, limit)
                ocr_data = _photo_ocr(data, photo_data.filename)
            # Machine drafts of its wording are made by a job; the sign's page follows it.
            submitted = submit_signs(db, user, NewSign(
                int(form.site_id.data), _sign_values(form), photo=prepared, photo_ocr=ocr_data,
                upload_dir=current_app.config["UPLOAD_DIR"],
                use_photo_location=bool(form.use_photo_location.data)),
                settings=current_app.config)
            sign_id, run_id = submitted.result, submitted.run_id
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(_("Sign submitted."), "success")
            return redirect(url_for("inventory.sign_detail", sign_id=sign_id, job=run_id))
    return render_template("inventory/sign_form.html", form=form, sign=None)


def _use_photo_position(sign_id: int, photo_id: int) -> None:
    sign = records.get_sign(get_db(), current_actor(), sign_id)
    chosen = next((p for p in sign["photos"] if p["id"] == photo_id), None)
    if chosen is not None and chosen["exif_latitude"] is not None:
        records.set_site_location(get_db(), current_actor(), sign["site_id"],
                                  chosen["exif_latitude"], chosen["exif_longitude"])


@bp.route("/signs/<int:sign_id>/edit", methods=["GET", "POST"])
@permission_required("inventory.submit")
def sign_edit(sign_id: int):
    """Edit a sign while its status allows the user's role to (officers: correct a few fields
    until the wording is approved). A refused edit says why, in terms of the sign's status."""
    db = get_db()
    user = current_actor()
    sign = records.get_sign(db, user, sign_id)
    refusal = editing.edit_refusal(user, sign)
    if refusal is not None:
        flash(message_text(refusal), "warning")
        return redirect(url_for("inventory.sign_detail", sign_id=sign_id))
    note = editing.correction_note(user, sign)
    form = _sign_edit_form(user, sign, correcting=note is not None)
    if form.validate_on_submit():
        try:
            values = dict(editing.current_values(sign), **_edited_values(form))
            records.update_sign(db, user, sign_id, values)
            photo_id = _upload_photo(sign_id, form.photo.data)
            if photo_id and getattr(form, "use_photo_location", None) is not None \
                    and form.use_photo_location.data:
                _use_photo_position(sign_id, photo_id)
            run_id = units.start_drafting(db, user, [sign_id], current_app.config)
        except ValidationError as error:
            show_problems(form, error)
        except PermissionDenied as error:
            flash(message_text(error.message), "warning")
            return redirect(url_for("inventory.sign_detail", sign_id=sign_id))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("inventory.sign_detail", sign_id=sign_id, job=run_id))
    return render_template("inventory/sign_form.html", form=form, sign=sign,
                           correction_note=note)


def _sign_edit_form(user: auth.User, sign: dict[str, Any], correcting: bool) -> FlaskForm:
    """The full sign form, or the correction form while the wording is translated."""
    if correcting:
        return SignCorrectionForm(data={key: sign[key] for key in editing.CORRECTABLE_FIELDS})
    data = {k: sign[k] for k in editing.SIGN_FIELDS}
    data.update({f"{lang}_current": text for lang, text in sign["current_texts"].items()})
    data["languages"] = sign["language_list"]
    data["site_id"] = str(sign["site_id"])
    return _sign_form(user, data)


def _edited_values(form: FlaskForm) -> dict[str, Any]:
    if isinstance(form, SignCorrectionForm):
        return {"zh": form.zh.data, "location": form.location.data,
                "quantity": form.quantity.data or 1}
    return _sign_values(form)


@bp.route("/signs/<int:sign_id>/status", methods=["POST"])
@permission_required("inventory.view")
def sign_transition(sign_id: int):
    """Apply a status step (reject, resubmit, mark fabricated / installed)."""
    try:
        records.transition(get_db(), current_actor(), sign_id, request.form.get("action", ""),
                           request.form.get("reason"))
    except ValidationError as error:
        flash_error(error)
    else:
        flash(_("Status changed."), "success")
    return redirect(url_for("inventory.sign_detail", sign_id=sign_id))


@bp.route("/signs/<int:sign_id>/photos", methods=["POST"])
@permission_required("inventory.submit")
def photo_add(sign_id: int):
    """Attach a photo to a sign."""
    records.get_sign(get_db(), current_actor(), sign_id)  # 404 outside the county
    storage = request.files.get("photo")
    if storage is None or not storage.filename:
        flash(_("Choose a photo first."), "error")
    else:
        try:
            _upload_photo(sign_id, storage)
        except ValidationError as error:
            flash_error(error)
        except PermissionDenied as error:  # the sign's status says why
            flash(message_text(error.message), "warning")
        else:
            flash(_("Photo added."), "success")
    return redirect(url_for("inventory.sign_detail", sign_id=sign_id))


@bp.route("/photos/<int:photo_id>/delete", methods=["POST"])
@permission_required("inventory.submit")
def photo_delete(photo_id: int):
    """Remove a photo."""
    sign_id = photos.delete_photo(get_db(), current_actor(), photo_id,
                                  current_app.config["UPLOAD_DIR"])
    flash(_("Photo removed."), "success")
    return redirect(url_for("inventory.sign_detail", sign_id=sign_id))


@bp.route("/photos/<int:photo_id>")
@bp.route("/photos/<int:photo_id>/thumb", endpoint="photo_thumb",
          defaults={"thumbnail": True})
@permission_required("inventory.view")
def photo(photo_id: int, thumbnail: bool = False):
    """A stored photo (or its thumbnail), only for users who may see the sign."""
    path = photos.photo_file(get_db(), current_actor(), photo_id,
                             current_app.config["UPLOAD_DIR"], thumbnail)
    response = send_file(path, mimetype="image/jpeg", max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/signs/<int:sign_id>/use-photo-location/<int:photo_id>", methods=["POST"])
@permission_required("inventory.submit")
def use_photo_location(sign_id: int, photo_id: int):
    """Set the sign's site location from a photo's EXIF GPS."""
    db = get_db()
    user = current_actor()
    sign = records.get_sign(db, user, sign_id)
    chosen = next((p for p in sign["photos"] if p["id"] == photo_id), None)
    if chosen is None or chosen["exif_latitude"] is None:
        abort(404)
    records.set_site_location(db, user, sign["site_id"], chosen["exif_latitude"],
                              chosen["exif_longitude"])
    flash(_("The site's location was set from the photo."), "success")
    return redirect(url_for("inventory.sign_detail", sign_id=sign_id))


@bp.route("/template.<fmt>")
@permission_required("inventory.view")
def template(fmt: str):
    """Download the import template (CSV or XLSX) with bilingual headers."""
    if fmt == "csv":
        return Response(importer.template_csv(), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition":
                                 "attachment; filename=sign-inventory-template.csv"})
    if fmt == "xlsx":
        return Response(importer.template_xlsx(), mimetype=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            headers={"Content-Disposition":
                     "attachment; filename=sign-inventory-template.xlsx"})
    abort(404)


@bp.route("/import", methods=["GET", "POST"])
@permission_required("inventory.submit")
def import_upload():
    """Upload a spreadsheet (and photos): check it and show what would change."""
    user = current_actor()
    form = ImportForm()
    form.county_id.choices = select_choices(_county_choices(user, blank=True))
    report = problems = None
    token = None
    if form.validate_on_submit():
        try:
            data = read_upload(form.file.data, "MAX_IMPORT_BYTES")
            if data is None:
                flash(_("Choose a CSV or XLSX file."), "error")
            else:
                zip_data = read_upload(form.photos.data, "ZIP_MAX_UNCOMPRESSED_BYTES")
                report, token = pending.stage(
                    get_db(), user, data, form.file.data.filename,
                    county=form.county_id.data or None, photos_zip=zip_data,
                    upload_dir=current_app.config["UPLOAD_DIR"], settings=current_app.config)
        except ValidationError as error:
            problems = error
    return render_template("inventory/import.html", form=form, report=report,
                           problems=problems, token=token,
                           waiting=pending.list_pending(get_db(), user))


@bp.route("/import/confirm", methods=["POST"])
@permission_required("inventory.submit")
def import_confirm():
    """Write a checked import (all or nothing)."""
    user = current_actor()
    try:
        # Machine drafting of the new wording runs as a job; the sign list shows its progress.
        submitted = submit_signs(get_db(), user, CheckedImport(
            request.form.get("token", ""), current_app.config["UPLOAD_DIR"], current_app.config),
            settings=current_app.config)
    except (ValidationError, NotFound) as error:
        flash_error(error)
        return redirect(url_for("inventory.import_upload"))
    report = submitted.result
    flash(_("Imported: %(sites)s sites and %(created)s signs created, %(updated)s signs "
            "updated, %(unchanged)s unchanged.", sites=report.sites_created,
            created=report.signs_created, updated=report.signs_updated,
            unchanged=report.signs_unchanged), "success")
    return redirect(url_for("inventory.signs", sort="updated", job=submitted.run_id))


@bp.route("/import/discard", methods=["POST"])
@permission_required("inventory.submit")
def import_discard():
    """Give up a checked import that waits for confirmation."""
    try:
        pending.discard(get_db(), current_actor(), request.form.get("token", ""),
                        current_app.config["UPLOAD_DIR"])
    except NotFound as error:
        flash(message_text(error.message), "error")
    else:
        flash(_("The checked file was discarded."), "success")
    return redirect(url_for("inventory.import_upload"))


# ---------------------------------------------------------------------------
# Dashboard

@bp.route("/dashboard")
@permission_required("inventory.view")
def dashboard():
    """Progress per county and for the province."""
    user = current_actor()
    county_id = int_arg("county_id", minimum=1)
    data = dashboard_data.build(get_db(), user, county_id)
    report_counts = (report_queue.counts_per_county(get_db(), user, county_id)
                     if auth.can(user, "reports.view") else None)
    return render_template("inventory/dashboard.html", d=data, report_counts=report_counts,
                           report_statuses=REPORT_STATUSES,
                           county_choices=_county_choices(user, blank=True),
                           county_id=county_id, colours=dashboard_data.STATUS_COLOURS,
                           county_stages=COUNTY_PROGRESS,
                           statuses=records.STATUSES.codes, sectors=records.SECTORS.codes,
                           actions=records.ACTIONS.codes, functions=records.FUNCTIONS.codes,
                           languages=records.LANGUAGES)


def home_cards(db, user: auth.User) -> list[home.WaitingItem]:
    """The inventory's cards on the home page: signs sent back, to process, to fabricate…"""
    if not auth.can(user, "inventory.view"):
        return []
    from workbench.inventory.records import list_signs

    items = []
    if user.role == "officer":
        _rows, rejected = list_signs(db, user, {"status": "rejected"}, page_size=1)
        items.append(home.WaitingItem(_("Signs sent back to you"), rejected,
                                      url_for("inventory.signs", status="rejected"), "warning"))
        _rows, fabricated = list_signs(db, user, {"status": "fabricated"}, page_size=1)
        items.append(home.WaitingItem(_("Signs made, to mark installed"), fabricated,
                                      url_for("inventory.signs", status="fabricated")))
    if auth.can(user, "inventory.manage"):
        _rows, submitted = list_signs(db, user, {"status": "submitted"}, page_size=1)
        items.append(home.WaitingItem(_("Submitted signs to process"), submitted,
                                      url_for("inventory.signs", status="submitted")))
        _rows, approved = list_signs(db, user, {"status": "approved"}, page_size=1)
        items.append(home.WaitingItem(_("Approved signs to fabricate"), approved,
                                      url_for("inventory.signs", status="approved")))
    _rows, flagged = list_signs(db, user, {"has_flags": "1", "action": "correct"}, page_size=1)
    items.append(home.WaitingItem(_("Installed texts that need correcting"), flagged,
                                  url_for("inventory.signs", has_flags="1", action="correct"),
                                  "warning"))
    return items



# The site pages are routes of this blueprint, kept in their own module.
from workbench.web import inventory_sites  # noqa: E402,F401
