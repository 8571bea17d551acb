"""The audit page (filterable) and the history of one record."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request


from workbench import audit
from workbench.db import get_db, page_count, page_offset
from workbench.web.security import permission_required
from workbench.web.params import page_arg

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@permission_required("audit.view")
def index():
    """Every audit event, newest first, filtered by record, actor, action and date."""
    db = get_db()
    page = page_arg()
    size = current_app.config["PAGE_SIZE"]
    filters = {k: request.args.get(k, "").strip() or None
               for k in ("entity_type", "entity_id", "actor", "action", "since", "until")}
    events, total = audit.search(db, **filters, limit=size, offset=page_offset(page, size))
    return render_template("audit/index.html", events=events, total=total, page=page,
                           pages=page_count(total, size), filters=filters,
                           query_args={k: v for k, v in filters.items() if v},
                           facets=audit.facets(db))


@bp.route("/verify")
@permission_required("audit.view")
def verify():
    """Check the hash chain now and show the result."""
    result = audit.verify(get_db())
    return render_template("audit/verify.html", result=result)


@bp.route("/<entity_type>/<entity_id>")
@permission_required("audit.view")
def record_history(entity_type: str, entity_id: str):
    """Every event about one record, oldest first."""
    events = audit.history(get_db(), entity_type, entity_id)
    return render_template("audit/history.html", events=events, entity_type=entity_type,
                           entity_id=entity_id)
