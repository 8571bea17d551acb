"""The glossary's data model: concepts with terms per language, read and written as records.

A **concept** is one meaning (TBX ``termEntry``): a domain, a sign function, a
source (``GB/T 30240.2``, ``common usage`` …), a ``verified`` flag and notes.
It holds **terms**, each with a BCP 47 language, a text, a status
(``preferred``, ``admitted``, ``deprecated``, ``forbidden``) and optionally a
part of speech. :class:`ConceptRecord` is the one in-memory shape every reader
(CSV, XLSX, TBX, web form) produces and every writer consumes.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from babel import Locale, UnknownLocaleError
from sqlite_utils import Database

from workbench.errors import NotFound
from workbench.messages import msg
from workbench.vocabulary import GLOSSARY_DOMAINS, SIGN_FUNCTIONS, TERM_STATUSES
from workbench.vocabulary import PARTS_OF_SPEECH as PARTS_OF_SPEECH_VOCABULARY

# The codes of workbench.vocabulary (labels there): GB/T 30240 parts 1–10 plus names and the
# glossary's own policy vocabulary; GB/T 30240.1 kinds of public information.
DOMAINS: tuple[str, ...] = GLOSSARY_DOMAINS.codes
FUNCTIONS: tuple[str, ...] = SIGN_FUNCTIONS.codes
STATUSES: tuple[str, ...] = TERM_STATUSES.codes
PARTS_OF_SPEECH: tuple[str, ...] = PARTS_OF_SPEECH_VOCABULARY.codes
SOURCE_LANG = "zh"
DEFAULT_SOURCE = "common usage"
MAX_TERM_LENGTH = 500
CONCEPT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_LANG_SHAPE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@dataclass
class TermRecord:
    """One term of a concept in one language."""

    lang: str
    text: str
    status: str = "preferred"
    pos: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The term as plain data (audit events, comparisons, JSON)."""
        return {"lang": self.lang, "text": self.text, "status": self.status, "pos": self.pos}


@dataclass
class ConceptRecord:
    """A concept with its terms, as read from a file or a form (``line`` says where)."""

    id: str | None
    domain: str
    function: str | None = None
    source: str = DEFAULT_SOURCE
    verified: bool = False
    notes: str = ""
    terms: list[TermRecord] = field(default_factory=list)
    line: int | None = None
    origin: str | None = None  # file name, for messages

    def terms_in(self, lang: str, status: str | None = None) -> list[TermRecord]:
        """This concept's terms in one language (optionally of one status), in order."""
        return [t for t in self.terms
                if t.lang == lang and (status is None or t.status == status)]

    def source_term(self) -> str | None:
        """The term that names the concept: preferred Chinese, else any preferred term."""
        for lang in (SOURCE_LANG, None):
            for term in self.terms:
                if (lang is None or term.lang == lang) and term.status == "preferred":
                    return term.text
        return self.terms[0].text if self.terms else None

    def languages(self) -> list[str]:
        """The languages this concept has terms in, in first-seen order."""
        return list(dict.fromkeys(t.lang for t in self.terms))

    def as_dict(self) -> dict[str, Any]:
        """The concept as plain data, terms ordered by language then position."""
        return {
            "id": self.id, "domain": self.domain, "function": self.function or None,
            "source": self.source, "verified": bool(self.verified), "notes": self.notes or "",
            # Languages in code order so that the same concept compares equal whatever
            # order a file listed its languages in; within a language the order counts.
            "terms": [t.as_dict() for t in sorted(ordered_terms(self.terms),
                                                  key=lambda t: t.lang)],
        }


def ordered_terms(terms: Iterable[TermRecord]) -> list[TermRecord]:
    """Terms grouped by language (first-seen order), preferred first within each language.

    The order inside one status is kept, so the first preferred term stays first.
    """
    terms = list(terms)
    lang_order = {lang: i for i, lang in enumerate(dict.fromkeys(t.lang for t in terms))}
    status_order = {status: i for i, status in enumerate(STATUSES)}
    return sorted(terms, key=lambda t: (lang_order[t.lang], status_order.get(t.status, 9)))


def display_order(terms: Iterable[TermRecord]) -> list[TermRecord]:
    """Terms for people: Chinese, then English, then other languages by code; preferred
    first within each language."""
    terms = list(terms)
    rank = {SOURCE_LANG: "0", "en": "1"}
    languages = sorted(dict.fromkeys(t.lang for t in terms),
                       key=lambda lang: rank.get(lang, "2" + lang))
    position = {lang: i for i, lang in enumerate(languages)}
    return sorted(ordered_terms(terms), key=lambda t: position[t.lang])


