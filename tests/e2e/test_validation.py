"""Every validation rule, reached through the Web API: status, code, English and French text.

The expected error is the one the platform raises for the same operation through the
Python API, so the texts are checked against the catalogue (and its French translation).
"""

from __future__ import annotations

import uuid

import pytest

from leadgate.platform import Entity, EntityReference
from leadgate.platform.engine import errors
from tests.conftest import ADMIN_ID
from tests.e2e.conftest import API, assert_error, in_both_languages, new_id, platform_error

PROJECTS = f"{API}/new_projects"
CURRENCIES = f"{API}/transactioncurrencies"
VALID = {"new_name": "Apollo", "new_sponsor": "Ada"}


def post_project(api, body):
    return lambda headers: api.post(PROJECTS, json=body, headers=headers)


@pytest.mark.interface_only
@pytest.mark.usefixtures("project_table")
def test_unknown_column(api):
    expected = errors.UNKNOWN_PROPERTY(name="new_colour", table="new_project")

    english, _ = in_both_languages(post_project(api, {**VALID, "new_colour": "red"}), 400, expected)

    assert english == (
        "Could not find a property named 'new_colour' on type 'Microsoft.Dynamics.CRM.new_project'."
    )


WRONG_TYPES = [
    ("new_count", "seven"),
    ("new_count", 2.5),
    ("new_name", 42),
    ("new_active", "yes"),
    ("new_budget", "a lot"),
    ("new_due", "next tuesday"),
    ("new_start", "23/11/2026"),
    ("new_phase", "Build"),
]


@pytest.mark.interface_only
@pytest.mark.usefixtures("project_table")
def test_wrong_type(api, admin):
    # One table for every case: creating it is what costs time, not the requests.
    for column, value in WRONG_TYPES:
        body = {**VALID, column: value}
        expected = platform_error(lambda body=body: admin.create("new_project", body))
        assert expected.code == errors.INVALID_VALUE_TYPE.code, (column, value)

        in_both_languages(post_project(api, body), 400, expected)


@pytest.mark.interface_only
@pytest.mark.usefixtures("project_table")
def test_string_over_its_maximum_length(api, admin):
    body = {**VALID, "new_code": "X" * 11}
    expected = platform_error(lambda: admin.create("new_project", body))

    english, _ = in_both_languages(post_project(api, body), 400, expected)

    assert expected.code == "0x80044331"
    assert "exceeded the maximum allowed length of '10'" in english


@pytest.mark.interface_only
def test_number_out_of_range(api, admin):
    body = {
        "currencyname": "Yen",
        "isocurrencycode": "JPY",
        "currencysymbol": "¥",
        "exchangerate": 150,
        "currencyprecision": 9,
    }
    expected = platform_error(lambda: admin.create("transactioncurrency", body))

    in_both_languages(lambda h: api.post(CURRENCIES, json=body, headers=h), 400, expected)

    assert expected.kind is errors.VALUE_OUT_OF_RANGE


@pytest.mark.interface_only
@pytest.mark.usefixtures("project_table")
def test_choice_value_not_in_its_option_set(api, admin):
    body = {**VALID, "new_phase": 7}
    expected = platform_error(lambda: admin.create("new_project", body))

    english, _ = in_both_languages(post_project(api, body), 400, expected)

    assert expected.code == "0x8004431A"
    assert english.startswith("The picklist value is out of the range")


@pytest.mark.interface_only
@pytest.mark.usefixtures("project_table")
def test_required_column_missing(api, admin):
    body = {"new_name": "Apollo"}
    expected = platform_error(lambda: admin.create("new_project", body))

    english, _ = in_both_languages(post_project(api, body), 400, expected)

    assert expected.code == "0x80040200"
    assert english.startswith("Required field missing: 'new_sponsor'")


@pytest.mark.interface_only
@pytest.mark.usefixtures("project_table")
def test_required_column_cannot_be_emptied(api, admin, new_project):
    project = new_project()
    record = Entity("new_project", uuid.UUID(project), new_sponsor=None)
    expected = platform_error(lambda: admin.update(record))

    in_both_languages(
        lambda h: api.patch(f"{PROJECTS}({project})", json={"new_sponsor": None}, headers=h),
        400,
        expected,
    )


