"""Waiting for a job a command queued: run it in this process, as a worker would — unless a
worker (``leadgate worker``, or the one ``leadgate serve`` embeds) claimed it first, claims
being exclusive — and watch it until it is completed.

Ctrl+C gives the job back to the queue (a worker continues it from its last checkpoint).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from leadgate.platform import Entity, Organization
from leadgate.platform.jobs import JobState, JobStatus, run_queued
from leadgate.platform.jobs.lease import SettleJobRequest
from leadgate.platform.jobs.runner import new_worker_id
from leadgate.platform.service import OrganizationService

__all__ = ["wait_for_job"]

POLL = 0.25  # seconds between two looks at the job


def wait_for_job(
    organization: Organization,
    service: OrganizationService,
    job_id: uuid.UUID,
    watch: Callable[[Entity], None] | None = None,
) -> Entity:
    """Run or wait for the job until it is completed; ``watch(job)`` at each look (its
    progress, its checkpoint). Returns the job as it ended. KeyboardInterrupt releases it."""
    worker_id = new_worker_id()
    while True:
        outcome: list[Any] = []
        runner = threading.Thread(
            target=_run, args=(organization, job_id, worker_id, outcome), daemon=True
        )
        runner.start()
        try:
            while runner.is_alive():
                runner.join(POLL)
                job = _look(service, job_id, watch)
        except KeyboardInterrupt:
            organization.system_service().execute(SettleJobRequest(
                job_id, worker_id, JobStatus.WAITING_FOR_RESOURCES, release=True))  # fmt: skip
            raise
        if outcome and isinstance(outcome[0], BaseException):
            raise outcome[0]
        job = _look(service, job_id, watch)
        if job["statecode"] == JobState.COMPLETED:
            return job
        time.sleep(POLL)  # another worker has it, or it waits for a retry


def _run(organization: Organization, job_id: uuid.UUID, worker_id: str, out: list[Any]) -> None:
    try:
        out.append(run_queued(organization, job_id, worker_id=worker_id))
    except BaseException as error:  # raised again in the waiting thread
        out.append(error)


def _look(
    service: OrganizationService, job_id: uuid.UUID, watch: Callable[[Entity], None] | None
) -> Entity:
    job = service.retrieve("asyncoperation", job_id, ["statecode", "statuscode", "progress",
                                                       "checkpoint"])  # fmt: skip
    if watch is not None:
        watch(job)
    return job
