"""Exports: approved wording leaves the workbench for sign makers and other systems.

``selection`` decides which signs and which wording may leave (only approved
wording, ever); ``sheets`` (CSV/XLSX), ``proofs`` (PDF), ``exchange``
(TMX/TBX/XLIFF and the XLIFF re-import) and ``package`` (county ZIP) write
files; ``jobs`` records every run, reports progress and keeps the files for
downloading again; ``cli`` adds ``workbench export …`` and ``workbench import xliff``.
"""
