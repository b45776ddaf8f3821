"""Queries as values (Dataverse's QueryExpression) and their translation to SQL.

String comparisons ignore case, as they do in Dataverse (its SQL collation is
case-insensitive), so that a filter finds the same records on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata, TableMetadata
from leadgate.platform.engine.types import ColumnType
from leadgate.platform.engine.validation import check_range
from leadgate.platform.engine.values import coerce, parse_uuid, show

__all__ = [
    "ColumnSet",
    "ConditionExpression",
    "FilterExpression",
    "OrderExpression",
    "PagingInfo",
    "QueryCaller",
    "QueryExpression",
    "compile_filter",
    "decode_cookie",
    "encode_cookie",
    "filter_from_json",
    "filter_to_json",
    "uses_caller",
]

OPERATORS = (
    "eq",
    "ne",
    "gt",
    "ge",
    "lt",
    "le",
    "like",
    "not_like",
    "begins_with",
    "not_begin_with",
    "ends_with",
    "not_end_with",
    "contains",
    "not_contains",
    "in",
    "not_in",
    "null",
    "not_null",
    "between",
    "eq_userid",
    "ne_userid",
    "eq_businessid",
)
# Operators that take no value: they compare with who runs the query, resolved when it runs
# (Dataverse's EqualUserId, NotEqualUserId, EqualBusinessId; FetchXML's eq-userid & co.), so
# that one saved view ("My Open Leads") serves every user.
_CALLER_OPERATORS = {
    "eq_userid": ("eq", "user_id"),
    "ne_userid": ("ne", "user_id"),
    "eq_businessid": ("eq", "business_unit_id"),
}
# Text operators: the LIKE pattern around the value, and whether it is the negation
# (Dataverse's DoesNotBeginWith & co.). Only like/not_like take the caller's own wildcards.
_TEXT_OPERATORS = {
    "like": ("{}", False),
    "not_like": ("{}", True),
    "begins_with": ("{}%", False),
    "not_begin_with": ("{}%", True),
    "ends_with": ("%{}", False),
    "not_end_with": ("%{}", True),
    "contains": ("%{}%", False),
    "not_contains": ("%{}%", True),
}
_NO_VALUE = ("null", "not_null")
_ORDERING = ("gt", "ge", "lt", "le", "between")
_MANY_VALUES = ("in", "not_in", "between")
_TEXT_TYPES = (ColumnType.STRING, ColumnType.MEMO)


@dataclass(frozen=True)
class ColumnSet:
    """Which columns to read; ``ColumnSet()`` (no names) reads them all."""

    columns: tuple[str, ...] = ()

    @classmethod
    def of(cls, *names: str) -> ColumnSet:
        return cls(tuple(names))

    @property
    def all_columns(self) -> bool:
        return not self.columns


@dataclass(frozen=True)
class ConditionExpression:
    column: str
    operator: str
    values: tuple[Any, ...] = ()

    @classmethod
    def make(cls, column: str, operator: str, *values: Any) -> ConditionExpression:
        return cls(column, operator, values)


@dataclass(frozen=True)
class FilterExpression:
    operator: str = "and"  # and | or
    conditions: tuple[ConditionExpression, ...] = ()
    filters: tuple[FilterExpression, ...] = ()


@dataclass(frozen=True)
class OrderExpression:
    column: str
    descending: bool = False


@dataclass(frozen=True)
class PagingInfo:
    count: int = 5000
    page_number: int = 1
    paging_cookie: str | None = None
    return_total_record_count: bool = False


@dataclass(frozen=True)
class QueryCaller:
    """Who runs a query: what the caller operators (eq_userid …) compare with."""

    user_id: uuid.UUID
    business_unit_id: uuid.UUID | None = None


@dataclass(frozen=True)
class QueryExpression:
    entity_name: str
    column_set: ColumnSet = field(default_factory=ColumnSet)
    criteria: FilterExpression = field(default_factory=FilterExpression)
    orders: tuple[OrderExpression, ...] = ()
    top_count: int | None = None
    page_info: PagingInfo = field(default_factory=PagingInfo)


def encode_cookie(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_cookie(cookie: str) -> int:
    try:
        padded = cookie + "=" * (-len(cookie) % 4)
        offset = json.loads(base64.urlsafe_b64decode(padded.encode()))["o"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise errors.INVALID_QUERY(
            detail=Text(N_("the paging cookie is not one this server issued."))
        ) from None
    if not isinstance(offset, int) or offset < 0:
        raise errors.INVALID_QUERY(
            detail=Text(N_("the paging cookie is not one this server issued."))
        )
    return offset


def _value(column: ColumnMetadata, value: Any) -> Any:
    if value is None:
        return None
    if column.type.is_reference:
        # Filters compare ids, whatever table a polymorphic lookup points at.
        if isinstance(value, EntityReference):
            return value.id
        parsed = parse_uuid(value)
        if parsed is None:
            raise errors.INVALID_VALUE_TYPE(
                value=show(value),
                column=column.name,
                table=column.table,
                expected=Text(N_("a GUID")),
            )
        return parsed
    converted = coerce(column, value)
    if converted is not None:
        check_range(column, converted)
    return converted


def uses_caller(criteria: FilterExpression) -> bool:
    """Whether a filter compares with who runs it (so the caller must be known)."""
    return any(c.operator in _CALLER_OPERATORS for c in criteria.conditions) or any(
        uses_caller(child) for child in criteria.filters
    )


def _for_caller(
    column: ColumnMetadata, condition: ConditionExpression, caller: QueryCaller | None
) -> ConditionExpression:
    """A caller operator as the plain comparison it stands for, with the caller's id."""
    operator = condition.operator
    if condition.values:
        raise errors.INVALID_QUERY(
            detail=Text(N_("the operator '{operator}' takes no value."), operator=operator)
        )
    if not column.type.is_reference:
        raise errors.INVALID_QUERY(
            detail=Text(
                N_("the operator '{operator}' compares a lookup, and '{column}' is not one."),
                operator=operator,
                column=column.name,
            )
        )
    if caller is None:
        raise errors.INVALID_QUERY(
            detail=Text(N_("the operator '{operator}' needs to know who runs the query."),
                        operator=operator)
        )  # fmt: skip
    compared, attribute = _CALLER_OPERATORS[operator]
    return ConditionExpression(column.name, compared, (getattr(caller, attribute),))


