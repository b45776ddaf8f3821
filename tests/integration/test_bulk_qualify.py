"""BulkQualifyLeads: leads chosen at queue time, qualified by system jobs lead by lead (a
refused one keeps its coded error, the others are qualified), resumable without qualifying a
lead twice, and run as the user who asked."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

import pytest

from leadgate.platform import (
    ConditionExpression,
    EntityReference,
    FilterExpression,
    LeadgateError,
    QueryExpression,
    SetStateRequest,
)
from leadgate.platform.engine.types import Language
from leadgate.platform.jobs import (
    JobContext,
    JobStatus,
    OperationType,
    Outcome,
    RetrieveJobResultsRequest,
    RetryJobRequest,
    claim_next,
    run_job,
    run_next,
)
from leadgate.sales import bulk_qualify
from leadgate.sales.bulk_qualify import BulkQualifyLeadsRequest
from tests.conftest import add_user

LEAD_CLOSED = "0x8F4C4760"


def new_leads(service, count: int, **values) -> list[uuid.UUID]:
    return [
        service.create("lead", {"subject": f"Deal {n}", "firstname": "Ada",
                                "lastname": f"Lovelace {n}", "companyname": f"Company {n}",
                                **values})
        for n in range(count)
    ]  # fmt: skip


def run_all(org, worker: str = "test-worker") -> list:
    outcomes = []
    while (outcome := run_next(org, worker)) is not None:
        outcomes.append(outcome)
    return outcomes


def count(system, table: str) -> int:
    return len(system.retrieve_multiple_all(table, columns=["createdon"]))


def state_of(system, lead: uuid.UUID) -> int:
    return system.retrieve("lead", lead, ["statecode"])["statecode"]


def results(service, job_ids) -> list:
    return [r for job in job_ids for r in service.execute(RetrieveJobResultsRequest(job)).results]


def test_ids_each_lead_qualified_or_refused_with_its_coded_error(org, system, admin):
    leads = new_leads(admin, 6)
    admin.execute(SetStateRequest(EntityReference("lead", leads[2]), 2, 4))  # disqualified
    queued = admin.execute(BulkQualifyLeadsRequest(lead_ids=(*leads, leads[0]), part_size=4,
                                                   chunk_size=2))  # fmt: skip
    assert queued.count == 6 and len(queued.job_ids) == 2  # a lead given twice is one lead

    jobs = [system.retrieve("asyncoperation", job) for job in queued.job_ids]
    assert [job["name"] for job in jobs] == ["Qualify leads (part 1 of 2)",
                                             "Qualify leads (part 2 of 2)"]  # fmt: skip
    assert {job["kind"] for job in jobs} == {"sales.bulk_qualify"}
    assert {job["operationtype"] for job in jobs} == {int(OperationType.BULK_QUALIFY)}
    assert {job["ownerid"].id for job in jobs} == {admin.user_id}
    data = [json.loads(job["data"]) for job in jobs]
    assert data[0]["batch"] == data[1]["batch"] and data[0]["leads"] == [str(x) for x in leads[:4]]

    assert [o.status for o in run_all(org)] == [JobStatus.SUCCEEDED] * 2
    assert [state_of(system, lead) for lead in leads] == [1, 1, 2, 1, 1, 1]
    assert (count(system, "account"), count(system, "opportunity")) == (5, 5)

    found = results(admin, queued.job_ids)
    positions = [(r["sequencenumber"], r["objectid"]) for r in found]
    assert positions == list(enumerate(leads, 1))  # the position in the whole selection
    refused = found[2]
    assert (refused["outcome"], refused["errorcode"]) == (int(Outcome.FAILED), LEAD_CLOSED)
    assert refused["name"] == "Ada Lovelace 2"
    assert "already closed" in refused["message"] and "déjà fermé" in refused["message_fr"]
    made = json.loads(found[0]["detail"])
    assert [m["table"] for m in made] == ["account", "contact", "opportunity"]
    opportunity = system.retrieve("opportunity", uuid.UUID(made[2]["id"]))
    assert opportunity["originatingleadid"] == EntityReference("lead", leads[0])


def test_a_query_selects_the_open_leads_it_matches_as_the_caller_reads_them(org, system, admin):
    fair = new_leads(admin, 3, leadsourcecode=8)
    new_leads(admin, 2, leadsourcecode=1)
    admin.execute(SetStateRequest(EntityReference("lead", fair[1]), 2, 4))
    query = QueryExpression("lead", criteria=FilterExpression(
        conditions=(ConditionExpression.make("leadsourcecode", "eq", 8),)))  # fmt: skip
    queued = admin.execute(BulkQualifyLeadsRequest(query=query, name="Trade fair"))
    assert queued.count == 2 and len(queued.job_ids) == 1
    assert system.retrieve("asyncoperation", queued.job_ids[0])["name"] == "Trade fair"
    run_all(org)
    assert [state_of(system, lead) for lead in fair] == [1, 2, 1]
    assert count(system, "opportunity") == 2

    seller = org.service(add_user(system, "seller@test.example", role="Salesperson"))
    mine = new_leads(seller, 2)
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0]
    unit = system.create("businessunit", name="Elsewhere", parentbusinessunitid=root.to_reference())
    far = add_user(system, "far@test.example", role="Salesperson",
                   unit=EntityReference("businessunit", unit))  # fmt: skip
    stranger = org.service(far)
    new_leads(stranger, 1)  # not in the seller's unit: they cannot read it
    queued = seller.execute(BulkQualifyLeadsRequest(query=QueryExpression("lead")))
    job = system.retrieve("asyncoperation", queued.job_ids[0])
    assert queued.count == 4  # their two and admin's two open ones (Read: business unit)
    assert set(json.loads(job["data"])["leads"]) >= {str(lead) for lead in mine}


def test_a_job_runs_as_its_owner_and_a_lead_they_cannot_qualify_is_refused(org, system, admin):
    seller_id = add_user(system, "seller@test.example", role="Salesperson")
    seller = org.service(seller_id)
    mine = new_leads(seller, 2)
    (theirs,) = new_leads(admin, 1)
    queued = seller.execute(BulkQualifyLeadsRequest(lead_ids=(mine[0], theirs, mine[1])))
    assert [o.status for o in run_all(org)] == [JobStatus.SUCCEEDED]
    assert [state_of(system, lead) for lead in (*mine, theirs)] == [1, 1, 0]
    accounts = system.retrieve_multiple_all("account", columns=["ownerid"])
    assert {a["ownerid"].id for a in accounts} == {seller_id}

    found = seller.execute(RetrieveJobResultsRequest(queued.job_ids[0])).results
    assert [r["outcome"] for r in found] == [0, 1, 0]
    assert found[1]["errorcode"] == "0x80040220"  # Create at User depth: not on admin's lead
    assert "prvCreate" in found[1]["message"] and "prvCreate" in found[1]["message_fr"]


def crash_at_second_group(monkeypatch, before=None) -> dict:
    """The second checkpoint_items call of a run fails (``before`` runs first, if given)."""
    calls = {"n": 0}
    real = JobContext.checkpoint_items

    def checkpoint_items(self, value, items):
        calls["n"] += 1
        if calls["n"] == 2:
            if before is None:
                raise RuntimeError("the worker died")
            before(self)
        return real(self, value, items)

    monkeypatch.setattr(JobContext, "checkpoint_items", checkpoint_items)
    return calls


def test_a_job_killed_mid_way_resumes_and_qualifies_no_lead_twice(org, system, admin, monkeypatch):
    leads = new_leads(admin, 6)
    (job_id,) = admin.execute(BulkQualifyLeadsRequest(lead_ids=tuple(leads), chunk_size=2)).job_ids
    crash_at_second_group(monkeypatch)
    first = run_next(org, "test-worker")
    assert first is not None and first.status is JobStatus.FAILED
    assert [state_of(system, lead) for lead in leads] == [1, 1, 0, 0, 0, 0]
    monkeypatch.undo()

    admin.execute(RetryJobRequest(job_id))
    assert [o.status for o in run_all(org)] == [JobStatus.SUCCEEDED]
    assert [state_of(system, lead) for lead in leads] == [1] * 6
    assert (count(system, "account"), count(system, "opportunity")) == (6, 6)
    found = admin.execute(RetrieveJobResultsRequest(job_id))
    assert [r["objectid"] for r in found.results] == leads
    assert found.counts[Outcome.SUCCEEDED] == 6


def test_a_worker_that_lost_its_lease_leaves_the_rest_to_the_one_that_took_over(
    org, system, admin, monkeypatch
):
    leads = new_leads(admin, 6)
    (job_id,) = admin.execute(BulkQualifyLeadsRequest(lead_ids=tuple(leads), chunk_size=2)).job_ids
    taken: dict = {}

    def another_worker_takes_over(context: JobContext) -> None:
        # The first worker's lease keeper may hold the job's row a moment (PostgreSQL skips
        # a locked row): the second worker asks again until it has the job.
        for _ in range(500):
            taken["job"] = claim_next(org, "second-worker", job_id=job_id)
            if taken["job"] is not None:
                return
            time.sleep(0.01)

    # The first worker's lease is already over: a second worker may claim the job at once.
    job = claim_next(org, "first-worker", dt.timedelta(seconds=-1))
    crash_at_second_group(monkeypatch, before=another_worker_takes_over)
    first = run_job(org, job, "first-worker", dt.timedelta(seconds=-1))
    assert first.status is None and first.error is not None and first.error.code == "0x8F4C47E6"
    monkeypatch.undo()
    assert [state_of(system, lead) for lead in leads] == [1, 1, 0, 0, 0, 0]

    second = run_job(org, taken["job"], "second-worker")
    assert second.status is JobStatus.SUCCEEDED
    assert (count(system, "account"), count(system, "opportunity")) == (6, 6)
    assert [r["objectid"] for r in admin.execute(RetrieveJobResultsRequest(job_id)).results] == (
        leads
    )


def test_the_selection_is_refused_with_coded_errors(org, system, admin, monkeypatch):
    def refusal(**fields) -> LeadgateError:
        with pytest.raises(LeadgateError) as refused:
            admin.execute(BulkQualifyLeadsRequest(**fields))
        return refused.value

    empty = refusal()
    assert empty.code == "0x8F4C47D2"
    assert empty.message(Language.ENGLISH).startswith("There is no lead to qualify")
    assert empty.message(Language.FRENCH).startswith("Il n'y a aucun prospect à qualifier")
    assert refusal(query=QueryExpression("lead")).code == "0x8F4C47D2"  # no open lead

    leads = new_leads(admin, 3)
    both = refusal(lead_ids=(leads[0],), query=QueryExpression("lead"))
    assert both.code == "0x8F4C47D3"
    assert both.message(Language.FRENCH).startswith("Donnez les prospects à qualifier soit")
    assert refusal(query=QueryExpression("account")).code == "0x8F4C4763"  # not a lead
    assert refusal(lead_ids=(leads[0],), part_size=0).code == "0x8F4C4702"

    monkeypatch.setattr(bulk_qualify, "MAX_LEADS", 2)
    too_many = refusal(lead_ids=tuple(leads))
    assert too_many.code == "0x8F4C47D4"
    assert too_many.message(Language.ENGLISH).startswith("3 leads are selected, and at most 2")
    assert too_many.message(Language.FRENCH).startswith("3 prospects sont sélectionnés")
    assert refusal(query=QueryExpression("lead")).code == "0x8F4C47D4"
    assert system.retrieve_multiple_all("asyncoperation") == []
