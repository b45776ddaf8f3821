"""The sales tables over the Web API: leads, accounts and contacts as integrations use them."""

from __future__ import annotations

import uuid

import pytest

from leadgate.platform import Entity
from leadgate.platform.engine import errors
from tests.e2e.conftest import API, assert_error, in_both_languages, platform_error

ANNOTATIONS = {"Prefer": 'odata.include-annotations="*"'}
FORMATTED = "@OData.Community.Display.V1.FormattedValue"
LOGICAL_NAME = "@Microsoft.Dynamics.CRM.lookuplogicalname"


def created_id(response) -> str:
    assert response.status_code == 204, response.text
    return response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")


def test_a_new_lead_is_open_and_new_with_its_labels_in_the_readers_language(api):
    response = api.post(
        f"{API}/leads?$select=fullname,statecode,statuscode,leadqualitycode,estimatedclosedate",
        json={
            "subject": "Fleet renewal",
            "firstname": "Ada",
            "lastname": "Lovelace",
            "leadqualitycode": 1,
            "estimatedclosedate": "2026-12-31",
        },
        headers={"Prefer": "return=representation," + ANNOTATIONS["Prefer"]},
    )

    assert response.status_code == 201, response.text
    lead = response.json()
    assert lead["fullname"] == "Ada Lovelace"
    assert (lead["statecode"], lead["statuscode"]) == (0, 1)
    assert lead["statecode" + FORMATTED] == "Open"
    assert lead["statuscode" + FORMATTED] == "New"
    assert lead["leadqualitycode" + FORMATTED] == "Hot"
    assert lead["estimatedclosedate"] == "2026-12-31"
    french = api.get(
        f"{API}/leads({lead['leadid']})?$select=statecode,statuscode",
        headers={**ANNOTATIONS, "Accept-Language": "fr"},
    ).json()
    assert french["statecode" + FORMATTED] == "Ouvert"
    assert french["statuscode" + FORMATTED] == "Nouveau"


@pytest.mark.interface_only
def test_a_status_reason_of_another_state_is_refused_as_in_the_seed(api, admin):
    lead = created_id(api.post(f"{API}/leads", json={"subject": "Fleet", "lastname": "Smith"}))
    expected = platform_error(lambda: admin.update(Entity("lead", uuid.UUID(lead), statuscode=4)))

    english, _ = in_both_languages(
        lambda h: api.patch(f"{API}/leads({lead})", json={"statuscode": 4}, headers=h),
        400,
        expected,
    )

    assert english.startswith(
        f"4 is not a valid status code for state code LeadState.Open on lead with Id {lead}"
    )


def test_disqualifying_a_lead_by_patching_its_state_and_status(api):
    lead = created_id(api.post(f"{API}/leads", json={"subject": "Fleet", "lastname": "Smith"}))

    response = api.patch(f"{API}/leads({lead})", json={"statecode": 2, "statuscode": 4})

    assert response.status_code == 204, response.text
    body = api.get(f"{API}/leads({lead})?$select=statecode,statuscode", headers=ANNOTATIONS).json()
    assert body["statecode" + FORMATTED] == "Disqualified"
    assert body["statuscode" + FORMATTED] == "Lost"


@pytest.mark.interface_only
def test_a_contacts_company_is_bound_through_its_customer_navigation_names(api):
    account = created_id(api.post(f"{API}/accounts", json={"name": "Contoso"}))

    contact = created_id(
        api.post(
            f"{API}/contacts",
            json={
                "lastname": "Smith",
                "parentcustomerid_account@odata.bind": f"/accounts({account})",
            },
        )
    )

    body = api.get(
        f"{API}/contacts({contact})?$select=_parentcustomerid_value", headers=ANNOTATIONS
    ).json()
    assert body["_parentcustomerid_value"] == account
    assert body["_parentcustomerid_value" + LOGICAL_NAME] == "account"
    wrong = api.post(
        f"{API}/contacts",
        json={
            "lastname": "Jones",
            "parentcustomerid_contact@odata.bind": f"/accounts({account})",
        },
    )
    assert_error(wrong, 400, errors.LOOKUP_WRONG_TARGET.code)


def test_finding_the_open_leads_of_an_account(api):
    account = created_id(api.post(f"{API}/accounts", json={"name": "Contoso"}))
    for subject in ("Fleet renewal", "Fleet extension", "Coffee machines"):
        api.post(
            f"{API}/leads",
            json={
                "subject": subject,
                "lastname": "Smith",
                "parentaccountid@odata.bind": f"/accounts({account})",
            },
        )
    api.post(f"{API}/leads", json={"subject": "Fleet elsewhere", "lastname": "Doe"})

    response = api.get(
        f"{API}/leads?$select=subject&$orderby=subject desc&$count=true"
        f"&$filter=_parentaccountid_value eq {account} and statecode eq 0 "
        "and startswith(subject,'fleet')"
    )

    assert response.status_code == 200, response.text
    assert [lead["subject"] for lead in response.json()["value"]] == [
        "Fleet renewal",
        "Fleet extension",
    ]
    assert response.json()["@odata.count"] == 2
