"""Migrations 0001–0010: the schema of the first release (users, audit, glossary, memory,
inventory, review, exports, documents)."""
from __future__ import annotations

from sqlite_utils import Database

from workbench.migrations import _execute_all, migrations


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
