"""Exports: approved wording leaves the workbench for sign makers and other systems.

``selection`` decides which signs and which wording may leave (only approved
wording, ever); ``sheets`` (CSV/XLSX), ``proofs`` (PDF), ``exchange``
(TMX/TBX/XLIFF and the XLIFF re-import) and ``package`` (county ZIP) write
files; ``runs`` makes every export a run of the job system (a worker writes the
file, the run keeps it for downloading again); ``cli`` adds ``workbench export …`` and
``workbench import xliff``.
"""
