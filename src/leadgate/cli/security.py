"""``leadgate bu``, ``teams``, ``roles`` and ``share``: who may do what (REFERENCE §6).

Administrative commands run as SYSTEM, each change through the message Dataverse names for
it (AddPrivilegesRole, AddMembersTeam, GrantAccess …). Units, teams and roles are named as
people type them: case does not matter, and an unknown name lists the known ones.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Annotated

import typer

from leadgate.cli.output import DbOption, console, language, open_organization, print_table, say
from leadgate.platform import (
    SYSTEM_USER_ID,
    ConditionExpression,
    Entity,
    EntityReference,
    ExecuteTransactionRequest,
    FilterExpression,
    OrganizationService,
)
from leadgate.platform.engine.i18n import N_
from leadgate.platform.records.crud import CreateRequest
from leadgate.platform.security.messages import (
    AddMembersTeamRequest,
    AddPrivilegesRoleRequest,
    RemoveMembersTeamRequest,
    RemovePrivilegeRoleRequest,
    RolePrivilege,
)
from leadgate.platform.security.privileges import Depth, Right
from leadgate.platform.security.sharing import (
    GrantAccessRequest,
    ModifyAccessRequest,
    PrincipalAccess,
    RetrieveSharedPrincipalsAndAccessRequest,
    RevokeAccessRequest,
)

__all__ = [
    "bu_app",
    "find_role",
    "find_team",
    "find_unit",
    "rights_text",
    "roles_app",
    "share",
    "teams_app",
]

bu_app = typer.Typer(
    help="Business units: the tree users and teams belong to.", no_args_is_help=True
)
teams_app = typer.Typer(help="Owner teams, their members and roles.", no_args_is_help=True)
members_app = typer.Typer(help="Add and remove a team's members.", no_args_is_help=True)
team_roles_app = typer.Typer(help="Give a team a security role, or take it.", no_args_is_help=True)
roles_app = typer.Typer(
    help="Security roles: their privileges, and who holds them.", no_args_is_help=True
)
teams_app.add_typer(members_app, name="members")
teams_app.add_typer(team_roles_app, name="roles")

DEPTHS = "user, businessunit, parentchild or organization"
RIGHTS = "read, write, append, appendto, delete, assign, share (or all)"
# Create is a privilege, never a right on one record: it cannot be shared.
SHARED_RIGHTS = tuple(right for right in Right if right is not Right.CREATE)

RoleArgument = Annotated[str, typer.Argument(help="The security role, e.g. Salesperson.")]
TeamArgument = Annotated[str, typer.Argument(help="The team's name.")]
UserOption = Annotated[str | None, typer.Option("--user", help="A user's e-mail address.")]
TeamOption = Annotated[str | None, typer.Option("--team", help="A team's name.")]


# --- finding things by name ---------------------------------------------------------------


def _id(row: Entity) -> uuid.UUID:
    return row.to_reference().id


def _rows(service: OrganizationService, table: str, *columns: str) -> list[Entity]:
    return service.retrieve_multiple_all(table, columns=columns)


def _named(service: OrganizationService, table: str, name: str, what: str, hint: str) -> Entity:
    rows = _rows(service, table, "name")
    key = name.strip().casefold()
    for row in rows:
        if str(row["name"]).casefold() == key:
            return row
    known = ", ".join(sorted(str(row["name"]) for row in rows)) or "none yet"
    raise typer.BadParameter(f"no {what} is named '{name}' (known: {known})", param_hint=hint)


def find_role(service: OrganizationService, name: str, hint: str = "ROLE") -> Entity:
    """The security role of that name (case does not matter)."""
    return _named(service, "role", name, "security role", hint)


def find_team(service: OrganizationService, name: str, hint: str = "TEAM") -> Entity:
    """The team of that name (case does not matter)."""
    return _named(service, "team", name, "team", hint)


def find_unit(
    service: OrganizationService, name: str | None, hint: str = "--business-unit"
) -> Entity:
    """The business unit of that name; with no name, the root unit (the one with no parent)."""
    if name is not None:
        return _named(service, "businessunit", name, "business unit", hint)
    units = _rows(service, "businessunit", "name", "parentbusinessunitid")
    return next(unit for unit in units if unit["parentbusinessunitid"] is None)


def _refuse_taken(service: OrganizationService, table: str, name: str, what: str) -> None:
    # The CLI finds units and teams by name: two of the same name could not be told apart.
    key = name.strip().casefold()
    if any(str(row["name"]).casefold() == key for row in _rows(service, table, "name")):
        raise typer.BadParameter(f"a {what} named '{name}' exists already", param_hint="NAME")


def _names(service: OrganizationService, table: str, column: str = "name") -> dict[uuid.UUID, str]:
    return {_id(row): str(row[column]) for row in _rows(service, table, column)}


def _depth(text: str) -> Depth:
    try:
        depth = Depth.parse(text)
    except ValueError:
        depth = Depth.NONE
    if depth is Depth.NONE:
        raise typer.BadParameter(f"'{text}' is not a depth: use {DEPTHS}", param_hint="--depth")
    return depth


def _rights(text: str) -> Right:
    mask = Right(0)
    for word in filter(None, (part.strip() for part in text.split(","))):
        if word.lower() == "all":
            mask |= sum(SHARED_RIGHTS, Right(0))
            continue
        try:
            right = Right.parse(word)
        except ValueError:
            right = Right.CREATE
        if right not in SHARED_RIGHTS:
            raise typer.BadParameter(
                f"'{word}' is not a right to share: use {RIGHTS}", param_hint="--rights"
            )
        mask |= right
    if not mask:
        raise typer.BadParameter(f"name at least one right: {RIGHTS}", param_hint="--rights")
    return mask


def rights_text(mask: int) -> str:
    """A Right mask as people type it: read,write,appendto."""
    return ",".join(right.word.lower() for right in Right if right & mask)


def _depth_label(depth: Depth) -> str:
    return depth.label.in_language(language())


# --- business units -----------------------------------------------------------------------


@bu_app.command("add")
def add_unit(
    name: Annotated[str, typer.Argument(help="The new unit's name.")],
    parent: Annotated[
        str | None, typer.Option("--parent", help="The unit above it (default: the root unit).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a business unit under another (by default, under the root unit)."""
    with open_organization(db) as organization:
        system = organization.system_service()
        above = find_unit(system, parent, "--parent")
        _refuse_taken(system, "businessunit", name, "business unit")
        unit_id = system.create(
            "businessunit", name=name.strip(), parentbusinessunitid=above.to_reference()
        )
        say(
            N_("Added business unit {name} under {parent} ({id})."),
            name=name.strip(),
            parent=above["name"],
            id=unit_id,
        )


