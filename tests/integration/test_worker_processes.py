"""`leadgate worker` as real processes: several share a PostgreSQL database and run each job
exactly once; a worker killed with SIGKILL mid-job has its job taken over and finished with no
effect repeated; a worker stopped with SIGTERM gives its job back for another to finish.

The processes know the test job kinds as an administrator's would be known: through
LEADGATE_JOB_KINDS (tests/job_kinds.py). Each widget a job writes notes the worker that wrote
it, so that a test tells which process committed which effect.
"""

from __future__ import annotations

import collections
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from leadgate.platform.jobs import QueueJobRequest
from tests.job_kinds import register_test_kinds

ROOT = Path(__file__).resolve().parents[2]
KINDS = "tests.job_kinds:register_test_kinds"
LEADGATE = "from leadgate.cli.main import run; run()"
SUCCEEDED = re.compile(r"^job ([0-9a-f-]{36}) .* Succeeded ", re.MULTILINE)


def environment() -> dict[str, str]:
    paths = [str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    return dict(
        os.environ, LEADGATE_JOB_KINDS=KINDS, LEADGATE_LANG="en", PYTHONUNBUFFERED="1",
        PYTHONPATH=os.pathsep.join(path for path in paths if path),
    )  # fmt: skip


class WorkerProcess:
    """One ``leadgate worker`` process; ``ready()`` waits for its first line."""

    def __init__(self, url: str, *options: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", LEADGATE, "worker", "--db", url, "--poll", "0.05", *options],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
            env=environment(),
        )  # fmt: skip
        self.id = ""

    def ready(self) -> WorkerProcess:
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        found = re.match(r"Worker (\S+) runs system jobs", first)
        if found is None:
            self.process.kill()
            pytest.fail(f"the worker did not start: {first}{self.process.stdout.read()}")
        self.id = found.group(1)
        return self

    def stop(self) -> str:
        """SIGTERM (a graceful stop); what it printed after its first line."""
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=30)
        assert self.process.returncode == 0, out
        return out

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no handler runs, no transaction ends cleanly
        self.process.communicate(timeout=30)

    def wrote(self, widgets: list[dict]) -> list[str]:
        """The widgets this process's threads wrote (``worker`` or ``worker/n``)."""
        return [w["new_name"] for w in widgets if w["new_notes"].split("/")[0] == self.id]


def start(url: str, count: int, *options: str) -> list[WorkerProcess]:
    """``count`` workers started side by side, each ready."""
    workers = [WorkerProcess(url, *options) for _ in range(count)]
    return [worker.ready() for worker in workers]


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still not {what} after {seconds} s"
        time.sleep(0.05)


