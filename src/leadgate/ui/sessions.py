"""Who is at the browser: a session cookie holding a token that expires, and the CSRF token
every form carries.

A session is an API token of the signed-in user (CreateApiToken with a lifetime), so
signing out (RevokeApiToken) or disabling the user ends it at once, on every server process.
The CSRF token is derived from the session token, which only the browser holding the
(HttpOnly) cookie knows; the sign-in form, before any session exists, is protected by a
double-submit cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from leadgate.platform import Organization, OrganizationService
from leadgate.platform.engine import errors
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.types import Interface, Language
from leadgate.platform.users.credentials import SignedInUser

__all__ = [
    "CSRF_FIELD",
    "SESSION_COOKIE",
    "SESSION_LIFETIME",
    "SIGNIN_COOKIE",
    "SignInRequired",
    "UiSession",
    "clear_session_cookie",
    "csrf_for",
    "current_session",
    "set_session_cookie",
    "signin_url",
]

SESSION_COOKIE = "leadgate_session"
SIGNIN_COOKIE = "leadgate_signin"
CSRF_FIELD = "csrf_token"
# A working day and then some: a person signs in again the next morning.
SESSION_LIFETIME = dt.timedelta(hours=12)


class SignInRequired(Exception):
    """No valid session: the page sends the person to the sign-in page (and back after)."""

    def __init__(self, next_url: str, reason: errors.LeadgateError | None = None) -> None:
        super().__init__(next_url)
        self.next_url = next_url
        self.reason = reason


@dataclass
class UiSession:
    """One request's signed-in person: their service runs every message as them."""

    organization: Organization
    user: SignedInUser
    language: Language
    service: OrganizationService
    token: str = field(repr=False)
    _metadata: MetadataSet | None = field(default=None, repr=False)

    @property
    def csrf(self) -> str:
        return csrf_for(self.token)

    def metadata(self) -> MetadataSet:
        if self._metadata is None:
            self._metadata = self.organization.metadata()
        return self._metadata


def csrf_for(secret: str) -> str:
    return hmac.new(secret.encode(), b"leadgate-csrf", hashlib.sha256).hexdigest()[:40]


def same_token(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def signin_url(next_url: str = "/") -> str:
    return "/signin" if next_url in ("", "/") else f"/signin?next={quote(next_url, safe='/')}"


def current_session(request: Request) -> UiSession:
    """The signed-in person, or SignInRequired (a revoked, expired or disabled session too)."""
    organization: Organization = request.app.state.organization
    token = request.cookies.get(SESSION_COOKIE, "")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not token:
        raise SignInRequired(here)
    try:
        user = organization.authenticate(token)
    except errors.LeadgateError as refusal:
        reason = refusal if refusal.code == errors.USER_DISABLED.code else None
        raise SignInRequired(here, reason) from None
    request.state.user_language = user.language
    service = organization.service(
        user.user_id, language=user.language, interface=Interface.BROWSER
    )
    return UiSession(organization, user, user.language, service, token)


def is_secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), path="/",
        httponly=True, secure=is_secure(request), samesite="lax",
    )  # fmt: skip


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, secure=is_secure(request), samesite="lax"
    )


def new_signin_secret() -> str:
    return secrets.token_urlsafe(24)
