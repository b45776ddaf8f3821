"""Metadata as values: tables, columns, options and relationships, as the pipeline reads them."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.types import CascadeType, ColumnType, Ownership, RequiredLevel

__all__ = [
    "ColumnMetadata",
    "KeyMetadata",
    "MetadataSet",
    "OptionMetadata",
    "RelationshipMetadata",
    "TableMetadata",
]

INTEGER_RANGE = (-2_147_483_648, 2_147_483_647)
DECIMAL_RANGE = (Decimal("-100000000000"), Decimal("100000000000"))
MONEY_RANGE = (Decimal("-922337203685477"), Decimal("922337203685477"))
DEFAULT_MAX_LENGTH = {ColumnType.STRING: 100, ColumnType.MEMO: 2000}


@dataclass(frozen=True)
class OptionMetadata:
    """One choice value. Status values name their state; state values their default status."""

    value: int
    label: Label
    state: int | None = None
    default_status: int | None = None
    published: bool = True


@dataclass(frozen=True)
class ColumnMetadata:
    table: str
    name: str
    type: ColumnType
    label: Label
    required: RequiredLevel = RequiredLevel.NONE
    max_length: int | None = None
    precision: int | None = None
    min_value: Decimal | int | None = None
    max_value: Decimal | int | None = None
    targets: tuple[str, ...] = ()
    format: str | None = None
    options: tuple[OptionMetadata, ...] = ()
    composed_of: tuple[str, ...] = ()
    default: Any = None
    valid_for_create: bool = True
    valid_for_update: bool = True
    is_custom: bool = False
    published: bool = True
    description: Label | None = None
    position: int = 0
    # Queries filter by it though it is no lookup (the audit's polymorphic objectid).
    indexed: bool = False

    @functools.cached_property
    def options_by_value(self) -> Mapping[int, OptionMetadata]:
        return {option.value: option for option in self.options if option.published}

    @property
    def is_computed(self) -> bool:
        return bool(self.composed_of)

    @property
    def type_column(self) -> str | None:
        """The companion column that records the target table of a polymorphic lookup."""
        return f"{self.name}type" if self.type.is_polymorphic else None

    @property
    def range(self) -> tuple[Any, Any]:
        low: int | Decimal
        high: int | Decimal
        if self.type is ColumnType.INTEGER:
            low, high = INTEGER_RANGE
        elif self.type is ColumnType.MONEY:
            low, high = MONEY_RANGE
        else:
            low, high = DECIMAL_RANGE
        return (
            low if self.min_value is None else self.min_value,
            high if self.max_value is None else self.max_value,
        )

    def option(self, value: int) -> OptionMetadata | None:
        return self.options_by_value.get(value)

    def describe_type(self) -> str:
        if self.type in DEFAULT_MAX_LENGTH:
            return f"{self.type.value}({self.max_length})"
        if self.type.is_reference:
            return f"{self.type.value} -> {'|'.join(self.targets)}"
        return self.type.value


@dataclass(frozen=True)
class KeyMetadata:
    """An alternate key (Dataverse's EntityKeyMetadata): columns whose values identify one
    record, enforced by a unique index; its name is the key's logical (and schema) name."""

    name: str
    columns: tuple[str, ...]
    is_custom: bool = False
    published: bool = True

    @staticmethod
    def default_name(table: str, columns: tuple[str, ...]) -> str:
        """The name of a key a solution declares by its columns alone."""
        return "_".join((table, *columns, "key"))

    def stored(self, table: str) -> list[str] | dict[str, Any]:
        """The key as its table's properties keep it: the list of its columns when a solution
        named it by them alone (how every key was kept before keys had names), else an object."""
        if (
            self.published
            and not self.is_custom
            and self.name == self.default_name(table, self.columns)
        ):
            return list(self.columns)
        found: dict[str, Any] = {"name": self.name, "columns": list(self.columns)}
        if self.is_custom:
            found["custom"] = True
        if not self.published:
            found["published"] = False
        return found

    @classmethod
    def from_stored(cls, table: str, stored: Iterable[Any]) -> tuple[KeyMetadata, ...]:
        """The keys :meth:`stored` wrote (a database of any release reads the same)."""
        found = []
        for item in stored:
            if isinstance(item, list):
                columns = tuple(item)
                found.append(cls(cls.default_name(table, columns), columns))
            else:
                found.append(cls(
                    item["name"], tuple(item["columns"]), is_custom=item.get("custom", False),
                    published=item.get("published", True),
                ))  # fmt: skip
        return tuple(found)


@dataclass(frozen=True)
class TableMetadata:
    name: str
    entity_set: str
    label: Label
    plural_label: Label
    primary_key: str
    primary_name: str
    ownership: Ownership
    object_type_code: int | None = None
    columns: Mapping[str, ColumnMetadata] = field(default_factory=dict)
    # The alternate keys, named (``alternate_keys`` gives their columns alone).
    keys: tuple[KeyMetadata, ...] = ()
    # Indexes on several columns, for the queries a capability runs (the single-column ones
    # follow from the columns: lookups, state, ``indexed``).
    indexes: tuple[tuple[str, ...], ...] = ()
    is_custom: bool = False
    published: bool = True
    deletable: bool = True
    description: Label | None = None
    schema: str | None = None
    # Dataverse's IsAuditEnabled: changes to its records are written to the audit table.
    is_audit_enabled: bool = False

    @property
    def schema_name(self) -> str:
        """Dataverse's schema name (Lead, EntityMap, new_Project): in privilege and state names."""
        if self.schema:
            return self.schema
        prefix, _, rest = self.name.partition("_")
        if self.is_custom and rest:
            return f"{prefix}_{rest.capitalize()}"
        return "".join(part.capitalize() for part in self.name.split("_"))

    @property
    def alternate_keys(self) -> tuple[tuple[str, ...], ...]:
        """The columns of each alternate key, in the key's order."""
        return tuple(key.columns for key in self.keys)

    def key_named(self, name: str) -> KeyMetadata | None:
        return next((key for key in self.keys if key.name == name), None)

    def key_of(self, columns: Iterable[str]) -> KeyMetadata | None:
        """The alternate key made of exactly these columns, in any order."""
        wanted = frozenset(columns)
        return next((key for key in self.keys if frozenset(key.columns) == wanted), None)

    @property
    def has_state(self) -> bool:
        return "statecode" in self.columns and "statuscode" in self.columns

    def column(self, name: str) -> ColumnMetadata:
        column = self.columns.get(name)
        if column is None:
            raise errors.UNKNOWN_COLUMN(table=self.name, column=name)
        return column

    def with_columns(self, columns: Iterable[ColumnMetadata]) -> TableMetadata:
        merged = dict(self.columns)
        merged.update((column.name, column) for column in columns)
        return replace(self, columns=merged)


@dataclass(frozen=True)
class RelationshipMetadata:
    """A 1:N relationship: the referencing column of one table points at another table."""

    name: str
    referenced_table: str
    referencing_table: str
    referencing_column: str
    cascade_delete: CascadeType = CascadeType.REMOVE_LINK
    is_custom: bool = False
    published: bool = True


@dataclass(frozen=True)
class MetadataSet:
    """Every published table and relationship: what the pipeline validates against."""

    tables: Mapping[str, TableMetadata]
    relationships: Mapping[str, RelationshipMetadata]
    generation: int = 0

    @functools.cached_property
    def _by_entity_set(self) -> Mapping[str, TableMetadata]:
        return {table.entity_set: table for table in self.tables.values()}

    @functools.cached_property
    def _referencing(self) -> Mapping[str, tuple[RelationshipMetadata, ...]]:
        found: dict[str, list[RelationshipMetadata]] = {}
        for relationship in self.relationships.values():
            found.setdefault(relationship.referenced_table, []).append(relationship)
        return {name: tuple(items) for name, items in found.items()}

    @functools.cached_property
    def derived(self) -> dict[str, Any]:
        """Values other modules compute from this set once (navigation property names)."""
        return {}

    def table(self, name: str) -> TableMetadata:
        table = self.tables.get(name)
        if table is None:
            raise errors.UNKNOWN_TABLE(table=name)
        return table

    def table_for_entity_set(self, entity_set: str) -> TableMetadata | None:
        return self._by_entity_set.get(entity_set)

    def relationships_to(self, table: str) -> tuple[RelationshipMetadata, ...]:
        """Relationships whose lookups point at ``table`` (what deleting it affects)."""
        return self._referencing.get(table, ())
