"""The inventory's site pages: list, create, show and edit the places where signs stand."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workbench import auth
from workbench.db import get_db
from workbench.errors import ValidationError
from workbench.inventory import records
from workbench.web.forms import select_choices, show_problems
from workbench.web.security import current_actor, permission_required
from workbench.web.params import int_arg
from workbench.web import inventory



@inventory.bp.route("/sites")
@permission_required("inventory.view")
def sites():
    """Sites with their sign counts."""
    user = current_actor()
    county_id = int_arg("county_id", minimum=1)
    rows = records.list_sites(get_db(), user, county_id=county_id,
                              sector=request.args.get("sector") or None,
                              q=request.args.get("q", "").strip() or None)
    return render_template("inventory/sites.html", sites=rows,
                           county_choices=inventory._county_choices(user, blank=True),
                           county_id=county_id, sectors=records.SECTORS.codes,
                           sector=request.args.get("sector", ""),
                           q=request.args.get("q", ""))


def _site_form(user: auth.User, data: dict[str, Any] | None = None) -> inventory.SiteForm:
    form = inventory.SiteForm(data=data)
    form.county_id.choices = select_choices(inventory._county_choices(user))
    form.sector.choices = select_choices(inventory._choices(records.SECTORS))
    return form


def _site_values(form: inventory.SiteForm) -> dict[str, Any]:
    return {"county_id": form.county_id.data, "name_zh": form.name_zh.data,
            "name_en": form.name_en.data or "", "sector": form.sector.data,
            "address": form.address.data,
            "latitude": None if form.latitude.data is None else float(form.latitude.data),
            "longitude": None if form.longitude.data is None else float(form.longitude.data)}


@inventory.bp.route("/sites/new", methods=["GET", "POST"])
@permission_required("inventory.submit")
def site_new():
    """Create a site."""
    user = current_actor()
    form = _site_form(user, {"county_id": str(user.county_id or "")})
    if form.validate_on_submit():
        try:
            site_id = records.save_site(get_db(), user, _site_values(form))
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(_("Site created. Now add its signs."), "success")
            return redirect(url_for("inventory.site_detail", site_id=site_id))
    return render_template("inventory/site_form.html", form=form, site=None)


@inventory.bp.route("/sites/<int:site_id>")
@permission_required("inventory.view")
def site_detail(site_id: int):
    """A site and its signs."""
    db = get_db()
    user = current_actor()
    site = records.get_site(db, user, site_id)
    rows, total = records.list_signs(db, user, {"site_id": site_id}, sort="site",
                                     page_size=500)
    return render_template("inventory/site.html", site=site, rows=rows, total=total)


@inventory.bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@permission_required("inventory.submit")
def site_edit(site_id: int):
    """Edit a site."""
    db = get_db()
    user = current_actor()
    site = records.get_site(db, user, site_id)
    form = _site_form(user, dict(site, county_id=str(site["county_id"])))
    if form.validate_on_submit():
        try:
            records.save_site(db, user, _site_values(form), site_id)
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("inventory.site_detail", site_id=site_id))
    return render_template("inventory/site_form.html", form=form, site=site)
