"""Row versions: one counter for the whole database, never a count per record.

Dataverse's ``versionnumber`` is SQL Server's ``rowversion``: one counter per database, and
every insert or update of a row takes a value greater than any issued before, in any table
(SQL Server's "rowversion (Transact-SQL)" documentation). A count
per record restarts when a record is deleted and re-created with the same id, so an etag
of the old record (``W/"2"``) would match the new one and overwrite it. Values issued
once are never issued again, so a version names one state of one record for good.

PostgreSQL keeps the counter in a sequence: ``nextval`` never waits for other transactions
and never gives a value twice, even when the transaction that took it rolls back.
SQLite has no sequences; its counter is one row of ``lg_rowversion``, moved inside the
writer's transaction. SQLite lets one writer at a time, so no two transactions can take the
same value, and a value taken by a transaction that rolls back was never seen by anyone.

One value serves one statement: rows that one statement changes may share it.
"""

from __future__ import annotations

import contextlib
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine.metadata import store
from leadgate.platform.engine.storage import driver_execute

__all__ = [
    "COUNTER",
    "begin_dry_run",
    "create_counter",
    "end_dry_run",
    "new_version",
    "next_version",
]

COUNTER = "lg_rowversion"  # the sequence (PostgreSQL) or one-row table (SQLite)

# On SQLite a transaction reserves a block of versions with one statement and hands them out
# in order: SQLite has one writer at a time, so no other transaction can take any of them, and
# a block a rollback undoes was never seen. Unused ones are gaps, which versions may have.
BLOCK = 1000
_RESERVE = f"UPDATE {COUNTER} SET value = value + {BLOCK} WHERE id = 1 RETURNING value"
_NEXTVAL_NOW = f"SELECT nextval('{COUNTER}')"
_BLOCK_KEY = "leadgate.rowversion.block"
# A dry run on PostgreSQL counts on from the sequence's last value without taking any: its rows
# are rolled back, and a sequence's values are never given back (engine/dry_run.py).
_DRY_KEY = "leadgate.rowversion.dry"


def begin_dry_run(connection: sa.Connection) -> None:
    """Versions of this connection's transaction leave the database's counter where it is."""
    if connection.dialect.name == "postgresql":
        last = connection.exec_driver_sql(f"SELECT last_value FROM {COUNTER}").scalar_one()
        connection.info[_DRY_KEY] = [int(last) + 1]
    # SQLite moves its counter inside the transaction: the rollback puts it back.


def end_dry_run(connection: sa.Connection) -> None:
    connection.info.pop(_DRY_KEY, None)


def _dry_version(connection: sa.Connection) -> int | None:
    counter = connection.info.get(_DRY_KEY)
    if counter is None:
        return None
    counter[0] += 1
    return int(counter[0] - 1)


def next_version(connection: sa.Connection) -> int:
    """A version greater than every version this database has issued, for one statement.

    Call it inside the transaction that writes the row (the unit of work's).
    """
    if connection.dialect.name == "postgresql":
        dry = _dry_version(connection)
        if dry is not None:
            return dry
        with contextlib.closing(driver_execute(connection, _NEXTVAL_NOW)) as cursor:
            return int(cursor.fetchone()[0])
    # The block belongs to the innermost transaction that reserved it: once that one ends
    # (a savepoint rolled back undoes the reservation too), the next call reserves anew.
    owner = connection.get_nested_transaction() or connection.get_transaction()
    block = connection.info.get(_BLOCK_KEY)
    if block is None or block[0] is not owner or not owner.is_active or block[1] > block[2]:
        with contextlib.closing(driver_execute(connection, _RESERVE)) as cursor:
            end = int(cursor.fetchone()[0])
        block = [owner, end - BLOCK + 1, end]
        connection.info[_BLOCK_KEY] = block
    version = block[1]
    block[1] += 1
    return int(version)


# The statement takes the value itself: no round trip of its own on PostgreSQL.
_NEXTVAL = sa.literal_column(f"nextval('{COUNTER}')", sa.BigInteger())


def new_version(connection: sa.Connection) -> Any:
    """What a statement that writes ONE row sets ``versionnumber`` to: on PostgreSQL the
    sequence's next value, taken by the statement itself; on SQLite the counter's next
    value, taken now (a call inside the process). A statement that writes many rows
    takes one :func:`next_version` instead, so that it costs one value, not one a row."""
    if connection.dialect.name == "postgresql" and _DRY_KEY not in connection.info:
        return _NEXTVAL
    return next_version(connection)


def _exists(connection: sa.Connection) -> bool:
    inspector = sa.inspect(connection)
    if connection.dialect.name == "postgresql":
        return inspector.has_sequence(COUNTER)
    return inspector.has_table(COUNTER)


def _highest_version(connection: sa.Connection) -> int:
    """The highest version the records hold: a database made before the counter existed
    counted per record, and the counter must start above every etag it may have given."""
    present = set(sa.inspect(connection).get_table_names())
    highest = 0
    if store.meta_tables.name not in present:
        return highest
    names = connection.execute(sa.select(store.meta_tables.c.name)).scalars().all()
    for name in sorted(set(names) & present):
        table = sa.table(name, sa.column("versionnumber"))
        found = connection.execute(sa.select(sa.func.max(table.c.versionnumber))).scalar()
        highest = max(highest, int(found or 0))
    return highest


def create_counter(connection: sa.Connection) -> bool:
    """Create the counter if the database has none, inside the caller's transaction.

    Idempotent; True when it was created. A new database starts at 1; one made before the
    counter existed starts above the highest version its records hold.
    """
    if _exists(connection):
        return False
    start = _highest_version(connection) + 1
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"CREATE SEQUENCE IF NOT EXISTS {COUNTER} AS bigint START WITH {start:d}"
        )
    else:
        connection.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {COUNTER} "
            "(id INTEGER PRIMARY KEY CHECK (id = 1), value BIGINT NOT NULL)"
        )
        connection.exec_driver_sql(
            f"INSERT OR IGNORE INTO {COUNTER} (id, value) VALUES (1, {start - 1:d})"
        )
    return True
