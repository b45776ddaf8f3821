"""What a unit of work holds of the rows it read (engine/rows.py, issue 16) never answers
for a row changed since: by the unit itself, by a step's nested message, by SQL of another
kind, or undone by a rolled-back savepoint."""

from __future__ import annotations

from leadgate.platform import (
    Entity,
    ExecuteTransactionRequest,
    RetrieveRequest,
    UpdateRequest,
)
from leadgate.platform.engine import rows
from leadgate.platform.engine.schema import SqlTables
from leadgate.platform.engine.storage import HELD_ROWS
from leadgate.platform.records.retrieve import ColumnSet

LEAD = {"subject": "Fifty bikes", "firstname": "Ada", "lastname": "Byron"}


def test_a_read_after_an_update_in_one_transaction_sees_the_update(admin):
    lead = admin.create("lead", dict(LEAD))
    responses = admin.execute(ExecuteTransactionRequest((
        RetrieveRequest(Entity("lead", lead).to_reference(), ColumnSet(("subject",))),
        UpdateRequest(Entity("lead", lead, subject="Sixty bikes")),
        RetrieveRequest(Entity("lead", lead).to_reference(), ColumnSet(("subject",))),
    ))).responses  # fmt: skip
    assert responses[0].entity["subject"] == "Fifty bikes"
    assert responses[2].entity["subject"] == "Sixty bikes"


def test_a_read_after_a_steps_nested_write_sees_it(admin, system):
    system.create("sdkmessageprocessingstep", {
        "name": "note", "messagename": "Update", "primaryentity": "lead", "stage": 40,
        "plugintypename": "tests.sample_plugins:note_on_update",
    })  # fmt: skip
    lead = admin.create("lead", dict(LEAD))
    everything = ColumnSet(("subject", "description", "versionnumber"))
    responses = admin.execute(ExecuteTransactionRequest((
        RetrieveRequest(Entity("lead", lead).to_reference(), everything),
        UpdateRequest(Entity("lead", lead, subject="Sixty bikes")),
        RetrieveRequest(Entity("lead", lead).to_reference(), everything),
    ))).responses  # fmt: skip
    before, after = responses[0].entity, responses[2].entity
    assert (after["subject"], after["description"]) == ("Sixty bikes", "noted by a step")
    assert after["versionnumber"] > before["versionnumber"]
    assert (
        admin.retrieve("lead", lead, ["versionnumber"])["versionnumber"] == (after["versionnumber"])
    )


def test_a_rolled_back_savepoint_and_sql_of_another_kind_are_not_answered_from_held_rows(
    org, admin
):
    lead = admin.create("lead", dict(LEAD))
    metadata = org.metadata().table("lead")
    with org.engine.connect() as connection, connection.begin():
        connection.info[HELD_ROWS] = {}
        try:
            table = SqlTables(org.metadata())["lead"]
            read = lambda: rows.select_row(connection, metadata, table, lead, ["subject"])  # noqa: E731
            assert read()["subject"] == "Fifty bikes"
            savepoint = connection.begin_nested()
            rows.update_row(connection, metadata, table, lead, {"subject": "Undone"})
            assert read()["subject"] == "Undone"  # the unit's own update, held
            savepoint.rollback()
            assert read()["subject"] == "Fifty bikes"
            connection.exec_driver_sql("UPDATE lead SET subject = 'By hand'")
            assert read()["subject"] == "By hand"
        finally:
            connection.info.pop(HELD_ROWS, None)
