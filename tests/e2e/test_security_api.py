"""Security through the Web API: 403 in the platform's words; queries see only readable rows."""

from __future__ import annotations

import pytest

from leadgate.platform import EntityReference
from leadgate.platform.users.messages import CreateApiTokenRequest
from leadgate.web import create_app
from tests.conftest import add_user
from tests.e2e.conftest import API, TestClient, assert_error, in_both_languages, platform_error


@pytest.fixture
def units(system):
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0].to_reference()
    east = system.create("businessunit", name="East", parentbusinessunitid=root)
    west = system.create("businessunit", name="West", parentbusinessunitid=root)
    return EntityReference("businessunit", east), EntityReference("businessunit", west)


@pytest.fixture
def salesperson(org, system, units):
    """A Salesperson of East, with a Web API client and a Python service."""
    east, _ = units
    user_id = add_user(system, "sales@test.example", role="Salesperson", unit=east)
    token = system.execute(CreateApiTokenRequest(EntityReference("systemuser", user_id))).token
    with TestClient(create_app(org), headers={"Authorization": f"Bearer {token}"}) as client:
        client.service = org.service(user_id)
        client.user_id = user_id
        yield client


def lead_of(system, unit, email, subject):
    owner = add_user(system, email, role="Salesperson", unit=unit)
    return system.create(
        "lead", subject=subject, lastname="Owner", ownerid=EntityReference("systemuser", owner)
    )


@pytest.mark.interface_only
def test_a_record_beyond_reach_is_403_with_the_platform_words(salesperson, system, units):
    _, west = units
    lead = lead_of(system, west, "west@test.example", "Far away")
    expected = platform_error(lambda: salesperson.service.retrieve("lead", lead))
    assert expected.code == "0x80048306"
    english, french = in_both_languages(
        lambda headers: salesperson.get(f"{API}/leads({lead})", headers=headers), 403, expected
    )
    assert "does not reach the lead record" in english
    assert "n'atteint pas l'enregistrement lead" in french


@pytest.mark.interface_only
def test_a_missing_privilege_is_403_naming_it(salesperson):
    response = salesperson.post(f"{API}/campaigns", json={"name": "Spring"})
    message = assert_error(response, 403, "0x80040220")
    assert "prvCreateCampaign on campaign" in message and "Roles held: Salesperson" in message
    french = assert_error(
        salesperson.post(
            f"{API}/campaigns", json={"name": "Spring"}, headers={"Accept-Language": "fr"}
        ),
        403,
        "0x80040220",
    )
    assert french.startswith("Accès refusé ou autorisations insuffisantes")


def test_collections_count_and_page_only_readable_records(salesperson, system, units):
    east, west = units
    for index in range(3):
        lead_of(system, east, f"east{index}@test.example", f"East {index}")
    lead_of(system, west, "west@test.example", "West")
    salesperson.service.create("lead", subject="Mine", lastname="Me")
    response = salesperson.get(
        f"{API}/leads",
        params={"$select": "subject", "$count": "true"},
        headers={"Prefer": "odata.maxpagesize=2"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["@odata.count"] == 4
    seen = [record["subject"] for record in body["value"]]
    following = salesperson.get(body["@odata.nextLink"], headers={"Prefer": "odata.maxpagesize=2"})
    seen += [record["subject"] for record in following.json()["value"]]
    assert sorted(seen) == ["East 0", "East 1", "East 2", "Mine"]


def test_security_tables_are_entity_sets(api, salesperson):
    roles = api.get(f"{API}/roles", params={"$select": "name"}).json()["value"]
    assert {"System Administrator", "Salesperson", "Sales Manager"} <= {r["name"] for r in roles}
    units = api.get(f"{API}/businessunits", params={"$select": "name"}).json()["value"]
    assert {"East", "West"} <= {u["name"] for u in units}
    assert api.get(f"{API}/teams").status_code == 200
    users = salesperson.get(f"{API}/systemusers", params={"$select": "internalemailaddress"})
    assert users.status_code == 200  # a salesperson reads the users of their unit
    assert "sales@test.example" in {u["internalemailaddress"] for u in users.json()["value"]}
    assert_error(salesperson.get(f"{API}/roles"), 403, "0x80040220")


@pytest.mark.interface_only
def test_who_am_i_answers_the_business_unit(salesperson, units):
    east, _ = units
    body = salesperson.get(f"{API}/WhoAmI").json()
    assert body["BusinessUnitId"] == str(east.id)
    assert body["UserId"] == str(salesperson.user_id)
