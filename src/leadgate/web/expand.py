"""``$expand``: the records a navigation property leads to, read through the pipeline as the
caller.

Single-valued properties (``parentaccountid($select=name)``) and one level of collection-valued
ones (``contact_customer_accounts($select=fullname;$filter=…;$orderby=…;$top=5)``), named as
platform/engine/metadata/navigation.py names them. Each expanded property costs one
RetrieveMultiple per page of records (per table pointed at, per IDS_PER_QUERY ids) with an
``in`` condition, never one per record. RetrieveMultiple applies the caller's privileges: a
related record they may not read is left out (null for a single-valued property), and a table
they may not read at all refuses the request (403), as a query of that table would.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from leadgate.platform import (
    ColumnSet,
    ConditionExpression,
    Entity,
    EntityReference,
    FilterExpression,
    OrderExpression,
    OrganizationService,
    PagingInfo,
    QueryExpression,
    RetrieveMultipleRequest,
)
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata import (
    ColumnMetadata,
    MetadataSet,
    NavigationProperty,
    TableMetadata,
    navigation_properties,
)
from leadgate.platform.engine.types import Language
from leadgate.platform.records.names import IDS_PER_QUERY, named
from leadgate.web.auth import Session
from leadgate.web.errors import bad_query
from leadgate.web.headers import FORMATTED_VALUE, Preferences
from leadgate.web.odata_filter import parse_filter
from leadgate.web.options import is_number, parse_orderby, parse_select
from leadgate.web.query_limits import (
    EXPAND_TOO_MANY,
    EXPANDED_TOO_MANY,
    MAX_EXPANDED_RECORDS,
    MAX_EXPANSIONS,
)
from leadgate.web.resources import lookup_property, resolve_property
from leadgate.web.serialize import RecordWriter, output_columns, read_columns, record_json

__all__ = [
    "Expansion",
    "expand",
    "expanded_json",
    "lookup_columns",
    "parse_expand",
    "records_json",
]

_ITEM = re.compile(r"\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\((?P<options>.*)\))?\s*\Z", re.S)
_SINGLE_OPTIONS = frozenset({"$select"})
_COLLECTION_OPTIONS = frozenset({"$select", "$filter", "$orderby", "$top"})

Selection = list[ColumnMetadata] | None
Related = Entity | list[Entity] | None


@dataclass(frozen=True)
class Expansion:
    """One navigation property to expand, with what to read of its records."""

    navigation: NavigationProperty
    target: TableMetadata
    selected: Selection
    criteria: FilterExpression | None = None
    orders: tuple[OrderExpression, ...] = ()
    top: int | None = None

    @property
    def name(self) -> str:
        return self.navigation.name

    def context(self) -> str:
        """How ``@odata.context`` names it: ``parentaccountid(name)``."""
        if self.selected is None:
            return f"{self.name}()"
        return f"{self.name}({','.join(_property_name(c) for c in self.selected)})"


def _property_name(column: ColumnMetadata) -> str:
    return lookup_property(column) if column.type.is_reference else column.name


# --- reading $expand ------------------------------------------------------------------------


def _split(text: str, separator: str) -> list[str]:
    """``text`` cut at ``separator`` where it is outside parentheses and quotes."""
    parts: list[str] = []
    depth, quoted, start = 0, False, 0
    for index, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                break
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    if depth != 0 or quoted:
        raise bad_query(
            N_("$expand has unbalanced parentheses or quotes: '{text}'."),
            text=text[:60],
        )
    parts.append(text[start:])
    return parts


def _not_navigation(
    table: TableMetadata, name: str, properties: Mapping[str, NavigationProperty]
) -> errors.LeadgateError:
    """Dataverse's refusal; for a lookup that may point at several tables (``ownerid``), the
    way to expand it here: one navigation property per table it may point at."""
    column = table.columns.get(name)
    if column is None or column.type_column is None:
        return errors.UNKNOWN_PROPERTY(name=name, table=table.name)
    ways = [p.name for p in properties.values() if p.column == name and not p.collection]
    return bad_query(
        N_(
            "{name} may point at records of several tables: expand it through the table its "
            "record is in, with {properties}."
        ),
        name=name,
        properties=", ".join(sorted(ways)),
    )


def parse_expand(metadata: MetadataSet, table: TableMetadata, text: str | None) -> list[Expansion]:
    """The navigation properties ``$expand`` names, each with its own query options."""
    if text is None:
        return []
    items = _split(text, ",")
    if len(items) > MAX_EXPANSIONS:
        raise EXPAND_TOO_MANY(count=len(items), limit=MAX_EXPANSIONS)
    properties = navigation_properties(metadata, table)
    expansions: list[Expansion] = []
    for item in items:
        match = _ITEM.match(item)
        if match is None:
            raise bad_query(
                N_(
                    "$expand needs navigation properties separated by commas, each with its "
                    "options in parentheses, as in parentaccountid($select=name); '{item}' is "
                    "not one."
                ),
                item=item.strip()[:60],
            )
        navigation = properties.get(match.group("name"))
        if navigation is None:
            raise _not_navigation(table, match.group("name"), properties)
        if any(e.name == navigation.name for e in expansions):
            raise bad_query(
                N_("$expand names {property} twice."),
                property=navigation.name,
            )
        expansions.append(_expansion(metadata, navigation, match.group("options")))
    return expansions


def _options(navigation: NavigationProperty, text: str | None) -> dict[str, str]:
    allowed = _COLLECTION_OPTIONS if navigation.collection else _SINGLE_OPTIONS
    found: dict[str, str] = {}
    for part in _split(text or "", ";"):
        if not part.strip():
            continue
        name, equals, value = part.partition("=")
        name = name.strip()
        if name == "$expand":
            raise bad_query(
                N_("$expand reads one level: {property} cannot expand its own properties."),
                property=navigation.name,
            )
        if not equals or name not in allowed:
            raise bad_query(
                N_("inside $expand of {property}, only {options} can be used, not '{option}'."),
                property=navigation.name,
                options=", ".join(sorted(allowed)),
                option=name[:40],
            )
        if name in found:
            raise bad_query(
                N_("the query option '{option}' is given twice."),
                option=name,
            )
        found[name] = value
    return found


def _expansion(
    metadata: MetadataSet, navigation: NavigationProperty, text: str | None
) -> Expansion:
    options = _options(navigation, text)
    target = metadata.table(navigation.target)
    selected = parse_select(target, options.get("$select"))
    if not navigation.collection:
        return Expansion(navigation, target, selected)
    criteria = None
    if "$filter" in options:
        criteria = parse_filter(
            options["$filter"],
            lambda name: resolve_property(target, name).name,
            lambda name: resolve_property(target, name),
        )
    top = None
    if "$top" in options:
        value = options["$top"].strip()
        if not is_number(value) or len(value) > 9:
            raise bad_query(
                N_("$top needs a whole number from 0, not '{value}'."),
                value=value[:40],
            )
        top = int(value)
    orders = parse_orderby(target, options.get("$orderby"))
    return Expansion(navigation, target, selected, criteria, orders, top)


def lookup_columns(expansions: Iterable[Expansion]) -> tuple[str, ...]:
    """The lookups the parent records must be read with, for their single-valued expansions."""
    return tuple(e.navigation.column for e in expansions if not e.navigation.collection)


# --- reading the related records --------------------------------------------------------------


def _chunks(ids: Sequence[uuid.UUID]) -> Iterable[tuple[uuid.UUID, ...]]:
    for start in range(0, len(ids), IDS_PER_QUERY):
        yield tuple(ids[start : start + IDS_PER_QUERY])


def _read(
    service: OrganizationService,
    table: TableMetadata,
    columns: tuple[str, ...],
    criteria: FilterExpression,
    orders: tuple[OrderExpression, ...] = (),
    limit: int | None = None,
    expanded: str = "",
) -> list[Entity]:
    """Every record of the query, page after page (refused past ``limit`` records)."""
    found: list[Entity] = []
    cookie: str | None = None
    while True:
        query = QueryExpression(
            table.name, ColumnSet(columns), criteria, orders,
            page_info=PagingInfo(count=5000, paging_cookie=cookie),
        )  # fmt: skip
        page = service.execute(RetrieveMultipleRequest(query)).entity_collection
        found.extend(page.entities)
        if limit is not None and len(found) > limit:
            raise EXPANDED_TOO_MANY(property=expanded, limit=limit)
        if not (page.more_records and page.paging_cookie):
            return found
        cookie = page.paging_cookie


def _with(columns: tuple[str, ...], name: str) -> tuple[str, ...]:
    return columns if not columns or name in columns else (*columns, name)


def _single(
    service: OrganizationService, expansion: Expansion, parents: Sequence[Entity]
) -> dict[uuid.UUID, Related]:
    column = expansion.navigation.column
    references = [
        value
        for parent in parents
        if isinstance(value := parent.get(column), EntityReference)
        and value.logical_name == expansion.navigation.target
    ]
    found: dict[tuple[str, uuid.UUID], Entity] = {}
    target = expansion.target
    ids = sorted({r.id for r in references})
    columns = read_columns(target, expansion.selected)
    for chunk in _chunks(ids):
        criteria = FilterExpression("and", (ConditionExpression(target.primary_key, "in", chunk),))
        for record in _read(service, target, columns, criteria):
            if record.id is not None:
                found[(target.name, record.id)] = record
    related: dict[uuid.UUID, Related] = {}
    for parent in parents:
        value = parent.get(column)
        if parent.id is not None:
            related[parent.id] = (
                found.get((value.logical_name, value.id))
                if isinstance(value, EntityReference)
                else None
            )
    return related


def _collection(
    service: OrganizationService, expansion: Expansion, parents: Sequence[Entity], parent: str
) -> dict[uuid.UUID, Related]:
    target = expansion.target
    column = expansion.navigation.column
    columns = _with(read_columns(target, expansion.selected), column)
    ids = sorted({p.id for p in parents if p.id is not None})
    grouped: dict[uuid.UUID, list[Entity]] = {key: [] for key in ids}
    read = 0
    for chunk in _chunks(ids):
        criteria = FilterExpression(
            "and",
            (ConditionExpression(column, "in", chunk),),
            (expansion.criteria,) if expansion.criteria is not None else (),
        )
        records = _read(
            service, target, columns, criteria, expansion.orders,
            MAX_EXPANDED_RECORDS - read, expansion.name,
        )  # fmt: skip
        read += len(records)
        for record in records:
            value = record.get(column)
            # A customer lookup may name a contact with this id: only the parent's table counts.
            if isinstance(value, EntityReference) and value.logical_name == parent:
                group = grouped.get(value.id)
                if group is not None and (expansion.top is None or len(group) < expansion.top):
                    group.append(record)
    return dict(grouped)


def expand(
    service: OrganizationService,
    table: TableMetadata,
    expansions: Sequence[Expansion],
    parents: Sequence[Entity],
) -> dict[str, dict[uuid.UUID, Related]]:
    """The related records of each expansion, by expansion name and parent id."""
    if not parents:
        return {}
    return {
        e.name: (
            _collection(service, e, parents, table.name)
            if e.navigation.collection
            else _single(service, e, parents)
        )
        for e in expansions
    }


def expanded_json(
    expansions: Sequence[Expansion],
    related: dict[str, dict[uuid.UUID, Related]],
    parent: Entity,
    language: Language,
    preferences: Preferences,
) -> dict[str, Any]:
    """The expanded properties of one parent record, as Dataverse writes them."""
    body: dict[str, Any] = {}
    for expansion in expansions:
        found = related.get(expansion.name, {}).get(parent.id) if parent.id else None
        columns = output_columns(expansion.target, expansion.selected)
        if isinstance(found, list):
            body[expansion.name] = [
                record_json(columns, record, language, preferences) for record in found
            ]
        elif isinstance(found, Entity):
            body[expansion.name] = record_json(columns, found, language, preferences)
        else:
            body[expansion.name] = [] if expansion.navigation.collection else None
    return body


# --- a response's records ---------------------------------------------------------------


def records_json(
    session: Session,
    table: TableMetadata,
    entities: list[Entity],
    selected: Selection,
    preferences: Preferences,
    expansions: list[Expansion],
) -> Iterator[dict[str, object]]:
    """Records as JSON, with their expanded properties and, when asked, their lookups' names:
    what they need is read now; each record is made as it is taken (a page is streamed)."""
    related = expand(session.service, table, expansions, entities)
    if preferences.includes(FORMATTED_VALUE):
        _name_lookups(session, table, selected, entities)
        for expansion in expansions:
            found = [
                record
                for by_parent in related.get(expansion.name, {}).values()
                for record in (by_parent if isinstance(by_parent, list) else [by_parent])
                if isinstance(record, Entity)
            ]
            _name_lookups(session, expansion.target, expansion.selected, found)
    language = session.language
    write = RecordWriter(output_columns(table, selected), language, preferences)
    if not expansions:
        return (write(entity) for entity in entities)
    return (
        {**write(entity), **expanded_json(expansions, related, entity, language, preferences)}
        for entity in entities
    )


def _name_lookups(
    session: Session, table: TableMetadata, selected: Selection, entities: list[Entity]
) -> None:
    """The names of the records the shown lookups point at: their formatted values."""
    lookups = [c.name for c in output_columns(table, selected) if c.type.is_reference]
    named(session.service, session.metadata(), entities, lookups)
