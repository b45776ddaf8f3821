"""``leadgate jobs``: list, show, cancel and retry system jobs (asyncoperation).

Reads go through RetrieveMultiple and Retrieve, changes through CancelJob and RetryJob, as
SYSTEM or, with ``--as EMAIL``, as that user: their own jobs only, unless their roles say more.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from leadgate.cli.output import (
    AsOption,
    DbOption,
    language,
    open_organization,
    print_table,
    record_id,
    say,
    service_for,
)
from leadgate.platform import (
    ColumnSet,
    ConditionExpression,
    Entity,
    FilterExpression,
    OrderExpression,
    PagingInfo,
    QueryExpression,
)
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.types import Language
from leadgate.platform.jobs import (
    CancelJobRequest,
    JobStatus,
    Outcome,
    RetrieveJobResultsRequest,
    RetryJobRequest,
)

__all__ = ["app", "job_line"]

app = typer.Typer(help="List, show, cancel and retry system jobs.", no_args_is_help=True)

SHOWN = 200  # results listed by `jobs show`; RetrieveJobResults pages through the rest
_LISTED = ("name", "kind", "statuscode", "progress", "ownerid", "createdon", "completedon",
           "message", "message_fr")  # fmt: skip


def status_label(table: TableMetadata, status: int) -> str:
    option = table.column("statuscode").options_by_value.get(status)
    return option.label.in_language(language()) if option is not None else str(status)


def job_message(job: Entity) -> str:
    """The job's last error or result, in the reader's language."""
    if language() is Language.FRENCH and job.get("message_fr"):
        return str(job["message_fr"])
    return str(job.get("message") or "")


def job_line(table: TableMetadata, job: Entity, seconds: float | None = None) -> str:
    """One line per job, as the worker logs it."""
    parts = [str(job.id), repr(job["name"]), status_label(table, job["statuscode"])]
    if seconds is not None:
        parts.append(f"{seconds:.2f}s")
    message = job_message(job)
    if message:
        parts.append(f"{job.get('errorcode') or ''} {message}".strip())
    return "job " + " ".join(parts)


@app.command("list")
def list_jobs(
    all_jobs: Annotated[
        bool, typer.Option("--all", help="Also the jobs that succeeded (default: the others).")
    ] = False,
    top: Annotated[int, typer.Option(help="At most this many, newest first.", min=1)] = 50,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """List system jobs, newest first: name, status reason, progress, owner, dates and id."""
    conditions: tuple[ConditionExpression, ...] = ()
    if not all_jobs:
        conditions = (ConditionExpression.make("statuscode", "ne", int(JobStatus.SUCCEEDED)),)
    with open_organization(db) as organization:
        service = service_for(organization, as_user)
        jobs = service.retrieve_multiple(
            QueryExpression(
                "asyncoperation",
                ColumnSet.of(*_LISTED, "errorcode"),
                FilterExpression(conditions=conditions),
                (OrderExpression("createdon", descending=True),
                 OrderExpression("asyncoperationid")),
                top_count=top,
                page_info=PagingInfo(count=top),
            )
        ).entities  # fmt: skip
        if not jobs:
            say(N_("(no system jobs)"))
            return
        table = organization.metadata().table("asyncoperation")
        print_table(
            ["name", "kind", "status", "progress", "created", "completed", "message", "id"],
            (
                (
                    job["name"], job["kind"], status_label(table, job["statuscode"]),
                    f"{job['progress'] or 0}%", _when(job.get("createdon")),
                    _when(job.get("completedon")), job_message(job)[:120], job.id,
                )
                for job in jobs
            ),
        )  # fmt: skip


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if hasattr(value, "strftime") else ""


@app.command("show")
def show(
    job: Annotated[str, typer.Argument(metavar="ID", help="The job's id.")],
    every_result: Annotated[
        bool,
        typer.Option("--results", help="List every item's result, not only the failures."),
    ] = False,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Show one system job: every column, its data, its message and what it did item by item
    (the failures, or with --results every item)."""
    with open_organization(db) as organization:
        service = service_for(organization, as_user)
        record = service.retrieve("asyncoperation", record_id(job))
        table = organization.metadata().table("asyncoperation")
        rows = []
        for name in ("name", "kind", "operationtype", "statuscode", "progress", "ownerid",
                     "regardingobjecttypecode", "regardingobjectid", "createdon", "startedon",
                     "completedon", "retrycount", "postponeuntil", "hostid", "lockeduntil",
                     "data", "checkpoint", "errorcode"):  # fmt: skip
            value: Any = record.get(name)
            column = table.column(name)
            if name == "statuscode":
                value = status_label(table, value)
            elif column.options_by_value and value in column.options_by_value:
                value = column.options_by_value[value].label.in_language(language())
            elif hasattr(value, "id"):
                value = value.id
            rows.append((column.label.in_language(language()), value))
        rows.append((table.column("message").label.in_language(language()), job_message(record)))
        print_table(["column", "value"], rows, title=str(record.id))
        show_results(service, record_id(job), every_result)


def show_results(service: Any, job_id: Any, every_result: bool) -> None:
    """The counts by outcome, then the failures (or every item), page after page."""
    wanted = None if every_result else Outcome.FAILED
    page = service.execute(RetrieveJobResultsRequest(job_id, outcome=wanted, top=SHOWN))
    if not any(page.counts.values()):
        return
    say(N_("Items: {succeeded} succeeded, {failed} failed, {skipped} skipped."),
        succeeded=page.counts[Outcome.SUCCEEDED], failed=page.counts[Outcome.FAILED],
        skipped=page.counts[Outcome.SKIPPED])  # fmt: skip
    results = page.results
    if not results:
        return
    outcome_column = service.organization.metadata().table("jobresult").column("outcome")
    print_table(
        ["#", "item", "outcome", "code", "message"],
        (
            (
                result["sequencenumber"], result.get("name") or result.get("objectid") or "",
                outcome_column.options_by_value[result["outcome"]].label.in_language(language()),
                result.get("errorcode") or "", job_message(result),
            )
            for result in results
        ),
    )  # fmt: skip
    if page.more:
        say(N_("… and more: the first {count} are shown."), count=SHOWN)


@app.command("cancel")
def cancel(
    job: Annotated[str, typer.Argument(metavar="ID", help="The job's id.")],
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Cancel a job: at once if it waits, at its next progress report if it runs."""
    with open_organization(db) as organization:
        response = service_for(organization, as_user).execute(CancelJobRequest(record_id(job)))
        table = organization.metadata().table("asyncoperation")
        say(N_("System job {id}: {status}."), id=record_id(job),
            status=status_label(table, int(response.status)))  # fmt: skip


@app.command("retry")
def retry(
    job: Annotated[str, typer.Argument(metavar="ID", help="The job's id.")],
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Run a failed or canceled job again, from its last checkpoint."""
    with open_organization(db) as organization:
        service_for(organization, as_user).execute(RetryJobRequest(record_id(job)))
        table = organization.metadata().table("asyncoperation")
        say(N_("System job {id}: {status}."), id=record_id(job),
            status=status_label(table, int(JobStatus.WAITING_FOR_RESOURCES)))  # fmt: skip
