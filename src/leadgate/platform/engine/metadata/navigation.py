"""Navigation properties: how the Web API names the way from a record to the records it
points at, and back. The one rule for ``$metadata``, the relationship definitions,
``@odata.bind``, ``$expand``, ``$filter`` paths and the ``associatednavigationproperty``
annotation:

- a lookup's single-valued navigation property is the lookup's name (``parentaccountid``);
  a customer or owner lookup, which may point at several tables, has one per table,
  ``<lookup>_<table>`` (``parentcustomerid_account``), as Dataverse names them;
- the collection-valued navigation property on the table pointed at is the relationship's
  name (``lead_parent_account``). A lookup that no relationship declares (``createdby``…)
  gets ``lk_<table>_<lookup>`` (Dataverse's ``lk_lead_createdby``), with ``_<target>`` after
  it when the lookup may point at several tables.

``links`` lists them once per metadata set; ``navigation_properties`` gives one table's, by
name, from both ends.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata

__all__ = [
    "Link",
    "NavigationProperty",
    "links",
    "links_from",
    "links_to",
    "navigation_name",
    "navigation_properties",
]


def navigation_name(column: ColumnMetadata, target: str) -> str:
    """The single-valued navigation property of a lookup towards ``target``."""
    return f"{column.name}_{target}" if column.type_column is not None else column.name


@dataclass(frozen=True)
class Link:
    """One lookup towards one table: Dataverse's one-to-many relationship, seen from both
    ends (``referenced`` is the table pointed at, ``referencing`` the lookup's table)."""

    name: str
    referenced: TableMetadata
    referencing: TableMetadata
    column: ColumnMetadata

    @property
    def referencing_navigation(self) -> str:
        return navigation_name(self.column, self.referenced.name)

    @property
    def referenced_navigation(self) -> str:
        return self.name


@dataclass(frozen=True)
class NavigationProperty:
    """One navigation property of ``table``: single-valued (the lookup ``column`` of
    ``table``, towards ``target``) or collection-valued (the records of ``target`` whose
    lookup ``column`` points at ``table``). ``partner`` is the property at the other end;
    ``link`` the relationship it belongs to."""

    name: str
    table: str
    column: str
    target: str
    collection: bool
    partner: str
    link: Link


def _links(metadata: MetadataSet) -> Iterator[Link]:
    declared = {
        (r.referencing_table, r.referencing_column, r.referenced_table): r.name
        for r in metadata.relationships.values()
        if r.published
    }
    names = set(metadata.relationships)
    for table in metadata.tables.values():
        if not table.published:
            continue
        for column in table.columns.values():
            if not (column.published and column.type.is_reference):
                continue
            for target in column.targets:
                referenced = metadata.tables.get(target)
                if referenced is None or not referenced.published:
                    continue
                name = declared.get((table.name, column.name, target))
                if name is None:
                    name = f"lk_{table.name}_{column.name}"
                    if column.type_column is not None:
                        name = f"{name}_{target}"
                    if name in names:  # a relationship declared under that very name
                        name = f"{name}_link"
                yield Link(name, referenced, table, column)


def links(metadata: MetadataSet) -> tuple[Link, ...]:
    """Every link of the published metadata, in table and column order (computed once per
    metadata set).

    A link whose navigation property would take a name its table already gives a column or
    an earlier navigation property (``new_ref_account`` both a text column and the way of the
    customer lookup ``new_ref`` to account) has none: the column keeps the name, as
    ``@odata.bind`` reads it (web/payload.py)."""
    cached: tuple[Link, ...] | None = metadata.derived.get("links")
    if cached is not None:
        return cached
    taken: dict[str, set[str]] = {
        table.name: {column.name for column in table.columns.values()
                     if not column.type.is_reference}
        for table in metadata.tables.values()
    }  # fmt: skip
    found = []
    for link in _links(metadata):
        ends = ((link.referencing.name, link.referencing_navigation),
                (link.referenced.name, link.referenced_navigation))  # fmt: skip
        if any(name in taken[table] for table, name in ends) or ends[0] == ends[1]:
            continue
        for table, name in ends:
            taken[table].add(name)
        found.append(link)
    metadata.derived["links"] = tuple(found)
    return metadata.derived["links"]


def links_from(metadata: MetadataSet, table: str) -> list[Link]:
    """The lookups of ``table``: its many-to-one relationships."""
    return [link for link in links(metadata) if link.referencing.name == table]


def links_to(metadata: MetadataSet, table: str) -> list[Link]:
    """The lookups pointing at ``table``: its one-to-many relationships."""
    return [link for link in links(metadata) if link.referenced.name == table]


def navigation_properties(
    metadata: MetadataSet, table: TableMetadata
) -> Mapping[str, NavigationProperty]:
    """Every navigation property of ``table``, by name (computed once per metadata set)."""
    cache: dict[str, Mapping[str, NavigationProperty]] = metadata.derived.setdefault(
        "navigation", {}
    )
    if table.name not in cache:
        found: dict[str, NavigationProperty] = {}
        for link in links(metadata):
            if link.referencing.name == table.name:
                name = link.referencing_navigation
                found[name] = NavigationProperty(
                    name, table.name, link.column.name, link.referenced.name,
                    collection=False, partner=link.referenced_navigation, link=link,
                )  # fmt: skip
            if link.referenced.name == table.name:
                name = link.referenced_navigation
                found[name] = NavigationProperty(
                    name, table.name, link.column.name, link.referencing.name,
                    collection=True, partner=link.referencing_navigation, link=link,
                )  # fmt: skip
        cache[table.name] = found
    return cache[table.name]
