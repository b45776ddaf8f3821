"""Formatted values and lookup annotations (Prefer: odata.include-annotations), @odata.type in
bodies, and Prefer: return=representation on POST and PATCH."""

from __future__ import annotations

import pytest

from leadgate.platform import EntityReference
from tests.e2e.conftest import API

pytestmark = pytest.mark.interface_only

LEADS = f"{API}/leads"
FORMATTED = "@OData.Community.Display.V1.FormattedValue"
LOGICAL_NAME = "@Microsoft.Dynamics.CRM.lookuplogicalname"
NAVIGATION = "@Microsoft.Dynamics.CRM.associatednavigationproperty"
EVERYTHING = {"Prefer": 'odata.include-annotations="*"'}


@pytest.fixture
def lead(admin):
    account = admin.create("account", name="Contoso")
    return admin.create(
        "lead",
        subject="Annotated",
        lastname="Lovelace",
        leadsourcecode=8,
        decisionmaker=True,
        revenue=1234.5,
        numberofemployees=4200,
        estimatedclosedate="2026-03-31",
        parentaccountid=EntityReference("account", account),
    )


def test_every_kind_of_value_is_formatted_in_the_users_language(api, lead):
    select = (
        "leadsourcecode,decisionmaker,revenue,numberofemployees,estimatedclosedate,createdon,"
        "_parentaccountid_value,subject"
    )
    english = api.get(f"{LEADS}({lead})?$select={select}", headers=EVERYTHING).json()
    french = api.get(
        f"{LEADS}({lead})?$select={select}", headers={**EVERYTHING, "Accept-Language": "fr"}
    ).json()
    assert english["leadsourcecode" + FORMATTED] == "Web"
    assert english["decisionmaker" + FORMATTED] == "Yes"
    assert english["revenue" + FORMATTED] == "1,234.50"
    assert english["numberofemployees" + FORMATTED] == "4,200"
    assert english["estimatedclosedate" + FORMATTED] == "Mar 31, 2026"
    assert english["createdon" + FORMATTED]
    assert english["_parentaccountid_value" + FORMATTED] == "Contoso"
    assert "subject" + FORMATTED not in english  # text is shown as it is
    assert french["decisionmaker" + FORMATTED] == "Oui"
    assert french["revenue" + FORMATTED].replace("\u202f", " ").replace("\xa0", " ") == ("1 234,50")
    assert french["estimatedclosedate" + FORMATTED] == "31 mars 2026"


def test_every_lookup_says_its_table_and_its_navigation_property(api, admin, lead):
    body = api.get(
        f"{LEADS}({lead})?$select=_parentaccountid_value,_ownerid_value", headers=EVERYTHING
    ).json()
    assert body["_parentaccountid_value" + LOGICAL_NAME] == "account"
    assert body["_parentaccountid_value" + NAVIGATION] == "parentaccountid"
    assert body["_ownerid_value" + LOGICAL_NAME] == "systemuser"
    assert body["_ownerid_value" + NAVIGATION] == "ownerid_systemuser"
    account = admin.retrieve("lead", lead, ["parentaccountid"])["parentaccountid"]
    contact = admin.create("contact", lastname="Byron", parentcustomerid=account)
    person = api.get(
        f"{API}/contacts({contact})?$select=_parentcustomerid_value", headers=EVERYTHING
    ).json()
    assert person["_parentcustomerid_value" + NAVIGATION] == "parentcustomerid_account"
    assert person["_parentcustomerid_value" + FORMATTED] == "Contoso"


def test_the_leads_process_stage_lookups_are_annotated_too(api, lead):
    response = api.get(
        f"{API}/leadtoopportunitysalesprocesses",
        params={
            "$select": "_activestageid_value,_processid_value,_leadid_value",
            "$filter": f"_leadid_value eq {lead}",
        },
        headers=EVERYTHING,
    )
    assert response.status_code == 200, response.text
    [instance] = response.json()["value"]
    assert instance["_activestageid_value" + LOGICAL_NAME] == "processstage"
    assert instance["_activestageid_value" + NAVIGATION] == "activestageid"
    assert instance["_activestageid_value" + FORMATTED]  # the stage's name
    assert instance["_processid_value" + LOGICAL_NAME] == "workflow"
    assert instance["_processid_value" + NAVIGATION] == "processid"
    assert instance["_leadid_value" + FORMATTED] == "Lovelace"


