"""A column's value as a person reads it and types it: formatted for display, parsed from a
form field. The platform's own checks (range, length, choice values) run when it is saved."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import numbers

from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.formatting import NUMBER_PATTERNS, display, format_number
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata
from leadgate.platform.engine.parsing import parse_decimal
from leadgate.platform.engine.types import ColumnType, Language

__all__ = ["display", "field_text", "parse_field"]


def field_text(column: ColumnMetadata, value: Any, language: Language) -> str:
    """The value in the form an input holds it: what parse_field reads back. Money and
    decimals are written in the reader's language without grouping (12500.50 / 12500,50)."""
    if value is None:
        return ""
    if column.type in NUMBER_PATTERNS and isinstance(value, (Decimal, int, float)):
        return format_number(value, column.type, language, grouped=False)
    if isinstance(value, EntityReference):
        return str(value.id)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if column.format == "dateonly":
            return value.date().isoformat()
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.normalize() else str(value)
    return str(value)


def parse_field(column: ColumnMetadata, text: str, language: Language) -> Any:
    """What a person typed, as the column's value (None when empty); a coded error naming
    the column when it cannot be read."""
    text = text.strip()
    if text == "":
        return None
    kind = column.type
    try:
        if kind in (ColumnType.STRING, ColumnType.MEMO):
            return text
        if kind.is_choice or kind is ColumnType.INTEGER:
            return int(text)
        if kind in (ColumnType.MONEY, ColumnType.DECIMAL):
            return parse_decimal(text, language)
        if kind is ColumnType.BOOLEAN:
            return {"true": True, "false": False, "1": True, "0": False}[text.lower()]
        if kind is ColumnType.DATETIME:
            if column.format == "dateonly":
                return dt.date.fromisoformat(text)
            moment = dt.datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        if kind.is_reference:
            table, _, key = text.rpartition(":")
            target = table or (column.targets[0] if column.targets else "")
            return EntityReference(target, uuid.UUID(key))
    except (ValueError, KeyError, InvalidOperation, numbers.NumberFormatError):
        pass
    else:
        return text
    raise errors.INVALID_VALUE_TYPE(
        value=repr(text[:80]), column=column.name, table=column.table, expected=_expected(column)
    )


def _expected(column: ColumnMetadata) -> Text:
    if column.type is ColumnType.DATETIME:
        return Text(N_("a date (YYYY-MM-DD)"))
    if column.type.is_reference:
        return Text(N_("a record"))
    if column.type is ColumnType.BOOLEAN:
        return Text(N_("yes or no"))
    return Text(N_("a number"))
