"""What the pipeline costs: Create and Retrieve of a lead through leadgate versus a plain
SQLAlchemy Core insert/select of the same row, and versus the database driver alone
(bench/_driver.py), on the same database, in the same run. Creating a lead starts its Lead
to Opportunity Sales Process, so the baselines insert the process instance's row too, in the
same transaction.

    .venv/bin/python bench/pipeline_vs_core.py [--db URL] [--rounds 7] [--batch 200]

Prints the time per operation and the ratios pipeline / Core (the goal: Create <= 3x on
SQLite) and pipeline / driver (issue 16's goal: Create and Retrieve <= 5x). Rounds alternate
between them so that a noisy machine slows them alike; the median round is reported.

A Create also writes rows the baselines above leave out: the lead's duplicate match code and
its audit row. For information, a third baseline ("driver, every row") writes those too,
copied from a lead the pipeline made; the goal's verdict stays on the two-row baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from _driver import Driver
from _timing import timed

from leadgate.platform import (
    Entity,
    EntityReference,
    Organization,
    OrganizationService,
    RetrieveAllEntitiesRequest,
)
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.metadata.store import matchcodes
from leadgate.platform.engine.rows import row_values
from leadgate.platform.engine.schema import SqlTables

LEAD = {
    "subject": "Interested in 40 seats",
    "firstname": "Grace",
    "lastname": "Hopper",
    "companyname": "Navy Computing",
    "emailaddress1": "grace@navy.example",
    "telephone1": "+1 555 0100",
    "leadsourcecode": 8,
    "leadqualitycode": 1,
    "budgetamount": Decimal("25000"),
    "numberofemployees": 120,
    "description": "Met at the trade show.",
}


def salesperson(organization: Organization) -> uuid.UUID:
    """A Salesperson: the pipeline's security checks are part of what is measured."""
    system = organization.system_service()
    unit = system.retrieve_multiple_all("businessunit")[0]
    user_id = system.create(
        "systemuser",
        firstname="Bench",
        lastname="Salesperson",
        internalemailaddress=f"bench-{uuid.uuid4().hex[:6]}@bench.example",
        businessunitid=unit.to_reference(),
    )
    role = system.retrieve_multiple("role", name="Salesperson")[0]
    system.create(
        "systemuserroles",
        systemuserid=EntityReference("systemuser", user_id),
        roleid=role.to_reference(),
    )
    return user_id


def core_row(organization: Organization, user_id: uuid.UUID, unit_id: uuid.UUID) -> dict:
    """The row the pipeline would write, built by hand: what a plain insert has to store."""
    metadata = organization.system_service().execute(RetrieveAllEntitiesRequest()).metadata
    table = metadata.table("lead")
    values = core_row_entity(organization, user_id, unit_id)
    return row_values(table, {k: v for k, v in values.items() if k in table.columns})


def core_row_entity(organization: Organization, user_id: uuid.UUID, unit_id: uuid.UUID) -> dict:
    """The lead's values as the pipeline would write them (references, not ids)."""
    now = dt.datetime.now(dt.UTC)
    user = Entity("systemuser", user_id).to_reference()
    values = {
        **LEAD,
        "fullname": "Grace Hopper",
        "statecode": 0,
        "statuscode": 1,
        "leadqualitycode": 1,
        "preferredcontactmethodcode": 1,
        "ownerid": user,
        "owningbusinessunit": Entity("businessunit", unit_id).to_reference(),
        "createdon": now,
        "modifiedon": now,
        "createdby": user,
        "modifiedby": user,
        "versionnumber": 1,
    }
    return values


def core_instance_row(organization: Organization, row: dict) -> dict:
    """The process instance the pipeline starts with each lead, built by hand."""
    system = organization.system_service()
    process = system.retrieve_multiple("workflow", uniquename="leadtoopportunitysalesprocess")[0]
    first = min(
        system.retrieve_multiple("processstage", processid=process.to_reference()),
        key=lambda stage: stage["rank"],
    )
    metadata = system.execute(RetrieveAllEntitiesRequest()).metadata
    table = metadata.table("leadtoopportunitysalesprocess")
    values = {
        "name": "Grace Hopper", "processid": process.to_reference(),
        "activestageid": first.to_reference(), "traversedpath": str(first.id),
        "activestagestartedon": row["createdon"], "statecode": 0, "statuscode": 1,
        **{column: row[column] for column in (
            "ownerid", "owningbusinessunit", "createdon", "modifiedon", "createdby",
            "modifiedby", "versionnumber",
        ) if column in row},
    }  # fmt: skip
    return row_values(table, {k: v for k, v in values.items() if k in table.columns})


