"""Signing in with a bearer token, WhoAmI, and the language errors are written in."""

from __future__ import annotations

import pytest

from leadgate.platform import Entity, EntityReference, RevokeApiTokenRequest
from leadgate.platform.engine import errors
from leadgate.platform.users.messages import CreateApiTokenRequest
from tests.conftest import ADMIN_ID
from tests.e2e.conftest import API, assert_error

# Tokens and users are stored like any record: how a request is signed in and refused is the
# Web API's (tests/integration/test_cli.py revokes and disables on both databases).
pytestmark = pytest.mark.interface_only
CHALLENGE = 'Bearer realm="leadgate"'


def test_who_am_i_names_the_user_their_business_unit_and_the_organization(api, org, system):
    response = api.get(f"{API}/WhoAmI")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["OData-Version"] == "4.0"
    root = system.retrieve_multiple_all("businessunit")[0]
    assert response.json() == {
        "@odata.context": "http://testserver/api/data/v9.2/$metadata"
        "#Microsoft.Dynamics.CRM.WhoAmIResponse",
        "BusinessUnitId": str(root.id),
        "UserId": str(ADMIN_ID),
        "OrganizationId": str(org.organization_id()),
    }


def test_a_request_without_a_valid_token_gets_401_and_a_challenge(anonymous, subtests):
    # Subtests share one organization: setting one up costs more than all the requests.
    for authorization in [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic YWRtaW46cGFzcw==",
        "Bearer lg_not-a-real-token",
    ]:
        with subtests.test(str(authorization)):
            headers = {} if authorization is None else {"Authorization": authorization}

            response = anonymous.get(f"{API}/transactioncurrencies", headers=headers)

            assert_error(response, 401, errors.NOT_AUTHENTICATED())
            assert response.headers["WWW-Authenticate"] == CHALLENGE
    french = anonymous.get(f"{API}/WhoAmI", headers={"Accept-Language": "fr"})
    assert_error(french, 401, errors.NOT_AUTHENTICATED(), "fr")


def test_every_route_needs_the_token(anonymous, subtests):
    record = "/transactioncurrencies(00000000-0000-4000-8000-000000000009)"
    for method, path in [
        ("GET", "/WhoAmI"),
        ("POST", "/transactioncurrencies"),
        ("PATCH", record),
        ("DELETE", record),
        ("GET", "/nosuchset"),
        ("PUT", "/nosuchset/deeper"),
        ("POST", "/$batch"),  # an asynchronous route
    ]:
        with subtests.test(f"{method} {path}"):
            response = anonymous.request(method, API + path, json={})

            assert_error(response, 401, errors.NOT_AUTHENTICATED())
    french = anonymous.post(f"{API}/$batch", headers={"Accept-Language": "fr"}, content=b"")
    assert_error(french, 401, errors.NOT_AUTHENTICATED(), "fr")


def test_a_revoked_token_no_longer_signs_in(api, system, token):
    assert api.get(f"{API}/WhoAmI").status_code == 200

    system.execute(RevokeApiTokenRequest(token))

    response = api.get(f"{API}/WhoAmI")
    assert_error(response, 401, errors.NOT_AUTHENTICATED())
    assert response.headers["WWW-Authenticate"] == CHALLENGE


def test_a_disabled_user_is_refused_in_their_language_or_the_asked_one(api, system):
    system.update(Entity("systemuser", ADMIN_ID, isdisabled=True))
    expected = errors.USER_DISABLED(user="admin@test.example")

    assert_error(api.get(f"{API}/WhoAmI"), 401, expected, "en")
    french = api.get(f"{API}/WhoAmI", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert_error(french, 401, expected, "fr")
    assert french.headers["WWW-Authenticate"] == CHALLENGE


def test_errors_follow_the_users_language_unless_accept_language_names_another(api, system):
    missing = "00000000-0000-4000-8000-00000000abcd"
    url = f"{API}/transactioncurrencies({missing})"
    expected = errors.RECORD_NOT_FOUND(table="transactioncurrency", id=missing)
    system.update(Entity("systemuser", ADMIN_ID, uilanguageid=1036))

    assert_error(api.get(url), 404, expected, "fr")
    assert_error(api.get(url, headers={"Accept-Language": "en-GB"}), 404, expected, "en")
    # A language leadgate does not speak falls back to the user's.
    assert_error(api.get(url, headers={"Accept-Language": "de-DE"}), 404, expected, "fr")


def test_another_users_token_runs_as_that_user(org, system, anonymous):
    root = system.retrieve_multiple_all("businessunit")[0]
    other = system.create(
        "systemuser",
        lastname="Other",
        internalemailaddress="other@test.example",
        businessunitid=EntityReference("businessunit", root.id),
    )
    token = system.execute(CreateApiTokenRequest(EntityReference("systemuser", other))).token

    response = anonymous.get(f"{API}/WhoAmI", headers={"Authorization": f"bearer {token}"})

    assert response.status_code == 200
    assert response.json()["UserId"] == str(other)
