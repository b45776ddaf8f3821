"""Running jobs: claim one, run its handler as its owner, settle the outcome.

Outcomes: success -> Succeeded; a LeadgateError -> Failed with its coded message; a passing
failure (the database busy or unreachable, or TransientJobError) -> Waiting until
now + backoff, up to ``max_retries``, then Failed; canceled -> Canceled; any other exception
-> Failed (JOB_HANDLER_FAILED). A worker that loses its lease drops the job silently.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leadgate.platform.engine import errors as engine_errors
from leadgate.platform.engine.entity import Entity
from leadgate.platform.jobs import errors
from leadgate.platform.jobs.lease import ClaimJobRequest, SettleJobRequest
from leadgate.platform.jobs.registry import JobCanceled, JobContext, TransientJobError
from leadgate.platform.jobs.states import JobStatus

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = [
    "DEFAULT_LEASE",
    "MAX_RETRIES",
    "JobOutcome",
    "Worker",
    "backoff",
    "claim_next",
    "new_worker_id",
    "run_job",
    "run_next",
]

log = logging.getLogger("leadgate.jobs")

DEFAULT_LEASE = dt.timedelta(minutes=5)
MAX_RETRIES = 5
BACKOFF_BASE = dt.timedelta(seconds=10)
BACKOFF_CAP = dt.timedelta(minutes=30)
_TRANSIENT = (engine_errors.DATABASE_BUSY, engine_errors.DATABASE_UNAVAILABLE)


def backoff(
    retry: int, *, base: dt.timedelta = BACKOFF_BASE, cap: dt.timedelta = BACKOFF_CAP
) -> dt.timedelta:
    """The wait before try number ``retry`` + 1 (``retry`` >= 1): base, 2×, 4×… capped."""
    exponent = max(0, retry - 1)
    if exponent >= 40:  # 2**40 × any base is past any cap
        return cap
    return min(cap, base * (2**exponent))


def new_worker_id() -> str:
    """host:pid:random — unique per worker, readable in listings."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim_next(
    organization: Organization,
    worker_id: str,
    lease: dt.timedelta = DEFAULT_LEASE,
    *,
    job_ids: tuple[uuid.UUID, ...] = (),
) -> Entity | None:
    """Take the oldest ready job (or one whose lease ended) and lease it to ``worker_id``;
    None when there is none. ``job_ids``: only one of these. Safe to call from any number of
    workers at once."""
    request = ClaimJobRequest(worker_id, lease, tuple(job_ids))
    return organization.system_service().execute(request).job


@dataclass(frozen=True)
class JobOutcome:
    job_id: uuid.UUID
    name: str
    status: JobStatus | None  # None: the lease was lost, another worker has the job
    error: engine_errors.LeadgateError | None
    seconds: float


def run_job(
    organization: Organization,
    job: Entity,
    worker_id: str,
    lease: dt.timedelta = DEFAULT_LEASE,
    *,
    max_retries: int = MAX_RETRIES,
) -> JobOutcome:
    """Run a job this worker claimed, and settle it."""
    assert job.id is not None
    started = time.monotonic()
    error: engine_errors.LeadgateError | None = None
    retry_count: int | None = None
    postpone: dt.datetime | None = None
    try:
        kind = organization.jobs.get(job["kind"])
        kind.handler(JobContext(organization, job, worker_id, lease))
        status = JobStatus.SUCCEEDED
    except JobCanceled:
        status, error = JobStatus.CANCELED, errors.JOB_CANCELED()
    except engine_errors.LeadgateError as failure:
        if failure.kind is errors.JOB_LEASE_LOST:
            return JobOutcome(job.id, job["name"], None, failure, time.monotonic() - started)
        error = failure
        status = JobStatus.WAITING if failure.kind in _TRANSIENT else JobStatus.FAILED
    except TransientJobError as failure:
        status = JobStatus.WAITING
        error = errors.JOB_HANDLER_FAILED(exception=f"{type(failure).__name__}: {failure}")
    except Exception as failure:  # a handler's bug: shown on the job, the worker goes on
        log.exception("job %s (%s) failed", job.id, job["kind"])
        status = JobStatus.FAILED
        error = errors.JOB_HANDLER_FAILED(exception=f"{type(failure).__name__}: {failure}")
    if status is JobStatus.WAITING:
        retry_count = (job.get("retrycount") or 0) + 1
        if retry_count > max_retries:
            assert error is not None
            status = JobStatus.FAILED
            error = errors.JOB_RETRIES_EXHAUSTED(count=retry_count, detail=error.message())
        else:
            postpone = dt.datetime.now(dt.UTC) + backoff(retry_count)
    settled = organization.system_service().execute(
        SettleJobRequest(job.id, worker_id, status, error, postpone, retry_count)
    )
    return JobOutcome(
        job.id, job["name"], status if settled.settled else None, error,
        time.monotonic() - started,
    )  # fmt: skip


