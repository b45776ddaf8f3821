"""Create, Update, Upsert and Delete (reading: ``retrieve``)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from leadgate.platform.duplicates.messages import refuse_duplicates
from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.pipeline import Message, Operation, checked_by_nested_messages
from leadgate.platform.engine.types import CascadeType, Ownership
from leadgate.platform.engine.validation import check_required, check_state_status, initial_state
from leadgate.platform.engine.values import coerce
from leadgate.platform.records.fields import (
    audit,
    authorize_lookups,
    business_unit_of,
    check_lookups,
    checked_reference,
    checked_values,
    compose,
    forget_shares,
    new_record_owner,
    user_reference,
)
from leadgate.platform.records.keys import find_by_key, key_values, resolved, values_of_key
from leadgate.platform.records.state import AssignRequest, SetStateRequest
from leadgate.platform.security.access import RecordOwner
from leadgate.platform.security.privileges import Right

__all__ = [
    "MESSAGES",
    "ConcurrencyBehavior",
    "CreateRequest",
    "CreateResponse",
    "DeleteRequest",
    "DeleteResponse",
    "UpdateRequest",
    "UpdateResponse",
    "UpsertRequest",
    "UpsertResponse",
]


class ConcurrencyBehavior(enum.IntEnum):
    DEFAULT = 0
    IF_ROW_VERSION_MATCHES = 1
    ALWAYS_OVERWRITE = 2


@dataclass(frozen=True)
class CreateRequest:
    target: Entity
    # False: refuse the record when a published duplicate rule finds a match (0x80040333).
    suppress_duplicate_detection: bool = True


@dataclass(frozen=True)
class CreateResponse:
    id: uuid.UUID


@dataclass(frozen=True)
class UpdateRequest:
    target: Entity
    concurrency_behavior: ConcurrencyBehavior = ConcurrencyBehavior.DEFAULT
    suppress_duplicate_detection: bool = True


@dataclass(frozen=True)
class UpdateResponse:
    pass


@dataclass(frozen=True)
class UpsertRequest:
    target: Entity
    # Passed on to the Create or the Update the upsert turns into.
    suppress_duplicate_detection: bool = True


@dataclass(frozen=True)
class UpsertResponse:
    record_created: bool
    target: EntityReference


@dataclass(frozen=True)
class DeleteRequest:
    target: EntityReference
    concurrency_behavior: ConcurrencyBehavior = ConcurrencyBehavior.DEFAULT
    row_version: int | None = None


@dataclass(frozen=True)
class DeleteResponse:
    pass


# --- shared -----------------------------------------------------------------------------


def _given_id(table: TableMetadata, target: Entity) -> uuid.UUID | None:
    """The id the entity gives for its record: its id, or its primary key column."""
    key = table.column(table.primary_key)
    given = coerce(key, target.get(table.primary_key))
    identifier = coerce(key, target.id)
    if identifier is not None and given is not None and identifier != given:
        raise errors.INVALID_VALUE_TYPE(
            value=str(given), column=table.primary_key, table=table.name, expected=str(identifier)
        )
    return identifier or given


def _record_id(
    operation: Operation, table: TableMetadata, target: Entity, action: str
) -> uuid.UUID:
    """The id of the record to change: given, or found by the entity's key attributes."""
    identifier = _given_id(table, target)
    if identifier is None and target.key_attributes:
        reference = EntityReference.by_key(table.name, target.key_attributes)
        identifier = resolved(operation, reference).id
    if identifier is None:
        raise errors.MISSING_ID(table=table.name, action=action)
    return identifier


def _not_found(table: str, record_id: uuid.UUID) -> errors.LeadgateError:
    return errors.RECORD_NOT_FOUND(table=table, id=record_id)


def _existing(
    operation: Operation, reference: EntityReference
) -> tuple[TableMetadata, RecordOwner | None]:
    table = operation.table(reference.logical_name)
    return table, operation.record_owner(table, reference.id)


# --- Create -----------------------------------------------------------------------------


def _target_of_entity(request: Any) -> tuple[str | None, uuid.UUID | None]:
    return request.target.logical_name, request.target.id


def _target_of_reference(request: Any) -> tuple[str | None, uuid.UUID | None]:
    return request.target.logical_name, request.target.id


