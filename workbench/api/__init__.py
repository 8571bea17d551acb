"""The JSON API for partner apps (a mini-program, say): public error reports first.

Blueprint modules here are registered by the web plugin (:mod:`workbench.web.plugin`)
like the pages; the OpenAPI 3.1 document describing every endpoint is built by
:mod:`workbench.api.openapi` and served at ``/api/openapi.json``.
"""
