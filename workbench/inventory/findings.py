"""Installed-text QA findings of signs, their re-check, and the signs' search index."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlite_utils import Database

from workbench import audit, auth, messages
from workbench.db import like_pattern, transaction
from workbench.messages import msg
from workbench.rowtypes import SignFinding
from workbench.inventory import records

MISSING_TEXT_CHECK = "missing_translation"


def installed_text_findings(db: Database, zh: str, function: str, action: str,
                            languages: str, texts: dict[str, str],
                            cache: dict[tuple[str, str, str, str], list[SignFinding]] | None = None
                            ) -> list[SignFinding]:
    """QA findings on a sign's installed texts (no sign id; the caller adds it).

    Each text goes through the one QA runner with the sign profile. A required
    language with nothing installed is itself a finding, except for a new sign,
    which has nothing installed yet by definition.
    """
    from workbench.checks import run_checks
    from workbench.vocabulary import LANGUAGES as LANGUAGE_LABELS

    found: list[SignFinding] = []
    for lang in languages.split(";"):
        if lang not in texts and action != "new":
            found.append({"lang": lang, "check_id": MISSING_TEXT_CHECK, "severity": "error",
                          "message": messages.dumps(messages.msg(
                              "The sign requires %(language)s but carries no such text.",
                              language=LANGUAGE_LABELS.label(lang))),
                          "start_pos": None, "end_pos": None, "suggestion": None})
    for lang, text in texts.items():
        key = (zh, text, lang, function)
        results: list[SignFinding]
        if cache is not None and key in cache:
            results = cache[key]
        else:
            # Stored as message id + parameters, shown in each reader's language.
            results = [{"lang": lang, "check_id": f.check, "severity": f.severity,
                        "message": messages.dumps(f.message), "start_pos": f.start,
                        "end_pos": f.end, "suggestion": f.suggestion}
                       for f in run_checks(db, zh, text, lang, function=function,
                                           profile="sign")]
            if cache is not None:
                cache[key] = results
        found.extend(results)
    return found


def finding_rows(sign_id: int, found: list[SignFinding]) -> list[tuple[Any, ...]]:
    """``sign_findings`` rows of one sign's findings (from :func:`installed_text_findings`)."""
    return [(sign_id, f["lang"], f["check_id"], f["severity"], f["message"], f["start_pos"],
             f["end_pos"], f["suggestion"]) for f in found]


