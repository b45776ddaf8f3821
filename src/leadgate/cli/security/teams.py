"""``leadgate teams``: owner teams, their members (AddMembersTeam, RemoveMembersTeam) and
their roles (as SYSTEM)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Annotated

import typer

from leadgate.cli.output import DbOption, open_organization, print_table, say
from leadgate.cli.security.lookup import (
    RoleArgument,
    TeamArgument,
    _id,
    _names,
    _refuse_taken,
    _rows,
    find_role,
    find_team,
    find_unit,
)
from leadgate.cli.security.roles import _set_role
from leadgate.platform import (
    Entity,
    EntityReference,
    ExecuteTransactionRequest,
    OrganizationService,
)
from leadgate.platform.engine.i18n import N_
from leadgate.platform.records.crud import CreateRequest
from leadgate.platform.security.messages import AddMembersTeamRequest, RemoveMembersTeamRequest

__all__ = ["members_app", "team_roles_app", "teams_app"]

teams_app = typer.Typer(help="Owner teams, their members and roles.", no_args_is_help=True)
members_app = typer.Typer(help="Add and remove a team's members.", no_args_is_help=True)
team_roles_app = typer.Typer(help="Give a team a security role, or take it.", no_args_is_help=True)
teams_app.add_typer(members_app, name="members")
teams_app.add_typer(team_roles_app, name="roles")


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
