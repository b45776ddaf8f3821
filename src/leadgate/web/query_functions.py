"""Dataverse's query functions in ``$filter``: ``Microsoft.Dynamics.CRM.In(PropertyName='x',
PropertyValues=["0","1"])`` and the others that leadgate's condition operators can answer.

odata-query cannot read their named parameters or ``[...]`` lists, so each call is read here
and written back as the plain OData it means (``(statecode in (0,1))``), which the filter
translator then reads with its usual null rules: ``NotIn`` and ``NotBetween`` keep the rows
where the property is empty, as ``ne`` does. The three functions that compare with who runs
the query (EqualUserId, NotEqualUserId, EqualBusinessId) have no OData form: each becomes a
placeholder comparison that the translator turns into the platform's operator.

Dates are compared in UTC (leadgate keeps no time zone per user); a day starts at 00:00 UTC.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import ColumnMetadata
from leadgate.platform.engine.types import ColumnType
from leadgate.web.errors import bad_query

__all__ = ["CALLER_FUNCTIONS", "SUPPORTED", "Rewritten", "rewrite_functions"]

ColumnOf = Callable[[str], ColumnMetadata]

_PREFIX = "Microsoft.Dynamics.CRM."
_CALL = re.compile(r"Microsoft\.Dynamics\.CRM\.(?P<name>[A-Za-z0-9_]*)\s*\(")
_BARE_CALL = re.compile(r"(?P<name>[A-Za-z]+)\s*\(\s*PropertyName\s*=")
_NAME = re.compile(r"\s*(?P<name>[A-Za-z]+)\s*=\s*")
_BARE = re.compile(r"[^\s,()\[\]'\"]+")
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}\Z")
_MAX_UNITS = 100_000  # LastXDays(PropertyValue=100000) is 273 years: past every stored date
# Caller functions: the platform's operator, and the operator of their negation (None: none).
CALLER_FUNCTIONS = {
    "EqualUserId": ("eq_userid", "ne_userid"),
    "NotEqualUserId": ("ne_userid", "eq_userid"),
    "EqualBusinessId": ("eq_businessid", None),
}
_LISTS = {"In", "NotIn", "Between", "NotBetween"}
_DAYS = {"Today": (0, 1), "Yesterday": (-1, 0), "Tomorrow": (1, 2)}
_WEEKS = {"Last7Days": -7, "Next7Days": 7}
_COUNTED = {
    "LastXHours",
    "NextXHours",
    "LastXDays",
    "NextXDays",
    "OlderThanXDays",
    "OlderThanXHours",
}
_ON = {"On": ("ge", "lt"), "OnOrAfter": ("ge", None), "OnOrBefore": (None, "lt")}
SUPPORTED = tuple(sorted({*CALLER_FUNCTIONS, *_LISTS, *_DAYS, *_WEEKS, *_COUNTED, *_ON}))


@dataclass
class Rewritten:
    """The filter with each call written as OData, and the placeholders of caller functions:
    placeholder name -> (column, operator, operator of the negation)."""

    text: str
    # placeholder -> (column, operator, the opposite operator if any, the function's name)
    callers: dict[str, tuple[str, str, str | None, str]] = field(default_factory=dict)


@dataclass
class _Call:
    name: str
    position: int
    arguments: dict[str, Any]


def rewrite_functions(text: str, column_of: ColumnOf, now: dt.datetime | None = None) -> Rewritten:
    """``text`` with every Microsoft.Dynamics.CRM query function replaced by plain OData."""
    if "PropertyName" in text:
        _refuse_bare_calls(text)
    if _PREFIX not in text:
        return Rewritten(text)
    now = now or dt.datetime.now(dt.UTC)
    # Literals carry whole seconds: round up, so that a record made this second is in the past.
    now = now.replace(microsecond=0) + dt.timedelta(seconds=1 if now.microsecond else 0)
    nonce = secrets.token_hex(4)
    result = Rewritten("")
    out: list[str] = []
    index, quoted = 0, False
    while index < len(text):
        char = text[index]
        if char == "'":
            quoted = not quoted  # '' inside a string toggles twice: still inside
        elif not quoted and (match := _CALL.match(text, index)) and _starts_word(text, index):
            call, index = _read_call(text, match)
            out.append(_render(call, column_of, now, result, f"qf_{nonce}_{len(result.callers)}"))
            continue
        out.append(char)
        index += 1
    result.text = "".join(out)
    return result


def _refuse_bare_calls(text: str) -> None:
    """``In(PropertyName=…)`` written without its namespace: say how to write it (the OData
    parser would only say where it stopped reading)."""
    quoted = False
    for index, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif (
            not quoted
            and _starts_word(text, index)
            and (match := _BARE_CALL.match(text, index))
            and match.group("name") in SUPPORTED
        ):
            raise bad_query(
                N_("{function} in $filter is written with its namespace: {qualified}(…)."),
                function=match.group("name"),
                qualified=f"{_PREFIX}{match.group('name')}",
            )


def _starts_word(text: str, index: int) -> bool:
    return index == 0 or not (text[index - 1].isalnum() or text[index - 1] in "_.")


# --- reading a call ------------------------------------------------------------------------


def _unreadable(call: str, position: int) -> Exception:
    return bad_query(
        N_("the call to {function} in $filter cannot be read at position {position}."),
        function=call,
        position=position + 1,
    )


def _read_call(text: str, match: re.Match[str]) -> tuple[_Call, int]:
    """The call's named arguments, and where the text goes on after its closing parenthesis."""
    name = match.group("name")
    call = _Call(name, match.start(), {})
    index = match.end()
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index < len(text) and text[index] == ")" and not call.arguments:
            return call, index + 1
        argument = _NAME.match(text, index)
        if argument is None:
            raise _unreadable(name, index)
        value, index = _read_value(text, argument.end(), name, allow_list=True)
        key = argument.group("name")
        if key in call.arguments:
            raise bad_query(
                N_("{function} in $filter names its parameter {parameter} twice."),
                function=name,
                parameter=key,
            )
        call.arguments[key] = value
        while index < len(text) and text[index].isspace():
            index += 1
        if index < len(text) and text[index] == ",":
            index += 1
            continue
        if index < len(text) and text[index] == ")":
            return call, index + 1
        raise _unreadable(name, index)


