"""What a password and a username must be. No Flask here.

Passwords: at least :data:`PASSWORD_MIN_LENGTH` characters, not blank, not one
character or one short pattern repeated, and not a common password (the list
shipped in ``workbench/data/common-passwords.txt.gz``; a password is also
refused when its letters, stripped of leading and trailing digits and symbols,
are on the list: ``password2024!`` is as weak as ``password``).

Usernames: NFKC-normalized (full-width ``ａｄｍｉｎ`` is ``admin``), letters of
one script (a Cyrillic ``а`` among Latin letters is a look-alike attack),
digits, ``.``, ``_`` and ``-``, and never starting like a spreadsheet formula
(``=``, ``+``, ``-``, ``@``), since usernames end up in exported sheets and the
audit history.
"""
from __future__ import annotations

import gzip
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from confusable_homoglyphs import categories, confusables

from workbench.errors import ValidationError
from workbench.messages import Message, msg

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024  # hashing a megabyte of "password" is a denial of service
USERNAME_MAX_LENGTH = 64
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"

FORMULA_PREFIXES = ("=", "+", "-", "@")
USERNAME_PUNCTUATION = frozenset("._-")
# Scripts whose letters look like no Latin letter: they may stand beside Latin
# ones (Japanese names mix Han and kana, a few people write wang王).
CJK_SCRIPTS = frozenset({"HAN", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO"})


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-case."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def _repeats_a_short_pattern(text: str) -> bool:
    """True for ``aaaaaaaaaaaa``, ``abcabcabcabc``, ``121212121212``: one unit of ≤ 4 repeated."""
    for size in range(1, 5):
        unit = text[:size]
        if len(text) % size == 0 and unit * (len(text) // size) == text:
            return True
    return False


def _core_word(text: str) -> str:
    """The password without leading and trailing digits and symbols (``!Summer2024`` → summer)."""
    start, end = 0, len(text)
    while start < end and not text[start].isalpha():
        start += 1
    while end > start and not text[end - 1].isalpha():
        end -= 1
    return text[start:end]


def password_problem(password: str, username: str | None = None) -> Message | None:
    """Why the password cannot be used (a message), or None when it is acceptable."""
    if not password or not password.strip():
        return msg("The password cannot be empty or only spaces.")
    if len(password) < PASSWORD_MIN_LENGTH:
        return msg("The password must have at least %(n)s characters.", n=PASSWORD_MIN_LENGTH)
    if len(password) > PASSWORD_MAX_LENGTH:
        return msg("The password must have at most %(n)s characters.", n=PASSWORD_MAX_LENGTH)
    folded = unicodedata.normalize("NFKC", password).casefold()
    if _repeats_a_short_pattern(folded) or len(set(folded)) < 4:
        return msg("The password repeats the same few characters; choose a less regular one.")
    listed = common_passwords()
    if folded in listed or _core_word(folded) in listed:
        return msg("This password is on the list of commonly used passwords; choose another.")
    if username and len(username) >= 4 and username.casefold() in folded:
        return msg("The password must not contain the username.")
    return None


def check_password(password: str, username: str | None = None) -> None:
    """Raise ValidationError (column ``password``) unless the password is acceptable."""
    problem = password_problem(password, username)
    if problem is not None:
        raise ValidationError.single(problem, column="password")


def normalize_username(username: str) -> str:
    """The canonical form of a username: NFKC-normalized, surrounding space removed.

    Sign-in uses it too, so ``ａｄｍｉｎ`` typed on a full-width keyboard finds ``admin``.
    """
    return unicodedata.normalize("NFKC", username or "").strip()


def _letter_scripts(username: str) -> set[str]:
    return {script for script in categories.unique_aliases(username) if script != "COMMON"}


def username_problem(username: str) -> Message | None:
    """Why a (normalized) username cannot be used, or None."""
    if not username or len(username) > USERNAME_MAX_LENGTH:
        return msg("A username needs 1 to %(n)s characters.", n=USERNAME_MAX_LENGTH)
    if username.startswith(FORMULA_PREFIXES):
        return msg("A username cannot start with %(chars)s (spreadsheets would read it as a "
                   "formula).", chars=" ".join(FORMULA_PREFIXES))
    for char in username:
        category = unicodedata.category(char)
        if not (category[0] in "LMN" or char in USERNAME_PUNCTUATION):
            return msg("A username may only hold letters, digits, '.', '_' and '-' "
                       "(not %(char)s).", char=repr(char))
    scripts = _letter_scripts(username)
    if len(scripts - CJK_SCRIPTS) > 1:
        return msg("A username cannot mix letters of different alphabets (%(scripts)s): "
                   "they can look alike.", scripts=", ".join(sorted(scripts)))
    return None


def check_username(username: str) -> str:
    """The normalized username; ValidationError (column ``username``) when it is not allowed."""
    normalized = normalize_username(username)
    problem = username_problem(normalized)
    if problem is not None:
        raise ValidationError.single(problem, column="username", value=username)
    return normalized


def skeleton(username: str) -> str:
    """The username with every letter that looks like a Latin one replaced by it, case-folded.

    Two usernames with the same skeleton look the same on screen (``сосо`` in
    Cyrillic and ``coco``); a new user whose skeleton is taken is refused.
    """
    replacements: dict[str, str] = {}
    for found in confusables.is_confusable(username, greedy=True,
                                           preferred_aliases=["latin"]) or []:
        latin = next((glyph["c"] for glyph in found["homoglyphs"]
                      if glyph["n"].startswith("LATIN") and len(glyph["c"]) == 1), None)
        if latin is not None:
            replacements[found["character"]] = latin
    return "".join(replacements.get(char, char) for char in username).casefold()


def look_alike(username: str, existing: Iterable[str]) -> str | None:
    """The first of ``existing`` that looks like ``username`` (same skeleton), or None."""
    wanted = skeleton(username)
    return next((name for name in existing if skeleton(name) == wanted), None)
