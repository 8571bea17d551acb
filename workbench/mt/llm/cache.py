"""The ``llm`` engine's cache of finished drafts (table ``llm_cache``, bookkeeping).

A model server takes seconds per request; the same text is drafted again when
a page is opened, a job is retried or a sign is re-imported. A draft is cached
under a digest of everything that shapes it: the source text and languages,
the profile (sign function or prose), the glossary version, the model and the
prompt version. A glossary change, another model or an edited rule therefore
never gets an old draft. Drafts with flags are cached with their flags; empty
answers and failures are not cached (the next attempt may succeed).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from workbench import audit
from workbench.db import transaction


@dataclass(frozen=True)
class CacheKey:
    """Everything a cached draft depends on."""

    source_text: str
    source_lang: str
    target_lang: str
    profile: str  # "prose", "sign" or "sign:<function>"
    glossary_version: int
    model: str
    prompt_version: str

    @property
    def digest(self) -> str:
        """The row key."""
        parts = [self.source_text, self.source_lang, self.target_lang, self.profile,
                 str(self.glossary_version), self.model, self.prompt_version]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass
class CachedDraft:
    """A draft as cached: its text, the model that wrote it and its flags."""

    text: str
    model: str
    flags: list[dict[str, Any]] = field(default_factory=list)


def get_many(db: Database | None, keys: list[CacheKey]) -> dict[str, CachedDraft]:
    """The cached drafts for ``keys`` by digest (those found)."""
    if db is None or not keys:
        return {}
    found: dict[str, CachedDraft] = {}
    digests = list({key.digest for key in keys})
    for start in range(0, len(digests), 500):
        chunk = digests[start:start + 500]
        rows = db.execute(f"SELECT key, text, model, flags FROM llm_cache WHERE key IN "
                          f"({','.join('?' * len(chunk))})", chunk).fetchall()
        for key, text, model, flags in rows:
            found[key] = CachedDraft(text, model, json.loads(flags or "[]"))
    return found


def put_many(db: Database | None, items: list[tuple[CacheKey, CachedDraft]]) -> None:
    """Store finished drafts (one short transaction)."""
    if db is None or not items:
        return
    now = audit.now_iso()
    rows = [(key.digest, key.source_lang, key.target_lang, key.profile, key.glossary_version,
             key.model, key.prompt_version, key.source_text, draft.text, draft.model,
             json.dumps(draft.flags, ensure_ascii=False), now) for key, draft in items]
    with transaction(db):
        db.conn.executemany(
            """INSERT INTO llm_cache (key, source_lang, target_lang, profile, glossary_version,
                   requested_model, prompt_version, source_text, text, model, flags, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(key) DO UPDATE SET text = excluded.text, model = excluded.model,
                   flags = excluded.flags, created_at = excluded.created_at""", rows)


def stats(db: Database, requested_model: str | None = None) -> dict[str, int]:
    """How many drafts are cached, and how many of them carry flags."""
    where, params = "", []
    if requested_model:
        where, params = "WHERE requested_model = ?", [requested_model]
    row = db.execute(f"SELECT COUNT(*), SUM(flags != '[]') FROM llm_cache {where}",
                     params).fetchone()
    return {"drafts": row[0] or 0, "flagged": row[1] or 0}


def clear(db: Database) -> int:
    """Forget every cached draft; returns how many there were."""
    with transaction(db):
        count: int = db.execute("SELECT COUNT(*) FROM llm_cache").fetchone()[0]
        db.execute("DELETE FROM llm_cache")
    return count
