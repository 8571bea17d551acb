"""The term glossary: concepts with terms per language, matching, and interchange.

- ``match``: Aho-Corasick matching (``load_glossary``, ``match``, ``Entry``, ``TermMatch``,
  ``bump_version``), the API the drafting engines and checks use.
- ``model``: ``ConceptRecord`` / ``TermRecord``, constants (domains, functions, statuses),
  reading concepts, statistics.
- ``store``: validation, bulk upsert and single-concept edits (audited, version bumped).
- ``io``: CSV / XLSX / TBX readers and writers, ``import_file``, ``load_directory``.
- ``search``: full-text search (FTS5 trigram) with filters.
- ``proposals``: translators' proposals, accepted or rejected by reviewers.
- ``seed``: ``workbench init`` loads the shipped ``glossaries/``; ``cli``: ``workbench glossary``.
- ``usage``: ``signs_using(db, concept_id)``, filled in by the sign inventory.
"""
from workbench.glossary.match import (
    Entry, Glossary, TermMatch, bump_version, glossary_version, load_glossary, match,
)

__all__ = [
    "Entry", "Glossary", "TermMatch", "bump_version", "glossary_version", "load_glossary",
    "match",
]
