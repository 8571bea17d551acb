"""Sign in, sign out, change one's own password, choose the interface language."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length
from werkzeug.exceptions import HTTPException

from workbench import auth, sessions
from workbench.db import get_db
from workbench.errors import TooManyAttempts, ValidationError
from workbench.web.forms import select_choices
from workbench.web.i18n import message_text
from workbench.web.security import current_actor, end_session, login_required, start_session

bp = Blueprint("auth", __name__, url_prefix="/auth")


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=auth.PASSWORD_MIN_LENGTH)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The passwords do not match."))])


class SignOutEverywhereForm(FlaskForm):
    """A button (the form only carries the CSRF token)."""


class LocaleForm(FlaskForm):
    locale = SelectField(choices=select_choices([("zh", "中文"), ("en", "English")]))


def _own_id(actor: auth.User) -> int:
    """The signed-in user's id (only the system actor has none, and it never signs in)."""
    if actor.id is None:
        abort(401)
    return actor.id


def _safe_next(target: str | None) -> str:
    # Only local paths: never redirect to another site after login.
    if target and not urlsplit(target).netloc and target.startswith("/") \
            and not target.startswith("//"):
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; throttled per account and per address (workbench.throttle)."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = auth.authenticate(get_db(), form.username.data, form.password.data,
                                     remote_addr=request.remote_addr,
                                     settings=current_app.config)
        except TooManyAttempts as error:
            flash(message_text(error.message), "error")
            current_app.logger.warning("Sign-in throttled for %r from %s",
                                       form.username.data, request.remote_addr)
            status = 429
            headers["Retry-After"] = str(error.retry_after or 1)
        else:
            if user is None:
                flash(_("Wrong username or password."), "error")
                status = 401
            else:
                start_session(user)
                return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), status, headers


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (POST with CSRF token, so a link on another site cannot sign you out).

    The server forgets this session, so a copy of the cookie no longer works.
    """
    end_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """The user's own account page: change the password, sign out everywhere."""
    form = PasswordForm()
    actor = current_actor()
    if form.validate_on_submit():
        try:
            auth.set_password(get_db(), actor, _own_id(actor), form.new_password.data,
                              current_password=form.current_password.data)
        except ValidationError as error:
            for problem in error.problems:
                target = (form.current_password if problem.column == "current_password"
                          else form.new_password)
                target.errors = list(target.errors) + [message_text(problem.reason)]
        else:
            # Every session ended with the change; this browser gets a new one.
            start_session(actor)
            flash(_("Your password was changed. You were signed out everywhere else."),
                  "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form,
                           sign_out_form=SignOutEverywhereForm(),
                           session_count=sessions.count_sessions(get_db(), _own_id(actor)))


@bp.route("/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    """End every session of the signed-in user, this one included."""
    if SignOutEverywhereForm().validate_on_submit():
        actor = current_actor()
        auth.sign_out_everywhere(get_db(), actor, _own_id(actor))
        end_session()
        flash(_("You are signed out on every browser and device."), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.password"))


@bp.route("/locale", methods=["POST"])
def set_locale():
    """Choose the interface language; saved on the user when signed in."""
    form = LocaleForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            actor = current_actor()
            auth.update_user(get_db(), actor, _own_id(actor), locale=form.locale.data)
    return redirect(_page_to_return_to(request.form.get("next"), request.referrer))


def _page_to_return_to(wanted: str | None, referrer: str | None) -> str:
    """Where to go after switching language: the page shown, if it can be shown again.

    A page rendered by a POST (a form with errors, say) may live at an address that only
    takes POST; going back there would answer "Method Not Allowed". Then the page the
    form was on (the referrer) is shown, else the home page.
    """
    for candidate in (wanted, referrer and _local_part(referrer)):
        target = _safe_next(candidate)
        if candidate and target == candidate and _answers_get(target):
            return target
    return url_for("home.index")


def _local_part(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _answers_get(target: str) -> bool:
    """Whether the app has a page at ``target`` that a GET may fetch."""
    parts = urlsplit(target)
    try:
        current_app.url_map.bind("localhost").match(parts.path, method="GET",
                                                    query_args=parts.query)
    except HTTPException:
        return False
    return True
