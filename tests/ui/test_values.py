"""Numbers as a person reads and types them: strictly in their own language, so what the page
writes (read-only or in an edit box) is read back as the same value, and a number written the
other language's way is refused with the coded error, never read as another amount."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.metadata.model import ColumnMetadata
from leadgate.platform.engine.types import ColumnType, Language
from leadgate.ui.values import display, field_text, parse_field

MONEY = ColumnMetadata("opportunity", "budgetamount", ColumnType.MONEY, Label("Budget Amount"))
DECIMAL = ColumnMetadata("lead", "new_rate", ColumnType.DECIMAL, Label("Rate"), precision=4)
INTEGER = ColumnMetadata("lead", "numberofemployees", ColumnType.INTEGER, Label("Employees"))
LANGUAGES = (Language.ENGLISH, Language.FRENCH)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (Language.ENGLISH, "1,234.50", Decimal("1234.50")),
        (Language.ENGLISH, "1234.5", Decimal("1234.5")),
        (Language.FRENCH, "1 234,50", Decimal("1234.50")),
        (Language.FRENCH, "1\u00a0234,50", Decimal("1234.50")),
        (Language.FRENCH, "1\u202f234,50", Decimal("1234.50")),
        (Language.FRENCH, "1234,5", Decimal("1234.5")),
    ],
)
def test_a_number_written_in_the_readers_language_is_read(
    language: Language, text: str, expected: Decimal
) -> None:
    assert parse_field(MONEY, text, language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (Language.ENGLISH, "1.234,5"),
        (Language.ENGLISH, "1234,5"),
        (Language.FRENCH, "1,234.5"),
        (Language.ENGLISH, "NaN"),
        (Language.FRENCH, "Infinity"),
    ],
)
def test_a_number_written_another_way_is_refused_on_its_field(
    language: Language, text: str
) -> None:
    with pytest.raises(LeadgateError) as refused:
        parse_field(MONEY, text, language)
    assert refused.value.code == "0x80040203"
    assert refused.value.params["column"] == "budgetamount"


def test_edit_boxes_hold_money_in_the_readers_language_without_grouping() -> None:
    amount = Decimal("12500.5")
    assert field_text(MONEY, amount, Language.ENGLISH) == "12500.50"
    assert field_text(MONEY, amount, Language.FRENCH) == "12500,50"
    assert display(MONEY, amount, Language.ENGLISH) == "12,500.50"
    assert display(MONEY, amount, Language.FRENCH) == "12\u202f500,50"
    assert field_text(INTEGER, 12500, Language.FRENCH) == "12500"


@given(
    column=st.sampled_from((MONEY, DECIMAL)),
    language=st.sampled_from(LANGUAGES),
    value=st.decimals(
        min_value=Decimal("-100000000000000"), max_value=Decimal("100000000000000"),
        places=4, allow_nan=False, allow_infinity=False,
    ),
)  # fmt: skip
def test_what_the_page_writes_is_read_back_as_the_same_value(
    column: ColumnMetadata, language: Language, value: Decimal
) -> None:
    for written in (display(column, value, language), field_text(column, value, language)):
        assert parse_field(column, written, language) == value, written