def _read_value(text: str, index: int, call: str, *, allow_list: bool) -> tuple[Any, int]:
    """A value: 'text' (quotes doubled), "JSON text", [a list], or a bare word or number."""
    while index < len(text) and text[index].isspace():
        index += 1
    if index >= len(text):
        raise _unreadable(call, index)
    char = text[index]
    if char == "'":
        end = index + 1
        while True:
            end = text.find("'", end)
            if end < 0:
                raise _unreadable(call, index)
            if text.startswith("''", end):
                end += 2
                continue
            return _Quoted(text[index + 1 : end].replace("''", "'")), end + 1
    if char == '"':
        try:
            value, end = json.JSONDecoder().raw_decode(text, index)
        except ValueError:
            raise _unreadable(call, index) from None
        return _Quoted(value), end
    if char == "[" and allow_list:
        values: list[Any] = []
        index += 1
        while True:
            while index < len(text) and text[index].isspace():
                index += 1
            if index < len(text) and text[index] == "]" and not values:
                return values, index + 1
            value, index = _read_value(text, index, call, allow_list=False)
            values.append(value)
            while index < len(text) and text[index].isspace():
                index += 1
            if index < len(text) and text[index] == ",":
                index += 1
            elif index < len(text) and text[index] == "]":
                return values, index + 1
            else:
                raise _unreadable(call, index)
    bare = _BARE.match(text, index)
    if bare is None:
        raise _unreadable(call, index)
    return bare.group(), bare.end()


class _Quoted(str):
    """A value the client quoted: text, whatever it looks like."""


# --- writing it as OData ---------------------------------------------------------------------


def _render(
    call: _Call, column_of: ColumnOf, now: dt.datetime, result: Rewritten, placeholder: str
) -> str:
    name = call.name
    if name not in SUPPORTED:
        raise bad_query(
            N_(
                "the query function {function} is not supported; the supported ones are: "
                "{supported}."
            ),
            function=f"{_PREFIX}{name}"[:80],
            supported=", ".join(SUPPORTED),
        )
    expected = {"PropertyName"} | (
        {"PropertyValues"} if name in _LISTS else {"PropertyValue"} if name in _COUNTED | set(_ON)
        else set()
    )  # fmt: skip
    if set(call.arguments) != expected:
        raise bad_query(
            N_("{function} in $filter takes the parameters {parameters}."),
            function=name,
            parameters=", ".join(sorted(expected)),
        )
    property_name = call.arguments["PropertyName"]
    if not isinstance(property_name, _Quoted):
        raise bad_query(
            N_("{function} in $filter needs PropertyName in quotes, as in PropertyName='name'."),
            function=name,
        )
    column = column_of(str(property_name))
    if name in CALLER_FUNCTIONS:
        operator, negation = CALLER_FUNCTIONS[name]
        result.callers[placeholder] = (column.name, operator, negation, name)
        return f"({placeholder} eq null)"
    if name in _LISTS:
        return _render_list(name, column, call.arguments["PropertyValues"])
    return _render_dates(name, column, call.arguments.get("PropertyValue"), now)


