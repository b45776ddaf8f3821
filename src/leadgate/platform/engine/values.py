"""Column values in their one canonical Python form, whatever the caller sent.

Callers send Python values (the Python API) or JSON values (the Web API, the CLI); both go
through :func:`coerce`, so a type rule is written once.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata
from leadgate.platform.engine.types import ColumnType

__all__ = ["coerce", "has_lone_surrogate", "parse_uuid", "show"]

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    """Half of a UTF-16 pair (JSON's "\\ud800") is no character: UTF-8 cannot carry it, so no
    database can store it."""
    return not text.isascii() and _SURROGATE.search(text) is not None


_EXPECTED = {
    ColumnType.STRING: Text(N_("text")),
    ColumnType.MEMO: Text(N_("text")),
    ColumnType.INTEGER: Text(N_("a whole number")),
    ColumnType.DECIMAL: Text(N_("a decimal number")),
    ColumnType.MONEY: Text(N_("an amount of money")),
    ColumnType.BOOLEAN: Text(N_("true or false")),
    ColumnType.CHOICE: Text(N_("a choice value (a whole number)")),
    ColumnType.STATE: Text(N_("a state value (a whole number)")),
    ColumnType.STATUS: Text(N_("a status reason value (a whole number)")),
    ColumnType.UNIQUEIDENTIFIER: Text(N_("a GUID")),
}


def show(value: Any, limit: int = 60) -> str:
    """A value as the user wrote it, shortened for an error message."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _refuse(
    column: ColumnMetadata, value: Any, expected: Text | None = None
) -> errors.LeadgateError:
    if expected is None:
        expected = _EXPECTED.get(column.type) or _expected_reference(column)
    return errors.INVALID_VALUE_TYPE(
        value=show(value), column=column.name, table=column.table, expected=expected
    )


def _expected_reference(column: ColumnMetadata) -> Text:
    if column.type is ColumnType.DATETIME:
        if column.format == "dateonly":
            return Text(N_("a date (YYYY-MM-DD)"))
        return Text(N_("a date and time (ISO 8601, for example 2026-11-23T09:30:00Z)"))
    return Text(N_("a reference to a record of {targets}"), targets=" | ".join(column.targets))


def parse_uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value.strip("{}"))
        except ValueError:
            return None
    return None


def coerce(column: ColumnMetadata, value: Any) -> Any:
    """The canonical form of ``value`` for ``column``, or a coded error saying what was expected."""
    if value is None:
        return None
    kind = column.type
    if kind in (ColumnType.STRING, ColumnType.MEMO):
        if not isinstance(value, str):
            raise _refuse(column, value)
        if "\x00" in value:  # PostgreSQL cannot store it; refuse it on both databases
            shown = value.replace("\x00", "\\0")
            raise _refuse(column, shown, Text(N_("text without NUL characters")))
        if has_lone_surrogate(value):
            raise _refuse(column, value, Text(N_("text without lone surrogates (half characters)")))
        return value
    if kind is ColumnType.BOOLEAN:
        if not isinstance(value, bool):
            raise _refuse(column, value)
        return value
    if kind is ColumnType.INTEGER or kind.is_choice:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise _refuse(column, value)
        if isinstance(value, (float, Decimal)) and (
            not math.isfinite(value) or value != int(value)
        ):
            raise _refuse(column, value)
        return int(value)
    if kind in (ColumnType.DECIMAL, ColumnType.MONEY):
        return _decimal(column, value)
    if kind is ColumnType.DATETIME:
        return _datetime(column, value)
    if kind is ColumnType.UNIQUEIDENTIFIER:
        parsed = parse_uuid(value)
        if parsed is None:
            raise _refuse(column, value)
        return parsed
    return _reference(column, value)


def _decimal(column: ColumnMetadata, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise _refuse(column, value)
    try:
        number = Decimal(str(value)) if isinstance(value, (float, str)) else Decimal(value)
    except InvalidOperation:
        raise _refuse(column, value) from None
    if not number.is_finite():
        raise _refuse(column, value)
    scale = 4 if column.type is ColumnType.MONEY else (column.precision or 0)
    try:
        return number.quantize(Decimal(1).scaleb(-scale))
    except InvalidOperation:  # more digits than any column holds: out of its range anyway
        low, high = column.range
        raise errors.VALUE_OUT_OF_RANGE(
            value=show(value), column=column.name, table=column.table, minimum=low, maximum=high
        ) from None


def _datetime(column: ColumnMetadata, value: Any) -> dt.date | dt.datetime:
    date_only = column.format == "dateonly"
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed: dt.date | dt.datetime = (
                dt.date.fromisoformat(text[:10])
                if date_only and len(text) >= 10 and "T" not in text
                else dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            )
        except ValueError:
            raise _refuse(column, value) from None
        value = parsed
    if isinstance(value, dt.datetime):
        if date_only:
            return value.date()
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        if date_only:
            return value
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    raise _refuse(column, value)


def _reference(column: ColumnMetadata, value: Any) -> EntityReference:
    if isinstance(value, EntityReference):
        if value.logical_name not in column.targets:
            raise errors.LOOKUP_WRONG_TARGET(
                column=column.name,
                table=column.table,
                target=value.logical_name,
                targets=", ".join(column.targets),
            )
        if not isinstance(value.id, uuid.UUID):
            identifier = parse_uuid(value.id)
            if identifier is None:
                raise _refuse(column, value.id)
            return EntityReference(value.logical_name, identifier, value.name)
        return value
    identifier = parse_uuid(value)
    if identifier is None:
        raise _refuse(column, value)
    if len(column.targets) != 1:
        # A bare id cannot say whether it is an account or a contact.
        raise _refuse(column, value)
    return EntityReference(column.targets[0], identifier)
