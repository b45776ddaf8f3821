"""Names in URLs and payloads: entity sets, record keys, property names and record URLs."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from fastapi import Request

from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.web.errors import bad_query

__all__ = [
    "API_PATH",
    "Resource",
    "api_root",
    "lookup_property",
    "parse_guid",
    "parse_resource",
    "record_url",
    "resolve_property",
]

API_PATH = "/api/data/v9.2"

_SEGMENT = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\((?P<key>[^()]*)\))?\Z")
# Keys in URLs are bare GUIDs, as Dataverse writes them (no braces, no quotes).
_GUID = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}\Z")
_LOOKUP_VALUE = re.compile(r"_(?P<column>.+)_value\Z")


@dataclass(frozen=True)
class Resource:
    """A URL segment resolved: the table behind the entity set, and the record key if any."""

    table: TableMetadata
    key: uuid.UUID | None


def parse_guid(text: str) -> uuid.UUID | None:
    return uuid.UUID(text) if _GUID.match(text) else None


def parse_resource(metadata: MetadataSet, segment: str) -> Resource:
    """``leads`` or ``leads(<guid>)``: 404 for an unknown entity set, 400 for a bad key."""
    match = _SEGMENT.match(segment)
    table = metadata.table_for_entity_set(match.group("name")) if match else None
    if match is None or table is None:
        raise errors.RESOURCE_NOT_FOUND(segment=segment)
    key_text = match.group("key")
    if key_text is None:
        return Resource(table, None)
    key = parse_guid(key_text)
    if key is None:
        raise bad_query(
            N_(
                "the key '{key}' of {entity_set} is not a GUID such as "
                "00000000-0000-0000-0000-000000000001."
            ),
            key=key_text[:60],
            entity_set=table.entity_set,
        )
    return Resource(table, key)


def lookup_property(column: ColumnMetadata) -> str:
    """How a lookup is read over OData: ``_parentcustomerid_value``."""
    return f"_{column.name}_value"


def resolve_property(table: TableMetadata, name: str) -> ColumnMetadata:
    """The column a property name in $select, $filter or $orderby means.

    Lookups are named ``_x_value`` as Dataverse reads them; their bare name is accepted too.
    """
    match = _LOOKUP_VALUE.match(name)
    if match is not None:
        column = table.columns.get(match.group("column"))
        if column is not None and column.type.is_reference:
            return column
    column = table.columns.get(name)
    if column is None:
        raise errors.UNKNOWN_PROPERTY(name=name, table=table.name)
    return column


def api_root(request: Request) -> str:
    """The absolute URL of the API, from the address the client used."""
    return str(request.base_url).rstrip("/") + API_PATH


def record_url(request: Request, table: TableMetadata, record_id: uuid.UUID) -> str:
    return f"{api_root(request)}/{table.entity_set}({record_id})"
