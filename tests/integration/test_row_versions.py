"""Row versions are one counter for the whole database: a version never repeats for an id,
so a copy of a deleted record can never overwrite the record re-created in its place."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from leadgate.platform import Entity, EntityReference, LeadgateError, Organization
from leadgate.platform.engine.migrations import runner
from leadgate.platform.engine.versions import COUNTER
from leadgate.platform.records.crud import UpdateRequest
from leadgate.platform.records.transaction import ExecuteTransactionRequest
from tests.conftest import ADMIN_ID, add_user

STALE = "0x80060882"


def widget(admin, widget_id: uuid.UUID | None = None, **values) -> uuid.UUID:
    values.setdefault("new_name", "Sprocket")
    values.setdefault("new_size", "M")
    return admin.create(Entity("new_widget", widget_id, values))


def version(service, table: str, record_id: uuid.UUID) -> int:
    return service.retrieve(table, record_id)["versionnumber"]


def test_an_update_with_the_version_of_a_deleted_record_is_refused(admin):
    widget_id = widget(admin, new_count=1)
    old = version(admin, "new_widget", widget_id)
    admin.delete("new_widget", widget_id)
    widget(admin, widget_id, new_count=2)
    new = version(admin, "new_widget", widget_id)

    with pytest.raises(LeadgateError) as refused:
        admin.update(Entity("new_widget", widget_id, new_count=3), if_version=old)

    error = refused.value
    assert error.code == STALE
    assert error.message("en") == (
        "The version of the existing record doesn't match the RowVersion property provided "
        f"(new_widget with Id {widget_id}: version {old} given, {new} stored). Read the record "
        "again and retry."
    )
    assert f"version {old} fournie, {new} enregistrée" in error.message("fr")
    assert admin.retrieve("new_widget", widget_id)["new_count"] == 2


def test_a_re_created_record_never_takes_a_version_its_first_life_had(admin):
    widget_id = widget(admin)
    first_life = {version(admin, "new_widget", widget_id)}
    for count in (1, 2, 3):
        admin.update(Entity("new_widget", widget_id, new_count=count))
        first_life.add(version(admin, "new_widget", widget_id))
    admin.delete("new_widget", widget_id)
    widget(admin, widget_id)
    second_life = {version(admin, "new_widget", widget_id)}
    for count in (1, 2, 3):
        admin.update(Entity("new_widget", widget_id, new_count=count))
        second_life.add(version(admin, "new_widget", widget_id))
    assert len(first_life) == len(second_life) == 4
    assert min(second_life) > max(first_life)


def test_versions_increase_across_records_and_tables(admin, system):
    seen: list[int] = []
    first = widget(admin)
    seen.append(version(admin, "new_widget", first))
    currency = admin.create("transactioncurrency", currencyname="Yen", isocurrencycode="JPY",
                            currencysymbol="¥", exchangerate=150)  # fmt: skip
    seen.append(version(admin, "transactioncurrency", currency))
    lead = admin.create("lead", subject="Versions", lastname="Counter")
    seen.append(version(admin, "lead", lead))
    admin.update(Entity("new_widget", first, new_code="A"))
    seen.append(version(admin, "new_widget", first))
    admin.set_state("lead", lead, 2, 5)  # Disqualified, Cannot Contact (a SetState)
    seen.append(version(admin, "lead", lead))
    owner = add_user(system, "next.owner@test.example")
    admin.assign("lead", lead, EntityReference("systemuser", owner))
    seen.append(version(admin, "lead", lead))
    second = widget(admin)
    seen.append(version(admin, "new_widget", second))
    assert seen == sorted(seen) and len(set(seen)) == len(seen), seen


def test_a_rolled_back_write_leaves_the_version_and_a_later_write_moves_it_on(admin):
    widget_id = widget(admin)
    before = version(admin, "new_widget", widget_id)
    with pytest.raises(LeadgateError):
        admin.execute(ExecuteTransactionRequest((
            UpdateRequest(Entity("new_widget", widget_id, new_count=1)),
            UpdateRequest(Entity("new_widget", widget_id, new_count=-1)),  # below its minimum
        )))  # fmt: skip
    assert version(admin, "new_widget", widget_id) == before
    admin.update(Entity("new_widget", widget_id, new_count=1))
    assert version(admin, "new_widget", widget_id) > before


def _drop_counter(connection: sa.Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP SEQUENCE {COUNTER}")
    else:
        connection.exec_driver_sql(f"DROP TABLE {COUNTER}")


def test_a_database_made_before_the_counter_gets_one_above_every_stored_version(
    database_url, admin
):
    """A database from an older leadgate counted versions per record and has no counter: it
    is refused until upgraded, and the upgrade (migration 0002) adds a counter that starts
    above every version its records hold."""
    widget_id = widget(admin)
    rows = sa.table("new_widget", sa.column("new_widgetid", sa.Uuid), sa.column("versionnumber"))
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        _drop_counter(connection)
        connection.execute(
            rows.update().where(rows.c.new_widgetid == widget_id).values(versionnumber=900000)
        )
        connection.exec_driver_sql(
            f"UPDATE {runner.VERSION_TABLE} SET version_num = '0001_baseline'"
        )
    engine.dispose()
    with pytest.raises(LeadgateError) as refused:
        Organization.open(database_url)
    assert refused.value.code == "0x8F4C4799"
    Organization.upgrade(database_url)
    with Organization.open(database_url) as reopened:
        service = reopened.service(ADMIN_ID)
        other = widget(service)
        assert version(service, "new_widget", other) > 900000
        service.update(Entity("new_widget", widget_id, new_count=4), if_version=900000)
        assert version(service, "new_widget", widget_id) > version(service, "new_widget", other)


def test_installing_again_keeps_the_counter(database_url, admin):
    before = version(admin, "new_widget", widget(admin))
    with Organization.create(database_url) as again:
        service = again.service(ADMIN_ID)
        assert version(service, "new_widget", widget(service)) > before


# --- the property ------------------------------------------------------------------------

IDS = tuple(uuid.uuid5(uuid.NAMESPACE_URL, f"leadgate:versions:{n}") for n in range(3))
STEPS = st.lists(
    st.tuples(st.sampled_from(("create", "update", "delete", "stale")), st.sampled_from(IDS)),
    min_size=1,
    max_size=12,
)


@pytest.fixture
def history() -> dict[str, set]:
    """What every example saw, kept across examples: they share one database."""
    return {"pairs": set(), "versions": set()}


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_no_id_ever_shows_the_same_version_twice(admin, history, steps) -> None:
    """Random creates, updates, deletes and re-creates of a few ids: each write gives its
    record a version no record ever had, greater than all before it; an update with any
    version the id had before is refused."""
    for action, record_id in steps:
        exists = bool(admin.retrieve_multiple("new_widget", new_widgetid=record_id).entities)
        note(f"{action} {record_id} (exists: {exists})")
        if action == "create" and not exists:
            widget(admin, record_id)
        elif action == "update" and exists:
            admin.update(Entity("new_widget", record_id, new_count=len(history["pairs"]) % 100))
        elif action == "delete" and exists:
            admin.delete("new_widget", record_id)
            continue
        elif action == "stale" and exists:
            current = version(admin, "new_widget", record_id)
            older = sorted(v for i, v in history["pairs"] if i == record_id and v != current)
            for stale in older[:1] + older[-1:]:
                with pytest.raises(LeadgateError) as refused:
                    admin.update(Entity("new_widget", record_id, new_count=1), if_version=stale)
                assert refused.value.code == STALE
            assert version(admin, "new_widget", record_id) == current
            continue
        else:
            continue
        new = version(admin, "new_widget", record_id)
        assert (record_id, new) not in history["pairs"]
        assert all(new > seen for seen in history["versions"])
        history["pairs"].add((record_id, new))
        history["versions"].add(new)
