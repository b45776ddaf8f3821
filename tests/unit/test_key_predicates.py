"""Key predicates of Web API URLs, ``(accountnumber='O''Neil',numberofemployees=5)``, read
back to the values written: quoting (a quote doubled), any order, spaces, typed literals."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadgate.platform import LeadgateError
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.metadata.model import ColumnMetadata, TableMetadata
from leadgate.platform.engine.types import ColumnType, Ownership
from leadgate.web.resources import key_literal, parse_key_values

COLUMNS = {
    "accountid": ColumnType.UNIQUEIDENTIFIER,
    "accountnumber": ColumnType.STRING,
    "name": ColumnType.STRING,
    "numberofemployees": ColumnType.INTEGER,
    "revenue": ColumnType.DECIMAL,
    "parentaccountid": ColumnType.LOOKUP,
}
ACCOUNT = TableMetadata(
    name="account", entity_set="accounts", label=Label("Account"), plural_label=Label("Accounts"),
    primary_key="accountid", primary_name="name", ownership=Ownership.USER,
    columns={name: ColumnMetadata("account", name, kind, Label(name), targets=("account",))
             for name, kind in COLUMNS.items()},
)  # fmt: skip


def quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def literal(value: object) -> str:
    return quoted(value) if isinstance(value, str) else str(value)


@given(st.text())
def test_any_text_quoted_reads_back_as_written(text):
    assert parse_key_values(f"accountnumber={quoted(text)}", ACCOUNT) == {"accountnumber": text}


VALUES = {
    "accountnumber": st.text(max_size=30),
    "name": st.text(max_size=30),
    "numberofemployees": st.integers(min_value=-(2**40), max_value=2**40),
    "revenue": st.decimals(allow_nan=False, allow_infinity=False, places=3),
    "_parentaccountid_value": st.uuids(),
}


@given(
    st.fixed_dictionaries({}, optional=VALUES).filter(bool).flatmap(
        lambda chosen: st.tuples(st.just(chosen), st.permutations(list(chosen)),
                                 st.sampled_from(["", " ", "  "]))
    )
)  # fmt: skip
def test_several_columns_in_any_order_with_spaces_read_back_typed(case):
    chosen, order, space = case
    text = ",".join(f"{space}{name}{space}={space}{literal(chosen[name])}{space}" for name in order)
    expected = {name.removeprefix("_").removesuffix("_value"): value
                for name, value in chosen.items()}  # fmt: skip
    assert parse_key_values(text, ACCOUNT) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5", 5),
        ("-12", -12),
        ("1.50", Decimal("1.50")),
        ("2.5M", Decimal("2.5")),
        ("1E3", Decimal("1E3")),
        ("null", None),
        ("true", True),
        ("00000000-0000-4000-8000-000000000001", uuid.UUID(int=0x40008000000000000001)),
        ("2026-12-05", dt.datetime(2026, 12, 5)),  # naive: the platform takes it as UTC
        ("2026-12-05T09:30:00Z", dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC)),
        ("''", ""),
        ("'it''s'", "it's"),
    ],
)
def test_literals(text, value):
    assert key_literal(text) == value


@given(st.text(alphabet="'=,() a1", max_size=12))
def test_any_garbage_is_read_or_refused_with_a_code(text):
    try:
        parse_key_values(text, ACCOUNT)
    except LeadgateError as error:
        assert error.code in ("0x8006088a", "0x80060888")
