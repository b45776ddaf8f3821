"""What a grid shows: the table's views (``savedquery`` records read as the signed-in person),
the chosen one narrowed by Quick Find, sorted and paged, and its rows as text.

Nothing here knows a table: the columns, filter and order come from the view's record, the
labels from the metadata, the values' text from :func:`leadgate.ui.values.display`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from leadgate.platform.engine.entity import Entity, EntityCollection
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.metadata.model import ColumnMetadata, TableMetadata
from leadgate.platform.engine.query import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    OrderExpression,
    PagingInfo,
    QueryExpression,
)
from leadgate.platform.engine.types import ColumnType
from leadgate.platform.records.retrieve import RetrieveMultipleRequest
from leadgate.platform.views import MAIN_VIEW, QUICK_FIND, View, quick_find
from leadgate.ui.errors import GRID_HAS_NO_VIEW, VIEW_NOT_FOUND
from leadgate.ui.lookup_names import named
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import record_url
from leadgate.ui.values import display

__all__ = ["PAGE_SIZE", "GridPage", "GridRequest", "Row", "ViewChoice", "read_grid", "view_query"]

PAGE_SIZE = 50
LAST_PAGE = 100_000  # 5 million rows in: past that a person searches instead of paging
_VIEW_COLUMNS = ("name", "name_fr", "returnedtypecode", "querytype", "isdefault",
                 "fetchxml", "layoutxml")  # fmt: skip
# Dataverse sorts a grid by these kinds of column; a lookup sorts by its key, not its name, and
# a many-line text cannot be ordered on every database, so their headers are not links.
_UNSORTABLE = frozenset({ColumnType.MEMO}) | frozenset(t for t in ColumnType if t.is_reference)


@dataclass(frozen=True)
class GridRequest:
    """What the address asks for: ``?view=&q=&sort=&desc=1&page=``, already checked."""

    view: uuid.UUID | None = None
    search: str = ""
    sort: str | None = None
    descending: bool = False
    page: int = 1


@dataclass(frozen=True)
class ViewChoice:
    id: uuid.UUID
    name: Label
    is_default: bool


@dataclass(frozen=True)
class Header:
    name: str
    label: Label
    width: int
    sortable: bool
    sorted: str | None  # "ascending" / "descending" (aria-sort) or None


@dataclass(frozen=True)
class Row:
    id: uuid.UUID
    name: str  # the record's primary name, for links and the row's checkbox label
    url: str
    cells: tuple[tuple[str, bool], ...]  # (text, is the primary name) per header


@dataclass(frozen=True)
class GridPage:
    table: TableMetadata
    views: tuple[ViewChoice, ...]
    view: View
    headers: tuple[Header, ...]
    rows: tuple[Row, ...]
    total: int
    first: int  # 1-based number of the first row shown (0 when none)
    last: int
    page: int
    pages: int
    request: GridRequest
    can_search: bool


def _view_records(ui: UiSession, table: TableMetadata) -> list[Entity]:
    """The table's main and Quick Find views, as the person may read them."""
    conditions = [
        ConditionExpression("returnedtypecode", "eq", (table.name,)),
        ConditionExpression("querytype", "in", (MAIN_VIEW, QUICK_FIND)),
    ]
    if "statecode" in ui.metadata().table("savedquery").columns:  # active views only
        conditions.append(ConditionExpression("statecode", "eq", (0,)))
    query = QueryExpression(
        "savedquery", ColumnSet(_VIEW_COLUMNS), FilterExpression("and", tuple(conditions)),
        (OrderExpression("name"),),
    )  # fmt: skip
    return list(ui.service.execute(RetrieveMultipleRequest(query)).entity_collection)


def _name(record: Entity) -> Label:
    return Label(str(record.get("name") or ""), record.get("name_fr") or None)


def _chosen(records: list[Entity], wanted: uuid.UUID | None, table: TableMetadata) -> Entity:
    if wanted is not None:
        for record in records:
            if record.id == wanted:
                return record
        raise VIEW_NOT_FOUND(view=str(wanted), table=table.plural_label)
    defaults = [record for record in records if record.get("isdefault")]
    return (defaults or records)[0]


def _headers(view: View, table: TableMetadata, orders: tuple[OrderExpression, ...]) -> list[Header]:
    first = orders[0] if orders else None
    headers = []
    for cell in view.columns:
        column = table.columns[cell.name]
        sorted_ = None
        if first is not None and first.column == cell.name:
            sorted_ = "descending" if first.descending else "ascending"
        sortable = column.type not in _UNSORTABLE
        headers.append(Header(cell.name, column.label, cell.width, sortable, sorted_))
    return headers


