"""CreateMultiple, UpdateMultiple and UpsertMultiple: many records of one table in one
transaction, each through its own Create, Update or Upsert — so that every record meets the
same validation, security, duplicate rules, plug-in steps and workflows as alone, and a refusal
of any leaves none of them (as Dataverse's bulk messages, which clients such as Microsoft's
SDK send for a list of records)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.pipeline import Message, Operation, checked_by_nested_messages
from leadgate.platform.records.crud import CreateRequest, UpdateRequest, UpsertRequest

__all__ = [
    "MAX_TARGETS",
    "MESSAGES",
    "CreateMultipleRequest",
    "CreateMultipleResponse",
    "UpdateMultipleRequest",
    "UpdateMultipleResponse",
    "UpsertMultipleRequest",
    "UpsertMultipleResponse",
]

MAX_TARGETS = 1000  # per request, as ExecuteTransaction: past it, send several

TARGETS_OUT_OF_RANGE = ErrorKind(
    "targets_out_of_range",
    "0x8F4C47F6",
    N_(
        "{message} takes from 1 to {maximum} records in Targets; this request has {count}. "
        "Send larger sets in several requests."
    ),
)
TARGETS_OF_ANOTHER_TABLE = ErrorKind(
    "targets_of_another_table",
    "0x8F4C47F7",
    N_(
        "Every record of {message} must be of the table {table}; the record {position} is of "
        "the table {other}."
    ),
)


@dataclass(frozen=True)
class CreateMultipleRequest:
    table: str
    targets: tuple[Entity, ...]
    suppress_duplicate_detection: bool = True


@dataclass(frozen=True)
class CreateMultipleResponse:
    ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class UpdateMultipleRequest:
    table: str
    targets: tuple[Entity, ...]
    suppress_duplicate_detection: bool = True


@dataclass(frozen=True)
class UpdateMultipleResponse:
    count: int


@dataclass(frozen=True)
class UpsertMultipleRequest:
    table: str
    targets: tuple[Entity, ...]
    suppress_duplicate_detection: bool = True


@dataclass(frozen=True)
class UpsertMultipleResponse:
    results: tuple[tuple[EntityReference, bool], ...]  # each record, and whether it was made


def _target(request: Any) -> tuple[str | None, uuid.UUID | None]:
    return request.table, None


def validate_targets(operation: Operation[Any]) -> None:
    request = operation.request
    name = operation.context.message_name
    table = operation.table(request.table).name
    count = len(request.targets)
    if not 1 <= count <= MAX_TARGETS:
        raise TARGETS_OUT_OF_RANGE(message=name, maximum=MAX_TARGETS, count=count)
    for position, target in enumerate(request.targets, 1):
        if target.logical_name != table:
            raise TARGETS_OF_ANOTHER_TABLE(message=name, table=table, position=position,
                                           other=target.logical_name)  # fmt: skip


def create_multiple(operation: Operation[CreateMultipleRequest]) -> CreateMultipleResponse:
    request = operation.request
    ids = []
    for target in request.targets:
        created = operation.execute(CreateRequest(
            target, suppress_duplicate_detection=request.suppress_duplicate_detection))  # fmt: skip
        ids.append(created.id)
    return CreateMultipleResponse(tuple(ids))


def update_multiple(operation: Operation[UpdateMultipleRequest]) -> UpdateMultipleResponse:
    request = operation.request
    for target in request.targets:
        operation.execute(UpdateRequest(
            target, suppress_duplicate_detection=request.suppress_duplicate_detection))  # fmt: skip
    return UpdateMultipleResponse(len(request.targets))


def upsert_multiple(operation: Operation[UpsertMultipleRequest]) -> UpsertMultipleResponse:
    request = operation.request
    results = []
    for target in request.targets:
        done = operation.execute(UpsertRequest(
            target, suppress_duplicate_detection=request.suppress_duplicate_detection))  # fmt: skip
        results.append((done.target, done.record_created))
    return UpsertMultipleResponse(tuple(results))


MESSAGES = {
    request_type: Message(
        name, handler, validate_targets, _target, authorize=checked_by_nested_messages
    )
    for request_type, name, handler in (
        (CreateMultipleRequest, "CreateMultiple", create_multiple),
        (UpdateMultipleRequest, "UpdateMultiple", update_multiple),
        (UpsertMultipleRequest, "UpsertMultiple", upsert_multiple),
    )
}
