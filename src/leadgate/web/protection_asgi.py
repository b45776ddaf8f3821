"""Service protection applied to requests: counted per signed-in user, reported in headers.

The user is known only once the bearer token is authenticated (``web.auth.signed_in``), so
the count happens there, through :func:`admit`; this middleware wraps the whole request, to
add what is left to the response's headers (Dataverse's ``x-ms-ratelimit-…`` pair),
``Retry-After`` to a refusal, and to count the request's time when its answer has been sent.
Requests without a valid token (401) and the browser app's pages are not counted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leadgate.web.protection import Admission, ServiceProtection, Throttled

__all__ = [
    "BURST_REMAINING_HEADER",
    "TIME_REMAINING_HEADER",
    "ProtectionMiddleware",
    "admit",
]

BURST_REMAINING_HEADER = "x-ms-ratelimit-burst-remaining-xrm-requests"
TIME_REMAINING_HEADER = "x-ms-ratelimit-time-remaining-xrm-requests"
_SLOT = "service_protection"


@dataclass
class _Slot:
    """One request's place in the count: filled by :func:`admit`, read by the middleware."""

    protection: ServiceProtection
    admission: Admission | None = None
    retry_after: int | None = None


def admit(request: Request, user_id: uuid.UUID) -> None:
    """Count this request for ``user_id``; the coded 429 error when a limit is reached."""
    slot: _Slot | None = getattr(request.state, _SLOT, None)
    if slot is None or slot.admission is not None:
        return  # served without the middleware, or already counted
    try:
        slot.admission = slot.protection.admit(user_id)
    except Throttled as refusal:
        slot.retry_after = refusal.retry_after
        raise refusal.error from None


def _headers(slot: _Slot) -> list[tuple[bytes, bytes]]:
    headers: list[tuple[bytes, bytes]] = []
    admission = slot.admission
    if admission is not None and admission.requests_remaining is not None:
        headers.append((BURST_REMAINING_HEADER.encode(), b"%d" % admission.requests_remaining))
    if admission is not None and admission.time_remaining is not None:
        # Seconds, written as Dataverse writes them: "1,199.46".
        seconds = f"{admission.time_remaining:,.2f}"
        headers.append((TIME_REMAINING_HEADER.encode(), seconds.encode()))
    if slot.retry_after is not None:
        headers.append((b"retry-after", b"%d" % slot.retry_after))
    return headers


class ProtectionMiddleware:
    """Wraps each HTTP request in a slot that :func:`admit` fills once the user is known."""

    def __init__(self, app: ASGIApp, protection: ServiceProtection) -> None:
        self.app = app
        self.protection = protection

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # a copy for each request (ASGI's lifespan state)
        if _SLOT in state:
            # A request made inside another, with its state (a $batch's parts): counted once,
            # with the request that carries it, as Dataverse counts a batch.
            await self.app(scope, receive, send)
            return
        slot = _Slot(self.protection)
        state[_SLOT] = slot

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = _headers(slot)
                if extra:
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if slot.admission is not None:
                self.protection.finish(slot.admission)
