"""System jobs (asyncoperation): work that runs after the request, in a worker.

Solutions register job kinds (``organization.jobs.register(kind, handler)``), users queue
jobs with QueueJobRequest, and ``leadgate worker`` (or the worker embedded in ``leadgate
serve``) claims and runs them. See docs/jobs.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadgate.platform.jobs.messages import (
    CancelJobRequest,
    CancelJobResponse,
    QueueJobRequest,
    QueueJobResponse,
    RetryJobRequest,
    RetryJobResponse,
)
from leadgate.platform.jobs.registry import (
    JobCanceled,
    JobContext,
    JobHandler,
    JobKind,
    JobRegistry,
    TransientJobError,
)
from leadgate.platform.jobs.results import (
    ItemOutcome,
    JobItem,
    Outcome,
    RetrieveJobResultsRequest,
    RetrieveJobResultsResponse,
)
from leadgate.platform.jobs.runner import (
    JobOutcome,
    Worker,
    backoff,
    claim_next,
    run_job,
    run_next,
    run_queued,
)
from leadgate.platform.jobs.states import JobState, JobStatus, OperationType

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = [
    "CancelJobRequest",
    "CancelJobResponse",
    "ItemOutcome",
    "JobCanceled",
    "JobContext",
    "JobHandler",
    "JobItem",
    "JobKind",
    "JobOutcome",
    "JobRegistry",
    "JobState",
    "JobStatus",
    "OperationType",
    "Outcome",
    "QueueJobRequest",
    "QueueJobResponse",
    "RetrieveJobResultsRequest",
    "RetrieveJobResultsResponse",
    "RetryJobRequest",
    "RetryJobResponse",
    "TransientJobError",
    "Worker",
    "backoff",
    "claim_next",
    "register",
    "run_job",
    "run_next",
    "run_queued",
]


def register(organization: Organization) -> None:
    from leadgate.platform.jobs import lease, messages, results

    organization.register_messages(messages.MESSAGES)
    organization.register_messages(lease.WORKER_MESSAGES)
    organization.register_messages(results.MESSAGES)
