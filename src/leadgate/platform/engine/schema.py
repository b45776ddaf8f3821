"""From metadata to SQL: one real table per table, one real column per column.

Publishing is plan, then apply: :func:`plan` compares the metadata with what the database
holds and returns the changes as a value (printed by ``publish --dry-run``); :func:`apply`
runs them as DDL. Nothing here drops or narrows anything.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.sqltypes import ExactDecimal, UtcDateTime
from leadgate.platform.engine.storage import translate_errors
from leadgate.platform.engine.types import ColumnType

__all__ = [
    "SchemaChange",
    "SchemaPlan",
    "SqlTables",
    "apply",
    "key_index_name",
    "plan",
    "sql_type",
]

MAX_IDENTIFIER = 60  # PostgreSQL truncates identifiers past 63 bytes


def sql_type(column: ColumnMetadata) -> sa.types.TypeEngine[Any]:
    kind = column.type
    if kind is ColumnType.STRING:
        return sa.String(column.max_length or 100)
    if kind is ColumnType.MEMO:
        return sa.Text()
    if kind is ColumnType.INTEGER:
        return sa.BigInteger() if column.format == "bigint" else sa.Integer()
    if kind is ColumnType.DECIMAL:
        return ExactDecimal(scale=column.precision if column.precision is not None else 2)
    if kind is ColumnType.MONEY:
        return ExactDecimal(scale=4)
    if kind is ColumnType.BOOLEAN:
        return sa.Boolean()
    if kind is ColumnType.DATETIME:
        return sa.Date() if column.format == "dateonly" else UtcDateTime()
    if kind.is_choice:
        return sa.Integer()
    return sa.Uuid()


def sql_columns(table: TableMetadata, column: ColumnMetadata) -> list[sa.Column[Any]]:
    found = [sa.Column(column.name, sql_type(column), primary_key=column.name == table.primary_key)]
    if column.type_column:
        found.append(sa.Column(column.type_column, sa.String(64)))
    return found


def _index_name(prefix: str, table: str, columns: Iterable[str]) -> str:
    name = f"{prefix}_{table}_{'_'.join(columns)}"
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_IDENTIFIER - 9]}_{digest}"


def indexes(table: TableMetadata) -> list[tuple[str, tuple[str, ...], bool]]:
    """Indexes on what queries filter by: lookups, owner, state, the alternate keys, and the
    table's declared indexes on several columns."""
    found: list[tuple[str, tuple[str, ...], bool]] = []
    for column in table.columns.values():
        if column.name == table.primary_key:
            continue
        indexed = column.indexed or column.type.is_reference or column.type is ColumnType.STATE
        if indexed and column.name not in ("createdby", "modifiedby"):
            found.append((_index_name("ix", table.name, [column.name]), (column.name,), False))
    for key in table.alternate_keys:
        found.append((key_index_name(table.name, key), key, True))
    for key in table.indexes:
        found.append((_index_name("ix", table.name, key), key, False))
    return found


class SqlTables:
    """SQLAlchemy Table objects for one metadata generation.

    A table whose SQL shape (columns, types, indexes) is the same as in an earlier generation
    keeps its Table object: building one costs about 1.5 ms, and SQLAlchemy's cache of compiled
    statements knows statements by their Table objects, so a customization of one table leaves
    every other table's statements compiled.
    """

    def __init__(self, metadata: MetadataSet) -> None:
        self._tables = {name: _shared_table(table) for name, table in metadata.tables.items()}

    def __getitem__(self, name: str) -> sa.Table:
        return self._tables[name]

    def __contains__(self, name: object) -> bool:
        return name in self._tables


def _shape(table: TableMetadata) -> tuple[Any, ...]:
    columns = tuple(
        (c.name, c.type, c.max_length, c.format, c.precision, c.type_column)
        for c in table.columns.values()
    )
    return (table.name, table.primary_key, columns, tuple(indexes(table)))


def _build(table: TableMetadata) -> sa.Table:
    columns = [
        sql_column for column in table.columns.values() for sql_column in sql_columns(table, column)
    ]
    sql_table = sa.Table(table.name, sa.MetaData(), *columns)
    for name, key, unique in indexes(table):
        sa.Index(name, *(sql_table.c[column] for column in key), unique=unique)
    return sql_table