def validate_create(operation: Operation) -> None:
    target: Entity = operation.request.target
    table = operation.table(target.logical_name)
    target.id = coerce(table.column(table.primary_key), target.id)
    if target.key_attributes:  # named by an alternate key: made with the key's values
        target.update(values_of_key(table, target))
    target.update(checked_values(operation, table, target, creating=True))


def authorize_create(operation: Operation) -> None:
    target: Entity = operation.request.target
    table = operation.table(target.logical_name)
    record = new_record_owner(operation, table, target)
    operation.require(Right.CREATE, table, record)
    principal = operation.principal
    owner = record.owner
    if principal is not None and owner is not None and owner.id not in principal.owner_ids:
        # Creating a record for someone else is giving it to them: Assign, as Assign checks.
        operation.require(Right.ASSIGN, table, record)
        if owner.logical_name == "systemuser" and record.business_unit is not None:
            new_owner = operation.unit_of_work.principal(owner.id)
            operation.require(Right.READ, table, principal=new_owner)
    authorize_lookups(operation, table, record, target)


def create(operation: Operation) -> CreateResponse:
    target: Entity = operation.request.target
    table = operation.table(target.logical_name)
    values = dict(target)
    if operation.revalidate:
        values = checked_values(operation, table, values, creating=True)
    record_id = values.pop(table.primary_key, None) or target.id or uuid.uuid4()
    for column in table.columns.values():
        if column.default is not None and column.name not in values:
            values[column.name] = coerce(column, column.default)
    compose(table, values)
    if table.has_state:
        state = initial_state(table)
        status = values.get("statuscode")
        values["statecode"] = state
        values["statuscode"] = check_state_status(
            table, state, -1 if status is None else status, record_id
        )
    if table.ownership is Ownership.USER:
        owner = values.get("ownerid") or user_reference(operation.caller.user_id)
        values["ownerid"] = owner
        values["owningbusinessunit"] = business_unit_of(operation, owner, "ownerid", table.name)
    check_required(table, values, creating=True)
    check_lookups(operation, table, values, skip=("ownerid", "owningbusinessunit"))
    if not operation.request.suppress_duplicate_detection:
        refuse_duplicates(operation, table.name, values, record_id)
    values.update(audit(operation, creating=True))
    values[table.primary_key] = record_id
    rows.insert_row(operation.connection, table, operation.sql_table(table.name), values)
    target.id = record_id
    operation.context.primary_entity_id = record_id
    operation.context.stored_values = values
    operation.unit_of_work.known_records[(table.name, record_id)] = RecordOwner(
        table.name,
        record_id,
        values.get("ownerid") if table.ownership is Ownership.USER else None,
        values["owningbusinessunit"].id if values.get("owningbusinessunit") else None,
    )
    return CreateResponse(record_id)


# --- Update -----------------------------------------------------------------------------

_STATE_COLUMNS = ("statecode", "statuscode")


def validate_update(operation: Operation) -> None:
    target: Entity = operation.request.target
    table = operation.table(target.logical_name)
    target.id = _record_id(operation, table, target, "update")
    target.pop(table.primary_key, None)
    target.update(checked_values(operation, table, target, creating=False))


def _changed_columns(request: Any) -> list[str]:
    return list(request.target)


def authorize_update(operation: Operation) -> None:
    target: Entity = operation.request.target
    assert target.id is not None
    table, record = _existing(operation, target.to_reference())
    if record is None:
        return
    operation.require(Right.WRITE, table, record)
    authorize_lookups(operation, table, record, target)


