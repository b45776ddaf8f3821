"""POST /api/data/v9.2/$batch: many requests in one, each answered as if sent alone.

Each request of the batch goes through this application again — the same routes, checks and
messages as a request of its own — as the batch's signed-in user (``web.auth.signed_in`` takes
the caller from the scope this module builds). Requests run in order. A change set's requests
run in one transaction, the ExecuteChangeSet message's: the first that fails rolls the change
set back, which then answers with that failure alone, and ``$1`` stands for the record its
request with Content-ID 1 created or changed. Without ``Prefer: odata.continue-on-error`` the
batch stops at its first failure, answered 400 with the answers so far (as Dataverse: "Execute
batch operations using the Web API", Handling errors); with it, every request runs.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import quote

import anyio
import anyio.from_thread
import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message

from leadgate.platform import OrganizationService
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.records.transaction import ExecuteChangeSetRequest
from leadgate.web.auth import BATCH_CALLER, BatchCaller, Session, SignedInRoute, signed_in
from leadgate.web.batch_parts import (
    CONTENT_ID_UNKNOWN,
    Answer,
    ChangeSet,
    PartRequest,
    read_batch,
    reference,
    request_target,
    write_batch,
)
from leadgate.web.errors import error_response
from leadgate.web.resources import API_PATH
from leadgate.web.responses import ODATA_HEADERS

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter(prefix=API_PATH, route_class=SignedInRoute)
SignedIn = Annotated[Session, Depends(signed_in)]

CONTINUE_ON_ERROR = "odata.continue-on-error"
# Headers of the batch that hold for each of its requests unless the request has its own.
INHERITED = (b"accept-language",)
# Headers of a request that this module sets itself, or that only the batch's connection has.
NOT_FORWARDED = frozenset({"authorization", "content-length", "host", "connection"})
DROPPED_FROM_ANSWERS = frozenset({"content-length", "connection"})
SPELLING = {"odata-version": "OData-Version", "odata-entityid": "OData-EntityId", "etag": "ETag"}
# Safe in a query string as clients write them: the rest (raw spaces, non-ASCII) is escaped.
QUERY_SAFE = "!$&'()*+,/:;=?@[]~%"
PATH_SAFE = "!$&'()*+,/:;=@~"


@router.post("/$batch", tags=["OData"])
async def batch(request: Request, session: SignedIn) -> Response:
    # Authenticated by SignedInRoute, holding no connection: its requests take their own.
    body = await request.body()
    # Reading 32 MiB takes the parser seconds: not on the event loop, which serves the others.
    items = await anyio.to_thread.run_sync(read_batch, request.headers.get("content-type"), body)
    keep_going = continue_on_error(request.headers)
    runner = _Runner(request, session, await anyio.to_thread.run_sync(session.metadata))
    answers: list[Answer | Sequence[Answer]] = []
    stopped = False
    for item in items:
        if isinstance(item, ChangeSet):
            answer = await runner.change_set(item)
        else:  # outside a change set, '$1' names nothing: refused as such, not as a path
            resolved = runner._resolved(item, {}, frozenset())
            answer = (
                await runner.call(resolved, session.service)
                if isinstance(resolved, PartRequest)
                else resolved
            )
        answers.append(answer)
        if isinstance(answer, Answer) and answer.status >= 400 and not keep_going:
            stopped = True
            break
    boundary = f"batchresponse_{uuid.uuid4()}"
    headers = dict(ODATA_HEADERS)
    if keep_going:
        headers["Preference-Applied"] = CONTINUE_ON_ERROR
    return Response(
        write_batch(boundary, answers),
        status_code=400 if stopped else 200,
        headers=headers,
        media_type=f"multipart/mixed; boundary={boundary}",
    )


def continue_on_error(headers: Headers) -> bool:
    """``Prefer: odata.continue-on-error`` (OData 4.01 also writes it without ``odata.``)."""
    for header in headers.getlist("prefer"):
        for preference in header.split(","):
            name, _, value = preference.split(";")[0].partition("=")
            if name.strip().lower() in (CONTINUE_ON_ERROR, "continue-on-error"):
                return value.strip().strip('"').lower() != "false"
    return False


class _ChangeSetFailed(Exception):
    """A request of a change set failed: its answer stands for the change set, rolled back."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


