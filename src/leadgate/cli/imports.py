"""``leadgate import TABLE FILE.csv``: a CSV file into a table, with a progress bar, a
summary and a report of the rows not imported (``leadgate import leads`` for leads).

The file is uploaded into the database (lg_CreateImportFile, lg_AppendImportFile, a piece at
a time), then imported by a system job (ImportRecordsImport), as SYSTEM or ``--as``: by
default this command runs the job itself and waits for it; ``--no-wait`` leaves it to a
worker. ``leadgate purge-imports`` deletes old uploaded files.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from leadgate.cli.output import (
    AsOption,
    DbOption,
    PluginsOption,
    console,
    errors_console,
    language,
    open_organization,
    say,
    service_for,
)
from leadgate.cli.waiting import wait_for_jobs
from leadgate.platform import Entity
from leadgate.platform.engine.i18n import N_, Text, translate
from leadgate.platform.engine.types import Language
from leadgate.platform.imports.errors import IMPORT_MAPPING_INVALID
from leadgate.platform.imports.files import (
    DeleteImportFileContentRequest,
    PurgeImportFilesRequest,
    upload_file,
)
from leadgate.platform.imports.job import ImportRecordsImportRequest, import_counts
from leadgate.platform.jobs import JobStatus, Outcome, RetrieveJobResultsRequest
from leadgate.platform.service import OrganizationService

__all__ = ["import_file", "purge"]

# Table names people type for the sales tables, as the command's own words.
_PLURALS = {"leads": "lead", "accounts": "account", "contacts": "contact",
            "opportunities": "opportunity"}  # fmt: skip


def _pairs(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        header, sep, column = pair.partition("=")
        if not sep or not header.strip() or not column.strip():
            reason = Text(N_("write it as col=column (the file's header = the table's column)."))
            raise IMPORT_MAPPING_INVALID(pair=pair, reason=reason)
        mapping[header.strip()] = column.strip()
    return mapping


def _not_imported(service: OrganizationService, job_id: uuid.UUID) -> Iterator[Entity]:
    """The job's refused and skipped rows, in line order, page after page."""

    def pages(outcome: Outcome) -> Iterator[Entity]:
        after = -1
        while True:
            page = service.execute(RetrieveJobResultsRequest(job_id, outcome, 1000, after))
            yield from page.results
            if not page.more or not page.results:
                return
            after = page.results[-1]["sequencenumber"]

    key = lambda result: result["sequencenumber"]  # noqa: E731
    return heapq.merge(pages(Outcome.FAILED), pages(Outcome.SKIPPED), key=key)


def _write_report(stream: TextIO, headers: tuple[str, ...], rows: Iterator[Entity]) -> None:
    """The rows not imported as a CSV file: line, code, message, then the row's own values."""
    writer = csv.writer(stream)
    writer.writerow(["line", "code", "message", *headers])
    french = language() is Language.FRENCH
    for row in rows:
        values = json.loads(row.get("detail") or "{}").get("values", {})
        message = (row.get("message_fr") if french else None) or row.get("message") or ""
        writer.writerow([row["sequencenumber"], row.get("errorcode") or "", message,
                         *(values.get(header, "") for header in headers)])  # fmt: skip


def _bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                    TimeRemainingColumn(), console=console, transient=True,
                    disable=not console.is_terminal)  # fmt: skip


