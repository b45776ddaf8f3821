"""``POST $batch`` as the clients send it (CLIENTS.md §1 item 12, §2 $batch) and as Dataverse
answers it: requests in order, change sets atomic with ``$1`` references, ``Prefer:
odata.continue-on-error``, and coded 400s for batches that cannot be read. Responses are read
with the standard library's email parser, as a client reads a multipart body."""

from __future__ import annotations

import email
import email.message
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import hypothesis
import pytest
from hypothesis import strategies as st

from leadgate.platform import EntityReference
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import Text
from leadgate.platform.users.messages import CreateApiTokenRequest
from leadgate.web import create_app
from leadgate.web.batch_parts import (
    BATCH_NOT_MULTIPART,
    BATCH_TOO_MANY_REQUESTS,
    BATCH_UNREADABLE,
    CHANGESET_NESTED,
    CHANGESET_READ,
    CONTENT_ID_UNKNOWN,
)
from leadgate.web.limits import BODY_OPTION, MAX_BATCH_REQUESTS, REQUEST_TOO_LARGE
from tests.conftest import ADMIN_ID, property_budget
from tests.e2e.conftest import API, TestClient, assert_error

BATCH = f"{API}/$batch"
BASE = "http://testserver"


# --- writing a batch as the clients do, reading its answer as a client does ------------------


def request_part(method: str, url: str, body: str | None = None, *, content_id: int | None = None,
                 headers: dict[str, str] | None = None, nl: str = "\r\n",
                 blank_before_body: bool = False) -> str:  # fmt: skip
    """One application/http part (without its delimiter line)."""
    head = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id is not None:
        head.append(f"Content-ID: {content_id}")
    lines = [*head, "", f"{method} {url} HTTP/1.1"]
    if body is not None:
        lines.append("Content-Type: application/json; type=entry")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines.append("")
    if blank_before_body:
        lines.append("")  # dataverse-api's empty extra-header line
    lines.append(body or "")
    return nl.join(lines)


def multipart(parts: list[str], boundary: str, nl: str = "\r\n") -> str:
    return "".join(f"--{boundary}{nl}{part}{nl}" for part in parts) + f"--{boundary}--{nl}"


def change_set(parts: list[str], boundary: str = "changeset_1", nl: str = "\r\n") -> str:
    return (f'Content-Type: multipart/mixed; boundary="{boundary}"{nl}{nl}'
            + multipart(parts, boundary, nl))  # fmt: skip


def post_batch(client: Any, parts: list[str], *, nl: str = "\r\n", quoted: bool = True,
               headers: dict[str, str] | None = None) -> Any:  # fmt: skip
    boundary = f"batch_{uuid.uuid4()}"
    content_type = f'multipart/mixed; boundary="{boundary}"' if quoted else (
        f"multipart/mixed; boundary={boundary}")  # fmt: skip
    return client.post(BATCH, content=multipart(parts, boundary, nl).encode(),
                       headers={"Content-Type": content_type, **(headers or {})})  # fmt: skip


@dataclass
class Reply:
    status: int
    headers: email.message.Message
    body: bytes
    content_id: str | None

    def json(self) -> Any:
        import json

        return json.loads(self.body)


def _reply(part: email.message.Message) -> Reply:
    assert part.get_content_type() == "application/http"
    raw = part.get_payload(decode=True)
    assert isinstance(raw, bytes)
    status_line, _, rest = raw.partition(b"\r\n")
    message = email.message_from_bytes(rest)
    payload = message.get_payload(decode=True)
    return Reply(int(status_line.split()[1]), message, payload or b"", part.get("Content-ID"))


def replies(response: Any) -> list[Reply | list[Reply]]:
    """The answers of a batch response: a list for a change set that succeeded."""
    content_type = response.headers["content-type"]
    assert content_type.startswith("multipart/mixed; boundary=batchresponse_")
    assert response.headers["OData-Version"] == "4.0"
    message = email.message_from_bytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + response.content
    )
    assert message.is_multipart() and not message.defects
    found: list[Reply | list[Reply]] = []
    for part in message.get_payload():
        if part.get_content_type() == "multipart/mixed":
            assert part.get_boundary().startswith("changesetresponse_")
            found.append([_reply(inner) for inner in part.get_payload()])
        else:
            found.append(_reply(part))
    return found


