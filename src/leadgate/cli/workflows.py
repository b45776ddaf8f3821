"""``leadgate workflows``: no-code workflows (issue 13), ``workflow`` records of category 0.

``add`` reads a small TOML definition (docs/workflows.md) and saves it as a draft; ``activate``
and ``deactivate`` are SetState on the record, which the platform checks. The seed's fix for a
qualification a workflow breaks, "deactivate the workflows one by one", is ``deactivate``.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated

import typer

from leadgate.cli.output import DbOption, open_organization, print_table, say
from leadgate.platform import Entity, EntityReference, OrganizationService, SetStateRequest
from leadgate.platform.engine.i18n import N_
from leadgate.platform.workflows.authoring import MODES, RUN_AS, SCOPES, from_toml
from leadgate.platform.workflows.errors import WORKFLOW_NOT_FOUND

__all__ = ["app", "find_workflow", "workflows"]

app = typer.Typer(
    help="No-code workflows: list, show, add from a TOML file, activate, deactivate.",
    no_args_is_help=True,
)

WorkflowArgument = Annotated[
    str, typer.Argument(help="The workflow: its name (English or French) or its id.")
]
COLUMNS = [
    "name", "name_fr", "primaryentity", "statecode", "mode", "scope", "runas", "owninguser",
    "createdby", "triggeroncreate", "triggeronupdateattributelist", "triggeronstatechange",
    "clientdata", "category", "description",
]  # fmt: skip
DRAFT, ACTIVATED = (0, 1), (1, 2)  # (state, status reason)


def _named(table: dict[str, int], value: object) -> str:
    return next((name for name, known in table.items() if known == value), str(value))


def workflows(service: OrganizationService) -> list[Entity]:
    """Every workflow (not the process flows that share the table), by name."""
    found = service.retrieve_multiple_all("workflow", columns=COLUMNS)
    return sorted(
        (row for row in found if row.get("category") == 0),
        key=lambda row: str(row["name"]).casefold(),
    )


def find_workflow(service: OrganizationService, text: str) -> Entity:
    key = text.strip().casefold()
    for row in workflows(service):
        names = (row.get("name"), row.get("name_fr"), str(row.id))
        if any(name is not None and str(name).casefold() == key for name in names):
            return row
    raise WORKFLOW_NOT_FOUND(name=text)


def _trigger(row: Entity) -> str:
    parts = []
    if row.get("triggeroncreate"):
        parts.append("create")
    if row.get("triggeronupdateattributelist"):
        parts.append(f"update({row['triggeronupdateattributelist']})")
    if row.get("triggeronstatechange"):
        parts.append("state change")
    return ", ".join(parts)


def _state(row: Entity) -> str:
    return "Activated" if row.get("statecode") == 1 else "Draft"


@app.command("list")
def list_workflows(db: DbOption = None) -> None:
    """List the workflows: name, state, table, trigger, mode, scope, run-as, id."""
    with open_organization(db) as organization:
        found = workflows(organization.system_service())
        if not found:
            say(N_("(no workflows)"))
            return
        print_table(
            ["name", "state", "table", "trigger", "mode", "scope", "run as", "id"],
            (
                (row["name"], _state(row), row["primaryentity"], _trigger(row),
                 _named(MODES, row.get("mode")), _named(SCOPES, row.get("scope")),
                 _named(RUN_AS, row.get("runas")), row.id)
                for row in found
            ),
        )  # fmt: skip


@app.command("show")
def show(workflow: WorkflowArgument, db: DbOption = None) -> None:
    """Show a workflow: its settings and its steps (JSON, as stored)."""
    with open_organization(db) as organization:
        row = find_workflow(organization.system_service(), workflow)
        owner = row.get("owninguser") or row.get("createdby")
        print_table(
            ["setting", "value"],
            [
                ("name", row["name"]), ("state", _state(row)), ("table", row["primaryentity"]),
                ("trigger", _trigger(row)), ("mode", _named(MODES, row.get("mode"))),
                ("scope", _named(SCOPES, row.get("scope"))),
                ("run as", _named(RUN_AS, row.get("runas"))),
                ("owner", owner.id if isinstance(owner, EntityReference) else owner),
                ("id", row.id),
            ],
        )  # fmt: skip
        steps = json.loads(row.get("clientdata") or "{}").get("steps", [])
        typer.echo(json.dumps(steps, indent=2, ensure_ascii=False))


@app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="The definition, a TOML file (docs/workflows.md).")],
    owner: Annotated[
        str | None,
        typer.Option(metavar="EMAIL", help="The workflow's owner (default: the system)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Save a workflow from a TOML file, as a draft: checked now, and again when activated."""
    try:
        values = from_toml(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise typer.BadParameter(str(error), param_hint="FILE") from None
    with open_organization(db) as organization:
        system = organization.system_service()
        if owner:
            user_id = system.find_user(owner).id
            assert user_id is not None
            values["owninguser"] = EntityReference("systemuser", user_id)
        made = system.create("workflow", values)
        say(N_("Added the workflow {workflow} as a draft ({id}): activate it with "
               "leadgate workflows activate."), workflow=values["name"], id=made)  # fmt: skip


@app.command("activate")
def activate(workflow: WorkflowArgument, db: DbOption = None) -> None:
    """Activate a workflow (checked first, its owner's privileges too): it runs from now on."""
    _set_state(workflow, ACTIVATED, db)


@app.command("deactivate")
def deactivate(workflow: WorkflowArgument, db: DbOption = None) -> None:
    """Set a workflow back to Draft: it no longer runs (the seed's fix, one by one)."""
    _set_state(workflow, DRAFT, db)


def _set_state(text: str, state: tuple[int, int], db: str | None) -> None:
    with open_organization(db) as organization:
        system = organization.system_service()
        row = find_workflow(system, text)
        assert row.id is not None
        system.execute(SetStateRequest(EntityReference("workflow", row.id), *state))
        if state == ACTIVATED:
            say(N_("Activated the workflow {workflow}."), workflow=row["name"])
        else:
            say(N_("Deactivated the workflow {workflow}: it no longer runs."),
                workflow=row["name"])  # fmt: skip
