"""The term glossary: concepts with terms per language, matching, and interchange."""
from workbench.glossary.match import (  # noqa: F401
    Entry, Glossary, TermMatch, bump_version, glossary_version, load_glossary, match,
)
