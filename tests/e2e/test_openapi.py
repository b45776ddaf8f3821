"""The OpenAPI document: what standard HTTP tools and fuzzers read to reach the server."""

from __future__ import annotations

import json

from tests.e2e.conftest import API, TestClient

COLLECTION = f"{API}/{{segment}}"


def test_the_openapi_document_is_published_without_a_token(sqlite_org):
    from leadgate.web import create_app

    with TestClient(create_app(sqlite_org)) as anonymous:
        response = anonymous.get("/openapi.json")
        health = anonymous.get("/health")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    operation = document["paths"]["/health"]["get"]
    assert "security" not in operation
    assert set(operation["responses"]) >= {"200", "503"}
    error = operation["responses"]["503"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}


def test_odata_routes_are_described_minimally_with_their_token_and_errors(sqlite_api):
    document = sqlite_api.get("/openapi.json").json()
    paths = document["paths"]

    read = paths[COLLECTION]["get"]
    assert read["security"] == [{"bearer": []}]
    assert {p["name"] for p in read["parameters"]} >= {
        "segment",
        "$filter",
        "$select",
        "$orderby",
        "$top",
        "Prefer",
    }
    assert set(read["responses"]) >= {"400", "401", "404", "413"}
    create = paths[COLLECTION]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {"type": "object"}
    bound = paths[f"{API}/{{segment}}/{{name}}"]
    assert "post" in bound  # bound actions (QualifyLead)
    assert "get" in bound  # bound functions (lg_DiagnoseQualify)
    assert bound["get"]["security"] == [{"bearer": []}]
    assert "lg_DiagnoseQualify" in json.dumps(bound["get"]["parameters"])
    assert f"{API}/{{path}}" not in paths  # the catch-all only says 404 or 405
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    # The framework's validation error (422) is never what this server answers.
    assert '"422"' not in json.dumps(document)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_browser_apps_sign_in_is_described(sqlite_org):
    from leadgate.web import create_app

    with TestClient(create_app(sqlite_org)) as anonymous:
        document = anonymous.get("/openapi.json").json()

    paths = document["paths"]
    page = paths["/signin"]["get"]
    assert "text/html" in page["responses"]["200"]["content"]
    assert {p["name"] for p in page.get("parameters", [])} >= {"next"}
    signin = paths["/signin"]["post"]
    form = signin["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert set(form["required"]) == {"email", "password", "csrf_token"}
    assert set(signin["responses"]) >= {"303", "401", "403", "429"}
    assert "422" not in signin["responses"]
    assert "303" in paths["/signout"]["post"]["responses"]
    assert "Sign-in" in {tag["name"] for tag in document["tags"]}
    assert "security" not in signin  # the door itself needs no token


def test_odata_answers_describe_the_service_protection_headers(sqlite_api):
    document = sqlite_api.get("/openapi.json").json()
    read = document["paths"][COLLECTION]["get"]["responses"]
    assert "x-ms-ratelimit-burst-remaining-xrm-requests" in read["200"]["headers"]
    assert "x-ms-ratelimit-time-remaining-xrm-requests" in read["200"]["headers"]
    assert read["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}
    assert "0x80072322" in read["429"]["description"]
