"""Alternate keys administrators define: CreateEntityKey (a draft, enforced by a unique index
once published) and DeleteEntityKey.

A key whose columns already hold the same values on several records is refused with those
values, when it is added and again when it is published (records may have changed between):
a unique index could not be built, and the key could not name one record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa

from leadgate.platform.customization.errors import (
    KEY_COLUMN_NOT_VALID,
    KEY_NOT_FOUND,
    KEY_NOT_REMOVABLE,
    KEY_VALUES_NOT_UNIQUE,
)
from leadgate.platform.customization.tables import (
    invalid_definition,
    load_drafts,
    needs,
    table_target,
)
from leadgate.platform.engine import errors, schema
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata import names, store
from leadgate.platform.engine.metadata.model import KeyMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.types import ColumnType
from leadgate.platform.engine.values import show
from leadgate.platform.records.keys import describe_keys

__all__ = [
    "KEY_COLUMN_TYPES",
    "MAX_KEYS_PER_TABLE",
    "MAX_KEY_COLUMNS",
    "MESSAGES",
    "CreateEntityKeyRequest",
    "CreateEntityKeyResponse",
    "DeleteEntityKeyRequest",
    "DeleteEntityKeyResponse",
    "add_solution_keys",
    "check_pending_keys",
    "publish_keys",
]

# Dataverse's limits: at most 10 keys per table, 16 columns per key (its index's limit), of
# these types only (decimal, whole number, single line of text, date and time, lookup, choice).
MAX_KEYS_PER_TABLE = 10
MAX_KEY_COLUMNS = 16
KEY_COLUMN_TYPES = frozenset({
    ColumnType.STRING, ColumnType.INTEGER, ColumnType.DECIMAL, ColumnType.DATETIME,
    ColumnType.LOOKUP, ColumnType.CUSTOMER, ColumnType.CHOICE,
})  # fmt: skip
EXAMPLES_SHOWN = 5


@dataclass(frozen=True)
class CreateEntityKeyRequest:
    """Dataverse's CreateEntityKey: ``name`` (with a publisher prefix) and its columns."""

    table: str
    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class CreateEntityKeyResponse:
    table: str
    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class DeleteEntityKeyRequest:
    table: str
    name: str


@dataclass(frozen=True)
class DeleteEntityKeyResponse:
    table: str
    name: str
    columns: tuple[str, ...]
    published: bool = True  # False: the key was pending, with no unique index yet


# --- CreateEntityKey --------------------------------------------------------------------


def _where(table: TableMetadata, name: str) -> str:
    return f"{table.name}.{name}"


def _checked_columns(table: TableMetadata, name: str, columns: tuple[str, ...]) -> None:
    if not 1 <= len(columns) <= MAX_KEY_COLUMNS:
        raise invalid_definition("key", _where(table, name), Text(
            N_("a key has from 1 to {maximum} columns."), maximum=MAX_KEY_COLUMNS))  # fmt: skip
    if len(set(columns)) != len(columns):
        raise invalid_definition(
            "key", _where(table, name), Text(N_("a key names each column once."))
        )
    for column_name in columns:
        column = table.column(column_name)
        set_by_platform = not (column.valid_for_create or column.valid_for_update)
        if column.type not in KEY_COLUMN_TYPES:
            reason = Text(N_("of type {type}"), type=column.type.value)
        elif column.is_computed or set_by_platform or column.name == table.primary_key:
            reason = Text(N_("computed or set by the platform"))
        else:
            continue
        raise KEY_COLUMN_NOT_VALID(column=column.name, table=table.name, type=reason)


def _checked_key(table: TableMetadata, request: CreateEntityKeyRequest) -> KeyMetadata:
    name = names.check_custom_name(request.name, "key")
    if table.key_named(name) is not None:
        raise errors.NAME_TAKEN(kind=names.KINDS["key"], name=_where(table, name))
    columns = tuple(request.columns)
    _checked_columns(table, name, columns)
    if len(table.keys) >= MAX_KEYS_PER_TABLE:
        limit = Text(
            N_("a table has at most {maximum} alternate keys."), maximum=MAX_KEYS_PER_TABLE
        )
        raise invalid_definition("key", _where(table, name), limit)
    same = table.key_of(columns)
    if same is not None:
        raise invalid_definition("key", _where(table, name), Text(
            N_("the key '{other}' already has these columns."), other=same.name))  # fmt: skip
    return KeyMetadata(name, columns, is_custom=True, published=False)


