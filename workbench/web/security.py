"""Login sessions, CSRF, role checks and security headers for every route."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, g, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect

from workbench import auth, sessions
from workbench.db import get_db, to_int

login_manager = LoginManager()
csrf = CSRFProtect()


class LoginUser(UserMixin):
    """Flask-Login's view of a domain :class:`workbench.auth.User`."""

    def __init__(self, user: auth.User) -> None:
        self.user = user

    def get_id(self) -> str:
        return str(self.user.id)

    @property
    def is_active(self) -> bool:
        return self.user.active

    def __getattr__(self, name: str) -> Any:
        return getattr(self.user, name)


# The session cookie's key for the token of the server-side session record.
SESSION_TOKEN_KEY = "_session_token"


@login_manager.user_loader
def _load_user(user_id: str) -> LoginUser | None:
    # Signed in only while the cookie's session token is live on the server:
    # signed out, revoked (generation bumped) or disabled sessions load nobody.
    # A remember-me cookie carries no token, so it never signs anyone in.
    number = to_int(user_id, minimum=1)
    if number is None:
        return None
    row = sessions.session_user_row(get_db(), number, session.get(SESSION_TOKEN_KEY))
    return LoginUser(auth.user_from_row(row)) if row else None


def start_session(user: auth.User) -> None:
    """Sign ``user`` in on this browser: a fresh cookie bound to a new server-side session."""
    session.clear()  # a fresh session on sign-in (no fixation)
    token = sessions.open_session(get_db(), user.id,  # type: ignore[arg-type]
                                  remote_addr=request.remote_addr,
                                  user_agent=request.headers.get("User-Agent"))
    login_user(LoginUser(user))
    session[SESSION_TOKEN_KEY] = token


def end_session() -> None:
    """Sign this browser out and end its server-side session, so a copy of the cookie is dead."""
    sessions.close_session(get_db(), session.get(SESSION_TOKEN_KEY))
    logout_user()
    session.clear()


def current_actor() -> auth.User:
    """The signed-in domain user (routes are login-protected before calling this)."""
    if not current_user.is_authenticated:
        abort(401)
    return current_user.user


def can(permission: str) -> bool:
    """Whether the signed-in user may do ``permission`` (for templates and views)."""
    return current_user.is_authenticated and auth.can(current_user.user, permission)


def permission_required(*permissions: str) -> Callable:
    """Route decorator: sign-in required, and the role must allow every permission."""
    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            for permission in permissions:
                auth.require(current_user.user, permission)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def login_required(view: Callable) -> Callable:
    """Route decorator: any signed-in user."""
    return permission_required()(view)


def public_access(view: Callable) -> Callable:
    """Route decorator: the page is meant for anyone, signed in or not (public reports).

    It only marks the view, so that the test that every route requires
    sign-in can tell a deliberate public page from a forgotten check.
    """
    view.public_access = True  # type: ignore[attr-defined]
    return view


def _security_headers(response: Any) -> Any:
    # Everything the app serves comes from itself: no CDN, no inline script.
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
        "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Any) -> None:
    """Install login management, CSRF protection and security headers."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # Translated when it is flashed, in the language the visitor reads.
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    app.after_request(_security_headers)

    @app.context_processor
    def _inject_security() -> dict[str, Any]:
        return {"can": can}

    @app.before_request
    def _remember_actor() -> None:
        g.actor = current_user.user if current_user.is_authenticated else None
