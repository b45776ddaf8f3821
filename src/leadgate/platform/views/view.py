"""A view (``savedquery`` record) as a value: what a grid reads, shows and searches.

A grid runs :attr:`View.query` with RetrieveMultiple as the signed-in user, shows
:attr:`View.columns`, and searches with :func:`quick_find` and the table's Quick Find view.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.query import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    QueryExpression,
)
from leadgate.platform.views.errors import WRONG_DOCUMENT_TABLE
from leadgate.platform.views.fetch import parse_fetch
from leadgate.platform.views.layout import DEFAULT_WIDTH, ViewColumn, parse_layout

__all__ = [
    "ADVANCED_SEARCH",
    "ASSOCIATED_VIEW",
    "LOOKUP_VIEW",
    "MAIN_VIEW",
    "QUICK_FIND",
    "View",
    "quick_find",
]

# savedquery.querytype values (Dataverse's).
MAIN_VIEW, ADVANCED_SEARCH, ASSOCIATED_VIEW, QUICK_FIND, LOOKUP_VIEW = 0, 1, 2, 4, 64
PLACEHOLDER = "{0}"


@dataclass(frozen=True)
class View:
    id: uuid.UUID
    name: Label
    table: str
    query_type: int
    is_default: bool
    # The fetch's columns (and the layout's cells), criteria and orders.
    query: QueryExpression
    # What a grid shows, in order.
    columns: tuple[ViewColumn, ...]

    @classmethod
    def from_record(cls, record: Entity, metadata: MetadataSet) -> View:
        """A ``savedquery`` record read with the published metadata (a coded refusal when
        its fetchxml or layoutxml cannot be read or names what does not exist)."""
        query = parse_fetch(record.get("fetchxml"), metadata)
        table = metadata.table(query.entity_name)
        expected = record.get("returnedtypecode")
        if expected and expected != table.name:
            raise WRONG_DOCUMENT_TABLE(document="fetchxml", found=table.name, table=expected)
        layout = record.get("layoutxml")
        if layout is not None and str(layout).strip():
            columns = parse_layout(layout, table)
            fetched = query.column_set.columns
            if fetched:  # read what the grid shows, even if the fetch forgot it
                wanted = dict.fromkeys([*fetched, *(column.name for column in columns)])
                query = replace(query, column_set=ColumnSet(tuple(wanted)))
        else:
            names = query.column_set.columns or (table.primary_name,)
            columns = tuple(ViewColumn(name, DEFAULT_WIDTH) for name in names)
        assert record.id is not None
        return cls(
            id=record.id,
            name=Label(str(record.get("name") or ""), record.get("name_fr") or None),
            table=table.name,
            query_type=int(record.get("querytype") or 0),
            is_default=bool(record.get("isdefault")),
            query=query,
            columns=columns,
        )


def _pattern(text: str) -> str:
    """What a person types, as a LIKE pattern: "starts with", as in Dynamics, and ``*`` stands
    for any characters ("*son" finds "Jackson" and "Sonia's")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%") + "%"


def _substituted(criteria: FilterExpression, pattern: str) -> FilterExpression:
    conditions = tuple(
        ConditionExpression(
            c.column, c.operator,
            tuple(v.replace(PLACEHOLDER, pattern) if isinstance(v, str) else v for v in c.values),
        )
        for c in criteria.conditions
    )  # fmt: skip
    filters = tuple(_substituted(child, pattern) for child in criteria.filters)
    return FilterExpression(criteria.operator, conditions, filters)


def quick_find(view: View, quick: View, text: str) -> QueryExpression:
    """``view``'s query narrowed to the records the Quick Find view ``quick`` finds for
    ``text`` (its conditions' ``{0}`` replaced by the text); empty text: the view's query."""
    if not text.strip():
        return view.query
    found = _substituted(quick.query.criteria, _pattern(text.strip()))
    criteria = FilterExpression("and", filters=(view.query.criteria, found))
    return replace(view.query, criteria=criteria)
