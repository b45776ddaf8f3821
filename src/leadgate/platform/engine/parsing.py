"""Values as people write them in a language: numbers, yes/no, dates.

Shared by every interface that reads what a person typed (the browser's form fields) and by
the CSV import, so that "1 234,50" is read by one rule everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from babel import numbers

from leadgate.platform.engine.types import Language

__all__ = ["locale_of", "parse_boolean", "parse_date", "parse_decimal"]

_LOCALES = {Language.ENGLISH: "en_US", Language.FRENCH: "fr_FR"}
# The spaces a person types between thousands (French groups with a narrow no-break space).
_SPACES = re.compile("[ \u00a0\u202f]")
_BOOLEANS = {
    "true": True, "false": False, "1": True, "0": False,
    "yes": True, "no": False, "oui": True, "non": False,
}  # fmt: skip
_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def locale_of(language: Language) -> str:
    """Babel's locale for one of leadgate's languages."""
    return _LOCALES.get(language, "en_US")


def parse_decimal(text: str, language: Language) -> Decimal:
    """A number as written in the reader's language only (1,234.50 or 1 234,50; plain
    1234.5 too): strict, so 1.234,5 in English is refused, never read as 1.2345.
    Raises ValueError (or babel's NumberFormatError, a ValueError) when it is no number."""
    locale = locale_of(language)
    group = numbers.get_group_symbol(locale)
    if _SPACES.fullmatch(group):  # any space a person types groups thousands there
        text = _SPACES.sub(group, text)
    value = numbers.parse_decimal(text, locale=locale, strict=True)
    if not value.is_finite():  # NaN and Infinity are no amount
        raise ValueError(text)
    return value


def parse_boolean(text: str) -> bool:
    """yes/no, oui/non, true/false, 1/0 in any case; KeyError otherwise."""
    return _BOOLEANS[text.strip().lower()]


def parse_date(text: str, language: Language) -> dt.date | dt.datetime:
    """ISO 8601 always; in French also dd/mm/yyyy (a French spreadsheet's dates). English
    slashed dates are refused: 03/04/2026 is March or April depending on who wrote it."""
    text = text.strip()
    found = _DAY_FIRST.fullmatch(text)
    if found and language is Language.FRENCH:
        day, month, year = (int(part) for part in found.groups())
        return dt.date(year, month, day)
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
