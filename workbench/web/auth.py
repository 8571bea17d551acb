"""Sign in, sign out, change one's own password, choose the interface language."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from workbench import auth
from workbench.db import get_db
from workbench.errors import TooManyAttempts, ValidationError
from workbench.web.security import LoginUser, current_actor, login_required

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


class LocaleForm(FlaskForm):
    locale = SelectField(choices=[("zh", "中文"), ("en", "English")])


def _safe_next(target: str | None) -> str:
    # Only local paths: never redirect to another site after login.
    if target and not urlsplit(target).netloc and target.startswith("/") \
            and not target.startswith("//"):
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; rate-limited per username and address."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = auth.authenticate(
                get_db(), form.username.data.strip(), form.password.data,
                remote_addr=request.remote_addr,
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                window_seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
        except TooManyAttempts as error:
            flash(_("Too many failed sign-in attempts. Wait a while and try again, "
                    "or ask an administrator to reset your password."), "error")
            current_app.logger.warning("Login rate limit: %s", error)
            status = 429
        else:
            if user is None:
                flash(_("Wrong username or password."), "error")
                status = 401
            else:
                session.clear()  # a fresh session on sign-in (no fixation)
                login_user(LoginUser(user))
                return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (POST with CSRF token, so a link on another site cannot sign you out)."""
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password."""
    form = PasswordForm()
    if form.validate_on_submit():
        actor = current_actor()
        try:
            auth.set_password(get_db(), actor, actor.id, form.new_password.data,
                              current_password=form.current_password.data)
        except ValidationError as error:
            form.current_password.errors.append(str(error.problems[0].reason))
        else:
            flash(_("Your password was changed."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/locale", methods=["POST"])
def set_locale():
    """Choose the interface language; saved on the user when signed in."""
    form = LocaleForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            actor = current_actor()
            auth.update_user(get_db(), actor, actor.id, locale=form.locale.data)
    return redirect(_safe_next(request.form.get("next") or request.referrer and
                               urlsplit(request.referrer).path))
