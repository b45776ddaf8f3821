"""A table's keys and relationships as Dataverse's metadata serves them:
``EntityDefinitions(LogicalName='lead')/Keys``, ``/ManyToOneRelationships`` and
``/OneToManyRelationships`` — what dataverse-api reads on ``client.entity("lead")``
(CLIENTS.md §2), each row with ``$select`` (and ``$filter`` of comparisons) — and every
relationship at once, ``RelationshipDefinitions`` (the SDK's ``tables.list_relationships``).

The navigation property names are those of ``$metadata`` (the rule is in
platform/engine/metadata/navigation.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from leadgate.platform.engine import errors
from leadgate.platform.engine.metadata.model import MetadataSet, TableMetadata
from leadgate.platform.engine.metadata.navigation import Link, links_from, links_to
from leadgate.web.actions import NAMESPACE
from leadgate.web.auth import SignedInRoute
from leadgate.web.entity_definitions import (
    all_metadata,
    definition_table,
    filter_rows,
    metadata_id,
    metadata_query,
    select_rows,
)
from leadgate.web.resources import API_PATH, api_root
from leadgate.web.responses import json_response
from leadgate.web.routes import SignedIn

__all__ = ["alternate_keys", "key_definition", "relationship_definition", "router"]

router = APIRouter(prefix=API_PATH, route_class=SignedInRoute)

_ONE_TO_MANY = "OneToManyRelationshipMetadata"
_KEY = "EntityKeyMetadata"


def alternate_keys(table: TableMetadata) -> list[tuple[str, tuple[str, ...]]]:
    """Each published alternate key of ``table`` with its name."""
    return [(key.name, key.columns) for key in table.keys if key.published]


def key_definition(table: TableMetadata, name: str, columns: tuple[str, ...]) -> dict[str, Any]:
    """An alternate key as Dataverse's EntityKeyMetadata."""
    return {
        "@odata.type": f"#{NAMESPACE}{_KEY}",
        "MetadataId": metadata_id(table.name, "keys", name),
        "LogicalName": name,
        "SchemaName": name,
        "EntityLogicalName": table.name,
        "KeyAttributes": list(columns),
        "EntityKeyIndexStatus": "Active",
    }


def relationship_definition(link: Link) -> dict[str, Any]:
    """A lookup towards one table as Dataverse's OneToManyRelationshipMetadata (a
    many-to-one relationship is the same row read from the other end)."""
    return {
        "@odata.type": f"#{NAMESPACE}{_ONE_TO_MANY}",
        "MetadataId": metadata_id("relationships", link.name),
        "SchemaName": link.name,
        "RelationshipType": "OneToManyRelationship",
        "IsCustomRelationship": link.column.is_custom,
        "ReferencedEntity": link.referenced.name,
        "ReferencedAttribute": link.referenced.primary_key,
        "ReferencingEntity": link.referencing.name,
        "ReferencingAttribute": link.column.name,
        "ReferencedEntityNavigationPropertyName": link.referenced_navigation,
        "ReferencingEntityNavigationPropertyName": link.referencing_navigation,
    }


def _rows(request: Request, rows: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    query = metadata_query(request, frozenset({"$select", "$filter"}))
    return select_rows(filter_rows(rows, query.get("$filter"), kind), query.get("$select"), kind)


def _answer(request: Request, table: TableMetadata, segment: str, rows: list[Any]) -> Response:
    context = f"{api_root(request)}/$metadata#EntityDefinitions('{table.name}')/{segment}"
    return json_response({"@odata.context": context, "value": rows})


@router.get("/EntityDefinitions({key})/Keys")
def keys(request: Request, key: str, session: SignedIn) -> Response:
    table = definition_table(all_metadata(session), key)
    rows = [key_definition(table, name, columns) for name, columns in alternate_keys(table)]
    return _answer(request, table, "Keys", _rows(request, rows, _KEY))


@router.get("/EntityDefinitions({key})/ManyToOneRelationships")
def many_to_one(request: Request, key: str, session: SignedIn) -> Response:
    metadata = all_metadata(session)
    table = definition_table(metadata, key)
    rows = [relationship_definition(link) for link in links_from(metadata, table.name)]
    return _answer(request, table, "ManyToOneRelationships", _rows(request, rows, _ONE_TO_MANY))


@router.get("/EntityDefinitions({key})/OneToManyRelationships")
def one_to_many(request: Request, key: str, session: SignedIn) -> Response:
    metadata = all_metadata(session)
    table = definition_table(metadata, key)
    rows = [relationship_definition(link) for link in links_to(metadata, table.name)]
    return _answer(request, table, "OneToManyRelationships", _rows(request, rows, _ONE_TO_MANY))


@router.get("/EntityDefinitions({key})/ManyToManyRelationships")
def many_to_many(request: Request, key: str, session: SignedIn) -> Response:
    """None: leadgate keeps a many-to-many relationship as a table of two lookups (such as
    systemuserroles), whose relationships are one-to-many ones."""
    table = definition_table(all_metadata(session), key)
    return _answer(request, table, "ManyToManyRelationships", _rows(request, [], _ONE_TO_MANY))


def _every_relationship(metadata: MetadataSet) -> list[dict[str, Any]]:
    rows = {}
    for table in metadata.tables.values():
        if table.published:
            for link in links_from(metadata, table.name):
                rows[link.name] = relationship_definition(link)
    return list(rows.values())


@router.get("/RelationshipDefinitions")
def relationship_definitions(request: Request, session: SignedIn) -> Response:
    rows = _rows(request, _every_relationship(all_metadata(session)), _ONE_TO_MANY)
    context = f"{api_root(request)}/$metadata#RelationshipDefinitions"
    return json_response({"@odata.context": context, "value": rows})


@router.get("/RelationshipDefinitions({key})")
def relationship_definition_by_key(request: Request, key: str, session: SignedIn) -> Response:
    """One relationship, by ``SchemaName='…'`` (dataverse-api) or its MetadataId."""
    name = key.removeprefix("SchemaName=").strip("'")
    found = [row for row in _every_relationship(all_metadata(session))
             if name in (row["SchemaName"], row["MetadataId"])]  # fmt: skip
    if not found:
        raise errors.RECORD_NOT_FOUND(table="RelationshipDefinitions", id=key[:80])
    query = metadata_query(request, frozenset({"$select"}))
    (row,) = select_rows(found[:1], query.get("$select"), _ONE_TO_MANY)
    context = f"{api_root(request)}/$metadata#RelationshipDefinitions/$entity"
    return json_response({"@odata.context": context, **row})
