"""Navigation paths in ``$filter`` (``parentaccountid/name eq 'X'``): the related records a
comparison keeps, read as the caller with one query, so that the filter can ask for the
lookups that point at them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from odata_query import ast

from leadgate.platform import (
    ColumnSet,
    FilterExpression,
    OrganizationService,
    QueryExpression,
    RetrieveMultipleRequest,
)
from leadgate.platform.engine.metadata import (
    MetadataSet,
    TableMetadata,
    navigation_properties,
)
from leadgate.web.query_limits import MAX_NAVIGATION_MATCHES, NAVIGATION_MATCHES_TOO_MANY
from leadgate.web.resources import resolve_property

__all__ = ["Navigate", "Navigation", "navigator", "paths_of", "without_owner"]

Resolve = Callable[[str], str]


@dataclass(frozen=True)
class Navigation:
    """A single-valued navigation property a ``$filter`` path may go through (``a/b``):
    the lookup on this table, how to read the related table's properties, and the ids of
    the related records a filter of theirs keeps (read as the caller)."""

    column: str
    resolve: Resolve
    matching: Callable[[FilterExpression], tuple[Any, ...]]


Navigate = Callable[[str], Navigation | None]


def paths_of(node: ast.Compare | ast.Call) -> list[ast.Attribute]:
    """The navigation paths a comparison or a function reads (a/b), one call deep."""
    sides = [node.left, node.right] if isinstance(node, ast.Compare) else list(node.args)
    found: list[ast.Attribute] = []
    for side in sides:
        if isinstance(side, ast.Call):
            found += [arg for arg in side.args if isinstance(arg, ast.Attribute)]
        elif isinstance(side, ast.Attribute):
            found.append(side)
    return found


def without_owner(node: Any) -> Any:
    """The same comparison or function, its a/b paths read as b (on the related table)."""
    if isinstance(node, ast.Attribute):
        return ast.Identifier(node.attr)
    if isinstance(node, ast.Compare):
        return replace(node, left=without_owner(node.left), right=without_owner(node.right))
    if isinstance(node, ast.Call):
        return replace(node, args=[without_owner(arg) for arg in node.args])
    return node


def navigator(
    service: OrganizationService, metadata: MetadataSet, table: TableMetadata
) -> Navigate:
    """What ``parse_filter`` asks of a navigation property of ``table``: single-valued ones
    (``parentaccountid``, ``ownerid_systemuser``)."""
    properties = navigation_properties(metadata, table)

    def navigate(name: str) -> Navigation | None:
        navigation = properties.get(name)
        if navigation is None or navigation.collection:
            return None
        target = metadata.table(navigation.target)

        def matching(criteria: FilterExpression) -> tuple[Any, ...]:
            query = QueryExpression(
                target.name,
                ColumnSet.of(target.primary_key),
                criteria,
                top_count=MAX_NAVIGATION_MATCHES + 1,
            )
            found = service.execute(RetrieveMultipleRequest(query)).entity_collection
            if len(found.entities) > MAX_NAVIGATION_MATCHES:
                raise NAVIGATION_MATCHES_TOO_MANY(
                    path=f"{name}/…",
                    limit=MAX_NAVIGATION_MATCHES,
                    table=target.name,
                    lookup=navigation.column,
                )
            return tuple(entity.id for entity in found.entities)

        return Navigation(
            navigation.column,
            lambda property_name: resolve_property(target, property_name).name,
            matching,
        )

    return navigate
