"""QueueJob, CancelJob, RetryJob: what users ask of system jobs, run as messages.

A job is queued as its caller's (ownerid) and later runs as them, so queuing one grants
nothing: any user may queue, and read, cancel or retry their own jobs; another user's job
needs Write on asyncoperation at a depth that reaches it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from leadgate.platform.engine import rows
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.errors import RECORD_NOT_FOUND
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.types import Language
from leadgate.platform.jobs import errors
from leadgate.platform.jobs.states import JobState, JobStatus
from leadgate.platform.records.crud import CreateRequest
from leadgate.platform.security.privileges import Right

__all__ = [
    "MESSAGES",
    "CancelJobRequest",
    "CancelJobResponse",
    "QueueJobRequest",
    "QueueJobResponse",
    "RetryJobRequest",
    "RetryJobResponse",
    "job_row",
    "set_job",
]

TABLE = "asyncoperation"


@dataclass(frozen=True)
class QueueJobRequest:
    """Queue a job of a registered ``kind``; ``data`` (JSON values) is what its handler reads;
    ``regarding`` the record it is about; ``name`` what listings show (default: the kind)."""

    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)
    regarding: EntityReference | None = None
    name: str | None = None


@dataclass(frozen=True)
class QueueJobResponse:
    id: uuid.UUID


@dataclass(frozen=True)
class CancelJobRequest:
    """Cancel a waiting job at once, a running one at its next progress report."""

    id: uuid.UUID


@dataclass(frozen=True)
class CancelJobResponse:
    status: JobStatus


@dataclass(frozen=True)
class RetryJobRequest:
    """Run a failed or canceled job again, from its last checkpoint."""

    id: uuid.UUID


@dataclass(frozen=True)
class RetryJobResponse:
    pass


def job_row(operation: Operation[Any], job_id: uuid.UUID, *, lock: bool = True) -> Entity:
    """The job as this transaction sees it, held until commit; RECORD_NOT_FOUND if none."""
    job = operation.retrieve(TABLE, job_id, lock=lock)
    if job is None:
        raise RECORD_NOT_FOUND(table=TABLE, id=job_id)
    return job


def set_job(operation: Operation[Any], job_id: uuid.UUID, **values: Any) -> None:
    """Bookkeeping of a job's run, written by the jobs messages in their transaction (the
    state moves of a job are the worker's, not a SetState that people or steps may run)."""
    values.setdefault("modifiedon", operation.now())
    table = operation.table(TABLE)
    rows.update_row(operation.connection, table, operation.sql_table(TABLE), job_id, values)


def _status_label(operation: Operation[Any], status: int) -> Any:
    option = operation.table(TABLE).column("statuscode").options_by_value.get(status)
    return option.label if option is not None else str(status)


def queue_job(operation: Operation[QueueJobRequest]) -> QueueJobResponse:
    request = operation.request
    registry = operation.pipeline.organization.jobs
    kind = registry.get(request.kind)  # JOB_KIND_UNKNOWN before anything is written
    if kind.platform_only and not operation.caller.is_system:
        raise errors.JOB_KIND_PLATFORM_ONLY(kind=kind.name)
    try:
        data = json.dumps(dict(request.data), ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as error:
        raise errors.JOB_DATA_INVALID(detail=str(error)) from error
    values: dict[str, Any] = {
        "name": (request.name or kind.name)[:256],
        "kind": kind.name,
        "operationtype": int(kind.operation_type),
        "data": data,
        "ownerid": EntityReference("systemuser", operation.caller.user_id),
    }
    if request.regarding is not None:
        values["regardingobjectid"] = request.regarding.id
        values["regardingobjecttypecode"] = request.regarding.logical_name
    # Authorized above (a job runs as its owner): saved by the platform, at this message's
    # depth (a step that queues work at the depth limit still may).
    created = operation.execute_as_system(CreateRequest(Entity(TABLE, None, values)), deeper=False)
    return QueueJobResponse(created.id)


def cancel_job(operation: Operation[CancelJobRequest]) -> CancelJobResponse:
    request_id = operation.request.id
    job = job_row(operation, request_id)
    status = JobStatus(job["statuscode"])
    if status.state is JobState.COMPLETED:
        raise errors.JOB_NOT_CANCELABLE(name=job["name"], status=_status_label(operation, status))
    if status.state is JobState.LOCKED:
        set_job(operation, request_id, statuscode=int(JobStatus.CANCELING))
        return CancelJobResponse(JobStatus.CANCELING)
    message = errors.JOB_CANCELED()
    set_job(
        operation, request_id,
        statecode=int(JobState.COMPLETED), statuscode=int(JobStatus.CANCELED),
        completedon=operation.now(), postponeuntil=None, errorcode=message.code,
        message=message.message(Language.ENGLISH), message_fr=message.message(Language.FRENCH),
    )  # fmt: skip
    return CancelJobResponse(JobStatus.CANCELED)


def retry_job(operation: Operation[RetryJobRequest]) -> RetryJobResponse:
    request_id = operation.request.id
    job = job_row(operation, request_id)
    status = JobStatus(job["statuscode"])
    if status not in (JobStatus.FAILED, JobStatus.CANCELED):
        raise errors.JOB_NOT_RETRYABLE(name=job["name"], status=_status_label(operation, status))
    set_job(
        operation, request_id,
        statecode=int(JobState.READY), statuscode=int(JobStatus.WAITING_FOR_RESOURCES),
        completedon=None, postponeuntil=None, retrycount=0, hostid=None, lockeduntil=None,
        errorcode=None, message=None, message_fr=None,
    )  # fmt: skip
    return RetryJobResponse()


def _job_target(request: Any) -> tuple[str | None, uuid.UUID | None]:
    return TABLE, request.id


def authorize_own_job(operation: Operation[Any]) -> None:
    """Your own job is yours to cancel or retry; another user's needs Write on it."""
    table = operation.table(TABLE)
    record = operation.record_owner(table, operation.request.id)
    if record is None:
        return  # the handler says RECORD_NOT_FOUND
    if record.owner is not None and record.owner.id == operation.caller.user_id:
        _ = operation.principal  # a disabled user may not
        return
    operation.require(Right.WRITE, table, record)


def authorize_queue(operation: Operation[QueueJobRequest]) -> None:
    """Any enabled user: the job runs as them, with their privileges, and nothing more."""
    _ = operation.principal


MESSAGES = {
    QueueJobRequest: Message(
        "lg_QueueJob", queue_job, target=lambda request: (TABLE, None), authorize=authorize_queue
    ),
    CancelJobRequest: Message(
        "lg_CancelJob", cancel_job, target=_job_target, authorize=authorize_own_job
    ),
    RetryJobRequest: Message(
        "lg_RetryJob", retry_job, target=_job_target, authorize=authorize_own_job
    ),
}
