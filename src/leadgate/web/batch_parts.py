"""A $batch body as OData 4.0 writes it (multipart/mixed): read into requests and change sets,
and the answers written back the same way.

Clients differ on the wire (CLIENTS.md §1 item 12, §2 $batch): CRLF or bare LF line ends, a
boundary quoted or not, absolute or relative request URLs, raw spaces in a request line's
query, a blank line before a JSON body. The standard library's email parser reads the MIME
structure; each part's HTTP request is read here. A body that cannot be read is refused whole,
with a coded 400, before any of its requests runs: a batch never half-runs for a typo.
"""

from __future__ import annotations

import http
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.errors import CloseBoundaryNotFoundDefect, StartBoundaryNotFoundDefect
from email.message import Message
from email.parser import BytesParser
from urllib.parse import unquote

from leadgate.platform.engine.errors import ErrorKind, LeadgateError
from leadgate.platform.engine.i18n import N_, Text
from leadgate.web.limits import BATCH_SUFFIX, MAX_BATCH_REQUESTS
from leadgate.web.resources import API_PATH

__all__ = [
    "BATCH_NOT_MULTIPART",
    "BATCH_TOO_MANY_REQUESTS",
    "BATCH_UNREADABLE",
    "CHANGESET_NESTED",
    "CHANGESET_READ",
    "CONTENT_ID_UNKNOWN",
    "Answer",
    "ChangeSet",
    "PartRequest",
    "outside_api",
    "read_batch",
    "reference",
    "request_target",
    "write_batch",
]

BATCH_NOT_MULTIPART = ErrorKind(
    "batch_not_multipart",
    "0x8F4C4735",
    N_(
        "A $batch request is sent as multipart/mixed with a boundary "
        "(Content-Type: multipart/mixed; boundary=batch_…), not '{content_type}'."
    ),
)
BATCH_UNREADABLE = ErrorKind(
    "batch_unreadable",
    "0x8F4C4736",
    N_("The $batch body cannot be read, so none of its requests ran: {reason}"),
)
CHANGESET_NESTED = ErrorKind(
    "changeset_nested",
    "0x8F4C4737",
    N_("A change set cannot hold another change set (part {part})."),
)
CHANGESET_READ = ErrorKind(
    "changeset_read",
    "0x8F4C4738",
    N_(
        "A change set holds only requests that change data: {method} {url} (part {part}) "
        "belongs outside it."
    ),
)
BATCH_TOO_MANY_REQUESTS = ErrorKind(
    "batch_too_many_requests",
    "0x8F4C4739",
    N_(
        "A $batch holds at most {limit} requests, change sets' included; this one holds "
        "{count}. Send them in several batches."
    ),
)

CONTENT_ID_UNKNOWN = ErrorKind(
    "content_id_unknown",
    "0x8F4C473A",
    N_(
        "'{reference}' (part {part}) names no earlier request of its change set: '$' and a "
        "Content-ID stand for the record that an earlier request of the same change set "
        "created or changed."
    ),
)

# A part's delimiter, and a change set's opening and closing lines, for each request allowed.
MAX_BOUNDARY_LINES = 4 * MAX_BATCH_REQUESTS + 2
_VERSION = re.compile(r"HTTP/1\.[01]")
_METHOD = re.compile(r"GET|POST|PATCH|PUT|DELETE", re.IGNORECASE)
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True)
class PartRequest:
    """One request of the batch, as written: ``part`` numbers it for people ("3", or "2.1" for
    the first request of the change set that is the batch's second part)."""

    part: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    content_id: str | None


@dataclass(frozen=True)
class ChangeSet:
    part: str
    requests: tuple[PartRequest, ...]


