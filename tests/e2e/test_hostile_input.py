"""Hostile input is refused with a coded 400 or 413 in English and French, never a 500.

Each case was a 500 (or a wrong answer) found by probing the server; the limits are those of
docs/limits.md. The refusals come from the web layer before any database work, so these run
on SQLite only; what reaches the database is checked on both in the last tests.
"""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from starlette.datastructures import Headers

from leadgate.platform import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    QueryExpression,
    RetrieveMultipleRequest,
)
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Text
from leadgate.web import create_app
from leadgate.web.errors import bad_query
from leadgate.web.headers import read_preferences
from leadgate.web.limits import (
    BATCH_BODY_OPTION,
    BODY_OPTION,
    FILTER_TOO_COMPLEX,
    FILTER_TOO_DEEP,
    JSON_TOO_DEEP,
    MAX_FILTER_CONDITIONS,
    MAX_FILTER_NESTING,
    MAX_JSON_DEPTH,
    MAX_ORDER_TERMS,
    REQUEST_TOO_LARGE,
    TOO_MANY_ORDER_TERMS,
)
from tests.e2e.conftest import API, TestClient, assert_error, in_both_languages, platform_error

LEADS = f"{API}/leads"
JSON_HEADERS = {"Content-Type": "application/json"}


@pytest.fixture(autouse=True)
def no_server_failure_is_logged(caplog):
    """A refusal is not a failure of the server: nothing at ERROR (no traceback) in the log."""
    yield
    assert [record.getMessage() for record in caplog.records
            if record.levelno >= logging.ERROR] == []  # fmt: skip


def refused(send, status, expected):
    """The request refused with ``status`` and exactly ``expected``'s text in both languages."""
    english, french = in_both_languages(send, status, expected)
    assert french != english
    return english


def nested(depth: int, inner: bytes = b"1") -> bytes:
    """``depth`` levels of objects and arrays around ``inner``, as one property's value."""
    half = depth // 2
    opening = b'{"a":[' * half + (b'{"a":' if depth % 2 else b"")
    closing = (b"}" if depth % 2 else b"") + b"]}" * half
    return opening + inner + closing


# --- JSON nested deeper than MAX_JSON_DEPTH ----------------------------------------------

DEEP = [MAX_JSON_DEPTH + 1, 500, 985, 100_000]  # 500-985 were 500s; 990+ a wrong 400


@pytest.mark.parametrize("depth", DEEP)
def test_json_nested_too_deep_is_refused_in_every_body(sqlite_api, depth):
    body = nested(depth)
    lead = uuid.uuid4()
    sends = {
        "create": lambda h: sqlite_api.post(LEADS, content=body, headers={**JSON_HEADERS, **h}),
        "update": lambda h: sqlite_api.patch(f"{LEADS}({lead})", content=body,
                                             headers={**JSON_HEADERS, **h}),
        "qualify": lambda h: sqlite_api.post(
            f"{LEADS}({lead})/Microsoft.Dynamics.CRM.QualifyLead", content=body,
            headers={**JSON_HEADERS, **h}),
    }  # fmt: skip
    for send in sends.values():
        message = refused(send, 400, JSON_TOO_DEEP(limit=MAX_JSON_DEPTH))
        assert f"more than {MAX_JSON_DEPTH} levels" in message


def test_json_as_deep_as_the_limit_is_read(sqlite_api):
    # One level for the body itself: the property holds the remaining ones.
    body = b'{"a":' + nested(MAX_JSON_DEPTH - 1) + b"}"

    response = sqlite_api.post(LEADS, content=body, headers=JSON_HEADERS)

    assert_error(response, 400, errors.UNKNOWN_PROPERTY(name="a", table="lead"))


def test_json_nested_too_deep_in_a_function_parameter_is_refused(sqlite_api):
    url = f"{API}/RetrieveDuplicates(BusinessEntity=@p1)"
    deep = b'{"@odata.type":"Microsoft.Dynamics.CRM.lead","firstname":' + nested(600) + b"}"

    refused(lambda h: sqlite_api.get(url, params={"@p1": deep.decode()}, headers=h), 400,
            JSON_TOO_DEEP(limit=MAX_JSON_DEPTH))  # fmt: skip


# --- $filter past its limits, and what it cannot mean ------------------------------------


def get_leads(client, headers=None, **options):
    return client.get(LEADS, params={f"${k}": v for k, v in options.items()}, headers=headers)


