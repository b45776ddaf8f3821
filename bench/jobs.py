"""How system jobs scale out on PostgreSQL: empty jobs claimed, run and settled per second by
one `leadgate worker` process, then by two, same database, same run.

    .venv/bin/python bench/jobs.py [--db URL] [--jobs 1000] [--rounds 3]

Each round queues ``--jobs`` empty jobs, starts the workers, and counts the jobs they settle
from the moment every worker is up until the queue is empty (workers start at slightly
different times: that window leaves the start-up out). Rounds alternate between one and two
workers; the median round is reported, with the ratio two / one. An empty job measures the
queue itself: a claim (SELECT … FOR UPDATE SKIP LOCKED and its lease) and a settle, two
transactions per job. Without --db, a throwaway database on the local PostgreSQL server
(postgresql+psycopg://postgres@127.0.0.1:5432) is made, then dropped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from leadgate.platform import ConditionExpression, FilterExpression, Organization, QueryExpression
from leadgate.platform.jobs import JobContext, JobRegistry, QueueJobRequest

HERE = Path(__file__).resolve().parent
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
LEADGATE = "from leadgate.cli.main import run; run()"


def empty(_context: JobContext) -> None:
    """The job: nothing, so that what is measured is the queue."""


def register(registry: JobRegistry) -> None:
    """LEADGATE_JOB_KINDS=jobs:register (the workers import this file from bench/)."""
    registry.register("bench.empty", empty)


def start_workers(url: str, count: int, logs: Path) -> list[tuple[subprocess.Popen[str], Path]]:
    paths = [str(HERE.parent / "src"), str(HERE), os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, LEADGATE_JOB_KINDS="jobs:register", LEADGATE_LANG="en",
               PYTHONPATH=os.pathsep.join(p for p in paths if p), PYTHONUNBUFFERED="1")  # fmt: skip
    started = []
    for n in range(count):
        log = logs / f"worker{n}-{uuid.uuid4().hex[:6]}.log"
        with log.open("w") as out:  # a file, not a pipe: a full pipe would stall the worker
            process = subprocess.Popen(
                [sys.executable, "-c", LEADGATE, "worker", "--db", url, "--poll", "0.05"],
                stdout=out, stderr=subprocess.STDOUT, text=True, cwd=HERE, env=env,
            )  # fmt: skip
        started.append((process, log))
    return started


def wait_ready(workers: list[tuple[subprocess.Popen[str], Path]]) -> dt.datetime:
    """When the last worker said it runs jobs."""
    for process, log in workers:
        while "runs system jobs" not in log.read_text():
            if process.poll() is not None:
                sys.exit(f"a worker stopped: {log.read_text()}")
            time.sleep(0.01)
    return dt.datetime.now(dt.UTC)


def one_round(organization: Organization, url: str, workers: int, jobs: int) -> float:
    """Jobs settled per second while ``workers`` processes were all up."""
    system = organization.system_service()
    name = f"bench {uuid.uuid4().hex[:8]}"
    for _ in range(jobs):
        system.execute(QueueJobRequest("bench.empty", name=name))
    with tempfile.TemporaryDirectory() as logs:
        started = start_workers(url, workers, Path(logs))
        try:
            ready = wait_ready(started)
            left = QueryExpression(
                "asyncoperation", criteria=FilterExpression(conditions=(
                    ConditionExpression.make("name", "eq", name),
                    ConditionExpression.make("statecode", "ne", 3),
                )), top_count=1,
            )  # fmt: skip
            while system.retrieve_multiple(left).entities:
                time.sleep(0.1)
        finally:
            for process, _log in started:
                process.terminate()
                process.wait(30)
    done = [
        job["completedon"] for job in system.retrieve_multiple_all(
            "asyncoperation", columns=["completedon"],
            criteria=FilterExpression(conditions=(ConditionExpression.make("name", "eq", name),)),
        )
    ]  # fmt: skip
    in_window = [when for when in done if when >= ready]
    seconds = (max(done) - ready).total_seconds()
    if len(in_window) < jobs // 2 or seconds <= 0:
        sys.exit(
            f"the workers took {jobs - len(in_window)} jobs before all were up: use more --jobs"
        )
    return len(in_window) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="a PostgreSQL URL (default: a throwaway local database)")
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    server = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    made = None
    url = options.db
    if url is None:
        made = f"lg_bench_jobs_{uuid.uuid4().hex[:8]}"
        with server.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{made}"')
        url = sa.make_url(SERVER).set(database=made).render_as_string(hide_password=False)
    try:
        with Organization.create(url) as organization:
            register(organization.jobs)
            rates: dict[int, list[float]] = {1: [], 2: []}
            for _ in range(options.rounds):
                for workers in (1, 2):
                    rates[workers].append(one_round(organization, url, workers, options.jobs))
        one, two = (statistics.median(rates[workers]) for workers in (1, 2))
        print(f"database: postgresql, {options.rounds} rounds of {options.jobs} empty jobs")
        print(f"1 worker process:  {one:8.1f} jobs/s")
        print(f"2 worker processes: {two:7.1f} jobs/s")
        print(f"ratio 2 / 1: {two / one:.2f}x ({os.cpu_count()} CPUs here, the server's included)")
    finally:
        if made is not None:
            with server.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{made}" WITH (FORCE)')
        server.dispose()


if __name__ == "__main__":
    main()
