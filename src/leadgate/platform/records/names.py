"""The names of the records lookups point at, read as the caller.

RetrieveMultiple answers a lookup with the record's key alone (Dataverse adds the name as a
formatted value; leadgate's engine does not store it with the lookup), so an interface that
shows names reads them with one more RetrieveMultiple per table pointed at, as the caller:
a record they may not read has no name. The browser's grids and the Web API's formatted
values both read them here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.query import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    QueryExpression,
)
from leadgate.platform.records.retrieve import RetrieveMultipleRequest

if TYPE_CHECKING:
    from leadgate.platform.service import OrganizationService

__all__ = ["IDS_PER_QUERY", "named", "primary_names"]

IDS_PER_QUERY = 500  # ids in one 'in' condition: far below every database's parameter limit


def primary_names(
    service: OrganizationService, metadata: MetadataSet, references: Iterable[EntityReference]
) -> dict[tuple[str, uuid.UUID], str]:
    """The primary names of the records ``references`` point at, one RetrieveMultiple per
    table (and per IDS_PER_QUERY ids), as the caller: a record they may not read has none."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for reference in references:
        if reference.id is not None:
            wanted.setdefault(reference.logical_name, set()).add(reference.id)
    names: dict[tuple[str, uuid.UUID], str] = {}
    for table_name, ids in wanted.items():
        table = metadata.tables.get(table_name)
        if table is None:
            continue
        ordered = sorted(ids)
        for start in range(0, len(ordered), IDS_PER_QUERY):
            chunk = tuple(ordered[start : start + IDS_PER_QUERY])
            query = QueryExpression(
                table.name, ColumnSet((table.primary_name,)),
                FilterExpression("and", (ConditionExpression(table.primary_key, "in", chunk),)),
            )  # fmt: skip
            try:
                found = service.execute(RetrieveMultipleRequest(query)).entity_collection
            except LeadgateError:  # not readable by this caller: no name
                break
            for record in found:
                if record.id is not None and record.get(table.primary_name):
                    names[(table.name, record.id)] = str(record.get(table.primary_name))
    return names


def named(
    service: OrganizationService,
    metadata: MetadataSet,
    entities: Sequence[Entity],
    columns: Sequence[str],
) -> None:
    """Give the references in ``columns`` of ``entities`` their records' primary names."""
    references = [
        value
        for entity in entities
        for column in columns
        if isinstance(value := entity.get(column), EntityReference) and not value.name
    ]
    if not references:
        return
    names = primary_names(service, metadata, references)
    for entity in entities:
        for column in columns:
            value = entity.get(column)
            if isinstance(value, EntityReference) and (value.logical_name, value.id) in names:
                entity[column] = EntityReference(
                    value.logical_name, value.id, names[(value.logical_name, value.id)]
                )
