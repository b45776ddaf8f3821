"""dataverse-api 1.4.3 against a leadgate server, unchanged (CLIENTS.md §2).

Run by tests/e2e/test_clients.py in the clients' own virtual environment: LEADGATE_URL is the
server's address, LEADGATE_TOKEN the bearer token (on the caller's requests.Session, as the
package's README does it). Each step prints its name first.
"""

from __future__ import annotations

import os
import re
import uuid

import requests
from dataverse_api import DataverseClient


def step(name: str) -> None:
    print(f"step: {name}", flush=True)


def created_id(response: requests.Response) -> str:
    assert response.status_code in (201, 204), (response.status_code, response.text)
    if response.status_code == 201:
        return response.json()["leadid"]
    return re.findall(r"\(([0-9a-f-]{36})\)", response.headers["OData-EntityId"])[-1]


def main() -> None:
    marker = f"Dva{uuid.uuid4().hex[:8]}"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {os.environ['LEADGATE_TOKEN']}"
    client = DataverseClient(session, os.environ["LEADGATE_URL"].rstrip("/") + "/")

    step("resolve the table (Keys, sdkmessagefilters, EntityDefinitions, relationships)")
    leads = client.entity("lead")
    assert (leads.entity_set_name, leads.primary_id_attr) == ("leads", "leadid")
    assert leads.supports_create_multiple, "sdkmessagefilters did not report CreateMultiple"

    step("create (Prefer: return=representation)")
    (response,) = leads.create(
        [
            {
                "subject": "dataverse-api flow",
                "lastname": marker,
                "companyname": f"{marker} Ltd",
                "description": "to be emptied",
            }
        ],
        return_created=True,
    )
    lead_id = created_id(response)

    step("read (filter on the primary key)")
    (lead,) = leads.read(select=["subject", "lastname"], filter=f"leadid eq {lead_id}")
    assert lead["subject"] == "dataverse-api flow", lead

    step("update (PATCH without If-Match: upsert)")
    (response,) = leads.upsert([{"leadid": lead_id, "subject": "dataverse-api, updated"}])
    assert response.status_code in (200, 204), (response.status_code, response.text)
    (lead,) = leads.read(select=["subject"], filter=f"leadid eq {lead_id}")
    assert lead["subject"] == "dataverse-api, updated", lead

    step("read with $expand and formatted values (unquoted include-annotations)")
    (lead,) = leads.read(
        select=["subject", "statecode"], filter=f"leadid eq {lead_id}",
        expand="ownerid_systemuser($select=fullname)", return_formatted_values=True,
    )  # fmt: skip
    assert lead["statecode@OData.Community.Display.V1.FormattedValue"] == "Open", lead
    assert lead["ownerid_systemuser"]["fullname"], lead

    step("empty a column (delete_columns: DELETE leads(id)/description)")
    (response,) = leads.delete_columns(["description"], ids=[lead_id])
    assert response.status_code == 204, (response.status_code, response.text)
    (lead,) = leads.read(select=["description", "companyname"], filter=f"leadid eq {lead_id}")
    assert (lead["description"], lead["companyname"]) == (None, f"{marker} Ltd"), lead

    step("bulk create (CreateMultiple)")
    rows = [{"subject": f"dva bulk {n}", "lastname": marker} for n in range(5)]
    (response,) = leads.create(rows, mode="multiple")
    assert response.status_code in (200, 204), (response.status_code, response.text)

    step("query with paging (Prefer: odata.maxpagesize)")
    responses = leads.read(
        select=["subject"], filter=f"lastname eq '{marker}'", order_by="subject asc",
        page_size=2, return_responses=True,
    )  # fmt: skip
    assert [len(r.json()["value"]) for r in responses] == [2, 2, 2], len(responses)
    found = leads.read(select=["leadid", "subject"], filter=f"lastname eq '{marker}'")
    assert len(found) == 6, found

    step("QualifyLead through the client's own request helper (_api_call)")
    response = client._api_call(
        method="POST",
        url=f"leads({lead_id})/Microsoft.Dynamics.CRM.QualifyLead",
        json={"CreateAccount": True, "CreateContact": True, "CreateOpportunity": True,
              "Status": 3},
    )  # fmt: skip
    assert len(response.json()["value"]) == 3, response.text

    step("delete")
    bulk_ids = [row["leadid"] for row in found if row["leadid"] != lead_id]
    deleted = leads.delete(ids=bulk_ids)
    assert all(r.status_code == 204 for r in deleted), [r.status_code for r in deleted]
    remaining = leads.read(select=["leadid"], filter=f"lastname eq '{marker}'")
    assert [row["leadid"] for row in remaining] == [lead_id], remaining

    step("batch create and delete ($batch, LF line ends, a blank line before each body)")
    rows = [{"subject": f"dva batch {n}", "lastname": marker} for n in range(3)]
    (response,) = leads.create(rows, mode="batch")
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.text.count("HTTP/1.1 204") == 3, response.text
    batched = [row["leadid"] for row in leads.read(select=["leadid"],
               filter=f"lastname eq '{marker}'") if row["leadid"] != lead_id]  # fmt: skip
    assert len(batched) == 3, batched
    (response,) = leads.delete(ids=batched, mode="batch")
    assert response.text.count("HTTP/1.1 204") == 3, response.text
    assert len(leads.read(select=["leadid"], filter=f"lastname eq '{marker}'")) == 1
    print("flow: done", flush=True)


if __name__ == "__main__":
    main()
