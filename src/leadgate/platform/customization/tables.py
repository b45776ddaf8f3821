"""Customization of tables and columns: CreateEntity and CreateAttribute, as drafts.

A draft becomes SQL when PublishAllXml applies it (see ``messages``); names administrators
choose carry a publisher prefix, checked by ``metadata.names``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from leadgate.platform.customization.solutions import state_columns, system_columns
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Label, Text
from leadgate.platform.engine.metadata import names, store
from leadgate.platform.engine.metadata.model import (
    DEFAULT_MAX_LENGTH,
    ColumnMetadata,
    MetadataSet,
    OptionMetadata,
    RelationshipMetadata,
    TableMetadata,
)
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.types import CascadeType, ColumnType, Ownership, RequiredLevel

__all__ = [
    "MESSAGES",
    "CreateAttributeRequest",
    "CreateAttributeResponse",
    "CreateEntityRequest",
    "CreateEntityResponse",
    "invalid_definition",
    "load_drafts",
    "needs",
    "table_target",
]

MAX_STRING_LENGTH = 4000
MAX_MEMO_LENGTH = 1_048_576


@dataclass(frozen=True)
class CreateEntityRequest:
    name: str
    label: Label
    plural_label: Label | None = None
    entity_set: str | None = None
    primary_name: str | None = None
    primary_name_label: Label | None = None
    ownership: Ownership = Ownership.USER
    description: Label | None = None


@dataclass(frozen=True)
class CreateEntityResponse:
    name: str
    entity_set: str
    primary_name: str


@dataclass(frozen=True)
class CreateAttributeRequest:
    table: str
    name: str
    type: ColumnType
    label: Label
    required: RequiredLevel = RequiredLevel.NONE
    max_length: int | None = None
    precision: int | None = None
    min_value: Decimal | int | None = None
    max_value: Decimal | int | None = None
    targets: tuple[str, ...] = ()
    options: tuple[OptionMetadata, ...] = ()
    format: str | None = None
    description: Label | None = None
    cascade_delete: CascadeType = CascadeType.REMOVE_LINK


@dataclass(frozen=True)
class CreateAttributeResponse:
    table: str
    name: str
    relationships: tuple[str, ...] = ()


# --- shared -----------------------------------------------------------------------------


def load_drafts(operation: Operation) -> MetadataSet:
    """All metadata, published or not: customizations build on each other before publishing."""
    return store.load(operation.connection, include_unpublished=True)


def next_position(table: TableMetadata) -> int:
    return max((column.position for column in table.columns.values()), default=0) + 1


def invalid_definition(kind: str, name: str, reason: Text) -> errors.LeadgateError:
    return errors.INVALID_DEFINITION(kind=names.KINDS.get(kind, kind), name=name, reason=reason)


def table_target(request: Any) -> tuple[str | None, None]:
    return request.table, None


def needs(*privileges: str) -> Callable[[Operation], None]:
    """An authorize function asking for organization-wide privileges."""

    def authorize(operation: Operation) -> None:
        for privilege in privileges:
            operation.require_privilege(privilege)

    return authorize


# --- CreateEntity -----------------------------------------------------------------------


def create_entity(operation: Operation[CreateEntityRequest]) -> CreateEntityResponse:
    request = operation.request
    drafts = load_drafts(operation)
    name = names.check_custom_name(request.name, "table")
    entity_set = names.check_name(request.entity_set or f"{name}s", "table")
    if name in drafts.tables:
        raise errors.NAME_TAKEN(kind=names.KINDS["table"], name=name)
    if any(table.entity_set == entity_set for table in drafts.tables.values()):
        raise errors.NAME_TAKEN(kind=names.KINDS["table"], name=entity_set)
    prefix = name.split("_", 1)[0] + "_" if "_" in name else ""
    primary_name = names.check_name(request.primary_name or f"{prefix}name", "column")
    table = TableMetadata(
        name=name,
        entity_set=entity_set,
        label=request.label,
        plural_label=request.plural_label
        or Label(request.label.en + "s", (request.label.fr or request.label.en) + "s"),
        primary_key=f"{name}id",
        primary_name=primary_name,
        ownership=request.ownership,
        is_custom=True,
        published=False,
        description=request.description,
    )
    primary = ColumnMetadata(
        table=name,
        name=primary_name,
        type=ColumnType.STRING,
        label=request.primary_name_label or Label("Name", "Nom"),
        required=RequiredLevel.REQUIRED,
        max_length=100,
        is_custom=table.is_custom,
        published=False,
        position=100,
    )
    columns = [*system_columns(table), *state_columns(name), primary]
    store.insert_table(operation.connection, table)
    for position, column in enumerate(columns):
        store.insert_column(
            operation.connection,
            replace(column, position=column.position or position, is_custom=table.is_custom),
        )
    store.bump_generation(operation.connection, metadata=True)
    return CreateEntityResponse(name, entity_set, primary_name)


# --- CreateAttribute --------------------------------------------------------------------


def _column_from_request(
    operation: Operation, request: CreateAttributeRequest, table: TableMetadata, drafts: MetadataSet
) -> ColumnMetadata:
    name = names.check_custom_name(request.name, "column")
    taken = set(table.columns) | {c.type_column for c in table.columns.values() if c.type_column}
    if name in taken or f"{name}type" in taken:
        raise errors.NAME_TAKEN(kind=names.KINDS["column"], name=f"{table.name}.{name}")
    kind = ColumnType(request.type)
    where = f"{table.name}.{name}"
    if kind in (ColumnType.STATE, ColumnType.STATUS, ColumnType.OWNER, ColumnType.UNIQUEIDENTIFIER):
        raise invalid_definition(
            "column",
            where,
            Text(
                N_("every table already has its own {type} column; add values to it instead."),
                type=kind.value,
            ),
        )
    max_length = request.max_length
    if kind in DEFAULT_MAX_LENGTH:
        max_length = max_length or DEFAULT_MAX_LENGTH[kind]
        ceiling = MAX_STRING_LENGTH if kind is ColumnType.STRING else MAX_MEMO_LENGTH
        if not 1 <= max_length <= ceiling:
            raise invalid_definition(
                "column",
                where,
                Text(N_("the maximum length must be between 1 and {ceiling}."), ceiling=ceiling),
            )
    elif max_length is not None:
        raise invalid_definition(
            "column", where, Text(N_("only text columns have a maximum length."))
        )
    precision = request.precision
    if kind in (ColumnType.DECIMAL, ColumnType.MONEY):
        precision = 2 if precision is None else precision
        if not 0 <= precision <= (4 if kind is ColumnType.MONEY else 10):
            raise invalid_definition("column", where, Text(N_("the precision is out of range.")))
    targets = tuple(request.targets)
    if kind is ColumnType.CUSTOMER:
        targets = targets or ("account", "contact")
    if kind.is_reference:
        if not targets or (kind is ColumnType.LOOKUP and len(targets) != 1):
            raise invalid_definition(
                "column", where, Text(N_("a lookup points at exactly one table."))
            )
        for target in targets:
            if target not in drafts.tables:
                raise errors.UNKNOWN_TABLE(table=target)
    elif targets:
        raise invalid_definition(
            "column", where, Text(N_("only lookup columns have target tables."))
        )
    options = tuple(request.options)
    if kind is ColumnType.CHOICE:
        values = [option.value for option in options]
        if len(values) != len(set(values)):
            raise invalid_definition("column", where, Text(N_("two options have the same value.")))
    elif options:
        raise invalid_definition("column", where, Text(N_("only choice columns have options.")))
    return ColumnMetadata(
        table=table.name,
        name=name,
        type=kind,
        label=request.label,
        required=request.required,
        max_length=max_length,
        precision=precision,
        min_value=request.min_value,
        max_value=request.max_value,
        targets=targets,
        format=request.format,
        options=options,
        is_custom=True,
        published=False,
        description=request.description,
        position=next_position(table),
    )


def create_attribute(operation: Operation[CreateAttributeRequest]) -> CreateAttributeResponse:
    request = operation.request
    drafts = load_drafts(operation)
    table = drafts.table(request.table)
    column = _column_from_request(operation, request, table, drafts)
    store.insert_column(operation.connection, column)
    relationships = []
    for target in column.targets if column.type.is_reference else ():
        relationship = RelationshipMetadata(
            name=f"{target}_{table.name}_{column.name}",
            referenced_table=target,
            referencing_table=table.name,
            referencing_column=column.name,
            cascade_delete=request.cascade_delete,
            is_custom=column.is_custom,
            published=False,
        )
        store.insert_relationship(operation.connection, relationship)
        relationships.append(relationship.name)
    store.bump_generation(operation.connection, metadata=True)
    return CreateAttributeResponse(table.name, column.name, tuple(relationships))


MESSAGES = {
    CreateEntityRequest: Message(
        "CreateEntity",
        create_entity,
        target=lambda r: (r.name, None),
        authorize=needs("prvWriteEntity"),
    ),
    CreateAttributeRequest: Message(
        "CreateAttribute",
        create_attribute,
        target=table_target,
        authorize=needs("prvWriteEntity"),
    ),
}
