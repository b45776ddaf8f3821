"""What qualifying costs: QualifyLead (account, contact and opportunity, and the lead's process
moved to Develop) as a Salesperson through the pipeline, versus two hand-written transactions
doing the same reads, inserts and updates, on the same database, in the same run: one in
SQLAlchemy Core, one through the database driver alone (sqlite3 or psycopg).

    .venv/bin/python bench/qualify.py [--db URL] [--rounds 7] [--batch 50]

Prints qualifications per second for each and the ratios pipeline / Core (goal: at most 3x)
and pipeline / driver (issue 16's goal: at most 15x). Rounds alternate between the three so
that a noisy machine slows them alike; the median round is reported. The open leads are bench
data, created through the pipeline beforehand; each baseline is checked to write the columns
the pipeline writes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from _driver import Driver
from _timing import timed
from pipeline_vs_core import LEAD, salesperson

from leadgate.platform import EntityReference, Organization
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.rows import entity_from_row, row_values
from leadgate.platform.engine.schema import SqlTables
from leadgate.platform.engine.values import coerce
from leadgate.platform.maps.rules import AttributeMap, copied_values
from leadgate.sales.qualify import QualifyLeadRequest

MADE = ("account", "contact", "opportunity")
# Set per record: ids, audit columns and the links qualification writes (the same columns
# differ between a pipeline record and a Core one only in value, never in presence).
PER_RECORD = {
    "createdon", "modifiedon", "createdby", "modifiedby", "originatingleadid", "accountid",
    "contactid", "opportunityid", "parentcustomerid", "customerid", "parentaccountid",
    "parentcontactid", "qualifyingopportunityid", "leadid",
}  # fmt: skip


class CoreQualify:
    """QualifyLead written by hand: read the lead, insert the three records with the values
    the attribute maps copy, close the lead. Everything that does not change from one lead
    to the next (maps, defaults, currency, owner's unit) is read once, as such code would."""

    def __init__(self, organization: Organization, user_id: uuid.UUID) -> None:
        self.engine = organization.engine
        self.metadata: MetadataSet = organization.metadata()
        self.tables = SqlTables(self.metadata)
        system = organization.system_service()
        unit = system.retrieve("systemuser", user_id, ["businessunitid"])["businessunitid"]
        self.user = EntityReference("systemuser", user_id)
        self.unit = EntityReference("businessunit", unit.id)
        currency = system.retrieve_multiple_all("organization")[0]["basecurrencyid"]
        self.currency = currency
        entity_maps = {
            row.id: row["targetentityname"]
            for row in system.retrieve_multiple_all("entitymap")
            if row["sourceentityname"] == "lead"
        }
        self.maps: dict[str, list[AttributeMap]] = {name: [] for name in MADE}
        for row in system.retrieve_multiple_all("attributemap"):
            target = entity_maps.get(row["entitymapid"].id)
            if target in self.maps:
                self.maps[target].append(
                    AttributeMap(row.id, row["entitymapid"].id, "lead", target,
                                 row["sourceattributename"], row["targetattributename"])
                )  # fmt: skip
        self.defaults = {
            name: {
                column.name: coerce(column, column.default)
                for column in self.metadata.table(name).columns.values()
                if column.default is not None
            }
            for name in MADE
        }
        lead_table = self.metadata.table("lead")
        self.lead_columns = list(lead_table.columns)
        # The lead's process moves to Develop on the new opportunity (REFERENCE §3.5).
        stages = sorted(system.retrieve_multiple_all("processstage"), key=lambda s: s["rank"])
        self.qualify_stage, self.develop_stage = stages[0].id, stages[1].id

    def _record(self, name: str, lead: Any, extra: dict[str, Any]) -> dict[str, Any]:
        now = dt.datetime.now(dt.UTC)
        values, _ = copied_values(lead, self.maps[name])
        record = {
            **self.defaults[name],
            **values,
            **extra,
            "statecode": 0,
            "statuscode": 1,
            "ownerid": self.user,
            "owningbusinessunit": self.unit,
            "originatingleadid": EntityReference("lead", lead.id),
            "createdon": now,
            "modifiedon": now,
            "createdby": self.user,
            "modifiedby": self.user,
            "versionnumber": 1,
        }
        return row_values(self.metadata.table(name), record)

    def __call__(self, lead_id: uuid.UUID) -> None:
        leads = self.tables["lead"]
        lead_table = self.metadata.table("lead")
        with self.engine.begin() as connection:
            row = (
                connection.execute(sa.select(leads).where(leads.c.leadid == lead_id))
                .mappings()
                .one()
            )
            lead = entity_from_row(lead_table, row, self.lead_columns)
            account = EntityReference("account", uuid.uuid4())
            contact = EntityReference("contact", uuid.uuid4())
            opportunity = EntityReference("opportunity", uuid.uuid4())
            account_row = self._record("account", lead, {"accountid": account.id})
            contact_row = self._record(
                "contact", lead, {"contactid": contact.id, "parentcustomerid": account}
            )
            parts = (contact_row.get("firstname"), contact_row.get("lastname"))
            contact_row["fullname"] = " ".join(part.strip() for part in parts if part)
            opportunity_row = self._record(
                "opportunity",
                lead,
                {
                    "opportunityid": opportunity.id,
                    "customerid": account,
                    "parentaccountid": account,
                    "parentcontactid": contact,
                    "transactioncurrencyid": lead.get("transactioncurrencyid") or self.currency,
                },
            )
            connection.execute(self.tables["account"].insert(), [account_row])
            connection.execute(self.tables["contact"].insert(), [contact_row])
            connection.execute(self.tables["opportunity"].insert(), [opportunity_row])
            instances = self.tables["leadtoopportunitysalesprocess"]
            instance = connection.execute(
                sa.select(instances.c.businessprocessflowinstanceid, instances.c.activestageid,
                          instances.c.versionnumber)
                .where(instances.c.leadid == lead_id, instances.c.statecode == 0)
            ).one()  # fmt: skip
            assert instance.activestageid == self.qualify_stage
            connection.execute(
                instances.update()
                .where(instances.c.businessprocessflowinstanceid == instance[0])
                .values(
                    opportunityid=opportunity.id, activestageid=self.develop_stage,
                    traversedpath=f"{self.qualify_stage},{self.develop_stage}",
                    activestagestartedon=dt.datetime.now(dt.UTC),
                    modifiedon=dt.datetime.now(dt.UTC), modifiedby=self.user.id,
                    versionnumber=instance.versionnumber + 1,
                )
            )  # fmt: skip
            connection.execute(
                leads.update()
                .where(leads.c.leadid == lead_id)
                .values(
                    statecode=1,
                    statuscode=3,
                    parentaccountid=account.id,
                    parentcontactid=contact.id,
                    qualifyingopportunityid=opportunity.id,
                    modifiedon=dt.datetime.now(dt.UTC),
                    modifiedby=self.user.id,
                    versionnumber=row["versionnumber"] + 1,
                )
            )


class RawQualify(CoreQualify):
    """The same transaction through the database driver alone (bench/_driver.py), the records
    built by the same code as the Core transaction: what is left of QualifyLead's cost when
    every layer above the driver is gone (issue 16's baseline)."""

    def __init__(self, organization: Organization, user_id: uuid.UUID) -> None:
        super().__init__(organization, user_id)
        self.driver = Driver(
            self.engine, self.tables, (*MADE, "lead", "leadtoopportunitysalesprocess")
        )
        self.dialect = self.engine.dialect
        self.instance_sql = (
            "SELECT businessprocessflowinstanceid, activestageid, versionnumber "
            f"FROM leadtoopportunitysalesprocess WHERE leadid = {self.driver.mark} "
            "AND statecode = 0"
        )

    def __call__(self, lead_id: uuid.UUID) -> None:
        driver = self.driver
        with driver.transaction() as cursor:
            key = driver.key("lead", "leadid", lead_id)
            row = driver.select(cursor, "lead", "leadid", key)
            assert row is not None
            lead = entity_from_row(self.metadata.table("lead"), row, self.lead_columns)
            account = EntityReference("account", uuid.uuid4())
            contact = EntityReference("contact", uuid.uuid4())
            opportunity = EntityReference("opportunity", uuid.uuid4())
            contact_row = self._record(
                "contact", lead, {"contactid": contact.id, "parentcustomerid": account}
            )
            parts = (contact_row.get("firstname"), contact_row.get("lastname"))
            contact_row["fullname"] = " ".join(part.strip() for part in parts if part)
            driver.insert(
                cursor, "account", self._record("account", lead, {"accountid": account.id})
            )
            driver.insert(cursor, "contact", contact_row)
            driver.insert(cursor, "opportunity", self._record("opportunity", lead, {
                "opportunityid": opportunity.id, "customerid": account,
                "parentaccountid": account, "parentcontactid": contact,
                "transactioncurrencyid": lead.get("transactioncurrencyid") or self.currency,
            }))  # fmt: skip
            cursor.execute(self.instance_sql, [key])
            instance_id, _stage, version = cursor.fetchone()
            now = dt.datetime.now(dt.UTC)
            driver.update(cursor, "leadtoopportunitysalesprocess",
                          "businessprocessflowinstanceid", instance_id, {
                "opportunityid": opportunity.id, "activestageid": self.develop_stage,
                "traversedpath": f"{self.qualify_stage},{self.develop_stage}",
                "activestagestartedon": now, "modifiedon": now, "modifiedby": self.user.id,
                "versionnumber": version + 1,
            })  # fmt: skip
            driver.update(cursor, "lead", "leadid", key, {
                "statecode": 1, "statuscode": 3, "parentaccountid": account.id,
                "parentcontactid": contact.id, "qualifyingopportunityid": opportunity.id,
                "modifiedon": now, "modifiedby": self.user.id,
                "versionnumber": row["versionnumber"] + 1,
            })  # fmt: skip


def shape(organization: Organization, lead_id: uuid.UUID) -> dict[str, frozenset[str]]:
    """The columns holding a value in a qualified lead and in the records made from it."""
    system = organization.system_service()
    lead = system.retrieve("lead", lead_id)
    found = {"lead": frozenset(k for k, v in lead.items() if v is not None) - PER_RECORD}
    for name in MADE:
        record = system.retrieve_multiple(name, originatingleadid=lead_id)[0]
        found[name] = frozenset(k for k, v in record.items() if v is not None) - PER_RECORD
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=50)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        organization = Organization.create(url)
        user_id = salesperson(organization)
        service = organization.service(user_id)
        warm_up = 5
        wanted = warm_up + options.rounds * options.batch
        pipeline_leads = iter([service.create("lead", dict(LEAD)) for _ in range(wanted)])
        core_leads = iter([service.create("lead", dict(LEAD)) for _ in range(wanted)])
        raw_leads = iter([service.create("lead", dict(LEAD)) for _ in range(wanted)])
        core_qualify = CoreQualify(organization, user_id)
        raw_qualify = RawQualify(organization, user_id)
        done: dict[str, list[uuid.UUID]] = {"pipeline": [], "core": [], "raw": []}

        def pipeline() -> None:
            lead_id = next(pipeline_leads)
            service.execute(
                QualifyLeadRequest(
                    EntityReference("lead", lead_id),
                    create_account=True,
                    create_contact=True,
                    create_opportunity=True,
                )
            )
            done["pipeline"].append(lead_id)

        def core() -> None:
            lead_id = next(core_leads)
            core_qualify(lead_id)
            done["core"].append(lead_id)

        def raw() -> None:
            lead_id = next(raw_leads)
            raw_qualify(lead_id)
            done["raw"].append(lead_id)

        sides = {"pipeline": pipeline, "core": core, "raw": raw}
        for action in sides.values():
            timed(action, warm_up)  # warm caches and statement compilation
        # A baseline is only fair if it writes what the pipeline writes.
        made_by = {name: shape(organization, ids[0]) for name, ids in done.items()}
        for baseline in ("core", "raw"):
            if made_by["pipeline"] != made_by[baseline]:
                raise SystemExit(
                    f"the {baseline} baseline does not write what QualifyLead writes: "
                    f"{_differences(made_by['pipeline'], made_by[baseline])}"
                )
        rounds: dict[str, list[float]] = {name: [] for name in sides}
        for _ in range(options.rounds):
            for name, action in sides.items():
                rounds[name].append(timed(action, options.batch))
        median = {name: statistics.median(values) for name, values in rounds.items()}
        backend = sa.make_url(url).get_backend_name()
        print(
            f"QualifyLead (account + contact + opportunity) on {backend} "
            f"({options.rounds} rounds x {options.batch} leads, median round)"
        )
        print(f"{'':<22} {'per lead':>10} {'per second':>11}")
        for label, name in (("pipeline, Salesperson", "pipeline"), ("Core transaction", "core"),
                            (f"driver ({raw_qualify.dialect.driver})", "raw")):  # fmt: skip
            print(f"{label:<22} {median[name] * 1e3:>7.2f} ms {1 / median[name]:>11.0f}")
        goals = (("core", 3, "the hand-written Core transaction"),
                 ("raw", 15, "the same writes through the driver alone"))  # fmt: skip
        for baseline, goal, what in goals:
            ratio = median["pipeline"] / median[baseline]
            verdict = "meets" if ratio <= goal else "misses"
            print(f"QualifyLead {verdict} the goal of at most {goal}x {what} ({ratio:.2f}x)")
        organization.close()


def _differences(one: dict[str, frozenset[str]], other: dict[str, frozenset[str]]) -> list[str]:
    return [
        f"{name}: pipeline only {sorted(one[name] - other[name])}, "
        f"Core only {sorted(other[name] - one[name])}"
        for name in one
        if one[name] != other[name]
    ]


if __name__ == "__main__":
    main()
