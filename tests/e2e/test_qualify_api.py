"""QualifyLead over the Web API, and the seed's failures as a Dataverse client meets them.

``POST leads(<id>)/Microsoft.Dynamics.CRM.QualifyLead`` (REFERENCE §3); disqualifying and
reactivating are PATCHes of statecode/statuscode, which the platform runs as SetState.
Every refusal is compared with the platform's own error, in English and in French.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator

import pytest

from leadgate.platform import Entity, EntityReference
from leadgate.platform.engine import errors
from leadgate.platform.users.messages import CreateApiTokenRequest
from leadgate.sales.errors import CHOOSE_WHAT_TO_CREATE
from leadgate.sales.qualify import QualifyLeadRequest
from leadgate.web import create_app
from tests.conftest import add_user
from tests.e2e.conftest import API, assert_error, in_both_languages, platform_error

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # see tests/e2e/conftest.py
    from fastapi.testclient import TestClient

ACTION = "Microsoft.Dynamics.CRM.QualifyLead"
ALL_THREE = {"CreateAccount": True, "CreateContact": True, "CreateOpportunity": True, "Status": 3}
CLOSED_EN = "The lead is closed and you can't convert or qualify a lead that is already closed."
CLOSED_FR = (
    "Le prospect est fermé et vous ne pouvez pas convertir ou qualifier un prospect déjà fermé."
)
ANNOTATIONS = {"Prefer": 'odata.include-annotations="*"'}
FORMATTED = "@OData.Community.Display.V1.FormattedValue"


def created_id(response) -> str:
    assert response.status_code == 204, response.text
    return response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")


def new_lead(client, **values) -> str:
    body = {"subject": "Fleet renewal", "firstname": "Ada", "lastname": "Lovelace",
            "companyname": "Contoso", "jobtitle": "CTO", "emailaddress1": "ada@contoso.example",
            **values}  # fmt: skip
    return created_id(client.post(f"{API}/leads", json=body))


def qualify(client, lead: str, body: dict | None = None, headers: dict | None = None):
    return client.post(
        f"{API}/leads({lead})/{ACTION}", json=ALL_THREE if body is None else body, headers=headers
    )


def read(client, entity_set: str, key: str, select: str) -> dict:
    response = client.get(f"{API}/{entity_set}({key})?$select={select}", headers=ANNOTATIONS)
    assert response.status_code == 200, response.text
    return response.json()


def qualify_as(service, lead: str):
    return lambda: service.execute(QualifyLeadRequest(EntityReference("lead", uuid.UUID(lead))))


# --- qualifying -----------------------------------------------------------------------------


def test_qualifying_creates_the_three_records_and_closes_the_lead_with_links(api, system):
    currency = system.retrieve_multiple_all("transactioncurrency", columns=["isocurrencycode"])[0]
    lead = new_lead(api)

    response = qualify(api, lead, {
        **ALL_THREE,
        "OpportunityCurrencyId": {"@odata.type": "#Microsoft.Dynamics.CRM.transactioncurrency",
                                  "transactioncurrencyid": str(currency.id)},
        "SourceCampaignId": None, "ProcessInstanceId": None, "SuppressDuplicateDetection": False,
    })  # fmt: skip

    assert response.status_code == 200, response.text
    assert response.headers["OData-Version"] == "4.0"
    body = response.json()
    assert list(body) == ["@odata.context", "value"]
    assert body["@odata.context"] == (
        "http://testserver/api/data/v9.2/$metadata#Collection(Microsoft.Dynamics.CRM.crmbaseentity)"
    )
    assert [sorted(item) for item in body["value"]] == [
        ["@odata.type", "accountid"], ["@odata.type", "contactid"],
        ["@odata.type", "opportunityid"],
    ]  # fmt: skip
    assert [item["@odata.type"] for item in body["value"]] == [
        "#Microsoft.Dynamics.CRM.account", "#Microsoft.Dynamics.CRM.contact",
        "#Microsoft.Dynamics.CRM.opportunity",
    ]  # fmt: skip
    account, contact, opportunity = (
        body["value"][0]["accountid"], body["value"][1]["contactid"],
        body["value"][2]["opportunityid"],
    )  # fmt: skip
    company = read(api, "accounts", account, "name,_originatingleadid_value")
    assert (company["name"], company["_originatingleadid_value"]) == ("Contoso", lead)
    person = read(
        api,
        "contacts",
        contact,
        "fullname,jobtitle,emailaddress1,_parentcustomerid_value,_originatingleadid_value",
    )
    assert (person["fullname"], person["jobtitle"], person["emailaddress1"]) == (
        "Ada Lovelace",
        "CTO",
        "ada@contoso.example",
    )
    assert (person["_parentcustomerid_value"], person["_originatingleadid_value"]) == (
        account,
        lead,
    )
    deal = read(
        api,
        "opportunities",
        opportunity,
        "name,_customerid_value,_transactioncurrencyid_value,_originatingleadid_value",
    )
    assert deal["name"] == "Fleet renewal"
    assert deal["_customerid_value"] == account
    assert deal["_transactioncurrencyid_value"] == str(currency.id)
    assert deal["_originatingleadid_value"] == lead
    closed = read(
        api,
        "leads",
        lead,
        "statecode,statuscode,_parentaccountid_value,"
        "_parentcontactid_value,_qualifyingopportunityid_value",
    )
    assert closed["statecode" + FORMATTED] == "Qualified"
    assert (closed["statecode"], closed["statuscode"]) == (1, 3)
    assert closed["_parentaccountid_value"] == account
    assert closed["_parentcontactid_value"] == contact
    assert closed["_qualifyingopportunityid_value"] == opportunity


def test_the_unqualified_name_and_missing_flags_follow_the_organization_setting(api, system):
    lead = new_lead(api)

    response = api.post(f"{API}/leads({lead})/QualifyLead", json={"Status": 3})

    assert response.status_code == 200, response.text
    assert [item["@odata.type"].rsplit(".", 1)[1] for item in response.json()["value"]] == [
        "account",
        "contact",
        "opportunity",
    ]
    organization = system.retrieve_multiple_all("organization", columns=["name"])[0]
    system.update(Entity("organization", organization.id, qualifyleadcreateall=False))
    other = new_lead(api, companyname="Fabrikam")
    expected = platform_error(lambda: system.execute(QualifyLeadRequest(
        EntityReference("lead", uuid.UUID(other)), create_contact=True
    )))  # fmt: skip
    assert expected.code == CHOOSE_WHAT_TO_CREATE.code
    in_both_languages(lambda h: qualify(api, other, {"CreateContact": True}, h), 400, expected)
    only_contact = qualify(api, other, {"CreateAccount": False, "CreateContact": True,
                                        "CreateOpportunity": False, "Status": 3})  # fmt: skip
    assert only_contact.status_code == 200, only_contact.text
    assert [item["@odata.type"] for item in only_contact.json()["value"]] == [
        "#Microsoft.Dynamics.CRM.contact"
    ]


def test_an_existing_customer_and_campaign_are_given_as_typed_records(api, system):
    account = created_id(api.post(f"{API}/accounts", json={"name": "Northwind"}))
    campaign = created_id(api.post(f"{API}/campaigns", json={"name": "Spring fair"}))
    lead = new_lead(api)

    response = qualify(api, lead, {
        "CreateAccount": False, "CreateContact": False, "CreateOpportunity": True, "Status": 3,
        "OpportunityCustomerId": {"@odata.type": "Microsoft.Dynamics.CRM.account",
                                  "accountid": account},
        "SourceCampaignId": {"campaignid": campaign},  # the type may be left out
    })  # fmt: skip

    assert response.status_code == 200, response.text
    (opportunity,) = response.json()["value"]
    deal = read(
        api, "opportunities", opportunity["opportunityid"], "_customerid_value,_campaignid_value"
    )
    assert (deal["_customerid_value"], deal["_campaignid_value"]) == (account, campaign)


@pytest.mark.interface_only
@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"CreateAccount": "yes"}, "the parameter CreateAccount takes true or false"),
        ({"Status": "3"}, "the parameter Status takes a whole number"),
        ({"Status": True}, "the parameter Status takes a whole number"),
        ({"OpportunityCustomerId": "accounts(1)"}, "the parameter OpportunityCustomerId takes a"),
        (
            {"OpportunityCustomerId": {"@odata.type": "account", "accountid": str(uuid.uuid4())}},
            "the parameter OpportunityCustomerId must name its table",
        ),
        (
            {
                "OpportunityCustomerId": {
                    "@odata.type": "Microsoft.Dynamics.CRM.account",
                    "accountid": "42",
                }
            },
            "must give the record's accountid as a GUID",
        ),
        ({"OpportunityCustomerId": {"name": "Contoso"}}, "must name its table"),
        ({"CreateLead": True}, "the action has no parameter CreateLead"),
    ],
)
def test_a_bad_parameter_is_a_coded_400(api, system, body, detail):
    lead = new_lead(api)

    message = assert_error(qualify(api, lead, body), 400, errors.INVALID_PAYLOAD.code)

    assert detail in message
    assert system.retrieve("lead", uuid.UUID(lead), ["statecode"])["statecode"] == 0


@pytest.mark.interface_only
def test_a_body_that_is_not_a_json_object_is_refused(api):
    lead = new_lead(api)

    response = api.post(f"{API}/leads({lead})/{ACTION}", content=b"[true]",
                        headers={"Content-Type": "application/json"})  # fmt: skip

    assert "must be a JSON object" in assert_error(response, 400, errors.INVALID_PAYLOAD.code)


@pytest.mark.interface_only
def test_a_customer_that_is_not_an_account_or_contact_is_refused_by_the_platform(api, system):
    campaign = created_id(api.post(f"{API}/campaigns", json={"name": "Spring fair"}))
    lead = new_lead(api)
    reference = {"@odata.type": "Microsoft.Dynamics.CRM.campaign", "campaignid": campaign}
    expected = platform_error(lambda: system.execute(QualifyLeadRequest(
        EntityReference("lead", uuid.UUID(lead)),
        opportunity_customer_id=EntityReference("campaign", uuid.UUID(campaign)),
    )))  # fmt: skip

    in_both_languages(
        lambda h: qualify(api, lead, {**ALL_THREE, "OpportunityCustomerId": reference}, h),
        400, expected,
    )  # fmt: skip


@pytest.mark.interface_only
@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("post", "leads({lead})/Microsoft.Dynamics.CRM.Frobnicate", 404, "0x80060889"),
        ("post", "accounts({lead})/Microsoft.Dynamics.CRM.QualifyLead", 404, "0x80060889"),
        ("post", "leads/Microsoft.Dynamics.CRM.QualifyLead", 404, "0x80060889"),
        ("post", "nothings({lead})/QualifyLead", 404, "0x80060889"),
        ("post", "leads(42)/QualifyLead", 400, "0x8006088a"),
        ("get", "leads({lead})/Microsoft.Dynamics.CRM.QualifyLead", 404, "0x80060889"),
    ],
)
def test_unknown_actions_and_resources_are_coded_json_errors(api, method, path, status, code):
    lead = new_lead(api)

    response = getattr(api, method)(f"{API}/{path.format(lead=lead)}", **(
        {"json": ALL_THREE} if method == "post" else {}
    ))  # fmt: skip

    assert_error(response, status, code)


@pytest.mark.interface_only
def test_qualifying_a_missing_lead_is_404(api, system):
    missing = str(uuid.uuid4())
    expected = platform_error(qualify_as(system, missing))

    in_both_languages(lambda h: qualify(api, missing, headers=h), 404, expected)


@pytest.mark.interface_only
def test_without_a_token_the_action_is_401(anonymous):
    response = anonymous.post(f"{API}/leads({uuid.uuid4()})/{ACTION}", json=ALL_THREE)

    assert_error(response, 401, errors.NOT_AUTHENTICATED.code)


# --- the seed's failures ----------------------------------------------------------------------


@pytest.mark.interface_only
def test_qualifying_a_qualified_lead_says_the_lead_is_closed(api, admin):
    lead = new_lead(api)
    assert qualify(api, lead).status_code == 200
    expected = platform_error(qualify_as(admin, lead))

    english, french = in_both_languages(lambda h: qualify(api, lead, headers=h), 400, expected)

    assert expected.code == "0x8F4C4760"
    assert english.startswith(CLOSED_EN)
    assert french.startswith(CLOSED_FR)
    assert len(api.get(f"{API}/opportunities?$select=name").json()["value"]) == 1


@pytest.mark.interface_only
def test_disqualifying_a_disqualified_lead_says_the_lead_is_closed(api, admin):
    lead = new_lead(api)
    assert (
        api.patch(f"{API}/leads({lead})", json={"statecode": 2, "statuscode": 4}).status_code == 204
    )
    expected = platform_error(lambda: admin.set_state("lead", uuid.UUID(lead), 2, 5))

    english, french = in_both_languages(
        lambda h: api.patch(f"{API}/leads({lead})", json={"statecode": 2, "statuscode": 5},
                            headers=h),
        400, expected,
    )  # fmt: skip

    assert expected.code == "0x8F4C4760"
    assert english.startswith(CLOSED_EN) and french.startswith(CLOSED_FR)
    assert read(api, "leads", lead, "statuscode")["statuscode"] == 4


@pytest.mark.interface_only
def test_disqualifying_with_a_qualified_status_reason_is_an_invalid_status_code(api, admin):
    lead = new_lead(api)
    expected = platform_error(
        lambda: admin.update(Entity("lead", uuid.UUID(lead), statecode=2, statuscode=3))
    )

    english, french = in_both_languages(
        lambda h: api.patch(f"{API}/leads({lead})", json={"statecode": 2, "statuscode": 3},
                            headers=h),
        400, expected,
    )  # fmt: skip

    assert expected.code == "0x80048408"
    assert english.startswith(
        f"3 is not a valid status code for state code LeadState.Disqualified on lead with Id {lead}"
    )
    assert french.startswith("Erreur de code d'état non valide")
    assert read(api, "leads", lead, "statecode")["statecode"] == 0


@pytest.fixture
def salespeople(org, system) -> Iterator[tuple[TestClient, str, object]]:
    """Sam and Sue, salespeople of the root unit; Sam's client, and a lead Sue owns."""
    sam = add_user(system, "sam@test.example", role="Salesperson", last_name="Sam")
    sue = add_user(system, "sue@test.example", role="Salesperson", last_name="Sue")
    token = system.execute(CreateApiTokenRequest(EntityReference("systemuser", sam))).token
    lead = org.service(sue).create("lead", subject="Fleet", lastname="Lovelace",
                                   companyname="Contoso")  # fmt: skip
    with TestClient(create_app(org), headers={"Authorization": f"Bearer {token}"}) as client:
        yield client, str(lead), org.service(sam)


