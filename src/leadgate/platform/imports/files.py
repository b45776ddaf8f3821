"""Files uploaded for an import, kept in the database: Dataverse's ``importfile``.

An import runs as a system job, and the worker that runs it may be on another machine than
the one the file came from: the file lives in the database, as pieces of about 1 MiB
(``importfilechunk`` rows, base64 text) appended in order, so that neither an upload nor the
job that streams the file holds it whole. A file is its uploader's: they may add to it, read
it and import it; anyone else needs the right on import files at a depth that reaches it
(an administrator). Its content is deleted when its import succeeds (docs/import.md).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

import sqlalchemy as sa

from leadgate.platform.engine import rows
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.errors import RECORD_NOT_FOUND
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.imports.errors import (
    IMPORT_FILE_CONTENT_DELETED,
    IMPORT_FILE_SUBMITTED,
    IMPORT_PIECE_OUT_OF_PLACE,
    IMPORT_PIECE_TOO_LARGE,
)
from leadgate.platform.jobs.states import JobState
from leadgate.platform.records.crud import CreateRequest, DeleteRequest
from leadgate.platform.security.access import privilege_denied
from leadgate.platform.security.privileges import Depth, Right, privilege_name

if TYPE_CHECKING:
    from leadgate.platform.service import OrganizationService

__all__ = [
    "FILE_TABLE",
    "MAX_PIECE",
    "MESSAGES",
    "PIECE_SIZE",
    "AppendImportFileRequest",
    "AppendImportFileResponse",
    "CreateImportFileRequest",
    "CreateImportFileResponse",
    "DeleteImportFileContentRequest",
    "DeleteImportFileContentResponse",
    "PurgeImportFilesRequest",
    "PurgeImportFilesResponse",
    "RetrieveImportFileChunkRequest",
    "RetrieveImportFileChunkResponse",
    "StoredFile",
    "authorize_own_file",
    "file_row",
    "open_stored",
    "piece_at",
    "set_file",
    "upload_file",
]

FILE_TABLE = "importfile"
CHUNK_TABLE = "importfilechunk"
PIECE_SIZE = 2**20  # what an upload sends at a time
MAX_PIECE = 4 * 2**20  # what one piece may hold
_READ_BUFFER = 64 * 2**10


@dataclass(frozen=True)
class CreateImportFileRequest:
    """A new, empty file of the caller's, whose rows are meant for ``table``."""

    name: str
    table: str


@dataclass(frozen=True)
class CreateImportFileResponse:
    id: uuid.UUID


@dataclass(frozen=True)
class AppendImportFileRequest:
    """The next piece of a file: ``start`` is the file's size so far (a piece sent twice is
    refused, not stored twice)."""

    file_id: uuid.UUID
    start: int
    content: bytes


@dataclass(frozen=True)
class AppendImportFileResponse:
    size: int  # the file's size with this piece


@dataclass(frozen=True)
class RetrieveImportFileChunkRequest:
    """The piece of a file that holds byte ``position``."""

    file_id: uuid.UUID
    position: int = 0


@dataclass(frozen=True)
class RetrieveImportFileChunkResponse:
    content: bytes  # empty past the end
    start: int  # the byte the piece starts at
    size: int  # the whole file's


@dataclass(frozen=True)
class DeleteImportFileContentRequest:
    """Delete what a file holds, keeping its record (name, size, job): the cleanup."""

    file_id: uuid.UUID


@dataclass(frozen=True)
class DeleteImportFileContentResponse:
    pieces: int  # how many were deleted


@dataclass(frozen=True)
class PurgeImportFilesRequest:
    """Delete, record and content, up to ``top`` uploaded files last changed before
    ``before`` whose import is over (its job completed, or deleted) or was never queued."""

    before: dt.datetime
    top: int = 100


@dataclass(frozen=True)
class PurgeImportFilesResponse:
    files: int
    more: bool  # more files are old enough: call again


def file_row(operation: Operation[Any], file_id: uuid.UUID, *, lock: bool = False) -> Entity:
    """The file's record as this transaction sees it; RECORD_NOT_FOUND if none."""
    found = operation.retrieve(FILE_TABLE, file_id, lock=lock)
    if found is None:
        raise RECORD_NOT_FOUND(table=FILE_TABLE, id=file_id)
    return found


def set_file(operation: Operation[Any], file_id: uuid.UUID, **values: Any) -> None:
    """Bookkeeping of a file (its size, its job), written by the import's own messages."""
    values.setdefault("modifiedon", operation.now())
    rows.update_row(operation.connection, operation.table(FILE_TABLE),
                    operation.sql_table(FILE_TABLE), file_id, values)  # fmt: skip