def _render_list(name: str, column: ColumnMetadata, values: Any) -> str:
    if not isinstance(values, list):
        raise bad_query(
            N_('{function} in $filter needs PropertyValues as a list, as in ["a","b"].'),
            function=name,
        )
    between = name in ("Between", "NotBetween")
    if between and len(values) != 2:
        raise bad_query(
            N_("{function} in $filter needs exactly two values in PropertyValues."),
            function=name,
        )
    if not values:
        raise bad_query(
            N_("{function} in $filter needs at least one value in PropertyValues."),
            function=name,
        )
    literals = [_literal(column, value) for value in values]
    if between:
        low, high = literals
        text = f"{column.name} ge {low} and {column.name} le {high}"
    elif len(literals) == 1:  # odata-query reads (x) as a parenthesis, not a list
        text = f"{column.name} eq {literals[0]}"
    else:
        text = f"{column.name} in ({','.join(literals)})"
    return f"(not ({text}))" if name.startswith("Not") else f"({text})"


def _literal(column: ColumnMetadata, value: Any) -> str:
    """A value as an OData literal for the column (the platform checks it against the column)."""
    if not isinstance(value, str):  # a number or true/false, read from JSON
        value = json.dumps(value)
    quoted = isinstance(value, _Quoted)
    if (column.type is ColumnType.INTEGER or column.type.is_choice) and _INTEGER.match(value):
        return str(int(value))
    if column.type is ColumnType.BOOLEAN and value.lower() in ("true", "false"):
        return value.lower()
    if not quoted and value.lower() == "null":
        return "null"
    return "'" + value.replace("'", "''") + "'"


def _render_dates(name: str, column: ColumnMetadata, value: Any, now: dt.datetime) -> str:
    if column.type is not ColumnType.DATETIME:
        raise bad_query(
            N_("{function} in $filter compares dates, and '{column}' is not a date."),
            function=name,
            column=column.name,
        )
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    day = dt.timedelta(days=1)
    low: dt.datetime | None
    high: dt.datetime | None
    if name in _DAYS:
        first, last = _DAYS[name]
        low, high = today + first * day, today + last * day
    elif name in _WEEKS:  # seven whole days, today included (Dataverse's Last7Days)
        low, high = (today - 6 * day, today + day) if _WEEKS[name] < 0 else (today, today + 7 * day)
    elif name in _ON:
        moment = _date_value(name, value)
        low_op, high_op = _ON[name]
        low = moment if low_op else None
        high = moment + day if high_op else None
    else:
        units = _count(name, value)
        step = dt.timedelta(hours=units) if name.endswith("Hours") else units * day
        if name.startswith("Last"):
            low, high = (now - step, now) if name.endswith("Hours") else (today - step, now)
        elif name.startswith("Next"):
            low, high = (now, now + step) if name.endswith("Hours") else (now, today + step + day)
        else:  # OlderThanX…: before that long ago
            low, high = None, now - step
    parts = []
    if low is not None:
        parts.append(f"{column.name} ge {_moment(column, low)}")
    if high is not None:
        parts.append(f"{column.name} lt {_moment(column, high)}")
    return "(" + " and ".join(parts) + ")"


def _moment(column: ColumnMetadata, moment: dt.datetime) -> str:
    if column.format == "dateonly":
        return f"'{moment.date().isoformat()}'"
    return f"'{moment.strftime('%Y-%m-%dT%H:%M:%SZ')}'"


def _count(name: str, value: Any) -> int:
    text = value if isinstance(value, str) else json.dumps(value)
    if not _INTEGER.match(text) or not 0 <= int(text) <= _MAX_UNITS:
        raise bad_query(
            N_("{function} in $filter needs PropertyValue as a whole number from 0 to {limit}."),
            function=name,
            limit=_MAX_UNITS,
        )
    return int(text)


def _date_value(name: str, value: Any) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(str(value)[:10]) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        raise bad_query(
            N_("{function} in $filter needs PropertyValue as a date such as '2025-01-31'."),
            function=name,
        )
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