def store_findings(db: Database, sign_ids: list[int], rows: list[tuple[Any, ...]],
                   counts: list[tuple[int, int]]) -> None:
    """Replace these signs' findings by ``rows``; ``counts`` are (finding_count, sign id).

    Runs in the caller's transaction. The findings may have been computed
    before it began (an import checks outside its short write transaction).
    """
    for start in range(0, len(sign_ids), 500):
        chunk = sign_ids[start:start + 500]
        db.execute(f"DELETE FROM sign_findings WHERE sign_id IN ({','.join('?' * len(chunk))})",
                   chunk)
    db.conn.executemany(
        "INSERT INTO sign_findings (sign_id, lang, check_id, severity, message, start_pos,"
        " end_pos, suggestion) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    # finding_count is a cache of sign_findings; keeping it on the row keeps the
    # has-QA-flags filter an index-free integer test.
    db.conn.executemany("UPDATE signs SET finding_count = ? WHERE id = ?", counts)


def refresh_findings(db: Database, sign_ids: Iterable[int]) -> int:
    """Re-run the QA checks on these signs' installed texts and store the findings.

    A confirmed public report about a sign is one more finding on it
    (``workbench.reports.queue.sign_findings_from_reports``).
    """
    from workbench.reports.queue import sign_findings_from_reports

    ids = list(sign_ids)
    cache: dict[tuple[str, str, str, str], list[SignFinding]] = {}
    total = 0
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        texts: dict[int, dict[str, str]] = {}
        for row in db.execute(f"SELECT sign_id, lang, text FROM sign_current_texts "
                              f"WHERE sign_id IN ({marks})", chunk):
            texts.setdefault(row[0], {})[row[1]] = row[2]
        rows: list[tuple[Any, ...]] = []
        counts: list[tuple[int, int]] = []
        reported = sign_findings_from_reports(db, chunk)
        for sign in db.query(f"SELECT id, zh, function, action, languages, finding_count "
                             f"FROM signs WHERE id IN ({marks})", chunk):
            found = installed_text_findings(db, sign["zh"], sign["function"],
                                            sign["action"], sign["languages"],
                                            texts.get(sign["id"], {}), cache)
            found += reported.get(sign["id"], [])
            rows += finding_rows(sign["id"], found)
            if len(found) != sign["finding_count"]:
                counts.append((len(found), sign["id"]))
        store_findings(db, chunk, rows, counts)
        total += len(rows)
    return total


RECHECK_CHUNK = 2000  # signs re-checked per transaction


def recheck(db: Database, actor: auth.User, county_id: int | None = None,
            progress: Callable[..., None] | None = None) -> tuple[int, int]:
    """Re-run the QA checks on every sign (of one county); returns (signs, findings).

    Signs are checked in chunks, each stored in one transaction with its audit
    event, so a stopped re-check keeps what it stored and can simply run again.
    """
    where, params = ("WHERE county_id = ?", [county_id]) if county_id else ("", [])
    ids = [r[0] for r in db.execute(f"SELECT id FROM signs {where} ORDER BY id", params)]
    total = 0
    if progress:
        progress(0, len(ids))
    for start in range(0, len(ids), RECHECK_CHUNK):
        chunk = ids[start:start + RECHECK_CHUNK]
        with transaction(db):
            found = refresh_findings(db, chunk)
            audit.record(db, actor, "inventory.recheck", "county" if county_id else "inventory",
                         county_id, None, {"signs": len(chunk), "findings": found,
                                           "first_sign": chunk[0], "last_sign": chunk[-1]})
        total += found
        if progress:
            progress(start + len(chunk), len(ids))
    return len(ids), total


def recheck_job(db: Database, *, progress: Callable[..., None], actor: auth.User,
                county_id: int | None = None) -> dict[str, Any]:
    """The ``inventory.recheck`` job: :func:`recheck` with progress."""
    signs, findings = recheck(db, actor, county_id, progress=progress)
    return {"signs": signs, "findings": findings,
            "summary": msg("Checked %(signs)s signs: %(findings)s findings.", signs=signs,
                           findings=findings)}


def search_body(code: str, zh: str, location: str, texts: Iterable[str]) -> str:
    """The text the full-text index holds for one sign (the site has its own filter)."""
    return " ".join([code, zh, location, *texts])


def reindex(db: Database, sign_ids: Iterable[int] | None = None) -> None:
    """Rebuild the full-text entries: code, Chinese, location, site, installed texts."""
    body = """SELECT s.id, s.sign_code || ' ' || s.zh || ' ' || s.location || ' ' ||
                     coalesce((SELECT group_concat(t.text, ' ') FROM sign_current_texts t
                               WHERE t.sign_id = s.id), '')
              FROM signs s"""
    if sign_ids is None:
        db.execute("DELETE FROM signs_fts")
        db.execute(f"INSERT INTO signs_fts (rowid, body) {body}")
        return
    ids = list(sign_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        db.execute(f"DELETE FROM signs_fts WHERE rowid IN ({marks})", chunk)
        db.execute(f"INSERT INTO signs_fts (rowid, body) {body} WHERE s.id IN ({marks})", chunk)


def search_clause(q: str) -> tuple[str, list[Any]]:
    """SQL restricting ``s.id`` to signs whose texts contain every word of ``q``.

    Words of 3+ characters use the trigram index; shorter ones (common in
    Chinese: 出口, 厕所) fall back to LIKE: Chinese ones over the sign's Chinese
    text and location (a short scan of the signs table), others over the
    indexed text.
    """
    parts, params = [], []
    for word in q.split():
        if len(word) >= 3:
            parts.append("s.id IN (SELECT rowid FROM signs_fts WHERE signs_fts MATCH ?)")
            params.append('"' + word.replace('"', '""') + '"')
        elif records.has_chinese(word):
            parts.append("(s.zh LIKE ? ESCAPE '\\' OR s.location LIKE ? ESCAPE '\\')")
            params += [like_pattern(word)] * 2
        else:
            parts.append("s.id IN (SELECT rowid FROM signs_fts WHERE body LIKE ? ESCAPE '\\')")
            params.append(like_pattern(word))
    return " AND ".join(parts), params