def check_open(file: Entity) -> None:
    """Refuse a file whose content was deleted."""
    if file.get("contentdeletedon") is not None:
        raise IMPORT_FILE_CONTENT_DELETED(name=file["name"], date=file["contentdeletedon"])


def create_import_file(operation: Operation[CreateImportFileRequest]) -> CreateImportFileResponse:
    request = operation.request
    table = operation.table(request.table)  # UNKNOWN_TABLE before anything is written
    values = {
        "name": request.name[:256] or "import.csv", "targetentityname": table.name, "size": 0,
        "ownerid": EntityReference("systemuser", operation.caller.user_id),
    }  # fmt: skip
    # Authorized above (the file is the caller's, and grants nothing): saved by the platform.
    created = operation.execute_as_system(CreateRequest(Entity(FILE_TABLE, None, values)))
    return CreateImportFileResponse(created.id)


def append_import_file(operation: Operation[AppendImportFileRequest]) -> AppendImportFileResponse:
    request = operation.request
    file = file_row(operation, request.file_id, lock=True)  # appends to one file queue up
    job = file.get("asyncoperationid")
    if job is not None:
        raise IMPORT_FILE_SUBMITTED(name=file["name"], job=job.id)
    check_open(file)
    size = int(file.get("size") or 0)
    if len(request.content) > MAX_PIECE:
        raise IMPORT_PIECE_TOO_LARGE(limit=MAX_PIECE, size=len(request.content))
    if request.start != size:
        raise IMPORT_PIECE_OUT_OF_PLACE(name=file["name"], start=request.start, size=size)
    if not request.content:
        return AppendImportFileResponse(size)
    now = operation.now()
    values = {
        "importfilechunkid": uuid.uuid4(),
        "importfileid": EntityReference(FILE_TABLE, request.file_id),
        "name": f"{file['name'][:60]} @{size}", "startbyte": size, "size": len(request.content),
        "content": base64.b64encode(request.content).decode("ascii"),
        "createdon": now, "modifiedon": now,
    }  # fmt: skip
    rows.insert_row(operation.connection, operation.table(CHUNK_TABLE),
                    operation.sql_table(CHUNK_TABLE), values)  # fmt: skip
    set_file(operation, request.file_id, size=size + len(request.content))
    return AppendImportFileResponse(size + len(request.content))


def piece_at(
    operation: Operation[Any], file_id: uuid.UUID, position: int
) -> RetrieveImportFileChunkResponse:
    """The piece holding byte ``position`` (in the operation's transaction, unchecked)."""
    file = file_row(operation, file_id)
    check_open(file)
    size = int(file.get("size") or 0)
    sql = operation.sql_table(CHUNK_TABLE)
    found = operation.connection.execute(
        sa.select(sql.c.content, sql.c.startbyte, sql.c.size)
        .where(sql.c.importfileid == file_id, sql.c.startbyte <= max(0, position))
        .order_by(sql.c.startbyte.desc())
        .limit(1)
    ).first()
    if found is None or position >= found.startbyte + found.size:
        return RetrieveImportFileChunkResponse(b"", position, size)
    return RetrieveImportFileChunkResponse(base64.b64decode(found.content), found.startbyte, size)


def retrieve_chunk(
    operation: Operation[RetrieveImportFileChunkRequest],
) -> RetrieveImportFileChunkResponse:
    return piece_at(operation, operation.request.file_id, operation.request.position)


def delete_content(
    operation: Operation[DeleteImportFileContentRequest],
) -> DeleteImportFileContentResponse:
    file_id = operation.request.file_id
    file = file_row(operation, file_id, lock=True)
    sql = operation.sql_table(CHUNK_TABLE)
    deleted = operation.connection.execute(sql.delete().where(sql.c.importfileid == file_id))
    if file.get("contentdeletedon") is None:
        set_file(operation, file_id, contentdeletedon=operation.now())
    return DeleteImportFileContentResponse(deleted.rowcount)


def purge_import_files(operation: Operation[PurgeImportFilesRequest]) -> PurgeImportFilesResponse:
    request = operation.request
    files, jobs = operation.sql_table(FILE_TABLE), operation.sql_table("asyncoperation")
    chunks = operation.sql_table(CHUNK_TABLE)
    over = sa.or_(jobs.c.asyncoperationid.is_(None), jobs.c.statecode == int(JobState.COMPLETED))
    found = list(operation.connection.execute(
        sa.select(files.c.importfileid)
        .outerjoin(jobs, jobs.c.asyncoperationid == files.c.asyncoperationid)
        .where(files.c.modifiedon < request.before, over)
        .order_by(files.c.modifiedon, files.c.importfileid)
        .limit(max(1, request.top) + 1)
    ).scalars())  # fmt: skip
    for file_id in found[: max(1, request.top)]:
        operation.connection.execute(chunks.delete().where(chunks.c.importfileid == file_id))
        operation.execute_as_system(DeleteRequest(EntityReference(FILE_TABLE, file_id)))
    return PurgeImportFilesResponse(min(len(found), max(1, request.top)), len(found) > request.top)


