"""Publishing a duplicate rule as a system job, and bulk detection: records per second.

    .venv/bin/python bench/duplicate_jobs.py [--db URL] [--size 10000] [--detect 2000]

The accounts table grows to ``--size`` rows (bench fixtures, as bench/duplicates.py inserts
them). One rule (leadgate's company-name rule) is then published several ways, each from
Unpublished, in the same run: in one transaction (SetState to Published: the synchronous
path, the baseline), as PublishDuplicateRule's job with batches of each ``--batches`` size,
and as a loop of lg_PublishDuplicateRuleBatch without a job (what the job adds: a checkpoint
and a lease check per batch; each batch's commit costs the same with or without). Then
BulkDetectDuplicates runs on ``--detect`` accounts. Printed: seconds (the best of ``--rounds``
interleaved runs), records per second, and each publishing's ratio to the baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from duplicates import Fixtures, admin_user, rules_by_name

from leadgate.platform import EntityReference, Organization
from leadgate.platform.duplicates.bulk import BulkDetectDuplicatesRequest
from leadgate.platform.duplicates.rule_messages import (
    PublishDuplicateRuleBatchRequest,
    PublishDuplicateRuleRequest,
    UnpublishDuplicateRuleRequest,
)
from leadgate.platform.engine.query import ConditionExpression, FilterExpression, QueryExpression
from leadgate.platform.jobs import JobStatus, run_queued
from leadgate.platform.records.state import SetStateRequest

RULE = "Accounts with the same company name (ignoring case, punctuation, accents and legal form)"
PUBLISHING, PUBLISHED = 1, 2


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def by_job(organization: Organization, rule: uuid.UUID, batch: int) -> None:
    system = organization.system_service()
    job_id = system.execute(PublishDuplicateRuleRequest(rule, batch)).job_id
    outcome = run_queued(organization, job_id)
    assert outcome is not None and outcome.status is JobStatus.SUCCEEDED, outcome


def by_batches(organization: Organization, rule: uuid.UUID, batch: int) -> None:
    system = organization.system_service()
    reference = EntityReference("duplicaterule", rule)
    system.execute(SetStateRequest(reference, 0, PUBLISHING))
    while not system.execute(PublishDuplicateRuleBatchRequest(rule, batch, count=False)).published:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--size", type=int, default=10_000, help="accounts (and contacts)")
    parser.add_argument("--detect", type=int, default=2_000, help="accounts bulk-detected")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument("--batches", default="500,2000,5000", help="job batch sizes compared")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        organization = Organization.create(url)
        system = organization.system_service()
        user_id = admin_user(organization)
        rule = rules_by_name(organization)[RULE]
        Fixtures(organization, user_id).grow(options.size, lambda _: None)
        size = options.size
        batches = [int(n) for n in options.batches.split(",")]
        ways: list[tuple[str, Callable[[], None]]] = [
            ("one transaction (SetState)", lambda: system.execute(
                SetStateRequest(EntityReference("duplicaterule", rule), 1, PUBLISHED))),
            *((f"job, batches of {n:,}", lambda n=n: by_job(organization, rule, n))
              for n in batches),
            (f"batches of {batches[0]:,}, no job",
             lambda: by_batches(organization, rule, batches[0])),
        ]  # fmt: skip
        print(f"Publishing '{RULE}' on {size:,} accounts ({organization.engine.dialect.name}):")
        best: dict[str, float] = {}
        for _ in range(options.rounds):  # interleaved: a busy machine slows them all alike
            for name, publish in ways:
                system.execute(UnpublishDuplicateRuleRequest(rule))
                seconds = timed(publish)
                best[name] = min(best.get(name, seconds), seconds)
        baseline = best[ways[0][0]]
        for name, seconds in best.items():
            print(f"  {name:<28} {seconds:7.2f} s  {size / seconds:9,.0f} records/s  "
                  f"{seconds / baseline:5.2f}x")  # fmt: skip
        sys.stdout.flush()
        system.execute(UnpublishDuplicateRuleRequest(rule))
        by_job(organization, rule, 500)
        names = sorted(a["name"] for a in system.retrieve_multiple_all("account", columns=["name"]))
        last = names[min(options.detect, len(names)) - 1]
        criteria = FilterExpression(conditions=(ConditionExpression.make("name", "le", last),))
        query = QueryExpression("account", criteria=criteria)
        job_id = system.execute(BulkDetectDuplicatesRequest(query, "bench")).job_id
        seconds = timed(lambda: run_queued(organization, job_id))
        summary = json.loads(system.retrieve("asyncoperation", job_id)["checkpoint"])
        print(f"BulkDetectDuplicates on {summary['records']:,} accounts (2 published rules): "
              f"{seconds:.2f} s, {summary['records'] / seconds:,.0f} records/s, "
              f"{summary['pairs']:,} matches for {summary['duplicated']:,} records")  # fmt: skip


if __name__ == "__main__":
    main()
