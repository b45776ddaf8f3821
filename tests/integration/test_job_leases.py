"""Claims and leases on both databases: what a worker takes first, a lease kept alive while a
job runs, a job whose workers keep dying, the claim's index, and administrators' job kinds."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import sqlalchemy as sa

from leadgate.platform import Entity, LeadgateError, Organization
from leadgate.platform.customization.solutions import load_solution, parse_solution
from leadgate.platform.engine import errors as engine_errors
from leadgate.platform.engine.types import Language
from leadgate.platform.jobs import (
    JobContext,
    JobStatus,
    QueueJobRequest,
    TransientJobError,
    claim_next,
    run_job,
)
from leadgate.platform.jobs import errors as job_errors
from leadgate.platform.jobs.lease import ClaimJobRequest, SettleJobRequest
from tests.job_kinds import register_test_kinds

CLAIM_INDEX = "ix_asyncoperation_statecode_createdon_asyncoperationid"
EXPIRED = dt.timedelta(seconds=-1)  # a lease already over: the worker "died" at once


@pytest.fixture
def kinds(org):
    register_test_kinds(org.jobs)
    return org.jobs


# What the platform ships now: the index came with version 7, whatever came after it.
PLATFORM_VERSION = load_solution("leadgate.platform", "system.toml").version


def queue(system, name: str) -> object:
    return system.execute(QueueJobRequest("test.write_widgets", {"codes": []}, name=name)).id


def test_a_worker_takes_abandoned_jobs_and_due_retries_before_queued_ones_oldest_first(
    org, system, kinds
):
    def flaky(context: JobContext) -> None:
        if context.retry_count == 0:
            raise TransientJobError("not yet")

    kinds.register("test.flaky", flaky)
    retry = system.execute(QueueJobRequest("test.flaky")).id
    queued, abandoned = queue(system, "queued"), queue(system, "abandoned")
    assert run_job(org, claim_next(org, "w"), "w").status is JobStatus.WAITING  # retry: oldest
    assert claim_next(org, "stopping").id == queued
    assert claim_next(org, "dead", EXPIRED).id == abandoned  # the retry is not due yet
    given_back = SettleJobRequest(queued, "stopping", JobStatus.WAITING_FOR_RESOURCES, release=True)
    assert system.execute(given_back).settled  # queued again, older than the abandoned one
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    system.update(Entity("asyncoperation", retry, postponeuntil=past))
    assert [claim_next(org, "w").id for _ in range(3)] == [retry, abandoned, queued]
    assert claim_next(org, "w") is None


def test_a_job_taken_over_counts_a_try_and_fails_once_its_workers_died_too_often(
    org, system, kinds
):
    job_id = queue(system, "deadly")
    for tries in range(3):
        claimed = org.system_service().execute(ClaimJobRequest(f"w{tries}", EXPIRED, 2)).job
        assert claimed.id == job_id and claimed["retrycount"] == tries
    assert org.system_service().execute(ClaimJobRequest("w3", EXPIRED, 2)).job is None
    failed = system.retrieve("asyncoperation", job_id)
    assert (failed["statecode"], failed["statuscode"], failed["retrycount"]) == (3, 31, 3)
    assert failed["errorcode"] == job_errors.JOB_ABANDONED.code == "0x8F4C47F9"
    assert failed["message"].startswith("The system job was taken over 3 times from a worker")
    assert failed["message_fr"].startswith("La tâche système a été reprise 3 fois")


def test_a_running_job_keeps_its_lease_through_a_long_step(org, system, kinds):
    lease = dt.timedelta(seconds=0.45)
    seen = []

    def long_step(context: JobContext) -> None:
        time.sleep(1.0)  # more than two leases without a report
        seen.append(claim_next(org, "another worker", lease))  # still held: nothing to take

    kinds.register("test.long", long_step)
    job_id = system.execute(QueueJobRequest("test.long")).id
    claimed = claim_next(org, "keeper", lease)
    assert run_job(org, claimed, "keeper", lease).status is JobStatus.SUCCEEDED
    assert seen == [None]
    done = system.retrieve("asyncoperation", job_id)
    assert (done["statuscode"], done["retrycount"]) == (30, 0)


def test_the_claim_index_is_there(org):
    with org.engine.connect() as connection:
        found = {
            index["name"]: tuple(index["column_names"])
            for index in sa.inspect(connection).get_indexes("asyncoperation")
        }
    assert found[CLAIM_INDEX] == ("statecode", "createdon", "asyncoperationid")


def test_an_upgraded_database_gains_the_claim_index(database_url):
    """A database platform version 6 made (no such index): the upgrade to 7 creates it."""
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP INDEX {CLAIM_INDEX}")
            connection.exec_driver_sql(
                "UPDATE lg_solution SET version = 6 WHERE name = 'leadgate_platform'"
            )
            connection.exec_driver_sql(
                'UPDATE lg_meta_table SET properties = \'{"schema_name": "AsyncOperation"}\' '
                "WHERE name = 'asyncoperation'"
            )
    finally:
        engine.dispose()
    with pytest.raises(LeadgateError) as needed:
        Organization.open(database_url)
    assert needed.value.kind is engine_errors.UPGRADE_NEEDED
    plan = Organization.upgrade(database_url)
    assert [(s.name, s.installed, s.shipped) for s in plan.solutions] == [
        ("leadgate_platform", 6, PLATFORM_VERSION)
    ]
    with Organization.open(database_url) as organization, organization.engine.connect() as db:
        names = {index["name"] for index in sa.inspect(db).get_indexes("asyncoperation")}
        assert CLAIM_INDEX in names
        table = organization.metadata().table("asyncoperation")
        assert table.indexes == (("statecode", "createdon", "asyncoperationid"),)


@pytest.mark.interface_only
def test_a_solution_index_must_name_columns_of_its_table():
    document = {
        "solution": {"name": "new_things", "version": 1},
        "tables": {"new_thing": {"columns": {}, "indexes": [["statecode", "new_nothing"]]}},
    }
    with pytest.raises(LeadgateError) as refused:
        parse_solution(document, custom=True)
    assert refused.value.kind is engine_errors.INVALID_DEFINITION
    assert "new_nothing" in refused.value.message(Language.ENGLISH)


KINDS = """\
from leadgate.platform.jobs import JobRegistry