@pytest.mark.interface_only
@pytest.mark.usefixtures("project_table")
def test_lookup_to_a_missing_record(api, admin):
    missing = new_id()
    body = {**VALID, "new_currencyid@odata.bind": f"/transactioncurrencies({missing})"}
    expected = platform_error(
        lambda: admin.create(
            "new_project",
            {**VALID, "new_currencyid": EntityReference("transactioncurrency", uuid.UUID(missing))},
        )
    )

    in_both_languages(post_project(api, body), 400, expected)

    assert expected.kind is errors.LOOKUP_NOT_FOUND


@pytest.mark.interface_only
@pytest.mark.usefixtures("project_table")
def test_lookup_to_a_table_it_does_not_accept(api, admin):
    body = {**VALID, "new_currencyid@odata.bind": f"/systemusers({ADMIN_ID})"}
    expected = platform_error(
        lambda: admin.create(
            "new_project", {**VALID, "new_currencyid": EntityReference("systemuser", ADMIN_ID)}
        )
    )

    in_both_languages(post_project(api, body), 400, expected)

    assert expected.kind is errors.LOOKUP_WRONG_TARGET


@pytest.mark.interface_only
def test_invalid_state_and_status_pair_through_patch_of_statuscode(api, admin, new_project):
    project = new_project()
    record = Entity("new_project", uuid.UUID(project), statuscode=5)
    expected = platform_error(lambda: admin.update(record))

    english, _ = in_both_languages(
        lambda h: api.patch(f"{PROJECTS}({project})", json={"statuscode": 5}, headers=h),
        400,
        expected,
    )

    assert expected.code == "0x80048408"
    assert english.startswith("5 is not a valid status code for state code ")
    assert f"on new_project with Id {project}" in english


@pytest.mark.interface_only
def test_column_the_platform_sets(api, admin):
    body = {
        "currencyname": "Yen",
        "isocurrencycode": "JPY",
        "currencysymbol": "¥",
        "exchangerate": 150,
        "createdon": "2020-01-01T00:00:00Z",
    }
    expected = platform_error(lambda: admin.create("transactioncurrency", body))

    in_both_languages(lambda h: api.post(CURRENCIES, json=body, headers=h), 400, expected)

    assert expected.kind is errors.NOT_VALID_FOR_CREATE


@pytest.mark.interface_only
def test_record_not_found(api):
    missing = new_id()
    expected = errors.RECORD_NOT_FOUND(table="transactioncurrency", id=missing)

    english, _ = in_both_languages(
        lambda h: api.get(f"{CURRENCIES}({missing})", headers=h), 404, expected
    )

    assert english == f"transactioncurrency With Id = {missing} Does Not Exist"


def test_stale_version(api):
    location = api.post(
        CURRENCIES,
        json={
            "currencyname": "Yen",
            "isocurrencycode": "JPY",
            "currencysymbol": "¥",
            "exchangerate": 150,
        },
    ).headers["OData-EntityId"]
    record_id = location.rsplit("(", 1)[1].rstrip(")")
    old = api.get(f"{location}?$select=versionnumber").json()["versionnumber"]
    api.patch(location, json={"currencysymbol": "円"})
    new = api.get(f"{location}?$select=versionnumber").json()["versionnumber"]
    expected = errors.VERSION_MISMATCH(
        table="transactioncurrency", id=record_id, expected=old, actual=new
    )

    english, _ = in_both_languages(
        lambda h: api.patch(
            location, json={"currencysymbol": "¥"}, headers={"If-Match": f'W/"{old}"', **h}
        ),
        412,
        expected,
    )

    assert english.startswith("The version of the existing record doesn't match")


def test_duplicate_alternate_key(api):
    body = {
        "currencyname": "Dollar again",
        "isocurrencycode": "USD",
        "currencysymbol": "$",
        "exchangerate": 1,
    }

    assert_error(api.post(CURRENCIES, json=body), 412, errors.DUPLICATE_RECORD.code)
    assert_error(
        api.post(CURRENCIES, json=body, headers={"Accept-Language": "fr"}),
        412,
        errors.DUPLICATE_RECORD.code,
    )


@pytest.mark.interface_only
def test_wrong_type_in_a_filter_value(api, admin):
    expected = platform_error(
        lambda: admin.retrieve_multiple("transactioncurrency", currencyprecision="two")
    )

    in_both_languages(
        lambda h: api.get(f"{CURRENCIES}?$filter=currencyprecision eq 'two'", headers=h),
        400,
        expected,
    )
