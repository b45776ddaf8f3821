"""Errors as the Web API answers them: one table from error codes to HTTP statuses.

Every failure, the framework's own included, leaves as Dataverse's error body
``{"error": {"code": "0x…", "message": "…"}}`` in the caller's language (REFERENCE §8).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from leadgate.platform.duplicates.errors import DUPLICATE_DETECTED
from leadgate.platform.engine import errors
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.types import Language
from leadgate.platform.plugins.errors import STEP_NOT_LOADABLE
from leadgate.platform.records.keys import RECORD_NOT_FOUND_BY_KEY
from leadgate.web.languages import accept_language
from leadgate.web.responses import json_response

__all__ = [
    "STATUS_BY_CODE",
    "MethodNotAllowed",
    "bad_query",
    "error_response",
    "install_error_handlers",
    "response_language",
    "status_of",
]

log = logging.getLogger(__name__)

AUTHENTICATE_HEADER = {"WWW-Authenticate": 'Bearer realm="leadgate"'}

# Anything not listed is a refusal of the caller's input: 400.
STATUS_BY_CODE: dict[str, int] = {
    errors.NOT_AUTHENTICATED.code: 401,
    errors.USER_DISABLED.code: 401,
    "0x80040220": 403,  # missing privilege (REFERENCE §8)
    "0x80048306": 403,  # no access to this record (REFERENCE §8)
    "0x8F4C47E8": 403,  # record_history_denied (platform/audit/errors.py)
    "0x8F4C47E9": 403,  # audit_read_only: the audit table is written by the platform only
    "0x8F4C47C8": 403,  # csrf_refused (ui/errors.py): a form not sent from the app's own page
    errors.RECORD_NOT_FOUND.code: 404,
    RECORD_NOT_FOUND_BY_KEY.code: 404,
    errors.METHOD_NOT_ALLOWED.code: 405,
    errors.RESOURCE_NOT_FOUND.code: 404,
    errors.VERSION_MISMATCH.code: 412,
    errors.DUPLICATE_RECORD.code: 412,
    "0x8F4C4780": 413,  # request_too_large (web/limits.py)
    # A duplicate found with MSCRM.SuppressDuplicateDetection: false (or on QualifyLead): 500,
    # as in Dataverse's own example ("Detect duplicate data using the Web API"), so that a
    # client written for Dataverse meets the same answer. It is a refusal all the same.
    DUPLICATE_DETECTED.code: 500,
    errors.DATABASE_BUSY.code: 503,
    errors.DATABASE_UNAVAILABLE.code: 503,
    errors.NOT_INITIALIZED.code: 503,
    errors.UPGRADE_NEEDED.code: 503,
    errors.UNEXPECTED.code: 500,
    errors.PLUGIN_UNEXPECTED.code: 500,
    # The server's set-up, not the request, needs fixing (as for an upgrade); a registration
    # naming a handler that cannot load (PLUGIN_NOT_LOADABLE) is the caller's mistake: 400.
    STEP_NOT_LOADABLE.code: 503,
    # The browser app's sign-in and forms (platform/users/errors.py, ui/errors.py).
    "0x8F4C47C0": 401,  # sign_in_failed
    "0x8F4C47C1": 429,  # sign_in_throttled
    "0x8F4C47C9": 404,  # page_not_found
    # Service protection (web/protection.py): Dataverse's codes, with Retry-After.
    "0x80072322": 429,  # requests_exceeded
    "0x80072321": 429,  # execution_time_exceeded
    "0x80072326": 429,  # concurrent_requests_exceeded
}


# Codes answered with a 5xx status to match Dataverse although the caller caused them: they
# are not logged as the server's failures.
REFUSED_AS_500 = frozenset({DUPLICATE_DETECTED.code})
# The server's set-up needs fixing and the message says how: one line in the log, no traceback
# (which would point into leadgate, not at what to fix).
SETUP_NEEDED = frozenset({STEP_NOT_LOADABLE.code})


def status_of(error: LeadgateError) -> int:
    return STATUS_BY_CODE.get(error.code, 400)


def bad_query(text: str, /, **params: Any) -> LeadgateError:
    """An invalid URL, query option or header; ``text`` is a catalog text (N_)."""
    return errors.INVALID_QUERY(detail=Text(text, **params))


class MethodNotAllowed(Exception):
    """A method the resource does not have: 405 with an Allow header, still a coded error."""

    def __init__(self, method: str, allowed: str) -> None:
        super().__init__(method)
        self.allowed = allowed
        self.error = errors.METHOD_NOT_ALLOWED(method=method, allowed=allowed)


def response_language(request: Request) -> Language:
    """Accept-Language when it names English or French, else the signed-in user's language."""
    chosen = accept_language(request.headers.get("accept-language"))
    if chosen is not None:
        return chosen
    return getattr(request.state, "user_language", None) or Language.ENGLISH


def error_response(
    error: LeadgateError,
    language: Language,
    status: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    status = status or status_of(error)
    headers = dict(headers or {})
    if status == 401:
        headers.update(AUTHENTICATE_HEADER)
    if status == 413:
        # The rest of a body too large is never read, so this connection cannot carry another
        # request: say so rather than drop it.
        headers["Connection"] = "close"
    body: dict[str, Any] = {"code": error.code, "message": error.message(language) or error.key}
    if error.details:
        body["details"] = error.details
    return json_response({"error": body}, status, headers=headers)


async def _leadgate_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, LeadgateError)
    if error.code in SETUP_NEEDED:
        log.warning("%s %s: %s", request.method, request.url.path, error.message())
    elif status_of(error) >= 500 and error.code not in REFUSED_AS_500:
        log.error("%r on %s %s", error, request.method, request.url.path, exc_info=error)
    return error_response(error, response_language(request))


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    language = response_language(request)
    if error.status_code == 404:
        return error_response(errors.RESOURCE_NOT_FOUND(segment=request.url.path), language)
    if error.status_code == 405:
        allowed = (error.headers or {}).get("Allow", "")
        return await _method_not_allowed(request, MethodNotAllowed(request.method, allowed))
    detail = bad_query(
        N_("the request was refused: {reason}"),
        reason=str(error.detail),
    )
    return error_response(detail, language, error.status_code)


async def _method_not_allowed(request: Request, error: Exception) -> Response:
    assert isinstance(error, MethodNotAllowed)
    return error_response(
        error.error, response_language(request), 405, headers={"Allow": error.allowed}
    )


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem.get('loc', ()))}: {problem.get('msg', '')}"
        for problem in error.errors()
    )
    refusal = bad_query(
        N_("the request was refused: {reason}"),
        reason=problems,
    )
    return error_response(refusal, response_language(request))


async def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    fault = errors.UNEXPECTED(
        detail=Text(
            N_("the server failed while handling the request; the error is logged."),
        )
    )
    return error_response(fault, response_language(request))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LeadgateError, _leadgate_error)
    app.add_exception_handler(MethodNotAllowed, _method_not_allowed)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