def update(operation: Operation[UpdateRequest]) -> UpdateResponse:
    request = operation.request
    target = request.target
    table = operation.table(target.logical_name)
    record_id = target.id
    assert record_id is not None
    values = dict(target)
    values.pop(table.primary_key, None)
    if operation.revalidate:
        values = checked_values(operation, table, values, creating=False)
    state_change = {name: values.pop(name) for name in _STATE_COLUMNS if name in values}
    stage_change = _stage_change(table, values)
    new_owner = values.pop("ownerid") if values.get("ownerid") is not None else None
    check_required(table, values, creating=False)
    sql_table = operation.sql_table(table.name)
    if any(column.composed_of for column in table.columns.values()):
        parts = {p for c in table.columns.values() for p in c.composed_of}
        if parts & set(values):
            current = rows.select_row(
                operation.connection, table, sql_table, record_id, sorted(parts)
            )
            compose(table, values, current or {})
    check_lookups(operation, table, values, skip=("ownerid", "owningbusinessunit"))
    if not request.suppress_duplicate_detection:
        stored = rows.select_row(
            operation.connection, table, sql_table, record_id, list(table.columns)
        )
        if stored is None:
            raise _not_found(table.name, record_id)
        refuse_duplicates(operation, table.name, {**stored, **values, **state_change}, record_id)
    values.update(audit(operation, creating=False))
    expected = (
        target.row_version
        if request.concurrency_behavior is ConcurrencyBehavior.IF_ROW_VERSION_MATCHES
        else None
    )
    if (
        expected is None
        and request.concurrency_behavior is ConcurrencyBehavior.IF_ROW_VERSION_MATCHES
    ):
        raise errors.INVALID_QUERY(
            detail=Text(N_("IfRowVersionMatches needs the record's row version."))
        )
    if not rows.update_row(
        operation.connection, table, sql_table, record_id, values, expected_version=expected
    ):
        _missing_or_stale(operation, table, record_id, expected)
    if stage_change is not None:
        # A move of a process instance is always a SetProcessStage, so its rules run.
        from leadgate.platform.processes.messages import SetProcessStageRequest

        operation.execute(SetProcessStageRequest(EntityReference(table.name, record_id),
                                                 *stage_change))  # fmt: skip
    if new_owner is not None:
        # A change of owner is always an Assign, so its rules and steps run (as in Dataverse).
        operation.execute(AssignRequest(EntityReference(table.name, record_id), new_owner))
    if state_change:
        # A state change is always a SetState, so its rules and steps run (as in Dataverse).
        state = state_change.get("statecode")
        if state is None:
            current = rows.select_row(
                operation.connection, table, sql_table, record_id, [table.primary_key, "statecode"]
            )
            state = current["statecode"] if current is not None else 0
        operation.execute(
            SetStateRequest(
                EntityReference(table.name, record_id), state, state_change.get("statuscode", -1)
            )
        )
    return UpdateResponse()


def _stage_change(
    table: TableMetadata, values: dict[str, Any]
) -> tuple[EntityReference, str | None] | None:
    """The stage (and path) an Update of a process instance moves it to, taken out of values."""
    if "activestageid" not in values and "traversedpath" not in values:
        return None
    if not all(name in table.columns for name in ("activestageid", "traversedpath", "processid")):
        return None
    stage = values.pop("activestageid", None)
    path = values.pop("traversedpath", None)
    if stage is None and path:
        try:
            stage = EntityReference("processstage", uuid.UUID(str(path).split(",")[-1].strip()))
        except ValueError:
            raise errors.INVALID_VALUE_TYPE(
                value=path, column="traversedpath", table=table.name,
                expected="stage ids separated by commas",
            ) from None  # fmt: skip
    if stage is None:
        raise errors.REQUIRED_FIELD_MISSING(column="activestageid", table=table.name)
    return stage, path


def _missing_or_stale(
    operation: Operation, table: TableMetadata, record_id: uuid.UUID, expected: int | None
) -> None:
    sql_table = operation.sql_table(table.name)
    actual = operation.connection.execute(
        sa.select(sql_table.c.versionnumber).where(sql_table.c[table.primary_key] == record_id)
    ).scalar()
    if actual is None:
        raise _not_found(table.name, record_id)
    raise errors.VERSION_MISMATCH(table=table.name, id=record_id, expected=expected, actual=actual)


# --- Upsert -----------------------------------------------------------------------------


def validate_upsert(operation: Operation) -> None:
    target: Entity = operation.request.target
    table = operation.table(target.logical_name)
    target.id = _given_id(table, target)
    if target.id is None:
        if not target.key_attributes:
            raise errors.MISSING_ID(table=table.name, action="upsert")
        key_values(table, target.key_attributes)  # a key of the table, with valid values
    target.pop(table.primary_key, None)


