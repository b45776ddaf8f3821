"""``GET leads?fetchXml=…`` and ``GET leads?savedQuery={view id}``: a query in FetchXML, the
subset leadgate's views use (docs/views-and-forms.md), instead of the OData options — what
Microsoft's SDK sends for ``client.query.fetchxml(xml).execute()`` (CLIENTS.md §1, item 11).

Paging is FetchXML's own: ``count`` records a page (5,000 at most, the default), ``page``
from 1 and ``top``; ``@Microsoft.Dynamics.CRM.morerecords`` says whether another page
follows, and ``@Microsoft.Dynamics.CRM.fetchxmlpagingcookie`` carries the next page's number
in Dataverse's form (the SDK reads it and sends ``page`` back). Security applies as for every
query; a FetchXML leadgate does not read (link-entity, aggregate…) is a coded 400.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from defusedxml.ElementTree import fromstring
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from leadgate.platform import PagingInfo, QueryExpression, RetrieveMultipleRequest
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.views.fetch import parse_fetch
from leadgate.web.auth import Session
from leadgate.web.errors import bad_query
from leadgate.web.expand import records_json
from leadgate.web.headers import DEFAULT_PAGE_SIZE, read_preferences
from leadgate.web.options import is_number
from leadgate.web.resources import api_root, parse_guid
from leadgate.web.responses import page_response
from leadgate.web.serialize import context_url

__all__ = ["fetch_parameter", "fetch_response"]

MORE_RECORDS = "@Microsoft.Dynamics.CRM.morerecords"
PAGING_COOKIE = "@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"
_NAMES = {"fetchxml": "fetchXml", "savedquery": "savedQuery"}
# <fetch> attributes that would change the answer beyond what leadgate reads.
_REFUSED = ("aggregate", "aggregatelimit")


def fetch_parameter(params: QueryParams) -> tuple[str, str] | None:
    """``("fetchXml" | "savedQuery", value)`` when the URL asks for one, else None."""
    for name, value in params.multi_items():
        if name.lower() in _NAMES:
            return _NAMES[name.lower()], value
    return None


def _view_fetch(session: Session, value: str) -> str:
    """The FetchXML of the view (a ``savedquery`` the caller may read)."""
    view_id = parse_guid(value.strip())
    if view_id is None:
        raise bad_query(N_("savedQuery takes a view's id (a GUID), not '{value}'."),
                        value=value[:40])  # fmt: skip
    view = session.service.retrieve("savedquery", view_id, ["fetchxml"])
    return str(view.get("fetchxml") or "")


def _number(root: Any, name: str, default: int, most: int) -> int:
    text = (root.get(name) or "").strip()
    if not text:
        return default
    if not is_number(text) or not 1 <= int(text) <= most:
        raise bad_query(
            N_("the fetch attribute {name} is a whole number from 1 to {most}, not '{value}'."),
            name=name, most=most, value=text[:20],
        )  # fmt: skip
    return int(text)


def _cookie(page: int) -> str:
    """Dataverse's paging cookie annotation, naming the next page (its inner cookie is empty:
    leadgate pages by number)."""
    inner = quote(quote(f'<cookie page="{page - 1}"></cookie>', safe=""), safe="")
    return f'<cookie pagenumber="{page}" pagingcookie="{inner}" istracking="False" />'


def _query(session: Session, table: TableMetadata, text: str) -> tuple[QueryExpression, Any]:
    query = parse_fetch(text, session.metadata())
    if query.entity_name != table.name:
        raise bad_query(
            N_("the FetchXML reads the table {fetched}, not {table} the URL names."),
            fetched=query.entity_name, table=table.name,
        )  # fmt: skip
    root = fromstring(text.strip())  # parse_fetch read it already: well-formed and safe
    refused = [name for name in _REFUSED if (root.get(name) or "").lower() in ("true", "1")]
    if refused:
        raise bad_query(N_("leadgate does not run FetchXML with {attribute}."),
                        attribute=refused[0])  # fmt: skip
    return query, root


def fetch_response(
    request: Request, session: Session, table: TableMetadata, parameter: tuple[str, str]
) -> Response:
    """The page of records the FetchXML (or the view's) asks for."""
    name, value = parameter
    if any(key.startswith("$") for key in request.query_params):
        raise bad_query(N_("{parameter} cannot be combined with $ query options."),
                        parameter=name)  # fmt: skip
    text = _view_fetch(session, value) if name == "savedQuery" else value
    query, root = _query(session, table, text)
    count = _number(root, "count", DEFAULT_PAGE_SIZE, DEFAULT_PAGE_SIZE)
    page_number = _number(root, "page", 1, 1_000_000)
    top = _number(root, "top", 0, DEFAULT_PAGE_SIZE) or None
    query = QueryExpression(
        query.entity_name, query.column_set, query.criteria, query.orders, top_count=top,
        page_info=PagingInfo(count=count if top is None else top, page_number=page_number),
    )  # fmt: skip
    page = session.service.execute(RetrieveMultipleRequest(query)).entity_collection
    columns = query.column_set.columns
    selected = [table.columns[column] for column in columns] if columns else None
    preferences = read_preferences(request.headers)
    more = bool(page.more_records) and top is None
    entities = list(page.entities)
    body: dict[str, object] = {
        "@odata.context": context_url(api_root(request), table, selected, single=False),
        "value": None,  # the records' place: page_response writes them there
        MORE_RECORDS: more,
    }
    if more:
        body[PAGING_COOKIE] = _cookie(page_number + 1)
    records = records_json(session, table, entities, selected, preferences, [])
    return page_response(body, records, len(entities))
