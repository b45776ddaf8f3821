"""``leadgate roles``: security roles, their privileges (AddPrivilegesRole,
RemovePrivilegeRole) and the users and teams who hold them (as SYSTEM)."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Annotated

import typer

from leadgate.cli.output import DbOption, console, open_organization, print_table, say
from leadgate.cli.security.lookup import (
    DEPTHS,
    RoleArgument,
    TeamOption,
    UserOption,
    _depth,
    _depth_label,
    _id,
    _names,
    _principal,
    _rows,
    find_role,
)
from leadgate.platform import ConditionExpression, FilterExpression
from leadgate.platform.engine.i18n import N_
from leadgate.platform.security.messages import (
    AddPrivilegesRoleRequest,
    RemovePrivilegeRoleRequest,
    RolePrivilege,
)
from leadgate.platform.security.privileges import Depth

__all__ = ["roles_app"]

roles_app = typer.Typer(
    help="Security roles: their privileges, and who holds them.", no_args_is_help=True
)


# --- roles --------------------------------------------------------------------------------


@roles_app.command("list")
def list_roles(db: DbOption = None) -> None:
    """List the security roles: how many privileges, and how many users and teams hold them."""
    with open_organization(db) as organization:
        system = organization.system_service()
        roles = _rows(system, "role", "name", "grantsall")

        def count(table: str) -> Counter[uuid.UUID]:
            return Counter(row["roleid"].id for row in _rows(system, table, "roleid"))

        privileges, users = count("roleprivileges"), count("systemuserroles")
        teams = count("teamroles")
        print_table(
            ["name", "privileges", "users", "teams", "id"],
            (
                (
                    role["name"],
                    "all" if role["grantsall"] else privileges[_id(role)],
                    users[_id(role)],
                    teams[_id(role)],
                    role.id,
                )
                for role in sorted(roles, key=lambda r: str(r["name"]).casefold())
            ),
        )


@roles_app.command("show")
def show_role(role: RoleArgument, db: DbOption = None) -> None:
    """Show a role's privileges and the depth of each, sorted by name."""
    with open_organization(db) as organization:
        system = organization.system_service()
        found = system.retrieve("role", _id(find_role(system, role)), ["name", "grantsall"])
        if found["grantsall"]:
            say(
                N_("{role}: every privilege at {depth} depth, those of tables added later too."),
                role=found["name"],
                depth=_depth_label(Depth.ORGANIZATION),
            )
            return
        privileges = {
            _id(row): (str(row["name"]), row["tablename"] or "")
            for row in _rows(system, "privilege", "name", "tablename")
        }
        grants = system.retrieve_multiple_all(
            "roleprivileges",
            criteria=FilterExpression(
                conditions=(ConditionExpression.make("roleid", "eq", found.id),)
            ),
            columns=["privilegeid", "privilegedepthmask"],
        )
        rows = sorted(
            (*privileges[row["privilegeid"].id], Depth(row["privilegedepthmask"])) for row in grants
        )
        print_table(
            ["privilege", "table", "depth"],
            ((name, table, _depth_label(depth)) for name, table, depth in rows),
        )
        if not rows:
            console.print("(no privileges)")


@roles_app.command("grant")
def grant(
    role: RoleArgument,
    privileges: Annotated[
        list[str], typer.Argument(help="Privilege names: prv + right + table, e.g. prvCreateLead.")
    ],
    depth: Annotated[str, typer.Option("--depth", help=f"How far each reaches: {DEPTHS}.")],
    db: DbOption = None,
) -> None:
    """Grant privileges to a role at a depth (AddPrivilegesRole; replaces the depth they had)."""
    level = _depth(depth)
    with open_organization(db) as organization:
        system = organization.system_service()
        found = find_role(system, role)
        # Shown as the catalogue spells them; an unknown name is the message's error to report.
        spelled = {name.casefold(): name for name in _names(system, "privilege").values()}
        items = tuple(
            RolePrivilege(spelled.get(name.strip().casefold(), name.strip()), level)
            for name in privileges
        )
        system.execute(AddPrivilegesRoleRequest(_id(found), items))
        say(
            N_("Granted {privileges} to {role} at {depth} depth."),
            privileges=", ".join(item.privilege for item in items),
            role=found["name"],
            depth=_depth_label(level),
        )


@roles_app.command("revoke")
def revoke(
    role: RoleArgument,
    privilege: Annotated[str, typer.Argument(help="The privilege, e.g. prvDeleteLead.")],
    db: DbOption = None,
) -> None:
    """Take a privilege from a role (RemovePrivilegeRole)."""
    with open_organization(db) as organization:
        system = organization.system_service()
        found = find_role(system, role)
        response = system.execute(RemovePrivilegeRoleRequest(_id(found), privilege.strip()))
        params = {"privilege": privilege.strip(), "role": found["name"]}
        if response.changed:
            say(N_("Removed {privilege} from {role}."), **params)
        else:
            say(N_("{role} did not have {privilege}."), **params)


def _set_role(
    role: str, user: str | None, team: str | None, db: str | None, *, assign: bool
) -> None:
    """Give (or take) a role to a user (systemuserroles) or a team (teamroles)."""
    with open_organization(db) as organization:
        system = organization.system_service()
        found = find_role(system, role)
        principal, shown = _principal(system, user, team)
        link, column = (
            ("systemuserroles", "systemuserid")
            if principal.logical_name == "systemuser"
            else ("teamroles", "teamid")
        )
        existing = system.retrieve_multiple(link, **{column: principal.id, "roleid": found.id})
        params = {"role": found["name"], "principal": shown}
        if assign and existing.entities:
            say(N_("{principal} already has the role {role}."), **params)
        elif assign:
            system.create(link, {column: principal, "roleid": found.to_reference()})
            say(N_("Assigned the role {role} to {principal}."), **params)
        elif existing.entities:
            for row in existing.entities:
                system.delete(link, _id(row))
            say(N_("Removed the role {role} from {principal}."), **params)
        else:
            say(N_("{principal} does not have the role {role}."), **params)


@roles_app.command("assign")
def assign(
    role: RoleArgument, user: UserOption = None, team: TeamOption = None, db: DbOption = None
) -> None:
    """Give a role to a user or a team (nothing changes if they hold it already)."""
    _set_role(role, user, team, db, assign=True)


@roles_app.command("unassign")
def unassign(
    role: RoleArgument, user: UserOption = None, team: TeamOption = None, db: DbOption = None
) -> None:
    """Take a role from a user or a team."""
    _set_role(role, user, team, db, assign=False)