# The tables this process built, by shape; the oldest go first past _SHAPES_KEPT.
_SHAPES_KEPT = 2000
_built: dict[tuple[Any, ...], sa.Table] = {}
_built_lock = threading.Lock()


def _shared_table(table: TableMetadata) -> sa.Table:
    shape = _shape(table)
    with _built_lock:
        found = _built.get(shape)
    if found is not None:
        return found
    built = _build(table)
    with _built_lock:
        found = _built.setdefault(shape, built)
        while len(_built) > _SHAPES_KEPT:
            del _built[next(iter(_built))]
    return found


@dataclass(frozen=True)
class SchemaChange:
    """One step of a publish: what it does to which table, said for people."""

    action: str  # create_table | add_column | create_index | metadata
    table: str
    description: Text
    statement: Any = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return str(self.description)


@dataclass(frozen=True)
class SchemaPlan:
    changes: tuple[SchemaChange, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __iter__(self) -> Iterator[SchemaChange]:
        return iter(self.changes)


def plan(
    connection: sa.Connection, desired: MetadataSet, pending: Iterable[Text] = ()
) -> SchemaPlan:
    """The DDL that makes the database hold every table and column of ``desired``."""
    inspector = sa.inspect(connection)
    existing = set(inspector.get_table_names())
    tables = SqlTables(desired)
    changes: list[SchemaChange] = []
    for name in sorted(desired.tables):
        sql_table = tables[name]
        if name not in existing:
            changes.append(
                SchemaChange(
                    "create_table",
                    name,
                    Text(
                        N_("create table {table} ({count} columns)"),
                        table=name,
                        count=len(sql_table.columns),
                    ),
                    sa.schema.CreateTable(sql_table),
                )
            )
            changes.extend(
                _index_change(name, index)
                for index in sorted(sql_table.indexes, key=lambda i: str(i.name))
            )
            continue
        present = {column["name"] for column in inspector.get_columns(name)}
        for sql_column in sql_table.columns:
            if sql_column.name not in present:
                changes.append(
                    SchemaChange(
                        "add_column",
                        name,
                        Text(
                            N_("add column {table}.{column} ({type})"),
                            table=name,
                            column=sql_column.name,
                            type=str(sql_column.type.compile(dialect=connection.dialect)),
                        ),
                        _AddColumn(sql_table, sql_column),
                    )
                )
        present_indexes = {index["name"] for index in inspector.get_indexes(name)}
        changes.extend(
            _index_change(name, index)
            for index in sorted(sql_table.indexes, key=lambda i: str(i.name))
            if index.name not in present_indexes
        )
    changes.extend(SchemaChange("metadata", "", text) for text in pending)
    return SchemaPlan(tuple(changes))


def _index_change(table: str, index: sa.Index) -> SchemaChange:
    text = (
        N_("create unique index {index} on {table} ({columns})")
        if index.unique
        else N_("create index {index} on {table} ({columns})")
    )
    columns = ", ".join(c.name for c in index.columns)
    return SchemaChange(
        "create_index",
        table,
        Text(text, index=index.name, table=table, columns=columns),
        sa.schema.CreateIndex(index),
    )


def key_index_name(table: str, columns: Iterable[str]) -> str:
    """The name of the unique index that enforces an alternate key."""
    return _index_name("uq", table, columns)


class _AddColumn:
    """ALTER TABLE ... ADD COLUMN, which SQLAlchemy Core does not spell for us."""

    def __init__(self, table: sa.Table, column: sa.Column[Any]) -> None:
        self.table = table
        self.column = column

    def execute(self, connection: sa.Connection) -> None:
        dialect = connection.dialect
        preparer = dialect.identifier_preparer
        definition = sa.schema.CreateColumn(self.column).compile(dialect=dialect)
        connection.exec_driver_sql(
            f"ALTER TABLE {preparer.format_table(self.table)} ADD COLUMN {definition}"
        )


def apply(connection: sa.Connection, schema_plan: SchemaPlan) -> None:
    for change in schema_plan:
        with translate_errors(change.table):
            if isinstance(change.statement, _AddColumn):
                change.statement.execute(connection)
            elif change.statement is not None:
                connection.execute(change.statement)