def _condition(
    table: TableMetadata,
    sql_table: sa.Table,
    condition: ConditionExpression,
    caller: QueryCaller | None = None,
) -> Any:
    column = table.column(condition.column)
    operator = condition.operator
    if operator not in OPERATORS:
        raise errors.INVALID_QUERY(
            detail=Text(N_("unknown condition operator '{operator}'."), operator=operator)
        )
    if operator in _CALLER_OPERATORS:
        return _condition(table, sql_table, _for_caller(column, condition, caller))
    target: Any = sql_table.c[column.name]
    values = condition.values
    if operator in _NO_VALUE:
        return target.is_(None) if operator == "null" else target.is_not(None)
    if operator not in _MANY_VALUES and len(values) != 1:
        raise errors.INVALID_QUERY(
            detail=Text(N_("the operator '{operator}' takes exactly one value."), operator=operator)
        )
    text = column.type in _TEXT_TYPES
    if column.type is ColumnType.BOOLEAN and operator in _ORDERING:
        # Yes before no, or no before yes, means nothing to the user (and SQLAlchemy refuses
        # to compile it): a coded refusal rather than an arbitrary answer.
        raise errors.INVALID_QUERY(
            detail=Text(
                N_(
                    "ordering is not defined for yes/no columns: '{column}' can only be "
                    "compared with eq, ne or in."
                ),
                column=column.name,
            )
        )
    if operator in _TEXT_OPERATORS:
        if not text:
            raise errors.INVALID_QUERY(
                detail=Text(
                    N_("the operator '{operator}' compares text, and '{column}' is not text."),
                    operator=operator,
                    column=column.name,
                )
            )
        shape, negated = _TEXT_OPERATORS[operator]
        value = coerce(column, str(values[0]))  # refused as a value would be (NUL, surrogates)
        if operator not in ("like", "not_like"):
            value = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        matched = target.ilike(shape.format(value), escape="\\")
        # Negations keep empty values, as "ne" does.
        return sa.or_(~matched, target.is_(None)) if negated else matched
    converted = [_value(column, value) for value in values]
    if text:
        target = sa.func.lower(target)
        converted = [value.lower() if isinstance(value, str) else value for value in converted]
    if operator == "between":
        if len(converted) != 2:
            raise errors.INVALID_QUERY(detail=Text(N_("the operator 'between' takes two values.")))
        return target.between(*converted)
    if operator == "in":
        return target.in_(converted)
    if operator == "not_in":
        return target.not_in(converted)
    value = converted[0]
    if value is None:
        return target.is_(None) if operator == "eq" else target.is_not(None)
    comparisons = {
        "eq": target.__eq__,
        "ne": target.__ne__,
        "gt": target.__gt__,
        "ge": target.__ge__,
        "lt": target.__lt__,
        "le": target.__le__,
    }
    clause: Any = comparisons[operator](value)
    if operator == "ne":
        # Dataverse's "ne" keeps records whose column is empty.
        clause = sa.or_(clause, sql_table.c[column.name].is_(None))
    return clause


