"""The request body limit, as ASGI middleware: 413 before the application reads the body."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leadgate.platform.engine.errors import LeadgateError
from leadgate.web.errors import error_response, response_language
from leadgate.web.limits import BATCH_BODY_OPTION, BATCH_SUFFIX, BODY_OPTION, REQUEST_TOO_LARGE
from leadgate.web.options import is_number

__all__ = ["BodyLimit"]


class BodyLimit:
    """Refuse request bodies over a size with 413, before the application reads them.

    A declared Content-Length over the limit is refused without calling the application (so
    no authentication, no route, and nothing of the body is read); a body sent without a
    length (chunked) is counted as it streams and refused as soon as it passes the limit.
    The 413 closes the connection: the rest of the body is never read.
    """

    def __init__(self, app: ASGIApp, max_body_size: int, max_batch_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size
        self.max_batch_body_size = max_batch_body_size

    def _limit(self, path: str) -> tuple[int, str]:
        if path.endswith(BATCH_SUFFIX):
            return self.max_batch_body_size, BATCH_BODY_OPTION
        return self.max_body_size, BODY_OPTION

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, option = self._limit(scope.get("path", ""))
        declared = Headers(scope=scope).get("content-length", "")
        if is_number(declared) and (len(declared) > 18 or int(declared) > limit):
            await self._refuse(scope, receive, send, limit, option)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the route that reads the body: the application's error
                    # handlers answer it with the same 413 as below.
                    raise REQUEST_TOO_LARGE(limit=limit, option=option)
            return message

        await self.app(scope, counted_receive, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int, option: str) -> None:
        error: LeadgateError = REQUEST_TOO_LARGE(limit=limit, option=option)
        response = error_response(error, response_language(Request(scope)))
        await response(scope, receive, send)
