"""Migrations 0012 and later: what each feature added since. Append new ones at the end."""
from __future__ import annotations

from sqlite_utils import Database

from workbench.migrations import _execute_all, migrations


@migrations(name="0012_qa_dismissals")
def m0012_qa_dismissals(db: Database) -> None:
    """QA: findings keyed for dismissal, reviewers' dismissals, dismissed count per unit.

    ``message`` columns of sign_findings and unit_findings hold message data
    (``messages.dumps``: id and parameters) from now on; older rows hold English
    text, which is shown as it is.
    """
    _execute_all(db, [
        # What identifies a finding whatever else the wording says (checks.Finding.key).
        "ALTER TABLE unit_findings ADD COLUMN finding_key TEXT",
        "ALTER TABLE unit_qa ADD COLUMN dismissed INTEGER NOT NULL DEFAULT 0",
        """CREATE TABLE finding_dismissals (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES translation_units(id) ON DELETE CASCADE,
            finding_key TEXT NOT NULL,
            check_id TEXT NOT NULL,
            message TEXT NOT NULL,
            flagged_text TEXT,
            reason TEXT NOT NULL,
            version INTEGER NOT NULL,
            dismissed_by_id INTEGER REFERENCES users(id),
            dismissed_by TEXT NOT NULL,
            dismissed_at TEXT NOT NULL,
            UNIQUE (unit_id, finding_key)
        )""",
    ])