@dataclass(frozen=True)
class Answer:
    """One request's response, as the batch's response carries it."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    content_id: str | None = None


def _unreadable(text: str, /, **params: object) -> LeadgateError:
    return BATCH_UNREADABLE(reason=Text(text, **params))


def read_batch(content_type: str | None, body: bytes) -> list[PartRequest | ChangeSet]:
    """The requests and change sets of a $batch, in order; a coded refusal if it is malformed."""
    media = (content_type or "").strip()
    envelope = Message()
    envelope["Content-Type"] = media
    boundary = envelope.get_boundary()
    if envelope.get_content_type() != "multipart/mixed" or not boundary:
        raise BATCH_NOT_MULTIPART(content_type=media[:100])
    # Each part costs the parser an object: count the boundary lines before it makes them.
    if body.count(b"\n--") + body.startswith(b"--") > MAX_BOUNDARY_LINES:
        raise _unreadable(
            N_(
                "it has more than {limit} lines starting with '--' (boundary lines), more than "
                "{requests} requests can need."
            ),
            limit=MAX_BOUNDARY_LINES,
            requests=MAX_BATCH_REQUESTS,
        )
    try:
        message = BytesParser().parsebytes(b"Content-Type: %b\r\n\r\n%b" % (_latin1(media), body))
    except RecursionError:  # change sets within change sets, hundreds deep
        raise _unreadable(N_("its parts nest too deep.")) from None
    items: list[PartRequest | ChangeSet] = []
    for number, part in enumerate(_parts(message, boundary), start=1):
        label = str(number)
        if part.get_content_type() == "multipart/mixed":
            requests = tuple(_change_set(part, label))
            if not requests:
                raise _unreadable(N_("the change set of part {part} holds no request."), part=label)
            items.append(ChangeSet(label, requests))
        else:
            items.append(_request(part, label))
    count = sum(len(item.requests) if isinstance(item, ChangeSet) else 1 for item in items)
    if count > MAX_BATCH_REQUESTS:
        raise BATCH_TOO_MANY_REQUESTS(limit=MAX_BATCH_REQUESTS, count=count)
    if not items:
        raise _unreadable(N_("it holds no request."))
    return items


def _text(line: bytes) -> str:
    """A request line: its URL may hold raw UTF-8 (``$filter=lastname eq 'Zoé'``)."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def _latin1(text: str) -> bytes:
    return text.encode("latin-1", "replace")


def _parts(message: Message, boundary: str) -> list[Message]:
    """The parts of a multipart message whose delimiters are all there."""
    defects = tuple(type(defect) for defect in message.defects)
    if not message.is_multipart() or StartBoundaryNotFoundDefect in defects:
        raise _unreadable(
            N_("no part starts with its boundary line, --{boundary}."), boundary=boundary[:80]
        )
    if CloseBoundaryNotFoundDefect in defects:
        raise _unreadable(
            N_("it does not end with the closing line --{boundary}--; it may have been cut short."),
            boundary=boundary[:80],
        )
    return [part for part in message.get_payload() if isinstance(part, Message)]


def _change_set(message: Message, label: str) -> Iterator[PartRequest]:
    boundary = message.get_boundary()
    if not boundary:
        raise _unreadable(
            N_(
                "part {part} is a change set without its boundary "
                "(Content-Type: multipart/mixed; boundary=changeset_…)."
            ),
            part=label,
        )
    ids: set[str] = set()
    for number, part in enumerate(_parts(message, boundary), start=1):
        inner = f"{label}.{number}"
        if part.get_content_type() == "multipart/mixed":
            raise CHANGESET_NESTED(part=inner)
        request = _request(part, inner)
        name = reference(request.url)
        if name is not None and name not in ids and name.isdigit():
            raise CONTENT_ID_UNKNOWN(reference=request.url[:80], part=inner)
        if request.method == "GET":
            raise CHANGESET_READ(method=request.method, url=request.url[:200], part=inner)
        if request.content_id is not None:
            if request.content_id in ids:
                raise _unreadable(
                    N_("the Content-ID {content_id} is given twice in the change set of part "
                       "{part}."),
                    content_id=request.content_id[:40], part=label,
                )  # fmt: skip
            ids.add(request.content_id)
        yield request


def _request(part: Message, label: str) -> PartRequest:
    kind = part.get_content_type()
    if kind != "application/http":
        raise _unreadable(
            N_(
                "part {part} is {content_type}; a part is application/http (one request) or "
                "multipart/mixed (a change set)."
            ),
            part=label,
            content_type=kind[:80],
        )
    payload = part.get_payload(decode=True)
    raw = payload if isinstance(payload, bytes) else b""
    lines, body = _head_and_body(raw.lstrip(b"\r\n"))
    request_line = _text(lines[0]) if lines else ""
    method, url = _request_line(request_line, label)
    headers = tuple(_header(line.decode("latin-1"), label) for line in lines[1:])
    content_id = part.get("Content-ID") or next(
        (value for name, value in headers if name.lower() == "content-id"), None
    )
    path, _ = request_target(url)
    if outside_api(path):
        raise _unreadable(
            N_("part {part} addresses '{url}', outside the Web API ({api})."),
            part=label, url=url[:200], api=API_PATH,
        )  # fmt: skip
    if path.rstrip("/").endswith(BATCH_SUFFIX):
        raise _unreadable(N_("part {part} is a $batch itself; a batch cannot hold another."),
                          part=label)  # fmt: skip
    content_id = str(content_id).strip() if content_id is not None else None
    return PartRequest(label, method, url, headers, body, content_id or None)


