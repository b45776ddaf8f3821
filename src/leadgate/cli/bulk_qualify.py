"""``leadgate leads qualify --all-matching FILTER`` / ``--file ids.txt``: many leads qualified
by system jobs (BulkQualifyLeads), with a progress bar while they run.

The command queues the jobs, then waits for them (cli/waiting.py): it runs them itself
unless a worker takes them first; Ctrl+C stops the waiting, not the work.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import typer
from rich.progress import MofNCompleteColumn

from leadgate.cli.errors import LEAD_ID_UNREADABLE
from leadgate.cli.jobs import job_line, job_message
from leadgate.cli.output import console, errors_console, language, print_table, say
from leadgate.cli.waiting import wait_for_jobs
from leadgate.platform import Entity, Organization, OrganizationService, QueryExpression
from leadgate.platform.engine.i18n import N_, translate
from leadgate.platform.jobs import JobState, JobStatus, Outcome, RetrieveJobResultsRequest
from leadgate.sales.bulk_qualify import BulkQualifyLeadsRequest, BulkQualifyLeadsResponse

__all__ = ["lead_ids_from_file", "matching", "qualify_many"]

SHOWN = 200  # refusals listed; `leadgate jobs show ID` lists a job's every one
_SHOWN_BAD_LINES = 20


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

    criteria = parse_filter(text, column, lambda name: resolve_property(table, name))
    return QueryExpression("lead", criteria=criteria)


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


def _wait(
    organization: Organization, service: OrganizationService, queued: BulkQualifyLeadsResponse
) -> None:
    """Run the jobs here (a worker may take some), with a bar of the leads done."""
    finished: dict[uuid.UUID, int] = {}  # the jobs done: their items

    def leads_done(jobs: list[Entity]) -> float:
        done = 0
        for job in jobs:
            assert job.id is not None
            if job.id not in finished:
                items: int = sum(_counts(service, job.id).values())
                if job["statecode"] != JobState.COMPLETED:
                    done += items
                    continue
                finished[job.id] = items
            done += finished[job.id]
        return done

    wait_for_jobs(organization, service, queued.job_ids,
                  translate(N_("Qualifying leads"), language()), watch=leads_done,
                  total=queued.count, count=MofNCompleteColumn())  # fmt: skip


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
