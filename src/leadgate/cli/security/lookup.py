"""Finding units, teams, roles, users and records' principals by the names people type, and
reading the depths and rights they type (for ``leadgate bu``, ``teams``, ``roles``, ``share``).
"""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from leadgate.cli.output import language
from leadgate.platform import Entity, EntityReference, OrganizationService
from leadgate.platform.security.privileges import Depth, Right

__all__ = [
    "DEPTHS",
    "RIGHTS",
    "SHARED_RIGHTS",
    "RoleArgument",
    "TeamArgument",
    "TeamOption",
    "UserOption",
    "find_role",
    "find_team",
    "find_unit",
    "rights_text",
]

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