def _head_and_body(raw: bytes) -> tuple[list[bytes], bytes]:
    """The request line and header lines, and the body after the first empty line."""
    lines: list[bytes] = []
    position = 0
    while True:
        end = raw.find(b"\n", position)
        if end == -1:
            line = raw[position:].rstrip(b"\r")
            if line:
                lines.append(line)
            return lines, b""
        line = raw[position:end].rstrip(b"\r")
        position = end + 1
        if not line:
            # dataverse-api writes a blank line more before its JSON: whitespace JSON ignores.
            return lines, raw[position:].strip(b"\r\n")
        lines.append(line)


def _request_line(line: str, label: str) -> tuple[str, str]:
    """``GET leads?$filter=statecode eq 0 HTTP/1.1``: the URL may hold raw spaces (the SDK's
    batch GETs are not encoded), so it runs from the method to the protocol version."""
    method, _, rest = line.strip().partition(" ")
    rest = rest.strip()
    head, _, last = rest.rpartition(" ")
    url = head.strip()
    if not _METHOD.fullmatch(method) or not url or not _VERSION.fullmatch(last):
        raise _unreadable(
            N_(
                "part {part} is no HTTP request: its first line should read like "
                "'GET leads HTTP/1.1', not '{line}'."
            ),
            part=label,
            line=line[:100],
        )
    return method.upper(), url


def _header(line: str, label: str) -> tuple[str, str]:
    name, colon, value = line.partition(":")
    if not colon or not _HEADER_NAME.fullmatch(name.strip()):
        raise _unreadable(
            N_("part {part} has a header line that is not 'Name: value': '{line}'."),
            part=label,
            line=line[:100],
        )
    return name.strip(), value.strip()


def reference(url: str) -> str | None:
    """The Content-ID a URL such as ``$1`` or ``$1/Microsoft.Dynamics.CRM.QualifyLead`` names."""
    if not url.startswith("$"):
        return None
    name = re.split(r"[/?]", url[1:], maxsplit=1)[0]
    return name or None


def request_target(url: str) -> tuple[str, str]:
    """The path (decoded) and the query (as written) a part's URL names: absolute (its host
    is taken to be this server), from the server's root, or relative to the API (``leads``)."""
    if "://" in url:
        rest = url.split("://", 1)[1]
        start = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
        url = rest[start:]
        if not url.startswith("/"):
            url = "/" + url
    path, _, query = url.partition("?")
    if not path.startswith("/"):
        path = f"{API_PATH}/{path}"
    return unquote(path), query


def outside_api(path: str) -> bool:
    """Whether a request path leaves the Web API (the browser app is not reached by $batch)."""
    return path != API_PATH and not path.startswith(API_PATH + "/")


# --- the response -------------------------------------------------------------------------


def write_batch(boundary: str, items: Sequence[Answer | Sequence[Answer]]) -> bytes:
    """The multipart/mixed body of a $batch response; a sequence is a change set's answers."""
    out: list[bytes] = []
    for number, item in enumerate(items):
        out.append(b"--%b\r\n" % boundary.encode())
        if isinstance(item, Answer):
            out.append(_answer(item))
            continue
        change_set = f"changesetresponse_{boundary.removeprefix('batchresponse_')}_{number}"
        out.append(b"Content-Type: multipart/mixed; boundary=%b\r\n\r\n" % change_set.encode())
        for answer in item:
            out.append(b"--%b\r\n" % change_set.encode())
            out.append(_answer(answer))
        out.append(b"--%b--\r\n" % change_set.encode())
    out.append(b"--%b--\r\n" % boundary.encode())
    return b"".join(out)


def _answer(answer: Answer) -> bytes:
    head = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if answer.content_id is not None:
        head.append(f"Content-ID: {answer.content_id}")
    try:
        phrase = http.HTTPStatus(answer.status).phrase
    except ValueError:
        phrase = ""
    lines = [*head, "", f"HTTP/1.1 {answer.status} {phrase}".rstrip()]
    lines += [f"{name}: {value}" for name, value in answer.headers]
    text = "\r\n".join(lines) + "\r\n\r\n"
    return _latin1(text) + answer.body + b"\r\n"
