"""Document translation: policy documents and reports, segment by segment.

Upload (DOCX, plain text, Markdown, XLIFF 1.2/2.0) → segmentation by rules →
one translation unit per segment and target language → translation memory,
glossary, machine drafts, QA checks and the review workflow, as for signs →
export (translated DOCX, bilingual DOCX, XLIFF 2.0, TMX, text).

Importing the package registers the placeholder QA check.
"""
from workbench.checks import placeholders as _placeholders  # noqa: F401  registers the check
