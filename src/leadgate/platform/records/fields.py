"""Helpers the record messages share: checking values, lookups, owners and audit columns."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.metadata import store
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.pipeline import Operation
from leadgate.platform.engine.types import Ownership
from leadgate.platform.engine.validation import check_values
from leadgate.platform.engine.values import coerce
from leadgate.platform.records.keys import resolved, resolved_lookups
from leadgate.platform.security.access import RecordOwner
from leadgate.platform.security.privileges import Right

__all__ = [
    "audit",
    "business_unit_of",
    "check_lookups",
    "checked_values",
    "compose",
    "user_reference",
]


def checked_values(
    operation: Operation, table: TableMetadata, values: Mapping[str, Any], *, creating: bool
) -> dict[str, Any]:
    """check_values, telling apart a column that is merely not published yet; lookups that
    name their record by an alternate key get its id."""
    try:
        return resolved_lookups(operation, check_values(table, values, creating=creating))
    except errors.LeadgateError as error:
        if error.kind is errors.UNKNOWN_COLUMN:
            column = error.params["column"]
            draft = operation.connection.execute(
                sa.select(store.meta_columns.c.name).where(
                    store.meta_columns.c.table_name == table.name,
                    store.meta_columns.c.name == column,
                )
            ).first()
            if draft is not None:
                raise errors.UNPUBLISHED_COLUMN(table=table.name, column=column) from None
        raise


def checked_reference(operation: Operation, reference: EntityReference) -> EntityReference:
    """A request's target: its table must exist and its id be a GUID (the Python API may
    hand over text); a reference made of alternate key values gets the id of its record."""
    table = operation.table(reference.logical_name)
    reference = resolved(operation, reference)
    identifier = coerce(table.column(table.primary_key), reference.id)
    if identifier is None:
        raise errors.MISSING_ID(table=table.name, action=operation.context.message_name)
    if identifier is reference.id:
        return reference
    return EntityReference(reference.logical_name, identifier, reference.name)


# Set by the platform itself: choosing them is Assign (ownerid) or nobody's business.
_NOT_APPENDED = ("ownerid", "owningbusinessunit", "createdby", "modifiedby")


def authorize_lookups(
    operation: Operation, table: TableMetadata, record: RecordOwner, values: Mapping[str, Any]
) -> None:
    """Setting a lookup from A to B needs Append on A and Append To on B (REFERENCE §6)."""
    appended = False
    for name, value in values.items():
        if name in _NOT_APPENDED or not isinstance(value, EntityReference):
            continue
        if not table.columns[name].type.is_reference:
            continue
        if not appended:
            operation.require(Right.APPEND, table, record)
            appended = True
        target_table = operation.metadata.tables.get(value.logical_name)
        if target_table is None:
            continue
        target = operation.record_owner(target_table, value.id)
        if target is not None:  # a missing record is the core operation's error to report
            operation.require(Right.APPEND_TO, target_table, target)


def new_record_owner(
    operation: Operation, table: TableMetadata, values: Mapping[str, Any]
) -> RecordOwner:
    """Who a record about to be created will belong to."""
    if table.ownership is not Ownership.USER:
        return RecordOwner(table.name, None, None, None)
    owner = values.get("ownerid") or user_reference(operation.caller.user_id)
    unit = operation.unit_of_work.business_unit_of(owner.logical_name, owner.id)
    return RecordOwner(table.name, None, owner, unit)


def forget_shares(operation: Operation, table: str, record_id: uuid.UUID) -> None:
    """A deleted record is shared with nobody any more."""
    if "principalobjectaccess" not in operation.unit_of_work.tables:
        return
    access = operation.sql_table("principalobjectaccess")
    operation.connection.execute(
        access.delete().where(access.c.objectid == record_id, access.c.objecttypecode == table)
    )


def user_reference(user_id: uuid.UUID) -> EntityReference:
    return EntityReference("systemuser", user_id)


def audit(operation: Operation, *, creating: bool) -> dict[str, Any]:
    now = operation.now()
    caller = operation.caller
    # SYSTEM working on a user's behalf (cascades, qualification's lead update) records
    # the user, as Dataverse shows who qualified a lead rather than "SYSTEM".
    user = user_reference(caller.initiating_user_id if caller.is_system else caller.user_id)
    values: dict[str, Any] = {"modifiedon": now, "modifiedby": user}
    if creating:
        values.update(createdon=now, createdby=user)  # the version: rows.insert_row
    return values


def compose(
    table: TableMetadata, values: dict[str, Any], current: Mapping[str, Any] | None = None
) -> None:
    """Fill computed columns (fullname = firstname + lastname) from the parts."""
    for column in table.columns.values():
        if not column.composed_of:
            continue
        if current is not None and not any(part in values for part in column.composed_of):
            continue
        parts = [values[p] if p in values else (current or {}).get(p) for p in column.composed_of]
        text = " ".join(str(part).strip() for part in parts if part not in (None, ""))
        values[column.name] = text[: column.max_length] if column.max_length else text


def business_unit_of(
    operation: Operation, owner: EntityReference, column: str, table: str
) -> EntityReference:
    """The business unit of a user or team, which becomes the record's owning business unit."""
    unit = operation.unit_of_work.business_unit_of(owner.logical_name, owner.id)
    if unit is None:
        raise errors.LOOKUP_NOT_FOUND(
            column=column, table=table, target=owner.logical_name, id=owner.id
        )
    return EntityReference("businessunit", unit)


def check_lookups(
    operation: Operation,
    table: TableMetadata,
    values: Mapping[str, Any],
    *,
    skip: tuple[str, ...] = (),
) -> None:
    """Every reference must point at a record that exists (one query per target table)."""
    wanted: dict[str, list[tuple[str, EntityReference]]] = {}
    for name, value in values.items():
        if name in skip or not isinstance(value, EntityReference):
            continue
        if not table.columns[name].type.is_reference:
            continue
        wanted.setdefault(value.logical_name, []).append((name, value))
    known = operation.unit_of_work.known_records
    for target, pairs in wanted.items():
        target_table = operation.table(target)
        unknown = [ref.id for _, ref in pairs if (target, ref.id) not in known]
        found = rows.existing_ids(
            operation.connection, target_table, operation.sql_table(target), unknown
        ) | {ref.id for _, ref in pairs if (target, ref.id) in known}
        for name, reference in pairs:
            if reference.id not in found:
                raise errors.LOOKUP_NOT_FOUND(
                    column=name, table=table.name, target=target, id=reference.id
                )
