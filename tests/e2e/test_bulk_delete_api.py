"""BulkDelete over the Web API, as Microsoft's SDK sends it for ``records.delete(table, ids)``:
a system job that deletes what its query returns, as the caller (docs/jobs.md)."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadgate.platform import EntityReference
from leadgate.platform.engine import errors
from leadgate.platform.jobs import JobStatus, Outcome, RetrieveJobResultsRequest, run_queued
from leadgate.platform.records import bulk_delete
from leadgate.platform.security.access import Depth
from leadgate.platform.security.messages import AddPrivilegesRoleRequest, RolePrivilege
from leadgate.platform.users.messages import CreateApiTokenRequest
from leadgate.web import create_app
from tests.conftest import add_user, property_budget, role_reference
from tests.e2e.conftest import API, TestClient, assert_error

LEADS = f"{API}/leads"


def sdk_body(table: str, key: str, ids: list[str], **extra) -> dict:
    """The body powerplatform-dataverse-client 1.1.0 sends (data/_odata.py)."""
    return {
        "JobName": f"Bulk delete {table} records @ 2026-12-05T10:00:00Z",
        "SendEmailNotification": False,
        "ToRecipients": [],
        "CCRecipients": [],
        "RecurrencePattern": "",
        "StartDateTime": "2026-12-05T10:00:00Z",
        "QuerySet": [
            {
                "@odata.type": "Microsoft.Dynamics.CRM.QueryExpression",
                "EntityName": table,
                "ColumnSet": {"@odata.type": "Microsoft.Dynamics.CRM.ColumnSet",
                              "AllColumns": False, "Columns": []},
                "Criteria": {
                    "@odata.type": "Microsoft.Dynamics.CRM.FilterExpression",
                    "FilterOperator": "And",
                    "Conditions": [{
                        "@odata.type": "Microsoft.Dynamics.CRM.ConditionExpression",
                        "AttributeName": key, "Operator": "In",
                        "Values": [{"Value": rid, "Type": "System.Guid"} for rid in ids],
                    }],
                },
            }
        ],
        **extra,
    }  # fmt: skip


def lead_ids(api, lastname: str) -> list[str]:
    found = api.get(f"{LEADS}?$select=leadid&$filter=lastname eq '{lastname}'")
    return sorted(row["leadid"] for row in found.json()["value"])


def test_bulk_delete_answers_the_job_whose_run_deletes_the_records_named(api, system):
    for n in range(5):
        api.post(LEADS, json={"subject": f"Bulk {n}", "lastname": "Bulkdelete"})
    ids = lead_ids(api, "Bulkdelete")

    response = api.post(f"{API}/BulkDelete", json=sdk_body("lead", "leadid", ids[:3]))

    assert response.status_code == 200, response.text
    job_id = uuid.UUID(response.json()["JobId"])
    job = api.get(f"{API}/asyncoperations({job_id})?$select=name,operationtype").json()
    assert (job["name"], job["operationtype"]) == (
        "Bulk delete lead records @ 2026-12-05T10:00:00Z",
        13,  # Dataverse's Bulk Delete
    )
    assert lead_ids(api, "Bulkdelete") == ids  # nothing deleted until a worker runs it
    assert run_queued(system.organization, job_id).status is JobStatus.SUCCEEDED
    assert lead_ids(api, "Bulkdelete") == ids[3:]
    results = system.execute(RetrieveJobResultsRequest(job_id))
    assert results.counts.get(Outcome.SUCCEEDED) == 3


def test_bulk_delete_takes_the_qualified_action_name_and_nested_filters(api, system):
    for name in ("Keep", "Drop", "Drop too"):
        api.post(LEADS, json={"subject": name, "lastname": "Nested"})
    body = sdk_body("lead", "lastname", [])
    body["QuerySet"][0]["Criteria"] = {
        "FilterOperator": "And",
        "Conditions": [{"AttributeName": "lastname", "Operator": "Equal",
                        "Values": [{"Value": "Nested", "Type": "System.String"}]}],
        "Filters": [{"FilterOperator": "Or", "Conditions": [
            {"AttributeName": "subject", "Operator": "BeginsWith", "Values": ["Drop"]},
            {"AttributeName": "emailaddress1", "Operator": "NotNull"},
        ]}],
    }  # fmt: skip

    response = api.post(f"{API}/Microsoft.Dynamics.CRM.BulkDelete", json=body)

    assert response.status_code == 200, response.text
    run_queued(system.organization, uuid.UUID(response.json()["JobId"]))
    remaining = api.get(f"{LEADS}?$select=subject&$filter=lastname eq 'Nested'").json()["value"]
    assert [row["subject"] for row in remaining] == ["Keep"]


@pytest.mark.interface_only
@pytest.mark.parametrize(
    ("change", "english", "french"),
    [
        (
            {"QuerySet": []},
            "QuerySet holds one QueryExpression (send one BulkDelete per table).",
            "QuerySet contient une QueryExpression (envoyez un BulkDelete par table).",
        ),
        (
            {"RecurrencePattern": "FREQ=DAILY;INTERVAL=1;"},
            "leadgate runs a bulk deletion once: leave RecurrencePattern empty.",
            "leadgate exécute une suppression en bloc une seule fois : laissez "
            "RecurrencePattern vide.",
        ),
    ],
)
def test_what_bulk_delete_does_not_run_is_refused_in_both_languages(api, change, english, french):
    body = {**sdk_body("lead", "leadid", [str(uuid.uuid4())]), **change}

    texts = [
        assert_error(api.post(f"{API}/BulkDelete", json=body, headers=headers), 400,
                     errors.INVALID_PAYLOAD.code)
        for headers in ({}, {"Accept-Language": "fr"})
    ]  # fmt: skip

    prefix = "Error identified in Payload provided by the user for Entity :'BulkDelete': "
    assert texts[0] == prefix + english
    assert texts[1].endswith(french)


@pytest.mark.interface_only
@pytest.mark.parametrize(
    "criteria",
    [
        {"Conditions": [{"AttributeName": "leadid", "Operator": "Around", "Values": []}]},
        {"Conditions": [{"Operator": "Equal", "Values": [1]}]},
        {"Conditions": [{"AttributeName": "leadid", "Operator": "In",
                         "Values": [{"Value": "not-a-guid", "Type": "System.Guid"}]}]},
        {"FilterOperator": "Xor"},
        {"Conditions": "leadid"},
        "leadid eq 1",
    ],
)  # fmt: skip
def test_a_query_bulk_delete_cannot_read_is_a_coded_400(api, criteria):
    body = sdk_body("lead", "leadid", [])
    body["QuerySet"][0]["Criteria"] = criteria

    assert_error(api.post(f"{API}/BulkDelete", json=body), 400, errors.INVALID_PAYLOAD.code)


@pytest.mark.interface_only
def test_a_column_or_table_the_query_does_not_have_is_refused_before_any_job(api):
    unknown_column = sdk_body("lead", "nosuchcolumn", [str(uuid.uuid4())])
    unknown_table = sdk_body("nosuchtable", "nosuchtableid", [str(uuid.uuid4())])

    assert api.post(f"{API}/BulkDelete", json=unknown_column).status_code == 400
    response = api.post(f"{API}/BulkDelete", json=unknown_table)
    assert response.status_code in (400, 404), response.text
    assert response.json()["error"]["code"].startswith("0x")


@pytest.fixture
def salesperson(org, system):
    """A Salesperson of the root unit, who may delete their own leads (prvDeleteLead at User
    depth, granted here) and read the unit's, with a Web API client."""
    role = role_reference(system, "Salesperson").id
    system.execute(AddPrivilegesRoleRequest(role, (RolePrivilege("prvDeleteLead", Depth.USER),)))
    user_id = add_user(system, "bulk.sales@test.example", role="Salesperson", unit=root(system))
    token = system.execute(CreateApiTokenRequest(EntityReference("systemuser", user_id))).token
    with TestClient(create_app(org), headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def root(system) -> EntityReference:
    return system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0].to_reference()