def test_a_filter_of_too_many_conditions_is_refused(sqlite_api):
    clause = "firstname eq 'a'"
    allowed = " or ".join([clause] * MAX_FILTER_CONDITIONS)
    values = ",".join(str(n) for n in range(MAX_FILTER_CONDITIONS + 1))

    assert get_leads(sqlite_api, filter=allowed).status_code == 200
    for text in (" or ".join([clause] * 600), " and ".join([clause] * 1500),
                 f"numberofemployees in ({values})"):  # fmt: skip
        refused(lambda h, text=text: get_leads(sqlite_api, h, filter=text), 400,
                FILTER_TOO_COMPLEX(limit=MAX_FILTER_CONDITIONS))  # fmt: skip


def alternating(levels: int) -> str:
    """``levels`` levels of and/or, each switch a level: a and (b or (c and (…)))."""
    text = "firstname eq 'a'"
    for level in range(levels):
        text = f"firstname eq 'a' {'or' if level % 2 else 'and'} ({text})"
    return text


def test_a_filter_nested_too_deep_is_refused(sqlite_api):
    assert get_leads(sqlite_api, filter="not " * MAX_FILTER_NESTING + "(firstname eq 'a')"
                     ).status_code == 200  # fmt: skip
    assert get_leads(sqlite_api, filter=alternating(MAX_FILTER_NESTING)).status_code == 200
    for text in ("not " * 1000 + "(firstname eq 'a')",
                 "not (" * 300 + "firstname eq 'a'" + ")" * 300,
                 alternating(MAX_FILTER_NESTING + 1)):  # fmt: skip
        refused(lambda h, text=text: get_leads(sqlite_api, h, filter=text), 400,
                FILTER_TOO_DEEP(limit=MAX_FILTER_NESTING))  # fmt: skip


def test_long_runs_of_signs_and_parentheses_are_read_without_recursion(sqlite_api):
    for text in ("numberofemployees eq " + "-" * 2000 + "1",
                 "numberofemployees eq " + "- " * 2000 + "1",
                 "(" * 2000 + "firstname eq 'a'" + ")" * 2000):  # fmt: skip
        assert get_leads(sqlite_api, filter=text).status_code == 200, text


@pytest.mark.parametrize("operator", ["gt", "ge", "lt", "le"])
def test_ordering_a_yes_no_column_is_refused(sqlite_api, operator):
    expected = errors.INVALID_QUERY(detail=Text(
        N_("ordering is not defined for yes/no columns: '{column}' can only be compared with "
           "eq, ne or in."), column="donotemail"))  # fmt: skip

    for text in (f"donotemail {operator} false", f"not (donotemail {operator} true)"):
        message = refused(lambda h, text=text: get_leads(sqlite_api, h, filter=text), 400,
                          expected)  # fmt: skip
        assert "ordering is not defined for yes/no columns" in message
    assert get_leads(sqlite_api, filter="donotemail eq false").status_code == 200


# --- only 0-9 are digits ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["¹", "٣", "３", "9" * 5000])
def test_top_takes_ascii_digits_only(sqlite_api, value):
    refused(
        lambda h: get_leads(sqlite_api, h, top=value),
        400,
        bad_query(N_("$top needs a whole number from 0, not '{value}'."), value=value[:40]),
    )


def test_top_percent_encoded_superscript_is_refused(sqlite_api):
    expected = bad_query(N_("$top needs a whole number from 0, not '{value}'."), value="¹")

    refused(lambda h: sqlite_api.get(f"{LEADS}?$top=%C2%B9", headers=h), 400, expected)


@pytest.mark.parametrize("value", ["\xb9", "\xb2", "9" * 5000])
def test_maxpagesize_takes_ascii_digits_only(value):
    # Headers are bytes, read as Latin-1: ¹ and ² are the digits-that-are-not that fit. The
    # test client re-encodes header values as UTF-8, so the reader is called with the bytes a
    # client would send (test_hostile_server sends them over a socket).
    headers = Headers(raw=[(b"prefer", f"odata.maxpagesize={value}".encode("latin-1"))])
    expected = bad_query(
        N_("the preference odata.maxpagesize needs a whole number from 1, not '{value}'."),
        value=value)  # fmt: skip

    refusal = platform_error(lambda: read_preferences(headers))

    assert (refusal.code, refusal.params) == (expected.code, expected.params)
    for language in ("en", "fr"):
        assert refusal.message(language) == expected.message(language)


@pytest.mark.parametrize("literal", ["٣", "۱۲", "2026-0١-01"])
def test_filter_numbers_take_ascii_digits_only(sqlite_api, literal):
    column = "estimatedclosedate" if "-" in literal else "numberofemployees"
    expected = bad_query(
        N_("only the digits 0-9 make numbers, dates and GUIDs in $filter, not '{value}'."),
        value=literal)  # fmt: skip

    refused(lambda h: get_leads(sqlite_api, h, filter=f"{column} eq {literal}"), 400, expected)