def entity_id(reply: Reply) -> str:
    return reply.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")


def names(api: Any, table: str, column: str, value: str) -> list[str]:
    found = api.get(f"{API}/{table}?$select={column}&$filter={column} eq '{value}'")
    assert found.status_code == 200, found.text
    return [row[column] for row in found.json()["value"]]


# --- what clients send ----------------------------------------------------------------------


def test_the_sdks_batch_runs_in_order_with_crlf_absolute_urls_and_raw_spaces(api):
    subject = f"batch {uuid.uuid4().hex[:8]}"
    response = post_batch(api, [
        request_part("POST", f"{BASE}{API}/leads",
                     f'{{"lastname": "One", "subject": "{subject}"}}'),
        request_part("GET", f"{BASE}{API}/leads?$select=subject,lastname&$filter=subject eq "
                            f"'{subject}'&$orderby=lastname asc"),
        request_part("POST", f"{BASE}{API}/leads",
                     f'{{"lastname": "Two", "subject": "{subject}"}}'),
        request_part("GET", f"{API}/leads?$select=lastname&$filter=subject eq '{subject}'"
                            "&$orderby=lastname desc"),
    ])  # fmt: skip
    assert response.status_code == 200, response.text
    created, first, created_again, second = replies(response)
    assert isinstance(created, Reply) and created.status == 204
    assert created.headers["OData-EntityId"].startswith(f"{BASE}{API}/leads(")
    assert isinstance(first, Reply) and first.status == 200
    assert first.headers["Content-Type"].startswith("application/json")
    assert [row["lastname"] for row in first.json()["value"]] == ["One"]
    assert isinstance(created_again, Reply) and created_again.status == 204
    assert isinstance(second, Reply)
    assert [row["lastname"] for row in second.json()["value"]] == ["Two", "One"]
    assert "Preference-Applied" not in response.headers


def test_dataverse_apis_lf_batch_with_a_blank_line_before_each_body(api):
    subject = f"lf {uuid.uuid4().hex[:8]}"
    parts = [request_part("POST", f"{BASE}{API}/leads",
                          f'{{"lastname": "L{n}", "subject": "{subject}"}}', nl="\n",
                          blank_before_body=True) for n in range(3)]  # fmt: skip
    response = post_batch(api, parts, nl="\n", headers={"If-None-Match": "null"})
    assert response.status_code == 200, response.text
    assert [reply.status for reply in replies(response)] == [204, 204, 204]  # type: ignore[union-attr]
    assert sorted(names(api, "leads", "subject", subject)) == [subject] * 3


def test_raw_utf8_and_percent_escapes_in_request_lines(api):
    name = f"Zoé {uuid.uuid4().hex[:6]}"
    response = post_batch(api, [
        request_part("POST", "accounts", f'{{"name": "{name}"}}'),
        request_part("GET", f"accounts?$select=name&$filter=name eq '{name}'"),
        request_part("GET", f"accounts?$select=name&$filter=name%20eq%20'{quote(name)}'"),
        request_part("GET", f"accounts?$select=name&$filter=name+eq+'{quote(name)}'"),
    ])  # fmt: skip
    assert response.status_code == 200, response.text
    _created, *found = replies(response)
    assert [[row["name"] for row in reply.json()["value"]] for reply in found] == [[name]] * 3


def test_an_unquoted_boundary_relative_urls_and_a_record_returned(api):
    response = post_batch(api, [
        request_part("POST", "accounts?$select=name", '{"name": "Relative"}',
                     headers={"Prefer": "return=representation"}),
        request_part("GET", "/api/data/v9.2/WhoAmI"),
    ], quoted=False)  # fmt: skip
    assert response.status_code == 200, response.text
    created, who = replies(response)
    assert isinstance(created, Reply) and created.status == 201
    assert created.json()["name"] == "Relative"
    assert isinstance(who, Reply) and who.status == 200 and who.json()["UserId"]


# --- change sets ------------------------------------------------------------------------------