# --- who may ----------------------------------------------------------------------------


def authorize_own_file(operation: Operation[Any], right: Right) -> None:
    """A file is its uploader's; anyone else needs ``right`` on it (an administrator)."""
    table = operation.table(FILE_TABLE)
    record = operation.record_owner(table, operation.request.file_id)
    if record is None:
        return  # the handler says RECORD_NOT_FOUND
    if record.owner is not None and record.owner.id == operation.caller.user_id:
        _ = operation.principal  # a disabled user may not
        return
    operation.require(right, table, record)


def authorize_create(operation: Operation[CreateImportFileRequest]) -> None:
    """Whoever may create records of the table: an import is a way to create them."""
    operation.require(Right.CREATE, operation.table(operation.request.table))


def authorize_purge(operation: Operation[PurgeImportFilesRequest]) -> None:
    """Whoever may delete every user's import files: an administrator."""
    principal = operation.principal
    privilege = privilege_name(Right.DELETE, operation.table(FILE_TABLE))
    if principal is not None and principal.depth(privilege) < Depth.ORGANIZATION:
        raise privilege_denied(principal, privilege, operation.table(FILE_TABLE),
                               Depth.ORGANIZATION)  # fmt: skip


def _file_target(request: Any) -> tuple[str | None, uuid.UUID | None]:
    return FILE_TABLE, request.file_id


MESSAGES: dict[type, Message[Any]] = {
    CreateImportFileRequest: Message(
        "lg_CreateImportFile", create_import_file, target=lambda request: (FILE_TABLE, None),
        authorize=authorize_create,
    ),
    AppendImportFileRequest: Message(
        "lg_AppendImportFile", append_import_file, target=_file_target,
        authorize=lambda operation: authorize_own_file(operation, Right.WRITE),
    ),
    RetrieveImportFileChunkRequest: Message(
        "lg_RetrieveImportFileChunk", retrieve_chunk, target=_file_target, writes=False,
        authorize=lambda operation: authorize_own_file(operation, Right.READ),
    ),
    DeleteImportFileContentRequest: Message(
        "lg_DeleteImportFileContent", delete_content, target=_file_target,
        authorize=lambda operation: authorize_own_file(operation, Right.DELETE),
    ),
    PurgeImportFilesRequest: Message(
        "lg_PurgeImportFiles", purge_import_files, target=lambda request: (FILE_TABLE, None),
        authorize=authorize_purge,
    ),
}  # fmt: skip


# --- a stored file as a stream, and an upload -------------------------------------------


class StoredFile(io.RawIOBase):
    """An uploaded file as a seekable binary stream, read piece after piece: one piece in
    memory at a time. ``read_piece(position)`` answers RetrieveImportFileChunk; ``first`` is
    its answer for position 0 (which gives the file's size)."""

    def __init__(
        self,
        read_piece: Callable[[int], RetrieveImportFileChunkResponse],
        first: RetrieveImportFileChunkResponse,
    ) -> None:
        super().__init__()
        self._read_piece = read_piece
        self.size = first.size
        self._position = 0
        self._piece = first.content
        self._piece_start = first.start

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        if self._position >= self.size:
            return 0
        index = self._position - self._piece_start
        if not 0 <= index < len(self._piece):
            found = self._read_piece(self._position)
            self._piece, self._piece_start = found.content, found.start
            index = self._position - self._piece_start
            if not 0 <= index < len(self._piece):
                return 0
        count = min(len(buffer), len(self._piece) - index)
        buffer[:count] = self._piece[index : index + count]
        self._position += count
        return count


def open_stored(
    read_piece: Callable[[int], RetrieveImportFileChunkResponse],
) -> tuple[BinaryIO, int]:
    """A buffered stream over a stored file, and the file's size."""
    first = read_piece(0)
    raw = StoredFile(read_piece, first)
    return io.BufferedReader(raw, _READ_BUFFER), first.size


def upload_file(
    service: OrganizationService,
    stream: BinaryIO,
    name: str,
    table: str,
    *,
    piece_size: int = PIECE_SIZE,
    progress: Callable[[int], None] | None = None,
) -> uuid.UUID:
    """Store ``stream`` as a new file of the service's user, piece after piece (each in its
    own transaction: memory holds one piece); ``progress(bytes sent)`` after each."""
    file_id: uuid.UUID = service.execute(CreateImportFileRequest(name, table)).id
    sent = 0
    while piece := stream.read(piece_size):
        service.execute(AppendImportFileRequest(file_id, sent, piece))
        sent += len(piece)
        if progress is not None:
            progress(sent)
    return file_id
