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


@migrations(name="0001_core")
def m0001_core(db: Database) -> None:
    """Counties, users, login attempts, the audit chain, and key/value settings."""
    _execute_all(db, [
        """CREATE TABLE counties (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            name_zh TEXT NOT NULL UNIQUE,
            name_en TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'county',
            sort_order INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1
        )""",
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL DEFAULT '',
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin','staff','reviewer','translator','officer')),
            county_id INTEGER REFERENCES counties(id),
            locale TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            password_changed_at TEXT,
            last_login_at TEXT,
            CHECK (role != 'officer' OR county_id IS NOT NULL)
        )""",
        "CREATE INDEX idx_users_county ON users(county_id)",
        """CREATE TABLE login_attempts (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL COLLATE NOCASE,
            remote_addr TEXT,
            ts TEXT NOT NULL,
            success INTEGER NOT NULL
        )""",
        "CREATE INDEX idx_login_attempts_user_ts ON login_attempts(username, ts)",
        """CREATE TABLE audit_events (
            id INTEGER PRIMARY KEY,
            ts TEXT NOT NULL,
            actor_id INTEGER,
            actor_name TEXT NOT NULL,
            action TEXT NOT NULL,
            entity_type TEXT NOT NULL,
            entity_id TEXT,
            before_json TEXT,
            after_json TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""",
        "CREATE INDEX idx_audit_entity ON audit_events(entity_type, entity_id)",
        "CREATE INDEX idx_audit_ts ON audit_events(ts)",
        "CREATE INDEX idx_audit_actor ON audit_events(actor_name)",
        """CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT
        )""",
    ])


@migrations(name="0002_glossary")
def m0002_glossary(db: Database) -> None:
    """Concept-oriented term base (TBX-like): concepts with terms per language and status."""
    _execute_all(db, [
        """CREATE TABLE glossary_concepts (
            id TEXT PRIMARY KEY,
            domain TEXT NOT NULL,
            function TEXT,
            source TEXT NOT NULL DEFAULT 'common usage',
            verified INTEGER NOT NULL DEFAULT 0,
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX idx_concepts_domain ON glossary_concepts(domain, function)",
        """CREATE TABLE glossary_terms (
            id INTEGER PRIMARY KEY,
            concept_id TEXT NOT NULL REFERENCES glossary_concepts(id) ON DELETE CASCADE,
            lang TEXT NOT NULL,
            text TEXT NOT NULL,
            status TEXT NOT NULL
                CHECK (status IN ('preferred', 'admitted', 'deprecated', 'forbidden')),
            pos TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            UNIQUE (concept_id, lang, text)
        )""",
        "CREATE INDEX idx_terms_lang_text ON glossary_terms(lang, text)",
        "CREATE INDEX idx_terms_concept ON glossary_terms(concept_id, lang, status)",
    ])


@migrations(name="0003_glossary_search")
def m0003_glossary_search(db: Database) -> None:
    """Full-text search over every glossary term (FTS5 trigram: Chinese substrings work).

    An external-content index on glossary_terms kept in step by triggers, so every
    write path (loader, import, web edit) updates it in the same transaction.
    """
    _execute_all(db, [
        """CREATE VIRTUAL TABLE glossary_terms_fts USING fts5(
            text, content='glossary_terms', content_rowid='id', tokenize='trigram')""",
        """CREATE TRIGGER glossary_terms_fts_ai AFTER INSERT ON glossary_terms BEGIN
            INSERT INTO glossary_terms_fts(rowid, text) VALUES (new.id, new.text);
        END""",
        """CREATE TRIGGER glossary_terms_fts_ad AFTER DELETE ON glossary_terms BEGIN
            INSERT INTO glossary_terms_fts(glossary_terms_fts, rowid, text)
            VALUES ('delete', old.id, old.text);
        END""",
        """CREATE TRIGGER glossary_terms_fts_au AFTER UPDATE OF text ON glossary_terms BEGIN
            INSERT INTO glossary_terms_fts(glossary_terms_fts, rowid, text)
            VALUES ('delete', old.id, old.text);
            INSERT INTO glossary_terms_fts(rowid, text) VALUES (new.id, new.text);
        END""",
        "INSERT INTO glossary_terms_fts(glossary_terms_fts) VALUES ('rebuild')",
    ])