def upsert(operation: Operation) -> UpsertResponse:
    """Update the record the target names (by id or alternate key), or create it: by key,
    with the key's values (Dataverse's Upsert)."""
    target: Entity = operation.request.target
    table = operation.table(target.logical_name)
    if target.id is None:  # named by an alternate key: looked up in this transaction
        target.id = find_by_key(operation, table, target.key_attributes)
    exists = target.id is not None and rows.existing_ids(
        operation.connection, table, operation.sql_table(table.name), [target.id]
    )
    suppress = operation.request.suppress_duplicate_detection
    if exists:
        operation.execute(UpdateRequest(target, suppress_duplicate_detection=suppress))
        return UpsertResponse(False, target.to_reference())
    operation.execute(CreateRequest(target, suppress_duplicate_detection=suppress))
    return UpsertResponse(True, target.to_reference())


# --- Delete -----------------------------------------------------------------------------


def validate_delete(operation: Operation[DeleteRequest]) -> None:
    request = operation.request
    table = operation.table(request.target.logical_name)
    if not table.deletable:
        raise errors.NOT_DELETABLE(table=table.name, hint=_undeletable_hint(table.name))
    operation.request = replace(request, target=checked_reference(operation, request.target))


def _undeletable_hint(table: str) -> Text:
    if table == "systemuser":
        return Text(N_("disable the user instead."))
    return Text(N_("the platform needs them."))


def authorize_delete(operation: Operation) -> None:
    table, record = _existing(operation, operation.request.target)
    if record is not None:
        operation.require(Right.DELETE, table, record)


def delete(operation: Operation[DeleteRequest]) -> DeleteResponse:
    request = operation.request
    reference = request.target
    table = operation.table(reference.logical_name)
    sql_table = operation.sql_table(table.name)
    key = sql_table.c[table.primary_key]
    version = operation.connection.execute(
        sa.select(sql_table.c.versionnumber).where(key == reference.id)
    ).first()
    if version is None:
        raise _not_found(table.name, reference.id)
    if (
        request.concurrency_behavior is ConcurrencyBehavior.IF_ROW_VERSION_MATCHES
        and request.row_version != version[0]
    ):
        raise errors.VERSION_MISMATCH(
            table=table.name, id=reference.id, expected=request.row_version, actual=version[0]
        )
    for relationship in operation.metadata.relationships_to(table.name):
        child = operation.table(relationship.referencing_table)
        child_sql = operation.sql_table(child.name)
        column = child.column(relationship.referencing_column)
        condition = child_sql.c[column.name] == reference.id
        if column.type_column:
            condition = sa.and_(condition, child_sql.c[column.type_column] == table.name)
        children = (
            operation.connection.execute(sa.select(child_sql.c[child.primary_key]).where(condition))
            .scalars()
            .all()
        )
        children = [c for c in children if not (child.name == table.name and c == reference.id)]
        if not children:
            continue
        if relationship.cascade_delete is CascadeType.RESTRICT:
            raise errors.DELETE_RESTRICTED(
                table=table.name,
                id=reference.id,
                count=len(children),
                child=child.name,
                relationship=relationship.name,
            )
        for child_id in children:
            if relationship.cascade_delete is CascadeType.CASCADE:
                operation.execute_as_system(DeleteRequest(EntityReference(child.name, child_id)))
            else:
                operation.execute_as_system(
                    UpdateRequest(Entity(child.name, child_id, {column.name: None}))
                )
    if not rows.delete_row(operation.connection, table, sql_table, reference.id):
        raise _not_found(table.name, reference.id)
    forget_shares(operation, table.name, reference.id)
    operation.forget_record(table.name, reference.id)
    return DeleteResponse()


MESSAGES = {
    CreateRequest: Message(
        "Create",
        create,
        validate_create,
        _target_of_entity,
        has_post_image=True,
        authorize=authorize_create,
    ),
    UpdateRequest: Message(
        "Update",
        update,
        validate_update,
        _target_of_entity,
        has_pre_image=True,
        has_post_image=True,
        changed_columns=_changed_columns,
        authorize=authorize_update,
    ),
    UpsertRequest: Message(
        "Upsert", upsert, validate_upsert, _target_of_entity, authorize=checked_by_nested_messages
    ),
    DeleteRequest: Message(
        "Delete",
        delete,
        validate_delete,
        _target_of_reference,
        has_pre_image=True,
        authorize=authorize_delete,
    ),
}
