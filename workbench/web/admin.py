"""Administration: user accounts and the county list."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from workbench import auth, counties, sessions, throttle
from workbench.db import get_db
from workbench.errors import ValidationError
from workbench.web.forms import select_choices, show_problems
from workbench.vocabulary import COUNTY_KINDS, ROLES
from workbench.web.i18n import translator
from workbench.web.security import current_actor, permission_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _county_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(str(c["id"]), c["name_zh"]) for c in counties.list_counties(get_db())]


def _role_choices() -> list[tuple[str, str]]:
    """The roles by name, least privileged first (a new account starts as a county officer)."""
    return select_choices(ROLES.choices(translator()))


def _county_kind_choices() -> list[tuple[str, str]]:
    return select_choices(COUNTY_KINDS.choices(translator()))


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=_role_choices, default=ROLES.codes[0])
    county = SelectField(_l("County (officers only)"), choices=[])
    password = PasswordField(_l("Password (empty: generate one)"), validators=[Optional()])


class UserEditForm(FlaskForm):
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=_role_choices)
    county = SelectField(_l("County (officers only)"), choices=[])
    active = BooleanField(_l("Active"))
    new_password = PasswordField(_l("Set a new password"), validators=[Optional()])


class ButtonForm(FlaskForm):
    """A one-button form (only the CSRF token)."""


class CountyForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=40)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=80)])
    kind = SelectField(_l("Kind"), choices=_county_kind_choices, default="county")
    sort_order = IntegerField(_l("Order"), validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)


@bp.route("/users", methods=["GET", "POST"])
@permission_required("users.manage")
def users():
    """List users and create one."""
    db = get_db()
    form = UserForm()
    form.county.choices = select_choices(_county_choices())
    new_password = None
    if form.validate_on_submit():
        try:
            user, new_password = auth.create_user(
                db, current_actor(), form.username.data, form.role.data,
                county_id=int(form.county.data) if form.county.data else None,
                password=form.password.data or None, display_name=form.display_name.data or "")
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(_("User %(name)s created.", name=user.username), "success")
            if form.password.data:
                new_password = None
            form = UserForm(formdata=None)
            form.county.choices = select_choices(_county_choices())
    return render_template("admin/users.html", users=auth.list_users(db), form=form,
                           new_password=new_password)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission_required("users.manage")
def edit_user(user_id: int):
    """Change a user's role, county, name, active flag or password."""
    db = get_db()
    user = auth.get_user(db, user_id)
    if user is None:
        return render_template("errors/error.html", status=404, title=_("Not found"),
                               message=_("No such user.")), 404
    form = UserEditForm(data={"display_name": user.display_name, "role": user.role,
                              "county": str(user.county_id or ""), "active": user.active})
    form.county.choices = select_choices(_county_choices())
    if form.validate_on_submit():
        actor = current_actor()
        try:
            auth.update_user(db, actor, user_id, role=form.role.data,
                             county_id=int(form.county.data) if form.county.data else None,
                             display_name=form.display_name.data or "",
                             active=form.active.data)
            if form.new_password.data:
                auth.set_password(db, actor, user_id, form.new_password.data)
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_edit.html", user=user, form=form, button_form=ButtonForm(),
        sign_in=throttle.account_status(db, user.username,
                                        throttle.Policy.from_settings(current_app.config)),
        session_count=sessions.count_sessions(db, user_id))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@permission_required("users.manage")
def unlock_user(user_id: int):
    """Lift the sign-in back-off of an account after failed attempts."""
    if ButtonForm().validate_on_submit():
        auth.unlock_sign_in(get_db(), current_actor(), user_id)
        flash(_("Sign-in is unlocked: the failed attempts so far no longer count."), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.route("/users/<int:user_id>/sign-out", methods=["POST"])
@permission_required("users.manage")
def sign_out_user(user_id: int):
    """End every session of a user (e.g. a lost phone)."""
    if ButtonForm().validate_on_submit():
        auth.sign_out_everywhere(get_db(), current_actor(), user_id)
        flash(_("The user is signed out on every browser and device."), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.route("/counties", methods=["GET", "POST"])
@permission_required("counties.manage")
def county_list():
    """The county list, and a form to add one."""
    db = get_db()
    form = CountyForm()
    if form.validate_on_submit():
        try:
            counties.save_county(db, current_actor(), {
                "code": form.code.data, "name_zh": form.name_zh.data,
                "name_en": form.name_en.data, "kind": form.kind.data or "county",
                "sort_order": form.sort_order.data, "active": int(form.active.data)})
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.county_list"))
    return render_template("admin/counties.html", counties=counties.list_counties(db), form=form)


@bp.route("/counties/<int:county_id>", methods=["GET", "POST"])
@permission_required("counties.manage")
def edit_county(county_id: int):
    """Edit one county."""
    db = get_db()
    county = counties.get_county(db, county_id)
    form = CountyForm(data=county)
    if form.validate_on_submit():
        try:
            counties.save_county(db, current_actor(), {
                "code": form.code.data, "name_zh": form.name_zh.data,
                "name_en": form.name_en.data, "kind": form.kind.data or "county",
                "sort_order": form.sort_order.data or county["sort_order"],
                "active": int(form.active.data)}, county_id)
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.county_list"))
    return render_template("admin/county_edit.html", county=county, form=form)