@dataclass
class _Runner:
    request: Request
    session: Session
    metadata: MetadataSet

    async def change_set(self, change_set: ChangeSet) -> Answer | list[Answer]:
        """Its requests in one transaction: all their answers, or the first failure's alone."""
        declared = frozenset(p.content_id for p in change_set.requests if p.content_id)

        def work(service: OrganizationService) -> list[Answer]:
            done: dict[str, str] = {}
            answers = []
            for part in change_set.requests:
                resolved = self._resolved(part, done, declared)
                answer = (
                    anyio.from_thread.run(self.call, resolved, service)
                    if isinstance(resolved, PartRequest)
                    else resolved
                )
                if answer.status >= 400:
                    raise _ChangeSetFailed(answer)
                answers.append(answer)
                record = _record_url(answer)
                if part.content_id is not None and record is not None:
                    done[part.content_id] = record
            return answers

        try:
            # Its own thread, not one of the pool's: the requests it waits for need those.
            response = await anyio.to_thread.run_sync(
                self.session.service.execute,
                ExecuteChangeSetRequest(work),
                limiter=anyio.CapacityLimiter(1),
            )
        except _ChangeSetFailed as failed:
            return failed.answer
        except LeadgateError as error:  # the commit itself failed (a conflict, the database)
            return self._refusal(error, None)
        answers: list[Answer] = response.result
        return answers

    def _resolved(
        self, part: PartRequest, done: dict[str, str], declared: frozenset[str]
    ) -> PartRequest | Answer:
        """The request with ``$n`` replaced by the record request n answered with (in its
        URL and its ``@odata.bind`` values); a refusal if request n answered none."""
        url = part.url
        name = reference(url)
        if name is not None:
            if name in done:
                url = done[name] + url[1 + len(name) :]
            elif name in declared or name.isdigit():
                error = CONTENT_ID_UNKNOWN(reference=url[:80], part=part.part)
                return self._refusal(error, part.content_id)
        body, unknown = _bind_references(part.body, done, declared)
        if unknown is not None:
            error = CONTENT_ID_UNKNOWN(reference=unknown[:80], part=part.part)
            return self._refusal(error, part.content_id)
        return replace(part, url=url, body=body)

    async def call(self, part: PartRequest, service: OrganizationService) -> Answer:
        """One request through the application, as the batch's user with ``service``."""
        path, query = request_target(part.url)
        scope = self._scope(part, path, query, part.body, service)
        status, headers, content = await _call(self.request.app, scope, part.body)
        return Answer(status, headers, content, part.content_id)

    def _scope(
        self, part: PartRequest, path: str, query: str, body: bytes, service: OrganizationService
    ) -> dict[str, Any]:
        outer = self.request.scope
        names = {name.lower() for name, _ in part.headers}
        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1", "replace"))
            for name, value in part.headers
            if name.lower() not in NOT_FORWARDED
        ]
        headers += [
            (name, value)
            for name, value in outer["headers"]
            if name == b"host" or (name in INHERITED and name.decode("latin-1") not in names)
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        return {
            "type": "http",
            "asgi": outer.get("asgi", {"version": "3.0"}),
            "http_version": "1.1",
            "method": part.method,
            "scheme": outer.get("scheme", "http"),
            "server": outer.get("server"),
            "client": outer.get("client"),
            "root_path": outer.get("root_path", ""),
            "path": path,
            "raw_path": quote(path, safe=PATH_SAFE).encode("ascii"),
            "query_string": quote(query, safe=QUERY_SAFE).encode("ascii"),
            "headers": headers,
            "state": dict(outer.get("state") or {}),
            BATCH_CALLER: BatchCaller(self.session.user, service, self.metadata),
        }

    def _refusal(self, error: LeadgateError, content_id: str | None) -> Answer:
        response = error_response(error, self.session.language)
        return Answer(response.status_code, _kept(response.raw_headers), bytes(response.body),
                      content_id)  # fmt: skip


def _kept(raw: Sequence[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    """A response's headers as a batch answer carries them, spelled as Dataverse does."""
    kept = []
    for name, value in raw:
        lowered = name.decode("latin-1").lower()
        if lowered not in DROPPED_FROM_ANSWERS:
            spelled = SPELLING.get(lowered) or "-".join(w.capitalize() for w in lowered.split("-"))
            kept.append((spelled, value.decode("latin-1")))
    return tuple(kept)


def _record_url(answer: Answer) -> str | None:
    """What ``$n`` stands for: the record the request created or changed (OData-EntityId)."""
    for name, value in answer.headers:
        if name.lower() in ("odata-entityid", "location"):
            return value
    return None


def _bind_references(
    body: bytes, done: dict[str, str], declared: frozenset[str]
) -> tuple[bytes, str | None]:
    """``"primarycontactid@odata.bind": "$1"``: the record of request 1, as a record URL;
    with the first reference that names no earlier request of the change set, if any."""
    if b'"$' not in body:
        return body, None
    try:
        values = json.loads(body)
    except (ValueError, RecursionError):
        return body, None  # the route refuses it, with the reason
    if not isinstance(values, dict):
        return body, None
    changed = False
    for key, value in values.items():
        name = reference(value) if isinstance(value, str) else None
        if not key.endswith("@odata.bind") or name is None:
            continue
        if name in done:
            values[key] = done[name] + value[1 + len(name) :]
            changed = True
        elif name in declared or name.isdigit():
            return body, value
    return (json.dumps(values, ensure_ascii=False).encode("utf-8") if changed else body), None


async def _call(
    app: ASGIApp, scope: dict[str, Any], body: bytes
) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    """Run one request through the ASGI application and collect its response."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []
    finished = anyio.Event()
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                finished.set()

    try:
        await app(scope, receive, send)
    except Exception:
        # The application answered a 500 and logged the failure before raising it again (as
        # Starlette's outermost middleware does): that answer is this request's.
        if not start:
            raise
    finally:
        finished.set()
    return start["status"], _kept(start.get("headers", [])), b"".join(chunks)