@migrations(name="0004_glossary_proposals")
def m0004_glossary_proposals(db: Database) -> None:
    """Changes to the glossary proposed by translators, accepted or rejected by a reviewer."""
    _execute_all(db, [
        """CREATE TABLE glossary_proposals (
            id INTEGER PRIMARY KEY,
            concept_id TEXT REFERENCES glossary_concepts(id) ON DELETE SET NULL,
            kind TEXT NOT NULL CHECK (kind IN ('create', 'update')),
            payload_json TEXT NOT NULL,
            base_updated_at TEXT,
            comment TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'accepted', 'rejected', 'withdrawn')),
            proposed_by INTEGER REFERENCES users(id),
            proposed_by_name TEXT NOT NULL,
            proposed_at TEXT NOT NULL,
            decided_by INTEGER REFERENCES users(id),
            decided_by_name TEXT,
            decided_at TEXT,
            decision_comment TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX idx_glossary_proposals_status ON glossary_proposals(status, proposed_at)",
        "CREATE INDEX idx_glossary_proposals_concept ON glossary_proposals(concept_id)",
    ])


@migrations(name="0005_translation_memory")
def m0005_translation_memory(db: Database) -> None:
    """Translation memory (approved source/target pairs) and its character-bigram index."""
    _execute_all(db, [
        """CREATE TABLE translation_memory (
            id INTEGER PRIMARY KEY,
            source_lang TEXT NOT NULL,
            target_lang TEXT NOT NULL,
            source_text TEXT NOT NULL,
            target_text TEXT NOT NULL,
            source_norm TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'review',
            created_by TEXT,
            created_at TEXT NOT NULL,
            unit_id INTEGER,
            note TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE INDEX idx_tm_exact
           ON translation_memory(source_lang, target_lang, source_norm)""",
        "CREATE INDEX idx_tm_unit ON translation_memory(unit_id)",
        # Derived index for fuzzy candidates: one row per distinct character
        # bigram of an entry's normalized source, with that source's length.
        """CREATE TABLE translation_memory_grams (
            entry_id INTEGER NOT NULL REFERENCES translation_memory(id) ON DELETE CASCADE,
            pair TEXT NOT NULL,
            gram TEXT NOT NULL,
            length INTEGER NOT NULL
        )""",
        """CREATE INDEX idx_tm_grams
           ON translation_memory_grams(pair, gram, length, entry_id)""",
        "CREATE INDEX idx_tm_grams_entry ON translation_memory_grams(entry_id)",
    ])


@migrations(name="0006_inventory")
def m0006_inventory(db: Database) -> None:
    """Sign inventory: sites, signs, installed texts, photos, QA findings, FTS, shared units."""
    _execute_all(db, [
        """CREATE TABLE sites (
            id INTEGER PRIMARY KEY,
            county_id INTEGER NOT NULL REFERENCES counties(id),
            name_zh TEXT NOT NULL,
            name_en TEXT NOT NULL DEFAULT '',
            name_ru TEXT NOT NULL DEFAULT '',
            name_ja TEXT NOT NULL DEFAULT '',
            name_ko TEXT NOT NULL DEFAULT '',
            sector TEXT NOT NULL CHECK (sector IN ('transport','tourism_culture','education',
                'health','public_facilities','government','commerce')),
            address TEXT NOT NULL DEFAULT '',
            latitude REAL,
            longitude REAL,
            created_by TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (county_id, name_zh)
        )""",
        """CREATE TABLE inventory_imports (
            id INTEGER PRIMARY KEY,
            county_id INTEGER REFERENCES counties(id),
            file_name TEXT NOT NULL,
            rows INTEGER NOT NULL,
            sites_created INTEGER NOT NULL,
            signs_created INTEGER NOT NULL,
            signs_updated INTEGER NOT NULL,
            photos INTEGER NOT NULL DEFAULT 0,
            created_by TEXT,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE signs (
            id INTEGER PRIMARY KEY,
            site_id INTEGER NOT NULL REFERENCES sites(id),
            county_id INTEGER NOT NULL REFERENCES counties(id),
            sign_code TEXT NOT NULL UNIQUE,
            location TEXT NOT NULL DEFAULT '',
            function TEXT NOT NULL CHECK (function IN ('facility','warning','prohibition',
                'instruction','notice','name')),
            zh TEXT NOT NULL,
            languages TEXT NOT NULL DEFAULT 'en',
            quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
            size TEXT NOT NULL DEFAULT '',
            material TEXT NOT NULL DEFAULT '',
            action TEXT NOT NULL CHECK (action IN ('keep','correct','new')),
            status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted','drafting',
                'in_review','approved','fabricated','installed','rejected')),
            rejection_reason TEXT,
            opt_out_reason TEXT,
            latitude REAL,
            longitude REAL,
            photo_count INTEGER NOT NULL DEFAULT 0,
            finding_count INTEGER NOT NULL DEFAULT 0,
            import_id INTEGER REFERENCES inventory_imports(id),
            created_by TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX idx_signs_site ON signs(site_id)",
        "CREATE INDEX idx_signs_county_status ON signs(county_id, status)",
        "CREATE INDEX idx_signs_status ON signs(status, function)",
        "CREATE INDEX idx_signs_updated ON signs(updated_at)",
        "CREATE INDEX idx_signs_languages ON signs(languages)",
        "CREATE INDEX idx_signs_findings ON signs(finding_count)",
        "CREATE INDEX idx_sites_county ON sites(county_id, sector)",
        """CREATE TABLE sign_current_texts (
            sign_id INTEGER NOT NULL REFERENCES signs(id) ON DELETE CASCADE,
            lang TEXT NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (sign_id, lang)
        )""",
        """CREATE TABLE sign_photos (
            id INTEGER PRIMARY KEY,
            sign_id INTEGER NOT NULL REFERENCES signs(id) ON DELETE CASCADE,
            file_name TEXT NOT NULL,
            thumbnail TEXT NOT NULL,
            original_name TEXT NOT NULL DEFAULT '',
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            exif_latitude REAL,
            exif_longitude REAL,
            uploaded_by TEXT,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX idx_sign_photos_sign ON sign_photos(sign_id)",
        """CREATE TABLE sign_findings (
            id INTEGER PRIMARY KEY,
            sign_id INTEGER NOT NULL REFERENCES signs(id) ON DELETE CASCADE,
            lang TEXT NOT NULL,
            check_id TEXT NOT NULL,
            severity TEXT NOT NULL,
            message TEXT NOT NULL,
            start_pos INTEGER,
            end_pos INTEGER,
            suggestion TEXT
        )""",
        "CREATE INDEX idx_sign_findings_sign ON sign_findings(sign_id)",
        # Trigram tokens let Chinese substrings of 3+ characters match; shorter
        # queries fall back to LIKE (records.search_clause).
        """CREATE VIRTUAL TABLE signs_fts USING fts5(body, tokenize='trigram')""",
        """CREATE TABLE translation_units (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('sign','segment')),
            scope TEXT NOT NULL DEFAULT '',
            source_lang TEXT NOT NULL DEFAULT 'zh',
            source_text TEXT NOT NULL,
            target_lang TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new','machine_draft',
                'translated','in_review','approved','rejected')),
            target_text TEXT,
            draft_engine TEXT,
            draft_score REAL,
            version INTEGER NOT NULL DEFAULT 1,
            domain TEXT,
            function TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT,
            approved_by TEXT,
            approved_at TEXT,
            UNIQUE (kind, scope, source_lang, source_text, target_lang)
        )""",
        "CREATE INDEX idx_units_state ON translation_units(state, target_lang)",
        """CREATE TABLE sign_units (
            sign_id INTEGER NOT NULL REFERENCES signs(id) ON DELETE CASCADE,
            target_lang TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES translation_units(id),
            PRIMARY KEY (sign_id, target_lang)
        ) WITHOUT ROWID""",
        "CREATE INDEX idx_sign_units_unit ON sign_units(unit_id)",
    ])


@migrations(name="0007_review")
def m0007_review(db: Database) -> None:
    """Review workflow: authorship and QA summary on units, versions, findings, comments."""
    _execute_all(db, [
        # Who wrote the current wording (four-eyes compares the approver with it);
        # NULL author_id with a draft_engine means a machine wrote it.
        "ALTER TABLE translation_units ADD COLUMN author_id INTEGER",
        "ALTER TABLE translation_units ADD COLUMN author_name TEXT",
        "ALTER TABLE translation_units ADD COLUMN rejection_reason TEXT",
        "ALTER TABLE translation_units ADD COLUMN needs_clarification INTEGER NOT NULL DEFAULT 0",
        # QA summary of a unit's wording at one version (recomputable, so it may be
        # filled in lazily for drafts made elsewhere): the queue filters on it.
        """CREATE TABLE unit_qa (
            unit_id INTEGER PRIMARY KEY REFERENCES translation_units(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            warnings INTEGER NOT NULL,
            checked_at TEXT NOT NULL
        )""",
        "CREATE INDEX idx_unit_qa_errors ON unit_qa(errors, warnings, unit_id)",
        """CREATE TABLE unit_versions (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES translation_units(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            state TEXT NOT NULL,
            target_text TEXT,
            action TEXT NOT NULL,
            actor_id INTEGER,
            actor_name TEXT NOT NULL,
            author_id INTEGER,
            author_name TEXT,
            engine TEXT,
            reason TEXT,
            ts TEXT NOT NULL,
            UNIQUE (unit_id, version)
        )""",
        """CREATE TABLE unit_findings (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES translation_units(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            check_id TEXT NOT NULL,
            severity TEXT NOT NULL,
            message TEXT NOT NULL,
            start_pos INTEGER,
            end_pos INTEGER,
            suggestion TEXT
        )""",
        "CREATE INDEX idx_unit_findings_unit ON unit_findings(unit_id, version)",
        """CREATE TABLE unit_comments (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES translation_units(id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES unit_comments(id),
            author_id INTEGER,
            author_name TEXT NOT NULL,
            body TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'comment'
                CHECK (kind IN ('comment', 'clarification', 'answer')),
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX idx_unit_comments_unit ON unit_comments(unit_id, id)",
        """CREATE TABLE unit_mentions (
            comment_id INTEGER NOT NULL REFERENCES unit_comments(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id),
            unit_id INTEGER NOT NULL,
            PRIMARY KEY (comment_id, user_id)
        )""",
        "CREATE INDEX idx_unit_mentions_user ON unit_mentions(user_id, unit_id)",
        # Which mentions a user has seen: reading is not a change to a record.
        """CREATE TABLE unit_mention_reads (
            user_id INTEGER NOT NULL,
            comment_id INTEGER NOT NULL,
            PRIMARY KEY (user_id, comment_id)
        )""",
        # Queue filters: each filter column leads an index that ends in id, the
        # queue's order, so a filtered page is an index range scan.
        "CREATE INDEX idx_units_queue_state ON translation_units(state, id)",
        "CREATE INDEX idx_units_queue_lang ON translation_units(target_lang, state, id)",
        "CREATE INDEX idx_units_queue_domain ON translation_units(domain, id)",
        "CREATE INDEX idx_units_queue_function ON translation_units(function, id)",
        "CREATE INDEX idx_units_queue_engine ON translation_units(draft_engine, id)",
        "CREATE INDEX idx_units_clarification ON translation_units(needs_clarification)",
    ])


@migrations(name="0008_exports")
def m0008_exports(db: Database) -> None:
    """Exports: one row per export run (who, what, filter, rows, file), and its live progress."""
    _execute_all(db, [
        """CREATE TABLE exports (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            filter_json TEXT NOT NULL DEFAULT '{}',
            county_id INTEGER REFERENCES counties(id),
            status TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'done', 'empty', 'failed')),
            rows INTEGER NOT NULL DEFAULT 0,
            missing INTEGER NOT NULL DEFAULT 0,
            message TEXT NOT NULL DEFAULT '',
            file_name TEXT,
            file_path TEXT,
            bytes INTEGER,
            created_by_id INTEGER,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            finished_at TEXT
        )""",
        "CREATE INDEX idx_exports_created ON exports(created_at)",
        "CREATE INDEX idx_exports_county ON exports(county_id, created_at)",
        # Covering index: an export looks up each sign's unit per language without
        # touching the sign_units table itself (a third fewer B-tree searches).
        "CREATE INDEX idx_sign_units_export ON sign_units(sign_id, target_lang, unit_id)",
        # How far a running export is: rewritten many times a second, bookkeeping only.
        """CREATE TABLE export_progress (
            export_id INTEGER PRIMARY KEY REFERENCES exports(id) ON DELETE CASCADE,
            done INTEGER NOT NULL DEFAULT 0,
            total INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        )""",
    ])


@migrations(name="0009_documents")
def m0009_documents(db: Database) -> None:
    """Documents for translation: files, blocks (paragraphs), segments, assignees, jobs.

    A segment is linked to one translation unit per target language
    (``doc_segment_units``); the unit's scope is ``doc:<document id>:<segment id>``
    so two identical sentences of one document are separate units.
    """
    _execute_all(db, [
        """CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            file_name TEXT NOT NULL,
            file_format TEXT NOT NULL CHECK (file_format IN ('docx','txt','md','xliff')),
            source_lang TEXT NOT NULL DEFAULT 'zh',
            targets TEXT NOT NULL,
            domain TEXT NOT NULL DEFAULT 'policy',
            due_date TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','delivered','archived')),
            segment_count INTEGER NOT NULL DEFAULT 0,
            word_count INTEGER NOT NULL DEFAULT 0,
            created_by TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE document_files (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            data BLOB NOT NULL,
            bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL
        )""",
        """CREATE TABLE document_assignees (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id),
            PRIMARY KEY (document_id, user_id)
        )""",
        # One translatable paragraph (or XLIFF unit, or text line) of the original,
        # found again on export by ``locator``; ``tags_json`` holds what each inline
        # placeholder stands for.
        """CREATE TABLE doc_blocks (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            block_no INTEGER NOT NULL,
            locator TEXT NOT NULL,
            kind TEXT NOT NULL,
            style TEXT NOT NULL DEFAULT '',
            prefix TEXT NOT NULL DEFAULT '',
            suffix TEXT NOT NULL DEFAULT '',
            source_text TEXT NOT NULL,
            tags_json TEXT NOT NULL DEFAULT '{}',
            UNIQUE (document_id, block_no)
        )""",
        """CREATE TABLE doc_segments (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            block_id INTEGER NOT NULL REFERENCES doc_blocks(id) ON DELETE CASCADE,
            seg_no INTEGER NOT NULL,
            source_text TEXT NOT NULL,
            words INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX idx_doc_segments_doc ON doc_segments(document_id, block_id, seg_no)",
        """CREATE TABLE doc_segment_units (
            segment_id INTEGER NOT NULL REFERENCES doc_segments(id) ON DELETE CASCADE,
            target_lang TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES translation_units(id) ON DELETE CASCADE,
            PRIMARY KEY (segment_id, target_lang)
        )""",
        "CREATE INDEX idx_doc_segment_units_unit ON doc_segment_units(unit_id)",
        # Background work on a document (drafting): progress is bookkeeping,
        # starting, cancelling and finishing are audited.
        """CREATE TABLE doc_jobs (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            engine TEXT,
            status TEXT NOT NULL CHECK (status IN ('queued','running','done','cancelled',
                'failed')),
            total INTEGER NOT NULL DEFAULT 0,
            done INTEGER NOT NULL DEFAULT 0,
            drafted INTEGER NOT NULL DEFAULT 0,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            message TEXT NOT NULL DEFAULT '',
            started_by TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX idx_doc_jobs_doc ON doc_jobs(document_id, id)",
    ])


@migrations(name="0010_consistency_index")
def m0010_consistency_index(db: Database) -> None:
    """QA checks: look up approved renderings of a Chinese text quickly (consistency check)."""
    db.execute("CREATE INDEX idx_units_source_text "
               "ON translation_units(source_text, target_lang, state)")


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