def count(context):
    context.progress(1, 1)

def register(registry: JobRegistry) -> None:
    registry.register("admin.count", count)

def broken(registry: JobRegistry) -> None:
    raise RuntimeError("the licence server is down")
"""


def test_administrators_job_kinds_come_from_the_plug_ins_folder(
    database_url, tmp_path, monkeypatch
):
    (tmp_path / "lg_admin_kinds.py").write_text(KINDS, encoding="utf-8")
    monkeypatch.setenv("LEADGATE_JOB_KINDS", "lg_admin_kinds:register")
    with Organization.open(database_url, plugins=tmp_path) as organization:
        assert "admin.count" in organization.jobs.names()
        system = organization.system_service()
        job_id = system.execute(QueueJobRequest("admin.count")).id
        claimed = claim_next(organization, "w")
        assert run_job(organization, claimed, "w").status is JobStatus.SUCCEEDED
        assert system.retrieve("asyncoperation", job_id)["statuscode"] == 30


@pytest.mark.interface_only
@pytest.mark.parametrize(
    ("named", "reason_en"),
    [
        ("lg_admin_kinds2:missing", "lg_admin_kinds2 has no attribute 'missing'."),
        ("lg_admin_kinds2:broken", "RuntimeError: the licence server is down."),
        ("lg_no_such_module:register", "ModuleNotFoundError: No module named"),
    ],
)
def test_job_kinds_that_cannot_be_registered_are_refused_with_a_coded_error(
    database_url, tmp_path, monkeypatch, run, named, reason_en
):
    (tmp_path / "lg_admin_kinds2.py").write_text(KINDS, encoding="utf-8")
    monkeypatch.setenv("LEADGATE_JOB_KINDS", f"tests.job_kinds:register_test_kinds, {named}")
    with pytest.raises(LeadgateError) as refused:
        Organization.open(database_url, plugins=tmp_path)
    error = refused.value
    assert error.kind is job_errors.JOB_KINDS_NOT_LOADABLE and error.code == "0x8F4C47F8"
    english, french = error.message(Language.ENGLISH), error.message(Language.FRENCH)
    assert english.startswith(f"The job kinds {named} named in LEADGATE_JOB_KINDS cannot be ")
    assert reason_en in english and str(tmp_path) in english
    assert french.startswith(f"Les types de tâches {named} nommés dans LEADGATE_JOB_KINDS ")
    code, out, err = run("worker", "--once", "--db", database_url, "--plugins", str(tmp_path))
    assert (code, out) == (1, "") and err.startswith("error 0x8F4C47F8: The job kinds")
