"""Document translation: policy documents and reports, segment by segment.

Upload (DOCX, plain text, Markdown, XLIFF 1.2/2.0, or a format a plugin adds:
:mod:`workbench.documents.formats`) → segmentation by rules → one translation
unit per segment and target language → translation memory, glossary, machine
drafts, QA checks and the review workflow, as for signs → export (translated
file, bilingual DOCX, XLIFF 2.0, TMX, text).
"""
