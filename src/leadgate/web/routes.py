"""The Web API's routes under /api/data/v9.2: each runs one message as the signed-in user."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from leadgate.platform import (
    ColumnSet,
    ConcurrencyBehavior,
    CreateRequest,
    DeleteRequest,
    Entity,
    EntityReference,
    FilterExpression,
    PagingInfo,
    QueryExpression,
    RetrieveMultipleRequest,
    RetrieveRequest,
    UpdateRequest,
    UpsertRequest,
)
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import ColumnMetadata, TableMetadata
from leadgate.platform.engine.types import ColumnType
from leadgate.platform.security.messages import WhoAmIRequest
from leadgate.web.auth import Session, SignedInRoute, signed_in
from leadgate.web.errors import MethodNotAllowed, bad_query
from leadgate.web.expand import Expansion, lookup_columns, parse_expand, records_json
from leadgate.web.fetch_queries import fetch_parameter, fetch_response
from leadgate.web.filter_paths import navigator
from leadgate.web.headers import (
    ANY_VERSION,
    Preferences,
    etag,
    read_preferences,
    read_suppress_duplicate_detection,
    read_version,
)
from leadgate.web.odata_filter import parse_filter
from leadgate.web.operations import FUNCTIONS
from leadgate.web.options import (
    COLLECTION_OPTIONS,
    READ_RECORD_OPTIONS,
    RECORD_OPTIONS,
    parse_orderby,
    parse_select,
    read_options,
)
from leadgate.web.payload import entity_from_body, parse_json_object
from leadgate.web.resources import (
    API_PATH,
    Resource,
    api_root,
    parse_resource,
    record_url,
    resolve_property,
)
from leadgate.web.responses import empty_response, json_response, page_response
from leadgate.web.serialize import context_url, read_columns

__all__ = ["record_id", "router"]

router = APIRouter(prefix=API_PATH, route_class=SignedInRoute)

SignedIn = Annotated[Session, Depends(signed_in)]
COLLECTION_METHODS = "GET, POST"
RECORD_METHODS = "GET, PATCH, DELETE"
Selection = list[ColumnMetadata] | None


async def _raw_body(request: Request, session: SignedIn) -> bytes:
    """The body, read before the (synchronous) route runs in the thread pool: once its caller
    is authenticated, as before any route (a 401 reads no body), on no held connection (a
    slow body would hold it)."""
    await session.authenticate_unheld()
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


# The fixed paths other routers serve before the entity sets, with the one method each takes:
# another method reaches the entity sets' routes here, and is told which one to use.
FIXED_PATHS = {"$metadata": "GET", "$batch": "POST", "EntityDefinitions": "GET",
               "RelationshipDefinitions": "GET", "GlobalOptionSetDefinitions": "GET",
               "sdkmessagefilters": "GET"}  # fmt: skip


def _resource(session: Session, segment: str, method: str, *, record: bool | None) -> Resource:
    """The entity set (and key) of the URL; 405 when the method does not apply to it."""
    name = segment.split("(", 1)[0]
    if name in FUNCTIONS:  # functions answer GET alone
        raise MethodNotAllowed(method, "GET")
    if name in FIXED_PATHS:
        raise MethodNotAllowed(method, FIXED_PATHS[name])
    resource = parse_resource(session.metadata(), segment)
    if record is True and not resource.names_record:
        raise MethodNotAllowed(method, COLLECTION_METHODS)
    if record is False and resource.names_record:
        raise MethodNotAllowed(method, RECORD_METHODS)
    return resource


def record_id(session: Session, resource: Resource) -> uuid.UUID | None:
    """The id of the record the URL names (None: it names its entity set); named by an
    alternate key, the record is looked up as the signed-in user (a Retrieve)."""
    if resource.key is not None or not resource.key_attributes:
        return resource.key
    return _read_record(session, resource.table, resource.reference, []).id


def _column_name(table: TableMetadata, name: str) -> str:
    return resolve_property(table, name).name


def _read_record(
    session: Session,
    table: TableMetadata,
    key: uuid.UUID | EntityReference,
    selected: Selection,
    extra: tuple[str, ...] = (),
) -> Entity:
    """The record (by id, or a reference that may name it by an alternate key), with the
    lookups its expansions follow (``extra``) when only some columns are selected."""
    reference = key if isinstance(key, EntityReference) else EntityReference(table.name, key)
    columns = ColumnSet(_with_columns(read_columns(table, selected), extra))
    return session.service.execute(RetrieveRequest(reference, columns)).entity


def _with_columns(columns: tuple[str, ...], extra: tuple[str, ...]) -> tuple[str, ...]:
    """The columns to read: ``()`` reads them all; else add what the expansions follow."""
    if not columns:
        return columns
    return (*columns, *(name for name in dict.fromkeys(extra) if name not in columns))


def _record_response(
    request: Request,
    session: Session,
    table: TableMetadata,
    entity: Entity,
    selected: Selection,
    preferences: Preferences,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    returned: bool = False,
    expansions: list[Expansion] | None = None,
) -> Response:
    """A record's JSON; ``returned`` when a write answers with it (return=representation)."""
    expansions = expansions or []
    context = context_url(
        api_root(request), table, selected, single=True, expanded=[e.context() for e in expansions]
    )
    [record] = records_json(session, table, [entity], selected, preferences, expansions)
    body = {"@odata.context": context, **record}
    headers = dict(headers or {})
    applied = preferences.applied(returned=returned)
    if applied:
        headers["Preference-Applied"] = applied
    return json_response(body, status_code, headers=headers)


