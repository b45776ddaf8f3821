"""Rows of record tables, read and written with SQLAlchemy Core.

Only message handlers call the writing functions, from inside the pipeline's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.storage import translate_errors
from leadgate.platform.engine.versions import new_version, next_version

__all__ = [
    "delete_row",
    "entity_from_row",
    "existing_ids",
    "insert_row",
    "insert_rows",
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
    with translate_errors(sql_table):
        if isinstance(version, int):  # a value: one cached statement for every insert
            row["versionnumber"] = version
            connection.execute(sql_table.insert(), [row])
        else:  # an expression the statement evaluates (PostgreSQL's nextval)
            connection.execute(sql_table.insert().values(versionnumber=version), [row])


def insert_rows(
    connection: sa.Connection, sql_table: sa.Table, found: list[dict[str, Any]]
) -> None:
    """Insert rows already in SQL form (:func:`row_values`) in one statement, sharing one
    new version, as every statement that writes many rows does."""
    version = next_version(connection)
    with translate_errors(sql_table):
        connection.execute(sql_table.insert(), [{**row, "versionnumber": version} for row in found])


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
    columns = select_columns(table, sql_table, names)
    statement = sa.select(*columns).where(sql_table.c[table.primary_key] == record_id)
    if lock:
        statement = statement.with_for_update()
    with translate_errors(table.name):
        row = connection.execute(statement).mappings().first()
    return entity_from_row(table, row, names) if row is not None else None


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
    key = sql_table.c[table.primary_key]
    with translate_errors(sql_table):
        statement = (
            sql_table.update()
            .where(key == record_id)
            .values(**row_values(table, values), versionnumber=new_version(connection))
        )
        if expected_version is not None:
            statement = statement.where(sql_table.c.versionnumber == expected_version)
        return connection.execute(statement).rowcount


def delete_row(
    connection: sa.Connection, table: TableMetadata, sql_table: sa.Table, record_id: uuid.UUID
) -> int:
    with translate_errors(table.name):
        return connection.execute(
            sql_table.delete().where(sql_table.c[table.primary_key] == record_id)
        ).rowcount


def existing_ids(
    connection: sa.Connection, table: TableMetadata, sql_table: sa.Table, ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    wanted = list(set(ids))
    if not wanted:
        return set()
    key = sql_table.c[table.primary_key]
    with translate_errors(table.name):
        return set(connection.execute(sa.select(key).where(key.in_(wanted))).scalars())