@functools.lru_cache(maxsize=1024)
def normalize_lang(code: str) -> str | None:
    """A BCP 47 code in canonical case (``zh-hans`` → ``zh-Hans``, ``en_gb`` → ``en-GB``),
    or None when Babel does not know the language. The subtags given are kept (Babel
    would turn ``zh-TW`` into ``zh-Hant-TW``)."""
    code = (code or "").strip()
    if not _LANG_SHAPE.match(code):
        return None
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    parts = code.replace("_", "-").split("-")
    canonical = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            canonical.append(part.title())   # script: Hans, Hant, Cyrl
        elif len(part) == 2 or (len(part) == 3 and part.isdigit()):
            canonical.append(part.upper())   # region: CN, TW, 419
        else:
            canonical.append(part.lower())
    return "-".join(canonical)


# The glossary's own languages are plain codes; files from CAT tools often say zh-CN
# or EN-US for the same thing. Traditional Chinese (zh-Hant, zh-TW, zh-HK) stays apart.
_FOLDED_LANGUAGES = {"zh", "en", "ru", "ja", "ko"}
_TRADITIONAL = {"Hant", "TW", "HK", "MO"}


def file_lang(code: str) -> str | None:
    """A language code from a file, in the glossary's form.

    ``zh-CN`` → ``zh``, ``EN-us`` → ``en``.
    """
    lang = normalize_lang(code)
    if lang is None:
        return None
    parts = lang.split("-")
    if parts[0] in _FOLDED_LANGUAGES and not (set(parts[1:]) & _TRADITIONAL):
        return parts[0]
    return lang


def language_display_name(code: str, locale: str = "en") -> str:
    """A language's name in ``locale`` (Babel), falling back to the code."""
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(locale) or code
    except (UnknownLocaleError, ValueError, TypeError):
        return code


# --- reading concepts from the database ---------------------------------------------------

def _concept_from_rows(concept: dict[str, Any], terms: list[dict[str, Any]]) -> ConceptRecord:
    return ConceptRecord(
        id=concept["id"], domain=concept["domain"], function=concept["function"] or None,
        source=concept["source"], verified=bool(concept["verified"]),
        notes=concept["notes"] or "",
        # Rows come by position (per language); group them by language for people.
        terms=display_order(TermRecord(t["lang"], t["text"], t["status"], t["pos"] or None)
                            for t in terms))


def load_all_concepts(db: Database, ids: Iterable[str] | None = None) -> dict[str, ConceptRecord]:
    """Every concept (or those in ``ids``) with its terms, in two queries.

    Bulk loaders compare against this snapshot instead of querying per row.
    """
    where, params = "", []
    if ids is not None:
        id_list = list(ids)
        if not id_list:
            return {}
        # A temporary list beats thousands of bound parameters.
        where = "WHERE c.id IN (SELECT value FROM json_each(?))"
        import json
        params = [json.dumps(id_list)]
    concepts = {row["id"]: row for row in db.query(
        f"SELECT c.* FROM glossary_concepts c {where} ORDER BY c.id", params)}
    terms: dict[str, list[dict[str, Any]]] = {cid: [] for cid in concepts}
    for row in db.query(
            f"""SELECT t.* FROM glossary_terms t JOIN glossary_concepts c ON c.id = t.concept_id
                {where} ORDER BY t.concept_id, t.position, t.id""", params):
        terms[row["concept_id"]].append(row)
    return {cid: _concept_from_rows(row, terms[cid]) for cid, row in concepts.items()}


def get_concept(db: Database, concept_id: str) -> ConceptRecord:
    """One concept with its terms; NotFound if there is none."""
    found = load_all_concepts(db, [concept_id])
    if concept_id not in found:
        raise NotFound(msg("No such concept in the glossary."))
    return found[concept_id]


def concept_row(db: Database, concept_id: str) -> dict[str, Any]:
    """The concept's own row (with ``created_at`` / ``updated_at``); NotFound if none."""
    row = next(db.query("SELECT * FROM glossary_concepts WHERE id = ?", [concept_id]), None)
    if row is None:
        raise NotFound(msg("No such concept in the glossary."))
    return row


def languages_in_use(db: Database) -> list[str]:
    """Every language the glossary has terms in, Chinese and English first."""
    langs = [r[0] for r in db.execute("SELECT DISTINCT lang FROM glossary_terms")]
    first = [lang for lang in (SOURCE_LANG, "en") if lang in langs]
    return first + sorted(lang for lang in langs if lang not in first)


@dataclass
class Stats:
    """Counts for ``workbench glossary stats`` and the glossary page."""

    concepts: int
    terms: int
    verified: int
    by_domain: dict[str, int]
    by_function: dict[str, int]
    by_language: dict[str, int]            # terms per language
    concepts_by_language: dict[str, int]   # concepts with a preferred term per language
    by_status: dict[str, int]
    by_language_status: dict[tuple[str, str], int]
    by_source: dict[str, int]