@pytest.mark.interface_only
def test_a_salesperson_qualifying_a_colleagues_lead_is_told_the_privilege_and_depth(
    salespeople, system
):
    client, lead, sam = salespeople
    expected = platform_error(qualify_as(sam, lead))

    english, french = in_both_languages(lambda h: qualify(client, lead, headers=h), 403, expected)

    # The seed's "Insufficient permissions": the lead is in the user's business unit, so the
    # privileges are needed at Business Unit level.
    assert "Sam" in english and "prvCreateAccount" in english and "Business Unit" in english
    assert "prvCreateAccount" in french and "Division" in french
    assert system.retrieve("lead", uuid.UUID(lead), ["statecode"])["statecode"] == 0
    assert system.retrieve_multiple_all("account", columns=["name"]) == []


@pytest.mark.interface_only
def test_that_refusal_is_the_missing_privilege_code_of_reference_8(salespeople):
    client, lead, _ = salespeople

    message = assert_error(qualify(client, lead), 403, "0x80040220")

    assert "prvCreateAccount" in message and "Business Unit" in message


def test_a_salesperson_qualifies_their_own_lead(salespeople):
    client, _, sam = salespeople
    lead = new_lead(client)

    response = qualify(client, lead)

    assert response.status_code == 200, response.text
    assert len(response.json()["value"]) == 3
    assert sam.retrieve("lead", uuid.UUID(lead), ["statecode"])["statecode"] == 1


