"""The database's refusals reach people as coded errors, recognised by the drivers' codes.

Each test runs on SQLite and on PostgreSQL: the same refusal must read the same on both.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from leadgate.platform import Entity, Organization
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.storage import create_engine, translate_errors, write_transaction

DOLLAR = {"currencyname": "Dollar again", "currencysymbol": "$", "exchangerate": 1}


def refusal(action) -> LeadgateError:
    with pytest.raises(LeadgateError) as refused:
        action()
    return refused.value


def test_a_duplicate_alternate_key_names_the_table_and_its_column(system):
    error = refusal(lambda: system.create("transactioncurrency", isocurrencycode="USD", **DOLLAR))
    assert error.code == "0x80040237"
    assert error.message("en") == (
        "Cannot insert duplicate key: a transactioncurrency record with the same "
        "isocurrencycode already exists."
    )
    assert error.message("fr") == (
        "Impossible d'insérer une clé en double : un enregistrement transactioncurrency avec "
        "les mêmes isocurrencycode existe déjà."
    )


def test_a_duplicate_key_of_two_columns_names_both(system):
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0]
    system.create("team", name="Twins", businessunitid=root.to_reference())
    error = refusal(lambda: system.create("team", name="Twins", businessunitid=root.to_reference()))
    assert error.code == "0x80040237"
    assert "a team record with the same name, businessunitid already" in error.message("en")


def test_the_same_id_twice_names_the_primary_key(system):
    chosen = uuid.uuid4()
    system.create(Entity("transactioncurrency", chosen, isocurrencycode="XTS", **DOLLAR))
    again = Entity("transactioncurrency", chosen, isocurrencycode="XTT", **DOLLAR)
    error = refusal(lambda: system.create(again))
    assert error.code == "0x80040237"
    assert "with the same transactioncurrencyid already exists" in error.message("en")


@pytest.fixture
def engine(empty_database_url) -> Iterator[sa.Engine]:
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        connection.exec_driver_sql("INSERT INTO item VALUES (1, 'one'), (2, 'two')")
    yield engine
    engine.dispose()


def _run(connection: sa.Connection, *statements: str) -> None:
    with translate_errors("item"), connection.begin():
        for statement in statements:
            connection.exec_driver_sql(statement)


def test_another_integrity_error_stays_unexpected_with_the_database_reason(engine):
    with engine.connect() as connection:
        error = refusal(lambda: _run(connection, "INSERT INTO item (id) VALUES (3)"))
    assert error.code == "0x80040216"
    assert error.message("en").startswith("An unexpected error occurred: ")
    assert "name" in error.message("en")


def test_a_write_lock_held_elsewhere_is_a_busy_database(engine):
    with engine.connect() as holder, engine.connect() as waiter:
        if engine.dialect.name == "sqlite":
            with waiter.begin():
                waiter.exec_driver_sql("PRAGMA busy_timeout=0")  # refuse at once, not wait
            with write_transaction(holder):
                holder.exec_driver_sql("UPDATE item SET name = 'held' WHERE id = 1")
                error = refusal(lambda: _write(waiter))
        else:
            with holder.begin():
                holder.exec_driver_sql("SELECT * FROM item WHERE id = 1 FOR UPDATE")
                error = refusal(
                    lambda: _run(waiter, "SELECT * FROM item WHERE id = 1 FOR UPDATE NOWAIT")
                )
    assert error.code == "0x8F4C4740"
    assert error.message("en") == (
        "The database is busy with another change; nothing was saved. Try again."
    )
    assert error.message("fr") == (
        "La base de données est occupée par une autre modification ; rien n'a été enregistré. "
        "Réessayez."
    )


@pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)
def test_every_pooled_connection_in_use_is_a_busy_database_not_a_crash(empty_database_url):
    # PostgreSQL's pool is bounded (SQLite files have a connection per use): a request that
    # waits in vain for a connection is told to try again, as for a lock held elsewhere.
    engine = sa.create_engine(empty_database_url, pool_size=1, max_overflow=0, pool_timeout=0.05)
    try:
        with engine.connect():
            error = refusal(lambda: _open(engine))
    finally:
        engine.dispose()
    assert error.code == "0x8F4C4740"
    assert error.message("fr").startswith("La base de données est occupée")


def _open(engine: sa.Engine) -> None:
    with translate_errors(), engine.connect():
        pass


def _write(connection: sa.Connection) -> None:
    with translate_errors("item"), write_transaction(connection):
        connection.exec_driver_sql("UPDATE item SET name = 'mine' WHERE id = 1")


# SQLite has one writer at a time: a second one is busy (the test above).
@pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)
def test_postgresql_serialization_failures_and_deadlocks_are_a_busy_database(engine):
    with engine.connect() as first, engine.connect() as second:

        def stale_update() -> None:
            with translate_errors("item"), first.begin():
                first.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                first.exec_driver_sql("SELECT name FROM item WHERE id = 1")  # takes its snapshot
                _run(second, "UPDATE item SET name = 'theirs' WHERE id = 1")
                first.exec_driver_sql("UPDATE item SET name = 'mine' WHERE id = 1")

        assert refusal(stale_update).code == "0x8F4C4740"  # could not serialize access

        # A deadlock: each holds a row the other wants; the second finds it and gives way.
        with first.begin():
            first.exec_driver_sql("SET LOCAL deadlock_timeout = '10s'")
            first.exec_driver_sql("UPDATE item SET name = 'a' WHERE id = 1")
            waiting = threading.Thread(
                target=first.exec_driver_sql, args=("UPDATE item SET name = 'a' WHERE id = 2",)
            )

            def crossing_update() -> None:
                with translate_errors("item"), second.begin():
                    second.exec_driver_sql("SET LOCAL deadlock_timeout = '20ms'")
                    second.exec_driver_sql("UPDATE item SET name = 'b' WHERE id = 2")
                    waiting.start()
                    _wait_until_blocked(engine)
                    second.exec_driver_sql("UPDATE item SET name = 'b' WHERE id = 1")

            error = refusal(crossing_update)
            waiting.join()  # the second gave way: the first gets its row
        assert error.code == "0x8F4C4740"  # deadlock detected


def _wait_until_blocked(engine: sa.Engine) -> None:
    """Until a session of this database waits for a lock (rather than sleep a guessed time)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
        for _ in range(1000):
            waiting = watcher.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).scalar_one()
            if waiting:
                return
            watcher.exec_driver_sql("SELECT pg_sleep(0.01)")
    raise AssertionError("the first session never waited for the lock")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_that_cannot_be_reached_says_why(backend, tmp_path):
    url = {
        "sqlite": f"sqlite:///{tmp_path / 'no-such-folder' / 'leadgate.db'}",
        "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/leadgate",  # nothing listens
    }[backend]
    error = refusal(lambda: Organization.open(url))
    assert error.code == "0x8F4C4741"
    reason = {"sqlite": "unable to open database file", "postgresql": "Connection refused"}
    assert error.message("en").startswith("The database cannot be reached: ")
    assert reason[backend] in error.message("en")
    assert error.message("fr").startswith("La base de données est inaccessible : ")
