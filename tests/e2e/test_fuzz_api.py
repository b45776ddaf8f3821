"""A bounded fuzz of the Web API: random paths, query options, headers and bodies.

Whatever arrives, the answer is never a 5xx, except Dataverse's documented 500 for a duplicate
found on create (web/errors.py), and every refusal is a coded JSON error with nothing logged
as a failure. Values are drawn from shapes that broke servers before (deep JSON, long and
deep filters, digits of other scripts, many order terms) as well as plain random text; the
same examples run every time, in seconds. SQLite only: the HTTP layer is under test.
"""

from __future__ import annotations

import json
import logging
import uuid
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadgate.platform.engine import errors
from tests.e2e.conftest import API

GUID = str(uuid.UUID(int=7))
RECORD = f"{API}/leads({GUID})"
OPERATIONS = [
    ("GET", f"{API}/leads"), ("GET", f"{API}/accounts"), ("GET", f"{API}/new_widgets"),
    ("GET", RECORD), ("POST", f"{API}/leads"), ("PATCH", RECORD), ("DELETE", RECORD),
    ("POST", f"{RECORD}/Microsoft.Dynamics.CRM.QualifyLead"), ("GET", f"{API}/WhoAmI"),
    ("GET", f"{API}/RetrieveDuplicates(BusinessEntity=@p1,MatchingEntityName=@p2)"),
    ("GET", f"{RECORD}/Microsoft.Dynamics.CRM.lg_DiagnoseQualify(UserId=@p1,Status=@p2)"),
    ("POST", f"{API}/$batch"), ("GET", "/health"), ("GET", "/openapi.json"),
    ("GET", f"{API}/$metadata"), ("GET", f"{API}/sdkmessagefilters"),
    ("GET", f"{API}/EntityDefinitions(LogicalName='lead')/ManyToOneRelationships"),
    ("GET", f"{API}/GlobalOptionSetDefinitions"),
]  # fmt: skip
METHODS = ["GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS"]

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
# Digits of every script, superscripts and fractions: only 0-9 are numbers to the server.
digits = st.text(st.characters(categories=("Nd", "No")), min_size=1, max_size=3)
numbers = digits | st.integers(-3, 10**40).map(str)
columns = st.sampled_from(["firstname", "numberofemployees", "donotemail", "jobtitle",
                           "createdon", "_ownerid_value", "nope"])  # fmt: skip
# Short enough that 700 clauses fit in a URL (httpx stops at 64 KiB, servers sooner).
literals = (
    st.sampled_from(
        [
            "'a'",
            "null",
            "true",
            "false",
            "0",
            "٣",
            "1" + "0" * 40,
            "2026-01-01",
            "-" * 30 + "1",
            "('a', null)",
            "''''",
        ]
    )
    | numbers
)
operators = st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le", "in"])
repeats = st.sampled_from([1, 2, 3, 40, 501, 700])


@st.composite
def filters(draw: st.DrawFn) -> str:
    """Clauses joined many times, under runs of not: the shapes that exhausted the stack."""
    clause = f"{draw(columns)} {draw(operators)} {draw(literals)}"
    if draw(st.booleans()):
        clause = f"contains({draw(columns)},{draw(literals)})"
    joined = f" {draw(st.sampled_from(['and', 'or']))} ".join([clause] * draw(repeats))
    nots = draw(st.sampled_from([0, 1, 2, 33, 1200]))
    return "not (" * nots + joined + ")" * nots if draw(st.booleans()) else "not " * nots + joined


orderby = st.builds(lambda column, n: ",".join([column] * n), columns, st.integers(1, 2500))
deep_json = st.integers(0, 1500).map(lambda n: '{"a":' * n + "1" + "}" * n)
surrogate = '{"@odata.type":"Microsoft.Dynamics.CRM.lead","lastname":"\\ud800"}'
# One or two query options, each drawn from its own hostile shapes or from random text.
option = st.one_of(
    st.tuples(st.just("$filter"), filters() | filters() | text),
    st.tuples(st.just("$top"), numbers | text),
    st.tuples(st.sampled_from(["$orderby", "$select"]), orderby | text),
    st.tuples(st.sampled_from(["$count", "$skiptoken", "$expand", "$nope", "x"]), text),
    st.tuples(st.just("@p1"), deep_json | st.just(surrogate) | text),
    st.tuples(st.just("@p2"), st.sampled_from(["'lead'", "'nope'", "null"]) | text),
)
options = st.lists(option, max_size=2).map(dict)
latin1 = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=30)
headers = st.fixed_dictionaries({}, optional={
    "Prefer": st.builds("odata.maxpagesize={}".format, numbers) | latin1,
    "If-Match": st.builds('W/"{}"'.format, numbers) | latin1,
    "If-None-Match": latin1, "Accept-Language": st.sampled_from(["fr", "en", "de"]) | latin1,
    "Content-Type": st.sampled_from(["application/json", "text/plain"]) | latin1,
    "MSCRM.SuppressDuplicateDetection": st.sampled_from(["false", "true"]) | latin1,
})  # fmt: skip
keys = st.sampled_from(["subject", "lastname", "firstname", "a", "@odata.type",
                        "numberofemployees", "CreateAccount", "Status"])  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | text | st.floats(allow_nan=False),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=3),
    max_leaves=6,
)
bodies = st.one_of(
    st.none(),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.integers(0, 3000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
    st.binary(max_size=40),
)
# Mostly the server's own routes, where the options are read; sometimes any path at all.
targets = st.one_of(
    *[st.sampled_from(OPERATIONS)] * 4,
    st.tuples(st.sampled_from(METHODS), text.map(lambda t: f"{API}/{quote(t, safe='()=,@$')}")),
)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(target=targets, params=options, sent=headers, body=bodies)  # fmt: skip
def test_no_request_gets_a_server_error(sqlite_api, caplog, target, params, sent, body):
    method, path = target
    encoded = {name: value.encode("latin-1", "replace") for name, value in sent.items()}

    response = sqlite_api.request(method, path, params=params, headers=encoded, content=body)

    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"].startswith("0x") and error["message"], response.text
        if response.status_code >= 500:
            assert error["code"] == errors.DUPLICATE_DETECTED.code, response.text
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == []
