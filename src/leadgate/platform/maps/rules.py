"""Entity and attribute maps (REFERENCE §2): their rules, checked when a map is saved, and
the values they copy from one record to a new one.

A map is valid when source and target columns exist, have the same type and format, the
target is long enough and writable, is mapped once, and every choice value the source can
hold when it is copied exists in the target. Records are copied while they are in their
first state (a lead is qualified while Open), so for a status reason only the values of the
source's first state count — the rule that makes the seed's "Invalid status code" appear
when an administrator adds a lead status reason the target does not have.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.schema import SqlTables
from leadgate.platform.engine.types import ColumnType, Stage
from leadgate.platform.security.privileges import Right

if TYPE_CHECKING:
    from leadgate.platform.engine.context import ExecutionContext
    from leadgate.platform.engine.pipeline import Operation
    from leadgate.platform.organization import Organization

__all__ = [
    "AttributeMap",
    "MapWarning",
    "check_attribute_map",
    "copied_values",
    "explain",
    "maps_from",
    "register",
    "warnings_for_new_option",
]


@dataclass(frozen=True)
class AttributeMap:
    id: uuid.UUID | None
    entity_map_id: uuid.UUID
    source_table: str
    target_table: str
    source_column: str
    target_column: str

    def __str__(self) -> str:
        return (
            f"{self.source_table}.{self.source_column} -> {self.target_table}.{self.target_column}"
        )


@dataclass(frozen=True)
class MapWarning:
    """A map that a new choice value would make fail, and the two ways to fix it."""

    map: AttributeMap
    value: int
    message: Text
    fixes: tuple[Text, ...]


def first_state(table: TableMetadata) -> int | None:
    """The state records start in (and are copied in): the lowest state value."""
    if "statecode" not in table.columns:
        return None
    return min((state.value for state in table.columns["statecode"].options), default=None)


def copied_options(table: TableMetadata, column: ColumnMetadata) -> set[int]:
    """The choice values a record can hold when it is copied, which are also the values a
    new record can take: for a status reason, those of the first state only."""
    options = {option.value for option in column.options if option.published}
    if column.type is not ColumnType.STATUS or first_state(table) is None:
        return options
    first = first_state(table)
    return {option.value for option in column.options if option.published and option.state == first}


def _refuse(attribute_map: AttributeMap, reason: Text) -> errors.LeadgateError:
    return errors.INVALID_ATTRIBUTE_MAP(map=str(attribute_map), reason=reason)


def check_attribute_map(
    metadata: MetadataSet, attribute_map: AttributeMap, others: Iterable[AttributeMap]
) -> None:
    """Refuse a map that could not copy its values (the rules of REFERENCE §2)."""
    source_table = metadata.table(attribute_map.source_table)
    target_table = metadata.table(attribute_map.target_table)
    source = source_table.column(attribute_map.source_column)
    target = target_table.column(attribute_map.target_column)
    if source.type is not target.type:
        raise _refuse(
            attribute_map,
            Text(
                N_(
                    "the source is {source} and the target {target}: a map copies between columns "
                    "of the same type."
                ),
                source=source.type.value,
                target=target.type.value,
            ),
        )
    if (source.format or "") != (target.format or ""):
        raise _refuse(
            attribute_map,
            Text(
                N_("the source's format is {source} and the target's {target}; they must match."),
                source=source.format or "text",
                target=target.format or "text",
            ),
        )
    if (source.max_length or 0) > (target.max_length or 0):
        raise _refuse(
            attribute_map,
            Text(
                N_("the target holds {target} characters, fewer than the source's {source}."),
                target=target.max_length,
                source=source.max_length,
            ),
        )
    if source.type.is_reference and not set(source.targets) <= set(target.targets):
        raise _refuse(
            attribute_map,
            Text(
                N_("the source points at {source} and the target at {target}."),
                source=", ".join(source.targets),
                target=", ".join(target.targets),
            ),
        )
    if not target.valid_for_create or target.is_computed:
        raise _refuse(
            attribute_map,
            Text(N_("the target column is set by the platform and cannot be written.")),
        )
    if any(
        other.target_column == attribute_map.target_column
        and other.entity_map_id == attribute_map.entity_map_id
        and other.id != attribute_map.id
        for other in others
    ):
        raise _refuse(attribute_map, Text(N_("the target column is already mapped.")))
    if source.type.is_choice:
        missing = sorted(
            copied_options(source_table, source) - copied_options(target_table, target)
        )
        values = ", ".join(str(value) for value in missing)
        if missing and source.type is ColumnType.STATUS:
            state = target_table.column("statecode").option(first_state(target_table) or 0)
            raise _refuse(
                attribute_map,
                Text(
                    N_(
                        "the source can hold the status reasons {values} when it is copied, "
                        "which a new {table} record cannot take (it starts {state}); the value "
                        "is copied as a number, so it would be refused."
                    ),
                    values=values,
                    table=target_table.name,
                    state=state.label if state else first_state(target_table),
                ),
            )
        if missing:
            raise _refuse(attribute_map, Text(
                N_("the source can hold the choice values {values}, which the target does "
                   "not have; the value is copied as a number, so it would be refused."),
                values=values))  # fmt: skip


def maps_from(
    operation: Operation, source: str, targets: Iterable[str]
) -> dict[str, list[AttributeMap]]:
    """The attribute maps from one table to each of the others, in one read.

    Reading maps is reading customizations: the caller needs Read on Entity Map and on
    Attribute Map (REFERENCE §6), checked here as the pipeline checks any read.
    """
    operation.require(Right.READ, operation.table("entitymap"))
    operation.require(Right.READ, operation.table("attributemap"))
    snapshot = operation.unit_of_work.snapshot
    assert snapshot is not None
    cached: dict[str, dict[str, list[AttributeMap]]] = snapshot.derived.setdefault("maps", {})
    if source not in cached:
        cached[source] = _read_maps(operation, source)
    by_target = cached[source]
    return {target: list(by_target.get(target, ())) for target in targets}


def _read_maps(operation: Operation, source: str) -> dict[str, list[AttributeMap]]:
    entity_maps = operation.sql_table("entitymap")
    attribute_maps = operation.sql_table("attributemap")
    found: dict[str, list[AttributeMap]] = {}
    table_rows = operation.connection.execute(
        sa.select(
            attribute_maps.c.attributemapid, entity_maps.c.entitymapid,
            entity_maps.c.targetentityname, attribute_maps.c.sourceattributename,
            attribute_maps.c.targetattributename,
        )
        .join(entity_maps, entity_maps.c.entitymapid == attribute_maps.c.entitymapid)
        .where(entity_maps.c.sourceentityname == source)
        .order_by(attribute_maps.c.targetattributename)
    )  # fmt: skip
    for map_id, entity_map_id, target, source_column, target_column in table_rows:
        found.setdefault(target, []).append(
            AttributeMap(map_id, entity_map_id, source, target, source_column, target_column)
        )
    return found


def copied_values(
    record: Mapping[str, Any], maps: Iterable[AttributeMap]
) -> tuple[dict[str, Any], dict[str, AttributeMap]]:
    """The values the maps copy from ``record``, and which map set each target column."""
    values: dict[str, Any] = {}
    origin: dict[str, AttributeMap] = {}
    for attribute_map in maps:
        value = record.get(attribute_map.source_column)
        if value is None or value == "":
            continue
        values[attribute_map.target_column] = value
        origin[attribute_map.target_column] = attribute_map
    return values, origin


def explain(
    error: errors.LeadgateError,
    origin: Mapping[str, AttributeMap],
    metadata: MetadataSet | None = None,
) -> errors.LeadgateError:
    """Say which map copied the value a Create refused, and how to fix it."""
    column = error.params.get("column")
    if error.kind is errors.INVALID_STATE_STATUS:
        column = "statuscode"
    attribute_map = origin.get(column) if column else None
    if attribute_map is None:
        return error
    params = {
        "source": f"{attribute_map.source_table}.{attribute_map.source_column}",
        "map": str(attribute_map),
        "source_table": attribute_map.source_table,
        "target_table": attribute_map.target_table,
        "target": f"{attribute_map.target_table}.{attribute_map.target_column}",
        "map_id": attribute_map.id,
    }
    status = error.params.get("status")
    target = metadata.tables.get(attribute_map.target_table) if metadata else None
    if error.kind is errors.INVALID_STATE_STATUS and target is not None and status is not None:
        option = target.column("statuscode").option(status)
        if option is not None and option.state is not None:
            # The value exists on the target, in another state than new records start in.
            state_option = target.column("statecode").option(option.state)
            return error.because(
                Text(
                    N_("The value was copied from {source} by the attribute map {map} of the "
                       "entity map {source_table} -> {target_table}. On {target_table}, {status} "
                       "is a status reason of the state {state}, not of the state new records "
                       "start in: remove the map (leadgate maps remove {map_id})."),
                    status=status,
                    state=state_option.label if state_option else option.state,
                    **params,
                )
            )  # fmt: skip
    return error.because(
        Text(
            N_("The value was copied from {source} by the attribute map {map} of the entity "
               "map {source_table} -> {target_table}. Add the value to {target}, or remove "
               "the map (leadgate maps remove {map_id})."),
            **params,
        )
    )  # fmt: skip


def warnings_for_new_option(
    connection: sa.Connection,
    metadata: MetadataSet,
    table: TableMetadata,
    column: ColumnMetadata,
    value: int,
    state: int | None,
    label: Any,
) -> tuple[MapWarning, ...]:
    """The maps from ``table.column`` whose target lacks ``value`` (a new choice value)."""
    if column.type is ColumnType.STATUS and "statecode" in table.columns:
        first = min(option.value for option in table.columns["statecode"].options)
        if state != first:
            return ()  # records are copied in their first state: this value is never copied
    if "attributemap" not in metadata.tables or "entitymap" not in metadata.tables:
        return ()
    tables = SqlTables(metadata)
    entity_maps, attribute_maps = tables["entitymap"], tables["attributemap"]
    table_rows = connection.execute(
        sa.select(
            attribute_maps.c.attributemapid, attribute_maps.c.entitymapid,
            entity_maps.c.targetentityname, attribute_maps.c.targetattributename,
        )
        .join(entity_maps, entity_maps.c.entitymapid == attribute_maps.c.entitymapid)
        .where(
            entity_maps.c.sourceentityname == table.name,
            attribute_maps.c.sourceattributename == column.name,
        )
    ).all()  # fmt: skip
    found = []
    for map_id, entity_map_id, target_table, target_column in table_rows:
        target = metadata.tables.get(target_table)
        target_col = target.columns.get(target_column) if target else None
        if target is None or target_col is None or value in copied_options(target, target_col):
            continue
        attribute_map = AttributeMap(
            map_id, entity_map_id, table.name, target_table, column.name, target_column
        )
        state_hint = (
            f" --state {first_state(target)}" if target_col.type is ColumnType.STATUS else ""
        )
        found.append(
            MapWarning(
                attribute_map,
                value,
                Text(
                    N_("The attribute map {map} copies this column to {target}, which has no "
                       "value {value}: new {target_table} records made from records holding it "
                       "will be refused."),
                    map=str(attribute_map), target=f"{target_table}.{target_column}",
                    value=value, target_table=target_table,
                ),
                (
                    Text(
                        N_("add the value to the target: leadgate customize add-choice "
                           "{table} {column} --value {value} --label '{label}'{state}"),
                        table=target_table, column=target_column, value=value, label=label,
                        state=state_hint,
                    ),
                    Text(N_("or remove the map: leadgate maps remove {map_id}"), map_id=map_id),
                ),
            )
        )  # fmt: skip
    return tuple(found)


# --- steps: a map is checked when it is saved ----------------------------------------------


def _map_from_target(context: ExecutionContext) -> AttributeMap:
    unit = context.unit_of_work
    assert unit.connection is not None
    target: Entity = context.input_parameters["Target"]
    current: dict[str, Any] = {}
    if context.message_name == "Update":
        table = unit.metadata.table("attributemap")
        assert target.id is not None
        found = rows.select_row(
            unit.connection, table, unit.tables["attributemap"], target.id, list(table.columns)
        )
        current = dict(found) if found is not None else {}
    values = {**current, **target}
    entity_map_ref: EntityReference | None = values.get("entitymapid")
    if entity_map_ref is None:
        raise errors.REQUIRED_FIELD_MISSING(
            column="entitymapid", label="Entity Map", table="attributemap"
        )
    entity_maps = unit.metadata.table("entitymap")
    entity_map = rows.select_row(
        unit.connection, entity_maps, unit.tables["entitymap"], entity_map_ref.id,
        ["sourceentityname", "targetentityname"],
    )  # fmt: skip
    if entity_map is None:
        raise errors.LOOKUP_NOT_FOUND(
            column="entitymapid", table="attributemap", target="entitymap", id=entity_map_ref.id
        )
    return AttributeMap(
        target.id, entity_map_ref.id, entity_map["sourceentityname"],
        entity_map["targetentityname"], str(values.get("sourceattributename") or ""),
        str(values.get("targetattributename") or ""),
    )  # fmt: skip


def check_saved_attribute_map(context: ExecutionContext) -> None:
    """Pre-operation on Create/Update of an attribute map: refuse one that could not work."""
    attribute_map = _map_from_target(context)
    unit = context.unit_of_work
    assert unit.connection is not None
    table_rows = unit.tables["attributemap"]
    others = [
        AttributeMap(row.attributemapid, row.entitymapid, attribute_map.source_table,
                     attribute_map.target_table, row.sourceattributename,
                     row.targetattributename)
        for row in unit.connection.execute(
            sa.select(table_rows).where(table_rows.c.entitymapid == attribute_map.entity_map_id)
        )
    ]  # fmt: skip
    check_attribute_map(unit.metadata, attribute_map, others)


def check_saved_entity_map(context: ExecutionContext) -> None:
    """Pre-operation on Create of an entity map: both tables must exist."""
    target: Entity = context.input_parameters["Target"]
    metadata = context.unit_of_work.metadata
    for column in ("sourceentityname", "targetentityname"):
        if column in target:
            metadata.table(str(target[column]))


def maps_changed(context: ExecutionContext) -> None:
    """Post-operation on any change to maps: maps are cached with the metadata generation."""
    context.unit_of_work.renew_derived()


def register(organization: Organization) -> None:
    for table in ("entitymap", "attributemap"):
        for message in ("Create", "Update", "Delete"):
            organization.steps.add_code_step(
                maps_changed, name=f"Forget cached maps ({message} {table})",
                message=message, table=table, stage=Stage.POST_OPERATION, rank=0,
            )  # fmt: skip
    for message in ("Create", "Update"):
        organization.steps.add_code_step(
            check_saved_attribute_map, name=f"Check an attribute map ({message})",
            message=message, table="attributemap", stage=Stage.PRE_OPERATION, rank=0,
        )  # fmt: skip
        organization.steps.add_code_step(
            check_saved_entity_map, name=f"Check an entity map ({message})",
            message=message, table="entitymap", stage=Stage.PRE_OPERATION, rank=0,
        )  # fmt: skip
