"""Security checks (REFERENCE §6): principals, the records within their reach, the checks.

A user holds the roles given to them and to their teams (``privileges`` names rights and
depths). A record is within reach when the depth covers its owner: User (the user, their
teams, or shared with them), Business Unit (owned in the user's unit), Parent: Child (that
unit and every unit below), Organization (all). The pipeline asks :func:`require` before
stage 20 of every message; RetrieveMultiple adds :func:`read_filter` to its SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.types import Ownership
from leadgate.platform.security.privileges import (
    Depth,
    Right,
    privilege_name,
)

if TYPE_CHECKING:
    from leadgate.platform.engine.schema import SqlTables

__all__ = [
    "Principal",
    "Reach",
    "RecordOwner",
    "SecurityCache",
    "access_denied",
    "privilege_denied",
    "read_filter",
    "record_owner",
    "require",
]


@dataclass(frozen=True)
class RecordOwner:
    """Who a record belongs to, for a depth check."""

    table: str
    id: uuid.UUID | None
    owner: EntityReference | None
    business_unit: uuid.UUID | None


@dataclass(frozen=True)
class Reach:
    """Privileges that apply from one business unit: the user's own roles apply from the
    user's unit, a team's roles from the team's unit (as in Dataverse)."""

    unit: uuid.UUID | None
    units_below: frozenset[uuid.UUID]
    privileges: Mapping[str, Depth]
    grants_all: bool = False

    def depth(self, privilege: str) -> Depth:
        if self.grants_all:
            return Depth.ORGANIZATION
        return self.privileges.get(privilege, Depth.NONE)

    def covers(self, depth: Depth, record: RecordOwner, owner_ids: frozenset[uuid.UUID]) -> bool:
        if depth is Depth.NONE:
            return False
        if depth >= Depth.ORGANIZATION or (record.owner is None and record.business_unit is None):
            return True
        unit = record.business_unit
        if depth >= Depth.PARENT_CHILD and unit in self.units_below:
            return True
        if depth >= Depth.BUSINESS_UNIT and unit is not None and unit == self.unit:
            return True
        return record.owner is not None and record.owner.id in owner_ids


@dataclass(frozen=True)
class Principal:
    """A user as security sees them: unit, teams, roles, and where each privilege reaches."""

    user_id: uuid.UUID
    name: str
    business_unit_id: uuid.UUID | None
    team_ids: frozenset[uuid.UUID]
    roles: tuple[str, ...]
    reaches: tuple[Reach, ...]
    disabled: bool = False

    def depth(self, privilege: str) -> Depth:
        """The best depth at which the user holds the privilege, from any role."""
        return max((reach.depth(privilege) for reach in self.reaches), default=Depth.NONE)

    @property
    def owner_ids(self) -> frozenset[uuid.UUID]:
        """The ids whose records are "the user's own": the user and their teams."""
        return self.team_ids | {self.user_id}

    def can(self, privilege: str, record: RecordOwner, *, shared: bool = False) -> bool:
        """Whether some role's privilege reaches ``record`` (``shared``: shared with them)."""
        for reach in self.reaches:
            depth = reach.depth(privilege)
            if depth and (shared or reach.covers(depth, record, self.owner_ids)):
                return True
        return False

    def depth_needed(self, record: RecordOwner | None) -> Depth:
        """The least depth that would reach ``record`` from the user's unit, for messages."""
        if record is None or (record.owner is not None and record.owner.id in self.owner_ids):
            return Depth.USER
        if record.business_unit == self.business_unit_id:
            return Depth.BUSINESS_UNIT
        own = self.reaches[0] if self.reaches else None
        if own is not None and record.business_unit in own.units_below:
            return Depth.PARENT_CHILD
        return Depth.ORGANIZATION


@dataclass
class SecurityCache:
    """What security reads often and changes rarely, valid for one security generation."""

    generation: int
    owner_units: dict[tuple[str, Any], Any] = field(default_factory=dict)
    principals: dict[uuid.UUID, Principal] = field(default_factory=dict)
    # Read filters by (user, table, metadata generation): built once, reused by every query.
    read_filters: dict[tuple[uuid.UUID, str, int], Any] = field(default_factory=dict)
    unit_parents: dict[uuid.UUID, uuid.UUID | None] | None = None


