"""Numbered schema migrations (sqlite-utils ``Migrations``).

Each feature appends its own numbered migrations here; an applied migration
is never edited, a later one changes it. ``apply(db)`` is idempotent and runs
on every ``workbench init`` and app start.
"""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("workbench")


# Tables that are bookkeeping, not records: they change without audit events.
UNAUDITED_TABLES = {"audit_events", "login_attempts", "settings", "_sqlite_migrations",
                    "translation_memory_grams",
                    "sign_findings",  # sign_findings: recomputable QA output
                    "unit_findings", "unit_qa",  # recomputable QA output of a unit version
                    "unit_mention_reads",  # which mentions a user has seen
                    "user_sessions",  # signed-in browsers (sign-in is audited; revocation too)
                    "llm_cache",  # drafts of the model-server engine, recomputable
                    "report_attempts",  # rate-limit bookkeeping of public report submissions
                    # staging of photos uploaded together; their creation, confirmation
                    # and discarding are audited, the OCR progress is bookkeeping
                    "survey_batches", "survey_photos",
                    # Background job runs: every state change (start, run, done, failed,
                    # cancel, retry, interrupted) is audited by workbench.jobs in the same
                    # transaction; progress and heartbeats rewrite the row many times a
                    # minute and are bookkeeping.
                    "job_runs",
                    "job_workers"}  # which worker processes are alive


def apply(db: Database) -> list[str]:
    """Apply pending migrations; return the names applied now."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


def _execute_all(db: Database, statements: list[str]) -> None:
    # executescript() would commit the migration's transaction; run one by one.
    for statement in statements:
        db.execute(statement)


# The steps, registered in number order: the first release's schema, then each feature's.
from workbench.migrations import foundation  # noqa: E402,F401  (first: 0001–0010)
from workbench.migrations import features  # noqa: E402,F401  (then 0012 on)