def test_a_change_set_is_one_transaction_and_content_ids_name_its_records(api):
    name = f"Acme {uuid.uuid4().hex[:8]}"
    response = post_batch(api, [change_set([
        request_part("POST", f"{API}/accounts", f'{{"name": "{name}"}}', content_id=1),
        request_part("POST", f"{API}/contacts",
                     '{"lastname": "Ref", "parentcustomerid_account@odata.bind": "$1"}',
                     content_id=2),
        request_part("PATCH", "$1", f'{{"name": "{name} renamed"}}', content_id=3,
                     headers={"If-Match": "*"}),
    ])])  # fmt: skip
    assert response.status_code == 200, response.text
    (answers,) = replies(response)
    assert isinstance(answers, list)
    assert [(a.status, a.content_id) for a in answers] == [(204, "1"), (204, "2"), (204, "3")]
    account = entity_id(answers[0])
    assert entity_id(answers[2]) == account
    contact = api.get(f"{API}/contacts({entity_id(answers[1])})?$select=_parentcustomerid_value")
    assert contact.json()["_parentcustomerid_value"] == account
    assert names(api, "accounts", "name", f"{name} renamed") == [f"{name} renamed"]


def test_a_failing_request_rolls_its_change_set_back_but_not_the_rest_of_the_batch(api):
    tag = uuid.uuid4().hex[:8]
    response = post_batch(api, [
        request_part("POST", f"{API}/accounts", f'{{"name": "Before {tag}"}}'),
        change_set([
            request_part("POST", f"{API}/accounts", f'{{"name": "Inside {tag}"}}', content_id=1),
            request_part("POST", f"{API}/contacts", f'{{"lastname": "Inside {tag}"}}',
                         content_id=2),
            request_part("PATCH", "$1", '{"name": "' + "x" * 200 + '"}', content_id=3),
        ]),
        request_part("POST", f"{API}/accounts", f'{{"name": "After {tag}"}}'),
    ], headers={"Prefer": "odata.continue-on-error"})  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.headers["Preference-Applied"] == "odata.continue-on-error"
    before, failed, after = replies(response)
    assert isinstance(failed, Reply), "a failed change set answers with its failure alone"
    assert failed.status == 400 and failed.content_id == "3"
    assert failed.json()["error"]["code"] == errors.STRING_TOO_LONG.code
    assert isinstance(before, Reply) and isinstance(after, Reply)
    assert (before.status, after.status) == (204, 204)
    assert names(api, "accounts", "name", f"Inside {tag}") == []
    assert names(api, "contacts", "lastname", f"Inside {tag}") == []
    assert names(api, "accounts", "name", f"Before {tag}") == [f"Before {tag}"]
    assert names(api, "accounts", "name", f"After {tag}") == [f"After {tag}"]


def test_a_bound_action_on_a_record_made_in_the_same_change_set(api):
    response = post_batch(api, [change_set([
        request_part("POST", "leads", '{"lastname": "Qualified", "firstname": "Quinn", '
                                      '"subject": "Q", "companyname": "Quinn & Co"}', content_id=1),
        request_part("POST", "$1/Microsoft.Dynamics.CRM.QualifyLead",
                     '{"CreateAccount": true, "CreateContact": true, '
                     '"CreateOpportunity": false, "Status": 3}', content_id=2),
    ])])  # fmt: skip
    assert response.status_code == 200, response.text
    (answers,) = replies(response)
    assert isinstance(answers, list) and [a.status for a in answers] == [204, 200]
    created = answers[1].json()["value"]
    assert len(created) == 2
    lead = api.get(f"{API}/leads({entity_id(answers[0])})?$select=statecode").json()
    assert lead["statecode"] == 1