@migrations(name="0013_county_sign_codes_pending_imports", transactional=False)
def m0013_county_sign_codes_pending_imports(db: Database) -> None:
    """Sign codes unique per county; dry-run imports waiting for confirmation.

    A sign code used to be unique across the province, so an import naming a
    code another county used was refused — which told the officer that the code
    exists there. Per-county codes keep every county's codes to itself (the
    generated ones carry the county's prefix anyway).

    SQLite changes a table constraint only by rebuilding the table. The rebuild
    keeps every column and row (and the ids other tables refer to); foreign
    keys are switched off for it, as SQLite's documented procedure requires,
    which is only possible outside a transaction: hence a non-transactional
    migration with its own transaction, checked with ``foreign_key_check``.
    """
    conn = db.conn
    if conn.in_transaction:
        conn.commit()
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _rebuild_with_county_codes(db)
            db.execute("""CREATE TABLE IF NOT EXISTS pending_imports (
                id INTEGER PRIMARY KEY,
                token TEXT NOT NULL UNIQUE,
                user_id INTEGER NOT NULL REFERENCES users(id),
                kind TEXT NOT NULL DEFAULT 'inventory',
                file_name TEXT NOT NULL,
                options_json TEXT NOT NULL DEFAULT '{}',
                bytes INTEGER NOT NULL,
                has_photos INTEGER NOT NULL DEFAULT 0,
                summary_json TEXT,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            )""")
            db.execute("CREATE INDEX IF NOT EXISTS idx_pending_imports_user ON "
                       "pending_imports(user_id, created_at)")
            if conn.execute("PRAGMA foreign_key_check").fetchall():
                raise RuntimeError("foreign keys broken by the signs rebuild")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _rebuild_with_county_codes(db: Database) -> None:
    """Rebuild ``signs`` with UNIQUE (county_id, sign_code) instead of a unique code."""
    import re

    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'signs'"
                     ).fetchone()[0]
    if re.search(r"UNIQUE\s*\(\s*county_id\s*,\s*sign_code\s*\)", sql):
        return  # already rebuilt (a run interrupted before it was recorded)
    rebuilt = re.sub(r"(sign_code\s+TEXT\s+NOT\s+NULL)\s+UNIQUE", r"\1", sql, count=1)
    rebuilt = rebuilt.rstrip().rstrip(")").rstrip() + ",\n    UNIQUE (county_id, sign_code)\n)"
    rebuilt = re.sub(r"^CREATE TABLE\s+[\"`\[]?signs[\"`\]]?", "CREATE TABLE _signs_rebuilt",
                     rebuilt, count=1)
    # Indexes and triggers go with the old table; views that read it are set
    # aside so that the rename does not trip over them.
    attached = [row[0] for row in db.execute(
        "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND "
        "tbl_name = 'signs' AND sql IS NOT NULL")]
    views = list(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'"))
    for name, _sql in views:
        db.execute(f'DROP VIEW "{name}"')
    db.execute(rebuilt)
    db.execute("INSERT INTO _signs_rebuilt SELECT * FROM signs")
    db.execute("DROP TABLE signs")
    db.execute("ALTER TABLE _signs_rebuilt RENAME TO signs")
    for statement in attached:
        db.execute(statement)
    for _name, view_sql in views:
        db.execute(view_sql)


@migrations(name="0014_security")
def m0014_security(db: Database) -> None:
    """Sessions that can be revoked, sign-in throttling, comments and clarifications per county.

    ``users.session_generation`` is copied into each session when it starts; a
    password change, a reset, disabling the user or "sign out everywhere" bumps
    it, and older sessions are refused. ``user_sessions`` holds one row per
    signed-in browser (the cookie carries a random token whose hash is stored):
    signing out deletes the row, so a captured cookie stops working.
    ``users.login_unlocked_at`` is when an administrator last lifted the
    sign-in back-off: failures before it no longer count.
    """
    _execute_all(db, [
        "ALTER TABLE users ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE users ADD COLUMN login_unlocked_at TEXT",
        """CREATE TABLE user_sessions (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            generation INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            remote_addr TEXT,
            user_agent TEXT
        )""",
        "CREATE INDEX idx_user_sessions_user ON user_sessions(user_id, id)",
        "CREATE INDEX idx_login_attempts_addr_ts ON login_attempts(remote_addr, ts)",
        # Whose county a comment belongs to: an officer's comment is seen by the
        # officers of that county only (NULL: written by a review role, seen by all).
        "ALTER TABLE unit_comments ADD COLUMN county_id INTEGER REFERENCES counties(id)",
        # One open clarification question per county on a shared unit: an answer
        # from one county closes that county's question only.
        """CREATE TABLE unit_clarifications (
            unit_id INTEGER NOT NULL REFERENCES translation_units(id) ON DELETE CASCADE,
            county_id INTEGER NOT NULL REFERENCES counties(id),
            question_id INTEGER REFERENCES unit_comments(id),
            asked_at TEXT NOT NULL,
            PRIMARY KEY (unit_id, county_id)
        )""",
        "CREATE INDEX idx_unit_clarifications_county ON unit_clarifications(county_id, unit_id)",
    ])
    _backfill_comment_counties(db)


def _backfill_comment_counties(db: Database) -> None:
    """Give existing officers' comments their county, and open questions per county (audited)."""
    has_comments = db.execute("SELECT count(*) FROM unit_comments").fetchone()[0]
    if not has_comments:
        return  # a new database: nothing to carry over
    from workbench import audit
    from workbench.auth import system_actor

    _execute_all(db, [
        """UPDATE unit_comments SET county_id = (
               SELECT u.county_id FROM users u
               WHERE u.id = unit_comments.author_id AND u.role = 'officer')""",
        # A question asked before stays open for every county with a sign carrying the unit.
        """INSERT OR IGNORE INTO unit_clarifications (unit_id, county_id, question_id, asked_at)
           SELECT DISTINCT u.id, s.county_id,
                  (SELECT max(c.id) FROM unit_comments c WHERE c.unit_id = u.id
                   AND c.kind = 'clarification'), u.updated_at
           FROM translation_units u JOIN sign_units su ON su.unit_id = u.id
           JOIN signs s ON s.id = su.sign_id WHERE u.needs_clarification = 1""",
    ])
    audit.record(db, system_actor("migration"), "migration.apply",
                 "migration", "0014_security", None,
                 {"comments": has_comments, "note": "comments and clarifications per county"})


@migrations(name="0015_jobs")
def m0015_jobs(db: Database) -> None:
    """Background jobs: one table of runs for every long task, and the live workers.

    The export runs (``exports``) and document drafting jobs (``doc_jobs``) of the
    two earlier thread-based systems move into ``job_runs``; their tables go.
    """
    _execute_all(db, [
        """CREATE TABLE job_runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN
                ('queued','running','done','failed','cancelled','interrupted')),
            arguments TEXT NOT NULL DEFAULT '{}',
            subject_type TEXT,
            subject_id INTEGER,
            county_id INTEGER REFERENCES counties(id),
            started_by_id INTEGER REFERENCES users(id),
            started_by TEXT NOT NULL,
            progress_done INTEGER NOT NULL DEFAULT 0,
            progress_total INTEGER NOT NULL DEFAULT 0,
            progress_message TEXT,
            result TEXT,
            error TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            claim TEXT,
            worker TEXT,
            heartbeat_at TEXT,
            not_before TEXT,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT
        )""",
        "CREATE INDEX idx_job_runs_state ON job_runs(state, id)",
        "CREATE INDEX idx_job_runs_starter ON job_runs(started_by_id, id)",
        "CREATE INDEX idx_job_runs_subject ON job_runs(subject_type, subject_id, kind, id)",
        "CREATE INDEX idx_job_runs_kind ON job_runs(kind, id)",
        """CREATE TABLE job_workers (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            threads INTEGER NOT NULL DEFAULT 1,
            started_at TEXT NOT NULL,
            beat_at TEXT NOT NULL,
            stopped_at TEXT
        )""",
        # Export runs keep their ids (audit events name them).
        """INSERT INTO job_runs (id, kind, state, arguments, subject_type, subject_id, county_id,
                                 started_by_id, started_by, progress_done, progress_total,
                                 result, error, attempts, created_at, started_at, finished_at)
           SELECT e.id, 'export',
                  CASE e.status WHEN 'done' THEN 'done' WHEN 'running' THEN 'interrupted'
                                ELSE 'failed' END,
                  json_object('export', e.kind, 'filter', json(e.filter_json)),
                  'export', e.id, e.county_id, e.created_by_id, e.created_by,
                  coalesce(p.done, 0), coalesce(p.total, 0),
                  CASE WHEN e.status = 'done' THEN json_object(
                      'file', e.file_name, 'file_name', e.file_name, 'bytes', e.bytes,
                      'rows', e.rows, 'missing', e.missing, 'summary', e.message) END,
                  CASE WHEN e.status != 'done' THEN json_quote(e.message) END,
                  1, e.created_at, e.created_at, e.finished_at
           FROM exports e LEFT JOIN export_progress p ON p.export_id = e.id""",
        """INSERT INTO job_runs (kind, state, arguments, subject_type, subject_id, started_by_id,
                                 started_by, progress_done, progress_total, result, error, attempts,
                                 cancel_requested, created_at, started_at, finished_at)
           SELECT 'documents.draft',
                  CASE j.status WHEN 'queued' THEN 'interrupted' WHEN 'running' THEN 'interrupted'
                                ELSE j.status END,
                  json_object('document_id', j.document_id, 'engine', nullif(j.engine, '')),
                  'document', j.document_id,
                  (SELECT u.id FROM users u WHERE u.username = j.started_by),
                  coalesce(j.started_by, ''), j.done, j.total,
                  CASE WHEN j.status = 'done' THEN json_object(
                      'drafted', j.drafted, 'processed', j.done, 'summary', j.message) END,
                  CASE WHEN j.status = 'failed' THEN json_quote(j.message) END,
                  1, j.cancel_requested, j.created_at, j.created_at, j.updated_at
           FROM doc_jobs j ORDER BY j.id""",
        "DROP TABLE export_progress",
        "DROP TABLE exports",
        "DROP TABLE doc_jobs",
    ])


@migrations(name="0016_ocr_survey")
def m0016_ocr_survey(db: Database) -> None:
    """OCR: recognized lines kept with each sign photo (and the photo's time); survey
    batches, the staging area of photos uploaded together before they become signs."""
    _execute_all(db, [
        "ALTER TABLE sign_photos ADD COLUMN ocr_json TEXT",
        "ALTER TABLE sign_photos ADD COLUMN taken_at TEXT",
        """CREATE TABLE survey_batches (
            id INTEGER PRIMARY KEY,
            county_id INTEGER NOT NULL REFERENCES counties(id),
            state TEXT NOT NULL DEFAULT 'reading' CHECK (state IN ('reading','review',
                'confirmed','discarded')),
            photo_count INTEGER NOT NULL DEFAULT 0,
            read_count INTEGER NOT NULL DEFAULT 0,
            created_by TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX idx_survey_batches_county ON survey_batches(county_id, state)",
        """CREATE TABLE survey_photos (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES survey_batches(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            original_name TEXT NOT NULL,
            file_name TEXT NOT NULL,
            thumbnail TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            latitude REAL,
            longitude REAL,
            taken_at TEXT,
            ocr_json TEXT,
            UNIQUE (batch_id, position)
        )""",
    ])


@migrations(name="0017_llm_engine")
def m0017_llm_engine(db: Database) -> None:
    """Model-server engine: its draft cache, and each unit's draft provenance and flags.

    ``draft_model`` and ``draft_prompt`` say which model and prompt version wrote a
    machine draft; ``draft_flags`` (JSON) lists what the engine found wrong in its own
    draft (a glossary term not used, a placeholder lost), for the QA check
    ``machine_draft``.
    """
    _execute_all(db, [
        "ALTER TABLE translation_units ADD COLUMN draft_model TEXT",
        "ALTER TABLE translation_units ADD COLUMN draft_prompt TEXT",
        "ALTER TABLE translation_units ADD COLUMN draft_flags TEXT",
        """CREATE TABLE llm_cache (
            key TEXT PRIMARY KEY,
            source_lang TEXT NOT NULL,
            target_lang TEXT NOT NULL,
            profile TEXT NOT NULL,
            glossary_version INTEGER NOT NULL,
            requested_model TEXT NOT NULL,
            prompt_version TEXT NOT NULL,
            source_text TEXT NOT NULL,
            text TEXT NOT NULL,
            model TEXT NOT NULL,
            flags TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        )""",
    ])


@migrations(name="0018_reports")
def m0018_reports(db: Database) -> None:
    """Public error reports: what a passer-by says is wrong with a sign, triage, decisions.

    ``tracking_code`` is the reporter's only key to the report (random, never
    shown to anyone else). ``kind`` and ``status`` are codes of
    ``vocabulary.REPORT_KINDS`` / ``REPORT_STATUSES``. ``sign_id`` and
    ``county_id`` are set by triage or by the office; ``duplicate_of`` points to
    the first open report of the same sign (the group's head). ``triage_json``
    holds what triage found (text read from the photo, QA findings as message
    data, candidate signs). ``address_key`` is a keyed hash of the sender's
    address, for rate limits only. ``report_attempts`` counts submissions per
    address and sign for the rate limits (bookkeeping, not audited).
    """
    _execute_all(db, [
        """CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            tracking_code TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('wrong_translation', 'spelling',
                'missing_language', 'damaged', 'other')),
            description TEXT NOT NULL DEFAULT '',
            suggestion TEXT NOT NULL DEFAULT '',
            contact TEXT NOT NULL DEFAULT '',
            sign_code TEXT,
            place TEXT NOT NULL DEFAULT '',
            reported_county_id INTEGER REFERENCES counties(id),
            latitude REAL,
            longitude REAL,
            location_source TEXT CHECK (location_source IN ('photo', 'device')),
            photo_file TEXT,
            photo_thumb TEXT,
            photo_width INTEGER,
            photo_height INTEGER,
            photo_bytes INTEGER,
            photo_sha256 TEXT,
            channel TEXT NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'api')),
            locale TEXT,
            address_key TEXT,
            status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'confirmed', 'fixed',
                'rejected')),
            sign_id INTEGER REFERENCES signs(id),
            site_id INTEGER REFERENCES sites(id),
            county_id INTEGER REFERENCES counties(id),
            match_method TEXT,
            match_score REAL,
            duplicate_of INTEGER REFERENCES reports(id),
            rejection_reason TEXT,
            triage_json TEXT,
            triaged_at TEXT,
            decided_by TEXT,
            decided_at TEXT,
            fixed_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX idx_reports_status ON reports(status, id)",
        "CREATE INDEX idx_reports_county ON reports(county_id, status, id)",
        "CREATE INDEX idx_reports_sign ON reports(sign_id, status, id)",
        "CREATE INDEX idx_reports_duplicate ON reports(duplicate_of)",
        # Triage looks signs up by the Chinese text read from a report's photo.
        "CREATE INDEX IF NOT EXISTS idx_signs_zh ON signs(zh)",
        """CREATE TABLE report_attempts (
            id INTEGER PRIMARY KEY,
            address_key TEXT,
            sign_code TEXT,
            outcome TEXT NOT NULL,
            ts TEXT NOT NULL
        )""",
        "CREATE INDEX idx_report_attempts_address ON report_attempts(address_key, ts)",
        "CREATE INDEX idx_report_attempts_sign ON report_attempts(sign_code, ts)",
    ])