def run_next(
    organization: Organization,
    worker_id: str,
    lease: dt.timedelta = DEFAULT_LEASE,
    *,
    job_ids: tuple[uuid.UUID, ...] = (),
) -> JobOutcome | None:
    """Claim and run one job (one of ``job_ids`` if given); None when none is ready."""
    job = claim_next(organization, worker_id, lease, job_ids=job_ids)
    return run_job(organization, job, worker_id, lease) if job is not None else None


class Worker:
    """Claims and runs jobs on ``concurrency`` threads until stopped.

    ``stop()`` asks for a graceful stop: each thread finishes its current job; a job still
    running after ``grace`` seconds is given back (its lease released) when the thread ends.
    ``job_ids`` limits it to those jobs (a command running the jobs it queued).
    """

    def __init__(
        self,
        organization: Organization,
        *,
        concurrency: int = 1,
        poll: float = 2.0,
        lease: dt.timedelta = DEFAULT_LEASE,
        worker_id: str | None = None,
        on_job: Callable[[JobOutcome], None] | None = None,
        job_ids: tuple[uuid.UUID, ...] = (),
    ) -> None:
        self.organization = organization
        self.concurrency = max(1, concurrency)
        self.poll = poll
        self.lease = lease
        self.worker_id = worker_id or new_worker_id()
        self.on_job = on_job or _log_outcome
        self.job_ids = tuple(job_ids)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._running: dict[int, uuid.UUID] = {}  # thread index -> the job it runs

    def run_once(self) -> list[JobOutcome]:
        """Run every job ready now (one thread), then return what ran."""
        done: list[JobOutcome] = []
        while not self._stop.is_set():
            outcome = run_next(
                self.organization, self._thread_id(0), self.lease, job_ids=self.job_ids
            )
            if outcome is None:
                break
            self.on_job(outcome)
            done.append(outcome)
        return done

    def start(self) -> None:
        for index in range(self.concurrency):
            thread = threading.Thread(
                target=self._loop, args=(index,), name=f"leadgate-worker-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def join(self, grace: float | None = None) -> bool:
        """Wait for the threads (at most ``grace`` seconds); True if all ended."""
        deadline = None if grace is None else time.monotonic() + grace
        for thread in self._threads:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(left)
        return not any(thread.is_alive() for thread in self._threads)

    def release_running(self) -> list[uuid.UUID]:
        """Give back the jobs still running (after the grace period): another worker may
        claim them at once, and what their handlers report from now on is refused."""
        released = []
        for index, job_id in list(self._running.items()):
            request = SettleJobRequest(
                job_id, self._thread_id(index), JobStatus.WAITING_FOR_RESOURCES, release=True
            )
            if self.organization.system_service().execute(request).settled:
                released.append(job_id)
        return released

    def _thread_id(self, index: int) -> str:
        return self.worker_id if index == 0 else f"{self.worker_id}/{index}"

    def _loop(self, index: int) -> None:
        while not self._stop.is_set():
            worker_id = self._thread_id(index)
            outcome = None
            try:
                job = claim_next(self.organization, worker_id, self.lease, job_ids=self.job_ids)
                if job is not None and job.id is not None:
                    self._running[index] = job.id
                    outcome = run_job(self.organization, job, worker_id, self.lease)
            except engine_errors.LeadgateError as error:  # the database away: wait, try again
                log.warning("worker %s: %s", worker_id, error)
            finally:
                self._running.pop(index, None)
            if outcome is None:
                self._stop.wait(self.poll)
            else:
                self.on_job(outcome)


def _log_outcome(outcome: JobOutcome) -> None:
    status = outcome.status.name.lower() if outcome.status else "taken over"
    detail = f" {outcome.error.code} {outcome.error.message()}" if outcome.error else ""
    log.info("job %s %r %s in %.2fs%s", outcome.job_id, outcome.name, status, outcome.seconds,
             detail)  # fmt: skip
