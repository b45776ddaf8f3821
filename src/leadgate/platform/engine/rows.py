"""Rows of record tables, read and written with SQLAlchemy Core.

Only message handlers call the writing functions, from inside the pipeline's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

from leadgate.platform.engine.driver_statements import DriverStatement
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.storage import HELD_ROWS, translate_errors
from leadgate.platform.engine.versions import new_version, next_version

T = TypeVar("T")

__all__ = [
    "delete_row",
    "entity_from_row",
    "existing_ids",
    "insert_row",
    "insert_rows",
    "kept_statement",
    "read_row",
    "row_values",
    "select_columns",
    "select_row",
    "update_row",
]


def row_values(table: TableMetadata, values: Mapping[str, Any]) -> dict[str, Any]:
    """Entity values as SQL columns: references become ids, plus the target table if needed."""
    row: dict[str, Any] = {}
    for name, value in values.items():
        column = table.columns[name]
        if column.type.is_reference:
            row[name] = value.id if value is not None else None
            if column.type_column:
                row[column.type_column] = value.logical_name if value is not None else None
        else:
            row[name] = value
    return row


def select_columns(table: TableMetadata, sql_table: sa.Table, names: Iterable[str]) -> list[Any]:
    found: list[Any] = []
    for name in names:
        found.append(sql_table.c[name])
        type_column = table.columns[name].type_column
        if type_column:
            found.append(sql_table.c[type_column])
    return found


def entity_from_row(table: TableMetadata, row: Any, names: Sequence[str]) -> Entity:
    """A row (any mapping, SQLAlchemy's RowMapping included) as an Entity of ``names``."""
    values: dict[str, Any] = {}
    for name in names:
        value = row[name]
        column = table.columns[name]
        if value is not None and column.type.is_reference:
            target = row[column.type_column] if column.type_column else column.targets[0]
            value = EntityReference(target, value)
        values[name] = value
    version = values.get("versionnumber")
    return Entity(table.name, row[table.primary_key], values, row_version=version)


def insert_row(
    connection: sa.Connection, table: TableMetadata, sql_table: sa.Table, values: Mapping[str, Any]
) -> None:
    """Insert the row with a new version (database-wide, see :mod:`versions`)."""
    row = row_values(table, values)
    version = new_version(connection)
    computed = not isinstance(version, int)  # PostgreSQL's nextval, evaluated by the insert
    if not computed:
        row["versionnumber"] = version
    key = ("insert", computed, *row)
    statement = _statements(sql_table).get(key)
    if statement is None:
        insert = sql_table.insert()
        if computed:
            insert = insert.values(versionnumber=version)
        statement = _keep(sql_table, key, DriverStatement(insert, connection.dialect, list(row)))
    with translate_errors(sql_table):
        statement.rowcount(connection, row)


def insert_rows(
    connection: sa.Connection, sql_table: sa.Table, found: list[dict[str, Any]]
) -> None:
    """Insert rows already in SQL form (:func:`row_values`) in one statement, sharing one
    new version, as every statement that writes many rows does."""
    version = next_version(connection)
    written = [{**row, "versionnumber": version} for row in found]
    key = ("insert many", *written[0])
    statement = _statements(sql_table).get(key)
    if statement is None:
        insert = DriverStatement(sql_table.insert(), connection.dialect, list(written[0]))
        statement = _keep(sql_table, key, insert)
    with translate_errors(sql_table):
        statement.rowcount_many(connection, written)


def select_row(
    connection: sa.Connection,
    table: TableMetadata,
    sql_table: sa.Table,
    record_id: uuid.UUID,
    names: Sequence[str],
    *,
    lock: bool = False,
) -> Entity | None:
    """One record's columns; ``lock`` holds the row until commit (FOR UPDATE on PostgreSQL,
    where concurrent writers of one record must queue; SQLite serializes writers anyway)."""
    if table.primary_key not in names:
        names = [table.primary_key, *names]
    row = read_row(connection, table, sql_table, record_id, names, lock=lock)
    return entity_from_row(table, row, names) if row is not None else None


def read_row(
    connection: sa.Connection,
    table: TableMetadata,
    sql_table: sa.Table,
    record_id: uuid.UUID,
    names: Sequence[str],
    *,
    lock: bool = False,
) -> Mapping[str, Any] | None:
    """A record's columns as stored (lookups' type columns included), or None.

    In a unit of work's transaction what was read is held (:data:`HELD_ROWS`) and a later
    read of the same columns is answered from it, until a statement writes to the table
    (engine/storage.py forgets them) or the transaction ends. A locking read on PostgreSQL
    always asks the database: the lock is what it is for."""
    key = ("row", tuple(names), lock)
    kept = _statements(sql_table).get(key)
    if kept is None:
        columns = select_columns(table, sql_table, names)
        select = sa.select(*columns).where(_by_id(table, sql_table))
        if lock:
            select = select.with_for_update()
        wanted = frozenset(column.key for column in columns)
        kept = _keep(sql_table, key, (DriverStatement(select, connection.dialect), wanted))
    statement, wanted = kept
    held = connection.info.get(HELD_ROWS)
    if held is not None and not (lock and connection.dialect.name == "postgresql"):
        found = held.get((sql_table.name, record_id))
        if found is not None and found.keys() >= wanted:
            return found
    with translate_errors(table.name):
        read = statement.first(connection, {_ID: record_id})
    if read is None:
        return None
    if held is None:
        return read
    found = held.get((sql_table.name, record_id))
    if found is None:
        held[(sql_table.name, record_id)] = read
        return read
    found.update(read)
    return found


def update_row(
    connection: sa.Connection,
    table: TableMetadata,
    sql_table: sa.Table,
    record_id: uuid.UUID,
    values: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> int:
    """Write the values with a new version (database-wide, see :mod:`versions`); 0 rows
    means missing or stale."""
    row = row_values(table, values)
    version = new_version(connection)
    # A row the unit holds is kept true: the statement returns what it wrote, as a read
    # would give it (storage forgets the table's rows as the statement runs).
    held = connection.info.get(HELD_ROWS)
    previous = held.get((sql_table.name, record_id)) if held else None
    # The statement is kept per set of columns; PostgreSQL's version is an expression.
    computed = not isinstance(version, int)
    key = ("update", tuple(row), expected_version is not None, computed, previous is not None)
    statement = _statements(sql_table).get(key)
    if statement is None:
        sets: dict[str, Any] = {name: sa.bindparam(_SET + name) for name in row}
        sets["versionnumber"] = version if computed else sa.bindparam(_VERSION)
        statement = sql_table.update().where(_by_id(table, sql_table)).values(sets)
        if expected_version is not None:
            statement = statement.where(sql_table.c.versionnumber == sa.bindparam(_EXPECTED))
        if previous is not None:
            statement = statement.returning(*(sql_table.c[name] for name in sets))
        statement = _keep(sql_table, key, DriverStatement(statement, connection.dialect))
    parameters = {_SET + name: value for name, value in row.items()}
    parameters[_ID] = record_id
    if not computed:
        parameters[_VERSION] = version
    if expected_version is not None:
        parameters[_EXPECTED] = expected_version
    with translate_errors(sql_table):
        if previous is None:
            return statement.rowcount(connection, parameters)
        written = statement.first(connection, parameters)
    if written is None:
        return 0
    assert held is not None
    held[(sql_table.name, record_id)] = {**previous, **written}
    return 1


def delete_row(
    connection: sa.Connection, table: TableMetadata, sql_table: sa.Table, record_id: uuid.UUID
) -> int:
    key = ("delete",)
    statement = _statements(sql_table).get(key)
    if statement is None:
        delete = sql_table.delete().where(_by_id(table, sql_table))
        statement = _keep(sql_table, key, DriverStatement(delete, connection.dialect))
    with translate_errors(table.name):
        return statement.rowcount(connection, {_ID: record_id})


def existing_ids(
    connection: sa.Connection, table: TableMetadata, sql_table: sa.Table, ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    wanted = list(set(ids))
    if not wanted:
        return set()
    column = sql_table.c[table.primary_key]
    statement = kept_statement(sql_table, ("existing",), lambda: (
        sa.select(column).where(column.in_(sa.bindparam(_IDS, expanding=True)))
    ))  # fmt: skip
    with translate_errors(table.name):
        return set(connection.execute(statement, {_IDS: wanted}).scalars())


def kept_statement(sql_table: sa.Table, key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """The statement ``build`` makes, built once per table and ``key`` (see below): for a
    statement run again and again with only its parameters changing."""
    statement = _statements(sql_table).get(key)
    if statement is None:
        statement = _keep(sql_table, key, build())
    return statement


# Statements are built once per table (a Table object lives as long as its table's SQL shape,
# engine/schema.py) and run with their values as parameters: building a statement and its
# cache key costs more than running it (~60 µs of ~120 µs for a row read). The number kept
# per table is bounded: the Web API's $select makes column sets of its callers' choice.
_KEPT = "leadgate.statements"
_MAX_KEPT = 256
_ID, _VERSION, _EXPECTED, _SET, _IDS = "lg_id", "lg_version", "lg_expected", "lg_set_", "lg_ids"


def _statements(sql_table: sa.Table) -> dict[tuple[Any, ...], Any]:
    kept: dict[tuple[Any, ...], Any] = sql_table.info.setdefault(_KEPT, {})
    return kept


def _keep(sql_table: sa.Table, key: tuple[Any, ...], statement: Any) -> Any:
    kept = _statements(sql_table)
    if len(kept) >= _MAX_KEPT:
        kept.clear()
    kept[key] = statement
    return statement


def _by_id(table: TableMetadata, sql_table: sa.Table) -> Any:
    return sql_table.c[table.primary_key] == sa.bindparam(_ID)
