"""Kept statements run on the driver's cursor: compiled once by SQLAlchemy, executed without it.

A row read by id through ``Connection.execute`` spends about 50 µs in SQLAlchemy's execution
context and result objects, against 10 µs in sqlite3 itself (cProfile of 500 Retrieves,
2026-12-05): more than the statement. A :class:`DriverStatement` keeps what that machinery
works out on each call (the SQL text, the order of the parameters, each column type's
converters, the names of the result's columns) and does only the per-call part.

What it keeps of SQLAlchemy's behaviour: every value goes through its type's own bind and
result processors; the engine's ``before_cursor_execute`` and ``after_cursor_execute``
listeners are called (with no execution context), so what listens to statements (the held
rows of engine/storage.py, tests that count writes) hears these too; the driver's errors are
wrapped as SQLAlchemy wraps them, and a lost connection invalidated
(:func:`storage.driver_execute`). Not kept: SQLAlchemy's own statement log (``echo``), which
leadgate does not turn on. A statement that needs
more (defaults computed in Python, expanding or literal parameters) is run by SQLAlchemy, and
so is any statement outside a transaction, which SQLAlchemy would begin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine.storage import driver_execute

__all__ = ["DriverStatement"]


class DriverStatement:
    """One kept statement compiled for one dialect (see the module's docstring)."""

    __slots__ = (
        "_binds", "_columns", "_dialect", "_dialect_key", "_readers", "_statement", "direct",
        "positional", "sql",
    )  # fmt: skip

    def __init__(
        self, statement: Any, dialect: sa.Dialect, column_keys: list[str] | None = None
    ) -> None:
        """``column_keys``: the columns an INSERT or UPDATE is given values of (SQLAlchemy
        compiles those statements for the keys of the parameters it is called with)."""
        self._statement = statement
        self._dialect = dialect
        self._dialect_key = _dialect_key(dialect)
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        self.direct = not (
            compiled.insert_prefetch
            or compiled.update_prefetch
            or compiled.literal_execute_params
            or compiled.post_compile_params
            or compiled.schema_translate_map
        )
        self.sql: str = compiled.string
        self.positional: bool = compiled.positional
        processors = compiled._bind_processors
        escaped = compiled.escaped_bind_names or {}
        names = compiled.positiontup if compiled.positional else list(compiled.binds)
        binds = compiled.binds
        self._binds = [
            (escaped.get(name, name), binds[name].key, binds[name].required, binds[name].value,
             processors.get(name))
            for name in names or ()
        ]  # fmt: skip
        self._columns: list[tuple[str, Any]] = [
            (entry[0], entry[3]) for entry in compiled._result_columns
        ]
        self._readers: list[tuple[str, Any]] | None = None

    def execute(self, connection: sa.Connection, parameters: Any, *, many: bool = False) -> Any:
        """Run the statement (``many``: once per mapping of ``parameters``); returns the
        driver's cursor, which the caller closes."""
        values = [self._values(row) for row in parameters] if many else self._values(parameters)
        sql = self.sql
        dispatch = (
            connection.dispatch if connection._has_events or connection.engine._has_events else None
        )
        if dispatch is not None:
            for listen in dispatch.before_cursor_execute:
                sql, values = listen(connection, None, sql, values, None, many)
        cursor = driver_execute(connection, sql, values, many=many)
        if dispatch is not None and dispatch.after_cursor_execute:
            dispatch.after_cursor_execute(connection, cursor, sql, values, None, many)
        return cursor

    def first(self, connection: sa.Connection, parameters: Mapping[str, Any]) -> dict | None:
        """The first row the statement returns, as {column key: value}, or None."""
        if not self._direct_on(connection):
            row = connection.execute(self._statement, parameters).first()
            return row._asdict() if row is not None else None
        found = self._fetched(connection, parameters, lambda cursor: cursor.fetchmany(1))
        return found[0] if found else None

    def all(self, connection: sa.Connection, parameters: Mapping[str, Any]) -> list[dict]:
        """Every row the statement returns, as {column key: value}."""
        if not self._direct_on(connection):
            return [row._asdict() for row in connection.execute(self._statement, parameters)]
        return self._fetched(connection, parameters, lambda cursor: cursor.fetchall())

    def _fetched(
        self, connection: sa.Connection, parameters: Mapping[str, Any], fetch: Any
    ) -> list[dict]:
        cursor = self.execute(connection, parameters)
        try:
            raws = fetch(cursor)
            if not raws:
                return []
            readers = self._readers or self._describe(connection.dialect, cursor.description)
        finally:
            cursor.close()
        return [
            {key: read(value) if read else value
             for (key, read), value in zip(readers, raw, strict=True)}
            for raw in raws
        ]  # fmt: skip

    def rowcount(self, connection: sa.Connection, parameters: Mapping[str, Any]) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        if not self._direct_on(connection):
            return connection.execute(self._statement, parameters).rowcount
        cursor = self.execute(connection, parameters)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def rowcount_many(self, connection: sa.Connection, rows: list[dict[str, Any]]) -> int:
        """Run the statement once per row (the driver's executemany); rows changed."""
        if not self._direct_on(connection) or len({tuple(row) for row in rows}) != 1:
            return connection.execute(self._statement, rows).rowcount
        cursor = self.execute(connection, rows, many=True)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _direct_on(self, connection: sa.Connection) -> bool:
        """Whether this connection can run the compiled form: its dialect compiles the
        statement alike (platform tables are shared by every organization of the process),
        and a transaction is open (SQLAlchemy would begin one)."""
        dialect = connection.dialect
        return (
            self.direct
            and (dialect is self._dialect or _dialect_key(dialect) == self._dialect_key)
            and connection.in_transaction()
        )

    def _values(self, parameters: Mapping[str, Any]) -> Any:
        """The parameters as the driver takes them: in order (or by name), converted."""
        values = []
        for _name, key, required, fixed, convert in self._binds:
            value = parameters[key] if required else parameters.get(key, fixed)
            values.append(convert(value) if convert else value)
        if self.positional:
            return values
        return {bind[0]: value for bind, value in zip(self._binds, values, strict=True)}

    def _describe(self, dialect: sa.Dialect, description: Any) -> list[tuple[str, Any]]:
        """Each result column's key and converter, from the type the driver described (on
        PostgreSQL a converter may depend on it), worked out at the first row."""
        self._readers = [
            (key, type_._cached_result_processor(dialect, described[1]))
            for (key, type_), described in zip(self._columns, description, strict=True)
        ]
        return self._readers


def _dialect_key(dialect: sa.Dialect) -> tuple[Any, ...]:
    return (type(dialect), dialect.server_version_info, dialect.paramstyle)