def jobs(url: str) -> dict[uuid.UUID, dict]:
    """Every job's row, read with SQL: the test's view of the queue, as an operator's."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.exec_driver_sql(
                "SELECT asyncoperationid, statecode, statuscode, hostid, checkpoint, retrycount "
                "FROM asyncoperation"
            ).mappings()
            return {uuid.UUID(str(row["asyncoperationid"])): dict(row) for row in found}
    finally:
        engine.dispose()


def widgets(system) -> list[dict]:
    return [
        {"new_name": w["new_name"], "new_notes": w["new_notes"]}
        for w in system.retrieve_multiple_all("new_widget", columns=["new_name", "new_notes"])
    ]


def queue(org, codes: list[str], pause: float = 0) -> uuid.UUID:
    register_test_kinds(org.jobs)
    data = {"codes": codes, "pause": pause}
    return org.system_service().execute(QueueJobRequest("test.write_widgets", data)).id


def running(url: str, job_id: uuid.UUID, worker: WorkerProcess, checkpoint: int) -> bool:
    job = jobs(url)[job_id]
    return (
        job["statuscode"] == 20
        and (job["hostid"] or "").split("/")[0] == worker.id
        and int(job["checkpoint"] or 0) >= checkpoint
    )


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite: one worker
def test_three_worker_processes_run_sixty_jobs_each_exactly_once(database_url, org, system):
    workers = start(database_url, 3)
    expected = {
        queue(org, [f"j{n:02}a", f"j{n:02}b"], pause=0.01): [f"j{n:02}a", f"j{n:02}b"]
        for n in range(60)
    }
    wait_until(
        lambda: all(job["statecode"] == 3 for job in jobs(database_url).values()), "all done"
    )
    logs = [worker.stop() for worker in workers]

    done = jobs(database_url)
    assert {(job["statuscode"], job["retrycount"]) for job in done.values()} == {(30, 0)}
    written = widgets(system)
    assert sorted(w["new_name"] for w in written) == sorted(
        c for cs in expected.values() for c in cs
    )
    ran = [[uuid.UUID(found) for found in SUCCEEDED.findall(log)] for log in logs]
    assert not any("taken over" in log for log in logs)  # no handler started on a job twice
    assert collections.Counter(j for each in ran for j in each) == dict.fromkeys(expected, 1)
    assert sum(1 for each in ran if each) >= 2, [len(each) for each in ran]  # shared out
    for worker, each in zip(workers, ran, strict=True):  # who logged a job wrote its widgets
        assert sorted(worker.wrote(written)) == sorted(c for j in each for c in expected[j])


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_worker_killed_mid_job_has_its_job_taken_over_with_nothing_repeated(
    database_url, org, system
):
    codes = [f"k{n:02}" for n in range(40)]
    workers = start(database_url, 2, "--lease", "2")  # renewed every 0.67 s while running
    job_id = queue(org, codes, pause=0.05)
    wait_until(lambda: jobs(database_url)[job_id]["statuscode"] == 20, "claimed")
    holder = (jobs(database_url)[job_id]["hostid"] or "").split("/")[0]
    (killed,) = [worker for worker in workers if worker.id == holder]
    (survivor,) = [worker for worker in workers if worker is not killed]
    wait_until(lambda: running(database_url, job_id, killed, 3), "three widgets in")
    killed.kill()
    wait_until(lambda: jobs(database_url)[job_id]["statecode"] == 3, "done", seconds=20)
    log = survivor.stop()

    done = jobs(database_url)[job_id]
    assert (done["statuscode"], done["checkpoint"], done["hostid"]) == (30, "40", None)
    assert done["retrycount"] == 1  # the takeover counts as a try
    assert [uuid.UUID(found) for found in SUCCEEDED.findall(log)] == [job_id]
    written = widgets(system)
    assert sorted(w["new_name"] for w in written) == codes  # each once: none lost, none twice
    before, after = killed.wrote(written), survivor.wrote(written)
    assert 3 <= len(before) < len(codes) and sorted(before + after) == codes
    # The killed worker wrote the first ones; the survivor went on from its checkpoint.
    assert sorted(before) == codes[: len(before)] and "taken over" not in log


@pytest.mark.slow
def test_a_stopped_worker_gives_its_job_back_and_worker_once_finishes_it(database_url, org, system):
    """On SQLite too: one worker at a time, then `leadgate worker --once`."""
    codes = [f"s{n:02}" for n in range(40)]
    (stopped,) = start(database_url, 1, "--grace", "0.1")
    job_id = queue(org, codes, pause=0.05)
    wait_until(lambda: running(database_url, job_id, stopped, 3), "three widgets in")
    log = stopped.stop()
    assert f"job {job_id}: given back to the queue" in log
    given_back = jobs(database_url)[job_id]
    assert (given_back["statecode"], given_back["statuscode"], given_back["hostid"]) == (0, 0, None)
    checkpoint = int(given_back["checkpoint"])
    assert 3 <= checkpoint < len(codes) and given_back["retrycount"] == 0  # no retry spent

    once = subprocess.run(
        [sys.executable, "-c", LEADGATE, "worker", "--once", "--db", database_url],
        capture_output=True, text=True, cwd=ROOT, env=environment(), timeout=60,
    )  # fmt: skip
    assert once.returncode == 0, once.stdout + once.stderr
    assert [uuid.UUID(found) for found in SUCCEEDED.findall(once.stdout)] == [job_id]
    done = jobs(database_url)[job_id]
    assert (done["statuscode"], done["checkpoint"], done["retrycount"]) == (30, str(len(codes)), 0)
    written = widgets(system)
    assert sorted(w["new_name"] for w in written) == codes
    assert sorted(stopped.wrote(written)) == codes[:checkpoint]


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_worker_outlives_its_database_connections(database_url, org, postgres_admin):
    """The server ends every connection (a restart, a failover): the worker reconnects and
    runs the next job instead of exiting or stopping to claim."""
    (worker,) = start(database_url, 1)
    first = queue(org, ["before"])
    wait_until(lambda: jobs(database_url)[first]["statuscode"] == 30, "first done")
    name = sa.make_url(database_url).database
    with postgres_admin.connect() as connection:
        ended = connection.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"),
            {"name": name},
        ).all()  # fmt: skip
    assert ended  # the worker's own connections among them
    second = queue(org, ["after"])
    wait_until(lambda: jobs(database_url)[second]["statuscode"] == 30, "second done")
    log = worker.stop()
    assert [uuid.UUID(found) for found in SUCCEEDED.findall(log)] == [first, second]
