"""Waiting for the system jobs a command queued (``--wait``, the default of the commands that
queue long work: ``duplicates rules publish``, ``duplicates detect``, ``import``, ``leads
qualify --all-matching / --file``).

The command runs its own jobs, one after the other, on a thread of its own, as their worker;
a job a worker (``leadgate worker``, or the one ``leadgate serve`` runs) took first is
followed, not run — claims are exclusive, so both may share the jobs. A progress bar shows
how far they are (on a terminal). Ctrl+C stops the waiting, not the work: the job running
here goes back to the queue at once and a worker continues every job where it stopped.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from leadgate.cli.jobs import job_message, status_label
from leadgate.cli.output import console, errors_console, say
from leadgate.platform import Entity, Organization, OrganizationService
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_
from leadgate.platform.jobs import JobState, JobStatus, claim_next, run_job
from leadgate.platform.jobs.lease import SettleJobRequest
from leadgate.platform.jobs.runner import DEFAULT_LEASE, new_worker_id

__all__ = [
    "WaitOption",
    "checkpoint_of",
    "refuse_unfinished",
    "say_queued",
    "wait_for_jobs",
]

WaitOption = Annotated[
    bool,
    typer.Option(
        "--wait/--no-wait",
        help="Wait for the system job and show its progress, running it in this process "
        "unless a worker took it (default); --no-wait: queue it for a worker and return.",
    ),
]

_POLL = 0.5  # seconds between two looks at the jobs, at most (a small job is done sooner)
_READ = ["name", "statecode", "statuscode", "progress", "checkpoint", "errorcode", "message",
         "message_fr"]  # fmt: skip


def say_queued(job_id: uuid.UUID) -> None:
    say(N_("Queued the system job {id}: a worker runs it (leadgate worker, or the one "
           "leadgate serve runs). Follow it with: leadgate jobs show {id}"), id=job_id)  # fmt: skip


class _OwnJobs:
    """The command's jobs, run one after the other on a thread, as their worker. A job a
    worker holds is left to it (and taken over should that worker stop, once its lease ends);
    ``done`` names the jobs the waiting saw end, not to be claimed again; ``retrying`` the
    jobs run here that wait for a retry: a worker's, not this command's."""

    def __init__(self, organization: Organization, job_ids: Sequence[uuid.UUID],
                 lease: dt.timedelta) -> None:  # fmt: skip
        self.organization = organization
        self.job_ids = tuple(job_ids)
        self.lease = lease
        self.worker_id = f"cli:{new_worker_id()}"
        self.done: set[uuid.UUID] = set()
        self.retrying: set[uuid.UUID] = set()
        self.error: BaseException | None = None
        self._running: uuid.UUID | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="leadgate-own-jobs",
                                        daemon=True)  # fmt: skip

    def start(self) -> None:
        self._thread.start()

    def stop(self, *, give_back: bool = False) -> None:
        """Stop; with ``give_back``, the job running here goes back to the queue at once
        (what it committed stays: a worker continues from its checkpoint)."""
        self._stop.set()
        running = self._running
        if give_back and running is not None:
            self._give_back(running)
        if self._thread.is_alive():
            self._thread.join(5.0)

    def _give_back(self, job_id: uuid.UUID) -> None:
        request = SettleJobRequest(job_id, self.worker_id, JobStatus.WAITING_FOR_RESOURCES,
                                   release=True)  # fmt: skip
        self.organization.system_service().execute(request)

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                if not self._pass():
                    self._stop.wait(_POLL)
        except Exception as error:  # raised again by the waiting
            self.error = error

    def _pass(self) -> bool:
        """Claim and run each job not done; whether one ran."""
        ran = False
        for job_id in self.job_ids:
            if self._stop.is_set():
                return ran
            if job_id in self.done or job_id in self.retrying:
                continue
            try:
                job = claim_next(self.organization, self.worker_id, self.lease, job_id=job_id)
                if job is None:
                    continue
                self._running = job_id
                if self._stop.is_set():  # claimed while stopping: given back at once
                    self._give_back(job_id)
                    return ran
                outcome = run_job(self.organization, job, self.worker_id, self.lease)
                if outcome.status is JobStatus.WAITING:
                    self.retrying.add(job_id)
                ran = True
            except LeadgateError:  # the database away: the next pass tries again
                pass
            finally:
                self._running = None
        return ran


def wait_for_jobs(
    organization: Organization,
    service: OrganizationService,
    job_ids: Sequence[uuid.UUID],
    description: str,
    *,
    watch: Callable[[list[Entity]], float] | None = None,
    total: float = 100,
    count: ProgressColumn | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> list[Entity]:
    """Run or follow the jobs until each is completed (or, run here, waits for a retry);
    the jobs as they ended. ``service`` reads them (their owner, or SYSTEM). The bar shows
    ``watch(jobs)`` out of ``total`` (``count`` shows the figures), by default the mean of
    the jobs' progress. Ctrl+C: the running job goes back to the queue, exit status 130."""
    runner = _OwnJobs(organization, job_ids, lease)
    runner.start()
    columns = (TextColumn("{task.description}"), BarColumn(), count or TaskProgressColumn(),
               TimeRemainingColumn())  # fmt: skip
    pause = 0.05
    try:
        with Progress(*columns, console=console, transient=True,
                      disable=not console.is_terminal) as bar:  # fmt: skip
            task = bar.add_task(description, total=total)
            while True:
                jobs = [service.retrieve("asyncoperation", job_id, _READ) for job_id in job_ids]
                for job in jobs:
                    if job["statecode"] == JobState.COMPLETED and job.id is not None:
                        runner.done.add(job.id)
                shown = watch(jobs) if watch else _mean_progress(jobs, runner.done)
                bar.update(task, completed=shown)
                if runner.error is not None:
                    raise runner.error
                if runner.done | runner.retrying >= set(job_ids):
                    break
                time.sleep(pause)
                pause = min(_POLL, pause * 2)
    except KeyboardInterrupt:
        runner.stop(give_back=True)
        say(N_("Stopped waiting. The system jobs still to do go on in a worker (leadgate "
               "worker, or the one leadgate serve runs), where they stopped. Follow one with: "
               "leadgate jobs show ID; cancel it with: leadgate jobs cancel ID"))  # fmt: skip
        for job_id in job_ids:
            if job_id not in runner.done:
                typer.echo(str(job_id))
        raise typer.Exit(130) from None
    runner.stop()
    return [service.retrieve("asyncoperation", job_id, _READ) for job_id in job_ids]


def _mean_progress(jobs: list[Entity], done: set[uuid.UUID]) -> float:
    return sum(100 if job.id in done else job.get("progress") or 0 for job in jobs) / len(jobs)


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
