"""The worker's side of a job, as messages: claim one, report on it, settle it.

Claiming is storage-level work kept behind this small API: on PostgreSQL the oldest ready job
is taken with ``SELECT … FOR UPDATE SKIP LOCKED`` and leased in the same transaction, so any
number of workers share one database and no job is taken twice; SQLite has one writer at a
time, which serializes claims (one worker). A lease that ended (its worker died) makes the job
claimable again. Every later write checks that the worker still holds the lease.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine import errors as engine_errors
from leadgate.platform.engine import rows
from leadgate.platform.engine.context import Caller
from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.types import Language
from leadgate.platform.jobs import errors
from leadgate.platform.jobs.messages import TABLE, job_row, set_job
from leadgate.platform.jobs.results import ItemOutcome, JobItem, run_items
from leadgate.platform.jobs.states import JobState, JobStatus
from leadgate.platform.security.access import privilege_denied
from leadgate.platform.security.privileges import Depth

__all__ = [
    "MAX_RETRIES",
    "WORKER_MESSAGES",
    "ClaimJobRequest",
    "ClaimJobResponse",
    "ReportJobRequest",
    "ReportJobResponse",
    "SettleJobRequest",
    "SettleJobResponse",
]

MAX_RETRIES = 5  # tries after the first: passing failures, and takeovers from stopped workers


@dataclass(frozen=True)
class ClaimJobRequest:
    """Claim the oldest ready job, or only ``job_id`` (a command that runs the job it just
    queued, in its own process, unless a worker took it first). ``max_retries``: a job whose
    workers stopped while running it more often than this (each time taken over after its
    lease) is Failed instead of taken over again."""

    worker_id: str
    lease: dt.timedelta
    max_retries: int = MAX_RETRIES
    job_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ClaimJobResponse:
    job: Entity | None  # None: no job is ready


@dataclass(frozen=True)
class ReportJobRequest:
    """Progress (0-100), a checkpoint (JSON value) and the requests that reached it, run as the
    job's owner and committed with the checkpoint: a re-run never repeats them."""

    job_id: uuid.UUID
    worker_id: str
    lease: dt.timedelta
    progress: int | None = None
    checkpoint: Any = None
    has_checkpoint: bool = False
    requests: Sequence[Any] = ()
    items: Sequence[JobItem] = ()  # each in its own savepoint, its result written


@dataclass(frozen=True)
class ReportJobResponse:
    canceled: bool
    responses: tuple[Any, ...] = ()
    outcomes: tuple[ItemOutcome, ...] = ()


@dataclass(frozen=True)
class SettleJobRequest:
    """The run's end: ``status`` Succeeded, Failed, Canceled, or Waiting (a retry at
    ``postpone_until``); ``error`` the failure shown on the job."""

    job_id: uuid.UUID
    worker_id: str
    status: JobStatus
    error: engine_errors.LeadgateError | None = None
    postpone_until: dt.datetime | None = None
    retry_count: int | None = None
    release: bool = False  # give the job back untouched (a worker stopping)


@dataclass(frozen=True)
class SettleJobResponse:
    settled: bool  # False: another worker holds the job now


def _claimable(sql: sa.Table, now: dt.datetime) -> tuple[tuple[Any, tuple[Any, ...]], ...]:
    """What a worker may take, as (condition, order), most urgent first: a job whose worker
    stopped while running it (its lease ended) or a retry whose wait is over, the oldest
    first; then the oldest queued job.

    Two queries, so that the second is an ordered scan of the index on (statecode, createdon,
    asyncoperationid) that reads a few entries however many jobs are queued or completed; the
    first reads only Locked and Suspended jobs, a few (one per running job, one per retry).
    One query with an OR of the three states would sort every queued job on each claim."""
    due = sa.or_(sql.c.postponeuntil.is_(None), sql.c.postponeuntil <= now)
    urgent = sa.or_(
        sa.and_(sql.c.statecode == int(JobState.LOCKED), sql.c.lockeduntil < now),
        sa.and_(sql.c.statecode == int(JobState.SUSPENDED), due),
    )
    queued = sa.and_(sql.c.statecode == int(JobState.READY), due)
    return (
        (urgent, (sql.c.createdon, sql.c.asyncoperationid)),
        (queued, (sql.c.statecode, sql.c.createdon, sql.c.asyncoperationid)),
    )


def _next(sql: sa.Table, condition: Any, order: tuple[Any, ...]) -> Any:
    return (
        sa.select(
            sql.c.asyncoperationid, sql.c.statecode, sql.c.statuscode, sql.c.retrycount,
            sql.c.startedon,
        )
        .where(condition)
        .order_by(*order)
        .limit(1)
        # PostgreSQL: rows other workers are claiming are skipped, not waited for. SQLite
        # renders no FOR UPDATE: its write transaction (BEGIN IMMEDIATE) serializes claims.
        .with_for_update(skip_locked=True)
    )  # fmt: skip


