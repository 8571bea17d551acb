"""Drafting engines: which can run here, and a page to try drafts on a few sign texts."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from workbench.db import get_db
from workbench.errors import WorkbenchError
from workbench.mt import list_engines
from workbench.mt.base import DRAFT_PROFILES, PROFILE_SIGN
from workbench.mt.pipeline import draft_texts, resolve_engine_id, resolve_fallback_id
from workbench.mt.verify import flag_message
from workbench.vocabulary import DRAFT_PROFILES as PROFILE_LABELS
from workbench.web.i18n import translator
from workbench.web.security import permission_required

bp = Blueprint("engines", __name__, url_prefix="/engines")

MAX_LINES = 50
TARGETS = ("en", "ru", "ja", "ko")


@bp.route("/")
@permission_required("review.view")
def index():
    """The engines with their language pairs, and drafts for texts given in the query."""
    settings = dict(current_app.config)
    engines = list_engines(settings, include_unavailable=True)
    text = request.args.get("text", "")
    target = request.args.get("target", "en")
    if target not in TARGETS:
        target = "en"
    engine = request.args.get("engine") or None
    available = {e.id for e in engines if e.available}
    if engine not in available:
        engine = None
    profile = request.args.get("profile", PROFILE_SIGN)
    if profile not in DRAFT_PROFILES:
        profile = PROFILE_SIGN
    lines = [line.strip() for line in text.splitlines()][:MAX_LINES]
    drafts, error = [], None
    if any(lines):
        try:
            results = draft_texts(get_db(), lines, "zh", target, engine=engine,
                                  settings=settings, profile=profile)
        except WorkbenchError as failed:  # unavailable, or the model server did not answer
            error = failed.message
        else:
            drafts = [(line, draft, [flag_message(flag) for flag in draft.flags])
                      for line, draft in zip(lines, results, strict=True)]
    # What each profile uses now (after falling back from engines that cannot run).
    chosen = {name: (resolve_engine_id(None, settings, "zh", "en", name),
                     resolve_fallback_id(None, resolve_engine_id(None, settings, "zh", "en", name),
                                         settings, "zh", "en", name))
              for name in DRAFT_PROFILES}
    return render_template("engines/index.html", engines=engines, text=text, target=target,
                           engine=engine, drafts=drafts, error=error, targets=TARGETS,
                           profile=profile, profiles=PROFILE_LABELS.choices(translator()),
                           chosen=chosen,
                           configured=settings.get("MT_ENGINE") or "rules",
                           max_lines=MAX_LINES)
