"""Sharing a record (REFERENCE §6): GrantAccess, ModifyAccess, RevokeAccess and
RetrieveSharedPrincipalsAndAccess, as Dataverse names them.

Sharing gives a user or team rights on one record beyond what their roles reach; the
sharer needs the Share privilege and the rights they give.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.types import Ownership
from leadgate.platform.records.crud import CreateRequest, DeleteRequest, UpdateRequest
from leadgate.platform.records.fields import checked_reference
from leadgate.platform.security.privileges import Right

__all__ = [
    "MESSAGES",
    "GrantAccessRequest",
    "ModifyAccessRequest",
    "PrincipalAccess",
    "RetrieveSharedPrincipalsAndAccessRequest",
    "RevokeAccessRequest",
]


@dataclass(frozen=True)
class PrincipalAccess:
    """Who (a user or a team) and which rights (Right flags) on one record."""

    principal: EntityReference
    access_mask: Right


@dataclass(frozen=True)
class GrantAccessRequest:
    target: EntityReference
    principal_access: PrincipalAccess


@dataclass(frozen=True)
class ModifyAccessRequest:
    target: EntityReference
    principal_access: PrincipalAccess


@dataclass(frozen=True)
class RevokeAccessRequest:
    target: EntityReference
    revokee: EntityReference


@dataclass(frozen=True)
class RetrieveSharedPrincipalsAndAccessRequest:
    target: EntityReference


@dataclass(frozen=True)
class AccessResponse:
    principal_accesses: tuple[PrincipalAccess, ...] = ()


# --- sharing ------------------------------------------------------------------------------


def _validate_sharing(operation: Operation) -> None:
    request = operation.request
    target = checked_reference(operation, request.target)
    table = operation.table(target.logical_name)
    if table.ownership is not Ownership.USER:
        raise errors.NOT_SHAREABLE(table=table.name)
    changes: dict[str, Any] = {"target": target}
    if hasattr(request, "principal_access"):
        principal = _principal(operation, request.principal_access.principal)
        changes["principal_access"] = replace(request.principal_access, principal=principal)
    if hasattr(request, "revokee"):
        changes["revokee"] = _principal(operation, request.revokee)
    operation.request = replace(request, **changes)


def _principal(operation: Operation, principal: EntityReference) -> EntityReference:
    if principal.logical_name not in ("systemuser", "team"):
        raise errors.LOOKUP_WRONG_TARGET(
            column="principal", table="principalobjectaccess",
            target=principal.logical_name, targets="systemuser, team",
        )  # fmt: skip
    return checked_reference(operation, principal)


def _authorize_share(operation: Operation) -> None:
    request = operation.request
    table = operation.table(request.target.logical_name)
    record = operation.record_owner(table, request.target.id)
    if record is None:
        return
    operation.require(Right.SHARE, table, record)
    access = getattr(request, "principal_access", None)
    if access is not None:  # one can only share the rights one holds on the record
        for right in Right:
            if right in access.access_mask and right is not Right.CREATE:
                operation.require(right, table, record)


def _access_row(operation: Operation, target: EntityReference, principal_id: uuid.UUID) -> Any:
    access = operation.sql_table("principalobjectaccess")
    return operation.connection.execute(
        sa.select(access.c.principalobjectaccessid, access.c.accessrightsmask).where(
            access.c.objectid == target.id,
            access.c.objecttypecode == target.logical_name,
            access.c.principalid == principal_id,
        )
    ).first()


def _set_access(operation: Operation, *, add: bool) -> AccessResponse:
    request = operation.request
    target: EntityReference = request.target
    _check_exists(operation, target)
    access: PrincipalAccess = request.principal_access
    row = _access_row(operation, target, access.principal.id)
    mask = int(access.access_mask) | (row.accessrightsmask if row is not None and add else 0)
    if row is not None:
        operation.execute_as_system(
            UpdateRequest(
                Entity("principalobjectaccess", row.principalobjectaccessid, accessrightsmask=mask)
            )
        )
    else:
        operation.execute_as_system(
            CreateRequest(
                Entity(
                    "principalobjectaccess",
                    objectid=target.id,
                    objecttypecode=target.logical_name,
                    principalid=access.principal.id,
                    principaltypecode=access.principal.logical_name,
                    accessrightsmask=mask,
                )
            )
        )
    return AccessResponse((PrincipalAccess(access.principal, Right(mask)),))


def grant_access(operation: Operation) -> AccessResponse:
    return _set_access(operation, add=True)


def modify_access(operation: Operation) -> AccessResponse:
    return _set_access(operation, add=False)


def _check_exists(operation: Operation, target: EntityReference) -> None:
    if operation.record_owner(operation.table(target.logical_name), target.id) is None:
        raise errors.RECORD_NOT_FOUND(table=target.logical_name, id=target.id)


def revoke_access(operation: Operation[RevokeAccessRequest]) -> AccessResponse:
    request = operation.request
    _check_exists(operation, request.target)
    row = _access_row(operation, request.target, request.revokee.id)
    if row is not None:
        operation.execute_as_system(
            DeleteRequest(EntityReference("principalobjectaccess", row.principalobjectaccessid))
        )
    return AccessResponse()


def _authorize_read_shares(operation: Operation) -> None:
    request = operation.request
    table = operation.table(request.target.logical_name)
    record = operation.record_owner(table, request.target.id)
    if record is not None:
        operation.require(Right.READ, table, record)


def retrieve_shared(
    operation: Operation[RetrieveSharedPrincipalsAndAccessRequest],
) -> AccessResponse:
    request = operation.request
    _check_exists(operation, request.target)
    access = operation.sql_table("principalobjectaccess")
    rows = operation.connection.execute(
        sa.select(access.c.principalid, access.c.principaltypecode, access.c.accessrightsmask)
        .where(
            access.c.objectid == request.target.id,
            access.c.objecttypecode == request.target.logical_name,
        )
        .order_by(access.c.principaltypecode, access.c.principalid)
    ).all()
    return AccessResponse(
        tuple(
            PrincipalAccess(EntityReference(row.principaltypecode, row.principalid),
                            Right(row.accessrightsmask))
            for row in rows
        )
    )  # fmt: skip


def _target(request: Any) -> tuple[str | None, uuid.UUID | None]:
    return request.target.logical_name, request.target.id


MESSAGES = {
    GrantAccessRequest: Message(
        "GrantAccess", grant_access, _validate_sharing, _target, authorize=_authorize_share
    ),
    ModifyAccessRequest: Message(
        "ModifyAccess", modify_access, _validate_sharing, _target, authorize=_authorize_share
    ),
    RevokeAccessRequest: Message(
        "RevokeAccess", revoke_access, _validate_sharing, _target, authorize=_authorize_share
    ),
    RetrieveSharedPrincipalsAndAccessRequest: Message(
        "RetrieveSharedPrincipalsAndAccess", retrieve_shared, _validate_sharing, _target,
        writes=False, authorize=_authorize_read_shares,
    ),
}  # fmt: skip
