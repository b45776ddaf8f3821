"""SetState and Assign: the status and the owner of a record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.types import Ownership
from leadgate.platform.engine.validation import check_state_status
from leadgate.platform.engine.values import coerce
from leadgate.platform.records.fields import audit, business_unit_of, checked_reference
from leadgate.platform.security.privileges import Right

__all__ = ["MESSAGES", "AssignRequest", "AssignResponse", "SetStateRequest", "SetStateResponse"]


@dataclass(frozen=True)
class SetStateRequest:
    """Dataverse's SetStateRequest: ``status`` -1 means the state's default status reason."""

    entity_moniker: EntityReference
    state: int
    status: int = -1


@dataclass(frozen=True)
class SetStateResponse:
    pass


@dataclass(frozen=True)
class AssignRequest:
    target: EntityReference
    assignee: EntityReference


@dataclass(frozen=True)
class AssignResponse:
    pass


def _moniker(request: Any) -> tuple[str | None, uuid.UUID | None]:
    return request.entity_moniker.logical_name, request.entity_moniker.id


def validate_set_state(operation: Operation[SetStateRequest]) -> None:
    request = operation.request
    table = operation.table(request.entity_moniker.logical_name)
    if not table.has_state:
        raise errors.NO_STATE(table=table.name)
    operation.request = request = replace(
        request, entity_moniker=checked_reference(operation, request.entity_moniker)
    )
    for name, value in (("statecode", request.state), ("statuscode", request.status)):
        coerce(table.column(name), value)
    # The pair is checked before any rule runs: an impossible status is bad input.
    check_state_status(table, request.state, request.status, request.entity_moniker.id)


def authorize_set_state(operation: Operation) -> None:
    reference = operation.request.entity_moniker
    table = operation.table(reference.logical_name)
    record = operation.record_owner(table, reference.id)
    if record is not None:
        operation.require(Right.WRITE, table, record)


def set_state(operation: Operation[SetStateRequest]) -> SetStateResponse:
    request = operation.request
    table = operation.table(request.entity_moniker.logical_name)
    record_id = request.entity_moniker.id
    status = check_state_status(table, request.state, request.status, record_id)
    values = {"statecode": request.state, "statuscode": status, **audit(operation, creating=False)}
    if not rows.update_row(
        operation.connection, table, operation.sql_table(table.name), record_id, values
    ):
        raise errors.RECORD_NOT_FOUND(table=table.name, id=record_id)
    return SetStateResponse()


def validate_assign(operation: Operation[AssignRequest]) -> None:
    request = operation.request
    table = operation.table(request.target.logical_name)
    if table.ownership is not Ownership.USER:
        raise errors.NOT_USER_OWNED(table=table.name)
    operation.request = replace(
        request,
        target=checked_reference(operation, request.target),
        assignee=coerce(table.column("ownerid"), request.assignee),
    )


def authorize_assign(operation: Operation[AssignRequest]) -> None:
    request = operation.request
    table = operation.table(request.target.logical_name)
    record = operation.record_owner(table, request.target.id)
    if record is None:
        return
    operation.require(Right.ASSIGN, table, record)
    assignee = request.assignee
    exists = operation.unit_of_work.business_unit_of(assignee.logical_name, assignee.id)
    if assignee.logical_name == "systemuser" and exists is not None:
        # The new owner must be able to own it: read records of the table, at some depth.
        new_owner = operation.unit_of_work.principal(assignee.id)
        operation.require(Right.READ, table, principal=new_owner)


def assign(operation: Operation[AssignRequest]) -> AssignResponse:
    request = operation.request
    table = operation.table(request.target.logical_name)
    owner = request.assignee
    values = {
        "ownerid": owner,
        "owningbusinessunit": business_unit_of(operation, owner, "ownerid", table.name),
        **audit(operation, creating=False),
    }
    if not rows.update_row(
        operation.connection, table, operation.sql_table(table.name), request.target.id, values
    ):
        raise errors.RECORD_NOT_FOUND(table=table.name, id=request.target.id)
    operation.forget_record(table.name, request.target.id)
    return AssignResponse()


MESSAGES = {
    SetStateRequest: Message(
        "SetState",
        set_state,
        validate_set_state,
        _moniker,
        has_pre_image=True,
        has_post_image=True,
        authorize=authorize_set_state,
    ),
    AssignRequest: Message(
        "Assign",
        assign,
        validate_assign,
        lambda request: (request.target.logical_name, request.target.id),
        has_pre_image=True,
        has_post_image=True,
        authorize=authorize_assign,
    ),
}
