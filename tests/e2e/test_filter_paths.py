"""Navigation paths in $filter (parentaccountid/name eq 'X'): the lookups that point at the
related records a comparison keeps, read as the caller."""

from __future__ import annotations

import pytest

from leadgate.platform import EntityReference
from leadgate.platform.engine import errors
from leadgate.web import filter_paths
from leadgate.web.query_limits import NAVIGATION_MATCHES_TOO_MANY, NAVIGATION_PATHS_TOO_MANY
from tests.conftest import add_user
from tests.e2e.conftest import API, assert_error
from tests.e2e.test_security_api import salesperson, units  # noqa: F401  (fixtures)

LEADS = f"{API}/leads"


@pytest.fixture
def leads(admin):
    contoso = admin.create("account", name="Contoso")
    fabrikam = admin.create("account", name="Fabrikam")
    admin.create("contact", lastname="Byron", parentcustomerid=EntityReference("account", contoso))
    for subject, account in [("On Contoso", contoso), ("On Fabrikam", fabrikam), ("Alone", None)]:
        values = {"parentaccountid": EntityReference("account", account)} if account else {}
        admin.create("lead", subject=subject, lastname="L", **values)


def subjects(api, condition: str) -> set[str]:
    response = api.get(LEADS, params={"$select": "subject", "$filter": condition})
    assert response.status_code == 200, response.text
    return {record["subject"] for record in response.json()["value"]}


CASES = [
    ("parentaccountid/name eq 'Contoso'", {"On Contoso"}),
    ("parentaccountid/name eq 'contoso'", {"On Contoso"}),  # text ignores case, as in Dataverse
    ("parentaccountid/name ne 'Contoso'", {"On Fabrikam"}),  # a join: an empty lookup is out
    ("not (parentaccountid/name eq 'Contoso')", {"On Fabrikam", "Alone"}),
    ("contains(parentaccountid/name,'abri')", {"On Fabrikam"}),
    ("parentaccountid/name in ('Contoso','Fabrikam')", {"On Contoso", "On Fabrikam"}),
    ("parentaccountid/name eq 'Nobody'", set()),
    ("not (parentaccountid/name eq 'Nobody')", {"On Contoso", "On Fabrikam", "Alone"}),
    ("parentaccountid/name eq 'Contoso' or subject eq 'Alone'", {"On Contoso", "Alone"}),
]


@pytest.mark.usefixtures("leads")
def test_a_path_keeps_the_records_whose_related_record_matches(api, subtests):
    for condition, expected in CASES:
        with subtests.test(condition):
            assert subjects(api, condition) == expected


@pytest.mark.usefixtures("leads")
def test_paths_work_for_customer_and_owner_lookups_and_in_count(api):
    mine = api.get(LEADS, params={"$filter": "ownerid_systemuser/lastname eq 'Admin'"})
    assert len(mine.json()["value"]) == 3
    response = api.get(
        f"{API}/contacts",
        params={"$select": "lastname", "$filter": "parentcustomerid_account/name eq 'Contoso'"},
    )
    assert [r["lastname"] for r in response.json()["value"]] == ["Byron"]
    counted = api.get(f"{LEADS}/$count", params={"$filter": "parentaccountid/name ne 'x'"})
    assert counted.status_code == 200, counted.text
    assert counted.text.strip() == "2"


@pytest.mark.interface_only
@pytest.mark.parametrize(
    ("condition", "english", "french"),
    [
        ("createdby/businessunitid/name eq 'x'", "paths through lookups", "chemins a/b"),
        ("ownerid/fullname eq 'x'", "'ownerid/fullname' is not one", "n'en est pas un"),
        ("lead_parent_account/name eq 'x'", "is not one", "n'en est pas un"),
    ],
)
def test_a_path_leadgate_cannot_follow_is_a_coded_400(sqlite_api, condition, english, french):
    params = {"$filter": condition}
    message = assert_error(sqlite_api.get(LEADS, params=params), 400, errors.INVALID_QUERY.code)
    assert english in message
    response = sqlite_api.get(LEADS, params=params, headers={"Accept-Language": "fr"})
    assert french in assert_error(response, 400, errors.INVALID_QUERY.code, "fr")


@pytest.mark.interface_only
def test_too_many_paths_are_refused(sqlite_api):
    condition = " or ".join(["parentaccountid/name eq 'x'"] * 11)
    response = sqlite_api.get(LEADS, params={"$filter": condition})
    assert "more than 10 times" in assert_error(response, 400, NAVIGATION_PATHS_TOO_MANY.code)
    french = sqlite_api.get(LEADS, params={"$filter": condition}, headers={"Accept-Language": "fr"})
    assert "plus de 10\u00a0fois" in assert_error(french, 400, NAVIGATION_PATHS_TOO_MANY.code, "fr")


def test_a_path_matching_too_many_records_is_refused(api, leads, monkeypatch):
    monkeypatch.setattr(filter_paths, "MAX_NAVIGATION_MATCHES", 1)
    response = api.get(LEADS, params={"$filter": "parentaccountid/name ne 'x'"})
    message = assert_error(response, 400, NAVIGATION_MATCHES_TOO_MANY.code)
    assert "_parentaccountid_value eq <GUID>" in message
    french = api.get(
        LEADS, params={"$filter": "parentaccountid/name ne 'x'"}, headers={"Accept-Language": "fr"}
    )
    assert "_parentaccountid_value eq <GUID>" in assert_error(
        french, 400, NAVIGATION_MATCHES_TOO_MANY.code, "fr"
    )


def test_a_path_reads_the_related_records_as_the_caller(salesperson, system, units):  # noqa: F811
    _, west = units
    far = system.create(
        "account",
        name="Far away",
        ownerid=EntityReference("systemuser", add_user(system, "w@test.example", unit=west)),
    )
    system.create(
        "lead",
        subject="Mine",
        lastname="Me",
        parentaccountid=EntityReference("account", far),
        ownerid=EntityReference("systemuser", salesperson.user_id),
    )
    condition = "parentaccountid/name eq 'Far away'"
    assert subjects(salesperson, condition) == set()
    assert subjects(salesperson, f"not ({condition})") == {"Mine"}
