"""FetchXML, the subset views use, read into a :class:`QueryExpression`.

``<fetch><entity name="lead">`` with ``<attribute name=".."/>`` (or ``<all-attributes/>``),
``<order attribute=".." descending="true"/>`` and ``<filter type="and|or">`` holding
``<condition attribute=".." operator=".." value=".."/>`` (``<value>`` children for in and
not-in) and nested filters. Values are typed from the column's metadata, so a view that could
never run is refused when it is saved, not when someone opens it.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.query import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    OrderExpression,
    QueryExpression,
)
from leadgate.platform.engine.types import ColumnType
from leadgate.platform.engine.values import coerce, parse_uuid, show
from leadgate.platform.views._documents import MAX_NESTING, invalid, read_xml
from leadgate.platform.views.errors import UNKNOWN_DOCUMENT_COLUMN, UNKNOWN_DOCUMENT_TABLE

__all__ = ["FETCH_OPERATORS", "parse_fetch"]

DOCUMENT = "fetchxml"
# FetchXML's operator names and the engine's (Dataverse's ConditionOperator, snake case).
FETCH_OPERATORS = {
    "eq": "eq",
    "ne": "ne",
    "gt": "gt",
    "ge": "ge",
    "lt": "lt",
    "le": "le",
    "like": "like",
    "not-like": "not_like",
    "in": "in",
    "not-in": "not_in",
    "null": "null",
    "not-null": "not_null",
    "eq-userid": "eq_userid",
    "ne-userid": "ne_userid",
    "eq-businessid": "eq_businessid",
}
_NO_VALUE = frozenset({"null", "not_null", "eq_userid", "ne_userid", "eq_businessid"})
_LISTS = frozenset({"in", "not_in"})
_TEXT_ONLY = frozenset({"like", "not_like"})
_TEXT = (ColumnType.STRING, ColumnType.MEMO)
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,18}")
_BOOLEANS = {"1": True, "true": True, "0": False, "false": False}


def _required(element: Element, name: str) -> str:
    value = element.get(name)
    if value is None or not value.strip():
        raise invalid(DOCUMENT, N_("<{element}> needs the attribute {attribute}."),
                      element=element.tag, attribute=name)  # fmt: skip
    return value.strip()


def _column(table: TableMetadata, name: str) -> ColumnMetadata:
    column = table.columns.get(name)
    if column is None:
        raise UNKNOWN_DOCUMENT_COLUMN(document=DOCUMENT, column=show(name), table=table.name)
    return column


def typed(column: ColumnMetadata, raw: str) -> Any:
    """A condition's value as the column holds it (FetchXML writes every value as text)."""
    kind = column.type
    text = raw.strip()
    if kind in _TEXT:
        return coerce(column, raw)
    if kind is ColumnType.BOOLEAN and text.lower() in _BOOLEANS:
        return _BOOLEANS[text.lower()]
    if (kind is ColumnType.INTEGER or kind.is_choice) and _WHOLE_NUMBER.fullmatch(text):
        return int(text)
    if kind.is_reference:
        identifier = parse_uuid(text)
        if identifier is not None:
            return identifier
        raise errors.INVALID_VALUE_TYPE(value=show(raw), column=column.name, table=column.table,
                                        expected=Text(N_("a GUID")))  # fmt: skip
    return coerce(column, text)  # dates, decimals, money: coerce reads text; the rest refused


def _condition(table: TableMetadata, element: Element) -> ConditionExpression:
    column = _column(table, _required(element, "attribute"))
    written = _required(element, "operator")
    operator = FETCH_OPERATORS.get(written)
    if operator is None:
        raise invalid(
            DOCUMENT, N_("the operator '{operator}' is not supported; use one of {known}."),
            operator=show(written), known=", ".join(FETCH_OPERATORS),
        )  # fmt: skip
    listed = [value.text or "" for value in element if value.tag == "value"]
    single = element.get("value")
    raw = ([single] if single is not None else []) + listed
    if operator in _NO_VALUE:
        if raw:
            raise invalid(
                DOCUMENT, N_("the operator '{operator}' takes no value."), operator=written
            )
        return ConditionExpression(column.name, operator)
    if operator in _TEXT_ONLY and column.type not in _TEXT:
        raise invalid(
            DOCUMENT, N_("the operator '{operator}' compares text, and '{column}' is not text."),
            operator=written, column=column.name,
        )  # fmt: skip
    if (operator in _LISTS and not raw) or (operator not in _LISTS and len(raw) != 1):
        raise invalid(
            DOCUMENT, N_("the condition on '{column}' with '{operator}' has {count} value(s)."),
            column=column.name, operator=written, count=len(raw),
        )  # fmt: skip
    return ConditionExpression(column.name, operator, tuple(typed(column, v) for v in raw))


def _filter(table: TableMetadata, element: Element, depth: int) -> FilterExpression:
    if depth > MAX_NESTING:
        raise invalid(DOCUMENT, N_("filters are nested more than {limit} deep."), limit=MAX_NESTING)
    kind = (element.get("type") or "and").strip()
    if kind not in ("and", "or"):
        raise invalid(DOCUMENT, N_("a filter's type is and or or, not '{type}'."), type=show(kind))
    conditions, filters = [], []
    for child in element:
        if child.tag == "condition":
            conditions.append(_condition(table, child))
        elif child.tag == "filter":
            filters.append(_filter(table, child, depth + 1))
        else:
            raise _unsupported(child, "filter")
    return FilterExpression(kind, tuple(conditions), tuple(filters))


def _unsupported(element: Element, parent: str) -> Exception:
    return invalid(DOCUMENT, N_("the element <{element}> is not supported in <{parent}>."),
                   element=show(str(element.tag)), parent=parent)  # fmt: skip


def _entity(root: Element, metadata: MetadataSet) -> tuple[Element, TableMetadata]:
    if root.tag != "fetch":
        raise invalid(DOCUMENT, N_("its root element is <{element}>, not <fetch>."),
                      element=show(str(root.tag)))  # fmt: skip
    entities = list(root)
    if len(entities) != 1 or entities[0].tag != "entity":
        raise invalid(DOCUMENT, N_("<fetch> holds exactly one <entity>."))
    name = _required(entities[0], "name")
    table = metadata.tables.get(name)
    if table is None:
        raise UNKNOWN_DOCUMENT_TABLE(document=DOCUMENT, table=show(name))
    return entities[0], table


def parse_fetch(text: Any, metadata: MetadataSet) -> QueryExpression:
    """The query a FetchXML document describes, or a coded refusal naming what is wrong."""
    entity, table = _entity(read_xml(text, DOCUMENT), metadata)
    columns: list[str] = []
    every_column = False
    orders: list[OrderExpression] = []
    filters: list[FilterExpression] = []
    for child in entity:
        if child.tag == "attribute":
            columns.append(_column(table, _required(child, "name")).name)
        elif child.tag == "all-attributes":
            every_column = True
        elif child.tag == "order":
            column = _column(table, _required(child, "attribute"))
            descending = (child.get("descending") or "false").strip().lower() in ("true", "1")
            orders.append(OrderExpression(column.name, descending))
        elif child.tag == "filter":
            filters.append(_filter(table, child, 1))
        else:
            raise _unsupported(child, "entity")
    criteria = filters[0] if len(filters) == 1 else FilterExpression("and", filters=tuple(filters))
    chosen = () if every_column or not columns else tuple(dict.fromkeys(columns))
    return QueryExpression(table.name, ColumnSet(chosen), criteria, tuple(orders))