def refuse_duplicate_values(
    operation: Operation, table: TableMetadata, key: KeyMetadata, *, publishing: bool = False
) -> None:
    """Refuse ``key`` if records of ``table`` share values of its columns (NULLs aside, as in
    the unique index), naming the first few values and how many there are; ``publishing``: the
    key is pending already, so the way out is to publish again or to remove it."""
    published = operation.metadata.tables.get(table.name)
    if published is None or any(name not in published.columns for name in key.columns):
        return  # a new table or column: no record holds values yet
    sql_table = operation.sql_table(table.name)
    columns = [sql_table.c[name] for name in key.columns]
    count = sa.func.count().label("records")
    groups = (
        sa.select(*columns, count)
        .where(*(column.is_not(None) for column in columns))
        .group_by(*columns)
        .having(sa.func.count() > 1)
    )
    connection = operation.connection
    examples = connection.execute(
        groups.order_by(count.desc(), *columns).limit(EXAMPLES_SHOWN)
    ).all()
    if not examples:
        return
    total = connection.execute(sa.select(sa.func.count()).select_from(groups.subquery())).scalar()
    shown = "; ".join(
        ", ".join(f"{name}={show(value)}" for name, value in zip(key.columns, row, strict=False))
        + f" ({row.records}×)"
        for row in examples
    )
    raise KEY_VALUES_NOT_UNIQUE(
        key=key.name, table=table.name, count=total, columns=", ".join(key.columns),
        examples=shown, then=Text(
            N_("publish again, or remove the pending key (leadgate customize remove-key {table} "
               "{key})"), table=table.name, key=key.name,
        ) if publishing else Text(N_("add the key again")),
    ).with_details(duplicates=[
        {**{n: str(v) for n, v in zip(key.columns, row, strict=False)}, "records": row.records}
        for row in examples
    ])  # fmt: skip


def create_entity_key(operation: Operation[CreateEntityKeyRequest]) -> CreateEntityKeyResponse:
    request = operation.request
    table = load_drafts(operation).table(request.table)
    key = _checked_key(table, request)
    refuse_duplicate_values(operation, table, key)
    store.save_keys(operation.connection, table.name, (*table.keys, key))
    store.bump_generation(operation.connection, metadata=True)
    return CreateEntityKeyResponse(table.name, key.name, key.columns)


# --- publishing -------------------------------------------------------------------------


def check_pending_keys(operation: Operation, drafts: MetadataSet) -> None:
    """Before PublishAllXml builds their unique indexes: no draft key meets shared values."""
    for table in drafts.tables.values():
        for key in table.keys:
            if not key.published:
                refuse_duplicate_values(operation, table, key, publishing=True)


def publish_keys(connection: sa.Connection, drafts: MetadataSet) -> None:
    for table in drafts.tables.values():
        if any(not key.published for key in table.keys):
            keys = (replace(key, published=True) for key in table.keys)
            store.save_keys(connection, table.name, keys)


def add_solution_keys(
    connection: sa.Connection, table: TableMetadata, keys: tuple[KeyMetadata, ...]
) -> None:
    """The keys a newer version of a solution declares on a table it made, as drafts."""
    added = tuple(
        replace(key, published=False)
        for key in keys
        if table.key_named(key.name) is None and table.key_of(key.columns) is None
    )
    if added:
        store.save_keys(connection, table.name, (*table.keys, *added))


# --- DeleteEntityKey --------------------------------------------------------------------


def delete_entity_key(operation: Operation[DeleteEntityKeyRequest]) -> DeleteEntityKeyResponse:
    """Remove a key at once (as Dataverse's DeleteEntityKey), and its unique index."""
    request = operation.request
    table = load_drafts(operation).table(request.table)
    key = table.key_named(request.name)
    if key is None:
        raise KEY_NOT_FOUND(table=table.name, key=request.name, keys=_key_names(table))
    if not key.is_custom:
        raise KEY_NOT_REMOVABLE(table=table.name, key=key.name)
    connection = operation.connection
    store.save_keys(connection, table.name, (k for k in table.keys if k is not key))
    index_name = schema.key_index_name(table.name, key.columns)
    if key.published and table.name in operation.metadata.tables:
        sql_table = operation.sql_table(table.name)
        for index in sql_table.indexes:
            if index.name == index_name:
                connection.execute(sa.schema.DropIndex(index, if_exists=True))
    store.bump_generation(connection, metadata=True)
    operation.unit_of_work.reload_metadata()
    return DeleteEntityKeyResponse(table.name, key.name, key.columns, key.published)


def _key_names(table: TableMetadata) -> Text | str:
    if not table.keys:
        return describe_keys(table)
    return ", ".join(f"{key.name} ({', '.join(key.columns)})" for key in table.keys)


MESSAGES = {
    CreateEntityKeyRequest: Message(
        "CreateEntityKey", create_entity_key, target=table_target, authorize=needs("prvWriteEntity")
    ),
    DeleteEntityKeyRequest: Message(
        "DeleteEntityKey", delete_entity_key, target=table_target, authorize=needs("prvWriteEntity")
    ),
}
