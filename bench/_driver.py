"""The database driver alone (sqlite3, psycopg): the baseline of issue 16's ratios.

SQL is written once per statement; values are turned into the driver's, and back, by each
column type's own converter (what any code storing these types must do); transactions are
the driver's, with SQLite's BEGIN IMMEDIATE as leadgate takes it for writes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine.schema import SqlTables


class Driver:
    def __init__(self, engine: sa.Engine, tables: SqlTables, names: tuple[str, ...]) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self.tables = tables
        self.mark = "?" if self.dialect.name == "sqlite" else "%s"
        self.writers = {name: {c.name: _writer(c, self.dialect) for c in tables[name].columns}
                        for name in names}  # fmt: skip
        self._readers: dict[str, list[Any]] = {}  # once the driver described the columns
        self._sql: dict[tuple[str, ...], str] = {}

    @contextlib.contextmanager
    def transaction(self, *, writes: bool = True) -> Iterator[Any]:
        """A cursor in a transaction of the driver's own connection (pooled), committed."""
        connection = self.engine.raw_connection()
        sqlite = self.dialect.name == "sqlite"
        try:
            cursor = connection.cursor()
            if sqlite:  # leadgate drives SQLite's transactions itself
                cursor.execute("BEGIN IMMEDIATE" if writes else "BEGIN")
            yield cursor
            if sqlite:
                cursor.execute("COMMIT")
            else:
                connection.commit()
        except BaseException:
            if sqlite:
                connection.cursor().execute("ROLLBACK")
            else:
                connection.rollback()
            raise
        finally:
            connection.close()

    def key(self, table: str, column: str, value: Any) -> Any:
        """``value`` as the driver stores it in ``column``."""
        return self.writers[table][column](value)

    def insert(self, cursor: Any, table: str, row: dict[str, Any]) -> None:
        sql = self._statement(("insert", table, *row), lambda: (
            f"INSERT INTO {table} ({', '.join(row)}) "
            f"VALUES ({', '.join([self.mark] * len(row))})"
        ))  # fmt: skip
        cursor.execute(sql, self._values(table, row))

    def update(self, cursor: Any, table: str, key: str, stored: Any, row: dict[str, Any]) -> None:
        """Update the row whose ``key`` holds ``stored`` (the value as the driver gives it)."""
        sql = self._statement(("update", table, key, *row), lambda: (
            f"UPDATE {table} SET {', '.join(f'{name} = {self.mark}' for name in row)} "
            f"WHERE {key} = {self.mark}"
        ))  # fmt: skip
        cursor.execute(sql, [*self._values(table, row), stored])

    def select(self, cursor: Any, table: str, key: str, stored: Any) -> dict[str, Any] | None:
        """Every column of the row whose ``key`` holds ``stored``, converted back."""
        columns = self.tables[table].columns
        sql = self._statement(("select", table, key), lambda: (
            f"SELECT {', '.join(c.name for c in columns)} FROM {table} "
            f"WHERE {key} = {self.mark}"
        ))  # fmt: skip
        cursor.execute(sql, [stored])
        raw = cursor.fetchone()
        if raw is None:
            return None
        readers = self._readers.get(table)
        if readers is None:
            readers = self._readers[table] = [
                _reader(column, described[1], self.dialect)
                for column, described in zip(columns, cursor.description, strict=True)
            ]
        return {c.name: read(v) for c, read, v in zip(columns, readers, raw, strict=True)}

    def _values(self, table: str, row: dict[str, Any]) -> list[Any]:
        writers = self.writers[table]
        return [writers[name](value) for name, value in row.items()]

    def _statement(self, key: tuple[str, ...], build: Any) -> str:
        sql = self._sql.get(key)
        if sql is None:
            sql = self._sql[key] = build()
        return sql


def _reader(column: sa.Column[Any], type_code: Any, dialect: sa.Dialect) -> Any:
    convert = column.type._cached_result_processor(dialect, type_code)  # type: ignore[attr-defined]
    return convert or _same


def _writer(column: sa.Column[Any], dialect: sa.Dialect) -> Any:
    convert = column.type._cached_bind_processor(dialect)  # type: ignore[attr-defined]
    return convert or _same


def _same(value: Any) -> Any:
    return value
