"""Retrieve and RetrieveMultiple: one record by id, or a page of a query, as the caller may
read them (security adds its filter to the SQL, so counts and pages agree)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.entity import Entity, EntityCollection, EntityReference
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.query import (
    ColumnSet,
    FilterExpression,
    QueryCaller,
    QueryExpression,
    compile_filter,
    decode_cookie,
    encode_cookie,
    order_columns,
    uses_caller,
)
from leadgate.platform.engine.storage import translate_errors
from leadgate.platform.records.fields import checked_reference
from leadgate.platform.security.privileges import Right

__all__ = [
    "MESSAGES",
    "RetrieveMultipleRequest",
    "RetrieveMultipleResponse",
    "RetrieveRequest",
    "RetrieveResponse",
]


@dataclass(frozen=True)
class RetrieveRequest:
    target: EntityReference
    column_set: ColumnSet = field(default_factory=ColumnSet)


@dataclass(frozen=True)
class RetrieveResponse:
    entity: Entity


@dataclass(frozen=True)
class RetrieveMultipleRequest:
    query: QueryExpression


@dataclass(frozen=True)
class RetrieveMultipleResponse:
    entity_collection: EntityCollection


def _column_names(table: TableMetadata, column_set: ColumnSet) -> list[str]:
    if column_set.all_columns:
        return list(table.columns)
    for name in column_set.columns:
        table.column(name)
    names = [table.primary_key, *(n for n in column_set.columns if n != table.primary_key)]
    return names


# --- Retrieve ---------------------------------------------------------------------------


def validate_retrieve(operation: Operation[RetrieveRequest]) -> None:
    request = operation.request
    _column_names(operation.table(request.target.logical_name), request.column_set)
    operation.request = replace(request, target=checked_reference(operation, request.target))


def authorize_retrieve(operation: Operation) -> None:
    request = operation.request
    table = operation.table(request.target.logical_name)
    # The columns asked for come with the owner: the core operation finds them held.
    also = _column_names(table, request.column_set)
    record = operation.record_owner(table, request.target.id, also)
    if record is not None:  # a missing record is reported as missing by the core operation
        operation.require(Right.READ, table, record)


def retrieve(operation: Operation[RetrieveRequest]) -> RetrieveResponse:
    request = operation.request
    table = operation.table(request.target.logical_name)
    entity = rows.select_row(
        operation.connection,
        table,
        operation.sql_table(table.name),
        request.target.id,
        _column_names(table, request.column_set),
    )
    if entity is None:
        raise errors.RECORD_NOT_FOUND(table=table.name, id=request.target.id)
    return RetrieveResponse(entity)


# --- RetrieveMultiple -------------------------------------------------------------------


def validate_retrieve_multiple(operation: Operation) -> None:
    query: QueryExpression = operation.request.query
    table = operation.table(query.entity_name)
    _column_names(table, query.column_set)
    for order in query.orders:
        table.column(order.column)
    if query.top_count is not None and query.top_count < 0:
        raise errors.INVALID_QUERY(
            detail=Text(N_("the number of records to return cannot be negative."))
        )
    if query.page_info.count < 1 or query.page_info.page_number < 1:
        raise errors.INVALID_QUERY(detail=Text(N_("page size and page number start at 1.")))


def authorize_retrieve_multiple(operation: Operation) -> None:
    operation.require(Right.READ, operation.table(operation.request.query.entity_name))


def _query_caller(operation: Operation, criteria: FilterExpression) -> QueryCaller | None:
    """Who runs the query, when its filter asks (eq_userid, eq_businessid): read only then."""
    if not uses_caller(criteria):
        return None
    user_id = operation.caller.user_id
    principal = operation.principal
    if principal is not None:
        return QueryCaller(user_id, principal.business_unit_id)
    user = operation.retrieve("systemuser", user_id, ["businessunitid"])  # SYSTEM's own unit
    unit = user.get("businessunitid") if user is not None else None
    return QueryCaller(user_id, unit.id if unit is not None else None)


def retrieve_multiple(operation: Operation) -> RetrieveMultipleResponse:
    query: QueryExpression = operation.request.query
    table = operation.table(query.entity_name)
    sql_table = operation.sql_table(table.name)
    names = _column_names(table, query.column_set)
    caller = _query_caller(operation, query.criteria)
    where = compile_filter(table, sql_table, query.criteria, caller)
    readable = operation.read_filter(table, sql_table)  # in SQL: counts and pages agree
    if readable is not None:
        where = readable if where is None else sa.and_(where, readable)
    statement = sa.select(*rows.select_columns(table, sql_table, names))
    if where is not None:
        statement = statement.where(where)
    statement = statement.order_by(*order_columns(table, sql_table, query.orders))
    paging = query.page_info
    if query.top_count is not None:
        offset, limit = 0, query.top_count
    else:
        offset = (
            decode_cookie(paging.paging_cookie)
            if paging.paging_cookie
            else (paging.page_number - 1) * paging.count
        )
        limit = paging.count
    with translate_errors(table.name):
        page = (
            operation.connection.execute(statement.offset(offset).limit(limit + 1)).mappings().all()
        )
        total = None
        if paging.return_total_record_count:
            counted = sa.select(sa.func.count()).select_from(sql_table)
            if where is not None:
                counted = counted.where(where)
            total = operation.connection.execute(counted).scalar_one()
    more = len(page) > limit and query.top_count is None
    entities = [rows.entity_from_row(table, row, names) for row in page[:limit]]
    return RetrieveMultipleResponse(
        EntityCollection(
            entity_name=table.name,
            entities=entities,
            more_records=more,
            paging_cookie=encode_cookie(offset + limit) if more else None,
            total_record_count=total,
        )
    )


def _target_of_reference(request: Any) -> tuple[str | None, uuid.UUID | None]:
    return request.target.logical_name, request.target.id


MESSAGES = {
    RetrieveRequest: Message(
        "Retrieve",
        retrieve,
        validate_retrieve,
        _target_of_reference,
        writes=False,
        authorize=authorize_retrieve,
    ),
    RetrieveMultipleRequest: Message(
        "RetrieveMultiple",
        retrieve_multiple,
        validate_retrieve_multiple,
        lambda request: (request.query.entity_name, None),
        writes=False,
        authorize=authorize_retrieve_multiple,
    ),
}
