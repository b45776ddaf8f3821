"""Records named by an alternate key instead of their id: ``account(accountnumber='A-1')``.

Retrieve, Update, Delete, Upsert and the messages that take a record reference accept an
EntityReference (or an Entity) carrying key attributes, as Dataverse's do; the platform finds
the record here, so that every interface gets the same rule (the Web API's
``accounts(accountnumber='A-1')`` is one such reference).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import KeyMetadata, TableMetadata
from leadgate.platform.engine.pipeline import Operation
from leadgate.platform.engine.storage import translate_errors
from leadgate.platform.engine.values import coerce, parse_uuid, show

__all__ = [
    "KEY_NOT_DEFINED",
    "RECORD_NOT_FOUND_BY_KEY",
    "describe_keys",
    "find_by_key",
    "key_values",
    "resolved",
    "resolved_lookups",
    "values_of_key",
]

KEY_NOT_DEFINED = ErrorKind(
    "key_not_defined",
    "0x8F4C4742",
    N_(
        "The columns {columns} are not an alternate key of the table '{table}'. Name a record "
        "by its id or by all the columns of one of its keys: {keys}."
    ),
)
# Dataverse's sentence, with the values looked for.
RECORD_NOT_FOUND_BY_KEY = ErrorKind(
    "record_not_found_by_key",
    "0x8F4C4745",
    N_("A record with the specified key values does not exist in {table} entity ({values})."),
)


def describe_keys(table: TableMetadata) -> Text | str:
    """The table's keys as people read them: ``accountnumber; name, address1_city``."""
    if not table.keys:
        return Text(N_("this table has none"))
    return "; ".join(", ".join(key.columns) for key in table.keys)


def key_values(
    table: TableMetadata, given: Mapping[str, Any]
) -> tuple[KeyMetadata, dict[str, Any]]:
    """The alternate key the names in ``given`` make, and its values in their stored form."""
    key = table.key_of(given)
    if key is None or not given:
        raise KEY_NOT_DEFINED(
            columns=", ".join(sorted(given)) or "()", table=table.name, keys=describe_keys(table)
        )
    values: dict[str, Any] = {}
    for name in key.columns:
        column = table.column(name)
        value = given[name]
        identifier = parse_uuid(value) if column.type.is_polymorphic else None
        if identifier is not None:
            # A customer key given by id alone (as the Web API's _x_value=<guid>): the index
            # holds ids only, and ids are unique across tables.
            value = EntityReference(column.targets[0], identifier)
        value = coerce(column, value)
        if value is None:
            raise errors.INVALID_VALUE_TYPE(
                value="null", column=name, table=table.name,
                expected=Text(N_("a value: a key names a record by values, never by null")),
            )  # fmt: skip
        values[name] = value
    return key, values


def values_of_key(table: TableMetadata, target: Entity) -> dict[str, Any]:
    """The key's values a record made by its key takes; a value of the body that differs
    would make a record the key does not name, and is refused as the id in a body is."""
    values = key_values(table, target.key_attributes)[1]
    for name, value in values.items():
        given = coerce(table.column(name), target.get(name, value))
        if given != value:
            raise errors.INVALID_VALUE_TYPE(
                value=show(given), column=name, table=table.name, expected=show(value)
            )
    return values


def show_values(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={show(value)}" for name, value in values.items())


def find_by_key(
    operation: Operation, table: TableMetadata, given: Mapping[str, Any]
) -> uuid.UUID | None:
    """The id of the record whose alternate key has these values (None: there is none).

    Read in the message's transaction, or in a read of its own when asked before it (the
    validation of a message runs before its transaction begins).
    """
    _key, values = key_values(table, given)
    sql_table = operation.sql_table(table.name)
    stored = rows.row_values(table, values)
    statement = sa.select(sql_table.c[table.primary_key]).where(
        *(sql_table.c[name] == stored[name] for name in values)
    )
    connection = operation.connection
    with translate_errors(table.name):
        if operation.unit_of_work.in_transaction:
            return connection.execute(statement).scalar()
        with connection.begin():
            return connection.execute(statement).scalar()


def resolved(operation: Operation, reference: EntityReference) -> EntityReference:
    """``reference`` with its id, found by its key attributes when it has no id."""
    if not reference.needs_key_lookup:
        return reference
    table = operation.table(reference.logical_name)
    found = find_by_key(operation, table, reference.keys)
    if found is None:
        raise RECORD_NOT_FOUND_BY_KEY(table=table.name, values=show_values(reference.keys))
    return EntityReference(table.name, found, reference.name)


def resolved_lookups(operation: Operation, values: dict[str, Any]) -> dict[str, Any]:
    """Lookup values that name their record by an alternate key, given their record's id
    (as Dataverse resolves an EntityReference with KeyAttributes set in a lookup)."""
    for name, value in values.items():
        if isinstance(value, EntityReference) and value.needs_key_lookup:
            values[name] = resolved(operation, value)
    return values
