"""Duplicate detection at scale: publish time, check latency at growing sizes, and how many
planted duplicates the platform's faithful rules and leadgate's normalized rules catch.

    .venv/bin/python bench/duplicates.py [--db URL] [--sizes 10000,100000,1000000]
                                          [--per-kind 40] [--batch 20000]

For each size the accounts and contacts tables grow to it (rows from bench/duplicate_data.py,
a pure function of the row's index, so each size is a prefix of the next). The rows are bench
*fixtures*, inserted with SQLAlchemy Core in bulk: two million Creates through the pipeline
would take an hour and measure Create, not detection. Everything measured goes through the
pipeline: the rules are published again (PublishDuplicateRule's job, in batches, each computing
match codes), then each probe is checked with RetrieveDuplicates as a System Administrator.

Printed per size: publish time, check latency p50/p95 (and the ratio to the p95 at the first
size; the goal is p95 at 1M <= 2x p95 at 10k and <= 5 ms on SQLite), the latency of a plain
primary-key read measured in the same run as a baseline, and precision/recall on the probes
(each probe changes one thing of a population record; "distinct" probes duplicate nothing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from duplicate_data import Probe, accounts, chunks, contacts, probes

from leadgate.platform import Entity, EntityReference, Organization
from leadgate.platform.duplicates.messages import RetrieveDuplicatesRequest
from leadgate.platform.duplicates.rule_messages import (
    PublishDuplicateRuleRequest,
    UnpublishDuplicateRuleRequest,
)
from leadgate.platform.engine.metadata.store import matchcodes
from leadgate.platform.engine.rows import row_values
from leadgate.platform.engine.schema import SqlTables
from leadgate.platform.jobs import JobStatus, run_queued

SEED = 7
# The rule sets compared, per table: the platform's (exact) and leadgate's (normalized).
FAITHFUL = {
    "account": ["Accounts with the same Account Name", "Accounts with the same e-mail address"],
    "contact": ["Contacts with the same e-mail address",
                "Contacts with the same first name and last name"],
}  # fmt: skip
NORMALIZED = {
    "account": [
        "Accounts with the same company name (ignoring case, punctuation, accents and legal form)",
        "Accounts with the same phone number (any format)",
        "Accounts with a similar name",
    ],
    "contact": [
        "Contacts with the same e-mail address (ignoring case and spaces)",
        "Contacts with the same phone number (any format)",
        "Contacts with a similar full name",
    ],
}


def admin_user(organization: Organization) -> uuid.UUID:
    system = organization.system_service()
    unit = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0]
    user_id = system.create("systemuser", firstname="Bench", lastname="Admin",
                            internalemailaddress="bench-admin@bench.example",
                            businessunitid=unit.to_reference())  # fmt: skip
    role = system.retrieve_multiple("role", name="System Administrator")[0]
    system.create("systemuserroles", systemuserid=EntityReference("systemuser", user_id),
                  roleid=role.to_reference())  # fmt: skip
    return user_id


def rules_by_name(organization: Organization) -> dict[str, uuid.UUID]:
    system = organization.system_service()
    found = {rule["name"]: rule.id for rule in system.retrieve_multiple_all("duplicaterule")}
    if "Accounts with a similar name" not in found:
        rule = system.create("duplicaterule", name="Accounts with a similar name",
                             baseentityname="account", matchingentityname="account",
                             excludeinactiverecords=True)  # fmt: skip
        system.create("duplicaterulecondition", regardingobjectid=EntityReference(
            "duplicaterule", rule), baseattributename="name", matchingattributename="name",
            operatorcode=100000003, operatorparam=85)  # fmt: skip
        found["Accounts with a similar name"] = rule
    return found


class Fixtures:
    """Population rows inserted in bulk, as the pipeline would have stored them."""

    def __init__(self, organization: Organization, user_id: uuid.UUID) -> None:
        self.organization = organization
        system = organization.system_service()
        self.metadata = organization.metadata()
        self.tables = SqlTables(self.metadata)
        unit = system.retrieve("systemuser", user_id)["businessunitid"]
        user = EntityReference("systemuser", user_id)
        now = dt.datetime.now(dt.UTC)
        self.common = {"statecode": 0, "statuscode": 1, "ownerid": user,
                       "owningbusinessunit": unit, "createdon": now, "modifiedon": now,
                       "createdby": user, "modifiedby": user, "versionnumber": 1}  # fmt: skip
        self.size = 0

    def grow(self, size: int, progress: Callable[[str], None]) -> None:
        for name, rows in (("account", accounts), ("contact", contacts)):
            table = self.metadata.table(name)
            sql_table = self.tables[name]
            done = self.size
            for batch in chunks(rows(size - self.size, SEED, self.size), 10_000):
                values = []
                for row in batch:
                    if name == "contact":
                        row["fullname"] = f"{row['firstname']} {row['lastname']}"
                    values.append(row_values(table, {**self.common, **row}))
                with self.organization.engine.begin() as connection:
                    connection.execute(sa.insert(sql_table), values)
                done += len(batch)
                progress(f"{name}s {done:,}/{size:,}")
        self.size = size


def publish(organization: Organization, rule_ids: list[uuid.UUID], batch: int,
            progress: Callable[[str], None]) -> float:  # fmt: skip
    """Unpublish and publish the rules again (PublishDuplicateRule: a job, run here batch by
    batch, as `leadgate duplicates rules publish` runs it); seconds taken."""
    system = organization.system_service()
    for rule in rule_ids:
        system.execute(UnpublishDuplicateRuleRequest(rule))
    started = time.perf_counter()
    for index, rule in enumerate(rule_ids, 1):
        progress(f"rule {index}/{len(rule_ids)}")
        job_id = system.execute(PublishDuplicateRuleRequest(rule, batch_size=batch)).job_id
        outcome = run_queued(organization, job_id)
        assert outcome is not None and outcome.status is JobStatus.SUCCEEDED, outcome
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def check_all(service: Any, drawn: list[Probe], rule_sets: dict[str, dict[str, set[uuid.UUID]]]
              ) -> tuple[list[float], dict[str, dict[str, list[int]]]]:  # fmt: skip
    """Latency of each check, and per rule set and kind: [found original, probes, false
    matches, matches]."""
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = defaultdict(list)
    scores: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * 4))
    for probe in drawn:
        request = RetrieveDuplicatesRequest(Entity(probe.table, None, dict(probe.values)))
        started = time.perf_counter()
        response = service.execute(request)
        latencies.append(time.perf_counter() - started)
        by_kind[f"{probe.table} {probe.kind}"].append(latencies[-1])
        for set_name, by_table in rule_sets.items():
            rules = by_table[probe.table]
            ids = {match.id for match in response.matches if match.rule_id in rules}
            score = scores[set_name][probe.kind]
            score[0] += probe.original in ids
            score[1] += 1
            score[2] += len(ids - {probe.original})
            score[3] += len(ids)
    slowest = sorted(by_kind.items(), key=lambda item: -percentile(item[1], 0.95))[:3]
    scores["slowest"] = {
        f"{kind} {percentile(values, 0.95) * 1e3:.2f} ms": [] for kind, values in slowest
    }  # type: ignore[assignment]
    return latencies, scores


def primary_key_reads(organization: Organization, count: int) -> list[float]:
    """The baseline: one indexed read of an account by id, through Core, per check."""
    tables = SqlTables(organization.metadata())
    account = tables["account"]
    with organization.engine.connect() as connection:
        ids = connection.execute(sa.select(account.c.accountid).limit(count)).scalars().all()
        latencies = []
        for record_id in ids:
            started = time.perf_counter()
            connection.execute(sa.select(account).where(account.c.accountid == record_id)).all()
            latencies.append(time.perf_counter() - started)
    return latencies


def report_quality(scores: dict[str, dict[str, list[int]]]) -> None:
    print("  slowest probe kinds (p95): " + ", ".join(scores.pop("slowest")))
    kinds = sorted({kind for by_kind in scores.values() for kind in by_kind})
    print(f"  {'probe kind':<16}" + "".join(f"{name:>22}" for name in scores))
    for kind in kinds:
        cells = []
        for by_kind in scores.values():
            hit, total, false, _ = by_kind[kind]
            cells.append(f"{'false ' + str(false) if kind == 'distinct' else f'{hit}/{total}'}"
                         f"{'':>2}")  # fmt: skip
        print(f"  {kind:<16}" + "".join(f"{cell:>22}" for cell in cells))
    for name, by_kind in scores.items():
        duplicates = [v for kind, v in by_kind.items() if kind != "distinct"]
        recall = sum(v[0] for v in duplicates) / max(1, sum(v[1] for v in duplicates))
        matches = sum(v[3] for v in by_kind.values())
        true = sum(v[0] for v in duplicates)
        precision = true / matches if matches else 1.0
        print(f"  {name}: precision {precision:.3f}, recall {recall:.3f} "
              f"({true} of {sum(v[1] for v in duplicates)} duplicates found, "
              f"{matches - true} false matches)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument(
        "--sizes",
        default="10000,100000,1000000",
        help="table sizes to measure at, each table (default: %(default)s)",
    )
    parser.add_argument("--per-kind", type=int, default=40, help="probes per kind and table")
    parser.add_argument("--batch", type=int, default=20_000, help="records per publish batch")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        organization = Organization.create(url)
        user_id = admin_user(organization)
        service = organization.service(user_id)
        names = rules_by_name(organization)
        rule_sets = {
            set_name: {
                table: {names[n] for n in rule_names} for table, rule_names in by_table.items()
            }
            for set_name, by_table in (
                ("faithful rules", FAITHFUL),
                ("normalized rules", NORMALIZED),
            )
        }
        published = [names[n] for by_table in (FAITHFUL, NORMALIZED)
                     for rule_names in by_table.values() for n in rule_names]  # fmt: skip
        others = [rule for name, rule in names.items() if rule not in published]
        for rule in others:  # the leads rule: five per table at most, and not measured here
            organization.system_service().execute(UnpublishDuplicateRuleRequest(rule))
        fixtures = Fixtures(organization, user_id)
        backend = sa.make_url(url).get_backend_name()
        print(f"Duplicate detection on {backend}: {len(published)} published rules "
              f"(5 on accounts, 5 on contacts), probes: {options.per_kind} per kind")  # fmt: skip
        first_p95: float | None = None
        for size in sizes:
            began = time.perf_counter()
            fixtures.grow(size, _progress)
            loaded = time.perf_counter() - began
            seconds = publish(organization, published, options.batch, _progress)
            with organization.engine.connect() as connection:
                code_rows = connection.execute(
                    sa.select(sa.func.count()).select_from(matchcodes)).scalar_one()  # fmt: skip
            drawn = probes(size, options.per_kind, SEED, isolated=True)
            service.execute(RetrieveDuplicatesRequest(Entity("account", None, {"name": "warm"})))
            latencies, scores = check_all(service, drawn, rule_sets)
            baseline = primary_key_reads(organization, len(latencies))
            p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
            first_p95 = first_p95 or p95
            base = statistics.median(baseline)
            _progress("")
            print(f"\n{size:,} accounts + {size:,} contacts (fixtures loaded in {loaded:.0f} s)")
            print(f"  publish {len(published)} rules: {seconds:.1f} s "
                  f"({2 * size / seconds:,.0f} records/s per rule set, "
                  f"{code_rows:,} match codes)")  # fmt: skip
            print(f"  check (RetrieveDuplicates, {len(latencies)} probes): p50 {p50 * 1e3:.2f} ms, "
                  f"p95 {p95 * 1e3:.2f} ms; p95 / p95 at {sizes[0]:,} = {p95 / first_p95:.2f}x; "
                  f"p50 / primary-key read ({base * 1e3:.3f} ms) = {p50 / base:.1f}x")  # fmt: skip
            report_quality(scores)
        print(f"\nGoal: p95 at the largest size <= 2x p95 at {sizes[0]:,} "
              f"({'met' if p95 <= 2 * first_p95 else 'missed'}: {p95 / first_p95:.2f}x) and "
              f"<= 5 ms ({'met' if p95 <= 0.005 else 'missed'}: {p95 * 1e3:.2f} ms)")  # fmt: skip
        organization.close()


def _progress(text: str) -> None:
    print(f"\r  {text:<60}", end="" if text else "\r", flush=True)


if __name__ == "__main__":
    main()
