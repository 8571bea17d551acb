"""The Jobs page: runs of background work, their progress, cancel, retry and their files.

Everyone sees the runs they started (and the kinds their role follows: staff
see exports, translators a document's drafting); staff and admins see all.
Every page that starts a job shows it with the ``jobs/_box.html`` macro, which
``static/jobs.js`` keeps up to date by polling :func:`status` until the run
ends (no inline script: CSP).
"""
from __future__ import annotations

from typing import Any

from flask import (Blueprint, current_app, flash, jsonify, redirect, render_template,
                   request, send_file, url_for)
from flask_babel import gettext as _

from workbench import jobs, plugins
from workbench.db import get_db, page_count, page_offset
from workbench.errors import ValidationError
from workbench.jobs import files
from workbench.rowtypes import JobRun
from workbench.vocabulary import JOB_STATES
from workbench.web.i18n import message_text, when
from workbench.web.params import page_arg
from workbench.web.security import current_actor, permission_required

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def run_title(run: dict[str, Any]) -> str:
    """What a run works on, in the interface language."""
    kind = plugins.job_kinds().get(run["kind"])
    return message_text(kind.describe(run["arguments"]) if kind else run["kind"])


def _plain_result(result: dict[str, Any] | None) -> dict[str, Any]:
    return {key: message_text(value) if not isinstance(value, (int, float, bool)) else value
            for key, value in (result or {}).items() if value is not None}


def status(run: JobRun) -> dict[str, Any]:
    """A run as the JSON the progress boxes poll (messages in the interface language)."""
    stale = jobs.is_stale(run, float(current_app.config["JOBS_STALE_SECONDS"]))
    result = run["result"] or {}
    has_file = run["state"] == "done" and bool(result.get("file"))
    return {
        "id": run["id"], "state": run["state"], "state_label": JOB_STATES.text(
            run["state"], _translator()),
        "active": run["active"], "done": run["progress_done"], "total": run["progress_total"],
        "percent": run["percent"], "message": message_text(run["progress_message"]),
        "summary": message_text(result.get("summary")), "error": message_text(run["error"]),
        "result": _plain_result(result), "stale": stale, "attempts": run["attempts"],
        "finished_at": when(run["finished_at"]) if run["finished_at"] else "",
        "file_name": (result.get("file_name") or result.get("file")) if has_file else None,
        "file_url": url_for("jobs.download", run_id=run["id"]) if has_file else None,
    }


def _translator() -> Any:
    from workbench.web.i18n import translator

    return translator()


def shown_arguments(run: dict[str, Any]) -> dict[str, Any]:
    """A run's arguments for its page, long lists (sign ids) shortened to their length."""
    return {key: (_("%(n)s items", n=len(value)) if isinstance(value, list) and len(value) > 20
                  else value) for key, value in run["arguments"].items()}


@bp.app_context_processor
def _job_helpers() -> dict[str, Any]:
    return {"job_status": status, "job_title": run_title, "job_arguments": shown_arguments,
            "job_may_manage": lambda run: jobs.may_manage(current_actor(), run)}


@bp.route("/")
@permission_required("jobs.view")
def index():
    """Runs the user may see, newest first, with filters by state and kind."""
    user = current_actor()
    state = request.args.get("state") or None
    state = state if state in JOB_STATES else None
    kind = request.args.get("kind") or None
    kind = kind if kind in plugins.job_kinds() else None
    mine = request.args.get("mine") == "1"
    page = page_arg()
    size = current_app.config["PAGE_SIZE"]
    db = get_db()
    runs, total = jobs.list_runs(db, user, state=state, kind=kind, mine=mine, limit=size,
                                 offset=page_offset(page, size))
    workers = jobs.live_workers(db, float(current_app.config["JOBS_STALE_SECONDS"]))
    return render_template(
        "jobs/index.html", runs=runs, total=total, page=page, pages=page_count(total, size),
        state=state, kind=kind, mine=mine, states=JOB_STATES, kinds=plugins.job_kinds(),
        workers=workers, immediate=bool(current_app.config.get("JOBS_IMMEDIATE")),
        args={k: v for k, v in (("state", state), ("kind", kind),
                                ("mine", "1" if mine else None)) if v})


@bp.route("/<int:run_id>")
@permission_required("jobs.view")
def detail(run_id: int):
    """One run: progress while it runs, then its result or error; cancel and retry."""
    run = jobs.visible_run(get_db(), current_actor(), run_id)
    return render_template("jobs/detail.html", run=run, states=JOB_STATES)


@bp.route("/<int:run_id>/status")
@permission_required("jobs.view")
def status_json(run_id: int):
    """How far the run is (JSON, polled by static/jobs.js)."""
    response = jsonify(status(jobs.visible_run(get_db(), current_actor(), run_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


def _back(run_id: int) -> Any:
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return redirect(target)
    return redirect(url_for("jobs.detail", run_id=run_id))


@bp.route("/<int:run_id>/cancel", methods=["POST"])
@permission_required("jobs.view")
def cancel(run_id: int):
    """Cancel a queued run, or stop a running one at its next progress report."""
    try:
        run = jobs.cancel(get_db(), current_actor(), run_id)
    except ValidationError as error:
        flash(message_text(error.message), "error")
    else:
        flash(_("Cancelled.") if run["state"] == "cancelled" else
              _("The job stops at its next progress report."), "info")
    return _back(run_id)


@bp.route("/<int:run_id>/retry", methods=["POST"])
@permission_required("jobs.view")
def retry(run_id: int):
    """Queue a failed, cancelled or interrupted run again."""
    try:
        jobs.retry(get_db(), current_actor(), run_id, current_app.config)
    except ValidationError as error:
        flash(message_text(error.message), "error")
    else:
        flash(_("The job is queued again."), "info")
    return _back(run_id)


@bp.route("/<int:run_id>/file")
@permission_required("jobs.view")
def download(run_id: int):
    """The file a finished run wrote (only for people who may see the run)."""
    path, run = files.result_file(get_db(), current_actor(), run_id, current_app.config)
    result = run["result"] or {}
    return send_file(path, as_attachment=True, download_name=result.get("file_name") or path.name,
                     mimetype=result.get("mimetype") or "application/octet-stream")

