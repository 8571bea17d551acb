"""Submitting signs: the one way signs enter the inventory and get their wording drafted.

Signs come from five places: the sign form, a phone survey batch, an inventory
file (the CLI), a checked import confirmed on the web, and the demo loader.
Each is a *source* (a small dataclass here whose ``write`` stores the signs with
the domain function made for it: :func:`records.create_sign`,
:func:`survey.confirm_batch`, :func:`importer.import_inventory`,
:func:`pending.confirm`, :func:`demo.load_demo`), and :func:`submit_signs` does
the rest the same way for all of them: the machine drafting of the new
translation units is queued as the ``inventory.draft`` job (``drafting="job"``:
web pages, the CLI's ``--background``), run here as a recorded run of that job
(``"here"``: the CLI in the foreground), run in this connection without a run
(``"inline"``: the demo seed of ``workbench init``) or left for later (``"none"``:
``--no-draft``, a dry run). A source that wrote nothing drafts nothing.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from sqlite_utils import Database

from workbench import auth

Drafting = Literal["job", "here", "inline", "none"]
DRAFT_KIND = "inventory.draft"


class SignSource(Protocol):
    """Where submitted signs come from: ``write`` stores them and returns their ids (the
    signs created or changed) with what the storing function reported."""

    def write(self, db: Database, actor: auth.User) -> tuple[list[int], Any]:
        """Store the signs; (their ids, the storing function's own result)."""
        ...


@dataclass
class Submission:
    """What :func:`submit_signs` did: the signs written, the drafting job queued (None when
    there was nothing to draft or it ran here), the units drafted here, and the source's
    own result (an import report, the sign id …)."""

    sign_ids: list[int]
    result: Any = None
    run_id: int | None = None
    drafted: int | None = None


def submit_signs(db: Database, actor: auth.User, source: SignSource, *,
                 settings: Mapping[str, Any], drafting: Drafting = "job",
                 progress: Callable[..., None] | None = None) -> Submission:
    """Store the signs of ``source`` and have their new translation units machine-drafted.

    ``drafting`` (see the module's text): "job", "here", "inline" or "none";
    ``progress(done, total)`` follows drafting done here.
    """
    from workbench import jobs
    from workbench.review import units

    sign_ids, result = source.write(db, actor)
    submission = Submission(sign_ids, result)
    if not sign_ids or drafting == "none":
        return submission
    if drafting == "job":
        submission.run_id = units.start_drafting(db, actor, sign_ids, dict(settings))
    elif drafting == "here":
        run = jobs.run_now(db, actor, DRAFT_KIND, {"sign_ids": sign_ids}, settings=settings,
                           echo=progress)
        submission.drafted = int((run.get("result") or {}).get("drafted") or 0)
    else:
        submission.drafted = units.draft_units_of_signs(db, actor, sign_ids,
                                                        settings=dict(settings),
                                                        progress=progress)
    return submission


@dataclass
class NewSign:
    """One sign from the sign form, with its checked photo (and what OCR read on it);
    ``use_photo_location`` moves the site to the photo's GPS position."""

    site_id: int
    values: dict[str, Any]
    photo: Any = None
    photo_ocr: dict[str, Any] | None = None
    upload_dir: str | None = None
    use_photo_location: bool = False

    def write(self, db: Database, actor: auth.User) -> tuple[list[int], int]:
        """Create the sign (and place its site); ([sign id], sign id)."""
        from workbench.inventory import records

        sign_id = records.create_sign(db, actor, self.site_id, self.values, photo=self.photo,
                                      photo_ocr=self.photo_ocr, upload_dir=self.upload_dir)
        photo = self.photo
        if self.use_photo_location and photo is not None and photo.latitude is not None:
            records.set_site_location(db, actor, self.site_id, photo.latitude, photo.longitude)
        return [sign_id], sign_id


@dataclass
class SurveySigns:
    """The signs an officer kept from a phone survey batch (``survey.confirm_batch``)."""

    batch_id: int
    signs: list[Any]
    new_sites: dict[str, dict[str, Any]]
    upload_dir: str | Path

    def write(self, db: Database, actor: auth.User) -> tuple[list[int], list[int]]:
        """Create the batch's sites, signs and photos; (sign ids, sign ids)."""
        from workbench.inventory.survey import confirm_batch

        sign_ids = confirm_batch(db, actor, self.batch_id, self.signs, self.new_sites,
                                 upload_dir=self.upload_dir)
        return sign_ids, sign_ids


@dataclass
class InventoryFile:
    """A CSV/XLSX inventory (and its photos ZIP) imported at once (the CLI)."""

    data: bytes
    file_name: str
    options: dict[str, Any] = field(default_factory=dict)  # import_inventory's keywords

    def write(self, db: Database, actor: auth.User) -> tuple[list[int], Any]:
        """Import the file (nothing on a dry run); (signs created or updated, the report)."""
        from workbench.inventory.importer import import_inventory

        report = import_inventory(db, actor, self.data, self.file_name, **self.options)
        if self.options.get("dry_run"):
            return [], report
        return report.created_ids + report.updated_ids, report


@dataclass
class CheckedImport:
    """An inventory file checked earlier and confirmed now (the web import's token)."""

    token: str
    upload_dir: str | Path
    settings: Mapping[str, Any]

    def write(self, db: Database, actor: auth.User) -> tuple[list[int], Any]:
        """Import the pending file for real; (signs created or updated, the report)."""
        from workbench.inventory import pending

        report = pending.confirm(db, actor, self.token, upload_dir=self.upload_dir,
                                 settings=self.settings)
        return report.created_ids + report.updated_ids, report


@dataclass
class DemoInventory:
    """The demo sites and signs that are not there yet."""

    def write(self, db: Database, actor: auth.User) -> tuple[list[int], tuple[int, int]]:
        """Add them; (new sign ids, (sites added, signs added))."""
        from workbench.inventory.demo import add_demo

        sites, sign_ids = add_demo(db, actor)
        return sign_ids, (sites, len(sign_ids))
