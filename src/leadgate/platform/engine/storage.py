"""The database edge: engines for SQLite and PostgreSQL, and their errors made ours.

Above this module nothing catches an SQLAlchemy exception.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.pool import StaticPool

from leadgate.platform.engine import errors
from leadgate.platform.engine.writers import take_turns, writer_turn

__all__ = [
    "DEFAULT_URL",
    "create_engine",
    "database_url",
    "driver_execute",
    "redact",
    "translate_errors",
    "write_transaction",
]

DEFAULT_URL = "sqlite:///./leadgate.db"
URL_VARIABLE = "LEADGATE_DATABASE_URL"


def database_url(explicit: str | None = None) -> str:
    """The URL from ``--db``, else ``LEADGATE_DATABASE_URL``, else ./leadgate.db."""
    url = explicit or os.environ.get(URL_VARIABLE) or DEFAULT_URL
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # Plain URLs mean psycopg 3, the driver leadgate ships with.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def redact(url: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def create_engine(url: str) -> sa.Engine:
    """An engine tuned for leadgate: SQLite in WAL mode with real transactions."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")
        options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if in_memory:
            options["poolclass"] = StaticPool
        engine = sa.create_engine(parsed, **options)
        _tune_sqlite(engine, wal=not in_memory)
        if not in_memory:  # one shared connection in memory: its transactions are in turn
            take_turns(engine, timeout=30)
        _forget_written_rows(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        engine = sa.create_engine(parsed, pool_pre_ping=True)
        _forget_written_rows(engine)
        return engine
    raise errors.DATABASE_UNAVAILABLE(
        detail=f"{redact(url)}: only sqlite:/// and postgresql+psycopg:// URLs are supported"
    )


_BEGIN = {"IMMEDIATE": "BEGIN IMMEDIATE", "DEFERRED": "BEGIN DEFERRED"}


def _tune_sqlite(engine: sa.Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN is ours (SQLAlchemy's recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Index lookups in large tables (duplicate match codes: millions of rows) read pages
        # at random: map the file and keep more pages, instead of SQLite's 2 MB of cache.
        cursor.execute("PRAGMA cache_size=-32768")
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # A writer takes the lock up front; a deferred one could not upgrade later under
        # contention and would fail instead of waiting its turn.
        mode = "IMMEDIATE" if connection.info.pop("write", False) else "DEFERRED"
        # cProfile of 2,000 Retrieves: SQLAlchemy's statement and result around the BEGIN
        # cost 40 us of a 460 us message.
        driver_execute(connection, _BEGIN[mode]).close()


# The rows a unit of work's transaction has read: {(table, id): {column: value}}, in the
# connection's info while the transaction lasts (engine/unit_of_work.py, engine/rows.py).
HELD_ROWS = "leadgate.held_rows"
# Statements that write no record: what a unit of work holds stays true after them.
_KEEPS_ROWS = ("SELECT", "SAVEPOINT", "RELEASE", "BEGIN", "UPDATE lg_rowversion")
_WRITTEN_TABLE = re.compile(r"(?:INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)", re.IGNORECASE)


def _forget_written_rows(engine: sa.Engine) -> None:
    """The rows a unit of work holds (HELD_ROWS) are forgotten as soon as a statement
    may write to their table, and all of them when a savepoint is rolled back."""

    @event.listens_for(engine, "before_cursor_execute")
    def _on_statement(connection: sa.Connection, _cursor: Any, statement: str, *_rest: Any) -> None:
        held = connection.info.get(HELD_ROWS)
        if not held or statement.startswith(_KEEPS_ROWS):
            return
        written = _WRITTEN_TABLE.match(statement)
        if written is None:  # a statement of another kind: forget everything
            held.clear()
            return
        table = written.group(1)
        for key in [key for key in held if key[0] == table]:
            del held[key]

    @event.listens_for(engine, "rollback_savepoint")
    def _on_rollback(connection: sa.Connection, *_rest: Any) -> None:
        held = connection.info.get(HELD_ROWS)
        if held:
            held.clear()


def driver_execute(
    connection: sa.Connection, sql: str, parameters: Any = (), *, many: bool = False
) -> Any:
    """Run ``sql`` on the driver's own cursor, in the connection's transaction, and return the
    cursor (``many``: once per parameter set): where SQLAlchemy's statement and result objects
    cost more than the statement (BEGIN, the cache counters, the version counter, and the
    kept statements of engine/driver_statements.py, which tell the engine's listeners). A
    refusal is wrapped as SQLAlchemy wraps it, so translate_errors reads it the same, and a
    lost connection is invalidated as SQLAlchemy does: the pool does not hand it out again."""
    dbapi_connection = connection.connection
    cursor = dbapi_connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
    except connection.dialect.loaded_dbapi.Error as error:
        dialect = connection.dialect
        lost = dialect.is_disconnect(error, dbapi_connection, cursor)
        with contextlib.suppress(dialect.loaded_dbapi.Error):
            cursor.close()
        if lost:
            connection.invalidate(error)
        raise exc.DBAPIError.instance(
            sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect,
            connection_invalidated=lost,
        ) from error  # fmt: skip
    return cursor


def refresh_statistics(engine: sa.Engine) -> None:
    """Give SQLite's query planner statistics of the tables' indexes (ANALYZE, sampling at
    most 1,000 rows an index, so that it takes milliseconds on a million rows). Without them
    SQLite took the one-column state index for "my open leads" (every open lead of every
    owner: 20.7 ms for 50 of 100,000 leads, 14.0 ms through the owner's index, measured
    2026-12-05). PostgreSQL's autovacuum keeps its own statistics: nothing to do there."""
    if engine.dialect.name != "sqlite":
        return
    with (
        translate_errors(),
        engine.connect() as connection,
        writer_turn(engine),
        write_transaction(connection),
    ):
        connection.exec_driver_sql("PRAGMA analysis_limit=1000")
        connection.exec_driver_sql("ANALYZE")


@contextlib.contextmanager
def write_transaction(connection: sa.Connection) -> Iterator[sa.Connection]:
    """Begin a transaction that will write (SQLite takes its write lock at once)."""
    connection.info["write"] = True
    with connection.begin():
        yield connection


@contextlib.contextmanager
def translate_errors(table: str | sa.Table = "") -> Iterator[None]:
    """Turn the driver's integrity, lock and connection errors into leadgate errors.

    ``table`` is the table written; given as an ``sa.Table``, it also tells which columns a
    violated unique key holds on PostgreSQL.
    """
    try:
        yield
    except errors.LeadgateError:
        raise
    except OverflowError as error:  # SQLite's driver: an integer wider than 64 bits
        raise errors.INVALID_DATA(detail=str(error)) from error
    except exc.TimeoutError as error:  # every pooled connection stayed in use past the wait
        raise errors.DATABASE_BUSY() from error
    except exc.DBAPIError as error:
        raise _translated(error, table) from error


@dataclass(frozen=True, slots=True)
class _Fault:
    """What the driver says went wrong, read from its codes rather than its sentences."""

    kind: Literal["duplicate", "busy", "unreachable", "other"]
    table: str = ""
    columns: tuple[str, ...] = ()
    constraint: str = ""


def _translated(error: exc.DBAPIError, table: str | sa.Table) -> errors.LeadgateError:
    orig = error.orig
    message = str(orig).splitlines()[0] if orig is not None and str(orig) else str(error)
    fault = _driver_fault(orig)
    if fault.kind == "duplicate":
        name = table if isinstance(table, str) else table.name
        columns = fault.columns
        if not columns and isinstance(table, sa.Table) and fault.table in ("", table.name):
            columns = _key_columns(table, fault.constraint)
        return errors.DUPLICATE_RECORD(
            table=name or fault.table, columns=", ".join(columns) or fault.constraint or "key"
        )
    if fault.kind == "busy":
        return errors.DATABASE_BUSY()
    if fault.kind == "unreachable" or error.connection_invalidated:
        return errors.DATABASE_UNAVAILABLE(detail=message)
    if isinstance(error, exc.DataError):
        return errors.INVALID_DATA(detail=message)
    return errors.UNEXPECTED(detail=message)


def _driver_fault(orig: BaseException | None) -> _Fault:
    # An error raised by a driver means the driver is loaded: look it up rather than import
    # it, so that importing the platform loads neither sqlite3 nor psycopg.
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(orig, sqlite3.Error):
        return _sqlite_fault(orig, sqlite3)
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None and isinstance(orig, psycopg.Error):
        return _postgres_fault(orig, psycopg)
    return _Fault("other")


def _sqlite_fault(orig: Any, sqlite3: Any) -> _Fault:
    # The extended result code (Python 3.11+); absent when the module itself refused.
    code = getattr(orig, "sqlite_errorcode", None)
    if code in (sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY):
        # SQLite has no diagnostic fields: the failing columns exist only in the message,
        # "UNIQUE constraint failed: <table>.<column>[, <table>.<column>…]" (or "index '<name>'"
        # for an index on expressions, which leadgate does not create).
        failed = str(orig).partition(": ")[2].split(", ")
        qualified = [part.partition(".") for part in failed if "." in part]
        return _Fault(
            "duplicate",
            table=qualified[0][0] if qualified else "",
            columns=tuple(column for _table, _dot, column in qualified),
            constraint="" if qualified else failed[0],
        )
    primary = code & 0xFF if code is not None else None
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return _Fault("busy")
    if primary == sqlite3.SQLITE_CANTOPEN:
        return _Fault("unreachable")
    return _Fault("other")


# Server-side SQLSTATEs that mean the server cannot serve this connection: class 08
# (connection exception) and the server shutting down or starting up (57P01-57P03).
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")


def _postgres_fault(orig: Any, psycopg: Any) -> _Fault:
    pg = psycopg.errors
    if isinstance(orig, pg.UniqueViolation):
        return _Fault(
            "duplicate",
            table=orig.diag.table_name or "",
            constraint=orig.diag.constraint_name or "",
        )
    if isinstance(orig, (pg.SerializationFailure, pg.DeadlockDetected, pg.LockNotAvailable)):
        return _Fault("busy")
    if isinstance(orig, psycopg.OperationalError) and (
        # No SQLSTATE: libpq itself failed (refused, unknown host, closed connection, or the
        # server refusing the login or the database before any statement).
        orig.sqlstate is None or orig.sqlstate.startswith(_UNREACHABLE_STATES)
    ):
        return _Fault("unreachable")
    return _Fault("other")


def _key_columns(table: sa.Table, constraint: str) -> tuple[str, ...]:
    """The columns of the table's unique index or constraint that PostgreSQL names."""
    for index in table.indexes:
        if index.unique and index.name == constraint:
            return tuple(column.name for column in index.columns)
    for key in table.constraints:
        if not isinstance(key, (sa.PrimaryKeyConstraint, sa.UniqueConstraint)):
            continue
        columns = tuple(column.name for column in key.columns)
        # An unnamed key has PostgreSQL's default name: <table>_pkey, <table>_<columns>_key.
        suffix = "pkey" if isinstance(key, sa.PrimaryKeyConstraint) else "_".join(columns) + "_key"
        if constraint in (key.name, f"{table.name}_{suffix}"):
            return columns
    return ()
