"""The JSON API for partner apps (a mini-program, say): public error reports first.

Blueprint modules here are listed in ``workbench.web.BLUEPRINT_MODULES`` like
the pages; the OpenAPI 3.1 document describing every endpoint is built by
:mod:`workbench.api.openapi` and served at ``/api/openapi.json``.
"""
