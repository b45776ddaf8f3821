"""Bulk qualify as system jobs: leads per second of a BulkQualifyLeads job beside single
QualifyLead calls in the same run, and with one worker process versus two.

    .venv/bin/python bench/bulk_qualify.py [--db URL] [--leads 10000] [--single 1000]
        [--workers 1,2] [--part 1000] [--chunk 50]

Everything runs as a Salesperson (security is part of what is measured); every lead is
qualified with an account, a contact and an opportunity, the grid's way (no duplicate check).

1. Bulk versus single calls: ``--leads`` leads are queued as one BulkQualifyLeads request
   (parts of ``--part`` leads, groups of at most ``--chunk`` leads per commit), and its jobs
   are run one by one in this process (one worker), alternating with rounds of single
   QualifyLead calls (``--single`` leads in all, each call its own transaction), so that a
   noisy machine slows both alike. Goal: bulk at least 3x single on SQLite.
2. Workers (default: on PostgreSQL only): for each count in ``--workers``, ``--leads`` new
   leads queued, then run by that many worker processes (claims with FOR UPDATE SKIP LOCKED);
   timed from the moment they all may start to the moment the queue is empty. Goal: two
   workers at least 1.6x one on PostgreSQL. SQLite has one writer: more workers wait in turn.

On PostgreSQL give a fresh, empty database (``--db postgresql+psycopg://user@host/NAME``);
the bench installs the organization in it. The leads are bench data, created beforehand.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pipeline_vs_core import LEAD, salesperson

from leadgate.platform import (
    CreateRequest,
    Entity,
    EntityReference,
    ExecuteTransactionRequest,
    Organization,
    OrganizationService,
)
from leadgate.platform.jobs import Outcome, RetrieveJobResultsRequest, run_next, run_queued
from leadgate.sales.bulk_qualify import BulkQualifyLeadsRequest
from leadgate.sales.qualify import QualifyLeadRequest

FLAGS = {"create_account": True, "create_contact": True, "create_opportunity": True}


def make_leads(service: OrganizationService, count: int) -> list[uuid.UUID]:
    """``count`` open leads, created through the pipeline 200 to a transaction."""
    made: list[uuid.UUID] = []
    while len(made) < count:
        batch = [uuid.uuid4() for _ in range(min(200, count - len(made)))]
        service.execute(ExecuteTransactionRequest(tuple(
            CreateRequest(Entity("lead", lead, dict(LEAD))) for lead in batch
        )))  # fmt: skip
        made.extend(batch)
    return made


def qualify_one(service: OrganizationService, lead: uuid.UUID) -> None:
    service.execute(QualifyLeadRequest(EntityReference("lead", lead), **FLAGS,
                                       suppress_duplicate_detection=True))  # fmt: skip


def queue(service: OrganizationService, leads: list[uuid.UUID], part: int, chunk: int) -> tuple:
    request = BulkQualifyLeadsRequest(lead_ids=tuple(leads), **FLAGS, part_size=part,
                                      chunk_size=chunk)  # fmt: skip
    return service.execute(request).job_ids


def check(service: OrganizationService, job_ids: tuple, expected: int) -> None:
    """Every lead of the jobs qualified: the bench measures work that was done."""
    done = sum(
        service.execute(RetrieveJobResultsRequest(job_id, top=1)).counts[Outcome.SUCCEEDED]
        for job_id in job_ids
    )
    if done != expected:
        raise SystemExit(f"the jobs qualified {done} leads of {expected}")


def bulk_versus_single(
    organization: Organization, service: OrganizationService, options: argparse.Namespace
) -> tuple[float, float]:
    """Leads per second: the bulk job's parts run here, alternating with single calls."""
    singles = make_leads(service, options.single)
    bulk = make_leads(service, options.leads)
    for lead in singles[:5]:  # warm caches and statement compilation
        qualify_one(service, lead)
    singles = singles[5:]
    job_ids = queue(service, bulk, options.part, options.chunk)
    per_round = max(1, len(singles) // len(job_ids))
    seconds = {"bulk": 0.0, "single": 0.0}
    done_single = 0
    for index, job_id in enumerate(job_ids):
        started = time.perf_counter()
        run_queued(organization, job_id, worker_id="bench")
        seconds["bulk"] += time.perf_counter() - started
        last = index == len(job_ids) - 1
        round_leads = singles[index * per_round :] if last else singles[
            index * per_round : (index + 1) * per_round]  # fmt: skip
        started = time.perf_counter()
        for lead in round_leads:
            qualify_one(service, lead)
        seconds["single"] += time.perf_counter() - started
        done_single += len(round_leads)
    check(service, job_ids, len(bulk))
    return len(bulk) / seconds["bulk"], done_single / seconds["single"]


def _work(url: str, ready: Any, go: Any, spent: Any) -> None:
    """A worker process: open the organization, wait for the start, run jobs until none;
    then say how much CPU time it used meanwhile."""
    with Organization.open(url) as organization:
        worker_id = f"bench-{uuid.uuid4().hex[:6]}"
        ready.put(worker_id)
        go.wait()
        started = time.process_time()
        while run_next(organization, worker_id) is not None:
            pass
        spent.put(time.process_time() - started)


def with_workers(
    url: str, service: OrganizationService, count: int, options: argparse.Namespace
) -> tuple[float, float]:
    """Leads per second of ``--leads`` leads run by ``count`` worker processes, and the
    share of the run's wall time the workers spent on a CPU (on average): well under 100%,
    they waited — for the CPU (a busy machine) or for locks."""
    leads = make_leads(service, options.leads)
    job_ids = queue(service, leads, options.part, options.chunk)
    context = multiprocessing.get_context("spawn")
    ready, go, spent = context.Queue(), context.Event(), context.Queue()
    processes = [context.Process(target=_work, args=(url, ready, go, spent)) for _ in range(count)]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    started = time.perf_counter()
    go.set()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    if any(process.exitcode for process in processes):
        raise SystemExit("a worker process failed")
    check(service, job_ids, len(leads))
    busy = sum(spent.get(timeout=10) for _ in processes) / count / elapsed
    return len(leads) / elapsed, busy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--leads", type=int, default=10_000, help="leads per bulk run")
    parser.add_argument("--single", type=int, default=1000, help="leads qualified one by one")
    parser.add_argument("--workers", help="worker counts to compare (default: 1,2 on "
                        "PostgreSQL, none on SQLite)")  # fmt: skip
    parser.add_argument("--part", type=int, default=1000, help="leads per job")
    parser.add_argument("--chunk", type=int, default=50, help="leads per commit at most")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        backend = sa.make_url(url).get_backend_name()
        workers = options.workers
        if workers is None:
            workers = "1,2" if backend == "postgresql" else ""
        organization = Organization.create(url)
        service = organization.service(salesperson(organization))
        print(f"Bulk qualify on {backend}, as a Salesperson: account + contact + opportunity "
              f"per lead; jobs of {options.part} leads, at most {options.chunk} leads a "
              f"commit")  # fmt: skip
        bulk, single = bulk_versus_single(organization, service, options)
        print(f"single QualifyLead calls ({options.single} leads):  {single:8.1f} leads/s")
        print(f"bulk job, run here ({options.leads} leads):      {bulk:8.1f} leads/s")
        ratio = bulk / single
        verdict = "meets" if ratio >= 3 else "misses"
        print(f"bulk / single: {ratio:.2f}x ({verdict} the goal of at least 3x)")
        rates: dict[int, float] = {}
        for count in (int(text) for text in workers.split(",") if text.strip()):
            rates[count], busy = with_workers(url, service, count, options)
            load = os.getloadavg()[0]
            print(f"bulk job, {count} worker process(es) ({options.leads} leads): "
                  f"{rates[count]:8.1f} leads/s (each worker on a CPU {busy:.0%} of the "
                  f"time; load average {load:.1f} on {os.cpu_count()} CPUs)")  # fmt: skip
        if 1 in rates and 2 in rates:
            scaling = rates[2] / rates[1]
            verdict = "meets" if scaling >= 1.6 else "misses"
            print(f"2 workers / 1 worker: {scaling:.2f}x ({verdict} the goal of at least 1.6x)")
        organization.close()


if __name__ == "__main__":
    main()
