"""The names of the records lookups point at, for a grid's cells.

RetrieveMultiple answers a lookup with the record's key alone (Dataverse adds the name as a
formatted value; leadgate's engine does not yet), so the grid reads the names of each table
pointed at with one more RetrieveMultiple, as the signed-in person: a name they may not read
stays a key.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.query import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    QueryExpression,
)
from leadgate.platform.records.retrieve import RetrieveMultipleRequest
from leadgate.ui.sessions import UiSession

__all__ = ["named", "names_of"]


def names_of(
    ui: UiSession, references: Iterable[EntityReference]
) -> dict[tuple[str, uuid.UUID], str]:
    """The primary names of the records ``references`` point at, one RetrieveMultiple per
    table, as the signed-in person: a record they may not read has no name here."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for reference in references:
        if reference.id is not None:
            wanted.setdefault(reference.logical_name, set()).add(reference.id)
    names: dict[tuple[str, uuid.UUID], str] = {}
    for table_name, ids in wanted.items():
        table = ui.metadata().tables.get(table_name)
        if table is None:
            continue
        query = QueryExpression(
            table.name, ColumnSet((table.primary_name,)),
            FilterExpression("and", (ConditionExpression(table.primary_key, "in", tuple(ids)),)),
        )  # fmt: skip
        try:
            found = ui.service.execute(RetrieveMultipleRequest(query)).entity_collection
        except LeadgateError:  # not readable by this person: the cell shows the key
            continue
        for record in found:
            if record.id is not None and record.get(table.primary_name):
                names[(table.name, record.id)] = str(record.get(table.primary_name))
    return names


def named(ui: UiSession, entities: Sequence[Entity], columns: Sequence[str]) -> None:
    """Give the references in ``columns`` of ``entities`` their records' primary names."""
    references = [
        value
        for entity in entities
        for column in columns
        if isinstance(value := entity.get(column), EntityReference) and not value.name
    ]
    names = names_of(ui, references)
    for entity in entities:
        for column in columns:
            value = entity.get(column)
            if isinstance(value, EntityReference) and (value.logical_name, value.id) in names:
                entity[column] = EntityReference(
                    value.logical_name, value.id, names[(value.logical_name, value.id)]
                )
