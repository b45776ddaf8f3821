"""A system job's states and status reasons: Dataverse's AsyncOperation values."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["JobState", "JobStatus", "OperationType"]


class JobState(IntEnum):
    READY = 0
    SUSPENDED = 1  # waiting for its postponeuntil (a retry's backoff)
    LOCKED = 2  # a worker holds it (lease: hostid, lockeduntil)
    COMPLETED = 3


class JobStatus(IntEnum):
    WAITING_FOR_RESOURCES = 0
    WAITING = 10
    IN_PROGRESS = 20
    CANCELING = 22  # canceled while running: the worker stops at its next report
    SUCCEEDED = 30
    FAILED = 31
    CANCELED = 32

    @property
    def state(self) -> JobState:
        return JobState(self.value // 10)


class OperationType(IntEnum):
    """The job's type (operationtype); leadgate's own kinds use the publisher range."""

    SYSTEM_EVENT = 1  # an asynchronous plug-in step
    BULK_DUPLICATE_DETECTION = 8  # Dataverse's value (BulkDetectDuplicates)
    WORKFLOW = 10
    BULK_DELETE = 13  # Dataverse's value (BulkDelete)
    BULK_QUALIFY = 100000000
    IMPORT = 100000001
    PUBLISH_DUPLICATE_RULE = 100000002