def claim_job(operation: Operation[ClaimJobRequest]) -> ClaimJobResponse:
    request = operation.request
    sql = operation.sql_table(TABLE)
    table = operation.table(TABLE)
    now = operation.now()
    for condition, order in _claimable(sql, now):
        statement = _next(sql, condition, order)
        if request.job_id is not None:
            statement = statement.where(sql.c.asyncoperationid == request.job_id)
        while (found := operation.connection.execute(statement).first()) is not None:
            job_id, state, status, retries, started = found
            if status == JobStatus.CANCELING:  # canceled while its worker died: settle it now
                _complete(operation, job_id, JobStatus.CANCELED, errors.JOB_CANCELED(), now)
                continue
            values = {
                "statecode": int(JobState.LOCKED), "statuscode": int(JobStatus.IN_PROGRESS),
                "hostid": request.worker_id[:256], "lockeduntil": now + request.lease,
                "postponeuntil": None, "modifiedon": now, "startedon": started or now,
            }  # fmt: skip
            if state == JobState.LOCKED:
                # Its worker stopped (killed, its machine gone) without settling it: a try
                # that counts, so that a job that kills its workers ends instead of looping.
                tries = (retries or 0) + 1
                values["retrycount"] = tries
                if tries > request.max_retries:
                    error = errors.JOB_ABANDONED(count=tries)
                    _complete(operation, job_id, JobStatus.FAILED, error, now)
                    set_job(operation, job_id, retrycount=tries)
                    continue
            rows.update_row(operation.connection, table, sql, job_id, values)
            return ClaimJobResponse(operation.retrieve(TABLE, job_id))
    return ClaimJobResponse(None)


def _held(operation: Operation[Any], job_id: uuid.UUID, worker_id: str) -> Entity | None:
    job = job_row(operation, job_id)
    if job["statecode"] != JobState.LOCKED or job.get("hostid") != worker_id[:256]:
        return None
    return job


def report_job(operation: Operation[ReportJobRequest]) -> ReportJobResponse:
    request = operation.request
    job = _held(operation, request.job_id, request.worker_id)
    if job is None:
        raise errors.JOB_LEASE_LOST()
    if job["statuscode"] == JobStatus.CANCELING:  # the lease is kept until it stops
        set_job(operation, request.job_id, lockeduntil=operation.now() + request.lease)
        return ReportJobResponse(canceled=True)
    responses: list[Any] = []
    outcomes: list[ItemOutcome] = []
    if request.requests or request.items:
        owner = job["ownerid"].id
        caller = Caller.system() if owner == Caller.system().user_id else Caller.user(owner)
        for nested in request.requests:
            responses.append(operation.pipeline.execute(nested, caller, operation.context))
        outcomes = run_items(operation, request.job_id, caller, request.items)
    values: dict[str, Any] = {"lockeduntil": operation.now() + request.lease}
    if request.progress is not None:
        values["progress"] = max(0, min(100, int(request.progress)))
    if request.has_checkpoint:
        try:
            values["checkpoint"] = json.dumps(request.checkpoint, ensure_ascii=False)
        except (TypeError, ValueError) as error:
            raise errors.JOB_DATA_INVALID(detail=str(error)) from error
    set_job(operation, request.job_id, **values)
    return ReportJobResponse(False, tuple(responses), tuple(outcomes))


def _complete(
    operation: Operation[Any],
    job_id: uuid.UUID,
    status: JobStatus,
    error: engine_errors.LeadgateError | None,
    now: dt.datetime,
) -> None:
    values: dict[str, Any] = {
        "statecode": int(status.state), "statuscode": int(status), "hostid": None,
        "lockeduntil": None, "completedon": now if status.state is JobState.COMPLETED else None,
        "errorcode": error.code if error else None,
        "message": error.message(Language.ENGLISH)[-10240:] if error else None,
        "message_fr": error.message(Language.FRENCH)[-10240:] if error else None,
    }  # fmt: skip
    if status is JobStatus.SUCCEEDED:
        values["progress"] = 100
    set_job(operation, job_id, **values)


def settle_job(operation: Operation[SettleJobRequest]) -> SettleJobResponse:
    request = operation.request
    job = _held(operation, request.job_id, request.worker_id)
    if job is None:
        return SettleJobResponse(settled=False)
    now = operation.now()
    if request.release:
        set_job(
            operation, request.job_id, statecode=int(JobState.READY), hostid=None,
            statuscode=int(JobStatus.WAITING_FOR_RESOURCES), lockeduntil=None,
        )  # fmt: skip
        return SettleJobResponse(settled=True)
    _complete(operation, request.job_id, request.status, request.error, now)
    if request.status is JobStatus.WAITING:
        set_job(
            operation, request.job_id, postponeuntil=request.postpone_until,
            retrycount=request.retry_count if request.retry_count is not None else 0,
        )  # fmt: skip
    return SettleJobResponse(settled=True)


def authorize_worker(operation: Operation[Any]) -> None:
    """Workers run as SYSTEM; anyone else needs Write on every system job (Organization)."""
    principal = operation.principal
    if principal is not None and principal.depth("prvWriteAsyncOperation") < Depth.ORGANIZATION:
        raise privilege_denied(principal, "prvWriteAsyncOperation", None, Depth.ORGANIZATION)


WORKER_MESSAGES = {
    ClaimJobRequest: Message(
        "lg_ClaimJob", claim_job, target=lambda request: (TABLE, None), authorize=authorize_worker
    ),
    ReportJobRequest: Message(
        "lg_ReportJob",
        report_job,
        target=lambda request: (TABLE, request.job_id),
        authorize=authorize_worker,
    ),
    SettleJobRequest: Message(
        "lg_SettleJob",
        settle_job,
        target=lambda request: (TABLE, request.job_id),
        authorize=authorize_worker,
    ),
}
