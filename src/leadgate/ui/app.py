"""The browser app under /app: its pages, and how a failure becomes a page.

Every route runs as the signed-in person (``SignedIn``); a refusal that escapes a route is
shown on an error page in their language, with the coded error, never a traceback.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from leadgate.platform import Organization
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Text
from leadgate.ui.errors import CSRF_REFUSED, PAGE_NOT_FOUND
from leadgate.ui.pages import page
from leadgate.ui.posted import PostedForm
from leadgate.ui.sessions import (
    CSRF_FIELD,
    SignInRequired,
    UiSession,
    current_session,
    same_token,
    signin_url,
)
from leadgate.web.errors import status_of

__all__ = ["SignedIn", "check_csrf", "create_ui_app", "session_or_none"]

log = logging.getLogger(__name__)

SignedIn = Annotated[UiSession, Depends(current_session)]


def check_csrf(ui: UiSession, form: PostedForm) -> None:
    """Every form that changes something carries the session's CSRF token."""
    if not same_token(form.get(CSRF_FIELD), ui.csrf):
        raise CSRF_REFUSED()


def session_or_none(request: Request) -> UiSession | None:
    try:
        return current_session(request)
    except SignInRequired:
        return None


async def _sign_in_required(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequired)
    target = error.next_url if request.method == "GET" else "/"
    url = signin_url(target)
    if error.reason is not None:  # a disabled user: the sign-in page says so
        url += ("&" if "?" in url else "?") + "disabled=1"
    return RedirectResponse(url, status_code=303)


async def _refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, errors.LeadgateError)
    status = status_of(error)
    if status >= 500:
        log.error("%r on %s %s", error, request.method, request.url.path, exc_info=error)
    return page(request, session_or_none(request), "error.html", status_code=status,
                error=error)  # fmt: skip


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    try:
        ui = current_session(request)
    except SignInRequired as signed_out:
        # Which pages exist is no business of someone signed out (or whose session ended):
        # every address under /app asks them to sign in first.
        return await _sign_in_required(request, signed_out)
    refusal = (
        PAGE_NOT_FOUND(path=request.url.path)
        if error.status_code in (404, 405)
        else errors.INVALID_QUERY(detail=Text(N_("the request was refused: {reason}"),
                                              reason=str(error.detail)))
    )  # fmt: skip
    return page(request, ui, "error.html",
                status_code=404 if error.status_code == 405 else error.status_code,
                error=refusal)  # fmt: skip


async def _invalid_request(request: Request, error: Exception) -> Response:
    refusal = errors.INVALID_QUERY(detail=Text(N_("the request was refused: {reason}"),
                                               reason=str(error)[:200]))  # fmt: skip
    return page(request, session_or_none(request), "error.html", status_code=400, error=refusal)


async def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    fault = errors.UNEXPECTED(
        detail=Text(N_("the server failed while handling the request; the error is logged."))
    )
    return page(request, session_or_none(request), "error.html", status_code=500, error=fault)


def create_ui_app(organization: Organization) -> FastAPI:
    from leadgate.ui import routers

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.organization = organization
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(errors.LeadgateError, _refused)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _unexpected)
    app.add_api_route("/", _home, methods=["GET"], include_in_schema=False)
    for router in routers.ALL:
        app.include_router(router)
    return app


def _home(ui: SignedIn) -> Response:
    """/app/ opens the first page of the site map (the Leads grid)."""
    from leadgate.ui.signin import HOME

    return RedirectResponse(HOME, status_code=303)
