"""What reading securely costs: RetrieveMultiple of 50 leads out of 100,000 for a Sales
Manager (Read at Business Unit depth, filtered in SQL) versus the same query for a System
Administrator (Organization depth: no filter), same database, same run.

    .venv/bin/python bench/security_filter.py [--db URL] [--leads 100000] [--rounds 7]

The goal: at most 1.5x. The 100,000 leads are bench data, written with plain inserts to keep
the set-up short (the product itself writes only through the pipeline).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from _timing import timed

from leadgate.platform import (
    ColumnSet,
    ConditionExpression,
    EntityReference,
    FilterExpression,
    OrderExpression,
    Organization,
    PagingInfo,
    QueryExpression,
    RetrieveAllEntitiesRequest,
)
from leadgate.platform.engine.rows import row_values
from leadgate.platform.engine.schema import SqlTables


def user(system, email: str, unit: EntityReference, role: str) -> uuid.UUID:
    user_id = system.create(
        "systemuser",
        lastname=email.split("@")[0].title(),
        internalemailaddress=email,
        businessunitid=unit,
    )
    role_id = system.retrieve_multiple("role", name=role)[0].id
    system.create(
        "systemuserroles",
        systemuserid=EntityReference("systemuser", user_id),
        roleid=EntityReference("role", role_id),
    )
    return user_id


def fill(organization: Organization, owners: list[tuple[uuid.UUID, uuid.UUID]], count: int) -> None:
    metadata = organization.system_service().execute(RetrieveAllEntitiesRequest()).metadata
    table = metadata.table("lead")
    leads = SqlTables(metadata)["lead"]
    now = dt.datetime.now(dt.UTC)
    batch = []
    with organization.engine.begin() as connection:
        for index in range(count):
            owner, unit = owners[index % len(owners)]
            user_ref = EntityReference("systemuser", owner)
            batch.append(
                row_values(
                    table,
                    {
                        "leadid": uuid.uuid4(),
                        "subject": f"Lead {index}",
                        "lastname": f"Name {index}",
                        "fullname": f"Name {index}",
                        "statecode": 0,
                        "statuscode": 1,
                        "ownerid": user_ref,
                        "owningbusinessunit": EntityReference("businessunit", unit),
                        "createdby": user_ref,
                        "modifiedby": user_ref,
                        "createdon": now,
                        "modifiedon": now,
                        "versionnumber": 1,
                    },
                )
            )
            if len(batch) == 5000:
                connection.execute(leads.insert(), batch)
                batch = []
        if batch:
            connection.execute(leads.insert(), batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=30)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        organization = Organization.create(url)
        system = organization.system_service()
        root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0]
        units = [
            system.create("businessunit", name=name, parentbusinessunitid=root.to_reference())
            for name in ("East", "West")
        ]
        owners = []
        for unit in units:
            for index in range(5):
                unit_ref = EntityReference("businessunit", unit)
                owners.append(
                    (
                        user(system, f"rep{index}-{unit}@bench.example", unit_ref, "Salesperson"),
                        unit,
                    )
                )
        manager = user(
            system,
            "manager@bench.example",
            EntityReference("businessunit", units[0]),
            "Sales Manager",
        )
        admin = user(system, "admin@bench.example", root.to_reference(), "System Administrator")
        started = time.perf_counter()
        fill(organization, owners, options.leads)
        print(f"set-up: {options.leads} leads in {time.perf_counter() - started:.1f} s")
        with organization.engine.begin() as connection:  # fresh statistics for the planner
            connection.exec_driver_sql("ANALYZE")
        queries = {
            "first page": QueryExpression(
                "lead", ColumnSet.of("subject", "fullname"), page_info=PagingInfo(count=50)),
            "open, newest first": QueryExpression(
                "lead", ColumnSet.of("subject", "fullname"),
                FilterExpression(conditions=(ConditionExpression.make("statecode", "eq", 0),)),
                orders=(OrderExpression("createdon", descending=True),),
                page_info=PagingInfo(count=50)),
        }  # fmt: skip
        secured, plain = organization.service(manager), organization.service(admin)
        print(
            f"RetrieveMultiple of 50 leads out of {options.leads} on "
            f"{sa.make_url(url).get_backend_name()} ({options.rounds} rounds x "
            f"{options.batch}, median round)"
        )
        print(f"{'query':<20} {'Business Unit':>14} {'no filter':>12} {'ratio':>7}")
        worst = 0.0
        for label, query in queries.items():
            assert len(secured.retrieve_multiple(query)) == 50
            rounds = {"secured": [], "plain": []}
            for _ in range(options.rounds):
                rounds["secured"].append(
                    timed(lambda q=query: secured.retrieve_multiple(q), options.batch)
                )
                rounds["plain"].append(
                    timed(lambda q=query: plain.retrieve_multiple(q), options.batch)
                )
            low = statistics.median(rounds["secured"])
            high = statistics.median(rounds["plain"])
            worst = max(worst, low / high)
            print(f"{label:<20} {low * 1e3:>11.2f} ms {high * 1e3:>9.2f} ms {low / high:>6.2f}x")
        verdict = "meets" if worst <= 1.5 else "misses"
        print(f"secured reads {verdict} the goal of at most 1.5x ({worst:.2f}x at worst)")
        organization.close()


if __name__ == "__main__":
    main()
