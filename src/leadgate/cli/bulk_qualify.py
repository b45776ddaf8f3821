"""``leadgate leads qualify --all-matching FILTER`` / ``--file ids.txt``: many leads qualified
by system jobs (BulkQualifyLeads), with a progress bar while they run.

The command queues the jobs, then waits for them: it runs them itself, on a thread of its
own, unless a worker (``leadgate worker``, or the one ``leadgate serve`` embeds) takes them
first; claims are exclusive, so both may share them. Ctrl+C stops the waiting: a job this
command was running goes back to the queue, and a worker continues it where it stopped.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from leadgate.cli.errors import LEAD_ID_UNREADABLE
from leadgate.cli.jobs import job_line, job_message
from leadgate.cli.output import console, errors_console, language, print_table, say
from leadgate.platform import Organization, OrganizationService, QueryExpression
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_, translate
from leadgate.platform.jobs import (
    JobState,
    JobStatus,
    Outcome,
    RetrieveJobResultsRequest,
    claim_next,
    run_job,
)
from leadgate.platform.jobs.lease import SettleJobRequest
from leadgate.platform.jobs.runner import DEFAULT_LEASE, new_worker_id
from leadgate.sales.bulk_qualify import BulkQualifyLeadsRequest, BulkQualifyLeadsResponse

__all__ = ["lead_ids_from_file", "matching", "qualify_many"]

SHOWN = 200  # refusals listed; `leadgate jobs show ID` lists a job's every one
_SHOWN_BAD_LINES = 20
_POLL = 0.5  # seconds between looks at the jobs, at most (a small job is done sooner)


def lead_ids_from_file(path: Path) -> tuple[uuid.UUID, ...]:
    """The ids of a file, one a line (blank lines and ``#`` comments ignored); every line
    that is not an id is reported with its number, and then nothing is read."""
    found: list[uuid.UUID] = []
    bad: list[tuple[int, str]] = []
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            try:
                found.append(uuid.UUID(text.strip("{}")))
            except ValueError:
                bad.append((number, text))
    if bad:
        for number, text in bad[:_SHOWN_BAD_LINES]:
            error = LEAD_ID_UNREADABLE(line=number, file=path.name, text=text[:60])
            errors_console.print(f"error {error.code}: {error.message(language())}",
                                 soft_wrap=True, markup=False)  # fmt: skip
        if len(bad) > _SHOWN_BAD_LINES:
            errors_console.print(
                translate(N_("… and {count} more lines that are not lead ids."), language())
                .format(count=len(bad) - _SHOWN_BAD_LINES), soft_wrap=True, markup=False,
            )  # fmt: skip
        raise typer.Exit(1)
    return tuple(found)


def matching(organization: Organization, text: str) -> QueryExpression:
    """The leads an OData ``$filter`` matches: the Web API's own syntax and parser."""
    from leadgate.web.odata_filter import parse_filter
    from leadgate.web.resources import resolve_property

    table = organization.metadata().table("lead")

    def column(name: str) -> str:
        return resolve_property(table, name).name

    return QueryExpression("lead", criteria=parse_filter(text, column))


def qualify_many(
    organization: Organization,
    service: OrganizationService,
    request: BulkQualifyLeadsRequest,
    *,
    wait: bool,
) -> None:
    """Queue the jobs; then print their ids, or wait for them and print what they did."""
    queued: BulkQualifyLeadsResponse = service.execute(request)
    if not wait:
        say(N_("Leads queued for qualification: {count}. System jobs:"), count=queued.count)
        for job_id in queued.job_ids:
            typer.echo(str(job_id))
        say(N_("A worker runs them (leadgate worker, or the one leadgate serve runs); follow "
               "them with: leadgate jobs show ID"))  # fmt: skip
        return
    _wait(organization, service, queued)
    _summary(organization, service, queued)


def _job(service: OrganizationService, job_id: uuid.UUID) -> Any:
    columns = ["name", "statuscode", "errorcode", "message", "message_fr"]
    return service.retrieve("asyncoperation", job_id, columns)


def _counts(service: OrganizationService, job_id: uuid.UUID) -> dict[Outcome, int]:
    return dict(service.execute(RetrieveJobResultsRequest(job_id, top=1)).counts)


class OwnJobs:
    """The command's own jobs, run one after the other on a thread, as their worker. A job a
    worker holds is left to it (and taken over should that worker stop, once its lease ends);
    ``done`` names the jobs the waiting saw end, not to be claimed again."""

    def __init__(self, organization: Organization, job_ids: tuple[uuid.UUID, ...]) -> None:
        self.organization = organization
        self.job_ids = job_ids
        self.worker_id = f"cli:{new_worker_id()}"
        self.done: set[uuid.UUID] = set()
        self._running: uuid.UUID | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="leadgate-bulk-qualify",
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
        while not self._stop.is_set():
            ran = False
            for job_id in self.job_ids:
                if self._stop.is_set():
                    return
                if job_id in self.done:
                    continue
                try:
                    job = claim_next(self.organization, self.worker_id, DEFAULT_LEASE,
                                     job_id=job_id)  # fmt: skip
                    if job is None:
                        continue
                    self._running = job_id
                    if self._stop.is_set():  # claimed while stopping: given back at once
                        self._give_back(job_id)
                        return
                    run_job(self.organization, job, self.worker_id, DEFAULT_LEASE)
                    ran = True
                except LeadgateError:  # the database away: the next pass tries again
                    pass
                finally:
                    self._running = None
            if not ran:
                self._stop.wait(_POLL)


def _wait(
    organization: Organization, service: OrganizationService, queued: BulkQualifyLeadsResponse
) -> None:
    """Run the jobs on a thread (a worker may take some), with a bar, until all are done."""
    runner = OwnJobs(organization, queued.job_ids)
    runner.start()
    finished: dict[uuid.UUID, int] = {}  # the jobs done: their items
    pause = 0.05
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), console=console, transient=True,
                      disable=not console.is_terminal) as bar:  # fmt: skip
            task = bar.add_task(translate(N_("Qualifying leads"), language()), total=queued.count)
            while len(finished) < len(queued.job_ids):
                done = 0
                for job_id in queued.job_ids:
                    if job_id in finished:
                        done += finished[job_id]
                        continue
                    completed = JobStatus(_job(service, job_id)["statuscode"]).state
                    items = sum(_counts(service, job_id).values())
                    if completed is JobState.COMPLETED:
                        finished[job_id] = items
                        runner.done.add(job_id)
                    done += items
                bar.update(task, completed=done)
                if len(finished) < len(queued.job_ids):
                    time.sleep(pause)
                    pause = min(_POLL, pause * 2)
    except KeyboardInterrupt:
        runner.stop(give_back=True)
        say(N_("Stopped waiting. The jobs are still queued: a worker (leadgate worker, or the "
               "one leadgate serve runs) continues them where they stopped. Follow them with: "
               "leadgate jobs show ID"))  # fmt: skip
        for job_id in queued.job_ids:
            typer.echo(str(job_id))
        raise typer.Exit(130) from None
    runner.stop()