def test_the_job_deletes_as_the_caller_and_a_refused_record_keeps_its_error(salesperson, system):
    mine = salesperson.post(LEADS, json={"subject": "Mine", "lastname": "Shared"})
    assert mine.status_code == 204, mine.text
    colleague = add_user(system, "bulk.other@test.example", role="Salesperson", unit=root(system))
    theirs = system.create("lead", subject="Theirs", lastname="Shared",
                           ownerid=EntityReference("systemuser", colleague))  # fmt: skip
    body = sdk_body("lead", "lastname", [])
    body["QuerySet"][0]["Criteria"]["Conditions"] = [
        {"AttributeName": "lastname", "Operator": "Equal", "Values": ["Shared"]}
    ]

    response = salesperson.post(f"{API}/BulkDelete", json=body)

    assert response.status_code == 200, response.text
    job_id = uuid.UUID(response.json()["JobId"])
    assert run_queued(system.organization, job_id).status is JobStatus.SUCCEEDED
    left = system.retrieve_multiple("lead", lastname="Shared").entities
    assert [lead.id for lead in left] == [theirs]  # theirs is beyond a Salesperson's Delete
    results = system.execute(RetrieveJobResultsRequest(job_id))
    assert (results.counts.get(Outcome.SUCCEEDED), results.counts.get(Outcome.FAILED)) == (1, 1)
    (failed,) = [r for r in results.results if r["errorcode"]]
    assert failed["errorcode"] == "0x80048306"


