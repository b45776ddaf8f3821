"""The job kinds an organization knows, and what a running job's handler works with.

A handler is ``handler(context: JobContext) -> None``. It reads ``context.data``, works
through ``context.service`` (the job's owner), reports ``context.progress(done, total)`` and,
to be resumable, commits its effects with ``context.checkpoint(value, *requests)``: the
requests and the checkpoint are committed together, so a job killed and run again continues at
``context.resume_from`` and repeats nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.jobs import errors
from leadgate.platform.jobs.results import ItemOutcome, JobItem
from leadgate.platform.jobs.states import OperationType

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization
    from leadgate.platform.plugins.home import PluginHome
    from leadgate.platform.service import OrganizationService

__all__ = [
    "JOB_KINDS_VARIABLE",
    "JobCanceled",
    "JobContext",
    "JobHandler",
    "JobKind",
    "JobRegistry",
    "TransientJobError",
    "register_job_kinds",
]

# Administrators' own job kinds: functions ``module:function`` (comma or space separated)
# that every leadgate process calls with ``organization.jobs`` when it opens the organization.
JOB_KINDS_VARIABLE = "LEADGATE_JOB_KINDS"

JobHandler = Callable[["JobContext"], None]


class TransientJobError(Exception):
    """Raised by a handler for a failure that may pass (a remote service down): the job is
    tried again later, with backoff, instead of failing."""


class JobCanceled(Exception):
    """The job was canceled while running: raised at its next progress or checkpoint."""


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: JobHandler
    operation_type: OperationType = OperationType.WORKFLOW
    # Queued by the platform alone (lg_QueueJob refuses everyone else): the job's data says
    # whom its work runs as, so a user's own copy would run work as someone else.
    platform_only: bool = False


class JobRegistry:
    """``organization.jobs``: job kinds by name, registered by solutions and capabilities."""

    def __init__(self) -> None:
        self._kinds: dict[str, JobKind] = {}

    def register(
        self,
        kind_name: str,
        handler: JobHandler,
        *,
        operation_type: OperationType = OperationType.WORKFLOW,
        platform_only: bool = False,
    ) -> None:
        """Register ``handler`` for jobs of ``kind_name`` (unique across the organization)."""
        known = self._kinds.get(kind_name)
        if known is not None and known.handler is not handler:
            raise ValueError(f"the job kind {kind_name} is already registered")
        self._kinds[kind_name] = JobKind(kind_name, handler, operation_type, platform_only)

    def get(self, kind_name: str) -> JobKind:
        kind = self._kinds.get(kind_name)
        if kind is None:
            raise errors.JOB_KIND_UNKNOWN(kind=kind_name, known=", ".join(self.names()) or "-")
        return kind

    def names(self) -> list[str]:
        return sorted(self._kinds)


def register_job_kinds(registry: JobRegistry, home: PluginHome, names: str | None) -> None:
    """Call each ``module:function`` of ``names`` (default: $LEADGATE_JOB_KINDS) with the
    registry, importing it from the plug-ins folder like a step's handler. The queuing process
    and the workers must know the same kinds: set the variable for each of them."""
    from leadgate.platform.plugins.home import LoadFailure

    names = os.environ.get(JOB_KINDS_VARIABLE, "") if names is None else names
    for name in re.split(r"[\s,]+", names.strip()):
        if not name:
            continue
        found = home.load(name)
        if isinstance(found, LoadFailure):
            raise errors.JOB_KINDS_NOT_LOADABLE(
                handler=name, reason=found.reason, folder=str(home.folder)
            )
        register_kinds = cast(Callable[[JobRegistry], None], found)  # not a step's handler
        try:
            register_kinds(registry)
        except Exception as error:  # an administrator's code: say what it raised
            reason = f"{type(error).__name__}: {error}".rstrip()
            raise errors.JOB_KINDS_NOT_LOADABLE(
                handler=name, reason=reason if reason.endswith(".") else f"{reason}.",
                folder=str(home.folder),
            ) from error  # fmt: skip


class JobContext:
    """One run of one job, given to its handler."""

    def __init__(
        self,
        organization: Organization,
        job: Entity,
        worker_id: str,
        lease: dt.timedelta,
        *,
        progress_interval: float = 1.0,
    ) -> None:
        from leadgate.platform.engine.context import Caller
        from leadgate.platform.service import OrganizationService

        assert job.id is not None
        self.organization = organization
        self.job_id: uuid.UUID = job.id
        self.kind: str = job["kind"]
        self.data: dict[str, Any] = json.loads(job.get("data") or "{}")
        self.owner_id: uuid.UUID = job["ownerid"].id
        regarding = job.get("regardingobjectid")
        self.regarding = (
            EntityReference(job["regardingobjecttypecode"], regarding) if regarding else None
        )
        checkpoint = job.get("checkpoint")
        # Where the last run committed its last checkpoint; None: from the start.
        self.resume_from: Any = json.loads(checkpoint) if checkpoint else None
        self.retry_count: int = job.get("retrycount") or 0
        self.worker_id = worker_id
        self.lease = lease
        self._interval = progress_interval
        self._last_report = 0.0
        system = Caller.system()
        self.service: OrganizationService = (
            organization.system_service()
            if self.owner_id == system.user_id
            else OrganizationService(organization, Caller.user(self.owner_id))
        )

    def progress(self, done: int, total: int) -> None:
        """Report how far the job is: committed on its own, at most once per interval (and
        always at the end); renews the lease. Raises JobCanceled if the job was canceled."""
        now = time.monotonic()
        if done < total and now - self._last_report < self._interval:
            return
        self._last_report = now
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        self._report(progress=percent)

    def checkpoint(self, value: Any, *requests: Any) -> tuple[Any, ...]:
        """Run ``requests`` as the job's owner and store ``value`` (JSON) as where the job
        is, in one transaction; returns the requests' responses. Raises JobCanceled if the
        job was canceled (nothing of this call is committed then)."""
        responses = self._report(checkpoint=value, has_checkpoint=True, requests=requests)
        self.resume_from = value
        return responses

    def checkpoint_items(self, value: Any, items: Sequence[JobItem]) -> list[ItemOutcome]:
        """Run each item's request as the job's owner in a savepoint of one transaction —
        a refused item is rolled back alone and its coded error kept —, write every item's
        result (``RetrieveJobResultsRequest`` reads them) and store ``value`` as where the
        job is, all committed together. A failure of the database itself, or an exception
        that is not a coded refusal, commits none of it."""
        from leadgate.platform.jobs.lease import ReportJobRequest

        response = self.organization.system_service().execute(
            ReportJobRequest(
                self.job_id, self.worker_id, self.lease, checkpoint=value, has_checkpoint=True,
                items=tuple(items),
            )
        )  # fmt: skip
        if response.canceled:
            raise JobCanceled()
        self.resume_from = value
        return list(response.outcomes)

    def heartbeat(self) -> None:
        """Renew the lease (long work between reports); raises JobCanceled if canceled."""
        self._report()

    def _report(self, **fields: Any) -> tuple[Any, ...]:
        from leadgate.platform.jobs.lease import ReportJobRequest

        response = self.organization.system_service().execute(
            ReportJobRequest(self.job_id, self.worker_id, self.lease, **fields)
        )
        if response.canceled:
            raise JobCanceled()
        return response.responses
