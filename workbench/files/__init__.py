"""Reading and writing the files users bring and take: bounded, decoded one way, guarded.

Every importer (inventory, glossary, documents, XLIFF, photos) reads through
this package, so that one set of named limits (:mod:`workbench.files.limits`)
bounds rows, columns, cells, ZIP members, XML elements and paragraphs while a
file is streamed, before anything large is built in memory:

- :mod:`~workbench.files.limits` — the limits, from the settings, and the error that names one;
- :mod:`~workbench.files.zipfiles` — ZIP archives: member count, declared against real sizes,
  compression ratio, total uncompressed size;
- :mod:`~workbench.files.xmlguard` — XML: no entity declarations, element counts, a safe parser;
- :mod:`~workbench.files.decoding` — the one rule for text encodings;
- :mod:`~workbench.files.spreadsheets` — CSV and XLSX rows (XLSX through python-calamine, after
  a streaming scan of the sheet's extent);
- :mod:`~workbench.files.formulas` — the formula guard of every spreadsheet and CSV export.
"""
