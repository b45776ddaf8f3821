"""Refusals and outcomes of system jobs (0x8F4C47E0-E7, 0x8F4C47F8-FA)."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = [
    "JOB_ABANDONED",
    "JOB_CANCELED",
    "JOB_DATA_INVALID",
    "JOB_HANDLER_FAILED",
    "JOB_KINDS_NOT_LOADABLE",
    "JOB_KIND_PLATFORM_ONLY",
    "JOB_KIND_UNKNOWN",
    "JOB_LEASE_LOST",
    "JOB_NOT_CANCELABLE",
    "JOB_NOT_RETRYABLE",
    "JOB_RETRIES_EXHAUSTED",
]

JOB_KIND_UNKNOWN = ErrorKind(
    "job_kind_unknown",
    "0x8F4C47E0",
    N_("No job kind '{kind}' is registered. Known kinds: {known}."),
)
JOB_NOT_CANCELABLE = ErrorKind(
    "job_not_cancelable",
    "0x8F4C47E1",
    N_("The system job '{name}' is completed ({status}): there is nothing to cancel."),
)
JOB_NOT_RETRYABLE = ErrorKind(
    "job_not_retryable",
    "0x8F4C47E2",
    N_("The system job '{name}' is {status}: only a failed or canceled job can be retried."),
)
JOB_HANDLER_FAILED = ErrorKind(
    "job_handler_failed",
    "0x8F4C47E3",
    N_("The job's handler failed unexpectedly: {exception}"),
)
JOB_RETRIES_EXHAUSTED = ErrorKind(
    "job_retries_exhausted",
    "0x8F4C47E4",
    N_("The job was tried {count} times and failed each time on a passing error: {detail}"),
)
JOB_CANCELED = ErrorKind(
    "job_canceled",
    "0x8F4C47E5",
    N_("The system job was canceled."),
)
JOB_LEASE_LOST = ErrorKind(
    "job_lease_lost",
    "0x8F4C47E6",
    N_("Another worker took the system job over: this worker's lease on it had ended."),
)
JOB_DATA_INVALID = ErrorKind(
    "job_data_invalid",
    "0x8F4C47E7",
    N_("The job's data cannot be stored as JSON: {detail}"),
)
JOB_KINDS_NOT_LOADABLE = ErrorKind(
    "job_kinds_not_loadable",
    "0x8F4C47F8",
    N_(
        "The job kinds {handler} named in LEADGATE_JOB_KINDS cannot be registered: {reason} "
        "Name a function (module:function) of the plug-ins folder {folder} or of Python's path "
        "that takes the job registry, then start the process again."
    ),
)
JOB_ABANDONED = ErrorKind(
    "job_abandoned",
    "0x8F4C47F9",
    N_(
        "The system job was taken over {count} times from a worker that stopped while running "
        "it (killed, out of memory, its machine gone): it is not tried again. Read the workers' "
        "logs, then retry the job."
    ),
)
JOB_KIND_PLATFORM_ONLY = ErrorKind(
    "job_kind_platform_only",
    "0x8F4C47FA",
    N_(
        "Only the platform queues system jobs of kind '{kind}': their data names the user they "
        "run as. Nothing was queued."
    ),
)
