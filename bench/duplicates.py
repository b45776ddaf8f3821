"""Duplicate detection at scale: publish time, check latency at growing sizes, and how many
planted duplicates the platform's faithful rules and leadgate's normalized rules catch.

    .venv/bin/python bench/duplicates.py [--db URL] [--sizes 10000,100000,1000000]
                                          [--per-kind 40] [--batch 20000]
                                          [--keep PREFIX [--republish]] [--rounds 1]

For each size the accounts and contacts tables grow to it (rows from bench/duplicate_data.py,
a pure function of the row's index, so each size is a prefix of the next). The rows are bench
*fixtures*, inserted with SQLAlchemy Core in bulk: two million Creates through the pipeline
would take an hour and measure Create, not detection. Everything measured goes through the
pipeline: the rules are published again (PublishDuplicateRule's job, in batches, each computing
match codes), then each probe is checked with RetrieveDuplicates as a System Administrator.

With ``--keep PREFIX`` each size's database is kept (SQLite: ``PREFIX-<size>.db``; with a
PostgreSQL ``--db``, databases ``<name>_<size>``) and reused by the next run: a size already
built is measured again as it is (its rules that are not published are published;
``--republish`` publishes all of them again), a new size starts as a copy of the largest
smaller one. A million rows are built once, then re-measured after each change.

Printed per size: publish time, check latency p50/p95 (and the ratio to the p95 at the first
size; the goal is p95 at 1M <= 2x p95 at 10k and <= 5 ms on SQLite), the latency of a plain
primary-key read measured in the same run as a baseline, and precision/recall on the probes
(each probe changes one thing of a population record; "distinct" probes duplicate nothing),
per rule set and per rule (a rule's recall counts the probes of the kinds it is meant to find,
``TARGETS``; its precision, every match it makes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
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

# The probe kinds each rule is meant to find (its recall counts those probes): the exact
# rules, what Dataverse's case-insensitive comparison finds; the others, what they normalize.
_NAME_KINDS = ("case", "punctuation", "legal suffix", "leading the", "accents")
TARGETS = {
    "Accounts with the same Account Name": ("case",),
    "Accounts with the same e-mail address": ("email case",),
    "Contacts with the same e-mail address": ("email case",),
    "Contacts with the same first name and last name": ("case",),
    NORMALIZED["account"][0]: _NAME_KINDS,
    NORMALIZED["account"][1]: ("phone format",),
    NORMALIZED["account"][2]: (*_NAME_KINDS, "typo"),
    NORMALIZED["contact"][0]: ("email case",),
    NORMALIZED["contact"][1]: ("phone format",),
    NORMALIZED["contact"][2]: ("case", "accents", "typo"),
}


def rule_targets(names: dict[str, uuid.UUID]) -> dict[uuid.UUID, tuple[str, tuple[str, ...]]]:
    """Per measured rule: its table and the probe kinds it is meant to find."""
    return {
        names[name]: (table, TARGETS[name])
        for by_table in (FAITHFUL, NORMALIZED)
        for table, rule_names in by_table.items()
        for name in rule_names
    }


def admin_user(organization: Organization) -> uuid.UUID:
    system = organization.system_service()
    known = system.retrieve_multiple("systemuser", internalemailaddress="bench-admin@bench.example")
    if known:
        return known[0].id
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


Scores = dict[str, dict[str, list[int]]]


def check_all(service: Any, drawn: list[Probe], rule_sets: dict[str, dict[str, set[uuid.UUID]]],
              targets: dict[uuid.UUID, tuple[str, tuple[str, ...]]], rounds: int = 1
              ) -> tuple[list[float], Scores, dict[uuid.UUID, list[int]]]:  # fmt: skip
    """Latency of each check (the median of its ``rounds``); per rule set and kind: [found
    original, probes, false matches, matches]; per rule: [found original, probes of its
    kinds, true matches, matches]."""
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = defaultdict(list)
    scores: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * 4))
    per_rule: dict[uuid.UUID, list[int]] = {rule: [0] * 4 for rule in targets}
    requests = [RetrieveDuplicatesRequest(Entity(p.table, None, dict(p.values))) for p in drawn]
    taken: list[list[float]] = [[] for _ in drawn]
    responses: list[Any] = []
    for _ in range(max(1, rounds)):  # interleaved: a burst of load elsewhere hits one round
        for index, request in enumerate(requests):
            started = time.perf_counter()
            response = service.execute(request)
            taken[index].append(time.perf_counter() - started)
            if len(responses) < len(requests):
                responses.append(response)
    for probe, response, times in zip(drawn, responses, taken, strict=True):
        latencies.append(statistics.median(times))
        by_kind[f"{probe.table} {probe.kind}"].append(latencies[-1])
        for set_name, by_table in rule_sets.items():
            rules = by_table[probe.table]
            ids = {match.id for match in response.matches if match.rule_id in rules}
            score = scores[set_name][probe.kind]
            score[0] += probe.original in ids
            score[1] += 1
            score[2] += len(ids - {probe.original})
            score[3] += len(ids)
        for rule, (table, kinds) in targets.items():
            if table != probe.table:
                continue
            ids = {match.id for match in response.matches if match.rule_id == rule}
            counts = per_rule[rule]
            if probe.kind in kinds and probe.original is not None:
                counts[0] += probe.original in ids
                counts[1] += 1
            counts[2] += probe.original in ids
            counts[3] += len(ids)
    slowest = sorted(by_kind.items(), key=lambda item: -percentile(item[1], 0.95))[:3]
    scores["slowest"] = {
        f"{kind} {percentile(values, 0.95) * 1e3:.2f} ms": [] for kind, values in slowest
    }  # type: ignore[assignment]
    return latencies, scores, per_rule


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


def report_rules(per_rule: dict[uuid.UUID, list[int]], names: dict[str, uuid.UUID]) -> None:
    """Precision and recall of each rule: the goal is precision >= 0.9 at recall >= 0.9."""
    by_id = {rule: name for name, rule in names.items()}
    for rule, (hit, total, true, matches) in per_rule.items():
        precision = true / matches if matches else 1.0
        print(f"  rule {by_id[rule][:60]:<60} precision {precision:.3f} ({matches - true} false),"
              f" recall {hit / max(1, total):.3f} ({hit}/{total})")  # fmt: skip


class Database:
    """Where each size is measured: one database that grows (a new SQLite file, or --db),
    or with --keep one kept database per size, reused by the next run."""

    def __init__(self, options: argparse.Namespace, folder: str) -> None:
        self.options = options
        self.url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        self.backend = sa.make_url(self.url).get_backend_name()
        self.built: list[int] = []

    def url_for(self, size: int) -> str:
        if not self.options.keep:
            return self.url
        if self.backend == "sqlite":
            return f"sqlite:///{self.options.keep}-{size}.db"
        url = sa.make_url(self.url)
        return url.set(database=f"{url.database}_{size}").render_as_string(hide_password=False)

    def _server(self) -> sa.Engine:
        return sa.create_engine(sa.make_url(self.url).set(database="postgres"),
                                isolation_level="AUTOCOMMIT")  # fmt: skip

    def exists(self, size: int) -> bool:
        url = sa.make_url(self.url_for(size))
        if self.backend == "sqlite":
            return Path(url.database or "").exists()
        engine = self._server()
        with engine.connect() as connection:
            found = connection.execute(sa.text("select 1 from pg_database where datname = :name"),
                                       {"name": url.database}).first()  # fmt: skip
        engine.dispose()
        return found is not None

    def copy(self, source: int, size: int) -> None:
        """A new size starts as a copy of a smaller one kept (the rows are a prefix)."""
        old, new = sa.make_url(self.url_for(source)), sa.make_url(self.url_for(size))
        if self.backend == "sqlite":
            shutil.copyfile(old.database or "", new.database or "")
            return
        engine = self._server()
        with engine.connect() as connection:
            connection.exec_driver_sql(f'create database "{new.database}" '
                                       f'template "{old.database}"')  # fmt: skip
        engine.dispose()

    def create(self, size: int) -> None:
        engine = self._server()
        with engine.connect() as connection:
            connection.exec_driver_sql(
                f'create database "{sa.make_url(self.url_for(size)).database}"'
            )
        engine.dispose()

    def open(self, size: int) -> tuple[Organization, bool]:
        """The organization to measure ``size`` in, and whether it was kept as it is."""
        if not self.options.keep:
            first = not self.built
            self.built.append(size)
            return (Organization.create(self.url) if first else self.organization), False
        kept = self.exists(size)
        if not kept:
            smaller = [s for s in self.built_sizes() if s < size]
            if smaller:
                self.copy(max(smaller), size)
            elif self.backend != "sqlite":
                self.create(size)
        self.built.append(size)
        return Organization.create(self.url_for(size)), kept

    def built_sizes(self) -> list[int]:
        return [s for s in self.options.sizes if self.exists(s)]

    organization: Organization


def prepare(organization: Organization) -> tuple[uuid.UUID, dict[str, uuid.UUID], list[uuid.UUID]]:
    """The bench's administrator, its rules by name, and the rules measured (the others
    unpublished: five per table at most)."""
    user_id = admin_user(organization)
    names = rules_by_name(organization)
    published = [names[n] for by_table in (FAITHFUL, NORMALIZED)
                 for rule_names in by_table.values() for n in rule_names]  # fmt: skip
    system = organization.system_service()
    for rule in names.values():
        if rule not in published and system.retrieve("duplicaterule", rule)["statuscode"] != 0:
            system.execute(UnpublishDuplicateRuleRequest(rule))
    return user_id, names, published


def stored_rows(organization: Organization) -> int:
    account = SqlTables(organization.metadata())["account"]
    with organization.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(account)).scalar_one()


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
    parser.add_argument("--rounds", type=int, default=1,
                        help="checks of each probe, interleaved; its latency is their median "
                             "(steadier on a shared machine)")  # fmt: skip
    parser.add_argument("--keep", metavar="PREFIX",
                        help="keep one database per size and reuse it (see above)")  # fmt: skip
    parser.add_argument("--republish", action="store_true",
                        help="publish the rules of a kept size again")  # fmt: skip
    options = parser.parse_args()
    options.sizes = [int(size) for size in options.sizes.split(",")]
    sizes = options.sizes
    with tempfile.TemporaryDirectory() as folder:
        database = Database(options, folder)
        print(f"Duplicate detection on {database.backend}: 10 published rules "
              f"(5 on accounts, 5 on contacts), probes: {options.per_kind} per kind")  # fmt: skip
        first_p95: float | None = None
        fixtures: Fixtures | None = None
        for size in sizes:
            organization, kept = database.open(size)
            database.organization = organization
            user_id, names, published = prepare(organization)
            if fixtures is None or options.keep:
                fixtures = Fixtures(organization, user_id)
                fixtures.size = stored_rows(organization)
            service = organization.service(user_id)
            rule_sets = {
                set_name: {
                    table: {names[n] for n in rule_names} for table, rule_names in by_table.items()
                }
                for set_name, by_table in (
                    ("faithful rules", FAITHFUL),
                    ("normalized rules", NORMALIZED),
                )
            }
            if fixtures.size > size:
                print(f"\n{size:,}: the database holds {fixtures.size:,} rows already, skipped")
                continue
            grown = fixtures.size < size
            began = time.perf_counter()
            fixtures.grow(size, _progress)
            loaded = time.perf_counter() - began
            seconds = None
            system = organization.system_service()
            stale = [rule for rule in published  # e.g. an upgrade changed their codes
                     if system.retrieve("duplicaterule", rule)["statuscode"] != 2]  # fmt: skip
            if grown or not kept or options.republish:
                seconds = publish(organization, published, options.batch, _progress)
            elif stale:
                republished = publish(organization, stale, options.batch, _progress)
                print(f"\n  published {len(stale)} rules not published: {republished:.1f} s")
            with organization.engine.connect() as connection:
                code_rows = connection.execute(
                    sa.select(sa.func.count()).select_from(matchcodes)).scalar_one()  # fmt: skip
            drawn = probes(size, options.per_kind, SEED, isolated=True)
            service.execute(RetrieveDuplicatesRequest(Entity("account", None, {"name": "warm"})))
            targets = rule_targets(names)
            latencies, scores, per_rule = check_all(
                service, drawn, rule_sets, targets, options.rounds
            )
            baseline = primary_key_reads(organization, len(latencies))
            p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
            first_p95 = first_p95 or p95
            base = statistics.median(baseline)
            _progress("")
            how = "kept" if not grown else f"fixtures loaded in {loaded:.0f} s"
            print(f"\n{size:,} accounts + {size:,} contacts ({how})")
            if seconds is None:
                print(f"  publish: kept ({code_rows:,} match codes; --republish to measure)")
            else:
                print(f"  publish {len(published)} rules: {seconds:.1f} s "
                      f"({2 * size / seconds:,.0f} records/s per rule set, "
                      f"{size * len(published) / seconds:,.0f} records x rules/s, "
                      f"{code_rows:,} match codes)")  # fmt: skip
            each = f", median of {options.rounds} rounds" if options.rounds > 1 else ""
            print(f"  check (RetrieveDuplicates, {len(latencies)} probes{each}): "
                  f"p50 {p50 * 1e3:.2f} ms, "
                  f"p95 {p95 * 1e3:.2f} ms; p95 / p95 at {sizes[0]:,} = {p95 / first_p95:.2f}x; "
                  f"p50 / primary-key read ({base * 1e3:.3f} ms) = {p50 / base:.1f}x")  # fmt: skip
            report_quality(scores)
            report_rules(per_rule, names)
            if options.keep:
                organization.close()
        print(f"\nGoal: p95 at the largest size <= 2x p95 at {sizes[0]:,} "
              f"({'met' if p95 <= 2 * first_p95 else 'missed'}: {p95 / first_p95:.2f}x) and "
              f"<= 5 ms ({'met' if p95 <= 0.005 else 'missed'}: {p95 * 1e3:.2f} ms)")  # fmt: skip
        if not options.keep:
            database.organization.close()


def _progress(text: str) -> None:
    print(f"\r  {text:<60}", end="" if text else "\r", flush=True)


if __name__ == "__main__":
    main()
