"""Kept statements run on the driver's cursor (engine/driver_statements.py) store and give
back exactly what SQLAlchemy's own execution does, for every SQL type leadgate uses, and
are heard by the engine's listeners like any other statement."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadgate.platform import Organization
from leadgate.platform.engine.driver_statements import DriverStatement
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.sqltypes import ExactDecimal, UtcDateTime
from leadgate.platform.engine.storage import translate_errors

SHAPE = sa.MetaData()
SAMPLE = sa.Table(
    "lg_test_driver_sample", SHAPE,
    sa.Column("sampleid", sa.Uuid(), primary_key=True),
    sa.Column("name", sa.String(100)),
    sa.Column("notes", sa.Text()),
    sa.Column("count", sa.Integer()),
    sa.Column("big", sa.BigInteger()),
    sa.Column("amount", ExactDecimal(scale=4)),
    sa.Column("flag", sa.Boolean()),
    sa.Column("day", sa.Date()),
    sa.Column("stamp", UtcDateTime()),
    sa.Column("reference", sa.Uuid()),
)  # fmt: skip
COLUMNS = [column.name for column in SAMPLE.columns]

text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)
VALUES = st.fixed_dictionaries({
    "name": st.none() | text,
    "notes": st.none() | text,
    "count": st.none() | st.integers(-(2**31), 2**31 - 1),
    "big": st.none() | st.integers(-(2**63), 2**63 - 1),
    "amount": st.none() | st.decimals(-(10**12), 10**12, places=4, allow_nan=False),
    "flag": st.none() | st.booleans(),
    "day": st.none() | st.dates(dt.date(1753, 1, 1), dt.date(9999, 12, 31)),
    "stamp": st.none() | st.datetimes(
        dt.datetime(1900, 1, 2), dt.datetime(9999, 12, 30), timezones=st.just(dt.UTC)
    ),
    "reference": st.none() | st.uuids(),
})  # fmt: skip


@pytest.fixture
def sample(org: Organization) -> Iterator[sa.Engine]:
    SHAPE.create_all(org.engine)
    yield org.engine
    SHAPE.drop_all(org.engine)


def _insert(engine: sa.Engine) -> DriverStatement:
    return DriverStatement(SAMPLE.insert(), engine.dialect, COLUMNS)


def _select(engine: sa.Engine) -> DriverStatement:
    by_id = SAMPLE.c.sampleid == sa.bindparam("lg_id")
    return DriverStatement(sa.select(SAMPLE).where(by_id), engine.dialect)


def _by_sqlalchemy(connection: sa.Connection, record_id: uuid.UUID) -> dict[str, Any]:
    statement = sa.select(SAMPLE).where(SAMPLE.c.sampleid == record_id)
    return connection.execute(statement).one()._asdict()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # rows deleted each time
@given(values=VALUES)
def test_a_row_written_and_read_on_the_driver_is_what_sqlalchemy_writes_and_reads(sample, values):
    insert, select = _insert(sample), _select(sample)
    ours, theirs = uuid.uuid4(), uuid.uuid4()
    with sample.begin() as connection:
        assert insert.rowcount(connection, {**values, "sampleid": ours}) == 1
        connection.execute(SAMPLE.insert(), {**values, "sampleid": theirs})
        read_ours = select.first(connection, {"lg_id": ours})
        read_theirs = select.first(connection, {"lg_id": theirs})
        assert read_ours == {**_by_sqlalchemy(connection, theirs), "sampleid": ours}
        assert read_theirs == _by_sqlalchemy(connection, theirs)
        assert select.first(connection, {"lg_id": uuid.uuid4()}) is None
        connection.execute(SAMPLE.delete())
    if values["amount"] is not None:
        assert isinstance(read_ours["amount"], Decimal)
    if values["stamp"] is not None:
        assert read_ours["stamp"] == values["stamp"] and read_ours["stamp"].tzinfo is not None


def test_many_rows_in_one_call_and_an_update_returning_what_it_wrote(sample):
    insert = _insert(sample)
    stamp = dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC)
    rows = [
        {column: None for column in COLUMNS} | {"sampleid": uuid.uuid4(), "count": n}
        for n in range(3)
    ]
    update = DriverStatement(
        SAMPLE.update()
        .where(SAMPLE.c.sampleid == sa.bindparam("lg_id"))
        .values(stamp=sa.bindparam("lg_stamp"), count=SAMPLE.c.count + 1)
        .returning(SAMPLE.c.stamp, SAMPLE.c.count),
        sample.dialect,
    )
    with sample.begin() as connection:
        assert insert.rowcount_many(connection, rows) == 3
        written = update.first(connection, {"lg_id": rows[2]["sampleid"], "lg_stamp": stamp})
        counts = sa.select(SAMPLE.c.count).order_by(SAMPLE.c.count)
        assert list(connection.execute(counts).scalars()) == [0, 1, 3]
        by_driver = DriverStatement(counts, sample.dialect).all(connection, {})
        assert by_driver == [{"count": 0}, {"count": 1}, {"count": 3}]
        connection.execute(SAMPLE.delete())
    assert written == {"stamp": stamp, "count": 3}


def test_listeners_hear_the_statements_and_a_second_engine_runs_them_too(sample, org):
    heard: list[str] = []

    def listen(_connection, _cursor, statement, *_rest) -> None:
        heard.append(statement.split(None, 1)[0])

    insert, select = _insert(sample), _select(sample)
    record = {column: None for column in COLUMNS} | {"sampleid": uuid.uuid4()}
    sa.event.listen(sample, "before_cursor_execute", listen)
    try:
        with sample.begin() as connection:
            insert.rowcount(connection, record)
            assert select.first(connection, {"lg_id": record["sampleid"]}) is not None
    finally:
        sa.event.remove(sample, "before_cursor_execute", listen)
    assert heard == ["INSERT", "SELECT"]
    other = sa.create_engine(sample.url)  # another dialect object of the same kind
    try:
        with other.connect() as connection:  # outside a transaction: SQLAlchemy runs it
            assert select.first(connection, {"lg_id": record["sampleid"]}) is not None
        with other.begin() as connection:
            assert select.first(connection, {"lg_id": record["sampleid"]}) is not None
            connection.execute(SAMPLE.delete())
    finally:
        other.dispose()


def test_a_refusal_by_the_database_is_reported_as_a_coded_error(sample):
    insert = _insert(sample)
    record = {column: None for column in COLUMNS} | {"sampleid": uuid.uuid4()}
    with sample.begin() as connection:
        insert.rowcount(connection, record)
    with (
        pytest.raises(LeadgateError) as raised,
        sample.begin() as connection,
        translate_errors(SAMPLE),
    ):
        insert.rowcount(connection, record)
    assert raised.value.code == "0x80040237"
    assert raised.value.message("en") == (
        "Cannot insert duplicate key: a lg_test_driver_sample record with the same sampleid "
        "already exists."
    )
    assert raised.value.message("fr") == (
        "Impossible d'insérer une clé en double : un enregistrement lg_test_driver_sample avec "
        "les mêmes sampleid existe déjà."
    )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_lost_connection_is_reported_and_never_handed_out_again(sample, postgres_admin):
    """The server ends the connection mid-transaction (a restart, a failover): the statement
    is refused as the database being unreachable, and the pool drops that connection."""
    select = _select(sample)
    with sample.connect() as connection:
        connection.begin()
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with postgres_admin.connect() as admin:
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(LeadgateError) as raised, translate_errors(SAMPLE):
            select.first(connection, {"lg_id": uuid.uuid4()})
        assert connection.invalidated
    assert raised.value.code == "0x8F4C4741"
    assert raised.value.message("en").startswith("The database cannot be reached: ")
    assert raised.value.message("fr").startswith("La base de données est inaccessible : ")
    with sample.begin() as connection:
        assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
        assert select.first(connection, {"lg_id": uuid.uuid4()}) is None
