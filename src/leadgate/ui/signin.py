"""Signing in and out, and the front door: ``/`` opens the Leads grid or the sign-in page."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from leadgate.platform import EntityReference, Organization
from leadgate.platform.engine import errors
from leadgate.platform.engine.types import Interface, Language
from leadgate.platform.users.errors import SIGN_IN_THROTTLED
from leadgate.platform.users.messages import CreateApiTokenRequest, RevokeApiTokenRequest
from leadgate.ui.errors import CSRF_REFUSED
from leadgate.ui.pages import page
from leadgate.ui.posted import read_form
from leadgate.ui.sessions import (
    CSRF_FIELD,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    SIGNIN_COOKIE,
    SignInRequired,
    clear_session_cookie,
    csrf_for,
    current_session,
    is_secure,
    new_signin_secret,
    same_token,
    set_session_cookie,
)
from leadgate.ui.sitemap import APP_ROOT
from leadgate.ui.throttle import SignInThrottle
from leadgate.web.languages import accept_language
from leadgate.web.openapi import SIGNIN_TAG

__all__ = ["router"]

router = APIRouter()
HOME = f"{APP_ROOT}/leads"
SESSION_NAME = "browser session"
_PAGE = {"content": {"text/html": {"schema": {"type": "string"}}}}
_SIGNIN_FORM = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {
                    "email": {"type": "string"},
                    "password": {"type": "string", "format": "password"},
                    "next": {"type": "string", "description": "A path of this site to open."},
                    CSRF_FIELD: {
                        "type": "string",
                        "description": "The value the sign-in page put in its form, matching "
                        "its cookie.",
                    },
                },
                "required": ["email", "password", CSRF_FIELD],
            }
        }
    },
}


def safe_next(target: str | None) -> str:
    """Only a path of this site: never an address elsewhere (an open redirect)."""
    if not target:
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return HOME
    if "\\" in target or any(ord(character) < 32 for character in target):
        return HOME
    return target


def _language(request: Request) -> Language:
    """Before anyone signs in: the language chosen on the page, else the browser's."""
    chosen = request.query_params.get("lang")
    if chosen in (Language.ENGLISH, Language.FRENCH):
        return Language(chosen)
    return accept_language(request.headers.get("accept-language")) or Language.ENGLISH


def _throttle(request: Request) -> SignInThrottle:
    throttle = getattr(request.app.state, "signin_throttle", None)
    if throttle is None:
        throttle = request.app.state.signin_throttle = SignInThrottle()
    return throttle


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/", include_in_schema=False)
def front_door(request: Request) -> Response:
    try:
        current_session(request)
    except SignInRequired:
        return RedirectResponse("/signin", status_code=303)
    return RedirectResponse(HOME, status_code=303)


def _signin_page(
    request: Request,
    *,
    email: str = "",
    next_url: str = "",
    error: errors.LeadgateError | None = None,
    status_code: int = 200,
) -> Response:
    secret = request.cookies.get(SIGNIN_COOKIE) or new_signin_secret()
    response = page(
        request, None, "signin.html", status_code=status_code, language=_language(request),
        csrf=csrf_for(secret), email=email, next_url=safe_next(next_url), error=error,
    )  # fmt: skip
    response.set_cookie(
        SIGNIN_COOKIE, secret, max_age=3600, path="/signin", httponly=True,
        secure=is_secure(request), samesite="strict",
    )  # fmt: skip
    return response


@router.get(
    "/signin",
    tags=[SIGNIN_TAG],
    summary="The sign-in page",
    description="An HTML form (email and password) for the browser app, in the language of "
    "?lang=en|fr or Accept-Language. Programs use an API token instead (bearer).",
    responses={200: {"description": "The sign-in page, with its CSRF cookie.", **_PAGE}},
    response_class=Response,
)
def signin_form(request: Request, next: str = "") -> Response:
    return _signin_page(request, next_url=next)


@router.post(
    "/signin",
    tags=[SIGNIN_TAG],
    summary="Sign in to the browser app",
    description="Checks the email and password sent by the sign-in page's form; repeated "
    "failures for one address are slowed down (docs/security.md).",
    openapi_extra={"requestBody": _SIGNIN_FORM},
    status_code=303,
    responses={
        303: {"description": "Signed in: a session cookie is set and the browser is sent to "
              "next (the Leads grid by default)."},
        401: {"description": "Wrong email or password, or a disabled user: the page again, "
              "with the coded error.", **_PAGE},
        403: {"description": "The form was not sent from the sign-in page (CSRF).", **_PAGE},
        429: {"description": "Too many failed sign-ins for this address: wait, then retry.",
              **_PAGE},
    },
    response_class=Response,
)  # fmt: skip
async def signin(request: Request) -> Response:
    form = await read_form(request)
    email, password = form.get("email", "").strip(), form.get("password", "")
    next_url = form.get("next", "")
    secret = request.cookies.get(SIGNIN_COOKIE, "")
    if not secret or not same_token(form.get(CSRF_FIELD), csrf_for(secret)):
        return _signin_page(request, email=email, next_url=next_url,
                            error=CSRF_REFUSED(), status_code=403)  # fmt: skip
    throttle = _throttle(request)
    wait = throttle.wait_needed(email)
    if wait:
        return _signin_page(request, email=email, next_url=next_url,
                            error=SIGN_IN_THROTTLED(seconds=wait), status_code=429)  # fmt: skip
    organization: Organization = request.app.state.organization
    try:
        user = organization.sign_in(email, password)
        service = organization.service(
            user.user_id, language=user.language, interface=Interface.BROWSER
        )
        opened = service.execute(CreateApiTokenRequest(
            EntityReference("systemuser", user.user_id), SESSION_NAME, lifetime=SESSION_LIFETIME
        ))  # fmt: skip
    except errors.LeadgateError as refusal:
        if refusal.code != errors.USER_DISABLED.code:
            throttle.failed(email)
        return _signin_page(request, email=email, next_url=next_url, error=refusal,
                            status_code=401)  # fmt: skip
    throttle.succeeded(email)
    response = RedirectResponse(safe_next(next_url), status_code=303)
    set_session_cookie(response, request, opened.token)
    response.delete_cookie(SIGNIN_COOKIE, path="/signin")
    return response


@router.post(
    "/signout",
    tags=[SIGNIN_TAG],
    summary="Sign out of the browser app",
    description="Ends the session of the cookie (its token is revoked) when the form carries "
    "the session's CSRF value.",
    status_code=303,
    responses={303: {"description": "Signed out: the cookie is cleared; to the sign-in page."}},
    response_class=Response,
)
async def signout(request: Request) -> Response:
    form = await read_form(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    response = RedirectResponse("/signin", status_code=303)
    if token and same_token(form.get(CSRF_FIELD), csrf_for(token)):
        try:
            ui = current_session(request)
            ui.service.execute(RevokeApiTokenRequest(token))
        except (SignInRequired, errors.LeadgateError):
            pass  # already ended: the cookie goes all the same
        clear_session_cookie(response, request)
    return response
