"""Responses as Dataverse sends them: JSON with OData's content type and version header.

Every response is built here so no route (or error handler) can forget the headers that
OData clients check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

__all__ = ["JSON_CONTENT_TYPE", "ODATA_HEADERS", "empty_response", "json_response"]

JSON_CONTENT_TYPE = "application/json; odata.metadata=minimal"
ODATA_HEADERS = {"OData-Version": "4.0"}


def _encode(content: Any) -> bytes:
    text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate a client once sent cannot be UTF-8; JSON escapes still carry it.
        return json.dumps(content, ensure_ascii=True, allow_nan=False).encode("ascii")


def json_response(
    content: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        _encode(content),
        status_code=status_code,
        headers={**ODATA_HEADERS, **(headers or {})},
        media_type=JSON_CONTENT_TYPE,
    )


def empty_response(status_code: int = 204, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status_code=status_code, headers={**ODATA_HEADERS, **(headers or {})})