def import_file(
    table: Annotated[str, typer.Argument(help="The table: leads, or any table's logical name.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The CSV file.")],
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="COL=COLUMN",
            help="Map the file's column COL to the table's column (repeat for several).",
        ),
    ] = None,
    duplicates: Annotated[
        str,
        typer.Option(
            "--duplicates",
            metavar="skip|create|update",
            help="A row the published duplicate rules flag: skip it, create it anyway, or "
            "update the record found.",
        ),
    ] = "skip",
    start_row: Annotated[
        int, typer.Option("--start-row", min=0, help="Data rows to pass over (resume an import).")
    ] = 0,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            dir_okay=False,
            help="Write the rows not imported to this CSV file.",
        ),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait/--no-wait",
            help="Run the import job here and wait for it (default), or leave it to a worker.",
        ),
    ] = True,
    as_: AsOption = None,
    db: DbOption = None,
    plugins: PluginsOption = None,
) -> None:
    """Import a CSV file (UTF-8, `,` or `;`, header line first) into a table, as a system job."""
    mapping = _pairs(map_ or [])
    size = file.stat().st_size
    with open_organization(db, plugins) as organization:
        service = service_for(organization, as_)
        with _bar() as bar:
            sending = bar.add_task(translate(N_("Uploading {name}"), language()).format(
                name=file.name), total=size)  # fmt: skip
            with file.open("rb") as stream:
                file_id = upload_file(
                    service,
                    stream,
                    file.name,
                    _PLURALS.get(table, table),
                    progress=lambda sent: bar.update(sending, completed=sent),
                )
        try:
            queued = service.execute(ImportRecordsImportRequest(
                file_id, mapping, duplicates, language(), start_row))  # fmt: skip
        except BaseException:
            service.execute(DeleteImportFileContentRequest(file_id))  # nothing will read it
            raise
        if queued.unknown_headers:
            say(N_("Not imported (no such column): {headers}"),
                headers=", ".join(queued.unknown_headers))  # fmt: skip
        if not wait:
            say(N_("System job {id} queued: see it with 'leadgate jobs show {id}'."),
                id=queued.job_id)  # fmt: skip
            return

        def bytes_done(jobs: list[Entity]) -> float:
            (job,) = jobs
            where = json.loads(job.get("checkpoint") or "{}")
            return where.get("offset") or size * (job.get("progress") or 0) // 100

        (job,) = wait_for_jobs(organization, service, [queued.job_id], file.name,
                               watch=bytes_done, total=size, count=DownloadColumn())  # fmt: skip
        _finish(service, queued.job_id, queued.headers, job, report)


def _finish(
    service: OrganizationService, job_id: uuid.UUID, headers: tuple[str, ...], job: Entity,
    report: Path | None,
) -> None:  # fmt: skip
    counts = import_counts(json.loads(job.get("checkpoint") or "{}"))
    if job["statuscode"] != JobStatus.SUCCEEDED or counts is None:
        ended = service.retrieve("asyncoperation", job_id, ["errorcode", "message", "message_fr"])
        french = language() is Language.FRENCH
        message = (ended.get("message_fr") if french else None) or ended.get("message") or ""
        errors_console.print(f"error {ended.get('errorcode') or ''}: {message}", soft_wrap=True)
        say(N_("See the system job: 'leadgate jobs show {id}'."), id=job_id)
        raise typer.Exit(1)
    if report is not None:
        with report.open("w", encoding="utf-8", newline="") as stream:
            _write_report(stream, headers, _not_imported(service, job_id))
    say(N_("{created} created, {updated} updated, {skipped} skipped (duplicates), "
           "{refused} refused."), **counts)  # fmt: skip
    if report and (counts["skipped"] or counts["refused"]):
        say(N_("Rows not imported: {path}"), path=report)
    if counts["refused"]:
        raise typer.Exit(1)


def purge(
    older_than: Annotated[
        float,
        typer.Option("--older-than", min=0, metavar="DAYS", help="Files unchanged this long."),
    ] = 7.0,
    as_: AsOption = None,
    db: DbOption = None,
) -> None:
    """Delete uploaded import files (record and content) unchanged for DAYS whose import is
    over or was never queued. A succeeded import's content is deleted already."""
    before = dt.datetime.now(dt.UTC) - dt.timedelta(days=older_than)
    deleted = 0
    with open_organization(db) as organization:
        service = service_for(organization, as_)
        while True:
            purged = service.execute(PurgeImportFilesRequest(before))
            deleted += purged.files
            if not purged.more:
                break
    say(N_("Uploaded files deleted: {count}."), count=deleted)
