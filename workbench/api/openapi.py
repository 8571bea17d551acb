"""The OpenAPI 3.1 document of the partner API, built from the same vocabularies and limits
that the endpoints enforce (report kinds, statuses, text lengths, photo size)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench import __version__
from workbench.reports.intake import CODE_LENGTH, MAX_LENGTHS, SIGN_CODE_RE
from workbench.vocabulary import REPORT_KINDS, REPORT_STATUSES

TRACKING_CODE_PATTERN = r"^[2-9A-HJ-NP-Za-hj-np-z\- ]{%d,%d}$" % (CODE_LENGTH, CODE_LENGTH + 6)


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _report_form(max_photo: int, county_codes: list[str]) -> dict[str, Any]:
    text = {name: {"type": "string", "maxLength": limit} for name, limit in MAX_LENGTHS.items()}
    return {
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"type": "string", "enum": list(REPORT_KINDS.codes),
                     "description": "What is wrong. `other` needs a description."},
            "description": dict(text["description"], description="What is wrong, in words."),
            "suggestion": dict(text["suggestion"], description="The wording the reporter "
                                                               "suggests."),
            "contact": dict(text["contact"], description="E-mail or phone; only the office "
                                                         "sees it."),
            "sign_code": {"type": "string", "pattern": SIGN_CODE_RE.pattern,
                          "description": "The sign's code (printed on it, in its QR code; "
                                         "lower case is accepted too)."},
            "place": dict(text["place"], description="Where the sign is, in words."),
            "county": {"type": "string", "enum": county_codes,
                       "description": "County or city by its code; its Chinese or English "
                                      "name (海口市, Haikou) is accepted too."},
            "latitude": {"type": "number", "minimum": -90, "maximum": 90},
            "longitude": {"type": "number", "minimum": -180, "maximum": 180},
            "photo": {"type": "string", "contentMediaType": "application/octet-stream",
                      "description": f"JPEG, PNG or WebP, at most {max_photo} bytes. Its GPS "
                                     "position is used, then every piece of metadata is "
                                     "removed."},
        },
        "description": "A report about a sign given by `sign_code` must name a known sign; "
                       "a report without one must give a photo, a place, a position or a "
                       "county.",
    }


def _schemas(max_photo: int, county_codes: list[str]) -> dict[str, Any]:
    statuses = list(REPORT_STATUSES.codes)
    return {
        "ReportForm": _report_form(max_photo, county_codes),
        "Receipt": {
            "type": "object",
            "required": ["tracking_code", "status", "status_label", "tracking_url",
                         "status_url"],
            "properties": {
                "tracking_code": {"type": "string", "pattern": TRACKING_CODE_PATTERN},
                "status": {"type": "string", "enum": statuses},
                "status_label": {"type": "string"},
                "tracking_url": {"type": "string", "format": "uri",
                                 "description": "The public status page to show the "
                                                "reporter."},
                "status_url": {"type": "string", "format": "uri"},
            },
        },
        "ReportStatus": {
            "type": "object",
            "required": ["tracking_code", "status", "status_label", "note", "kind",
                         "received_on", "updated_on"],
            "properties": {
                "tracking_code": {"type": "string"},
                "status": {"type": "string", "enum": statuses},
                "status_label": {"type": "string"},
                "note": {"type": "string", "description": "What the status means, for the "
                                                          "reporter."},
                "kind": {"type": "string", "enum": list(REPORT_KINDS.codes)},
                "received_on": {"type": "string", "format": "date"},
                "updated_on": {"type": "string", "format": "date"},
                "fixed_on": {"type": ["string", "null"], "format": "date"},
                "rejection_reason": {"type": ["string", "null"],
                                     "description": "Why the office will not change the "
                                                    "sign (status `rejected`)."},
            },
        },
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {"type": "string", "enum": ["invalid", "not_found", "too_large",
                                                     "unsupported_media_type",
                                                     "rate_limited", "server_error"]},
                "message": {"type": "string"},
                "problems": {"type": "array", "items": {
                    "type": "object", "required": ["message"],
                    "properties": {"field": {"type": ["string", "null"]},
                                   "message": {"type": "string"}}}},
                "retry_after": {"type": "integer", "minimum": 1},
            },
        },
    }


def document(settings: Mapping[str, Any], server_url: str,
             county_codes: list[str]) -> dict[str, Any]:
    """The OpenAPI 3.1 document; ``server_url`` is where the API is reached,
    ``county_codes`` the counties reports may name."""
    max_photo = int(settings.get("REPORT_MAX_PHOTO_BYTES") or 0)
    language = {"name": "Accept-Language", "in": "header", "required": False,
                "schema": {"type": "string"},
                "description": "`zh` or `en`: the language of messages and labels."}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Signbench public sign reports", "version": __version__,
                 "description": "Report a wrong public sign in Hainan and follow what "
                                "becomes of the report. No account is needed; submissions "
                                "are rate-limited per sender and per sign."},
        "servers": [{"url": server_url.rstrip("/") or "/"}],
        "paths": {
            "/api/reports": {"post": {
                "operationId": "submitReport",
                "summary": "Report a problem with a public sign",
                "parameters": [language],
                "requestBody": {"required": True, "content": {"multipart/form-data": {
                    "schema": {"$ref": "#/components/schemas/ReportForm"},
                    "encoding": {"photo": {"contentType": "image/jpeg, image/png, "
                                                          "image/webp"}}}}},
                "responses": {
                    "201": {"description": "Received; keep the tracking code.",
                            "headers": {"Location": {"schema": {"type": "string"}}},
                            "content": {"application/json": {"schema": {
                                "$ref": "#/components/schemas/Receipt"}}}},
                    "400": _error("Something in the report is not right; every problem is "
                                  "listed."),
                    "413": _error("The request (photo) is larger than allowed."),
                    "415": _error("The body is not multipart/form-data."),
                    "429": _error("Too many reports from this sender or about this sign; "
                                  "see Retry-After."),
                }}},
            "/api/reports/{tracking_code}": {"get": {
                "operationId": "reportStatus",
                "summary": "What became of a report",
                "parameters": [language, {"name": "tracking_code", "in": "path",
                                          "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "The report's public status.",
                            "content": {"application/json": {"schema": {
                                "$ref": "#/components/schemas/ReportStatus"}}}},
                    "404": _error("No report has this tracking code."),
                }}},
        },
        "components": {"schemas": _schemas(max_photo, county_codes)},
    }
