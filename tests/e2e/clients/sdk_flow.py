"""Microsoft's SDK (powerplatform-dataverse-client 1.1.0) against a leadgate server, unchanged.

Run by tests/e2e/test_clients.py in the clients' own virtual environment, never imported by
the suite: LEADGATE_URL is the server's https:// address (the SDK refuses any other), whose
certificate REQUESTS_CA_BUNDLE names; LEADGATE_TOKEN the bearer token. Each step prints its
name first, so that a failure says which one broke (CLIENTS.md §1 lists the requests).
"""

from __future__ import annotations

import os
import time
import uuid

from azure.core.credentials import AccessToken
from PowerPlatform.Dataverse.client import DataverseClient
from PowerPlatform.Dataverse.models.filters import col


class Token:
    """The credential the SDK asks before every request: any ``get_token`` will do."""

    def get_token(self, *scopes: str, **options: object) -> AccessToken:
        return AccessToken(os.environ["LEADGATE_TOKEN"], int(time.time()) + 3600)


def step(name: str) -> None:
    print(f"step: {name}", flush=True)


def main() -> None:
    marker = f"Sdk{uuid.uuid4().hex[:8]}"
    with DataverseClient(os.environ["LEADGATE_URL"], Token()) as client:
        step("resolve the table (EntityDefinitions)")
        table = client.tables.get("lead")
        assert table is not None and table["entity_set_name"] == "leads", table

        step("create, with a choice label (Attributes/PicklistAttributeMetadata)")
        lead_id = client.records.create("lead", {
            "subject": "SDK flow", "firstname": "Ada", "lastname": marker,
            "companyname": f"{marker} Ltd", "leadsourcecode": "Advertisement",
        })  # fmt: skip
        uuid.UUID(lead_id)

        step("read")
        lead = client.records.retrieve(
            "lead", lead_id, select=["subject", "lastname", "leadsourcecode"]
        )
        assert lead is not None, "created lead not found"
        assert (lead["subject"], lead["leadsourcecode"]) == ("SDK flow", 1), lead.data

        step("update (If-Match: *)")
        client.records.update("lead", lead_id, {"subject": "SDK flow, updated"})
        lead = client.records.retrieve("lead", lead_id, select=["subject"])
        assert lead is not None and lead["subject"] == "SDK flow, updated"

        step("bulk create (CreateMultiple)")
        bulk = [{"subject": f"SDK bulk {n}", "lastname": marker} for n in range(5)]
        ids = client.records.create("lead", bulk)
        assert len(ids) == 5 and len(set(ids)) == 5, ids

        step("query with paging (Prefer: odata.maxpagesize)")
        pages = list(client.records.list_pages(
            "lead", filter=f"lastname eq '{marker}'", select=["subject"],
            orderby=["subject asc"], page_size=2,
        ))  # fmt: skip
        subjects = [record["subject"] for page in pages for record in page]
        assert [len(page) for page in pages] == [2, 2, 2], [len(page) for page in pages]
        assert subjects == sorted(subjects) and len(subjects) == 6, subjects

        step("FetchXML (GET leads?fetchXml=…), paged by its count")
        fetched = client.query.fetchxml(
            f"<fetch count='4'><entity name='lead'><attribute name='subject'/>"
            f"<order attribute='subject'/><filter><condition attribute='lastname' "
            f"operator='eq' value='{marker}'/></filter></entity></fetch>"
        ).execute()
        assert [row["subject"] for row in fetched] == sorted(subjects), fetched

        step("In, $expand and formatted values through the SDK's query options")
        found = client.records.list(
            "lead",
            filter=(col("lastname") == marker) & col("subject").in_(["SDK bulk 0", "SDK bulk 3"]),
            select=["subject", "_ownerid_value"],
            orderby=["subject asc"],
            expand=["ownerid_systemuser($select=fullname)"],
            include_annotations="*",
        )
        rows = [record.data for record in found]
        assert [row["subject"] for row in rows] == ["SDK bulk 0", "SDK bulk 3"], rows
        assert all(row["ownerid_systemuser"]["fullname"] for row in rows), rows
        named = "_ownerid_value@OData.Community.Display.V1.FormattedValue"
        assert all(row[named] == row["ownerid_systemuser"]["fullname"] for row in rows), rows

        step("QualifyLead through the SDK's own request helper (_scoped_odata)")
        with client._scoped_odata() as od:
            response = od._request(
                "post",
                f"{od.api}/leads({lead_id})/Microsoft.Dynamics.CRM.QualifyLead",
                json={"CreateAccount": True, "CreateContact": True,
                      "CreateOpportunity": True, "Status": 3},
            )  # fmt: skip
        created = response.json()["value"]
        assert len(created) == 3, created
        lead = client.records.retrieve("lead", lead_id, select=["statecode"])
        assert lead is not None and lead["statecode"] == 1, lead  # qualified

        step("batch: a change set whose update names the contact it creates ($1), a GET")
        batch = client.batch.new()
        with batch.changeset() as change_set:
            contact = change_set.records.create("contact", {"lastname": marker})
            change_set.records.update("contact", contact, {"firstname": "Batched"})
        batch.records.retrieve("lead", lead_id, select=["subject"])
        result = batch.execute()
        assert [r.status_code for r in result.responses] == [204, 204, 200], result.responses
        assert not result.has_errors
        contact_id = result.responses[0].entity_id
        assert contact_id and result.responses[1].entity_id == contact_id, result.responses
        assert result.responses[2].data["subject"] == "SDK flow, updated", result.responses[2]
        found = client.records.retrieve("contact", contact_id, select=["firstname"])
        assert found is not None and found["firstname"] == "Batched", found

        step("batch: a failed change set rolls back; continue_on_error goes on")
        batch = client.batch.new()
        with batch.changeset() as change_set:
            change_set.records.create("contact", {"lastname": f"{marker} rolled back"})
            change_set.records.update("contact", str(uuid.uuid4()), {"firstname": "None"})
        batch.records.retrieve("contact", contact_id, select=["firstname"])
        result = batch.execute(continue_on_error=True)
        assert [r.status_code for r in result.responses] == [404, 200], result.responses
        assert result.responses[0].error_code == "0x80040217", result.responses[0]
        rolled_back = list(
            client.records.list_pages(
                "contact", filter=f"lastname eq '{marker} rolled back'", select=["lastname"]
            )
        )
        assert [len(page) for page in rolled_back] in ([], [0]), rolled_back

        step("delete (If-Match: *)")
        client.records.delete("lead", ids[0])
        assert client.records.retrieve("lead", ids[0]) is None

        step("delete a list: the SDK's default BulkDelete, a job the server's worker runs")
        job_id = client.records.delete("lead", ids[1:])
        job = client.records.retrieve("asyncoperation", job_id, select=["operationtype"])
        assert job is not None and job["operationtype"] == 13, job  # Bulk Delete
        for _ in range(100):
            left = list(client.records.list_pages(
                "lead", filter=f"lastname eq '{marker}' and startswith(subject, 'SDK bulk')",
                select=["subject"],
            ))  # fmt: skip
            if sum(len(page) for page in left) == 0:
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"BulkDelete job {job_id} did not delete the leads")
    print("flow: done", flush=True)


if __name__ == "__main__":
    main()
