"""Records as Dataverse's JSON writes them: lookups as ``_x_value``, dates in UTC with ``Z``.

Only the form changes here; values were checked and coerced by the platform.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from leadgate.platform import Entity, EntityReference
from leadgate.platform.engine.formatting import display
from leadgate.platform.engine.metadata.model import ColumnMetadata, TableMetadata
from leadgate.platform.engine.metadata.navigation import navigation_name
from leadgate.platform.engine.types import ColumnType, Language
from leadgate.web.headers import (
    ASSOCIATED_NAVIGATION,
    FORMATTED_VALUE,
    LOOKUP_LOGICAL_NAME,
    Preferences,
    etag,
)
from leadgate.web.resources import lookup_property

__all__ = [
    "RecordWriter",
    "context_url",
    "json_value",
    "output_columns",
    "read_columns",
    "record_json",
]

# Dataverse formats these (and lookups, by their record's name); text and ids it leaves alone.
_FORMATTED_TYPES = frozenset(
    {
        ColumnType.CHOICE,
        ColumnType.STATE,
        ColumnType.STATUS,
        ColumnType.BOOLEAN,
        ColumnType.INTEGER,
        ColumnType.DECIMAL,
        ColumnType.MONEY,
        ColumnType.DATETIME,
    }
)

Selection = Sequence[ColumnMetadata] | None


def output_columns(table: TableMetadata, selected: Selection) -> list[ColumnMetadata]:
    """What a response shows: the key and the selected columns, or every column."""
    if selected is None:
        return list(table.columns.values())
    key = table.columns[table.primary_key]
    return [key, *(column for column in selected if column.name != key.name)]


def read_columns(table: TableMetadata, selected: Selection) -> tuple[str, ...]:
    """The ColumnSet to ask the platform for: the output, plus the version for the etag."""
    if selected is None:
        return ()
    names = [column.name for column in output_columns(table, selected)]
    return (*names, "versionnumber") if "versionnumber" not in names else tuple(names)


# Values JSON writes as they are: most of a page's values, answered before any other test.
_PLAIN = frozenset({str, int, float, bool})


def json_value(value: Any) -> Any:
    """A platform value in the JSON form Dataverse uses for it."""
    if value is None or type(value) in _PLAIN:
        return value
    if isinstance(value, EntityReference):
        return str(value.id)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # JSON numbers, as Dataverse writes money and decimals.
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _formatted(column: ColumnMetadata, value: Any, language: Language) -> str | None:
    """The value as the user reads it, in their language (a lookup: its record's name)."""
    if value is None:
        return None
    if isinstance(value, EntityReference):
        return value.name or None
    if column.type in _FORMATTED_TYPES:
        return display(column, value, language)
    return None


class RecordWriter:
    """Records of one shape (columns, language, annotations asked for) as JSON: what does
    not change from record to record is worked out once, not once per record of a page."""

    def __init__(
        self, columns: Sequence[ColumnMetadata], language: Language, preferences: Preferences
    ) -> None:
        self.language = language
        self.formatted = preferences.includes(FORMATTED_VALUE)
        self.logical_names = preferences.includes(LOOKUP_LOGICAL_NAME)
        self.navigations = preferences.includes(ASSOCIATED_NAVIGATION)
        # (column, property name, its annotations' prefix)
        self.columns = [
            (column, name, f"{name}@")
            for column in columns
            for name in (lookup_property(column) if column.type.is_reference else column.name,)
        ]
        lookups = any(column.type.is_reference for column in columns)
        self.annotated = self.formatted or (lookups and (self.logical_names or self.navigations))

    def __call__(self, entity: Entity) -> dict[str, Any]:
        """One record: ``@odata.etag`` first, then each column in its OData form."""
        body: dict[str, Any] = {"@odata.etag": etag(entity.row_version)}
        for column, name, prefix in self.columns:
            value = entity.get(column.name)
            if self.annotated and value is not None:
                self._annotate(body, column, prefix, value)
            body[name] = json_value(value)
        return body

    def _annotate(self, body: dict[str, Any], column: ColumnMetadata, prefix: str,
                  value: Any) -> None:  # fmt: skip
        if self.formatted and (text := _formatted(column, value, self.language)) is not None:
            body[prefix + FORMATTED_VALUE] = text
        if isinstance(value, EntityReference):
            if self.navigations:
                navigation = navigation_name(column, value.logical_name)
                body[prefix + ASSOCIATED_NAVIGATION] = navigation
            if self.logical_names:
                body[prefix + LOOKUP_LOGICAL_NAME] = value.logical_name


def record_json(
    columns: Sequence[ColumnMetadata],
    entity: Entity,
    language: Language,
    preferences: Preferences,
) -> dict[str, Any]:
    """One record: ``@odata.etag`` first, then each column in its OData form."""
    return RecordWriter(columns, language, preferences)(entity)


def context_url(
    api_root: str,
    table: TableMetadata,
    selected: Selection,
    *,
    single: bool,
    expanded: Sequence[str] = (),
) -> str:
    """The ``@odata.context`` of a response: the entity set, the selection and the expanded
    properties (``parentaccountid(name)``), one record or many."""
    items = [
        *(
            (lookup_property(c) if c.type.is_reference else c.name for c in selected)
            if selected is not None
            else ()
        ),
        *expanded,
    ]
    names = f"({','.join(items)})" if items else ""
    return f"{api_root}/$metadata#{table.entity_set}{names}" + ("/$entity" if single else "")
