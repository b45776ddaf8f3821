"""ImportRecordsImport: an uploaded file imported by a system job (kind ``import``).

The message (Dataverse's name for "import the records of this import as a job") checks the
file and its mapping — a bad ``col=column`` pair or a header that maps nothing is refused
before anything is queued — then queues the job, as the caller, in the same transaction.

The job streams the stored file (never whole), runs its rows chunk by chunk through
``JobContext.checkpoint_items`` — each row in a savepoint, its outcome kept as a ``jobresult``
row numbered by its line, and where the reading is (line, byte, row) committed with them —
so that a job killed between two chunks resumes after the last committed row and imports no
row twice. Its checkpoint also counts the rows of the chunks before the last one; a resumed
run counts the last one from its results. When the job succeeds, the file's content is
deleted (the rows not imported keep their values in their results).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.types import Language
from leadgate.platform.imports.errors import IMPORT_FILE_SUBMITTED
from leadgate.platform.imports.files import (
    FILE_TABLE,
    DeleteImportFileContentRequest,
    RetrieveImportFileChunkRequest,
    authorize_own_file,
    check_open,
    file_row,
    open_stored,
    piece_at,
    set_file,
)
from leadgate.platform.imports.importer import (
    ImportProgress,
    ImportRecordsResult,
    check_options,
    import_rows,
)
from leadgate.platform.imports.mapping import map_columns
from leadgate.platform.imports.messages import SKIP
from leadgate.platform.imports.reading import CsvSource, ReadPosition
from leadgate.platform.jobs.messages import QueueJobRequest
from leadgate.platform.jobs.registry import JobContext
from leadgate.platform.jobs.results import ItemOutcome, JobItem, Outcome, RetrieveJobResultsRequest
from leadgate.platform.security.privileges import Right

__all__ = ["KIND", "MESSAGES", "ImportRecordsImportRequest", "ImportRecordsImportResponse",
           "import_counts", "run_import"]  # fmt: skip

KIND = "import"
CHUNK_ROWS = 200  # rows per checkpoint at most
CHUNK_SECONDS = 0.5  # and a chunk shrinks until it runs in about this long


@dataclass(frozen=True)
class ImportRecordsImportRequest:
    """Import an uploaded file (CreateImportFile, AppendImportFile) into its table, as a
    system job of the caller's. ``mapping``, ``duplicates``, ``start_row`` as for
    ``import_records``; ``language``: the file's for numbers and dates unless its headers say
    it (default: the caller's)."""

    file_id: uuid.UUID
    mapping: Mapping[str, str] = field(default_factory=dict)
    duplicates: str = SKIP
    language: Language | None = None
    start_row: int = 0


@dataclass(frozen=True)
class ImportRecordsImportResponse:
    job_id: uuid.UUID
    headers: tuple[str, ...]  # the file's
    mapping: dict[str, str]  # header -> the column it fills
    unknown_headers: tuple[str, ...]  # headers that name no column: not imported
    language: Language  # the file's, for numbers and dates


def import_records_import(
    operation: Operation[ImportRecordsImportRequest],
) -> ImportRecordsImportResponse:
    request = operation.request
    check_options(request.duplicates, request.start_row)
    file = file_row(operation, request.file_id, lock=True)
    if file.get("asyncoperationid") is not None:
        raise IMPORT_FILE_SUBMITTED(name=file["name"], job=file["asyncoperationid"].id)
    check_open(file)
    table = operation.table(file["targetentityname"])
    stream, size = open_stored(lambda position: piece_at(operation, request.file_id, position))
    with CsvSource(stream, size) as source:
        mapping = map_columns(table, source.headers, request.mapping,
                              request.language or operation.caller.language)  # fmt: skip
    data = {
        "file": str(request.file_id), "table": table.name, "mapping": dict(request.mapping),
        "duplicates": request.duplicates, "language": mapping.language.value,
        "start_row": request.start_row,
    }  # fmt: skip
    queued = operation.execute(QueueJobRequest(
        KIND, data, regarding=EntityReference(FILE_TABLE, request.file_id),
        name=f"Import {file['name']}"[:256]))  # fmt: skip
    set_file(operation, request.file_id, asyncoperationid=EntityReference(
        "asyncoperation", queued.id))  # fmt: skip
    return ImportRecordsImportResponse(
        queued.id, mapping.headers, mapping.mapped(), mapping.unknown, mapping.language
    )


def authorize_import(operation: Operation[ImportRecordsImportRequest]) -> None:
    """The file's owner (or Write on it), who may create records of its table."""
    authorize_own_file(operation, Right.WRITE)
    file = operation.retrieve(FILE_TABLE, operation.request.file_id, ["targetentityname"])
    if file is not None:
        operation.require(Right.CREATE, operation.table(file["targetentityname"]))


MESSAGES = {
    ImportRecordsImportRequest: Message(
        "ImportRecordsImport", import_records_import,
        target=lambda request: (FILE_TABLE, request.file_id), authorize=authorize_import,
    ),
}  # fmt: skip


# --- the job ----------------------------------------------------------------------------


def run_import(context: JobContext) -> None:
    """The ``import`` job's handler: see the module's docstring."""
    data = context.data
    resumed: dict[str, Any] = context.resume_from or {}
    if resumed.get("done"):
        return  # killed after its last checkpoint: nothing is left to do
    file_id = uuid.UUID(data["file"])
    service = context.service
    metadata = context.organization.metadata()
    table = metadata.table(data["table"])
    result = ImportRecordsResult()
    counted_line = _resume_counts(context, resumed, result)
    stream, size = open_stored(
        lambda position: service.execute(RetrieveImportFileChunkRequest(file_id, position))
    )

    def run(
        items: list[JobItem], after: ReadPosition, so_far: ImportRecordsResult
    ) -> Sequence[ItemOutcome]:
        nonlocal counted_line
        value = {**after.as_json(), "counted": {"line": counted_line, **so_far.counts()}}
        outcomes = context.checkpoint_items(value, items)
        counted_line = after.line
        return outcomes

    def progress(state: ImportProgress) -> None:
        context.progress(state.bytes_read, state.total_bytes)

    with CsvSource(stream, size) as source:
        mapping = map_columns(table, source.headers, data.get("mapping") or {},
                              Language(data["language"]))  # fmt: skip
        start = ReadPosition.from_json(resumed) if resumed else None
        import_rows(
            metadata, table, source, mapping, data["duplicates"], run, result, start=start,
            start_row=int(data.get("start_row") or 0), batch_size=CHUNK_ROWS,
            max_seconds=CHUNK_SECONDS, progress=progress, on_row=lambda _report: None,
        )  # fmt: skip
    assert result.position is not None
    final = {**result.position.as_json(), "done": True,
             "counted": {"line": result.position.line, **result.counts()}}  # fmt: skip
    context.checkpoint(final, DeleteImportFileContentRequest(file_id))


def _resume_counts(
    context: JobContext, resumed: dict[str, Any], result: ImportRecordsResult
) -> int:
    """Count the rows a killed run committed: its checkpoint's counts, which stop one chunk
    short, plus that last chunk's results. Returns the line the counts reach."""
    counted = resumed.get("counted")
    if not counted:
        return 0
    for name in ("created", "updated", "skipped", "refused"):
        setattr(result, name, int(counted.get(name, 0)))
    line = int(counted.get("line", 0))
    reader = context.organization.system_service()
    after = line
    while True:
        page = reader.execute(RetrieveJobResultsRequest(context.job_id, after=after, top=1000))
        for found in page.results:
            _tally(result, found)
            after = found["sequencenumber"]
        if not page.more:
            return int(resumed["line"])


def _tally(result: ImportRecordsResult, found: Any) -> None:
    outcome = Outcome(found["outcome"])
    if outcome is Outcome.FAILED:
        result.refused += 1
    elif outcome is Outcome.SKIPPED:
        result.skipped += 1
    elif json.loads(found.get("detail") or "{}").get("outcome") == "updated":
        result.updated += 1
    else:
        result.created += 1


def import_counts(checkpoint: Any) -> dict[str, int] | None:
    """A finished import job's counts (created, updated, skipped, refused), read from its
    checkpoint; None while it is not finished."""
    if not isinstance(checkpoint, dict) or not checkpoint.get("done"):
        return None
    counted = checkpoint.get("counted") or {}
    return {name: int(counted.get(name, 0)) for name in ("created", "updated", "skipped",
                                                         "refused")}  # fmt: skip
