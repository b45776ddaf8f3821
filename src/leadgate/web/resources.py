"""Names in URLs and payloads: entity sets, record keys, property names and record URLs."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fastapi import Request

from leadgate.platform import EntityReference
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.web.errors import bad_query

__all__ = [
    "API_PATH",
    "Resource",
    "api_root",
    "key_literal",
    "lookup_property",
    "parse_guid",
    "parse_key_values",
    "parse_resource",
    "record_url",
    "resolve_property",
]

API_PATH = "/api/data/v9.2"

_SEGMENT = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\((?P<key>.*)\))?\Z", re.DOTALL)
# Keys in URLs are bare GUIDs, as Dataverse writes them (no braces, no quotes).
_GUID = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}\Z")
_LOOKUP_VALUE = re.compile(r"_(?P<column>.+)_value\Z")
# One ``name=value`` of a key predicate: a value is a quoted string ('' for a quote) or a
# bare literal (number, GUID, date, null, true, false), up to the next comma.
_KEY_PART = re.compile(
    r"\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>'(?:[^']|'')*'|[^',\s]*)\s*(?:,|\Z)",
    re.DOTALL,
)
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(
    r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][+-]?[0-9]+)?[mMdD]?\Z"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9:.]+(?:Z|[+-][0-9]{2}:[0-9]{2})?)?\Z")


@dataclass(frozen=True)
class Resource:
    """A URL segment resolved: the table behind the entity set, and the record it names if
    any, by id (``key``) or by the values of an alternate key (``key_attributes``)."""

    table: TableMetadata
    key: uuid.UUID | None
    key_attributes: Mapping[str, Any] | None = None

    @property
    def names_record(self) -> bool:
        return self.key is not None or bool(self.key_attributes)

    @property
    def reference(self) -> EntityReference:
        """The record, as the platform's messages take it (they find it by its key)."""
        if self.key is not None:
            return EntityReference(self.table.name, self.key)
        return EntityReference.by_key(self.table.name, self.key_attributes)


def parse_guid(text: str) -> uuid.UUID | None:
    return uuid.UUID(text) if _GUID.match(text) else None


def parse_resource(metadata: MetadataSet, segment: str) -> Resource:
    """``leads``, ``leads(<guid>)`` or an alternate key, ``accounts(accountnumber='A-1')``,
    ``contacts(firstname='Joe',emailaddress1='joe@example.com')``: 404 for an unknown entity
    set, 400 for a key that cannot be read (whether it is a key of the table, and its values'
    types, are the platform's to check)."""
    match = _SEGMENT.match(segment)
    table = metadata.table_for_entity_set(match.group("name")) if match else None
    if match is None or table is None:
        raise errors.RESOURCE_NOT_FOUND(segment=segment[:200])
    key_text = match.group("key")
    if key_text is None:
        return Resource(table, None)
    key = parse_guid(key_text.strip())
    if key is not None:
        return Resource(table, key)
    if "=" not in key_text:
        raise bad_query(
            N_(
                "the key '{key}' of {entity_set} is not a GUID such as "
                "00000000-0000-0000-0000-000000000001."
            ),
            key=key_text[:60],
            entity_set=table.entity_set,
        )
    values = parse_key_values(key_text, table)
    if set(values) == {table.primary_key} and isinstance(values[table.primary_key], uuid.UUID):
        return Resource(table, values[table.primary_key])  # accounts(accountid=<guid>)
    return Resource(table, None, values)


def parse_key_values(text: str, table: TableMetadata) -> dict[str, Any]:
    """``name='A',number=5`` as {column: value}: names are properties (``_x_value`` for a
    lookup), values OData literals typed as written."""
    values: dict[str, Any] = {}
    position = 0
    while position < len(text):
        part = _KEY_PART.match(text, position)
        if part is None or part.end() == position:
            raise _bad_key(text, table)
        name = resolve_property(table, part.group("name")).name
        if name in values:
            raise bad_query(
                N_("the key of {entity_set} names '{name}' twice."),
                entity_set=table.entity_set,
                name=part.group("name"),
            )
        try:
            values[name] = key_literal(part.group("value"))
        except ValueError:
            raise _bad_key(text, table) from None
        position = part.end()
        if text[position - 1 : position] == "," and position == len(text):
            raise _bad_key(text, table)  # a trailing comma
    return values


def key_literal(text: str) -> Any:
    """One OData literal of a key: 'text' (quotes doubled inside), a number, a GUID, a date
    or date and time, null, true or false; ValueError for anything else."""
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return text[1:-1].replace("''", "'")
    lowered = text.lower()
    if lowered in ("null", "true", "false"):
        return None if lowered == "null" else lowered == "true"
    guid = parse_guid(text)
    if guid is not None:
        return guid
    if _INTEGER.match(text):
        return int(text)
    if _DECIMAL.match(text):
        return Decimal(text.rstrip("mMdD"))
    if _DATE.match(text):
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))  # ValueError if no date
    raise ValueError(text)


def _bad_key(text: str, table: TableMetadata) -> errors.LeadgateError:
    return bad_query(
        N_(
            "the key '{key}' of {entity_set} cannot be read: write name=value pairs separated "
            "by commas, with text in single quotes ('' for a quote), e.g. "
            "(accountnumber='A-1',address1_city='Paris')."
        ),
        key=text[:60],
        entity_set=table.entity_set,
    )


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
