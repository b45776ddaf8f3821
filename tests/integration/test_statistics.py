"""The query planner's statistics (storage.refresh_statistics): an idle worker gives SQLite
statistics of every index, so that a query on a record's owner and state takes the owner's
index as the tables grow (PostgreSQL keeps its own: nothing to do there)."""

from __future__ import annotations

import time

import sqlalchemy as sa

from leadgate.platform.engine.storage import refresh_statistics
from leadgate.platform.jobs import Worker


def _indexes_with_statistics(org) -> set[str]:
    with org.engine.connect() as connection:
        if not sa.inspect(connection).has_table("sqlite_stat1"):
            return set()
        return set(connection.exec_driver_sql("SELECT idx FROM sqlite_stat1").scalars())


def test_refreshing_gives_sqlite_statistics_of_every_index_and_is_harmless_on_postgresql(
    org, admin
):
    admin.create("lead", {"subject": "Fifty bikes", "lastname": "Byron"})
    refresh_statistics(org.engine)
    refresh_statistics(org.engine)  # again: it replaces, never fails
    if org.engine.dialect.name == "sqlite":
        assert {"ix_lead_ownerid", "ix_lead_statecode"} <= _indexes_with_statistics(org)
    assert admin.retrieve("lead", admin.retrieve_multiple("lead").entities[0].id)["subject"] == (
        "Fifty bikes"
    )


def test_an_idle_worker_refreshes_the_statistics(org, admin):
    admin.create("lead", {"subject": "Fifty bikes", "lastname": "Byron"})
    worker = Worker(org, poll=0.05, on_job=lambda _outcome: None)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while org.engine.dialect.name == "sqlite" and time.monotonic() < deadline:
            if "ix_lead_ownerid" in _indexes_with_statistics(org):
                break
            time.sleep(0.05)
    finally:
        worker.stop()
        assert worker.join(10)
    if org.engine.dialect.name == "sqlite":
        assert "ix_lead_ownerid" in _indexes_with_statistics(org)
