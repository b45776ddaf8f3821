"""A bulk job's group of leads (run together in one savepoint) makes exactly what single
QualifyLead calls make: the same columns, statuses, process stages and audit rows; and in a
mixed group the refused leads leave nothing while the others are qualified."""

from __future__ import annotations

import json
import uuid

from leadgate.platform import EntityReference, SetStateRequest
from leadgate.platform.jobs import JobStatus, Outcome, RetrieveJobResultsRequest
from leadgate.sales.bulk_qualify import BulkQualifyLeadsRequest
from tests.conftest import add_user
from tests.integration.test_audit import actions
from tests.integration.test_bulk_qualify import results, run_all, state_of
from tests.integration.test_process_flow import instance_of
from tests.integration.test_qualification import a_lead, qualify

# What differs between two qualifications of equal leads by nature: ids, times, versions.
VARYING = {"createdon", "modifiedon", "versionnumber", "overriddencreatedon"}


def made_by_single(service, lead: uuid.UUID) -> list[EntityReference]:
    return list(qualify(service, lead, suppress_duplicate_detection=True).created_entities)


def made_by_job(service, job_id: uuid.UUID, lead: uuid.UUID) -> list[EntityReference]:
    found = service.execute(RetrieveJobResultsRequest(job_id)).results
    (result,) = [r for r in found if r["objectid"] == lead]
    assert result["outcome"] == int(Outcome.SUCCEEDED), result["message"]
    return [EntityReference(m["table"], uuid.UUID(m["id"])) for m in json.loads(result["detail"])]


def shape(system, record: EntityReference, made: list[EntityReference], lead: uuid.UUID) -> dict:
    """A record's columns with its own id, the lead and the records made beside it named by
    their role, so that two qualifications of equal leads compare equal."""
    roles = {ref.id: f"made {ref.logical_name}" for ref in made} | {lead: "the lead"}
    values = system.retrieve(record.logical_name, record.id)
    plain = {}
    for column, value in values.items():
        if column in VARYING or column == f"{record.logical_name}id":
            continue
        if isinstance(value, EntityReference):
            value = roles.get(value.id, (value.logical_name, value.id))
        elif isinstance(value, uuid.UUID):
            value = roles.get(value, value)
        plain[column] = value
    return plain


def everything(system, admin, lead: uuid.UUID, made: list[EntityReference]) -> dict:
    """What one qualification left: the lead, the records made, the process, the audit."""
    process = instance_of(system, lead)
    return {
        "lead": shape(system, EntityReference("lead", lead), made, lead),
        "made": [shape(system, ref, made, lead) for ref in made],
        "process": (
            process["statecode"],
            process["statuscode"],
            process["activestageid"],
            len(str(process["traversedpath"]).split(",")),
        ),
        "audit": [
            actions(admin, ref.logical_name, ref.id)
            for ref in (EntityReference("lead", lead), *made)
        ],
    }


def test_a_group_makes_what_single_calls_make(org, system, admin):
    values = {"lastname": "Same", "companyname": "Same Ltd", "emailaddress1": "same@x.example"}
    single = a_lead(admin, **values)
    grouped = [a_lead(admin, **values) for _ in range(3)]
    expected = everything(system, admin, single, made_by_single(admin, single))

    (job_id,) = admin.execute(BulkQualifyLeadsRequest(lead_ids=tuple(grouped))).job_ids
    assert [o.status for o in run_all(org)] == [JobStatus.SUCCEEDED]
    for lead in grouped:
        made = made_by_job(admin, job_id, lead)
        assert [ref.logical_name for ref in made] == ["account", "contact", "opportunity"]
        assert everything(system, admin, lead, made) == expected


def test_a_mixed_group_refuses_some_leads_and_qualifies_the_others_as_alone(org, system, admin):
    seller = org.service(add_user(system, "seller@test.example", role="Salesperson"))
    mine = [a_lead(seller, lastname=f"Mine {n}") for n in range(4)]
    theirs = a_lead(admin, lastname="Theirs")  # Create at User depth: not on admin's lead
    seller.execute(SetStateRequest(EntityReference("lead", mine[1]), 2, 4))  # closed
    single = a_lead(seller, lastname="Mine 0")
    expected = everything(system, admin, single, made_by_single(seller, single))
    before = {table: len(system.retrieve_multiple_all(table, columns=["createdon"]))
              for table in ("account", "contact", "opportunity")}  # fmt: skip

    selection = (mine[0], theirs, mine[1], mine[2], mine[3])
    (job_id,) = seller.execute(BulkQualifyLeadsRequest(lead_ids=selection)).job_ids
    assert [o.status for o in run_all(org)] == [JobStatus.SUCCEEDED]
    found = results(seller, [job_id])
    assert [r["outcome"] for r in found] == [0, 1, 1, 0, 0]
    assert [r["errorcode"] for r in found] == [None, "0x80040220", "0x8F4C4760", None, None]
    assert [state_of(system, lead) for lead in selection] == [1, 0, 2, 1, 1]
    after = {table: len(system.retrieve_multiple_all(table, columns=["createdon"]))
             for table in ("account", "contact", "opportunity")}  # fmt: skip
    assert after == {table: count + 3 for table, count in before.items()}
    untouched = instance_of(system, theirs)  # its process did not move
    assert (untouched["statecode"], untouched.get("opportunityid")) == (0, None)
    assert actions(admin, "lead", theirs) == [1]  # created, nothing more
    made = made_by_job(seller, job_id, mine[0])
    assert everything(system, admin, mine[0], made) == expected
