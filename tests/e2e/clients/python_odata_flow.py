"""python-odata 0.8.1 against a leadgate server, unchanged (CLIENTS.md §3): the entities are
reflected from $metadata, and QualifyLead is called as the lead's bound action.

Run by tests/e2e/test_clients.py in the clients' own virtual environment: LEADGATE_URL is the
server's address, LEADGATE_TOKEN the bearer token (on the session, which also carries it to
$metadata). ``Prefer: return=representation`` is the documented way to keep the id of a saved
entity (a 204 leaves it without one); ``odata.maxpagesize`` makes every query paged, which
the client follows. Each step prints its name first.
"""

from __future__ import annotations

import os
import uuid

import requests
from odata import ODataService
from odata.flags import ODataServerFlags


def step(name: str) -> None:
    print(f"step: {name}", flush=True)


def main() -> None:
    marker = f"Odata{uuid.uuid4().hex[:8]}"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {os.environ['LEADGATE_TOKEN']}"

    step("reflect the entities from $metadata")
    service = ODataService(
        os.environ["LEADGATE_URL"].rstrip("/") + "/api/data/v9.2/",
        session=session,
        reflect_entities=True,
        extra_headers={"Prefer": "return=representation,odata.maxpagesize=2"},
        server_flags=ODataServerFlags(skip_null_properties=True),
        quiet_progress=True,
    )
    Lead = service.entities["leads"]

    step("create (POST, 201 with the entity)")
    lead = Lead()
    lead.subject = "python-odata flow"
    lead.lastname = marker
    lead.companyname = f"{marker} Ltd"
    service.save(lead)
    assert lead.leadid, "the saved lead has no id: was it answered 201 with its body?"

    step("read (query on the key)")
    again = service.query(Lead).get(lead.leadid)
    assert (again.subject, again.lastname) == ("python-odata flow", marker)

    step("update (PATCH, then read back)")
    lead.subject = "python-odata, updated"
    service.save(lead)
    assert service.query(Lead).get(lead.leadid).subject == "python-odata, updated"

    step("bulk create (CreateMultiple, bound to the entity set)")
    targets = [
        {"@odata.type": "Microsoft.Dynamics.CRM.lead", "subject": f"odata bulk {n}",
         "lastname": marker}
        for n in range(5)
    ]  # fmt: skip
    # python-odata sends every declared parameter and wants each named (None for the unset).
    Lead.CreateMultiple(Targets=targets, SuppressDuplicateDetection=None)

    step("query with paging (filter, order, $count)")
    query = service.query(Lead).filter(Lead.lastname == marker).order_by(Lead.subject.asc())
    found = query.all()  # 3 pages of 2, following @odata.nextLink
    subjects = [row.subject for row in found]
    assert len(found) == 6 and subjects == sorted(subjects), subjects
    assert query.count() == 6

    step("QualifyLead as the lead's bound action")
    created = lead.QualifyLead(
        CreateAccount=True, CreateContact=True, CreateOpportunity=True, Status=3,
        OpportunityCurrencyId=None, OpportunityCustomerId=None, SourceCampaignId=None,
        ProcessInstanceId=None, SuppressDuplicateDetection=None,
    )  # fmt: skip
    assert created is not None and len(created) == 3, created

    step("delete")
    for row in found:
        if row.leadid != lead.leadid:
            service.delete(row)
    remaining = service.query(Lead).filter(Lead.lastname == marker).all()
    assert [row.leadid for row in remaining] == [lead.leadid], remaining
    print("flow: done", flush=True)


if __name__ == "__main__":
    main()
