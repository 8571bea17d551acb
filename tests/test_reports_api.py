"""The partner API: POST /api/reports (multipart), GET /api/reports/<code>, the OpenAPI
document (validated), the same limits as the public form, and a property-based run
(schemathesis, generating requests from the document) that never gets a server error."""
from __future__ import annotations

import io
import json

import pytest

from tests.support.reports import make_sign, photo_bytes, sign_code


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return dict(app_config, REPORT_OCR=False, REPORT_LIMIT_PER_ADDRESS=1000,
                REPORT_MAX_PHOTO_BYTES=256 * 1024, WTF_CSRF_ENABLED=True)


def _post(client, headers: dict | None = None, **fields):
    data = {"kind": "spelling", "description": "Toliet"}
    data.update(fields)
    return client.post("/api/reports", data=data, content_type="multipart/form-data",
                       headers=headers or {})


def test_a_partner_app_reports_and_follows_the_status(client, db, users):
    code = sign_code(db, make_sign(db, users, "卫生间", "Toliet"))
    # No session, no CSRF token: the API is exempt (CSRF is on in this app).
    response = _post(client, sign_code=code, suggestion="Toilet",
                     photo=(io.BytesIO(photo_bytes(gps=(19.93, 110.46))), "p.jpg"))
    assert response.status_code == 201, response.json
    receipt = response.json
    assert receipt["status"] == "new" and receipt["status_label"] == "Received"
    assert receipt["tracking_url"].endswith(f"/r/track/{receipt['tracking_code']}")
    assert response.headers["Location"] == receipt["status_url"]
    status = client.get(receipt["status_url"])
    assert status.status_code == 200 and status.json["kind"] == "spelling"
    assert status.headers["Cache-Control"] == "no-store"
    stored = next(db.query("SELECT * FROM reports"))
    assert stored["channel"] == "api" and stored["location_source"] == "photo"
    assert client.get(receipt["tracking_url"]).status_code == 200


def test_problems_come_back_as_json_in_the_callers_language(client, db):
    response = _post(client, kind="", latitude="north")
    assert response.status_code == 400 and response.json["error"] == "invalid"
    fields = {problem["field"] for problem in response.json["problems"]}
    assert fields == {"kind", "latitude"}
    chinese = _post(client, headers={"Accept-Language": "zh-CN"}, kind="")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.json["message"])
    assert db["reports"].count == 0


def test_api_limits(app, client, db):
    assert client.post("/api/reports", json={"kind": "other"}).status_code == 415
    huge = _post(client, place="Haikou", photo=(io.BytesIO(b"\0" * (600 * 1024)), "x.jpg"))
    assert huge.status_code == 413 and huge.json["error"] == "too_large"
    refused = _post(client, place="Haikou", photo=(io.BytesIO(b"GIF89a....."), "x.gif"))
    assert refused.status_code == 400 and refused.json["problems"][0]["field"] == "photo"
    app.config["REPORT_LIMIT_PER_ADDRESS"] = 2
    assert _post(client, place="Haikou").status_code == 201
    limited = _post(client, place="Haikou")
    assert limited.status_code == 429 and limited.json["error"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) == limited.json["retry_after"] > 0
    assert db["reports"].count == 1
    assert client.get("/api/reports/NOPE-NOPE-NOPE").json["error"] == "not_found"


def test_the_openapi_document_validates_and_matches_the_rules(client):
    from openapi_spec_validator import validate

    document = client.get("/api/openapi.json").json
    validate(document)
    assert document["openapi"] == "3.1.0"
    form = document["components"]["schemas"]["ReportForm"]
    assert form["properties"]["kind"]["enum"] == ["wrong_translation", "spelling",
                                                  "missing_language", "damaged", "other"]
    assert form["properties"]["description"]["maxLength"] == 2000
    assert str(256 * 1024) in form["properties"]["photo"]["description"]


def test_the_api_never_answers_with_a_server_error(app, db, users):
    """Requests generated from the OpenAPI document get 2xx or 4xx, as documented."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (response_schema_conformance,
                                                   status_code_conformance)

    make_sign(db, users, "出口", "Export")
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    seen: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=60, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case) -> None:
            response = case.call()
            seen.append(response.status_code)
            case.validate_response(response, checks=[not_a_server_error,
                                                     status_code_conformance,
                                                     response_schema_conformance])

        run()
    assert seen and max(seen) < 500
    assert {201, 400} <= set(seen)


def test_openapi_document_is_json_serializable_and_stable(client):
    first = client.get("/api/openapi.json").data
    assert json.loads(first) == json.loads(client.get("/api/openapi.json").data)
