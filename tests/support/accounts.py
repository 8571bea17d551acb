"""The test accounts: one user per role (and two officers of different counties), their
password, and signing a test client in with a real server-side session."""
from __future__ import annotations

from typing import Any

from workbench import auth, sessions

PASSWORD = "correct-horse-battery"

# username, role, county (Chinese name) — one signed-in client fixture each.
TEST_USERS = [
    ("admin", "admin", None),
    ("staff", "staff", None),
    ("reviewer", "reviewer", None),
    ("reviewer2", "reviewer", None),
    ("translator", "translator", None),
    ("officer", "officer", "海口市"),
    ("officer_sanya", "officer", "三亚市"),
]


def sign_in_session(test_client: Any, db: Any, user: auth.User) -> None:
    """Put a live server-side session of ``user`` into ``test_client``'s cookie."""
    from workbench.web.security import SESSION_TOKEN_KEY

    token = sessions.open_session(db, user.id)
    with test_client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session[SESSION_TOKEN_KEY] = token
