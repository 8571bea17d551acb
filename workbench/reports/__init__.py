"""Public error reports: anyone who sees a wrong sign reports it, the office follows it up.

* :mod:`~workbench.reports.intake` — :func:`submit_report`: limits, honeypot,
  checks, photo (checked, re-encoded, GPS used then stripped), tracking code;
* :mod:`~workbench.reports.triage` — :func:`triage_report`: OCR of the photo,
  matching to a sign (:mod:`~workbench.reports.matching`), QA, duplicates;
* :mod:`~workbench.reports.queue` — the office's list and decisions (confirm,
  reject, fix), per county;
* :mod:`~workbench.reports.public` — what the public pages may show;
* :mod:`~workbench.reports.export` — CSV for the office.

No Flask here: the public pages (``workbench.web.public``), the office's pages
(``workbench.web.reports``), the partner API (``workbench.api``) and the CLI
call these functions.
"""
import logging
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from workbench.reports.intake import Receipt, ReportInput, submit_report
from workbench.reports.limits import RateLimited
from workbench.reports.triage import triage_report

__all__ = ["ReportInput", "Receipt", "submit_report", "RateLimited", "triage_report",
           "submit_and_triage"]


TRIAGE_KIND = "reports.triage"


def submit_and_triage(db: Database, report: ReportInput, *, settings: Mapping[str, Any],
                      address: str | None = None) -> Receipt:
    """Take a report in and queue its triage (OCR, matching, QA) as a background job.

    Triage failing never loses the report: it is stored first, and a report
    that triage could not finish waits in the queue as it was sent (the office
    can run it again, ``workbench report triage``).
    """
    from workbench import auth, jobs

    receipt = submit_report(db, report, settings=settings, address=address)
    try:
        jobs.start(db, auth.system_actor("public-reports"), TRIAGE_KIND,
                   {"report_id": receipt.report_id}, settings=settings,
                   subject=("report", receipt.report_id))
    except Exception:  # noqa: BLE001 - the report is in; the office can re-run triage
        logging.getLogger(__name__).exception("Triage of report %s failed", receipt.report_id)
    return receipt


def triage_job(db: Database, *, progress: Any, settings: Mapping[str, Any],
               report_id: int) -> dict[str, Any]:
    """The ``reports.triage`` job: :func:`triage_report` with progress."""
    found = triage_report(db, report_id, settings=settings, progress=progress)
    return {"report_id": report_id, "findings": len(found.get("findings") or [])}
