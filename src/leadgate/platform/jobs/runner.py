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
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.storage import refresh_statistics
from leadgate.platform.engine.types import Language
from leadgate.platform.jobs import errors
from leadgate.platform.jobs.lease import (
    MAX_RETRIES,
    ClaimJobRequest,
    ReportJobRequest,
    SettleJobRequest,
)
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
    "run_queued",
]

log = logging.getLogger("leadgate.jobs")

DEFAULT_LEASE = dt.timedelta(minutes=5)
# How often an idle worker refreshes the query planner's statistics (storage.refresh_statistics).
STATISTICS_EVERY = 3600.0
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
    job_id: uuid.UUID | None = None,
) -> Entity | None:
    """Take the oldest ready job (or one whose lease ended), or only ``job_id``, and lease it
    to ``worker_id``; None when there is none. Safe to call from any number of workers."""
    request = ClaimJobRequest(worker_id, lease, job_id=job_id)
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
        with _LeaseKeeper(organization, job.id, worker_id, lease):
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
            # The last error in each reader's language (its message() alone is English).
            last = Label(error.message(Language.ENGLISH), error.message(Language.FRENCH))
            error = errors.JOB_RETRIES_EXHAUSTED(count=retry_count, detail=last)
        else:
            postpone = dt.datetime.now(dt.UTC) + backoff(retry_count)
    settled = organization.system_service().execute(
        SettleJobRequest(job.id, worker_id, status, error, postpone, retry_count)
    )
    return JobOutcome(
        job.id, job["name"], status if settled.settled else None, error,
        time.monotonic() - started,
    )  # fmt: skip


class _LeaseKeeper:
    """Renews a running job's lease every third of it, whatever its handler is doing: the
    lease then says whether the worker is alive, not whether the handler reported lately, so
    a long step between reports is not taken over by another worker while it runs."""

    def __init__(
        self, organization: Organization, job_id: uuid.UUID, worker_id: str, lease: dt.timedelta
    ) -> None:
        self._report = ReportJobRequest(job_id, worker_id, lease)
        self._organization = organization
        self._interval = max(0.05, lease.total_seconds() / 3)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="leadgate-lease", daemon=True)

    def __enter__(self) -> None:
        self._thread.start()

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        self._thread.join(1.0)  # a renewal in flight after the end is refused: harmless

    def _renew(self) -> None:
        while not self._done.wait(self._interval):
            try:
                self._organization.system_service().execute(self._report)
            except engine_errors.LeadgateError as error:
                if error.kind is errors.JOB_LEASE_LOST:
                    return  # given back or taken over: the handler's next report says so
                log.warning("job %s: lease not renewed: %s", self._report.job_id, error)
            except Exception:  # never let renewing end the worker
                log.exception("job %s: lease not renewed", self._report.job_id)


def run_next(
    organization: Organization, worker_id: str, lease: dt.timedelta = DEFAULT_LEASE
) -> JobOutcome | None:
    """Claim and run one job; None when none is ready."""
    job = claim_next(organization, worker_id, lease)
    return run_job(organization, job, worker_id, lease) if job is not None else None


def run_queued(
    organization: Organization,
    job_id: uuid.UUID,
    *,
    worker_id: str | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> JobOutcome | None:
    """Run one queued job here and now, as a worker would (the synchronous path of a command
    that waits, of scripts and tests); None when it is not ready (a worker has it, or it is
    done)."""
    worker = worker_id or new_worker_id()
    job = claim_next(organization, worker, lease, job_id=job_id)
    return run_job(organization, job, worker, lease) if job is not None else None


class Worker:
    """Claims and runs jobs on ``concurrency`` threads until stopped.

    ``stop()`` asks for a graceful stop: each thread finishes its current job; a job still
    running after ``grace`` seconds is given back (its lease released) when the thread ends.
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
    ) -> None:
        self.organization = organization
        self.concurrency = max(1, concurrency)
        self.poll = poll
        self.lease = lease
        self.worker_id = worker_id or new_worker_id()
        self.on_job = on_job or _log_outcome
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._running: dict[int, uuid.UUID] = {}  # thread index -> the job it runs
        self._next_statistics = time.monotonic()  # at the first idle moment, then hourly

    def run_once(self) -> list[JobOutcome]:
        """Run every job ready now (one thread), then return what ran."""
        done: list[JobOutcome] = []
        while not self._stop.is_set():
            outcome = run_next(self.organization, self._thread_id(0), self.lease)
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
        return [
            job_id
            for index, job_id in list(self._running.items())
            if self._give_back(index, job_id)
        ]

    def _give_back(self, index: int, job_id: uuid.UUID) -> bool:
        request = SettleJobRequest(
            job_id, self._thread_id(index), JobStatus.WAITING_FOR_RESOURCES, release=True
        )
        return self.organization.system_service().execute(request).settled

    def _thread_id(self, index: int) -> str:
        return self.worker_id if index == 0 else f"{self.worker_id}/{index}"

    def _loop(self, index: int) -> None:
        while not self._stop.is_set():
            worker_id = self._thread_id(index)
            outcome = None
            try:
                job = claim_next(self.organization, worker_id, self.lease)
                if job is not None and job.id is not None:
                    self._running[index] = job.id
                    if self._stop.is_set():  # claimed while stopping: give it back at once
                        self._give_back(index, job.id)
                    else:
                        outcome = run_job(self.organization, job, worker_id, self.lease)
            except engine_errors.LeadgateError as error:  # the database away: wait, try again
                log.warning("worker %s: %s", worker_id, error)
            except Exception:  # a bug must not end the thread: the worker would run nothing
                log.exception("worker %s failed; it goes on", worker_id)
            finally:
                self._running.pop(index, None)
            if outcome is None:
                if index == 0:
                    self._refresh_statistics()
                self._stop.wait(self.poll)
                continue
            try:  # reporting may read the database too, which may be away this moment
                self.on_job(outcome)
            except Exception:
                log.exception("worker %s: could not report job %s", worker_id, outcome.job_id)

    def _refresh_statistics(self) -> None:
        """Idle: keep the planner's statistics current as the tables grow (at most hourly)."""
        if time.monotonic() < self._next_statistics:
            return
        self._next_statistics = time.monotonic() + STATISTICS_EVERY
        try:
            refresh_statistics(self.organization.engine)
        except engine_errors.LeadgateError as error:  # busy or away: next time
            log.warning("worker: the planner's statistics were not refreshed: %s", error)
        except Exception:  # never the end of the thread: the worker would run no job
            log.exception("worker: the planner's statistics were not refreshed")


def _log_outcome(outcome: JobOutcome) -> None:
    status = outcome.status.name.lower() if outcome.status else "taken over"
    detail = f" {outcome.error.code} {outcome.error.message()}" if outcome.error else ""
    log.info("job %s %r %s in %.2fs%s", outcome.job_id, outcome.name, status, outcome.seconds,
             detail)  # fmt: skip
