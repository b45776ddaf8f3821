"""Waiting for a system job a command queued (``--wait``, the default of the commands that
queue long work): the command runs the job itself, as the worker of that one job, unless a
worker took it first, in which case it follows the worker's progress. A progress bar shows
the job's progress meanwhile (on a terminal). Ctrl+C cancels a job the command runs (its
committed batches stay: the job can be retried) and stops following a worker's.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from leadgate.cli.jobs import job_message, status_label
from leadgate.cli.output import console, errors_console, say
from leadgate.platform import Entity, Organization, OrganizationService
from leadgate.platform.engine.i18n import N_
from leadgate.platform.jobs import (
    CancelJobRequest,
    JobOutcome,
    JobState,
    JobStatus,
    claim_next,
    run_job,
)
from leadgate.platform.jobs.runner import DEFAULT_LEASE, new_worker_id

__all__ = ["WaitOption", "checkpoint_of", "refuse_unfinished", "say_queued", "wait_for_job"]

WaitOption = Annotated[
    bool,
    typer.Option(
        "--wait/--no-wait",
        help="Wait for the system job and show its progress, running it in this process "
        "unless a worker took it (default); --no-wait: queue it for a worker and return.",
    ),
]

_POLL = 0.25  # seconds between two reads of the job's progress
_READ = ["name", "statecode", "statuscode", "progress", "checkpoint", "errorcode", "message",
         "message_fr"]  # fmt: skip


def say_queued(job_id: uuid.UUID) -> None:
    say(N_("Queued the system job {id}: a worker runs it (leadgate worker, or the one "
           "leadgate serve runs). Follow it with: leadgate jobs show {id}"), id=job_id)  # fmt: skip


def wait_for_job(
    organization: Organization,
    service: OrganizationService,
    job_id: uuid.UUID,
    description: str,
    *,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> Entity:
    """Run or follow the job until it ends (or, run here, until it waits for a retry);
    the job as it ended. ``service`` reads the job (its owner, or SYSTEM)."""
    worker_id = f"cli:{new_worker_id()}"
    claimed = claim_next(organization, worker_id, lease, job_id=job_id)
    outcome: list[JobOutcome] = []
    thread = None
    if claimed is not None:
        thread = threading.Thread(
            target=lambda: outcome.append(run_job(organization, claimed, worker_id, lease)),
            name=f"leadgate-job-{job_id}", daemon=True,
        )  # fmt: skip
        thread.start()
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console, transient=True,
                  disable=not console.is_terminal) as bar:  # fmt: skip
        task = bar.add_task(description, total=100)
        try:
            while True:
                job = service.retrieve("asyncoperation", job_id, _READ)
                bar.update(task, completed=job.get("progress") or 0)
                if thread is not None:
                    thread.join(_POLL)
                    if not thread.is_alive():
                        break
                elif job["statecode"] == JobState.COMPLETED:
                    break
                else:
                    time.sleep(_POLL)
        except KeyboardInterrupt:
            if thread is None:
                say(N_("Stopped waiting: the system job {id} goes on in its worker."), id=job_id)
                raise typer.Exit(130) from None
            service.execute(CancelJobRequest(job_id))  # stops at its next report
            thread.join()
    return service.retrieve("asyncoperation", job_id, _READ)


def refuse_unfinished(organization: Organization, job: Entity) -> None:
    """Unless the job succeeded: say how it ended (its coded error) and exit with 1."""
    status = JobStatus(job["statuscode"])
    if status is JobStatus.SUCCEEDED:
        return
    table = organization.metadata().table("asyncoperation")
    if status is JobStatus.FAILED:
        errors_console.print(f"error {job.get('errorcode') or ''}: {job_message(job)}",
                             soft_wrap=True)  # fmt: skip
    else:
        say(N_("System job {id}: {status}."), id=job.id, status=status_label(table, status))
        if status is JobStatus.WAITING:  # a passing failure: a worker tries it again
            say(N_("A worker tries it again later: leadgate worker, then leadgate jobs show "
                   "{id}"), id=job.id)  # fmt: skip
    raise typer.Exit(1)


def checkpoint_of(job: Entity) -> dict[str, Any]:
    """The job's last checkpoint (its summary, once it ended), as JSON."""
    value = json.loads(job.get("checkpoint") or "null")
    return value if isinstance(value, dict) else {}
