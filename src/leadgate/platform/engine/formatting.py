"""Values as people read them in a language: choice labels, yes/no, numbers, dates.

Shared by every interface that shows a value (the browser's grids and forms, the Web API's
``OData.Community.Display.V1.FormattedValue`` annotation), so that a value reads the same
everywhere. Dates are shown in UTC: leadgate keeps no time zone per user yet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from babel import dates, numbers

from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata
from leadgate.platform.engine.parsing import locale_of
from leadgate.platform.engine.types import ColumnType, Language

__all__ = ["NUMBER_PATTERNS", "display", "format_number"]

YES_NO = {True: Text(N_("Yes")), False: Text(N_("No"))}
# Money shows its cents; both keep every stored digit (no rounding: what is shown is read back).
NUMBER_PATTERNS = {ColumnType.MONEY: "0.00", ColumnType.DECIMAL: "0.###"}


def display(column: ColumnMetadata, value: Any, language: Language) -> str:
    """The value as a grid cell or a read-only field shows it ('' when empty)."""
    if value is None or value == "":
        return ""
    if column.type.is_choice:
        option = column.option(value)
        return option.label.in_language(language) if option else str(value)
    if column.type is ColumnType.BOOLEAN:
        return YES_NO[bool(value)].in_language(language)
    if isinstance(value, EntityReference):
        return value.name or str(value.id)
    if column.type in NUMBER_PATTERNS:
        return format_number(value, column.type, language, grouped=True)
    if column.type is ColumnType.INTEGER:
        return numbers.format_decimal(value, locale=locale_of(language))
    if isinstance(value, dt.datetime):
        if column.format == "dateonly":
            return dates.format_date(value.date(), "medium", locale=locale_of(language))
        return dates.format_datetime(value, "short", tzinfo=dt.UTC, locale=locale_of(language))
    if isinstance(value, dt.date):
        return dates.format_date(value, "medium", locale=locale_of(language))
    return str(value)


def format_number(value: Any, kind: ColumnType, language: Language, *, grouped: bool) -> str:
    """Money or a decimal in the reader's language, every stored digit kept."""
    pattern = NUMBER_PATTERNS[kind]
    if grouped:
        pattern = "#,##" + pattern
    amount = value.normalize() if isinstance(value, Decimal) else value
    return numbers.format_decimal(
        amount, format=pattern, locale=locale_of(language), decimal_quantization=False,
        group_separator=grouped,
    )  # fmt: skip
