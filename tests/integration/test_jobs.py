"""System jobs on both databases: queued, claimed, run as their owner, settled once."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from leadgate.platform import Entity, EntityReference, LeadgateError
from leadgate.platform.engine import errors as engine_errors
from leadgate.platform.engine.types import Language
from leadgate.platform.jobs import (
    CancelJobRequest,
    JobContext,
    JobStatus,
    QueueJobRequest,
    RetryJobRequest,
    TransientJobError,
    Worker,
    claim_next,
    run_job,
    run_next,
)
from leadgate.platform.jobs import errors as job_errors
from leadgate.platform.jobs.lease import ClaimJobRequest
from tests.conftest import add_user
from tests.job_kinds import register_test_kinds, widget

WORKER = "test-worker"


@pytest.fixture
def kinds(org):
    register_test_kinds(org.jobs)
    return org.jobs


def job(system, job_id) -> Entity:
    return system.retrieve("asyncoperation", job_id)


def widget_codes(system) -> list[str]:
    return sorted(
        w["new_code"] for w in system.retrieve_multiple_all("new_widget", columns=["new_code"])
    )


def test_a_queued_job_runs_as_its_owner_and_succeeds(org, system, admin, kinds):
    seen = []

    def handler(context: JobContext) -> None:
        seen.append((context.data, context.service.user_id, context.regarding))
        context.progress(1, 2)

    kinds.register("test.look", handler)
    widget_id = system.create("new_widget", new_name="w", new_size="S")
    regarding = EntityReference("new_widget", widget_id)
    job_id = admin.execute(QueueJobRequest("test.look", {"n": 1}, regarding, name="Look")).id
    queued = job(system, job_id)
    assert (queued["statecode"], queued["statuscode"], queued["ownerid"].id) == (
        0,
        0,
        admin.user_id,
    )
    outcome = run_next(org, WORKER)
    assert outcome is not None and outcome.status is JobStatus.SUCCEEDED
    assert seen == [({"n": 1}, admin.user_id, regarding)]
    done = job(system, job_id)
    assert (done["statecode"], done["statuscode"], done["progress"]) == (3, 30, 100)
    assert done["startedon"] <= done["completedon"] and done["hostid"] is None
    assert run_next(org, WORKER) is None


def test_an_unknown_kind_is_refused_when_queued(admin):
    with pytest.raises(LeadgateError) as refused:
        admin.execute(QueueJobRequest("no.such.kind"))
    assert refused.value.kind is job_errors.JOB_KIND_UNKNOWN
    assert "no.such.kind" in refused.value.message(Language.FRENCH)


def test_a_refusal_fails_the_job_with_its_coded_message(org, system, admin, kinds):
    def handler(context: JobContext) -> None:
        context.service.update(Entity("new_widget", context.regarding.id, new_count=5000))

    kinds.register("test.refused", handler)
    widget_id = system.create("new_widget", new_name="w", new_size="S")
    reference = Entity("new_widget", widget_id).to_reference()
    job_id = admin.execute(QueueJobRequest("test.refused", regarding=reference)).id
    outcome = run_next(org, WORKER)
    assert outcome.status is JobStatus.FAILED and outcome.error is not None
    failed = job(system, job_id)
    assert (failed["statecode"], failed["statuscode"]) == (3, 31)
    assert failed["errorcode"] == outcome.error.code
    assert failed["message"] == outcome.error.message(Language.ENGLISH)
    assert failed["message_fr"] == outcome.error.message(Language.FRENCH)
    assert failed["message"] != failed["message_fr"]


def test_a_bug_in_a_handler_fails_the_job_and_names_the_exception(org, system, kinds):
    def handler(_context: JobContext) -> None:
        raise ZeroDivisionError("oops")

    kinds.register("test.bug", handler)
    job_id = system.execute(QueueJobRequest("test.bug")).id
    run_next(org, WORKER)
    failed = job(system, job_id)
    assert failed["errorcode"] == job_errors.JOB_HANDLER_FAILED.code
    assert "ZeroDivisionError: oops" in failed["message"]
    assert failed["message_fr"].startswith("Le gestionnaire")


def _due_now(system, job_id) -> None:
    system.update(
        Entity(
            "asyncoperation",
            job_id,
            postponeuntil=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1),
        )
    )


def test_a_passing_failure_is_retried_later_then_succeeds(org, system, kinds):
    tries = []

    def handler(context: JobContext) -> None:
        tries.append(context.retry_count)
        if len(tries) == 1:
            raise TransientJobError("the remote service is down")
        if len(tries) == 2:
            raise engine_errors.DATABASE_BUSY()

    kinds.register("test.flaky", handler)
    job_id = system.execute(QueueJobRequest("test.flaky")).id
    before = dt.datetime.now(dt.UTC)
    assert run_next(org, WORKER).status is JobStatus.WAITING
    waiting = job(system, job_id)
    assert (waiting["statecode"], waiting["statuscode"], waiting["retrycount"]) == (1, 10, 1)
    assert waiting["postponeuntil"] >= before + dt.timedelta(seconds=9)
    assert "the remote service is down" in waiting["message"]
    assert run_next(org, WORKER) is None  # not before its time
    _due_now(system, job_id)
    assert run_next(org, WORKER).status is JobStatus.WAITING
    assert job(system, job_id)["retrycount"] == 2
    _due_now(system, job_id)
    assert run_next(org, WORKER).status is JobStatus.SUCCEEDED
    done = job(system, job_id)
    assert (done["statuscode"], done["retrycount"], done["message"]) == (30, 2, None)
    assert tries == [0, 1, 2]


def test_passing_failures_past_the_limit_fail_the_job(org, system, kinds):
    def handler(_context: JobContext) -> None:
        raise engine_errors.DATABASE_UNAVAILABLE(detail="gone")

    kinds.register("test.down", handler)
    job_id = system.execute(QueueJobRequest("test.down")).id
    claimed = claim_next(org, WORKER)
    outcome = run_job(org, claimed, WORKER, max_retries=0)
    assert outcome.status is JobStatus.FAILED
    failed = job(system, job_id)
    assert failed["errorcode"] == job_errors.JOB_RETRIES_EXHAUSTED.code
    assert failed["message"] == (
        "The job was tried 1 times and failed each time on a passing error: "
        "The database cannot be reached: gone"
    )
    assert failed["message_fr"] == (
        "La tâche a été essayée 1 fois et a échoué chaque fois sur une erreur passagère : "
        "La base de données est inaccessible : gone"
    )


def test_cancel_a_waiting_job_then_retry_it(org, system, admin, kinds):
    job_id = admin.execute(QueueJobRequest("test.write_widgets", {"codes": ["a"]})).id
    assert admin.execute(CancelJobRequest(job_id)).status is JobStatus.CANCELED
    canceled = job(system, job_id)
    assert (canceled["statecode"], canceled["statuscode"]) == (3, 32)
    assert canceled["errorcode"] == job_errors.JOB_CANCELED.code
    assert run_next(org, WORKER) is None
    with pytest.raises(LeadgateError) as refused:
        admin.execute(CancelJobRequest(job_id))
    assert refused.value.kind is job_errors.JOB_NOT_CANCELABLE
    assert "Annulé" in refused.value.message(Language.FRENCH)
    admin.execute(RetryJobRequest(job_id))
    assert run_next(org, WORKER).status is JobStatus.SUCCEEDED
    assert widget_codes(system) == ["a"]
    with pytest.raises(LeadgateError) as again:
        admin.execute(RetryJobRequest(job_id))
    assert again.value.kind is job_errors.JOB_NOT_RETRYABLE


def test_a_running_job_stops_at_its_next_report_once_canceled(org, system, admin, kinds):
    def handler(context: JobContext) -> None:
        context.checkpoint(1, widget("first"))
        admin.execute(CancelJobRequest(context.job_id))  # someone cancels it meanwhile
        context.checkpoint(2, widget("second"))  # never committed

    kinds.register("test.canceled", handler)
    job_id = admin.execute(QueueJobRequest("test.canceled")).id
    outcome = run_next(org, WORKER)
    assert outcome.status is JobStatus.CANCELED
    canceled = job(system, job_id)
    assert (canceled["statecode"], canceled["statuscode"], canceled["checkpoint"]) == (3, 32, "1")
    assert widget_codes(system) == ["first"]


def test_a_job_resumes_from_its_checkpoint_without_repeating_its_effects(org, system, kinds):
    failures = []

    def handler(context: JobContext) -> None:
        codes = context.data["codes"]
        for index in range(context.resume_from or 0, len(codes)):
            if index == 3 and not failures:
                failures.append(index)
                raise RuntimeError("killed")  # as a worker killed after checkpoint 3
            context.checkpoint(index + 1, widget(codes[index]))

    kinds.register("test.resume", handler)
    codes = [f"w{i}" for i in range(6)]
    job_id = system.execute(QueueJobRequest("test.resume", {"codes": codes})).id
    assert run_next(org, WORKER).status is JobStatus.FAILED
    assert job(system, job_id)["checkpoint"] == "3"
    assert widget_codes(system) == codes[:3]
    system.execute(RetryJobRequest(job_id))
    assert run_next(org, WORKER).status is JobStatus.SUCCEEDED
    assert widget_codes(system) == codes


def test_a_job_whose_lease_ended_is_taken_over(org, system, kinds):
    codes = ["x1", "x2", "x3"]
    job_id = system.execute(QueueJobRequest("test.write_widgets", {"codes": codes})).id
    dead = claim_next(org, "dead-worker", dt.timedelta(seconds=-1))  # its lease already over
    assert dead is not None and dead.id == job_id
    assert claim_next(org, "other", dt.timedelta(minutes=5)) is not None  # taken over
    lost = run_job(org, dead, "dead-worker")  # the first worker wakes up: it holds nothing
    assert lost.status is None and lost.error.kind is job_errors.JOB_LEASE_LOST
    assert widget_codes(system) == []
    taken = job(system, job_id)
    assert (taken["statuscode"], taken["hostid"]) == (20, "other")
    assert run_job(org, taken, "other").status is JobStatus.SUCCEEDED
    assert widget_codes(system) == sorted(codes)


def test_a_running_job_is_not_claimed_twice(org, system, kinds):
    system.execute(QueueJobRequest("test.write_widgets", {"codes": ["a"]}))
    assert claim_next(org, "one") is not None
    assert claim_next(org, "two") is None


def test_users_read_cancel_and_retry_their_own_jobs_only(org, system, kinds):
    ann = org.service(add_user(system, "ann@test.example", role="Salesperson"))
    bob = org.service(add_user(system, "bob@test.example", role="Salesperson"))
    job_id = ann.execute(QueueJobRequest("test.write_widgets", {"codes": []})).id
    assert ann.retrieve("asyncoperation", job_id)["ownerid"].id == ann.user_id
    assert [j.id for j in ann.retrieve_multiple_all("asyncoperation")] == [job_id]
    assert bob.retrieve_multiple_all("asyncoperation") == []
    for attempt in (lambda: bob.retrieve("asyncoperation", job_id),
                    lambda: bob.execute(CancelJobRequest(job_id))):  # fmt: skip
        with pytest.raises(LeadgateError) as refused:
            attempt()
        assert refused.value.kind in (
            engine_errors.RECORD_ACCESS_DENIED,
            engine_errors.PRIVILEGE_DENIED,
        )
    assert ann.execute(CancelJobRequest(job_id)).status is JobStatus.CANCELED
    ann.execute(RetryJobRequest(job_id))
    with pytest.raises(LeadgateError) as not_a_worker:  # claiming is for workers
        ann.execute(ClaimJobRequest("ann", dt.timedelta(minutes=1)))
    assert not_a_worker.value.kind is engine_errors.PRIVILEGE_DENIED


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite: one worker
def test_workers_share_fifty_jobs_and_run_each_exactly_once(org, system, kinds):
    runs = []
    lock = threading.Lock()

    def handler(context: JobContext) -> None:
        with lock:
            runs.append(context.job_id)
        context.checkpoint(1, widget(context.data["code"]))

    kinds.register("test.once", handler)
    ids = {system.execute(QueueJobRequest("test.once", {"code": f"j{i:02}"})).id
           for i in range(50)}  # fmt: skip
    workers = [Worker(org, concurrency=2, poll=0.05, on_job=lambda _o: None) for _ in range(2)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = [j for j in system.retrieve_multiple_all("asyncoperation", columns=["statecode"])
                if j.id in ids and j["statecode"] == 3]  # fmt: skip
        if len(done) == 50:
            break
        time.sleep(0.1)
    for worker in workers:
        worker.stop()
    assert all(worker.join(10) for worker in workers)
    assert sorted(runs) == sorted(ids)
    assert widget_codes(system) == [f"j{i:02}" for i in range(50)]
    statuses = {j["statuscode"] for j in system.retrieve_multiple_all("asyncoperation")}
    assert statuses == {30}
