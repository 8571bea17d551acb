"""Field survey pages: read a sign photo (OCR, JSON for the new-sign form), live QA of
typed texts, and survey batches (many photos → proposed signs → review → confirm).

Views call :mod:`workbench.ocr` and :mod:`workbench.inventory.survey` and render;
county isolation is done by the domain (another county's batch answers 404).
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _

from workbench import auth, counties, images, jobs
from workbench.db import get_db
from workbench.errors import ValidationError, WorkbenchError
from workbench.inventory import records
from workbench.inventory import survey as batches
from workbench.inventory.submission import SurveySigns, submit_signs
from workbench.ocr import read_opened
from workbench.web.i18n import message_text, translator
from workbench.web.security import current_actor, permission_required

bp = Blueprint("survey", __name__, url_prefix="/inventory/survey")

FOREIGN = ("en", "ru", "ja", "ko")
_CACHE_SIZE = 64
_cache: OrderedDict[tuple[int | None, str], dict[str, Any]] = OrderedDict()
_cache_lock = threading.Lock()


def remember_ocr(user: auth.User, sha256: str, result: dict[str, Any]) -> None:
    """Keep a photo's OCR result for a while, so saving the form does not read it again."""
    with _cache_lock:
        _cache[(user.id, sha256)] = result
        _cache.move_to_end((user.id, sha256))
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def recall_ocr(user: auth.User, sha256: str) -> dict[str, Any] | None:
    """The OCR result of a photo this user had read, if still kept."""
    with _cache_lock:
        return _cache.get((user.id, sha256))


def _problem_text(error: ValidationError) -> str:
    return "; ".join(message_text(problem.reason) for problem in error.problems) or \
        message_text(error.message)


def findings_json(zh: str, function: str | None, texts: dict[str, str]) -> list[dict[str, Any]]:
    """QA findings on typed or recognized foreign texts, rendered for the page."""
    found = records.installed_text_findings(get_db(), zh or "", function or "", "new", "en",
                                            {lang: text for lang, text in texts.items() if text})
    return [{"lang": f["lang"], "check": f["check_id"], "severity": f["severity"],
             "message": message_text(f["message"]), "suggestion": f["suggestion"] or "",
             "start": f["start_pos"], "end": f["end_pos"]} for f in found]