@pytest.mark.parametrize(
    "prefer",
    [
        "odata.maxpagesize=1,odata.include-annotations=OData.Community.Display.V1.FormattedValue",
        'odata.include-annotations="OData.Community.Display.V1.FormattedValue",odata.maxpagesize=1',
        "odata.maxpagesize=1, odata.include-annotations=OData.Community.*",
    ],
)
def test_listed_annotations_quoted_or_not_and_joined_with_other_preferences(api, lead, prefer):
    response = api.get(
        f"{LEADS}?$select=leadsourcecode,_parentaccountid_value", headers={"Prefer": prefer}
    )
    assert response.status_code == 200, response.text
    [record] = response.json()["value"]
    assert record["leadsourcecode" + FORMATTED] == "Web"
    assert "_parentaccountid_value" + LOGICAL_NAME not in record
    applied = response.headers["Preference-Applied"]
    assert "odata.maxpagesize=1" in applied and "odata.include-annotations=" in applied


def test_an_unquoted_list_of_annotations_keeps_every_name(api, lead):
    prefer = (
        "odata.include-annotations=OData.Community.Display.V1.FormattedValue,"
        "Microsoft.Dynamics.CRM.lookuplogicalname"
    )
    record = api.get(
        f"{LEADS}({lead})?$select=_parentaccountid_value", headers={"Prefer": prefer}
    ).json()
    assert record["_parentaccountid_value" + FORMATTED] == "Contoso"
    assert record["_parentaccountid_value" + LOGICAL_NAME] == "account"
    assert "_parentaccountid_value" + NAVIGATION not in record


def test_expanded_records_are_annotated_too(api, lead):
    record = api.get(
        f"{LEADS}({lead})?$select=subject&$expand=parentaccountid($select=name,statecode)",
        headers=EVERYTHING,
    ).json()
    assert record["parentaccountid"]["statecode" + FORMATTED] == "Active"


@pytest.mark.parametrize(
    "odata_type", ["Microsoft.Dynamics.CRM.lead", "#Microsoft.Dynamics.CRM.lead"]
)
def test_odata_type_with_or_without_hash_and_return_representation(api, odata_type):
    created = api.post(
        f"{LEADS}?$select=subject,lastname",
        json={"@odata.type": odata_type, "subject": "Typed", "lastname": "T"},
        headers={"Prefer": "return=representation"},
    )
    assert created.status_code == 201, created.text
    assert created.headers["Preference-Applied"] == "return=representation"
    body = created.json()
    assert (body["subject"], body["lastname"]) == ("Typed", "T")
    updated = api.patch(
        f"{LEADS}({body['leadid']})?$select=subject",
        json={"@odata.type": odata_type, "subject": "Retyped"},
        headers={"Prefer": "return=representation"},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["subject"] == "Retyped"
    plain = api.patch(
        f"{LEADS}({body['leadid']})", json={"@odata.type": odata_type, "jobtitle": "x"}
    )
    assert plain.status_code == 204 and plain.content == b""


def test_return_representation_is_ignored_where_it_means_nothing(api, lead):
    # python-odata sends it on every request, GETs and deletes included.
    response = api.get(
        f"{LEADS}({lead})?$select=subject", headers={"Prefer": "return=representation"}
    )
    assert response.status_code == 200
    assert "Preference-Applied" not in response.headers


@pytest.mark.parametrize(
    "prefer",
    ["odata.include-annotations", "odata.include-annotations=", 'odata.include-annotations=","',
     "odata.include-annotations=*,,", "odata.include-annotations=a;b=c, x", "=,=", '"'],
)  # fmt: skip
def test_odd_annotation_preferences_never_fail(api, lead, prefer):
    response = api.get(f"{LEADS}({lead})?$select=subject", headers={"Prefer": prefer})
    assert response.status_code == 200, response.text
