"""The OpenAPI document at ``/openapi.json``: what a standard HTTP fuzzer needs to start.

The server's own endpoints (``/health``, and the browser app's sign-in: ``/signin``,
``/signout``) are described in full. The OData routes are
described minimally, as routes: their entity sets and properties are the organization's
published tables, which OData clients learn from the organization, not from this document.
Each is marked as needing a bearer token, answers errors with Dataverse's error body, and
takes a JSON object where it takes a body.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from leadgate import __version__
from leadgate.web.resources import API_PATH

__all__ = ["OPENAPI_URL", "SIGNIN_TAG", "install_openapi"]

OPENAPI_URL = "/openapi.json"
ODATA_TAG = "OData"
SIGNIN_TAG = "Sign-in"  # the browser app's sign-in routes (ui/signin.py)
BEARER = "bearer"
_ERROR = {"$ref": "#/components/schemas/Error"}
_ERROR_SCHEMA = {
    "type": "object",
    "description": "Dataverse's error body; the message is in the caller's language.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "example": "0x8006088a"},
                "message": {"type": "string"},
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}
_REMAINING = {
    "x-ms-ratelimit-burst-remaining-xrm-requests": {
        "description": "Requests the user has left in the service protection window.",
        "schema": {"type": "integer"},
    },
    "x-ms-ratelimit-time-remaining-xrm-requests": {
        "description": "Seconds of execution time the user has left in the window, "
        "written as Dataverse does (1,199.46).",
        "schema": {"type": "string"},
    },
}
_QUERY_OPTIONS = {
    "$select": "Columns to return, separated by commas.",
    "$filter": "Conditions, e.g. lastname eq 'Contoso' and numberofemployees gt 10.",
    "$orderby": "Columns to sort by, each optionally followed by asc or desc.",
    "$top": "At most this many records.",
    "$count": "true to return @odata.count.",
    "$skiptoken": "The next page, as given in @odata.nextLink.",
}


def _error_responses(operation: dict[str, Any], statuses: tuple[str, ...]) -> None:
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)  # FastAPI's validation body: this server answers 400
    for status in statuses:
        responses[status] = {
            "description": responses.get(status, {}).get("description", "A coded error."),
            "content": {"application/json": {"schema": _ERROR}},
        }


def _describe_odata(path: str, method: str, operation: dict[str, Any]) -> None:
    operation["tags"] = [ODATA_TAG]
    for parameter in operation.get("parameters", []):
        if parameter["name"] == "segment":
            parameter["description"] = "An entity set (leads) or one record (leads(<GUID>))."
        elif parameter["name"] == "name":
            parameter["description"] = (
                "A bound action (POST: Microsoft.Dynamics.CRM.QualifyLead) or function (GET: "
                "Microsoft.Dynamics.CRM.lg_DiagnoseQualify(UserId=@u)?@u=<GUID>)."
            )
    operation["security"] = [{BEARER: []}]
    _error_responses(operation, ("400", "401", "403", "404", "413", "429", "default"))
    _describe_limits(operation)
    if method in ("post", "patch"):
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    if method == "get" and path == f"{API_PATH}/{{segment}}":
        parameters = operation.setdefault("parameters", [])
        parameters += [
            {"name": name, "in": "query", "required": False, "description": text,
             "schema": {"type": "string"}}
            for name, text in _QUERY_OPTIONS.items()
        ]  # fmt: skip
        parameters.append({
            "name": "Prefer", "in": "header", "required": False,
            "description": 'e.g. odata.maxpagesize=50, odata.include-annotations="*"',
            "schema": {"type": "string"},
        })  # fmt: skip


def _describe_limits(operation: dict[str, Any]) -> None:
    """Service protection (docs/limits.md): what is left on each answer, Retry-After on 429."""
    responses = operation["responses"]
    responses["429"]["description"] = (
        "A service protection limit of the user was reached (0x80072322, 0x80072321, "
        "0x80072326): wait Retry-After seconds."
    )
    responses["429"]["headers"] = {
        "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
    }
    for status, response in responses.items():
        if status.startswith("2"):
            response["headers"] = dict(_REMAINING)


def build_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of ``app``'s routes, OData ones described minimally."""
    document = get_openapi(
        title=app.title,
        version=__version__,
        description=app.description,
        routes=app.routes,
        tags=[{
            "name": SIGNIN_TAG,
            "description": "The browser app's sign-in, with an HTML form. Programs send an API "
            "token instead (leadgate token create), as a bearer token.",
        }, {
            "name": ODATA_TAG,
            "description": "Dataverse Web API v9.2: entity sets and properties are the "
            "organization's published tables; errors are coded, in English or French "
            "(Accept-Language).",
        }],
    )  # fmt: skip
    paths: dict[str, dict[str, Any]] = document.get("paths", {})
    for path, operations in paths.items():
        for method, operation in operations.items():
            if path.startswith(API_PATH):
                _describe_odata(path, method, operation)
            elif SIGNIN_TAG in operation.get("tags", ()):
                operation.get("responses", {}).pop("422", None)  # its refusals are pages
            else:
                declared = operation.get("responses", {})
                refusals = [status for status in declared if status[0] in "45"]
                _error_responses(operation, (*refusals, "default"))
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["Error"] = _ERROR_SCHEMA
    components["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (leadgate token create --email <email>).",
        }
    }
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve :func:`build_document` at OPENAPI_URL (built once, at the first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
