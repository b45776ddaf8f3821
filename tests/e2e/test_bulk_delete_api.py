"""BulkDelete over the Web API, as Microsoft's SDK sends it for ``records.delete(table, ids)``:
a system job that deletes what its query returns, as the caller (docs/jobs.md)."""

from __future__ import annotations

import uuid

import pytest

from leadgate.platform.engine import errors
from leadgate.platform.jobs import JobStatus, Outcome, RetrieveJobResultsRequest, run_queued
from tests.e2e.conftest import API, assert_error

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