def test_a_filter_number_longer_than_any_column_is_refused(sqlite_api):
    digits = "1" + "0" * 5000  # int() itself refuses 4,300 digits
    expected = bad_query(
        N_("the number {value}… in $filter has more digits than any column holds."),
        value=digits[:20])  # fmt: skip

    refused(lambda h: get_leads(sqlite_api, h, filter=f"numberofemployees eq {digits}"), 400,
            expected)  # fmt: skip


# --- $orderby ---------------------------------------------------------------------------


def test_orderby_with_too_many_terms_is_refused(sqlite_api):
    assert get_leads(sqlite_api, orderby=",".join(["firstname"] * MAX_ORDER_TERMS)
                     ).status_code == 200  # fmt: skip

    refused(lambda h: get_leads(sqlite_api, h, orderby=",".join(["firstname desc"] * 2000)),
            400, TOO_MANY_ORDER_TERMS(count=2000, limit=MAX_ORDER_TERMS))  # fmt: skip


# --- lone surrogates --------------------------------------------------------------------


def test_a_lone_surrogate_in_a_function_parameter_is_refused(sqlite_api):
    url = f"{API}/RetrieveDuplicates(BusinessEntity=@p1,MatchingEntityName=@p2)"
    record = json.dumps({"@odata.type": "Microsoft.Dynamics.CRM.lead", "lastname": "\ud800"})
    expected = bad_query(N_("the parameter {name} holds text that is not valid Unicode."),
                         name="BusinessEntity")  # fmt: skip

    refused(lambda h: sqlite_api.get(url, params={"@p1": record, "@p2": "'lead'"}, headers=h),
            400, expected)  # fmt: skip


@pytest.mark.parametrize("text", ["\ud800", "ok\udfffok"])
def test_a_lone_surrogate_never_reaches_the_database(admin, text):
    """On both databases, through the Python API: a value and a text pattern are refused."""
    stored = platform_error(lambda: admin.create("lead", lastname=text))
    query = QueryExpression("lead", ColumnSet(), FilterExpression(
        "and", (ConditionExpression("lastname", "contains", (text,)),)))  # fmt: skip
    searched = platform_error(lambda: admin.execute(RetrieveMultipleRequest(query)))

    for error in (stored, searched):
        assert error.code == errors.INVALID_VALUE_TYPE.code
        assert "text without lone surrogates" in error.message("en")
        assert "demi-caractère" in error.message("fr")


# --- request size -------------------------------------------------------------------------

SMALL, SMALL_BATCH = 1024, 4096


@pytest.fixture
def small_limits(sqlite_org, sqlite_api):
    """A client of the same organization with small body limits (the token of sqlite_api)."""
    app = create_app(sqlite_org, max_body_size=SMALL, max_batch_body_size=SMALL_BATCH)
    with TestClient(app, headers=dict(sqlite_api.headers), raise_server_exceptions=False) as c:
        yield c


def body_of(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes."""
    start, end = b'{"subject":"', b'"}'
    body = start + b"x" * (size - len(start) - len(end)) + end
    assert len(body) == size
    return body


def test_a_body_over_the_limit_is_413_and_closes_the_connection(small_limits):
    def send(headers):
        return small_limits.post(LEADS, content=body_of(SMALL + 1),
                                 headers={**JSON_HEADERS, **headers})  # fmt: skip

    message = refused(send, 413, REQUEST_TOO_LARGE(limit=SMALL, option=BODY_OPTION))

    assert send({}).headers["Connection"] == "close"
    assert "--max-body-size" in message
    assert small_limits.get(f"{LEADS}?$count=true").json()["@odata.count"] == 0


def test_a_body_at_the_limit_is_read(small_limits):
    response = small_limits.post(LEADS, content=body_of(SMALL), headers=JSON_HEADERS)

    assert response.status_code in (204, 400)  # read, saved or refused on its merits


def test_a_declared_length_over_the_limit_is_refused_before_authentication(sqlite_org):
    app = create_app(sqlite_org, max_body_size=SMALL)
    with TestClient(app, raise_server_exceptions=False) as anonymous:
        response = anonymous.post(
            LEADS, content=b"{}", headers={**JSON_HEADERS, "Content-Length": str(10**12)}
        )

    assert_error(response, 413, REQUEST_TOO_LARGE(limit=SMALL, option=BODY_OPTION))


def test_batch_has_its_own_larger_limit(small_limits):
    batch = f"{API}/$batch"
    within = small_limits.post(batch, content=body_of(SMALL_BATCH), headers=JSON_HEADERS)

    assert within.status_code == 400  # read, then refused: JSON is no multipart batch
    refused(lambda h: small_limits.post(batch, content=body_of(SMALL_BATCH + 1),
                                        headers={**JSON_HEADERS, **h}),
            413, REQUEST_TOO_LARGE(limit=SMALL_BATCH, option=BATCH_BODY_OPTION))  # fmt: skip
