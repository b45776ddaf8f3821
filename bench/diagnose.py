"""The qualification doctor's cost: lg_DiagnoseQualify of a healthy lead and of a lead with
every cause the seeds name, beside QualifyLead itself, in the same run.

    .venv/bin/python bench/diagnose.py [--db URL] [--rounds 7] [--count 20]

Everything runs as a Salesperson, on their own leads (all alike), with a plug-in step
registered on Create of account (it only traces: a dry run runs it, as QualifyLead does).
QualifyLead and the healthy diagnosis take the grid's path (no duplicate check: the bench's
leads are alike); the sick lead is diagnosed as the lead form would qualify it. Rounds alternate
the three measurements so that a noisy machine slows them alike; the median round is kept.
Goal: a healthy diagnosis at most 3x a QualifyLead.

The sick lead is disqualified, its process's active stage is on the opportunity (qualified
once, then reactivated and unlinked from the records it made), a required step of the lead's
stage is empty, an account with its company name exists, a map copies its status reason to
the opportunity, which lacks it, and the Salesperson's role lacks Append To on account: six
findings, and the plug-in check not reached (the dry run stops at the first cause, as
QualifyLead would).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import sqlalchemy as sa
from _timing import timed
from bulk_qualify import FLAGS, make_leads
from pipeline_vs_core import LEAD, salesperson

from leadgate.platform import (
    Entity,
    EntityReference,
    Organization,
    OrganizationService,
    PublishAllXmlRequest,
)
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.security.messages import RemovePrivilegeRoleRequest
from leadgate.sales.diagnosis import DiagnoseQualifyRequest
from leadgate.sales.qualify import QualifyLeadRequest


def register_step(system: OrganizationService) -> None:
    """A step on Create of account that only traces: the dry run runs it, as QualifyLead."""
    system.create("sdkmessageprocessingstep", {
        "name": "Bench: trace accounts", "messagename": "Create", "primaryentity": "account",
        "stage": 40, "plugintypename": "_plugins:trace_account",
    })  # fmt: skip


def sick_lead(
    system: OrganizationService, service: OrganizationService, role: str
) -> EntityReference:
    """A lead with every cause the seeds name (see the module's docstring)."""
    lead = make_leads(service, 1)[0]
    reference = EntityReference("lead", lead)
    service.execute(QualifyLeadRequest(reference, **FLAGS, suppress_duplicate_detection=True))
    service.execute(SetStateRequest(reference, 0, 2))  # reactivated: the process is on Develop
    # Unlinked from what the first qualification made: qualifying would make them again.
    service.update(Entity("lead", lead, parentaccountid=None, parentcontactid=None))
    (step,) = system.retrieve_multiple("processstep", attributename="purchasetimeframe")
    system.update(Entity("processstep", step.id, isrequired=True))
    system.create("account", name=LEAD["companyname"])
    entity_map = system.retrieve_multiple(
        "entitymap", sourceentityname="lead", targetentityname="opportunity"
    )[0]
    system.create("attributemap", entitymapid=entity_map.to_reference(),
                  sourceattributename="statuscode", targetattributename="statuscode")  # fmt: skip
    system.execute(PublishAllXmlRequest())
    service.execute(SetStateRequest(reference, 2, 4))  # disqualified (Lost): opportunity lacks 4
    role_id = system.retrieve_multiple("role", name=role)[0].id
    system.execute(RemovePrivilegeRoleRequest(role_id, "prvAppendToAccount"))
    return reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--count", type=int, default=20, help="operations of each kind a round")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        organization = Organization.create(url)
        system = organization.system_service()
        service = organization.service(salesperson(organization))
        register_step(system)
        healthy = EntityReference("lead", make_leads(service, 1)[0])
        fresh = iter(make_leads(service, options.rounds * options.count + 5))
        for _ in range(5):  # warm caches and statement compilation
            service.execute(QualifyLeadRequest(EntityReference("lead", next(fresh)), **FLAGS))
        qualifications, healthy_runs, sick_runs = [], [], []
        for _ in range(options.rounds):
            qualifications.append(timed(lambda: service.execute(QualifyLeadRequest(
                EntityReference("lead", next(fresh)), **FLAGS)), options.count))  # fmt: skip
            healthy_runs.append(timed(lambda: service.execute(DiagnoseQualifyRequest(
                healthy, **FLAGS, suppress_duplicate_detection=True)), options.count))  # fmt: skip
        verdict = service.execute(
            DiagnoseQualifyRequest(healthy, **FLAGS, suppress_duplicate_detection=True)
        )
        assert verdict.would_succeed and not verdict.findings, verdict
        sick = sick_lead(system, service, "Salesperson")
        found = service.execute(DiagnoseQualifyRequest(sick, **FLAGS)).findings
        for _ in range(options.rounds):
            sick_runs.append(timed(lambda: service.execute(DiagnoseQualifyRequest(
                sick, **FLAGS)), options.count))  # fmt: skip
        qualify, well, ill = (statistics.median(runs) * 1000 for runs in (
            qualifications, healthy_runs, sick_runs))  # fmt: skip
        backend = sa.make_url(url).get_backend_name()
        print(f"Qualification doctor on {backend}, as a Salesperson (median of "
              f"{options.rounds} rounds of {options.count})")  # fmt: skip
        print(f"QualifyLead (account + contact + opportunity):   {qualify:8.2f} ms")
        ratio = well / qualify
        verdict_text = "meets" if ratio <= 3 else "misses"
        print(f"diagnosis of a healthy lead (7 checks, dry run): {well:8.2f} ms = "
              f"{ratio:.2f}x QualifyLead ({verdict_text} the goal of at most 3x)")  # fmt: skip
        print(f"diagnosis of a lead with every cause ({len(found)} findings): {ill:8.2f} ms = "
              f"{ill / qualify:.2f}x QualifyLead")  # fmt: skip
        organization.close()


if __name__ == "__main__":
    main()
