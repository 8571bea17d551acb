"""Where a concept is used: the signs whose texts contain its terms.

:func:`signs_using` is the hook the glossary page calls; the sign inventory
fills it in (it knows its own tables).
"""
from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def signs_using(db: Database, concept_id: str, *, limit: int = 50,
                user: Any = None) -> list[dict[str, Any]]:
    """Signs that use the concept, newest first, at most ``limit``.

    Each item is a dict with ``id``, ``label`` (code, Chinese, installed
    English), ``url`` (the sign's page) and ``county`` (its county name). A
    sign uses a concept when its Chinese text contains one of the concept's
    Chinese terms. Only signs the ``user`` may see are returned (an officer:
    their county); without a user nothing is returned, so a caller that forgets
    to pass one cannot show another county's signs.
    """
    if user is None or not db["signs"].exists():
        return []
    from workbench import auth

    terms = [r[0] for r in db.execute(
        "SELECT DISTINCT text FROM glossary_terms WHERE concept_id = ? AND lang = 'zh' "
        "AND status != 'forbidden'", [concept_id]) if r[0]]
    if not terms:
        return []
    where = " OR ".join("instr(s.zh, ?) > 0" for _ in terms)
    params: list[Any] = list(terms)
    scope = auth.county_scope(user)
    county_clause = ""
    if scope is not None:
        county_clause = "AND s.county_id = ?"
        params.append(scope)
    rows = db.execute(
        f"""SELECT s.id, s.sign_code, s.zh, c.name_zh,
                   (SELECT text FROM sign_current_texts t WHERE t.sign_id = s.id
                    AND t.lang = 'en')
            FROM signs s JOIN counties c ON c.id = s.county_id
            WHERE ({where}) {county_clause}
            ORDER BY s.updated_at DESC, s.id DESC LIMIT ?""", params + [limit])
    return [{"id": sign_id, "label": f"{code} {zh}" + (f" — {en}" if en else ""),
             "url": f"/inventory/signs/{sign_id}", "county": county}
            for sign_id, code, zh, county, en in rows]
