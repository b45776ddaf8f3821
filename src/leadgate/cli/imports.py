"""``leadgate import TABLE FILE.csv``: a CSV file into a table, with a progress bar, a
summary and a report of the rows not imported (``leadgate import leads`` for leads).

Each row is the message lg_ImportRecord, in its own transaction, as SYSTEM or ``--as``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from leadgate.cli.output import (
    AsOption,
    DbOption,
    PluginsOption,
    console,
    language,
    open_organization,
    say,
    service_for,
)
from leadgate.platform.engine.i18n import N_, translate
from leadgate.platform.imports.errors import IMPORT_MAPPING_INVALID
from leadgate.platform.imports.importer import (
    ImportProgress,
    ImportRecordsRequest,
    RowReport,
    import_records,
)

__all__ = ["import_file"]

# Table names people type for the sales tables, as the command's own words.
_PLURALS = {"leads": "lead", "accounts": "account", "contacts": "contact",
            "opportunities": "opportunity"}  # fmt: skip


def _pairs(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        header, sep, column = pair.partition("=")
        if not sep or not header.strip() or not column.strip():
            raise IMPORT_MAPPING_INVALID(pair=pair, reason=translate(
                N_("write it as col=column (the file's header = the table's column)."),
                language()))  # fmt: skip
        mapping[header.strip()] = column.strip()
    return mapping


class _Report:
    """The rejected rows as a CSV file: line, code, message, then the row's own values."""

    def __init__(self, stream: TextIO | None, headers: list[str]) -> None:
        self.writer = csv.writer(stream) if stream else None
        self.headers = headers
        self.started = False

    def __call__(self, row: RowReport) -> None:
        if self.writer is None:
            return
        if not self.started:
            self.writer.writerow(["line", "code", "message", *self.headers])
            self.started = True
        self.writer.writerow(
            [
                row.line,
                row.error.code,
                row.error.message(language()),
                *(row.values.get(header, "") for header in self.headers),
            ]
        )


def _headers(path: Path) -> list[str]:
    from leadgate.platform.imports.reading import CsvSource

    with CsvSource(path) as source:
        return list(source.headers)


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
    as_: AsOption = None,
    db: DbOption = None,
    plugins: PluginsOption = None,
) -> None:
    """Import a CSV file (UTF-8, `,` or `;`, header line first) into a table."""
    request = ImportRecordsRequest(
        _PLURALS.get(table, table), file, _pairs(map_ or []), duplicates, start_row,
        language=language(),
    )  # fmt: skip
    with open_organization(db, plugins) as organization:
        service = service_for(organization, as_)
        stream = report.open("w", encoding="utf-8", newline="") if report else None
        try:
            on_row = _Report(stream, _headers(file))
            with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                          TimeRemainingColumn(), console=console, transient=True,
                          disable=not console.is_terminal) as bar:  # fmt: skip
                task = bar.add_task(file.name, total=file.stat().st_size)

                def progress(state: ImportProgress) -> None:
                    bar.update(task, completed=state.bytes_read, total=state.total_bytes)

                result = import_records(service, request, progress=progress, on_row=on_row)
        finally:
            if stream:
                stream.close()
    if result.unknown_headers:
        say(N_("Not imported (no such column): {headers}"),
            headers=", ".join(result.unknown_headers))  # fmt: skip
    say(N_("{created} created, {updated} updated, {skipped} skipped (duplicates), "
           "{refused} refused."), created=result.created, updated=result.updated,
        skipped=result.skipped, refused=result.refused)  # fmt: skip
    if report and (result.skipped or result.refused):
        say(N_("Rows not imported: {path}"), path=report)
    if result.refused:
        raise typer.Exit(1)