def stats(db: Database) -> Stats:
    """Counts per language, domain, function, status and source."""
    def pairs(sql: str) -> dict[Any, int]:
        return {row[0]: row[1] for row in db.execute(sql)}

    return Stats(
        concepts=db.execute("SELECT count(*) FROM glossary_concepts").fetchone()[0],
        terms=db.execute("SELECT count(*) FROM glossary_terms").fetchone()[0],
        verified=db.execute(
            "SELECT count(*) FROM glossary_concepts WHERE verified = 1").fetchone()[0],
        by_domain=pairs("SELECT domain, count(*) FROM glossary_concepts GROUP BY 1 "
                        "ORDER BY 2 DESC, 1"),
        by_function=pairs("SELECT coalesce(function, ''), count(*) FROM glossary_concepts "
                          "GROUP BY 1 ORDER BY 2 DESC, 1"),
        by_language=pairs("SELECT lang, count(*) FROM glossary_terms GROUP BY 1 "
                          "ORDER BY 2 DESC, 1"),
        concepts_by_language=pairs(
            "SELECT lang, count(DISTINCT concept_id) FROM glossary_terms "
            "WHERE status = 'preferred' GROUP BY 1 ORDER BY 2 DESC, 1"),
        by_status=pairs("SELECT status, count(*) FROM glossary_terms GROUP BY 1 "
                        "ORDER BY 2 DESC, 1"),
        by_language_status={(r[0], r[1]): r[2] for r in db.execute(
            "SELECT lang, status, count(*) FROM glossary_terms GROUP BY 1, 2 ORDER BY 1, 2")},
        by_source=pairs("SELECT source, count(*) FROM glossary_concepts GROUP BY 1 "
                        "ORDER BY 2 DESC, 1"),
    )


CONCEPT_FIELDS = ("domain", "function", "source", "verified", "notes")


def change_summary(before: dict[str, Any] | None,
                   after: dict[str, Any] | None) -> list[dict[str, Any]]:
    """What changed between two audited versions of a concept, for people to read.

    Items are dicts with a ``kind``: ``created`` / ``deleted`` (with ``terms``),
    ``field`` (``field``, ``old``, ``new``), ``term_added`` / ``term_removed``
    (``lang``, ``text``, ``status``) and ``term_status`` (``lang``, ``text``,
    ``old``, ``new``). The web layer words them in the interface language.
    """
    if before is None and after is None:
        return []
    if before is None:
        return [{"kind": "created", "terms": len((after or {}).get("terms", []))}]
    if after is None:
        return [{"kind": "deleted", "terms": len(before.get("terms", []))}]
    items: list[dict[str, Any]] = []
    for name in CONCEPT_FIELDS:
        if (before.get(name) or None) != (after.get(name) or None):
            items.append({"kind": "field", "field": name, "old": before.get(name),
                          "new": after.get(name)})
    old_terms = {(t["lang"], t["text"]): t for t in before.get("terms", [])}
    new_terms = {(t["lang"], t["text"]): t for t in after.get("terms", [])}
    for key, term in old_terms.items():
        if key not in new_terms:
            items.append({"kind": "term_removed", "lang": key[0], "text": key[1],
                          "status": term["status"]})
        elif new_terms[key]["status"] != term["status"]:
            items.append({"kind": "term_status", "lang": key[0], "text": key[1],
                          "old": term["status"], "new": new_terms[key]["status"]})
    for key, term in new_terms.items():
        if key not in old_terms:
            items.append({"kind": "term_added", "lang": key[0], "text": key[1],
                          "status": term["status"]})
    return items


@dataclass
class Consistency:
    """Wording shared between concepts, for reviewers to merge or tell apart."""

    shared_source: dict[str, list[str]]            # zh wording → concept ids
    forbidden_elsewhere_ok: list[tuple[str, str, list[str]]]  # (concept, en text, concepts)


def consistency(db: Database, source_lang: str = SOURCE_LANG,
                target_lang: str = "en") -> Consistency:
    """Source wordings used by several concepts, and target renderings that one concept
    forbids while another accepts (the checks then depend on which concept matched)."""
    shared: dict[str, list[str]] = {}
    for text, ids in db.execute(
            """SELECT text, group_concat(DISTINCT concept_id) FROM glossary_terms
               WHERE lang = ? AND status IN ('preferred', 'admitted')
               GROUP BY text HAVING count(DISTINCT concept_id) > 1 ORDER BY text""",
            [source_lang]):
        shared[text] = sorted(ids.split(","))
    conflicting = []
    for concept_id, text, ids in db.execute(
            """SELECT f.concept_id, f.text, group_concat(DISTINCT a.concept_id)
               FROM glossary_terms f JOIN glossary_terms a
                 ON a.lang = f.lang AND a.text = f.text COLLATE NOCASE
                AND a.concept_id != f.concept_id AND a.status IN ('preferred', 'admitted')
               WHERE f.lang = ? AND f.status = 'forbidden'
               GROUP BY f.concept_id, f.text ORDER BY f.concept_id""", [target_lang]):
        conflicting.append((concept_id, text, sorted(ids.split(","))))
    return Consistency(shared, conflicting)
