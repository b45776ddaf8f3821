"""Dataverse's query functions in $filter (Microsoft.Dynamics.CRM.In and the others), and
query strings decoded as forms ('+' is a space), as the SDK and dataverse-api send them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadgate.platform import EntityReference
from leadgate.platform.engine import errors
from leadgate.platform.engine.errors import LeadgateError
from leadgate.web.filter_paths import navigator
from leadgate.web.odata_filter import parse_filter
from leadgate.web.query_functions import SUPPORTED
from leadgate.web.resources import resolve_property
from tests.conftest import add_user
from tests.e2e.conftest import API, assert_error

LEADS = f"{API}/leads"
CRM = "Microsoft.Dynamics.CRM."


@pytest.fixture
def leads(admin, system):
    """Four leads: sources 1, 2, none and 1 (that one owned by another user), sizes 5..20."""
    other = add_user(system, "other@test.example")
    made = {}
    for subject, source, size, owner in [
        ("Ads", 1, 5, None),
        ("Referral", 2, 10, None),
        ("Unknown", None, 15, None),
        ("Theirs", 1, 20, other),
    ]:
        values = {"subject": subject, "lastname": "L", "numberofemployees": size}
        if source is not None:
            values["leadsourcecode"] = source
        if owner is not None:
            values["ownerid"] = EntityReference("systemuser", owner)
        made[subject] = admin.create("lead", **values)
    return made


def subjects(api, condition: str) -> set[str]:
    response = api.get(LEADS, params={"$select": "subject", "$filter": condition})
    assert response.status_code == 200, response.text
    return {record["subject"] for record in response.json()["value"]}


ALL = {"Ads", "Referral", "Unknown", "Theirs"}
CASES = [
    (f"{CRM}In(PropertyName='leadsourcecode',PropertyValues=[\"1\",\"2\"])", ALL - {"Unknown"}),
    (f"{CRM}In(PropertyName='leadsourcecode',PropertyValues=['2'])", {"Referral"}),
    (f"{CRM}In(PropertyName='subject',PropertyValues=[\"ads\",'Nope'])", {"Ads"}),
    # NotIn keeps the empty values, as ne does.
    (f"{CRM}NotIn(PropertyName='leadsourcecode',PropertyValues=[\"1\"])", {"Referral", "Unknown"}),
    (f"not {CRM}In(PropertyName='leadsourcecode',PropertyValues=[\"1\"])", {"Referral", "Unknown"}),
    (f"{CRM}Between(PropertyName='numberofemployees',PropertyValues=[\"10\",\"15\"])",
     {"Referral", "Unknown"}),
    (f"{CRM}NotBetween(PropertyName='numberofemployees',PropertyValues=[10,15])",
     {"Ads", "Theirs"}),
    (f"{CRM}EqualUserId(PropertyName='ownerid')", ALL - {"Theirs"}),
    (f"{CRM}NotEqualUserId(PropertyName='ownerid')", {"Theirs"}),
    (f"not {CRM}EqualUserId(PropertyName='ownerid')", {"Theirs"}),
    (f"{CRM}EqualBusinessId(PropertyName='owningbusinessunit')", ALL),
    (f"{CRM}Today(PropertyName='createdon')", ALL),
    (f"{CRM}LastXDays(PropertyName='createdon',PropertyValue=3)", ALL),
    (f"{CRM}Last7Days(PropertyName='createdon')", ALL),
    (f"{CRM}LastXHours(PropertyName='createdon',PropertyValue=1)", ALL),
    (f"{CRM}Yesterday(PropertyName='createdon')", set()),
    (f"{CRM}OlderThanXDays(PropertyName='createdon',PropertyValue=1)", set()),
    (f"{CRM}NextXDays(PropertyName='createdon',PropertyValue=1)", set()),
    (f"{CRM}OnOrBefore(PropertyName='createdon',PropertyValue='2000-01-01')", set()),
    (f"{CRM}OnOrAfter(PropertyName='createdon',PropertyValue='2000-01-01')", ALL),
    # Mixed with plain OData, and a function's name inside a string is only text.
    (f"({CRM}In(PropertyName='leadsourcecode',PropertyValues=[\"1\"])) and subject ne "
     f"'{CRM}In('", {"Ads", "Theirs"}),
]  # fmt: skip


@pytest.mark.usefixtures("leads")
def test_query_functions_find_what_dataverse_finds(api, subtests):
    for condition, expected in CASES:
        with subtests.test(condition):
            assert subjects(api, condition) == expected


def test_in_takes_lookup_ids(api, leads, admin):
    theirs = admin.retrieve("lead", leads["Theirs"], ["ownerid"])["ownerid"].id
    condition = f"{CRM}In(PropertyName='_ownerid_value',PropertyValues=[\"{theirs}\"])"
    assert subjects(api, condition) == {"Theirs"}


@pytest.mark.usefixtures("leads")
def test_plus_is_a_space_and_percent_escapes_are_read(api):
    # requests encodes the SDK's params so; the SDK's get-by-id sends raw $select=a,b.
    response = api.get(f"{LEADS}?%24select=subject,lastname&%24filter=subject+eq+%27Ads%27")
    assert response.status_code == 200, response.text
    assert [r["subject"] for r in response.json()["value"]] == ["Ads"]
    raw = api.get(
        f"{LEADS}?$select=subject&$filter={CRM}In(PropertyName=%27leadsourcecode%27,"
        "PropertyValues=%5B%222%22%5D)"
    )
    assert [r["subject"] for r in raw.json()["value"]] == ["Referral"]


BAD = [
    (f"{CRM}Above(PropertyName='x')", "is not supported", "n'est pas prise en charge"),
    (f"{CRM}In(PropertyName='leadsourcecode')", "takes the parameters", "prend les paramètres"),
    (f"{CRM}In(PropertyName='leadsourcecode',PropertyValues=\"1\")", "as a list", "une liste"),
    (f"{CRM}In(PropertyName='leadsourcecode',PropertyValues=[])", "at least one value",
     "au moins une valeur"),
    (f"{CRM}In(PropertyName='leadsourcecode',PropertyValues=[\"1\"", "cannot be read",
     "ne peut pas être lu"),
    (f"{CRM}In(PropertyName=leadsourcecode,PropertyValues=[\"1\"])", "in quotes", "entre"),
    (f"{CRM}Between(PropertyName='numberofemployees',PropertyValues=[1])", "exactly two values",
     "exactement deux valeurs"),
    (f"{CRM}LastXDays(PropertyName='subject',PropertyValue=1)", "is not a date",
     "n'est pas une date"),
    (f"{CRM}LastXDays(PropertyName='createdon',PropertyValue=-1)", "whole number",
     "nombre entier"),
    (f"{CRM}On(PropertyName='createdon',PropertyValue='soon')", "as a date", "une date"),
    (f"not {CRM}EqualBusinessId(PropertyName='owningbusinessunit')",
     "'not' cannot be put before Microsoft.Dynamics.CRM.EqualBusinessId: leadgate has no "
     "operator for its opposite.",
     "« not » ne peut pas précéder Microsoft.Dynamics.CRM.EqualBusinessId"),
    (f"{CRM}In(PropertyName='x',PropertyName='y')", "twice", "deux fois"),
    ("In(PropertyName='statecode',PropertyValues=[\"0\"])",
     "In in $filter is written with its namespace: Microsoft.Dynamics.CRM.In(…).",
     "In dans $filter s'écrit avec son espace de noms : Microsoft.Dynamics.CRM.In(…)."),
]  # fmt: skip


@pytest.mark.interface_only
@pytest.mark.parametrize(("condition", "english", "french"), BAD)
def test_a_wrong_call_is_a_coded_400_in_both_languages(sqlite_api, condition, english, french):
    params = {"$filter": condition}
    message = assert_error(sqlite_api.get(LEADS, params=params), 400, errors.INVALID_QUERY.code)
    assert english in message
    response = sqlite_api.get(LEADS, params=params, headers={"Accept-Language": "fr"})
    assert french in assert_error(response, 400, errors.INVALID_QUERY.code, "fr")


@pytest.mark.interface_only
def test_a_call_written_inside_a_text_is_only_text(sqlite_api):
    response = sqlite_api.get(LEADS, params={"$filter": "subject eq 'In(PropertyName=x'"})
    assert (response.status_code, response.json()["value"]) == (200, [])


@pytest.mark.interface_only
def test_an_unknown_property_in_a_call_is_dataverses_error(sqlite_api):
    condition = f"{CRM}In(PropertyName='nope',PropertyValues=[\"1\"])"
    response = sqlite_api.get(LEADS, params={"$filter": condition})
    assert "'nope'" in assert_error(response, 400, errors.UNKNOWN_PROPERTY.code)


@pytest.mark.interface_only
def test_a_value_the_column_refuses_is_the_platforms_error(sqlite_api):
    condition = f"{CRM}In(PropertyName='leadsourcecode',PropertyValues=[\"one\"])"
    response = sqlite_api.get(LEADS, params={"$filter": condition})
    assert response.status_code == 400
    assert response.json()["error"]["code"].startswith("0x")


def test_the_docs_list_every_supported_function():
    from pathlib import Path

    page = (Path(__file__).parents[2] / "docs" / "web-api-queries.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in page for name in SUPPORTED)


pieces = st.sampled_from(
    [CRM + "In(", CRM + "NotIn(", CRM + "Between(", CRM + "Today(", CRM + "EqualUserId(",
     CRM + "LastXDays(", CRM, "PropertyName=", "PropertyValues=", "PropertyValue=",
     "'leadsourcecode'", "'createdon'", "'", "''", '"', '\\"', "[", "]", "(", ")", ",", " ",
     "1", "-1", "99999999999",
     "null", "true", "\"2\"", "'x'", "not ", " and ", " eq ", "٣", "\x00", "é",
     "parentaccountid/name", "parentaccountid/", "/", "ownerid/fullname", "contains(",
     "lead_parent_account/name", " in ('a','b')"]
)  # fmt: skip
hostile = st.lists(pieces | st.text(max_size=4), max_size=25).map("".join)


@pytest.mark.interface_only
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=hostile)
def test_any_filter_is_read_or_refused_with_a_code(sqlite_org, text):
    metadata = sqlite_org.metadata()
    table = metadata.table("lead")
    try:
        parse_filter(
            text,
            lambda name: resolve_property(table, name).name,
            lambda name: resolve_property(table, name),
            navigator(sqlite_org.system_service(), metadata, table),
        )
    except LeadgateError as error:
        assert error.code.startswith("0x") and error.message("fr")


@pytest.mark.interface_only
def test_hostile_calls_over_http_are_never_a_500(sqlite_api):
    for condition in [
        CRM + "In(" * 500,
        CRM + "In(PropertyName='leadsourcecode',PropertyValues=[" + "[" * 300 + "])",
        CRM + "In(PropertyName='leadsourcecode',PropertyValues=[" + '"1",' * 800 + '"1"])',
        CRM + "In(PropertyName='leadsourcecode',PropertyValues=[\"\\ud800\"])",
        CRM + "LastXDays(PropertyName='createdon',PropertyValue=99999999999999999999)",
    ]:
        response = sqlite_api.get(LEADS, params={"$filter": condition})
        assert 400 <= response.status_code < 500, (condition[:80], response.text)
        assert response.json()["error"]["code"].startswith("0x")


@pytest.mark.interface_only
def test_date_functions_bound_whole_utc_days(sqlite_org):
    import datetime as dt

    from leadgate.web.query_functions import rewrite_functions

    table = sqlite_org.metadata().table("lead")
    now = dt.datetime(2026, 3, 10, 15, 30, 20, 500_000, tzinfo=dt.UTC)

    def bounds(call: str) -> str:
        text = rewrite_functions(f"{CRM}{call}", lambda n: resolve_property(table, n), now).text
        return text.replace("createdon ", "").replace("'", "")

    assert bounds("Today(PropertyName='createdon')") == (
        "(ge 2026-03-10T00:00:00Z and lt 2026-03-11T00:00:00Z)"
    )
    assert bounds("Last7Days(PropertyName='createdon')") == (
        "(ge 2026-03-04T00:00:00Z and lt 2026-03-11T00:00:00Z)"
    )
    # "now" is rounded up to the next whole second, so that this second's records are in.
    assert bounds("LastXDays(PropertyName='createdon',PropertyValue=2)") == (
        "(ge 2026-03-08T00:00:00Z and lt 2026-03-10T15:30:21Z)"
    )
    assert bounds("NextXHours(PropertyName='createdon',PropertyValue=1)") == (
        "(ge 2026-03-10T15:30:21Z and lt 2026-03-10T16:30:21Z)"
    )
    assert bounds("OlderThanXDays(PropertyName='createdon',PropertyValue=1)") == (
        "(lt 2026-03-09T15:30:21Z)"
    )
    assert bounds("OnOrBefore(PropertyName='createdon',PropertyValue='2026-01-31')") == (
        "(lt 2026-02-01T00:00:00Z)"
    )
    estimated = rewrite_functions(
        f"{CRM}Tomorrow(PropertyName='estimatedclosedate')",
        lambda n: resolve_property(table, n),
        now,
    ).text
    assert (
        estimated == "(estimatedclosedate ge '2026-03-11' and estimatedclosedate lt '2026-03-12')"
    )
