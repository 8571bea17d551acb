"""Who may change a sign, which of its fields, in which status — and why not, if not.

The one rule of sign editing (used by the sign pages, the photo functions and the
importer alike): :func:`editable_fields`. Staff, admins and an officer whose sign
is still *submitted* or *rejected* may change every field; while the wording is
translated and reviewed (*drafting*, *in review*) the officer may still correct
what they surveyed — the Chinese text, the location, the quantity, the photos —
until the wording is approved. A refusal is explained in terms of the sign's
status (:func:`edit_refusal`), never as a bare "forbidden" that blames the role.
"""
from __future__ import annotations

from typing import Any

from workbench import auth
from workbench.messages import Message, msg
from workbench.vocabulary import SIGN_STATUSES

SIGN_FIELDS = ("location", "function", "zh", "languages", "quantity", "size", "material",
               "action", "latitude", "longitude", "opt_out_reason")

# Statuses in which each role may edit every field of a sign (and re-import over it).
EDITABLE_STATUSES: dict[str, frozenset[str]] = {
    "officer": frozenset({"submitted", "rejected"}),
    "staff": frozenset({"submitted", "drafting", "in_review", "rejected"}),
    "admin": frozenset({"submitted", "drafting", "in_review", "rejected"}),
}
# While the wording is translated and reviewed, an officer may still correct what they
# surveyed — the Chinese text, the location, the quantity and the photos — until the
# wording is approved. A new Chinese text is drafted again
# (:func:`workbench.review.units.start_drafting`).
CORRECTABLE_STATUSES: dict[str, frozenset[str]] = {
    "officer": frozenset({"drafting", "in_review"}),
}
CORRECTABLE_FIELDS = frozenset({"zh", "location", "quantity"})

# Every field a full edit may change: the form's fields, the site and the installed texts.
ALL_EDIT_FIELDS = frozenset(SIGN_FIELDS) | {"site_id", "current_texts"}


def editable_fields(user: auth.User, sign: dict[str, Any]) -> frozenset[str]:
    """The fields of a sign the user may change in its current status (empty: none).

    The one rule of who edits a sign when: :data:`EDITABLE_STATUSES` (every
    field) and :data:`CORRECTABLE_STATUSES` (:data:`CORRECTABLE_FIELDS` only).
    """
    if not auth.can(user, "inventory.submit"):
        return frozenset()
    if sign["status"] in EDITABLE_STATUSES.get(user.role, frozenset()):
        return ALL_EDIT_FIELDS
    if sign["status"] in CORRECTABLE_STATUSES.get(user.role, frozenset()):
        return CORRECTABLE_FIELDS
    return frozenset()


def can_edit(user: auth.User, sign: dict[str, Any]) -> bool:
    """Whether the user may change anything of the sign in its current status."""
    return bool(editable_fields(user, sign))


def edit_refusal(user: auth.User, sign: dict[str, Any]) -> Message | None:
    """Why the user may not edit the sign now, said in terms of its status (None if they may)."""
    if can_edit(user, sign):
        return None
    if not auth.can(user, "inventory.submit"):
        return msg("Signs are submitted and corrected by county officers and the "
                   "foreign-affairs office.")
    status = sign["status"]
    if status == "approved":
        if auth.can(user, "inventory.manage"):
            return msg("The wording of this sign is approved. Send the sign back to its "
                       "county first if it has to change.")
        return msg("The wording of this sign is approved, so it can no longer be corrected "
                   "here. If something is wrong, ask the foreign-affairs office to send it "
                   "back to you.")
    if status in ("fabricated", "installed"):
        return msg("This sign is %(status)s: it can no longer be changed. If something is "
                   "wrong, report it to the foreign-affairs office.",
                   status=SIGN_STATUSES.label(status))
    return msg("A sign that is %(status)s cannot be changed now.",
               status=SIGN_STATUSES.label(status))


def correction_note(user: auth.User, sign: dict[str, Any]) -> Message | None:
    """What a user who may only correct a sign (not edit it all) may still change, or None."""
    fields = editable_fields(user, sign)
    if not fields or fields == ALL_EDIT_FIELDS:
        return None
    return msg("The wording of this sign is being translated (%(status)s). Until it is "
               "approved you can still correct the Chinese text, the location, the quantity "
               "and the photos; a new Chinese text is translated again.",
               status=SIGN_STATUSES.label(sign["status"]))


def can_change_photos(user: auth.User, sign: dict[str, Any]) -> bool:
    """Whether the user may add or remove the sign's photos.

    The sign-edit rule (:func:`editable_fields`): an officer while the sign is
    theirs to edit or correct. Staff and admins, who manage the inventory and its
    fabrication packages, may also document approved and installed signs.
    """
    return can_edit(user, sign) or auth.can(user, "inventory.manage")


def current_values(sign: dict[str, Any]) -> dict[str, Any]:
    """A stored sign as :func:`update_sign` takes its values (for editing a few fields)."""
    values = {key: sign[key] for key in SIGN_FIELDS}
    values.update({f"{lang}_current": text for lang, text in
                   (sign.get("current_texts") or {}).items()})
    values["site_id"] = sign["site_id"]
    return values