# --- disqualify and reactivate ----------------------------------------------------------------


def test_disqualify_reactivate_and_qualify_round_trip_by_patch(api):
    lead = new_lead(api)

    steps = [({"statecode": 2, "statuscode": 6}, "Disqualified", "No Longer Interested"),
             ({"statecode": 0, "statuscode": 2}, "Open", "Contacted"),
             ({"statecode": 2, "statuscode": 7}, "Disqualified", "Canceled"),
             ({"statecode": 0, "statuscode": 1}, "Open", "New")]  # fmt: skip
    for body, state, status in steps:
        response = api.patch(f"{API}/leads({lead})", json=body)
        assert response.status_code == 204, response.text
        shown = read(api, "leads", lead, "statecode,statuscode")
        assert (shown["statecode" + FORMATTED], shown["statuscode" + FORMATTED]) == (state, status)

    assert qualify(api, lead).status_code == 200
    reopened = api.patch(f"{API}/leads({lead})", json={"statecode": 0, "statuscode": 2})
    assert reopened.status_code == 204, reopened.text
    shown = read(api, "leads", lead, "statecode,statuscode,_qualifyingopportunityid_value")
    assert (shown["statecode"], shown["statuscode"]) == (0, 2)
    assert shown["_qualifyingopportunityid_value"] is not None
