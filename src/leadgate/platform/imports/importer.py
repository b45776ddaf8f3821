"""ImportRecords: a CSV file streamed into a table, one transaction per row, resumable.

Not one pipeline message: a message is one transaction, and an import must keep the rows
that went in when a later one is refused. ``import_records`` is the loop that the CLI, and
the background job, call; each row is the message lg_ImportRecord, run as the caller.
A job resumes with ``start_row`` = the ``next_row`` its last progress call reported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from leadgate.platform.duplicates.errors import DUPLICATE_DETECTED
from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.types import Language
from leadgate.platform.imports.conversion import convert
from leadgate.platform.imports.errors import IMPORT_MAPPING_INVALID, IMPORT_ROW_SHAPE
from leadgate.platform.imports.mapping import ColumnMapping, map_columns
from leadgate.platform.imports.messages import (
    DUPLICATE_MODES,
    ImportRecordRequest,
    ImportRecordResponse,
)
from leadgate.platform.imports.reading import CsvRow, CsvSource

if TYPE_CHECKING:
    from leadgate.platform.service import OrganizationService

__all__ = ["ImportProgress", "ImportRecordsRequest", "ImportRecordsResult", "RowReport",
           "import_records"]  # fmt: skip

# The rows kept in the result when no on_row callback takes them: a bounded memory.
KEPT_ROWS = 1000


@dataclass(frozen=True)
class ImportRecordsRequest:
    """Import ``source`` (a CSV file) into ``table``.

    mapping: header -> logical name pairs that win over matching by name or label.
    duplicates: "skip" (default), "create" or "update" a record the published rules find.
    start_row: data rows to pass over first (0-based; what ``next_row`` said when stopped).
    batch_size: rows between two progress calls (a job's checkpoint).
    language: the file's language for numbers and dates when its headers do not say it
    (a header that is a French label only makes it French); default the caller's.
    """

    table: str
    source: Path
    mapping: Mapping[str, str] = field(default_factory=dict)
    duplicates: str = "skip"
    start_row: int = 0
    batch_size: int = 100
    language: Language | None = None


@dataclass(frozen=True)
class RowReport:
    """A row not imported: refused (its coded error) or skipped as a duplicate."""

    line: int  # the physical line the row starts on in the file
    row: int  # its rank among data rows, from 0
    error: LeadgateError
    values: dict[str, str]  # the row as the file has it, by header
    skipped: bool = False


@dataclass(frozen=True)
class ImportProgress:
    rows_done: int  # data rows done, those passed over by start_row included
    bytes_read: int
    total_bytes: int
    next_row: int  # where a resumed import starts


@dataclass
class ImportRecordsResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    refused: int = 0
    rows: list[RowReport] = field(default_factory=list)  # the first KEPT_ROWS, if no on_row
    mapping: dict[str, str] = field(default_factory=dict)  # header -> column it filled
    unknown_headers: tuple[str, ...] = ()
    next_row: int = 0
    finished: bool = False  # False: stopped by the progress callback; resume at next_row

    @property
    def done(self) -> int:
        return self.created + self.updated + self.skipped + self.refused


def import_records(
    service: OrganizationService,
    request: ImportRecordsRequest,
    *,
    progress: Callable[[ImportProgress], bool | None] | None = None,
    on_row: Callable[[RowReport], None] | None = None,
) -> ImportRecordsResult:
    """Run the import as the service's user. ``progress`` is called every ``batch_size``
    rows and at the end; returning False stops the import (a job asked to stop).
    ``on_row`` receives every row not imported (the report), else the result keeps the
    first KEPT_ROWS. A file that cannot be read raises its coded error; the rows before
    it stay imported, and the error says the line."""
    _check(request)
    language = request.language or service.language
    result = ImportRecordsResult(next_row=request.start_row)
    with CsvSource(request.source) as source:
        mapping = map_columns(service.organization.metadata().table(request.table),
                              source.headers, request.mapping, language)  # fmt: skip
        result.mapping, result.unknown_headers = mapping.mapped(), mapping.unknown
        read = 0
        for row in source.rows():
            read = row.bytes_read
            if row.number < request.start_row:
                continue
            report = _import_row(service, request, mapping, row, result)
            result.next_row = row.number + 1
            if report is not None:
                if on_row is not None:
                    on_row(report)
                elif len(result.rows) < KEPT_ROWS:
                    result.rows.append(report)
            if progress is not None and result.done % request.batch_size == 0:
                state = ImportProgress(result.next_row, read, source.total_bytes, result.next_row)
                if progress(state) is False:
                    return result
        result.finished = True
        if progress is not None:
            progress(ImportProgress(result.next_row, source.total_bytes, source.total_bytes,
                                    result.next_row))  # fmt: skip
    return result


def _check(request: ImportRecordsRequest) -> None:
    if request.duplicates not in DUPLICATE_MODES:
        raise IMPORT_MAPPING_INVALID(
            pair=f"duplicates={request.duplicates}",
            reason=Text(N_("duplicates is one of {modes}."), modes=", ".join(DUPLICATE_MODES)),
        )
    if request.start_row < 0 or request.batch_size < 1:
        raise IMPORT_MAPPING_INVALID(
            pair=f"start_row={request.start_row}, batch_size={request.batch_size}",
            reason=Text(N_("start_row is 0 or more, batch_size 1 or more.")),
        )


def _import_row(
    service: OrganizationService, request: ImportRecordsRequest, mapping: ColumnMapping,
    row: CsvRow, result: ImportRecordsResult,
) -> RowReport | None:  # fmt: skip
    values = dict(zip(mapping.headers, row.values, strict=False))
    try:
        entity = _entity(request.table, mapping, row)
        response: ImportRecordResponse = service.execute(
            ImportRecordRequest(entity, request.duplicates)
        )
    except LeadgateError as error:
        result.refused += 1
        return RowReport(row.line, row.number, error, values)
    if response.outcome == "created":
        result.created += 1
    elif response.outcome == "updated":
        result.updated += 1
    else:
        result.skipped += 1
        metadata = service.organization.metadata()
        found = [match.describe(metadata) for match in response.matches]
        duplicate = DUPLICATE_DETECTED().because(Text(N_("Possible duplicates: {matches}."),
                                                      matches=found))  # fmt: skip
        return RowReport(row.line, row.number, duplicate, values, skipped=True)
    return None


def _entity(table: str, mapping: ColumnMapping, row: CsvRow) -> Entity:
    width = len(mapping.headers)
    extra = row.values[width:]
    if len(row.values) < width or any(value.strip() for value in extra):
        raise IMPORT_ROW_SHAPE(found=len(row.values), expected=width)
    entity = Entity(table)
    for column, text in zip(mapping.columns, row.values, strict=False):
        if column is not None:
            value = convert(column, text, mapping.language)
            if value is not None:  # a blank cell sets nothing: defaults apply, updates keep
                entity[column.name] = value
    return entity
