"""``GET /sdkmessagefilters``: which messages each table takes — the one question dataverse-api
asks of Dataverse's message tables. On ``client.entity("lead")`` it checks that CreateMultiple
and UpdateMultiple exist for the table before it bulk-creates (CLIENTS.md §2, item 2):

``sdkmessagefilters?$select=sdkmessagefilterid&$expand=sdkmessageid($select=name)&$filter=
(sdkmessageid/name eq 'CreateMultiple' or sdkmessageid/name eq 'UpdateMultiple') and
primaryobjecttypecode eq 'lead'``

A narrow, read-only resource written from what the Web API routes, not a table of records:
the record messages every table takes, the bulk actions (every table), and the actions and
functions bound to a table. ``$select``, ``$filter`` of comparisons (``sdkmessageid/name``
included) and ``$expand=sdkmessageid`` only; ids are stable, the same in every organization.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.web.actions import ACTIONS, COLLECTION_ACTIONS
from leadgate.web.auth import SignedInRoute
from leadgate.web.bound_functions import BOUND_FUNCTIONS
from leadgate.web.entity_definitions import all_metadata, filter_rows, metadata_id
from leadgate.web.errors import bad_query
from leadgate.web.resources import API_PATH, api_root
from leadgate.web.responses import json_response
from leadgate.web.routes import SignedIn

__all__ = ["RECORD_MESSAGES", "router", "table_messages"]

router = APIRouter(prefix=API_PATH, route_class=SignedInRoute)

# The messages the Web API runs on a record or an entity set of every table.
RECORD_MESSAGES = ("Create", "Delete", "Retrieve", "RetrieveMultiple", "Update", "Upsert")
_KIND = "sdkmessagefilter"
_NAME = "sdkmessageid/name"
_FLAT_NAME = "sdkmessagename"  # the path above, as a column of the rows while filtering
_PATH_OR_STRING = re.compile(rf"'(?:[^']|'')*'|\b{re.escape(_NAME)}\b")
_EXPAND = re.compile(r"sdkmessageid(?:\(\$select=(?P<select>[A-Za-z,]+)\))?\Z")
_COLUMNS = (
    "sdkmessagefilterid",
    "primaryobjecttypecode",
    "secondaryobjecttypecode",
    "isvisible",
    "iscustomprocessingstepallowed",
    "_sdkmessageid_value",
)


def table_messages(table: TableMetadata) -> list[str]:
    """The messages ``table`` takes through the Web API."""
    return [
        *RECORD_MESSAGES,
        *COLLECTION_ACTIONS,
        *(name for name, action in ACTIONS.items() if action.table == table.name),
        *(name for name, function in BOUND_FUNCTIONS.items() if function.table == table.name),
    ]


def _rows(tables: list[TableMetadata]) -> list[dict[str, Any]]:
    return [
        {
            "sdkmessagefilterid": metadata_id("sdkmessagefilters", table.name, message),
            "primaryobjecttypecode": table.name,
            "secondaryobjecttypecode": "none",
            "isvisible": True,
            "iscustomprocessingstepallowed": True,
            "_sdkmessageid_value": metadata_id("sdkmessages", message),
            _FLAT_NAME: message,
        }
        for table in tables
        for message in table_messages(table)
    ]


def _options(request: Request) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if not name.startswith("$"):
            continue
        if name not in ("$select", "$filter", "$expand") or name in found:
            raise bad_query(N_("the query option '{option}' cannot be used here."), option=name)
        found[name] = value
    return found


@router.get("/sdkmessagefilters")
def sdk_message_filters(request: Request, session: SignedIn) -> Response:
    options = _options(request)
    tables = [table for table in all_metadata(session).tables.values() if table.published]
    text = options.get("$filter")
    if text is not None:  # the path, outside string literals, names a column of the rows
        text = _PATH_OR_STRING.sub(lambda m: _FLAT_NAME if m.group(0) == _NAME else m.group(0),
                                   text)  # fmt: skip
    rows = filter_rows(_rows(tables), text, _KIND)
    names = list(_COLUMNS)
    if "$select" in options:
        names = [name.strip() for name in options["$select"].split(",") if name.strip()]
        unknown = [name for name in names if name not in _COLUMNS]
        if unknown:
            raise errors.UNKNOWN_PROPERTY(name=unknown[0], table=_KIND)
    expand = options.get("$expand")
    expanded: list[str] | None = None
    if expand is not None:
        found = _EXPAND.match(expand.replace(" ", ""))
        if found is None:
            raise bad_query(N_("{resource} expands {navigation} only, not {expand}."),
                            resource="sdkmessagefilters", navigation="sdkmessageid",
                            expand=expand[:80])  # fmt: skip
        expanded = (found.group("select") or "sdkmessageid,name").split(",")
        unknown = [name for name in expanded if name not in ("sdkmessageid", "name")]
        if unknown:
            raise errors.UNKNOWN_PROPERTY(name=unknown[0], table="sdkmessage")
    value = []
    for row in rows:
        shown = {"sdkmessagefilterid": row["sdkmessagefilterid"]}
        shown.update((name, row[name]) for name in names)
        if expanded is not None:
            message = {"sdkmessageid": row["_sdkmessageid_value"], "name": row[_FLAT_NAME]}
            shown["sdkmessageid"] = {name: message[name] for name in expanded}
        value.append(shown)
    context = f"{api_root(request)}/$metadata#sdkmessagefilters"
    return json_response({"@odata.context": context, "value": value})
