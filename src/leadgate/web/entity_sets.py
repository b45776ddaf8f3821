"""The entity sets as a whole: listed at the API's root (the OData service document, which
generic clients read first) and counted by the ``$count`` segment (``GET /leads/$count?
$filter=…``: the number alone, as plain text, as Dataverse answers it). Records themselves are
web/routes.py's."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from leadgate.platform import (
    ColumnSet,
    FilterExpression,
    PagingInfo,
    QueryExpression,
    RetrieveMultipleRequest,
)
from leadgate.platform.engine import errors
from leadgate.web.auth import SignedInRoute
from leadgate.web.filter_paths import navigator
from leadgate.web.odata_filter import parse_filter
from leadgate.web.options import parse_orderby, read_options
from leadgate.web.resources import API_PATH, api_root, parse_resource, resolve_property
from leadgate.web.responses import ODATA_HEADERS, json_response
from leadgate.web.routes import SignedIn

__all__ = ["router"]

router = APIRouter(prefix=API_PATH, route_class=SignedInRoute)


@router.get("", include_in_schema=False)
@router.get("/")
def service_document(request: Request, session: SignedIn) -> Response:
    tables = sorted(
        (table for table in session.metadata().tables.values() if table.published),
        key=lambda table: table.entity_set,
    )
    return json_response({
        "@odata.context": f"{api_root(request)}/$metadata",
        "value": [{"name": table.entity_set, "kind": "EntitySet", "url": table.entity_set}
                  for table in tables],
    })  # fmt: skip


@router.get("/{segment}/$count")
def count(request: Request, segment: str, session: SignedIn) -> Response:
    resource = parse_resource(session.metadata(), segment)
    if resource.names_record:
        raise errors.RESOURCE_NOT_FOUND(segment=f"{segment}/$count")
    table = resource.table
    # python-odata's query.count() keeps the query's $orderby: an order changes no count, so
    # it is checked (a wrong column is still refused) and otherwise ignored.
    options = read_options(request.query_params, frozenset({"$filter", "$orderby"}))
    parse_orderby(table, options.orderby)
    criteria = FilterExpression()
    if options.filter is not None:
        criteria = parse_filter(
            options.filter,
            lambda name: resolve_property(table, name).name,
            lambda name: resolve_property(table, name),
            navigator(session.service, session.metadata(), table),
        )
    query = QueryExpression(
        table.name, ColumnSet.of(table.primary_key), criteria,
        page_info=PagingInfo(count=1, return_total_record_count=True),
    )  # fmt: skip
    page = session.service.execute(RetrieveMultipleRequest(query)).entity_collection
    headers = {**ODATA_HEADERS, "Content-Type": "text/plain; charset=utf-8"}
    return Response(str(page.total_record_count or 0), headers=headers)