def load_principal(
    connection: sa.Connection, tables: SqlTables, cache: SecurityCache, user_id: uuid.UUID
) -> Principal:
    """Read a user's unit, teams, roles and privileges (once per security generation)."""
    found = cache.principals.get(user_id)
    if found is not None:
        return found
    users = tables["systemuser"]
    user = connection.execute(
        sa.select(
            users.c.businessunitid, users.c.fullname, users.c.internalemailaddress,
            users.c.isdisabled,
        ).where(users.c.systemuserid == user_id)
    ).first()  # fmt: skip
    if user is None:
        raise errors.RECORD_NOT_FOUND(table="systemuser", id=user_id)
    membership, teams = tables["teammembership"], tables["team"]
    team_units = dict(
        connection.execute(
            sa.select(teams.c.teamid, teams.c.businessunitid)
            .join(membership, membership.c.teamid == teams.c.teamid)
            .where(membership.c.systemuserid == user_id)
        ).all()
    )
    # Who holds which role: the user (from their unit) and each team (from its unit).
    holders: dict[uuid.UUID | None, set[uuid.UUID]] = {None: set()}
    user_roles = tables["systemuserroles"]
    holders[None].update(
        connection.execute(
            sa.select(user_roles.c.roleid).where(user_roles.c.systemuserid == user_id)
        ).scalars()
    )
    if team_units:
        team_roles = tables["teamroles"]
        for team_id, role_id in connection.execute(
            sa.select(team_roles.c.teamid, team_roles.c.roleid).where(
                team_roles.c.teamid.in_(list(team_units))
            )
        ):
            holders.setdefault(team_id, set()).add(role_id)
    role_ids = set().union(*holders.values())
    names, grants_all, privileges = _roles(connection, tables, role_ids)
    unit = user.businessunitid
    reaches = []
    for holder, held in holders.items():
        reach_unit = unit if holder is None else team_units[holder]
        if holder is not None and not held:
            continue
        best: dict[str, Depth] = {}
        for role_id in held:
            for name, depth in privileges.get(role_id, {}).items():
                best[name] = max(best.get(name, Depth.NONE), depth)
        reaches.append(
            Reach(
                unit=reach_unit,
                units_below=frozenset(units_below(connection, tables, cache, reach_unit))
                if reach_unit
                else frozenset(),
                privileges=best,
                grants_all=any(role_id in grants_all for role_id in held),
            )
        )
    principal = Principal(
        user_id=user_id,
        name=user.fullname or user.internalemailaddress,
        business_unit_id=unit,
        team_ids=frozenset(team_units),
        roles=tuple(sorted({names[role_id] for role_id in role_ids if role_id in names})),
        reaches=tuple(reaches),
        disabled=bool(user.isdisabled),
    )
    cache.principals[user_id] = principal
    return principal


def _roles(
    connection: sa.Connection, tables: SqlTables, role_ids: set[uuid.UUID]
) -> tuple[dict[uuid.UUID, str], set[uuid.UUID], dict[uuid.UUID, dict[str, Depth]]]:
    """Names, the roles granting everything, and each role's privileges with their depth."""
    if not role_ids:
        return {}, set(), {}
    roles, grants, privileges = tables["role"], tables["roleprivileges"], tables["privilege"]
    rows = connection.execute(
        sa.select(roles.c.roleid, roles.c.name, roles.c.grantsall).where(
            roles.c.roleid.in_(list(role_ids))
        )
    ).all()
    by_role: dict[uuid.UUID, dict[str, Depth]] = {}
    for role_id, name, depth in connection.execute(
        sa.select(grants.c.roleid, privileges.c.name, grants.c.privilegedepthmask)
        .join(privileges, privileges.c.privilegeid == grants.c.privilegeid)
        .where(grants.c.roleid.in_(list(role_ids)))
    ):
        by_role.setdefault(role_id, {})[name] = Depth(depth)
    return (
        {row.roleid: row.name for row in rows},
        {row.roleid for row in rows if row.grantsall},
        by_role,
    )


def units_below(
    connection: sa.Connection, tables: SqlTables, cache: SecurityCache, unit: uuid.UUID
) -> set[uuid.UUID]:
    """The unit and every unit under it (business units are few: read them all once)."""
    if cache.unit_parents is None:
        units = tables["businessunit"]
        cache.unit_parents = dict(
            connection.execute(
                sa.select(units.c.businessunitid, units.c.parentbusinessunitid)
            ).all()
        )
    children: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for child, parent in cache.unit_parents.items():
        children.setdefault(parent, []).append(child)
    found, waiting = set(), [unit]
    while waiting:
        current = waiting.pop()
        if current in found:
            continue
        found.add(current)
        waiting.extend(children.get(current, ()))
    return found


def record_owner(
    connection: sa.Connection,
    table: TableMetadata,
    sql_table: sa.Table,
    record_id: uuid.UUID,
    also: Sequence[str] = (),
) -> RecordOwner | None:
    """The owner and owning unit of a record; None when the record does not exist.
    ``also``: columns the caller reads next, read in the same statement (rows.read_row)."""
    if table.ownership is Ownership.USER:
        names = [table.primary_key, "ownerid", "owningbusinessunit", *also]
    elif table.ownership is Ownership.BUSINESS_UNIT:
        names = [table.primary_key, "businessunitid", *also]
    else:
        names = [table.primary_key, *also]
    row = rows.read_row(connection, table, sql_table, record_id, list(dict.fromkeys(names)))
    if row is None:
        return None
    if table.ownership is Ownership.USER:
        owner_id = row["ownerid"]
        owner = EntityReference(row["owneridtype"] or "systemuser", owner_id) if owner_id else None
        return RecordOwner(table.name, record_id, owner, row["owningbusinessunit"])
    if table.ownership is Ownership.BUSINESS_UNIT:
        # A user owns their own user record; a team is "owned" by its members (see Principal).
        return RecordOwner(
            table.name, record_id, EntityReference(table.name, record_id), row["businessunitid"]
        )
    return RecordOwner(table.name, record_id, None, None)


