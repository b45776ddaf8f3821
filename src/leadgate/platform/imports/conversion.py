"""A CSV cell as the column's value, converted as Create reads it, plus what a spreadsheet
writes: choice labels (English or French), yes/no/oui/non, dates dd/mm/yyyy in a French
file, numbers in the file's language (strictly: 1.234,5 in an English file is refused)."""

from __future__ import annotations

from decimal import InvalidOperation
from typing import Any

from babel import numbers

from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata
from leadgate.platform.engine.parsing import parse_boolean, parse_date, parse_decimal
from leadgate.platform.engine.types import ColumnType, Language
from leadgate.platform.engine.values import coerce, show
from leadgate.platform.imports.mapping import folded

__all__ = ["convert"]


def convert(column: ColumnMetadata, text: str, language: Language) -> Any:
    """The value of ``text`` for ``column`` (None when blank), or INVALID_VALUE_TYPE."""
    text = text.strip()
    if text == "":
        return None
    kind = column.type
    try:
        if kind in (ColumnType.STRING, ColumnType.MEMO):
            return coerce(column, text)
        if kind.is_choice:
            return _choice(column, text)
        if kind is ColumnType.BOOLEAN:
            return parse_boolean(text)
        if kind is ColumnType.INTEGER:
            number = parse_decimal(text, language)
            if number != number.to_integral_value():
                raise ValueError(text)
            return int(number)
        if kind in (ColumnType.DECIMAL, ColumnType.MONEY):
            return coerce(column, parse_decimal(text, language))
        if kind is ColumnType.DATETIME:
            return coerce(column, parse_date(text, language))
    except (ValueError, KeyError, InvalidOperation, numbers.NumberFormatError):
        raise _refused(column, text, language) from None
    return coerce(column, text)  # lookups (a GUID), unique identifiers


def _choice(column: ColumnMetadata, text: str) -> int:
    """A choice by its value (3) or its label in English or French, case and accents aside."""
    if text.lstrip("-").isdigit():
        return int(text)
    wanted = folded(text)
    for option in column.options:
        if wanted in (folded(option.label.en), folded(option.label.in_language(Language.FRENCH))):
            return option.value
    raise KeyError(text)


def _refused(column: ColumnMetadata, text: str, language: Language) -> errors.LeadgateError:
    return errors.INVALID_VALUE_TYPE(
        value=show(text), column=column.name, table=column.table,
        expected=_expected(column, language),
    )  # fmt: skip


def _expected(column: ColumnMetadata, language: Language) -> Text:
    if column.type.is_choice:
        labels = ", ".join(option.label.in_language(language) for option in column.options[:12])
        return Text(N_("a choice value or label ({labels})"), labels=labels)
    if column.type is ColumnType.BOOLEAN:
        return Text(N_("yes or no"))
    if column.type is ColumnType.DATETIME:
        if language is Language.FRENCH:
            return Text(N_("a date (YYYY-MM-DD or DD/MM/YYYY)"))
        return Text(N_("a date (YYYY-MM-DD)"))
    if language is Language.FRENCH:
        return Text(N_("a number written in French (1 234,50)"))
    return Text(N_("a number written in English (1,234.50)"))