@migrations(name="0020_workflow")
def m0020_workflow(db: Database) -> None:
    """Workflow fixes: fuzzy drafts keep their memory match, clarifications keep their counties,
    answers may carry a photo.

    ``translation_units.draft_memory`` is the JSON of the translation-memory match a
    fuzzy draft copied (``{"id", "source", "target", "score"}``): the unit page shows
    how its Chinese differs and QA notes the untranslated difference.
    ``clarification_counties`` lists the counties each question was put to (the open
    ones are also in ``unit_clarifications``, which forgets a question once it is
    answered): an officer sees only the questions put to their county.
    ``unit_comments.photo_id`` is a photo an officer's answer brought (stored with
    the sign, like every sign photo).
    """
    _execute_all(db, [
        "ALTER TABLE translation_units ADD COLUMN draft_memory TEXT",
        "ALTER TABLE unit_comments ADD COLUMN photo_id INTEGER "
        "REFERENCES sign_photos(id) ON DELETE SET NULL",
        """CREATE TABLE clarification_counties (
            question_id INTEGER NOT NULL REFERENCES unit_comments(id) ON DELETE CASCADE,
            county_id INTEGER NOT NULL REFERENCES counties(id),
            PRIMARY KEY (question_id, county_id)
        )""",
        "CREATE INDEX idx_clarification_counties_county ON clarification_counties(county_id)",
        # The review queue lists one kind at a time (signs or document segments).
        "CREATE INDEX idx_units_queue_kind ON translation_units(kind, state, id)",
    ])
    open_questions = db.execute("SELECT count(*) FROM unit_clarifications "
                                "WHERE question_id IS NOT NULL").fetchone()[0]
    if not open_questions:
        return  # nothing to carry over
    from workbench import audit
    from workbench.auth import system_actor

    # Questions still open know their counties; answered ones stay visible to every
    # county with a sign carrying the unit, as before.
    db.execute("""INSERT OR IGNORE INTO clarification_counties (question_id, county_id)
                  SELECT question_id, county_id FROM unit_clarifications
                  WHERE question_id IS NOT NULL""")
    audit.record(db, system_actor("migration"), "migration.apply",
                 "migration", "0020_workflow", None,
                 {"open_questions": open_questions, "note": "counties of open questions"})