# --- functions --------------------------------------------------------------------------


@router.get("/WhoAmI")
@router.get("/WhoAmI()")  # python-odata calls a function without parameters so
def who_am_i(request: Request, session: SignedIn) -> Response:
    answer = session.service.execute(WhoAmIRequest())
    unit = answer.business_unit_id
    return json_response(
        {
            "@odata.context": (
                f"{api_root(request)}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse"
            ),
            "BusinessUnitId": str(unit) if unit else None,
            "UserId": str(answer.user_id),
            "OrganizationId": str(answer.organization_id),
        }
    )


# --- reading ----------------------------------------------------------------------------


@router.get("/{segment}")
def read(request: Request, segment: str, session: SignedIn) -> Response:
    resource = _resource(session, segment, "GET", record=None)
    if not resource.names_record:
        return _retrieve_multiple(request, session, resource.table)
    options = read_options(request.query_params, READ_RECORD_OPTIONS)
    preferences = read_preferences(request.headers)
    table = resource.table
    selected = parse_select(table, options.select)
    expansions = parse_expand(session.metadata(), table, options.expand)
    entity = _read_record(session, table, resource.reference, selected, lookup_columns(expansions))
    cached = read_version(request.headers, "if-none-match")
    if cached is not None and cached in (ANY_VERSION, entity.row_version):
        # The client's copy is current (Dataverse answers 304 to a matching etag).
        return empty_response(304, {"ETag": etag(entity.row_version)})
    return _record_response(
        request, session, table, entity, selected, preferences, expansions=expansions
    )


def _retrieve_multiple(request: Request, session: Session, table: TableMetadata) -> Response:
    fetch = fetch_parameter(request.query_params)
    if fetch is not None:
        return fetch_response(request, session, table, fetch)
    options = read_options(request.query_params, COLLECTION_OPTIONS)
    preferences = read_preferences(request.headers)
    selected = parse_select(table, options.select)
    expansions = parse_expand(session.metadata(), table, options.expand)
    criteria = (
        parse_filter(
            options.filter,
            partial(_column_name, table),
            partial(resolve_property, table),
            navigator(session.service, session.metadata(), table),
        )
        if options.filter is not None
        else FilterExpression()
    )
    query = QueryExpression(
        table.name,
        ColumnSet(_with_columns(read_columns(table, selected), lookup_columns(expansions))),
        criteria,
        parse_orderby(table, options.orderby),
        top_count=options.top,
        page_info=PagingInfo(
            count=preferences.page_size,
            paging_cookie=options.skiptoken,
            return_total_record_count=options.count,
        ),
    )
    page = session.service.execute(RetrieveMultipleRequest(query)).entity_collection
    context = context_url(
        api_root(request), table, selected, single=False, expanded=[e.context() for e in expansions]
    )
    body: dict[str, object] = {"@odata.context": context}
    if options.count:
        body["@odata.count"] = page.total_record_count
    entities = list(page.entities)
    body["value"] = None  # the records' place: page_response writes them there
    if page.more_records and page.paging_cookie:
        body["@odata.nextLink"] = _next_link(request, page.paging_cookie)
    applied = preferences.applied(paged=True)
    return page_response(
        body,
        records_json(session, table, entities, selected, preferences, expansions),
        len(entities),
        headers={"Preference-Applied": applied} if applied else None,
    )