@bu_app.command("list")
def list_units(db: DbOption = None) -> None:
    """List the business units: parent, users and teams."""
    with open_organization(db) as organization:
        system = organization.system_service()
        units = _rows(system, "businessunit", "name", "parentbusinessunitid")
        names = {_id(unit): unit["name"] for unit in units}
        users = Counter(
            user["businessunitid"].id
            for user in _rows(system, "systemuser", "businessunitid")
            if user.id != SYSTEM_USER_ID and user["businessunitid"] is not None
        )
        teams = Counter(
            team["businessunitid"].id for team in _rows(system, "team", "businessunitid")
        )

        def parent(unit: Entity) -> str:
            above = unit["parentbusinessunitid"]
            return names.get(above.id, "") if above is not None else ""

        # The root first, then by name.
        ordered = sorted(units, key=lambda u: (bool(parent(u)), str(u["name"]).casefold()))
        print_table(
            ["name", "parent", "users", "teams", "id"],
            ((u["name"], parent(u), users[u.id], teams[u.id], u.id) for u in ordered),
        )


# --- teams --------------------------------------------------------------------------------


@teams_app.command("add")
def add_team(
    name: Annotated[str, typer.Argument(help="The new team's name.")],
    business_unit: Annotated[str, typer.Option("--business-unit", help="The unit it belongs to.")],
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help="A security role for the team (repeat for more)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Add an owner team: its members work the records it owns, with the team's roles."""
    with open_organization(db) as organization:
        system = organization.system_service()
        unit = find_unit(system, business_unit)
        roles = {
            _id(found): found for found in (find_role(system, r, "--role") for r in role or ())
        }
        _refuse_taken(system, "team", name, "team")
        team = EntityReference("team", uuid.uuid4())
        values = {"name": name.strip(), "teamtype": 0, "businessunitid": unit.to_reference()}
        requests: list[object] = [CreateRequest(Entity("team", team.id, values))]
        requests += [
            CreateRequest(Entity("teamroles", teamid=team, roleid=found.to_reference()))
            for found in roles.values()
        ]
        system.execute(ExecuteTransactionRequest(tuple(requests)))
        say(
            N_("Added team {name} in {unit} ({id})."),
            name=name.strip(),
            unit=unit["name"],
            id=team.id,
        )


@teams_app.command("list")
def list_teams(db: DbOption = None) -> None:
    """List the teams: business unit, members and roles."""
    with open_organization(db) as organization:
        system = organization.system_service()
        teams = _rows(system, "team", "name", "businessunitid")
        units = _names(system, "businessunit")
        roles = _names(system, "role")
        members = Counter(row["teamid"].id for row in _rows(system, "teammembership", "teamid"))
        held: dict[uuid.UUID, list[str]] = {}
        for row in _rows(system, "teamroles", "teamid", "roleid"):
            held.setdefault(row["teamid"].id, []).append(roles[row["roleid"].id])
        print_table(
            ["name", "business unit", "members", "roles", "id"],
            (
                (
                    team["name"],
                    units.get(team["businessunitid"].id),
                    members[team.id],
                    ", ".join(sorted(held.get(_id(team), ()))),
                    team.id,
                )
                for team in sorted(teams, key=lambda t: str(t["name"]).casefold())
            ),
        )


def _user_ids(system: OrganizationService, emails: Iterable[str]) -> tuple[uuid.UUID, ...]:
    return tuple(_id(system.find_user(email)) for email in emails)


@members_app.command("add")
def add_members(
    team: TeamArgument,
    emails: Annotated[list[str], typer.Argument(help="The e-mail addresses of the new members.")],
    db: DbOption = None,
) -> None:
    """Add users to a team (AddMembersTeam): they work its records, with its roles."""
    with open_organization(db) as organization:
        system = organization.system_service()
        found = find_team(system, team)
        response = system.execute(AddMembersTeamRequest(_id(found), _user_ids(system, emails)))
        say(N_("Added {count} member(s) to {team}."), count=response.changed, team=found["name"])


@members_app.command("remove")
def remove_members(
    team: TeamArgument,
    emails: Annotated[list[str], typer.Argument(help="The e-mail addresses of the members.")],
    db: DbOption = None,
) -> None:
    """Remove users from a team (RemoveMembersTeam)."""
    with open_organization(db) as organization:
        system = organization.system_service()
        found = find_team(system, team)
        response = system.execute(RemoveMembersTeamRequest(_id(found), _user_ids(system, emails)))
        say(
            N_("Removed {count} member(s) from {team}."),
            count=response.changed,
            team=found["name"],
        )


@team_roles_app.command("add")
def add_team_role(team: TeamArgument, role: RoleArgument, db: DbOption = None) -> None:
    """Give a team a security role (as: leadgate roles assign ROLE --team TEAM)."""
    _set_role(role, None, team, db, assign=True)


@team_roles_app.command("remove")
def remove_team_role(team: TeamArgument, role: RoleArgument, db: DbOption = None) -> None:
    """Take a security role from a team (as: leadgate roles unassign ROLE --team TEAM)."""
    _set_role(role, None, team, db, assign=False)


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


def _principal(
    system: OrganizationService, user: str | None, team: str | None
) -> tuple[EntityReference, str]:
    """The user or team of exactly one of --user and --team, and how to name it."""
    if (user is None) == (team is None):
        raise typer.BadParameter("give either --user EMAIL or --team TEAM", param_hint="--user")
    if user is not None:
        return system.find_user(user).to_reference(), user.strip()
    found = find_team(system, team or "", "--team")
    return found.to_reference(), str(found["name"])


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


# --- sharing ------------------------------------------------------------------------------


def share(
    table: Annotated[str, typer.Argument(metavar="TABLE", help="The record's table, e.g. lead.")],
    record: Annotated[str, typer.Argument(metavar="ID", help="The record's id.")],
    user: UserOption = None,
    team: TeamOption = None,
    rights: Annotated[
        str | None, typer.Option("--rights", help=f"Comma-separated: {RIGHTS}.")
    ] = None,
    revoke: Annotated[
        bool, typer.Option("--revoke", help="Stop sharing (only the --rights given, if any).")
    ] = False,
    show: Annotated[
        bool, typer.Option("--list", help="List who the record is shared with.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Share a record with a user or a team (GrantAccess), stop sharing it, or list its shares."""
    try:
        target = EntityReference(table.strip().lower(), uuid.UUID(record))
    except ValueError:
        raise typer.BadParameter(f"'{record}' is not a record id", param_hint="ID") from None
    if show and (user is not None or team is not None or revoke or rights is not None):
        raise typer.BadParameter("--list takes no other option", param_hint="--list")
    mask = _rights(rights) if rights is not None else None
    if not show and not revoke and mask is None:
        raise typer.BadParameter(f"say which rights to share: {RIGHTS}", param_hint="--rights")
    with open_organization(db) as organization:
        system = organization.system_service()
        if show:
            _list_shares(system, target)
            return
        principal, shown = _principal(system, user, team)
        params = {"table": target.logical_name, "id": target.id, "principal": shown}
        if not revoke:
            assert mask is not None
            response = system.execute(GrantAccessRequest(target, PrincipalAccess(principal, mask)))
            now = response.principal_accesses[0].access_mask
            say(
                N_("Shared {table} {id} with {principal}: {rights}."),
                rights=rights_text(now),
                **params,
            )
            return
        left = 0
        if mask is not None:  # take only these rights away: ModifyAccess with the rest
            shares = system.execute(RetrieveSharedPrincipalsAndAccessRequest(target))
            held = [
                int(s.access_mask)
                for s in shares.principal_accesses
                if s.principal.id == principal.id
            ]
            left = (held[0] if held else 0) & ~int(mask)
        if left:
            system.execute(ModifyAccessRequest(target, PrincipalAccess(principal, Right(left))))
            say(
                N_("Shared {table} {id} with {principal}: {rights}."),
                rights=rights_text(left),
                **params,
            )
        else:
            system.execute(RevokeAccessRequest(target, principal))
            say(N_("{table} {id} is no longer shared with {principal}."), **params)


def _list_shares(system: OrganizationService, target: EntityReference) -> None:
    shares = system.execute(RetrieveSharedPrincipalsAndAccessRequest(target)).principal_accesses
    names = {**_names(system, "systemuser", "internalemailaddress"), **_names(system, "team")}
    print_table(
        ["shared with", "name", "rights", "id"],
        (
            (
                item.principal.logical_name,
                names.get(item.principal.id, ""),
                rights_text(item.access_mask),
                item.principal.id,
            )
            for item in shares
        ),
    )
    if not shares:
        console.print("(not shared)")
