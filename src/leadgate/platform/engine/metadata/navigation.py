"""Navigation properties: the names Dataverse's Web API gives the two ends of a relationship.

This is the one place those names are made; ``$expand``, ``@odata.bind``, the
``associatednavigationproperty`` annotation and ``$metadata`` all read them from here.

- **Single-valued** (on the referencing table, Dataverse's ReferencingEntityNavigationPropertyName):
  the lookup's logical name (``lead.parentaccountid``); a customer lookup, which may point at
  an account or a contact, has one per target, ``parentcustomerid_account`` and
  ``parentcustomerid_contact``. An owner lookup is one property, ``ownerid``, whose record is
  a user or a team (Dataverse's ``principal``).
- **Collection-valued** (on the referenced table, ReferencedEntityNavigationPropertyName):
  the relationship's name (``account.contact_customer_accounts``, ``account.lead_parent_account``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from leadgate.platform.engine.metadata.model import (
    ColumnMetadata,
    MetadataSet,
    RelationshipMetadata,
    TableMetadata,
)
from leadgate.platform.engine.types import ColumnType

__all__ = [
    "NavigationProperty",
    "collection_navigation_name",
    "lookup_navigation_name",
    "navigation_properties",
]


@dataclass(frozen=True)
class NavigationProperty:
    """One navigation property of ``table``.

    ``column`` is the lookup that carries the link: on ``table`` for a single-valued property,
    on the related table for a collection-valued one. ``targets`` are the tables the related
    records belong to (several only for an owner lookup: user or team). ``relationship`` is
    the relationship's name when one is declared (system lookups such as createdby have none);
    ``partner`` the property at its other end, on the related table (Dataverse's
    Referenced/ReferencingEntityNavigationPropertyName pair), when there is one.
    """

    name: str
    table: str
    column: str
    targets: tuple[str, ...]
    collection: bool
    relationship: str | None = None
    partner: str | None = None


def lookup_navigation_name(column: ColumnMetadata, target: str) -> str:
    """The single-valued navigation property of ``column`` towards the table ``target``."""
    if column.type is ColumnType.CUSTOMER:
        return f"{column.name}_{target}"
    return column.name


def collection_navigation_name(relationship: RelationshipMetadata) -> str:
    """The collection-valued navigation property of a 1:N relationship (on its referenced table)."""
    return relationship.name


def navigation_properties(
    metadata: MetadataSet, table: TableMetadata
) -> Mapping[str, NavigationProperty]:
    """Every navigation property of ``table``, by name: its lookups', then its relationships'
    (a relationship named as a lookup of the table keeps the lookup's). Computed once per
    metadata set and table."""
    cache: dict[str, Mapping[str, NavigationProperty]] = metadata.derived.setdefault(
        "navigation", {}
    )
    if table.name not in cache:
        cache[table.name] = _navigation_properties(metadata, table)
    return cache[table.name]


def _navigation_properties(
    metadata: MetadataSet, table: TableMetadata
) -> dict[str, NavigationProperty]:
    found: dict[str, NavigationProperty] = {}
    declared = {
        (r.referencing_column, r.referenced_table): r.name
        for r in metadata.relationships.values()
        if r.referencing_table == table.name
    }
    for column in table.columns.values():
        if not column.type.is_reference:
            continue
        targets = [t for t in column.targets if t in metadata.tables]
        groups = [(t,) for t in targets] if column.type is ColumnType.CUSTOMER else [tuple(targets)]
        for group in groups:
            if not group:
                continue
            name = lookup_navigation_name(column, group[0])
            declared_name = declared.get((column.name, group[0])) if len(group) == 1 else None
            found[name] = NavigationProperty(
                name,
                table.name,
                column.name,
                group,
                collection=False,
                relationship=declared_name,
                partner=declared_name,  # the relationship's collection on the related table
            )
    for relationship in metadata.relationships_to(table.name):
        if relationship.referencing_table not in metadata.tables:
            continue
        name = collection_navigation_name(relationship)
        lookup = metadata.tables[relationship.referencing_table].columns.get(
            relationship.referencing_column
        )
        found.setdefault(
            name,
            NavigationProperty(
                name,
                table.name,
                relationship.referencing_column,
                (relationship.referencing_table,),
                collection=True,
                relationship=relationship.name,
                partner=(
                    lookup_navigation_name(lookup, table.name) if lookup is not None else None
                ),
            ),
        )
    return found
