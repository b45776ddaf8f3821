"""The import's loop: rows streamed from a CSV file, each converted into an lg_ImportRecord
request (or refused with its coded error), run chunk by chunk, counted and reported.

One loop, two ways of running a chunk of rows:

- the **import job** (``job.py``, what ``leadgate import`` queues) hands each chunk to
  ``JobContext.checkpoint_items``: every row in a savepoint of one transaction that also
  stores where the reading is, so a killed job resumes after the last committed row;
- ``import_records`` runs each row as its own message, in the caller's process: the
  in-process API for scripts and tests, which resumes by ``start_row``.

Not one pipeline message: a message is one transaction, and an import keeps the rows that
went in when a later one is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leadgate.platform.duplicates.errors import DUPLICATE_DETECTED
from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import MetadataSet, TableMetadata
from leadgate.platform.engine.types import Language
from leadgate.platform.imports.conversion import convert
from leadgate.platform.imports.errors import IMPORT_MAPPING_INVALID, IMPORT_ROW_SHAPE
from leadgate.platform.imports.mapping import ColumnMapping, map_columns
from leadgate.platform.imports.messages import (
    DUPLICATE_MODES,
    SKIP,
    ImportRecordRequest,
    ImportRecordResponse,
)
from leadgate.platform.imports.reading import CsvRow, CsvSource, ReadPosition
from leadgate.platform.jobs.results import ItemOutcome, JobItem, Outcome

if TYPE_CHECKING:
    from leadgate.platform.service import OrganizationService

__all__ = ["ImportProgress", "ImportRecordsRequest", "ImportRecordsResult", "RowReport",
           "RunChunk", "check_options", "import_records", "import_rows"]  # fmt: skip

# The rows kept in the result when no on_row callback takes them: a bounded memory.
KEPT_ROWS = 1000
# A chunk of an import job's rows shrinks until it takes about this long: SQLite holds its
# one write lock while a chunk runs, and a browser user waits for it meanwhile.
SMALLEST_CHUNK = 10


@dataclass(frozen=True)
class ImportRecordsRequest:
    """Import ``source`` (a CSV file) into ``table``, in this process.

    mapping: header -> logical name pairs that win over matching by name or label.
    duplicates: "skip" (default), "create" or "update" a record the published rules find.
    start_row: data rows to pass over first (0-based; what ``next_row`` said when stopped).
    batch_size: rows between two progress calls.
    language: the file's language for numbers and dates when its headers do not say it
    (a header that is a French label only makes it French); default the caller's.
    """

    table: str
    source: Path
    mapping: Mapping[str, str] = field(default_factory=dict)
    duplicates: str = SKIP
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
    position: ReadPosition | None = None  # where the reading is (after the last row done)

    @property
    def done(self) -> int:
        return self.created + self.updated + self.skipped + self.refused

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "skipped": self.skipped,
                "refused": self.refused}  # fmt: skip


# run(items, position after them, the result so far) -> each item's outcome, in order.
RunChunk = Callable[[list[JobItem], ReadPosition, ImportRecordsResult], Sequence[ItemOutcome]]


def check_options(duplicates: str, start_row: int = 0, batch_size: int = 1) -> None:
    """Refuse a duplicate handling or a start that the import does not know."""
    if duplicates not in DUPLICATE_MODES:
        raise IMPORT_MAPPING_INVALID(
            pair=f"duplicates={duplicates}",
            reason=Text(N_("duplicates is one of {modes}."), modes=", ".join(DUPLICATE_MODES)),
        )
    if start_row < 0 or batch_size < 1:
        raise IMPORT_MAPPING_INVALID(
            pair=f"start_row={start_row}, batch_size={batch_size}",
            reason=Text(N_("start_row is 0 or more, batch_size 1 or more.")),
        )


def import_rows(
    metadata: MetadataSet,
    table: TableMetadata,
    source: CsvSource,
    mapping: ColumnMapping,
    duplicates: str,
    run: RunChunk,
    result: ImportRecordsResult,
    *,
    start: ReadPosition | None = None,
    start_row: int = 0,
    batch_size: int = 100,
    max_seconds: float | None = None,
    progress: Callable[[ImportProgress], bool | None] | None = None,
    on_row: Callable[[RowReport], None] | None = None,
) -> ImportRecordsResult:
    """Read ``source`` from ``start`` (default: after its header), run its rows ``batch_size``
    at a time with ``run``, and count them in ``result``. ``max_seconds``: shrink a chunk
    that ran longer (and grow it back, up to ``batch_size``, when it runs fast).
    ``progress`` after each chunk (False: stop); ``on_row`` for every row not imported."""
    chunk: list[tuple[CsvRow, JobItem]] = []
    size = batch_size
    position = start or source.start
    result.position, result.next_row = position, position.row

    def flush() -> bool:
        nonlocal size, position
        began = time.monotonic()
        after = chunk[-1][0].after
        outcomes = run([item for _, item in chunk], after, result)
        for (row, _item), outcome in zip(chunk, outcomes, strict=True):
            report = _count(result, mapping, row, outcome)
            if report is not None:
                if on_row is not None:
                    on_row(report)
                elif len(result.rows) < KEPT_ROWS:
                    result.rows.append(report)
        chunk.clear()
        position = result.position = after
        result.next_row = after.row
        if max_seconds is not None:
            took = time.monotonic() - began
            if took > max_seconds:
                size = max(min(SMALLEST_CHUNK, batch_size), int(size * max_seconds / took))
            elif took < max_seconds / 2:
                size = min(batch_size, size * 2)
        state = ImportProgress(after.row, after.offset, source.total_bytes, after.row)
        return progress is None or progress(state) is not False

    rows = source.rows(start)
    while True:
        try:
            row = next(rows, None)
        except LeadgateError:  # the file stops being readable: the rows before it go in
            if chunk:
                flush()
            raise
        if row is None:
            break
        if row.number < start_row:
            position = result.position = row.after
            continue
        chunk.append((row, row_item(metadata, table, mapping, duplicates, row)))
        if len(chunk) >= size and not flush():
            return result
    if chunk:
        flush()
    result.finished = True
    result.next_row = position.row
    if progress is not None:
        progress(ImportProgress(position.row, source.total_bytes, source.total_bytes,
                                position.row))  # fmt: skip
    return result


def row_item(
    metadata: MetadataSet,
    table: TableMetadata,
    mapping: ColumnMapping,
    duplicates: str,
    row: CsvRow,
) -> JobItem:
    """The row as a job item: its lg_ImportRecord request, or the coded error of a row that
    does not convert (nothing to run). Its line is its sequence; its values are kept with a
    row not imported, for the report."""
    values = dict(zip(mapping.headers, row.values, strict=False))
    name = ", ".join(" ".join(value.split()) for value in row.values if value.strip())[:120]
    kept = {"row": row.number, "values": values}
    try:
        entity = _entity(table.name, mapping, row)
    except LeadgateError as error:
        return JobItem(row.line, name=name, error=error, detail=kept)

    def describe(response: ImportRecordResponse) -> dict[str, Any]:
        made = {"outcome": response.outcome, "id": str(response.id)}
        return {**made, **kept} if response.outcome == "skipped" else made

    def skipped(response: ImportRecordResponse) -> LeadgateError | None:
        if response.outcome != "skipped":
            return None
        found = [match.describe(metadata) for match in response.matches]
        return DUPLICATE_DETECTED().because(Text(N_("Possible duplicates: {matches}."),
                                                 matches=found))  # fmt: skip

    return JobItem(row.line, ImportRecordRequest(entity, duplicates), name=name, detail=kept,
                   describe=describe, skipped=skipped)  # fmt: skip


def _count(
    result: ImportRecordsResult, mapping: ColumnMapping, row: CsvRow, done: ItemOutcome
) -> RowReport | None:
    if done.outcome is Outcome.SUCCEEDED:
        if done.response is not None and done.response.outcome == "updated":
            result.updated += 1
        else:
            result.created += 1
        return None
    assert done.error is not None
    values = dict(zip(mapping.headers, row.values, strict=False))
    skipped = done.outcome is Outcome.SKIPPED
    if skipped:
        result.skipped += 1
    else:
        result.refused += 1
    return RowReport(row.line, row.number, done.error, values, skipped=skipped)


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


# --- in this process --------------------------------------------------------------------


def each_in_its_transaction(service: OrganizationService) -> RunChunk:
    """Run each row as its own message (its own transaction), as the service's user."""

    def run(items: list[JobItem], _after: ReadPosition, _result: Any) -> list[ItemOutcome]:
        outcomes = []
        for item in items:
            if item.request is None:
                outcomes.append(ItemOutcome(item, Outcome.FAILED, error=item.error))
                continue
            try:
                response = service.execute(item.request)
            except LeadgateError as error:
                outcomes.append(ItemOutcome(item, Outcome.FAILED, error=error))
                continue
            passed = item.skipped(response) if item.skipped is not None else None
            kind = Outcome.SKIPPED if passed is not None else Outcome.SUCCEEDED
            outcomes.append(ItemOutcome(item, kind, response, passed))
        return outcomes

    return run


def import_records(
    service: OrganizationService,
    request: ImportRecordsRequest,
    *,
    progress: Callable[[ImportProgress], bool | None] | None = None,
    on_row: Callable[[RowReport], None] | None = None,
) -> ImportRecordsResult:
    """Run the import in this process, as the service's user, each row in its own
    transaction. ``progress`` is called every ``batch_size`` rows and at the end; returning
    False stops the import. ``on_row`` receives every row not imported (the report), else the
    result keeps the first KEPT_ROWS. A file that cannot be read raises its coded error; the
    rows before it stay imported, and the error says the line."""
    check_options(request.duplicates, request.start_row, request.batch_size)
    language = request.language or service.language
    metadata = service.organization.metadata()
    table = metadata.table(request.table)
    with CsvSource(request.source) as source:
        mapping = map_columns(table, source.headers, request.mapping, language)
        result = ImportRecordsResult(mapping=mapping.mapped(), unknown_headers=mapping.unknown)
        return import_rows(
            metadata, table, source, mapping, request.duplicates, each_in_its_transaction(service),
            result, start_row=request.start_row, batch_size=request.batch_size,
            progress=progress, on_row=on_row,
        )  # fmt: skip