def _next_link(request: Request, cookie: str) -> str:
    """The same query, absolute, continuing after this page."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "$skiptoken"]
    pairs.append(("$skiptoken", cookie))
    query = urlencode(pairs, quote_via=quote, safe="$,()'/:")
    return f"{str(request.base_url).rstrip('/')}{request.url.path}?{query}"


# --- writing ----------------------------------------------------------------------------


@router.post("/{segment}")
def create(request: Request, segment: str, session: SignedIn, raw: RawBody) -> Response:
    table = _resource(session, segment, "POST", record=False).table
    options = read_options(request.query_params, RECORD_OPTIONS)
    preferences = read_preferences(request.headers)
    selected = parse_select(table, options.select)
    suppress = read_suppress_duplicate_detection(request.headers)
    body = parse_json_object(raw, request.headers.get("content-type"), table.name)
    entity = entity_from_body(session.metadata(), table, body)
    record_id = session.service.execute(CreateRequest(entity, suppress)).id
    headers = {"OData-EntityId": record_url(request, table, record_id)}
    if preferences.return_representation:
        entity = _read_record(session, table, record_id, selected)
        return _record_response(
            request,
            session,
            table,
            entity,
            selected,
            preferences,
            status_code=201,
            headers=headers,
            returned=True,
        )
    return empty_response(204, headers)


@router.patch("/{segment}")
def update(request: Request, segment: str, session: SignedIn, raw: RawBody) -> Response:
    resource = _resource(session, segment, "PATCH", record=True)
    table = resource.table
    options = read_options(request.query_params, RECORD_OPTIONS)
    preferences = read_preferences(request.headers)
    selected = parse_select(table, options.select)
    if_match = read_version(request.headers, "if-match")
    if_none_match = read_version(request.headers, "if-none-match")
    if if_match is not None and if_none_match is not None:
        raise bad_query(
            N_("send If-Match or If-None-Match, not both."),
        )
    if if_none_match not in (None, ANY_VERSION):
        raise bad_query(
            N_("on PATCH, If-None-Match only takes * (create, never update)."),
        )
    suppress = read_suppress_duplicate_detection(request.headers)
    body = parse_json_object(raw, request.headers.get("content-type"), table.name)
    entity = entity_from_body(session.metadata(), table, body, resource.key)
    # Named by an alternate key: the platform finds the record, or creates it with the key.
    entity.key_attributes = dict(resource.key_attributes or {})
    if if_none_match == ANY_VERSION:
        entity.id = session.service.execute(CreateRequest(entity, suppress)).id
    elif if_match == ANY_VERSION:
        session.service.execute(UpdateRequest(entity, suppress_duplicate_detection=suppress))
    elif if_match is not None:
        entity.row_version = if_match
        session.service.execute(UpdateRequest(
            entity, ConcurrencyBehavior.IF_ROW_VERSION_MATCHES, suppress
        ))  # fmt: skip
    else:
        # Dataverse's PATCH without conditions is an upsert: it creates a missing record.
        entity.id = session.service.execute(UpsertRequest(entity, suppress)).target.id
    key = entity.id  # found or made by the message when the URL gave an alternate key
    assert key is not None
    headers = {"OData-EntityId": record_url(request, table, key)}
    if preferences.return_representation:
        entity = _read_record(session, table, key, selected)
        return _record_response(
            request, session, table, entity, selected, preferences, headers=headers, returned=True
        )
    return empty_response(204, headers)


@router.delete("/{segment}")
def delete(request: Request, segment: str, session: SignedIn) -> Response:
    resource = _resource(session, segment, "DELETE", record=True)
    read_options(request.query_params, frozenset())
    version = read_version(request.headers, "if-match")
    reference = resource.reference
    if version is None or version == ANY_VERSION:
        session.service.execute(DeleteRequest(reference))
    else:
        session.service.execute(
            DeleteRequest(reference, ConcurrencyBehavior.IF_ROW_VERSION_MATCHES, version)
        )
    return empty_response(204)


@router.delete("/{segment}/{name}")
def clear_property(request: Request, segment: str, name: str, session: SignedIn) -> Response:
    """``DELETE leads(…)/subject`` empties one column of a record (an Update setting it to
    null), as Dataverse answers it: 204, or 404 when the record is missing."""
    metadata = session.metadata()
    resource = parse_resource(metadata, segment)
    if not resource.names_record or name not in resource.table.columns:
        raise errors.RESOURCE_NOT_FOUND(segment=f"{segment}/{name}"[:200])
    read_options(request.query_params, frozenset())
    column = resource.table.columns[name]
    if (
        not column.valid_for_update
        or name == resource.table.primary_key
        or column.type in (ColumnType.STATE, ColumnType.STATUS)
    ):  # never empty; a read-only column's null is otherwise ignored (python-odata sends them)
        raise errors.NOT_VALID_FOR_UPDATE(column=name, table=resource.table.name)
    entity = entity_from_body(metadata, resource.table, {name: None}, resource.key)
    entity.key_attributes = dict(resource.key_attributes or {})
    session.service.execute(UpdateRequest(entity))
    return empty_response(204)


@router.api_route(
    "/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    include_in_schema=False,  # it only answers 404 or 405: nothing for /openapi.json
)
def elsewhere(request: Request, path: str, session: SignedIn) -> Response:
    """Deeper paths are not served yet; a single segment reached here by a wrong method."""
    if "/" not in path.strip("/") and path.strip("/"):
        segment = path.strip("/")
        allowed = (
            "GET"
            if segment.split("(", 1)[0] in FUNCTIONS
            else (RECORD_METHODS if "(" in segment else COLLECTION_METHODS)
        )
        raise MethodNotAllowed(request.method, allowed)
    raise errors.RESOURCE_NOT_FOUND(segment=path)