@bp.url_value_preprocessor
def _batch_upload_limit(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # A phone's batch is larger than any other upload: it gets its own bound. This runs
    # before the CSRF check reads the form (URL value preprocessors come first).
    if endpoint == "survey.index" and request.method == "POST":
        request.max_content_length = current_app.config["SURVEY_MAX_UPLOAD_BYTES"]


@bp.route("/ocr", methods=["POST"])
@permission_required("inventory.submit")
def read_photo():
    """Read one photo: the recognized lines and texts, questions, GPS and QA, as JSON."""
    storage = request.files.get("photo")
    if storage is None or not storage.filename:
        return jsonify(error=_("Choose a photo first.")), 400
    limit = current_app.config["MAX_PHOTO_BYTES"]
    data = storage.read(limit + 1)
    try:
        opened = images.open_photo(data, storage.filename, limit)
        result = read_opened(opened.image, current_app.config)
    except ValidationError as error:
        return jsonify(error=_problem_text(error)), 400
    except WorkbenchError as error:
        return jsonify(error=message_text(error.message)), error.http_status
    user = current_actor()
    remember_ocr(user, hashlib.sha256(data).hexdigest(), result.to_dict())
    payload = result.to_dict(translator())
    payload["gps"] = ([opened.latitude, opened.longitude] if opened.latitude is not None
                      else None)
    payload["taken_at"] = opened.taken_at
    payload["findings"] = findings_json(result.zh, request.form.get("function"),
                                        result.foreign)
    return jsonify(payload)


@bp.route("/qa", methods=["POST"])
@permission_required("inventory.submit")
def qa_preview():
    """QA findings on the texts typed in the form so far (before the sign is saved)."""
    texts = {lang: request.form.get(f"{lang}_current", "").strip() for lang in FOREIGN}
    return jsonify(findings=findings_json(request.form.get("zh", "").strip(),
                                          request.form.get("function"), texts))


# ---------------------------------------------------------------------------
# Batches

def _county_choices(user: auth.User) -> list[tuple[str, str]]:
    scope = auth.county_scope(user)
    return [(str(c["id"]), c["name_zh"]) for c in counties.list_counties(
        get_db(), include_inactive=False) if scope is None or c["id"] == scope]


@bp.route("/", methods=["GET", "POST"])
@permission_required("inventory.submit")
def index():
    """Upload a batch of photos (files or a ZIP); list the batches still open."""
    user = current_actor()
    choices = _county_choices(user)
    problems = None
    if request.method == "POST":
        county = request.form.get("county_id") or (str(user.county_id or ""))
        files = [(f.filename, f.read(current_app.config["SURVEY_MAX_UPLOAD_BYTES"] + 1))
                 for f in request.files.getlist("photos") if f and f.filename]
        try:
            if not county.isdigit():
                raise ValidationError.single(_("Choose a county."))
            batch_id = batches.create_batch(
                get_db(), user, int(county), files,
                upload_dir=current_app.config["UPLOAD_DIR"],
                limits=batches.UploadLimits.from_settings(current_app.config))
        except ValidationError as error:
            problems = error
        else:
            _start_reading(batch_id, int(county))
            return redirect(url_for("survey.batch", batch_id=batch_id))
    return render_template("survey/index.html", county_choices=choices, problems=problems,
                           open_batches=batches.list_batches(get_db(), user),
                           max_photos=current_app.config["SURVEY_MAX_PHOTOS"])


def _new_site_fields(proposal: batches.Proposal) -> dict[str, dict[str, Any]]:
    return {site.key: {"name_zh": request.form.get(f"newsite-{site.key}-name", "").strip(),
                       "sector": request.form.get(f"newsite-{site.key}-sector", ""),
                       "address": request.form.get(f"newsite-{site.key}-address", "").strip(),
                       "latitude": site.latitude, "longitude": site.longitude}
            for site in proposal.new_sites}


def _confirmed_signs(proposal: batches.Proposal) -> list[batches.ConfirmedSign]:
    """The review form as signs: kept photos, merged photos joined to their sign."""
    signs: dict[int, batches.ConfirmedSign] = {}
    for item in proposal.signs:
        photo_id = item.photo["id"]
        if not request.form.get(f"keep-{photo_id}"):
            continue
        target = request.form.get(f"merge-{photo_id}", "")
        if target.isdigit() and int(target) in signs:
            signs[int(target)].photo_ids.append(photo_id)
            continue
        values = {field: request.form.get(f"{field}-{photo_id}", "").strip()
                  for field in ("zh", "function", "action", "location")}
        values.update({f"{lang}_current": request.form.get(f"{lang}-{photo_id}", "").strip()
                       for lang in FOREIGN})
        values["languages"] = "en"
        signs[photo_id] = batches.ConfirmedSign([photo_id], values,
                                                request.form.get(f"site-{photo_id}", ""))
    return list(signs.values())


READ_KIND = "survey.read"


def _start_reading(batch_id: int, county_id: int) -> int:
    """Queue the OCR of a batch's photos (a job, resumable); returns the run's id."""
    return jobs.start(get_db(), current_actor(), READ_KIND, {"batch_id": batch_id},
                      settings=current_app.config, subject=("survey_batch", batch_id),
                      county_id=county_id, exclusive=True)


@bp.route("/<int:batch_id>", methods=["GET", "POST"])
@permission_required("inventory.submit")
def batch(batch_id: int):
    """Review a batch: texts, function, action, site, drop and merge; then confirm."""
    db = get_db()
    user = current_actor()
    radius = float(current_app.config["SURVEY_SITE_RADIUS_M"])
    info = batches.get_batch(db, user, batch_id)
    if info["state"] == "reading":
        # OCR is a job for the worker: show its progress; the page reloads when it is done.
        run = jobs.latest_run(db, READ_KIND, "survey_batch", batch_id)
        if run is None or run["state"] in ("failed", "cancelled", "interrupted"):
            run = jobs.get_run(db, _start_reading(batch_id, info["county_id"]))
            info = batches.get_batch(db, user, batch_id)
        if info["state"] == "reading":
            return render_template("survey/reading.html", batch=info, run=run)
    if info["state"] != "review":
        flash(_("This batch is closed."), "info")
        return redirect(url_for("survey.index"))
    proposal = batches.propose(db, user, batch_id, radius)
    problems = None
    if request.method == "POST":
        try:
            # Machine drafting of their wording runs as a job; the sign list shows it.
            submitted = submit_signs(db, user, SurveySigns(
                batch_id, _confirmed_signs(proposal), _new_site_fields(proposal),
                current_app.config["UPLOAD_DIR"]), settings=current_app.config)
        except ValidationError as error:
            problems = error
        else:
            flash(_("%(n)s signs saved from the photos.", n=len(submitted.sign_ids)), "success")
            return redirect(url_for("inventory.signs", sort="updated", job=submitted.run_id))
    findings = {item.photo["id"]: findings_json(item.zh, None, item.foreign)
                for item in proposal.signs}
    return render_template("survey/batch.html", batch=info, proposal=proposal,
                           findings=findings, problems=problems, radius=radius,
                           summary=batches.summary(proposal), form=request.form,
                           functions=records.FUNCTIONS.codes, actions=records.ACTIONS.codes,
                           sectors=records.SECTORS.codes, posted=request.method == "POST")


@bp.route("/<int:batch_id>/discard", methods=["POST"])
@permission_required("inventory.submit")
def discard(batch_id: int):
    """Drop a batch and its photos."""
    try:
        batches.discard_batch(get_db(), current_actor(), batch_id,
                              current_app.config["UPLOAD_DIR"])
    except ValidationError as error:
        flash(message_text(error.message), "error")
    else:
        flash(_("The batch was discarded."), "success")
    return redirect(url_for("survey.index"))


@bp.route("/photos/<int:photo_id>")
@bp.route("/photos/<int:photo_id>/thumb", endpoint="photo_thumb",
          defaults={"thumbnail": True})
@permission_required("inventory.submit")
def photo(photo_id: int, thumbnail: bool = False):
    """A staged batch photo (or its thumbnail)."""
    path = batches.survey_photo_file(get_db(), current_actor(), photo_id,
                                     current_app.config["UPLOAD_DIR"], thumbnail)
    response = send_file(path, mimetype="image/jpeg", max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
