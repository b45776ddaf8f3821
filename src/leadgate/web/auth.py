"""Who is calling: the bearer token becomes a signed-in user and a service that runs as them."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from fastapi import Request
from fastapi.routing import APIRoute

from leadgate.platform import Organization, OrganizationService
from leadgate.platform.engine.errors import NOT_AUTHENTICATED
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.types import Interface, Language
from leadgate.platform.users.credentials import SignedInUser
from leadgate.web.errors import response_language
from leadgate.web.protection_asgi import admit

if TYPE_CHECKING:
    from leadgate.platform import HeldConnection

__all__ = ["BATCH_CALLER", "BatchCaller", "Session", "SignedInRoute", "signed_in"]

# The scope key under which a request of a $batch carries the batch's caller (web/batch.py).
BATCH_CALLER = "leadgate.batch_caller"


@dataclass(frozen=True)
class BatchCaller:
    """The batch's signed-in user, the service its request runs with (the batch's own, or one
    nested in the transaction of the change set the request belongs to), and the metadata the
    batch read once: a request of a change set takes no second connection from the pool."""

    user: SignedInUser
    service: OrganizationService
    metadata: MetadataSet


class Session:
    """One request's caller: the user, the language they read, and their service.

    Made by :func:`signed_in` on the event loop without any I/O; ``SignedInRoute`` checks
    the token before the route's first line: for a synchronous route in the thread the route
    runs in, so that a request takes one thread hop, not two, and its messages run on the
    connection the token was checked on (``Organization.authenticate_held``).
    """

    user: SignedInUser
    language: Language
    service: OrganizationService

    def __init__(self, organization: Organization, request: Request) -> None:
        self.organization = organization
        self.request = request
        self._metadata: MetadataSet | None = None
        self._held: HeldConnection | None = None
        self._authenticated = False

    def authenticate(self, *, hold: bool = True) -> None:
        """Authenticate the token (401 when missing, unknown or disabled), then count the
        request against the user's service protection limits (429 past one). ``hold``: keep
        the connection the token was checked on for the request's messages (until
        :meth:`release`). Once per request; a request of a $batch runs as the batch's caller."""
        if self._authenticated:
            return
        request, organization = self.request, self.organization
        batch: BatchCaller | None = request.scope.get(BATCH_CALLER)
        held = None
        if batch:
            user, metadata = batch.user, batch.metadata
        elif hold:
            user, metadata, held = organization.authenticate_held(bearer_token(request))
        else:
            user, metadata = organization.authenticate_with_metadata(bearer_token(request))
        try:
            # Errors raised later in this request are read in the user's language.
            request.state.user_language = user.language
            admit(request, user.user_id)
            language = response_language(request)
        except BaseException:
            if held is not None:
                held.close()
            raise
        self.user, self.language, self._metadata, self._held = user, language, metadata, held
        self.service = (
            batch.service
            if batch
            else organization.service(
                user.user_id, language=language, interface=Interface.WEB_API, held=held
            )
        )
        self._authenticated = True

    async def authenticate_unheld(self) -> None:
        """:meth:`authenticate` from the event loop, in a thread, holding no connection:
        before a body is read (a slow body would hold it) or an asynchronous route runs."""
        await anyio.to_thread.run_sync(functools.partial(self.authenticate, hold=False))

    def release(self) -> None:
        """Give back the connection held for the request (what runs later takes its own)."""
        if self._held is not None:
            self._held.close()
            self._held = None

    def metadata(self) -> MetadataSet:
        """The published tables, read once per request from the organization's cache (with
        the token, when the request was authenticated)."""
        if self._metadata is None:
            self._metadata = self.organization.metadata()
        return self._metadata


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NOT_AUTHENTICATED()
    return token.strip()


async def signed_in(request: Request) -> Session:
    """FastAPI dependency: the request's caller, authenticated by ``SignedInRoute`` before
    the route runs."""
    return Session(request.app.state.organization, request)


def _authenticated_first(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The route, run with its caller authenticated first: what a dependency doing it did.
    A synchronous route checks the token in its own thread, on the connection its messages
    then use (given back when it returns); an asynchronous one, in a thread, holding none."""
    if inspect.iscoroutinefunction(endpoint):

        @functools.wraps(endpoint)
        async def run_async(*args: Any, **values: Any) -> Any:
            for session in _sessions(values):
                await session.authenticate_unheld()
            return await endpoint(*args, **values)

        return run_async

    @functools.wraps(endpoint)
    def run(*args: Any, **values: Any) -> Any:
        sessions = _sessions(values)
        try:
            for session in sessions:
                session.authenticate()
            return endpoint(*args, **values)
        finally:
            for session in sessions:
                session.release()

    return run


def _sessions(values: dict[str, Any]) -> list[Session]:
    return [value for value in values.values() if isinstance(value, Session)]


class SignedInRoute(APIRoute):
    """The Web API's routes: the caller is authenticated before the route's first line, a
    synchronous route's in its own thread (one hop to the thread pool a request, not two:
    issue 16). Every route with a ``signed_in`` caller must be one (tests/e2e/test_read_route)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        super().__init__(path, _authenticated_first(endpoint), **options)
