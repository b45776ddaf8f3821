"""The database edge: engines for SQLite and PostgreSQL, and their errors made ours.

Above this module nothing catches an SQLAlchemy exception.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.pool import StaticPool

from leadgate.platform.engine import errors

__all__ = [
    "DEFAULT_URL",
    "create_engine",
    "database_url",
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
        return engine
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(parsed, pool_pre_ping=True)
    raise errors.DATABASE_UNAVAILABLE(
        detail=f"{redact(url)}: only sqlite:/// and postgresql+psycopg:// URLs are supported"
    )


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
        connection.exec_driver_sql(f"BEGIN {mode}")


@contextlib.contextmanager
def write_transaction(connection: sa.Connection) -> Iterator[sa.Connection]:
    """Begin a transaction that will write (SQLite takes its write lock at once)."""
    connection.info["write"] = True
    with connection.begin():
        yield connection


_UNIQUE = re.compile(r"unique|duplicate key", re.IGNORECASE)
_UNREACHABLE = re.compile(
    r"connect|connection|unable to open|server closed|could not translate host|timeout expired",
    re.IGNORECASE,
)
_BUSY = re.compile(r"database is locked|could not serialize|deadlock detected", re.IGNORECASE)


@contextlib.contextmanager
def translate_errors(table: str = "") -> Iterator[None]:
    """Turn the driver's integrity, lock and connection errors into leadgate errors."""
    try:
        yield
    except errors.LeadgateError:
        raise
    except OverflowError as error:  # SQLite's driver: an integer wider than 64 bits
        raise errors.INVALID_DATA(detail=str(error)) from error
    except exc.IntegrityError as error:
        if _UNIQUE.search(str(error.orig)):
            raise errors.DUPLICATE_RECORD(table=table, columns=_columns_of(error)) from error
        raise errors.UNEXPECTED(detail=str(error.orig).splitlines()[0]) from error
    except exc.DBAPIError as error:
        message = str(error.orig).splitlines()[0] if error.orig else str(error)
        if _BUSY.search(message):
            raise errors.DATABASE_BUSY() from error
        if isinstance(error, exc.OperationalError) and _UNREACHABLE.search(message):
            raise errors.DATABASE_UNAVAILABLE(detail=message) from error
        if isinstance(error, exc.DataError):
            raise errors.INVALID_DATA(detail=message) from error
        raise errors.UNEXPECTED(detail=message) from error


def _columns_of(error: exc.IntegrityError) -> str:
    text = str(error.orig)
    sqlite = re.search(r"UNIQUE constraint failed: ([\w., ]+)", text)
    if sqlite:
        return ", ".join(part.split(".")[-1] for part in sqlite.group(1).split(", "))
    postgres = re.search(r"Key \(([^)]*)\)", text)
    if postgres:
        return postgres.group(1)
    return "key"