@pytest.mark.interface_only
def test_bulk_delete_of_a_table_the_caller_may_not_delete_from_is_403(salesperson):
    body = sdk_body("campaign", "campaignid", [str(uuid.uuid4())])

    message = assert_error(salesperson.post(f"{API}/BulkDelete", json=body), 403, "0x80040220")

    assert "prvDeleteCampaign" in message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.sampled_from(
        ["leadid", "subject", "In", "Equal", "Null", "Between", "System.Guid", "And", "Or"]
    ),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(
        st.sampled_from(["AttributeName", "Operator", "Values", "Value", "Type", "Conditions",
                         "Filters", "FilterOperator"]),
        children, max_size=4,
    ),
    max_leaves=8,
)  # fmt: skip


@pytest.mark.interface_only
@property_budget("request")
@given(criteria=json_values, recurrence=st.none() | st.integers() | st.text(max_size=3))
def test_whatever_query_a_client_sends_bulk_delete_answers_a_job_or_a_coded_error(
    sqlite_api, criteria, recurrence
):
    body = sdk_body("lead", "leadid", [], RecurrencePattern=recurrence)
    body["QuerySet"][0]["Criteria"] = criteria

    response = sqlite_api.post(f"{API}/BulkDelete", json=body)

    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.json()["error"]["code"].startswith("0x")


def test_a_job_deletes_group_after_group_each_record_with_its_result(api, system, monkeypatch):
    monkeypatch.setattr(bulk_delete, "GROUP_SIZE", 2)
    for n in range(5):
        api.post(LEADS, json={"subject": f"Group {n}", "lastname": "Grouped"})
    body = sdk_body("lead", "lastname", [])
    body["QuerySet"][0]["Criteria"]["Conditions"] = [
        {"AttributeName": "lastname", "Operator": "Equal", "Values": ["Grouped"]}
    ]

    job_id = uuid.UUID(api.post(f"{API}/BulkDelete", json=body).json()["JobId"])

    assert run_queued(system.organization, job_id).status is JobStatus.SUCCEEDED
    assert lead_ids(api, "Grouped") == []
    results = system.execute(RetrieveJobResultsRequest(job_id))
    assert [r["sequencenumber"] for r in results.results] == [1, 2, 3, 4, 5]
    assert system.retrieve("asyncoperation", job_id, ["progress"])["progress"] == 100
