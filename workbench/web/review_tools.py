"""The sign editor's helpers and the translators' batch actions (under ``/review``).

* ``/review/units/<id>/check``: QA of the text being typed (JSON, debounced by
  ``static/review.js``), the same checks as on saving;
* ``/review/concordance``: where words were translated before (memory and
  approved units), as a page or as a fragment for the editor;
* ``/review/bulk/submit`` and ``/review/bulk/accept``: send ticked units to
  review, accept ticked machine drafts as translations.

Views call :mod:`workbench.review` and render; they hold no SQL.
"""
from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from workbench.db import get_db
from workbench.review import bulk, concordance, workflow
from workbench.review import qa as review_qa
from workbench.review import queue as review_queue
from workbench.vocabulary import CONCORDANCE_ORIGINS
from workbench.web.i18n import message_text, severity_label, translator
from workbench.web.params import unit_versions
from workbench.web.security import current_actor, permission_required

bp = Blueprint("review_tools", __name__, url_prefix="/review")

SHOWN_REFUSALS = 20  # refused units listed in a flash after a batch action


@bp.route("/units/<int:unit_id>/check", methods=["POST"])
@permission_required("review.view")
def check(unit_id: int):
    """QA findings for the wording being typed in the editor (JSON)."""
    unit = workflow.get_unit(get_db(), unit_id)
    text = " ".join(request.form.get("text", "").split())[:workflow.MAX_SEGMENT_LENGTH]
    findings = review_qa.run_qa(get_db(), unit, text) if text else []
    return jsonify({"findings": [dict(f.to_dict(translator()),
                                      severity_label=severity_label(f.severity))
                                 for f in findings],
                    "errors": sum(f.severity == "error" for f in findings)})


@bp.route("/concordance")
@permission_required("review.view")
def concordance_search():
    """Earlier translations containing the words searched for (page, or ``fragment=1``)."""
    query = request.args.get("q", "").strip()
    source_lang = request.args.get("source", "zh")[:10] or "zh"
    target_lang = request.args.get("lang", "en")[:10] or "en"
    hits = concordance.search(get_db(), query, source_lang, target_lang) if query else []
    template = ("review/_concordance.html" if request.args.get("fragment") == "1"
                else "review/concordance.html")
    return render_template(template, hits=hits, query=query, target_lang=target_lang,
                           source_lang=source_lang, origins=CONCORDANCE_ORIGINS)


def _after_batch(result: bulk.BulkResult, done_message: str) -> Any:
    if result.done:
        flash(done_message, "success")
    if result.refused:
        lines = [ngettext("Not done: %(num)s unit.", "Not done: %(num)s units.",
                          len(result.refused))]
        lines += [f"#{unit_id}: {message_text(reason)}"
                  for unit_id, reason in result.refused[:SHOWN_REFUSALS]]
        flash("\n".join(lines), "warning")
    filters = review_queue.QueueFilters.from_args(request.args)
    return redirect(url_for("review.queue", **filters.as_args()))


def _ticked() -> list[tuple[int, int]] | None:
    items = unit_versions(request.form.getlist("unit"))
    if not items:
        flash(_("Tick the units first."), "warning")
    return items or None


@bp.route("/bulk/submit", methods=["POST"])
@permission_required("review.translate")
def bulk_submit():
    """Send the ticked units to review (machine drafts are accepted first)."""
    items = _ticked()
    if items is None:
        return _after_batch(bulk.BulkResult(), "")
    result = bulk.submit(get_db(), current_actor(), items, current_app.config,
                         qa_confirmed=bool(request.form.get("qa_confirmed")))
    return _after_batch(result, ngettext("Sent %(num)s unit to review.",
                                         "Sent %(num)s units to review.", len(result.done)))


@bp.route("/bulk/accept", methods=["POST"])
@permission_required("review.translate")
def bulk_accept():
    """Accept the ticked machine drafts as translations (the translator becomes their author)."""
    items = _ticked()
    if items is None:
        return _after_batch(bulk.BulkResult(), "")
    result = bulk.accept_drafts(get_db(), current_actor(), items, current_app.config)
    return _after_batch(result, ngettext("Accepted %(num)s machine draft as translation.",
                                         "Accepted %(num)s machine drafts as translations.",
                                         len(result.done)))
