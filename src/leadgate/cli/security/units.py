"""``leadgate bu``: business units, the tree users and teams belong to (as SYSTEM)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import typer

from leadgate.cli.output import DbOption, open_organization, print_table, say
from leadgate.cli.security.lookup import _id, _refuse_taken, _rows, find_unit
from leadgate.platform import SYSTEM_USER_ID, Entity
from leadgate.platform.engine.i18n import N_

__all__ = ["bu_app"]

bu_app = typer.Typer(
    help="Business units: the tree users and teams belong to.", no_args_is_help=True
)


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
