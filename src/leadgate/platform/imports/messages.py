"""lg_ImportRecord: one row of an import, in its own transaction.

The row's record is created through Create (its plug-ins, security, checks), or, when the
published duplicate rules find a record of the same table, skipped or used to update that
record, as the import asks. A refusal rolls the row back whole: nothing half-imported.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from leadgate.platform.duplicates.matchcodes import DuplicateMatch
from leadgate.platform.duplicates.messages import find_duplicates
from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.values import coerce
from leadgate.platform.records.crud import CreateRequest, UpdateRequest
from leadgate.platform.records.fields import compose
from leadgate.platform.security.privileges import Right

__all__ = ["CREATE", "DUPLICATE_MODES", "MESSAGES", "SKIP", "UPDATE", "ImportRecordRequest",
           "ImportRecordResponse"]  # fmt: skip

SKIP, CREATE, UPDATE = "skip", "create", "update"
DUPLICATE_MODES = (SKIP, CREATE, UPDATE)


@dataclass(frozen=True)
class ImportRecordRequest:
    """A record read from a file; ``duplicates`` says what a duplicate found by the
    published rules does: skip the row, create the record anyway, or update the match."""

    target: Entity
    duplicates: str = SKIP


@dataclass(frozen=True)
class ImportRecordResponse:
    outcome: str  # "created", "updated" or "skipped"
    id: uuid.UUID  # the record made or updated, or the duplicate the row was skipped for
    matches: tuple[DuplicateMatch, ...] = ()  # what the rules found (skipped, updated)


def _target(request: Any) -> tuple[str | None, uuid.UUID | None]:
    return request.target.logical_name, None


def authorize_import(operation: Operation[ImportRecordRequest]) -> None:
    """Create privilege on the table, even for a row that ends up skipped or updating: an
    import is a way to create records. Create and Update check themselves too."""
    operation.require(Right.CREATE, operation.table(operation.request.target.logical_name))


def import_record(operation: Operation[ImportRecordRequest]) -> ImportRecordResponse:
    request = operation.request
    entity = request.target
    table = operation.table(entity.logical_name)
    if request.duplicates != CREATE:
        # Values as Create would store them, fullname composed, as RetrieveDuplicates does.
        values = {name: coerce(table.column(name), value) for name, value in entity.items()}
        compose(table, values, values)
        matches = tuple(match for match in find_duplicates(operation, table.name, values)
                        if match.table == table.name)  # fmt: skip
        if matches and request.duplicates == SKIP:
            return ImportRecordResponse("skipped", matches[0].id, matches)
        if matches:
            update = Entity(table.name, matches[0].id, dict(entity.items()))
            operation.execute(UpdateRequest(update))
            return ImportRecordResponse("updated", matches[0].id, matches)
    created = operation.execute(CreateRequest(Entity(table.name, None, dict(entity.items()))))
    return ImportRecordResponse("created", created.id)


MESSAGES = {
    ImportRecordRequest: Message(
        "lg_ImportRecord", import_record, None, _target, authorize=authorize_import,
    ),
}  # fmt: skip
