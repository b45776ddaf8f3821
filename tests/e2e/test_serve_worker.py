"""`leadgate serve` runs queued system jobs itself on SQLite (its embedded worker), and the
jobs are read through the generic entity set, asyncoperations."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from leadgate.platform import Organization
from leadgate.platform.jobs import QueueJobRequest
from tests.conftest import ADMIN_EMAIL
from tests.e2e.test_serve import free_port, get_when_ready, stop, token_from
from tests.job_kinds import register_test_kinds

ROOT = Path(__file__).resolve().parents[2]
# The server process knows the test job kinds, as a solution's would be known.
WITH_TEST_KINDS = (
    "import tests.job_kinds as k; k.install(); from leadgate.cli.main import run; run()"
)


@pytest.mark.interface_only
@pytest.mark.slow
def test_serve_runs_a_queued_job_with_its_embedded_worker(database_url):
    with Organization.open(database_url) as organization:
        register_test_kinds(organization.jobs)
        job_id = (
            organization.service(ADMIN_EMAIL)
            .execute(QueueJobRequest("test.write_widgets", {"codes": ["served"]}, name="Served"))
            .id
        )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", WITH_TEST_KINDS, "serve", "--db", database_url,
         "--port", str(port), "--issue-token", ADMIN_EMAIL],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        token = token_from(process)
        url = f"http://127.0.0.1:{port}/api/data/v9.2/asyncoperations({job_id})"
        response = get_when_ready(url, token)
        deadline = time.monotonic() + 30
        while response.json().get("statuscode") != 30 and time.monotonic() < deadline:
            time.sleep(0.2)
            response = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        job = response.json()
        assert (job["statecode"], job["statuscode"], job["progress"]) == (3, 30, 100)
        listed = httpx.get(
            f"http://127.0.0.1:{port}/api/data/v9.2/asyncoperations?$select=name,statuscode",
            headers={"Authorization": f"Bearer {token}"},
        ).json()["value"]
        assert [(j["name"], j["statuscode"]) for j in listed] == [("Served", 30)]
    finally:
        stop(process)
    with Organization.open(database_url) as organization:
        widgets = organization.system_service().retrieve_multiple_all("new_widget")
        assert [w["new_name"] for w in widgets] == ["served"]


def start_worker(database_url: str, *extra: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WITH_TEST_KINDS, "worker", "--db", database_url, "--poll", "0.1",
         *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
    )  # fmt: skip
    assert process.stdout is not None
    assert "runs system jobs" in process.stdout.readline()
    return process


def queue(database_url: str, kind: str, data: dict) -> object:
    with Organization.open(database_url) as organization:
        register_test_kinds(organization.jobs)
        return organization.system_service().execute(QueueJobRequest(kind, data)).id


def job_status(database_url: str, job_id) -> tuple[int, int]:
    with Organization.open(database_url) as organization:
        job = organization.system_service().retrieve("asyncoperation", job_id)
        return job["statecode"], job["statuscode"]


def wait_for(database_url: str, job_id, status: tuple[int, int]) -> None:
    deadline = time.monotonic() + 30
    while job_status(database_url, job_id) != status:
        assert time.monotonic() < deadline, job_status(database_url, job_id)
        time.sleep(0.1)


@pytest.mark.slow
def test_a_stopped_worker_finishes_its_job_within_the_grace_period(database_url):
    job_id = queue(database_url, "test.wait", {"seconds": 1})
    process = start_worker(database_url, "--grace", "20")
    try:
        wait_for(database_url, job_id, (2, 20))  # In Progress
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0
    assert job_status(database_url, job_id) == (3, 30)
    assert f"job {job_id} 'test.wait' Succeeded" in out


@pytest.mark.slow
def test_a_stopped_worker_gives_back_a_job_that_outlasts_the_grace_period(database_url):
    job_id = queue(database_url, "test.wait", {"seconds": 60})
    process = start_worker(database_url, "--grace", "0.2")
    try:
        wait_for(database_url, job_id, (2, 20))
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0
    assert job_status(database_url, job_id) == (0, 0)  # Ready, for another worker
    assert f"job {job_id}: given back to the queue" in out