def test_concurrent_change_sets_each_commit_whole(api):
    """More change sets at once than the pool has connections: each holds one, no more."""
    tag = uuid.uuid4().hex[:8]

    def send(n: int) -> Any:
        return post_batch(api, [change_set([
            request_part("POST", "accounts", f'{{"name": "{tag} {n}"}}', content_id=1),
            request_part("POST", "contacts", '{"lastname": "C", '
                         '"parentcustomerid_account@odata.bind": "$1"}', content_id=2),
        ])])  # fmt: skip

    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(send, range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    found = api.get(f"{API}/accounts/$count?$filter=startswith(name, '{tag}')")
    assert found.text == "20"


# --- stopping, or going on, after a failure -------------------------------------------------


def test_without_continue_on_error_the_batch_stops_at_the_first_failure(api):
    tag = uuid.uuid4().hex[:8]
    missing = uuid.uuid4()
    response = post_batch(api, [
        request_part("POST", "accounts", f'{{"name": "First {tag}"}}'),
        request_part("GET", f"accounts({missing})?$select=name"),
        request_part("POST", "accounts", f'{{"name": "Never {tag}"}}'),
    ])  # fmt: skip
    assert response.status_code == 400
    first, failure = replies(response)
    assert isinstance(first, Reply) and first.status == 204
    assert isinstance(failure, Reply) and failure.status == 404
    assert failure.json()["error"]["code"] == errors.RECORD_NOT_FOUND.code
    assert names(api, "accounts", "name", f"Never {tag}") == []
    assert names(api, "accounts", "name", f"First {tag}") == [f"First {tag}"]


@pytest.mark.interface_only
def test_with_continue_on_error_every_request_runs(sqlite_api):
    missing = uuid.uuid4()
    response = post_batch(sqlite_api, [
        request_part("GET", f"accounts({missing})"),
        request_part("GET", "nosuchset"),
        request_part("GET", "WhoAmI"),
    ], headers={"Prefer": 'odata.include-annotations="*",odata.continue-on-error'})  # fmt: skip
    assert response.status_code == 200
    assert response.headers["Preference-Applied"] == "odata.continue-on-error"
    assert [reply.status for reply in replies(response)] == [404, 404, 200]  # type: ignore[union-attr]


@pytest.mark.interface_only
def test_a_content_id_reference_outside_its_change_set_says_so(sqlite_api):
    response = post_batch(sqlite_api, [
        request_part("PATCH", "$1", '{"name": "x"}'),
        change_set([request_part("POST", "contacts",
                                 '{"lastname": "x", "parentcustomerid_account@odata.bind": "$7"}',
                                 content_id=1)]),
    ], headers={"Prefer": "odata.continue-on-error"})  # fmt: skip
    outside, unknown = replies(response)
    for reply, reference, part in ((outside, "$1", "1"), (unknown, "$7", "2.1")):
        assert isinstance(reply, Reply) and reply.status == 400
        error = CONTENT_ID_UNKNOWN(reference=reference, part=part)
        assert reply.json()["error"] == {"code": error.code, "message": error.message()}


@pytest.mark.interface_only
def test_each_part_is_held_to_the_limits_of_a_request_of_its_own(sqlite_api):
    response = post_batch(sqlite_api, [
        request_part("GET", "accounts?$select=name&$filter=name eq 'a' and"),
        request_part("DELETE", "accounts"),
    ], headers={"Prefer": "odata.continue-on-error"})  # fmt: skip
    first, second = replies(response)
    assert isinstance(first, Reply) and first.status == 400
    assert first.json()["error"]["code"] == errors.INVALID_QUERY.code
    assert isinstance(second, Reply) and second.status == 405
    assert second.headers["Allow"]


@pytest.mark.interface_only
def test_a_part_over_the_body_limit_is_answered_413_in_its_place(sqlite_org):
    token = (
        sqlite_org.system_service()
        .execute(CreateApiTokenRequest(EntityReference("systemuser", ADMIN_ID)))
        .token
    )
    app = create_app(sqlite_org, max_body_size=1024)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        response = post_batch(client, [
            request_part("POST", "accounts", '{"name": "' + "x" * 2000 + '"}'),
            request_part("GET", "WhoAmI"),
        ], headers={"Prefer": "odata.continue-on-error"})  # fmt: skip
    too_large, who = replies(response)
    assert isinstance(too_large, Reply) and too_large.status == 413
    error = REQUEST_TOO_LARGE(limit=1024, option=BODY_OPTION)
    assert too_large.json()["error"] == {"code": error.code, "message": error.message()}
    assert isinstance(who, Reply) and who.status == 200


@pytest.mark.interface_only
def test_part_errors_are_in_the_language_asked(sqlite_api):
    missing = uuid.uuid4()
    response = post_batch(sqlite_api, [request_part("GET", f"accounts({missing})")],
                          headers={"Accept-Language": "fr"})  # fmt: skip
    (failure,) = replies(response)
    assert isinstance(failure, Reply)
    error = errors.RECORD_NOT_FOUND(table="account", id=missing)
    assert failure.json()["error"]["message"] == error.message("fr")


# --- batches that cannot be read: coded 400s, in English and French -----------------------


def _raw(client: Any, body: str, content_type: str, language: str) -> Any:
    return client.post(BATCH, content=body.encode(), headers={
        "Content-Type": content_type, "Accept-Language": language})  # fmt: skip


CT = 'multipart/mixed; boundary="b"'


def not_http(line: str) -> tuple[str, str, Any]:
    """A batch whose one part's first line is ``line``, and its refusal."""
    return (multipart([f"Content-Type: application/http\r\n\r\n{line}"], "b"), CT,
            BATCH_UNREADABLE(reason=Text(
                "part {part} is no HTTP request: its first line should read like "
                "'GET leads HTTP/1.1', not '{line}'.", part="1", line=line)))  # fmt: skip


GET_PART = request_part("GET", "WhoAmI")
MALFORMED = {
    "json": ("{}", "application/json", BATCH_NOT_MULTIPART(content_type="application/json")),
    "no boundary": (multipart([GET_PART], "b"), "multipart/mixed",
                    BATCH_NOT_MULTIPART(content_type="multipart/mixed")),
    "other boundary": (multipart([GET_PART], "c"), CT, BATCH_UNREADABLE(reason=Text(
        "no part starts with its boundary line, --{boundary}.", boundary="b"))),
    "cut short": ("--b\r\n" + GET_PART + "\r\n", CT, BATCH_UNREADABLE(reason=Text(
        "it does not end with the closing line --{boundary}--; it may have been cut short.",
        boundary="b"))),
    "text part": (multipart(["Content-Type: text/plain\r\n\r\nhello"], "b"), CT,
                  BATCH_UNREADABLE(reason=Text(
                      "part {part} is {content_type}; a part is application/http (one request) "
                      "or multipart/mixed (a change set).", part="1", content_type="text/plain"))),
    "no request line": not_http("HTTP/1.1"),
    "no method": not_http("hello there"),
    "no version": not_http("GET WhoAmI"),
    "other version": not_http("GET WhoAmI HTTP/9.9"),
    "words after the version": not_http("GET leads HTTP/1.1 extra"),
    "nested batch": (multipart([request_part("POST", "$batch", "{}")], "b"), CT,
                     BATCH_UNREADABLE(reason=Text(
                         "part {part} is a $batch itself; a batch cannot hold another.",
                         part="1"))),
    "outside the API": (multipart([request_part("GET", "/app/leads")], "b"), CT,
                        BATCH_UNREADABLE(reason=Text(
                            "part {part} addresses '{url}', outside the Web API ({api}).",
                            part="1", url="/app/leads", api=API))),
    "change set in change set": (
        multipart([change_set([change_set([GET_PART], "inner")])], "b"), CT,
        CHANGESET_NESTED(part="1.1")),
    "read in change set": (multipart([change_set([request_part("GET", "WhoAmI")])], "b"), CT,
                           CHANGESET_READ(method="GET", url="WhoAmI", part="1.1")),
    "unknown content id": (
        multipart([change_set([request_part("DELETE", "$4", content_id=1)])], "b"), CT,
        CONTENT_ID_UNKNOWN(reference="$4", part="1.1")),
    "too many": (multipart([GET_PART] * (MAX_BATCH_REQUESTS + 1), "b"), CT,
                 BATCH_TOO_MANY_REQUESTS(limit=MAX_BATCH_REQUESTS,
                                         count=MAX_BATCH_REQUESTS + 1)),
    "too many parts": ("--b\r\n" * 5000, CT, BATCH_UNREADABLE(reason=Text(
        "it has more than {limit} lines starting with '--' (boundary lines), more than "
        "{requests} requests can need.", limit=4 * MAX_BATCH_REQUESTS + 2,
        requests=MAX_BATCH_REQUESTS))),
}  # fmt: skip


@pytest.mark.interface_only
@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_batch_that_cannot_be_read_is_refused_whole_in_english_and_french(sqlite_api, case):
    body, content_type, expected = MALFORMED[case]
    english, french = (
        assert_error(_raw(sqlite_api, body, content_type, language), 400, expected, language)
        for language in ("en", "fr")
    )
    assert french != english  # needs NEW_FR_batch.json merged into the French catalogue


@pytest.mark.interface_only
def test_change_sets_nested_thousands_deep_are_refused(sqlite_api):
    body = "".join(f"--b{n}\r\nContent-Type: multipart/mixed; boundary=b{n + 1}\r\n\r\n"
                   for n in range(3000))  # fmt: skip
    content_type = "multipart/mixed; boundary=b0"
    response = sqlite_api.post(BATCH, content=body.encode(), headers={"Content-Type": content_type})
    assert_error(response, 400, BATCH_UNREADABLE(reason=Text("its parts nest too deep.")))


@pytest.mark.interface_only
def test_nothing_of_a_refused_batch_runs(sqlite_api):
    tag = uuid.uuid4().hex[:8]
    body = multipart([request_part("POST", "accounts", f'{{"name": "{tag}"}}'),
                      "Content-Type: text/plain\r\n\r\nhello"], "b")  # fmt: skip
    assert _raw(sqlite_api, body, CT, "en").status_code == 400
    assert names(sqlite_api, "accounts", "name", tag) == []


# --- hostile bodies -------------------------------------------------------------------------

NL = st.sampled_from(["\r\n", "\n", "\r", ""])
PIECES = st.sampled_from([
    "--b", "--b--", "--c", "--cs", "--cs--", "Content-Type: application/http",
    "Content-Type: multipart/mixed; boundary=cs", "Content-Type: multipart/mixed",
    'Content-Type: multipart/mixed; boundary="b"', "Content-Type: text/plain", "Content-ID: 1",
    "Content-ID: 1", "Content-Transfer-Encoding: base64", "GET WhoAmI HTTP/1.1", "GET",
    "POST leads HTTP/1.1", "PATCH $1 HTTP/1.1", "DELETE $2 HTTP/1.1", "GET $1/x HTTP/1.1",
    "POST $batch HTTP/1.1", "GET http://[::1 HTTP/1.1", "GET http:// HTTP/1.1",
    "GET leads?$filter=lastname eq 'a b' HTTP/1.1", "GET ?? HTTP/1.1", "PUT / HTTP/9.9",
    "Content-Type: application/json", "If-Match: *", "Prefer: return=representation",
    '{"lastname": "Hostile"}', '{"parentcustomerid_account@odata.bind": "$1"}', "{", "null",
    "MSCRM.SuppressDuplicateDetection: maybe", ": no name", "Accept-Language: fr", "",
    "\x00\xff\u00e9\u2028", "%zz%00", "HTTP/1.1",
])  # fmt: skip
HOSTILE = st.one_of(
    st.lists(st.tuples(PIECES, NL), max_size=40).map(
        lambda pairs: "".join(piece + nl for piece, nl in pairs).encode("utf-8", "surrogatepass")
    ),
    st.binary(max_size=300).map(lambda noise: b"--b\r\n" + noise + b"\r\n--b--\r\n"),
    st.binary(max_size=300),
)
UNEXPECTED = errors.UNEXPECTED.code


CONTENT_TYPES = [
    CT, "multipart/mixed; boundary=b", "multipart/mixed; boundary=", "multipart/mixed",
    "multipart/mixed; boundary=\"b", "text/plain", "multipart/mixed; boundary=b; boundary=c",
]  # fmt: skip


@pytest.mark.interface_only
@hypothesis.given(body=HOSTILE, content_type=st.sampled_from(CONTENT_TYPES))
@property_budget("request")
def test_hostile_batches_never_answer_500(sqlite_api, body, content_type):
    response = sqlite_api.post(BATCH, content=body, headers={"Content-Type": content_type})
    assert response.status_code in (200, 400), response.text
    if response.headers["content-type"].startswith("application/json"):
        assert response.status_code == 400
        assert response.json()["error"]["code"].startswith("0x")
        return
    for reply in replies(response):
        for answer in reply if isinstance(reply, list) else [reply]:
            if answer.headers.get_content_type() == "application/json" and answer.status >= 400:
                assert answer.json()["error"]["code"] != UNEXPECTED, answer.body