def _summary(
    organization: Organization, service: OrganizationService, queued: BulkQualifyLeadsResponse
) -> None:
    """The refusals (code and message), the counts, and the jobs; exit 1 if any lead was
    refused or left undone."""
    qualified = refused = 0
    refusals: list[tuple[Any, ...]] = []
    failed_jobs = []
    for job_id in queued.job_ids:
        page = service.execute(RetrieveJobResultsRequest(job_id, outcome=Outcome.FAILED, top=SHOWN))
        qualified += page.counts[Outcome.SUCCEEDED]
        refused += page.counts[Outcome.FAILED]
        for result in page.results[: SHOWN - len(refusals)]:
            refusals.append((result.get("name") or "", result.get("objectid") or "",
                             result.get("errorcode") or "", job_message(result)))  # fmt: skip
        job = _job(service, job_id)
        if job["statuscode"] != JobStatus.SUCCEEDED:
            failed_jobs.append(job)
    if refusals:
        print_table(["lead", "id", "code", "message"], refusals)
        if refused > len(refusals):
            say(N_("… and more: the first {count} are shown."), count=len(refusals))
    say(N_("Leads qualified: {qualified}, refused: {refused}."), qualified=qualified,
        refused=refused)  # fmt: skip
    left = queued.count - qualified - refused
    table = organization.metadata().table("asyncoperation")
    if failed_jobs:
        say(N_("Leads not tried, their system job having stopped: {count}."), count=left)
        for job in failed_jobs:
            console.print(job_line(table, job), soft_wrap=True, markup=False)
    say(N_("System jobs (leadgate jobs show ID):"))
    for job_id in queued.job_ids:
        typer.echo(str(job_id))
    if refused or left or failed_jobs:
        raise typer.Exit(1)