def _orders(view: View, table: TableMetadata, asked: GridRequest) -> tuple[OrderExpression, ...]:
    """The order asked for when it is a sortable column the view shows; else the view's."""
    shown = {cell.name for cell in view.columns}
    column = table.columns.get(asked.sort or "")
    if column is not None and column.name in shown and column.type not in _UNSORTABLE:
        return (OrderExpression(column.name, asked.descending),)
    return view.query.orders


def _row(entity: Entity, table: TableMetadata, columns: list[ColumnMetadata], ui: UiSession) -> Row:
    assert entity.id is not None
    name = display(table.columns[table.primary_name], entity.get(table.primary_name), ui.language)
    cells = tuple(
        (display(column, entity.get(column.name), ui.language), column.name == table.primary_name)
        for column in columns
    )
    return Row(entity.id, name or str(entity.id), record_url(table.entity_set, entity.id), cells)


@dataclass(frozen=True)
class _Chosen:
    main: list[Entity]  # the table's main views
    view: View
    query: QueryExpression  # searched and sorted, not paged
    orders: tuple[OrderExpression, ...]
    can_search: bool


def _choose(ui: UiSession, table: TableMetadata, asked: GridRequest) -> _Chosen:
    records = _view_records(ui, table)
    main = [record for record in records if record.get("querytype") == MAIN_VIEW]
    if not main:
        raise GRID_HAS_NO_VIEW(table=table.plural_label)
    metadata = ui.metadata()
    view = View.from_record(_chosen(main, asked.view, table), metadata)
    quick = next((r for r in records if r.get("querytype") == QUICK_FIND), None)
    query = view.query
    if quick is not None and asked.search:
        query = quick_find(view, View.from_record(quick, metadata), asked.search)
    orders = _orders(view, table, asked)
    return _Chosen(main, view, replace(query, orders=orders), orders, quick is not None)


def view_query(
    ui: UiSession, table: TableMetadata, asked: GridRequest
) -> tuple[View, QueryExpression]:
    """The view the grid shows and every row of it, searched and sorted as it is: what a
    command on "all the rows of this view" runs on (VIEW_NOT_FOUND, GRID_HAS_NO_VIEW as the
    grid)."""
    chosen = _choose(ui, table, asked)
    return chosen.view, chosen.query


def read_grid(ui: UiSession, table: TableMetadata, asked: GridRequest) -> GridPage:
    """One page of the chosen view (the default when none is asked), as the person sees it."""
    chosen = _choose(ui, table, asked)
    main, view, query, orders = chosen.main, chosen.view, chosen.query, chosen.orders
    page = min(max(asked.page, 1), LAST_PAGE)
    collection = _run(ui, query, page)
    total = collection.total_record_count or 0
    pages = max(1, -(-total // PAGE_SIZE))
    if not collection.entities and page > pages:  # past the end (rows went away): the last page
        page = pages
        collection = _run(ui, query, page)
        total = collection.total_record_count or 0
    columns = [table.columns[cell.name] for cell in view.columns]
    named(ui, collection.entities, [c.name for c in columns if c.type.is_reference])
    rows = tuple(_row(entity, table, columns, ui) for entity in collection)
    first = (page - 1) * PAGE_SIZE + 1 if rows else 0
    return GridPage(
        table=table,
        views=tuple(ViewChoice(r.id, _name(r), bool(r.get("isdefault"))) for r in main if r.id),
        view=view,
        headers=tuple(_headers(view, table, orders)),
        rows=rows,
        total=total,
        first=first,
        last=first + len(rows) - 1 if rows else 0,
        page=page,
        pages=pages,
        request=replace(asked, page=page),
        can_search=chosen.can_search,
    )


def _run(ui: UiSession, query: QueryExpression, page: int) -> EntityCollection:
    names = query.column_set.columns
    if names and ui.metadata().table(query.entity_name).primary_name not in names:
        primary = ui.metadata().table(query.entity_name).primary_name
        query = replace(query, column_set=ColumnSet((*names, primary)))  # the rows' names
    paged = replace(query, page_info=PagingInfo(PAGE_SIZE, page, return_total_record_count=True))
    return ui.service.execute(RetrieveMultipleRequest(paged)).entity_collection
