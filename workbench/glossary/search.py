"""Searching the glossary: full text over every language (FTS5 trigram) plus filters.

The trigram tokenizer finds any substring of three or more characters, which is
what Chinese needs (no word boundaries). Shorter queries (most Chinese words
are one or two characters: 出口, 站) fall back to ``LIKE`` over the terms,
which is fast enough at glossary sizes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

TRIGRAM = 3


@dataclass
class SearchFilters:
    """What the glossary page can filter on (all optional)."""

    query: str = ""
    domain: str | None = None
    function: str | None = None
    lang: str | None = None
    status: str | None = None
    verified: bool | None = None


@dataclass
class SearchHit:
    """One concept in a result list, with the terms shown in the list."""

    id: str
    domain: str
    function: str | None
    source: str
    verified: bool
    updated_at: str
    terms: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # lang → terms

    def preferred(self, lang: str) -> str:
        """The first preferred term in ``lang`` (empty when there is none)."""
        for term in self.terms.get(lang, []):
            if term["status"] == "preferred":
                text: str = term["text"]
                return text
        return ""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _term_conditions(filters: SearchFilters) -> tuple[list[str], list[Any]]:
    """SQL conditions on a term row ``t`` (query, language, status)."""
    where: list[str] = []
    params: list[Any] = []
    # Every word of the query must occur in the same term, in any order: "禁止 吸烟"
    # finds 禁止吸烟 and "smoking no" finds "No Smoking".
    for word in dict.fromkeys((filters.query or "").split()):
        if len(word) >= TRIGRAM:
            # A quoted FTS5 string is matched as a phrase of trigrams: a substring.
            where.append("t.id IN (SELECT rowid FROM glossary_terms_fts "
                         "WHERE glossary_terms_fts MATCH ?)")
            params.append('"' + word.replace('"', '""') + '"')
        else:
            where.append("t.text LIKE ? ESCAPE '\\'")
            params.append(f"%{_escape_like(word)}%")
    if filters.lang:
        where.append("t.lang = ?")
        params.append(filters.lang)
    if filters.status:
        where.append("t.status = ?")
        params.append(filters.status)
    return where, params


def search(db: Database, filters: SearchFilters, *, limit: int = 50,
           offset: int = 0) -> tuple[list[SearchHit], int]:
    """Concepts matching the filters, best first; returns (page of hits, total).

    A concept matches when one of its terms matches the text query, language and
    status filters together, and the concept matches domain, function and
    verified. An exact match of a term or of the concept id ranks first, then
    terms that start with the query, then shorter terms.
    """
    term_where, term_params = _term_conditions(filters)
    concept_where: list[str] = []
    concept_params: list[Any] = []
    for column, value in (("domain", filters.domain), ("function", filters.function)):
        if value:
            concept_where.append(f"c.{column} = ?")
            concept_params.append(value)
    if filters.verified is not None:
        concept_where.append("c.verified = ?")
        concept_params.append(int(filters.verified))
    query = " ".join((filters.query or "").split())
    id_match = ""
    id_params: list[Any] = []
    if query:
        # The concept id typed exactly also finds the concept.
        id_match = " OR c.id = ?"
        id_params = [query]
    if term_where:
        matched = ("SELECT t.concept_id AS concept_id, min(CASE WHEN t.text = ? COLLATE NOCASE "
                   "THEN 0 WHEN t.text LIKE ? ESCAPE '\\' THEN 1 ELSE 2 END) AS rank, "
                   "min(length(t.text)) AS len FROM glossary_terms t WHERE "
                   + " AND ".join(term_where) + " GROUP BY t.concept_id")
        matched_params = [query, f"{_escape_like(query)}%"] + term_params
        base = (f"FROM glossary_concepts c LEFT JOIN ({matched}) m ON m.concept_id = c.id "
                f"WHERE (m.concept_id IS NOT NULL{id_match if query else ''})")
        params = matched_params + (id_params if query else [])
        order = "ORDER BY CASE WHEN c.id = ? THEN -1 ELSE coalesce(m.rank, 3) END, m.len, c.id"
        order_params = [query]
    else:
        base = "FROM glossary_concepts c WHERE 1 = 1"
        params = []
        order = "ORDER BY c.id"
        order_params = []
    if concept_where:
        base += " AND " + " AND ".join(concept_where)
        params += concept_params
    total = db.execute(f"SELECT count(*) {base}", params).fetchone()[0]
    rows = list(db.query(
        f"SELECT c.id, c.domain, c.function, c.source, c.verified, c.updated_at {base} "
        f"{order} LIMIT ? OFFSET ?", params + order_params + [limit, offset]))
    hits = {row["id"]: SearchHit(row["id"], row["domain"], row["function"], row["source"],
                                 bool(row["verified"]), row["updated_at"]) for row in rows}
    if hits:
        import json

        for term in db.query(
                """SELECT concept_id, lang, text, status FROM glossary_terms
                   WHERE concept_id IN (SELECT value FROM json_each(?))
                   ORDER BY concept_id, lang, position, id""", [json.dumps(list(hits))]):
            hits[term["concept_id"]].terms.setdefault(term["lang"], []).append(term)
    return list(hits.values()), total


def facet_counts(db: Database) -> dict[str, dict[str, int]]:
    """How many concepts per domain and function, terms per language and status (filters)."""
    def pairs(sql: str) -> dict[str, int]:
        return {row[0]: row[1] for row in db.execute(sql) if row[0] is not None}

    return {
        "domain": pairs("SELECT domain, count(*) FROM glossary_concepts GROUP BY 1"),
        "function": pairs("SELECT function, count(*) FROM glossary_concepts GROUP BY 1"),
        "lang": pairs("SELECT lang, count(*) FROM glossary_terms GROUP BY 1"),
        "status": pairs("SELECT status, count(*) FROM glossary_terms GROUP BY 1"),
    }