def compile_filter(
    table: TableMetadata,
    sql_table: sa.Table,
    criteria: FilterExpression,
    caller: QueryCaller | None = None,
) -> Any:
    """The WHERE clause of a filter; None when it has no conditions. ``caller`` is who runs
    it, for the operators that compare with them (eq_userid, ne_userid, eq_businessid)."""
    if criteria.operator not in ("and", "or"):
        raise errors.INVALID_QUERY(
            detail=Text(N_("unknown filter operator '{operator}'."), operator=criteria.operator)
        )
    parts = [_condition(table, sql_table, c, caller) for c in criteria.conditions]
    parts += [
        clause
        for child in criteria.filters
        if (clause := compile_filter(table, sql_table, child, caller)) is not None
    ]
    if not parts:
        return None
    return sa.and_(*parts) if criteria.operator == "and" else sa.or_(*parts)


def order_columns(
    table: TableMetadata, sql_table: sa.Table, orders: Sequence[OrderExpression]
) -> list[Any]:
    found = []
    for order in orders:
        metadata = table.column(order.column)
        column: Any = sql_table.c[metadata.name]
        if metadata.type in _TEXT_TYPES:
            column = sa.func.lower(column)  # Dataverse sorts text without regard to case
        # The same order for empty values on both databases: first when ascending.
        found.append(column.desc().nulls_last() if order.descending else column.asc().nulls_first())
    # A stable order makes pages that neither repeat nor skip records.
    found.append(sql_table.c[table.primary_key].asc())
    return found


# --- a filter as JSON (what a job stores of the query it was queued with) ------------------


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, EntityReference):
        return str(value.id)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)  # UUID, Decimal: the filter coerces the text back when it runs


def filter_to_json(criteria: FilterExpression) -> dict[str, Any]:
    """The filter as JSON values; :func:`filter_from_json` reads it back. Values become
    text where JSON has no type for them (GUIDs, dates, decimals): compiling the filter
    coerces them to the column's type again."""
    return {
        "operator": criteria.operator,
        "conditions": [
            [c.column, c.operator, [_json_value(v) for v in c.values]] for c in criteria.conditions
        ],
        "filters": [filter_to_json(child) for child in criteria.filters],
    }


def filter_from_json(data: Any) -> FilterExpression:
    if not data:
        return FilterExpression()
    return FilterExpression(
        str(data.get("operator", "and")),
        tuple(ConditionExpression(str(column), str(operator), tuple(values))
              for column, operator, values in data.get("conditions", ())),
        tuple(filter_from_json(child) for child in data.get("filters", ())),
    )  # fmt: skip