class CompanionRows:
    """The match code and audit rows the pipeline wrote with a lead, written again for a new
    lead through the driver: the rest of what a Create stores."""

    def __init__(
        self, organization: Organization, service: OrganizationService, metadata: MetadataSet
    ) -> None:
        lead_id = service.create("lead", dict(LEAD))
        tables = SqlTables(metadata)
        audit = tables["audit"]
        with organization.engine.connect() as connection:
            self.codes = [
                dict(r._mapping)
                for r in connection.execute(
                    sa.select(matchcodes).where(matchcodes.c.recordid == lead_id)
                )
            ]
            self.audit = [dict(r._mapping) for r in connection.execute(
                sa.select(audit).where(audit.c.objectid == lead_id))]  # fmt: skip
        assert self.codes and self.audit, "a Create writes a match code and an audit row"
        every = {**{name: tables[name] for name in ("lead", "leadtoopportunitysalesprocess")},
                 "audit": audit, "lg_matchcode": matchcodes}  # fmt: skip
        self.driver = Driver(organization.engine, every, tuple(every))  # type: ignore[arg-type]

    def insert(self, cursor: Any, lead_id: uuid.UUID) -> None:
        for code in self.codes:
            self.driver.insert(cursor, "lg_matchcode", {**code, "recordid": lead_id})
        for audit in self.audit:
            self.driver.insert(cursor, "audit", {**audit, "auditid": uuid.uuid4(),
                                                 "objectid": lead_id})  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        organization = Organization.create(url)
        user_id = salesperson(organization)
        service = organization.service(user_id)
        unit_id = service.retrieve("systemuser", user_id, ["businessunitid"])["businessunitid"].id
        engine = organization.engine
        # The same SQLAlchemy Core table the pipeline writes through, without the pipeline.
        metadata = organization.system_service().execute(RetrieveAllEntitiesRequest()).metadata
        lead_table = SqlTables(metadata)["lead"]
        row = core_row(organization, user_id, unit_id)
        instance_table = SqlTables(metadata)["leadtoopportunitysalesprocess"]
        instance_row = core_instance_row(
            organization, core_row_entity(organization, user_id, unit_id)
        )
        key = lead_table.c.leadid
        driver = Driver(engine, SqlTables(metadata), ("lead", "leadtoopportunitysalesprocess"))
        companions = CompanionRows(organization, service, metadata)
        pipeline_ids: list[uuid.UUID] = []
        core_ids: list[uuid.UUID] = []
        driver_ids: list[uuid.UUID] = []

        def pipeline_create() -> None:
            pipeline_ids.append(service.create("lead", dict(LEAD)))

        def core_create() -> None:
            identifier = uuid.uuid4()
            with engine.begin() as connection:
                connection.execute(lead_table.insert(), [{**row, "leadid": identifier}])
                connection.execute(instance_table.insert(), [{
                    **instance_row, "businessprocessflowinstanceid": uuid.uuid4(),
                    "leadid": identifier,
                }])  # fmt: skip
            core_ids.append(identifier)

        def driver_create() -> None:
            identifier = uuid.uuid4()
            with driver.transaction() as cursor:
                driver.insert(cursor, "lead", {**row, "leadid": identifier})
                driver.insert(cursor, "leadtoopportunitysalesprocess", {
                    **instance_row, "businessprocessflowinstanceid": uuid.uuid4(),
                    "leadid": identifier,
                })  # fmt: skip
            driver_ids.append(identifier)

        def driver_create_all() -> None:
            identifier = uuid.uuid4()
            with companions.driver.transaction() as cursor:
                companions.driver.insert(cursor, "lead", {**row, "leadid": identifier})
                companions.driver.insert(cursor, "leadtoopportunitysalesprocess", {
                    **instance_row, "businessprocessflowinstanceid": uuid.uuid4(),
                    "leadid": identifier,
                })  # fmt: skip
                companions.insert(cursor, identifier)

        def pipeline_retrieve() -> None:
            service.retrieve("lead", pipeline_ids[len(pipeline_ids) // 2])

        def core_retrieve() -> None:
            with engine.connect() as connection:
                connection.execute(
                    sa.select(lead_table).where(key == core_ids[len(core_ids) // 2])
                ).one()

        def driver_retrieve() -> None:
            lead_id = driver.key("lead", "leadid", driver_ids[len(driver_ids) // 2])
            with driver.transaction(writes=False) as cursor:
                assert driver.select(cursor, "lead", "leadid", lead_id) is not None

        actions = {
            "pc": pipeline_create, "cc": core_create, "dc": driver_create, "ac": driver_create_all,
            "pr": pipeline_retrieve, "cr": core_retrieve, "dr": driver_retrieve,
        }  # fmt: skip
        for action in actions.values():
            timed(action, 20)  # warm caches and statement compilation
        results: dict[str, list[float]] = {name: [] for name in actions}
        for _ in range(options.rounds):
            for name, action in actions.items():
                results[name].append(timed(action, options.batch))
        median = {name: statistics.median(values) for name, values in results.items()}
        backend = sa.make_url(url).get_backend_name()
        print(
            f"leadgate pipeline vs SQLAlchemy Core and the driver ({driver.dialect.driver}) on "
            f"{backend} ({options.rounds} rounds x {options.batch} operations, median round)"
        )
        print(f"{'operation':<10} {'pipeline':>12} {'core':>12} {'driver':>12} "
              f"{'/ core':>7} {'/ driver':>9}")  # fmt: skip
        for label in ("create", "retrieve"):
            pipeline, core, raw = (median[f"{side}{label[0]}"] for side in "pcd")
            print(
                f"{label:<10} {pipeline * 1e6:>9.0f} us {core * 1e6:>9.0f} us "
                f"{raw * 1e6:>9.0f} us {pipeline / core:>6.2f}x {pipeline / raw:>8.2f}x"
            )
        print(
            f"{'create':<10} {'':>12} {'':>12} {median['ac'] * 1e6:>9.0f} us {'':>7} "
            f"{median['pc'] / median['ac']:>8.2f}x   (driver, every row: + match code + audit)"
        )
        ratio = median["pc"] / median["cc"]
        verdict = "meets" if ratio <= 3 else "misses"
        print(f"create {verdict} the goal of at most 3x a plain insert ({ratio:.2f}x)")
        for label in ("create", "retrieve"):
            ratio = median[f"p{label[0]}"] / median[f"d{label[0]}"]
            verdict = "meets" if ratio <= 5 else "misses"
            print(f"{label} {verdict} the goal of at most 5x the driver alone ({ratio:.2f}x)")
        organization.close()


if __name__ == "__main__":
    main()
