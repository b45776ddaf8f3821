"""Security messages: who am I, a role's privileges, a team's members (sharing: ``sharing``).

Names follow Dataverse (AddPrivilegesRole, AddMembersTeam, GrantAccess …). Each checks its
own privilege, then writes the rows through nested messages run as SYSTEM.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from leadgate.platform.customization.solutions import record_id
from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.pipeline import Message, Operation, open_to_every_user
from leadgate.platform.records.crud import CreateRequest, DeleteRequest, UpdateRequest
from leadgate.platform.security.privileges import (
    ORGANIZATION_PRIVILEGES,
    Depth,
    Right,
    RoleDefinition,
    privilege_id,
    table_privileges,
)

__all__ = [
    "MESSAGES",
    "AddMembersTeamRequest",
    "AddPrivilegesRoleRequest",
    "RemoveMembersTeamRequest",
    "RemovePrivilegeRoleRequest",
    "RolePrivilege",
    "WhoAmIRequest",
    "ensure_privileges",
    "install_role",
]


@dataclass(frozen=True)
class WhoAmIRequest:
    pass


@dataclass(frozen=True)
class WhoAmIResponse:
    user_id: uuid.UUID
    business_unit_id: uuid.UUID | None
    organization_id: uuid.UUID


@dataclass(frozen=True)
class RolePrivilege:
    """A privilege (by name, e.g. prvCreateLead) at a depth."""

    privilege: str
    depth: Depth


@dataclass(frozen=True)
class AddPrivilegesRoleRequest:
    role_id: uuid.UUID
    privileges: tuple[RolePrivilege, ...]


@dataclass(frozen=True)
class RemovePrivilegeRoleRequest:
    role_id: uuid.UUID
    privilege: str


@dataclass(frozen=True)
class PrivilegesResponse:
    changed: int


@dataclass(frozen=True)
class AddMembersTeamRequest:
    team_id: uuid.UUID
    member_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class RemoveMembersTeamRequest:
    team_id: uuid.UUID
    member_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class MembersResponse:
    changed: int


# --- WhoAmI -------------------------------------------------------------------------------


def who_am_i(operation: Operation) -> WhoAmIResponse:
    organization_id = operation.setting("organizationid")
    return WhoAmIResponse(
        user_id=operation.caller.user_id,
        business_unit_id=operation.context.business_unit_id,
        organization_id=organization_id,
    )


# --- privileges and roles -----------------------------------------------------------------


def ensure_privileges(operation: Operation) -> int:
    """Every published table gets its privileges (Custom tables too, when published)."""
    if "privilege" not in operation.unit_of_work.tables:
        return 0
    wanted: dict[str, tuple[Right, str | None, int]] = {
        name: (right, None, int(Depth.ORGANIZATION)) for name, right in ORGANIZATION_PRIVILEGES
    }
    for table in operation.metadata.tables.values():
        for name, right, depths in table_privileges(table):
            wanted[name] = (right, table.name, depths)
    privileges = operation.sql_table("privilege")
    present = set(operation.connection.execute(sa.select(privileges.c.name)).scalars())
    missing = sorted(set(wanted) - present)
    for name in missing:
        right, table_name, depths = wanted[name]
        operation.execute_as_system(
            CreateRequest(
                Entity(
                    "privilege",
                    privilege_id(name),
                    name=name,
                    accessright=int(right),
                    tablename=table_name,
                    validdepths=depths,
                )
            )
        )
    return len(missing)


def _privilege(operation: Operation, name: str) -> Any:
    privileges = operation.sql_table("privilege")
    query = sa.select(privileges.c.privilegeid, privileges.c.validdepths).where(
        sa.func.lower(privileges.c.name) == name.strip().lower()
    )
    row = operation.connection.execute(query).first()
    if row is None and ensure_privileges(operation):
        # A privilege this version knows, on a database made before it existed.
        row = operation.connection.execute(query).first()
    if row is None:
        raise errors.INVALID_PRIVILEGE(
            privilege=name,
            hint=Text(N_(". Names read prv + right + table, for example prvCreateLead.")),
        )
    return row


def _grant(operation: Operation, role_id: uuid.UUID, name: str, depth: Depth) -> None:
    found = _privilege(operation, name)
    if not int(depth) & (found.validdepths or 0):
        allowed = [d.label for d in Depth if d and int(d) & (found.validdepths or 0)]
        raise errors.INVALID_DEPTH(privilege=name, depth=depth.label, allowed=allowed)
    grants = operation.sql_table("roleprivileges")
    existing = operation.connection.execute(
        sa.select(grants.c.roleprivilegesid).where(
            grants.c.roleid == role_id, grants.c.privilegeid == found.privilegeid
        )
    ).scalar()
    if existing is not None:
        operation.execute_as_system(
            UpdateRequest(Entity("roleprivileges", existing, privilegedepthmask=int(depth)))
        )
        return
    operation.execute_as_system(
        CreateRequest(
            Entity(
                "roleprivileges",
                roleid=EntityReference("role", role_id),
                privilegeid=EntityReference("privilege", found.privilegeid),
                privilegedepthmask=int(depth),
            )
        )
    )


def _authorize_role(operation: Operation) -> None:
    operation.require(Right.WRITE, operation.table("role"))


def add_privileges_role(operation: Operation[AddPrivilegesRoleRequest]) -> PrivilegesResponse:
    request = operation.request
    _existing_record(operation, "role", request.role_id)
    for item in request.privileges:
        _grant(operation, request.role_id, item.privilege, Depth(item.depth))
    return PrivilegesResponse(len(request.privileges))


def remove_privilege_role(operation: Operation[RemovePrivilegeRoleRequest]) -> PrivilegesResponse:
    request = operation.request
    _existing_record(operation, "role", request.role_id)
    found = _privilege(operation, request.privilege)
    grants = operation.sql_table("roleprivileges")
    existing = operation.connection.execute(
        sa.select(grants.c.roleprivilegesid).where(
            grants.c.roleid == request.role_id, grants.c.privilegeid == found.privilegeid
        )
    ).scalar()
    if existing is None:
        return PrivilegesResponse(0)
    operation.execute_as_system(DeleteRequest(EntityReference("roleprivileges", existing)))
    return PrivilegesResponse(1)


def install_role(operation: Operation, role: RoleDefinition) -> bool:
    """Create a role a solution ships, unless it exists, even renamed, or another role has
    its name (administrators own it then)."""
    roles = operation.sql_table("role")
    role_id = record_id("role", role.key)
    found = sa.or_(roles.c.name == role.name, roles.c.roleid == role_id)
    if operation.connection.execute(sa.select(roles.c.roleid).where(found)).first():
        return False
    units = operation.sql_table("businessunit")
    root = operation.connection.execute(
        sa.select(units.c.businessunitid).where(units.c.parentbusinessunitid.is_(None))
    ).scalar()
    operation.execute_as_system(
        CreateRequest(
            Entity(
                "role",
                role_id,
                name=role.name,
                description=role.description.en if role.description else None,
                grantsall=role.grants_all,
                businessunitid=EntityReference("businessunit", root) if root else None,
            )
        )
    )
    for grant in role.grants:
        for name in grant.privilege_names(operation.table):
            _grant(operation, role_id, name, grant.depth)
    return True


# --- teams --------------------------------------------------------------------------------


def _existing_record(operation: Operation, table_name: str, record_id_: uuid.UUID) -> Any:
    table = operation.table(table_name)
    record = operation.record_owner(table, record_id_)
    if record is None:
        raise errors.RECORD_NOT_FOUND(table=table_name, id=record_id_)
    return record


def _authorize_team(operation: Operation) -> None:
    table = operation.table("team")
    record = operation.record_owner(table, operation.request.team_id)
    operation.require(Right.WRITE, table, record)


def add_members_team(operation: Operation[AddMembersTeamRequest]) -> MembersResponse:
    request = operation.request
    _existing_record(operation, "team", request.team_id)
    membership = operation.sql_table("teammembership")
    present = set(
        operation.connection.execute(
            sa.select(membership.c.systemuserid).where(membership.c.teamid == request.team_id)
        ).scalars()
    )
    added = 0
    for member in dict.fromkeys(request.member_ids):
        if member in present:
            continue
        operation.execute_as_system(
            CreateRequest(
                Entity(
                    "teammembership",
                    teamid=EntityReference("team", request.team_id),
                    systemuserid=EntityReference("systemuser", member),
                )
            )
        )
        added += 1
    return MembersResponse(added)


def remove_members_team(operation: Operation[RemoveMembersTeamRequest]) -> MembersResponse:
    request = operation.request
    _existing_record(operation, "team", request.team_id)
    membership = operation.sql_table("teammembership")
    rows = (
        operation.connection.execute(
            sa.select(membership.c.teammembershipid).where(
                membership.c.teamid == request.team_id,
                membership.c.systemuserid.in_(list(request.member_ids)),
            )
        )
        .scalars()
        .all()
    )
    for row in rows:
        operation.execute_as_system(DeleteRequest(EntityReference("teammembership", row)))
    return MembersResponse(len(rows))


MESSAGES = {
    WhoAmIRequest: Message("WhoAmI", who_am_i, writes=False, authorize=open_to_every_user),
    AddPrivilegesRoleRequest: Message(
        "AddPrivilegesRole", add_privileges_role, target=lambda r: ("role", r.role_id),
        authorize=_authorize_role,
    ),
    RemovePrivilegeRoleRequest: Message(
        "RemovePrivilegeRole", remove_privilege_role, target=lambda r: ("role", r.role_id),
        authorize=_authorize_role,
    ),
    AddMembersTeamRequest: Message(
        "AddMembersTeam", add_members_team, target=lambda r: ("team", r.team_id),
        authorize=_authorize_team,
    ),
    RemoveMembersTeamRequest: Message(
        "RemoveMembersTeam", remove_members_team, target=lambda r: ("team", r.team_id),
        authorize=_authorize_team,
    ),
}  # fmt: skip