def is_shared(
    connection: sa.Connection,
    tables: SqlTables,
    principal: Principal,
    record: RecordOwner,
    right: Right,
) -> bool:
    if record.id is None or "principalobjectaccess" not in tables:
        return False
    access = tables["principalobjectaccess"]
    return (
        connection.execute(
            sa.select(access.c.principalobjectaccessid).where(
                access.c.objectid == record.id,
                access.c.objecttypecode == record.table,
                access.c.principalid.in_(list(principal.owner_ids)),
                access.c.accessrightsmask.op("&")(int(right)) != 0,
            )
        ).first()
        is not None
    )


def read_filter(
    tables: SqlTables,
    principal: Principal,
    table: TableMetadata,
    sql_table: sa.Table,
    cache: SecurityCache | None = None,
    generation: int = 0,
) -> Any:
    """The WHERE clause limiting a query to what the principal may read; None for all."""
    key = (principal.user_id, table.name, generation)
    if cache is not None and key in cache.read_filters:
        return cache.read_filters[key]
    clause = _read_filter(tables, principal, table, sql_table)
    if cache is not None:
        cache.read_filters[key] = clause
    return clause


def _read_filter(
    tables: SqlTables, principal: Principal, table: TableMetadata, sql_table: sa.Table
) -> Any:
    privilege = privilege_name(Right.READ, table)
    if principal.depth(privilege) is Depth.NONE:
        raise privilege_denied(principal, privilege, table, Depth.USER)
    owned = table.ownership in (Ownership.USER, Ownership.BUSINESS_UNIT)
    if principal.depth(privilege) >= Depth.ORGANIZATION or not owned:
        return None
    key = sql_table.c[table.primary_key]
    owners = list(principal.owner_ids)
    if table.ownership is Ownership.USER:
        unit_column = sql_table.c.owningbusinessunit
        mine = sql_table.c.ownerid.in_(owners)
    else:
        unit_column = sql_table.c.businessunitid
        mine = key.in_(owners)
    reachable: list[Any] = [mine]
    if "principalobjectaccess" in tables:
        access = tables["principalobjectaccess"]
        reachable.append(
            key.in_(
                sa.select(access.c.objectid).where(
                    access.c.objecttypecode == table.name,
                    access.c.principalid.in_(owners),
                    access.c.accessrightsmask.op("&")(int(Right.READ)) != 0,
                )
            )
        )
    units: set[uuid.UUID] = set()
    for reach in principal.reaches:
        depth = reach.depth(privilege)
        if depth >= Depth.PARENT_CHILD:
            units |= reach.units_below
        elif depth >= Depth.BUSINESS_UNIT and reach.unit is not None:
            units.add(reach.unit)
    if len(units) == 1:
        reachable.append(unit_column == next(iter(units)))
    elif units:
        reachable.append(unit_column.in_(sorted(units, key=str)))
    return sa.or_(*reachable)


def privilege_denied(
    principal: Principal, privilege: str, table: TableMetadata | None, depth: Depth
) -> errors.LeadgateError:
    return errors.PRIVILEGE_DENIED(
        user=principal.name,
        user_id=principal.user_id,
        privilege=privilege,
        table=table.name if table is not None else Text(N_("the organization")),
        depth=depth.label,
        roles=", ".join(principal.roles) if principal.roles else Text(N_("no role")),
    )


def access_denied(
    principal: Principal, right: Right, table: TableMetadata, record: RecordOwner, depth: Depth
) -> errors.LeadgateError:
    owner = record.owner
    return errors.RECORD_ACCESS_DENIED(
        user=principal.name,
        right=right.access_name,
        table=table.name,
        id=record.id,
        owner=f"{owner.logical_name} {owner.id}" if owner is not None else "-",
        unit=record.business_unit or "-",
        privilege=privilege_name(right, table),
        depth=depth.label,
        needed=principal.depth_needed(record).label,
    )


def require(
    connection: sa.Connection,
    tables: Any,
    principal: Principal,
    right: Right,
    table: TableMetadata,
    record: RecordOwner | None = None,
) -> None:
    """Refuse unless the principal holds the right on the table, at a depth reaching record
    (0x80040220 when the privilege is short, 0x80048306 when the record is out of reach)."""
    privilege = privilege_name(right, table)
    depth = principal.depth(privilege)
    if depth is Depth.NONE:
        raise privilege_denied(principal, privilege, table, principal.depth_needed(record))
    if record is None or principal.can(privilege, record):
        return
    if record.id is None:  # a record to be made, or a depth asked for: the privilege is short
        raise privilege_denied(principal, privilege, table, principal.depth_needed(record))
    if is_shared(connection, tables, principal, record, right):
        return
    raise access_denied(principal, right, table, record, depth)
