"""``GlobalOptionSetDefinitions``: the choices shared by several tables, as Dataverse serves them
(collection with ``$select``/``$filter``, one by ``Name='…'`` or by its MetadataId).

leadgate keeps a choice's values on each column; the ones Dataverse declares global (the
qualification choices lead and opportunity share: entity_definitions.GLOBAL_CHOICES) are
served as one set each, with the lead column's values.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from leadgate.platform.engine import errors
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.types import Language
from leadgate.web.auth import SignedInRoute
from leadgate.web.entity_definitions import (
    GLOBAL_CHOICES,
    all_metadata,
    filter_rows,
    global_choice,
    metadata_query,
    option_set,
    select_rows,
)
from leadgate.web.resources import API_PATH, api_root, parse_guid
from leadgate.web.responses import json_response
from leadgate.web.routes import SignedIn

__all__ = ["global_option_sets", "router"]

router = APIRouter(prefix=API_PATH, route_class=SignedInRoute)

_KIND = "OptionSetMetadata"
_KEY = re.compile(r"Name='(?P<name>[^']*)'\Z|(?P<id>[0-9A-Fa-f-]{36})\Z")


def global_option_sets(metadata: MetadataSet, language: Language) -> list[dict[str, Any]]:
    """Every global choice of the published metadata, by name."""
    found = []
    for name in GLOBAL_CHOICES:
        column = global_choice(metadata, name)
        if column is not None:
            found.append(option_set(column, language))
    return found


@router.get("/GlobalOptionSetDefinitions")
def definitions(request: Request, session: SignedIn) -> Response:
    query = metadata_query(request, frozenset({"$select", "$filter"}))
    rows = global_option_sets(all_metadata(session), session.language)
    rows = select_rows(filter_rows(rows, query.get("$filter"), _KIND), query.get("$select"), _KIND)
    context = f"{api_root(request)}/$metadata#GlobalOptionSetDefinitions"
    return json_response({"@odata.context": context, "value": rows})


@router.get("/GlobalOptionSetDefinitions({key})")
def definition(request: Request, key: str, session: SignedIn) -> Response:
    query = metadata_query(request, frozenset({"$select"}))
    found = _KEY.match(key)
    if found is None:
        raise errors.RESOURCE_NOT_FOUND(segment=f"GlobalOptionSetDefinitions({key[:80]})")
    rows = global_option_sets(all_metadata(session), session.language)
    if found.group("name") is not None:
        chosen = [row for row in rows if row["Name"] == found.group("name")]
    else:
        wanted = str(parse_guid(found.group("id")) or "")
        chosen = [row for row in rows if row["MetadataId"] == wanted]
    if not chosen:
        raise errors.RECORD_NOT_FOUND(table="GlobalOptionSetDefinitions", id=key[:80])
    (row,) = select_rows(chosen, query.get("$select"), _KIND)
    context = f"{api_root(request)}/$metadata#GlobalOptionSetDefinitions/$entity"
    return json_response({"@odata.context": context, **row})
