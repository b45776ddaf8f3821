"""``leadgate plugins``: register, list, enable and disable steps; read the trace log; and
the check of every enabled step that ``leadgate serve`` prints when it starts."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

from leadgate.cli.output import (
    DbOption,
    PluginsOption,
    console,
    language,
    open_organization,
    print_table,
    say,
)
from leadgate.platform import Entity, Organization, OrganizationService
from leadgate.platform.engine.i18n import N_, translate
from leadgate.platform.engine.query import (
    ConditionExpression,
    FilterExpression,
    OrderExpression,
    QueryExpression,
)
from leadgate.platform.engine.types import Language, Stage, StepMode
from leadgate.platform.plugins.checks import broken_steps
from leadgate.platform.plugins.registry import step_from_row

__all__ = ["app", "startup_report"]

app = typer.Typer(
    help="Plug-in steps: Python functions that run on messages.", no_args_is_help=True
)

STAGES = {
    "10": Stage.PRE_VALIDATION,
    "20": Stage.PRE_OPERATION,
    "40": Stage.POST_OPERATION,
    "pre-validation": Stage.PRE_VALIDATION,
    "pre-operation": Stage.PRE_OPERATION,
    "post-operation": Stage.POST_OPERATION,
}
TRACE_SETTINGS = {"off": 0, "exception": 1, "all": 2}


def _stage(text: str) -> Stage:
    stage = STAGES.get(text.lower())
    if stage is None:
        raise typer.BadParameter(
            "use 10 (pre-validation), 20 (pre-operation) or 40 (post-operation)"
        )
    return stage


@app.command("register")
def register(
    name: Annotated[str, typer.Option(help="A name people will recognise.")],
    message: Annotated[
        str,
        typer.Option(
            help="Message: Create, Update, Delete, SetState, Assign, Retrieve, RetrieveMultiple …"
        ),
    ],
    stage: Annotated[
        str, typer.Option(help="10 pre-validation, 20 pre-operation, 40 post-operation.")
    ],
    handler: Annotated[str, typer.Option(help="The Python callable, as package.module:function.")],
    table: Annotated[str | None, typer.Option(help="The table (omit: every table).")] = None,
    rank: Annotated[
        int, typer.Option(help="Order among steps of the same stage (lower first).", min=0)
    ] = 1,
    mode: Annotated[str, typer.Option(help="sync, or async (stage 40 only).")] = "sync",
    filtering: Annotated[
        str | None,
        typer.Option(help="Update only: run when one of these columns changes (comma list)."),
    ] = None,
    pre_image: Annotated[
        str | None,
        typer.Option(help="Columns of the record before the operation (comma list, or *)."),
    ] = None,
    post_image: Annotated[
        str | None,
        typer.Option(help="Columns of the record after the operation (comma list, or *)."),
    ] = None,
    config: Annotated[
        str | None, typer.Option(help="Configuration text given to the plug-in.")
    ] = None,
    run_as: Annotated[
        str | None, typer.Option(help="E-mail of a user the step's nested operations run as.")
    ] = None,
    db: DbOption = None,
    folder: PluginsOption = None,
) -> None:
    """Register a step: HANDLER runs on MESSAGE for TABLE at STAGE.

    HANDLER's module is imported from the plug-ins folder (or Python's path), as the server
    will: a handler that cannot be loaded is refused."""
    with open_organization(db, folder) as organization:
        system = organization.system_service()
        if mode.lower() not in ("sync", "async"):
            raise typer.BadParameter("use sync or async", param_hint="--mode")
        step_mode = StepMode.ASYNCHRONOUS if mode.lower() == "async" else StepMode.SYNCHRONOUS
        values: dict[str, Any] = {
            "name": name,
            "messagename": message,
            "primaryentity": table,
            "stage": int(_stage(stage)),
            "rank": rank,
            "mode": int(step_mode),
            "plugintypename": handler,
            "filteringattributes": filtering,
            "preimageattributes": pre_image,
            "postimageattributes": post_image,
            "configuration": config,
        }
        if run_as:
            values["impersonatinguserid"] = system.find_user(run_as).to_reference()
        step_id = system.create("sdkmessageprocessingstep", values)
        say(N_("Registered step {name} ({id})."), name=name, id=step_id)
        if step_mode is StepMode.ASYNCHRONOUS:
            say(
                N_(
                    "It runs as a system job after each operation commits: a worker must run "
                    "(leadgate worker, or the one leadgate serve embeds on SQLite)."
                )
            )


def _find_step(system: OrganizationService, key: str) -> Entity:
    try:
        return system.retrieve("sdkmessageprocessingstep", uuid.UUID(key))
    except ValueError:
        pass
    found = system.retrieve_multiple("sdkmessageprocessingstep", name=key).entities
    if len(found) != 1:
        raise typer.BadParameter(
            f"{len(found)} steps are named '{key}': give the id from 'leadgate plugins list'"
            if found
            else f"no step is named '{key}'"
        )
    return found[0]


def _set_enabled(key: str, enabled: bool, db: str | None, folder: Path | None) -> None:
    with open_organization(db, folder) as organization:
        system = organization.system_service()
        step = _find_step(system, key)
        assert step.id is not None
        system.set_state("sdkmessageprocessingstep", step.id, 0 if enabled else 1)
        say(
            N_("Step {name} is enabled.") if enabled else N_("Step {name} is disabled."),
            name=step["name"],
        )


@app.command("enable")
def enable(
    step: Annotated[str, typer.Argument(help="Step id or name.")],
    db: DbOption = None,
    folder: PluginsOption = None,
) -> None:
    """Enable a step."""
    _set_enabled(step, True, db, folder)


@app.command("disable")
def disable(
    step: Annotated[str, typer.Argument(help="Step id or name.")],
    db: DbOption = None,
    folder: PluginsOption = None,
) -> None:
    """Disable a step: it stays registered but does not run."""
    _set_enabled(step, False, db, folder)


@app.command("list")
def list_steps(
    message: Annotated[str | None, typer.Option(help="Only steps on this message.")] = None,
    table: Annotated[str | None, typer.Option(help="Only steps that run on this table.")] = None,
    db: DbOption = None,
    folder: PluginsOption = None,
) -> None:
    """Every rule that runs on a message, the platform's own included, in running order.

    An enabled step whose handler cannot be loaded is listed as broken, with why."""
    with open_organization(db, folder) as organization:
        broken = {found.step.id: found for found in broken_steps(organization)}
        system = organization.system_service()
        stored = [
            step_from_row(
                {
                    **record,
                    "sdkmessageprocessingstepid": record.id,
                    "impersonatinguserid": record["impersonatinguserid"].id
                    if record.get("impersonatinguserid")
                    else None,
                }
            )
            for record in system.retrieve_multiple_all("sdkmessageprocessingstep")
        ]
        steps = sorted(
            [*organization.steps.code_steps, *stored],
            key=lambda s: (s.message, s.table or "", int(s.stage), s.rank, s.name),
        )
        chosen = [
            s
            for s in steps
            if (message is None or s.message.lower() == message.lower())
            and (table is None or s.table in (None, table))
        ]
        print_table(
            ["message", "table", "stage", "rank", "mode", "state", "name", "handler", "id"],
            (
                (
                    s.message,
                    s.table or "*",
                    int(s.stage),
                    s.rank,
                    "async" if s.mode is StepMode.ASYNCHRONOUS else "sync",
                    "broken" if s.id in broken else "enabled" if s.enabled else "disabled",
                    s.name,
                    s.handler_path,
                    s.id or "(built in)",
                )
                for s in chosen
            ),
        )
        for step in chosen:
            if step.id in broken:
                error = broken[step.id].error
                console.print(f"{error.code}: {error.message(language())}", soft_wrap=True)


@app.command("trace")
def trace(
    limit: Annotated[int, typer.Option(help="How many entries, newest first.", min=1)] = 20,
    step: Annotated[str | None, typer.Option(help="Only this step (id or name).")] = None,
    setting: Annotated[
        str | None, typer.Option(help="Change what is logged: off, exception, all.")
    ] = None,
    db: DbOption = None,
    folder: PluginsOption = None,
) -> None:
    """Read the plug-in trace log (what steps traced, and their exceptions)."""
    with open_organization(db, folder) as organization:
        system = organization.system_service()
        if setting is not None:
            value = TRACE_SETTINGS.get(setting.lower())
            if value is None:
                raise typer.BadParameter("use off, exception or all", param_hint="--setting")
            record = system.retrieve_multiple_all("organization", columns=["name"])[0]
            system.update(Entity("organization", record.id, plugintracelogsetting=value))
            say(N_("Plug-in trace log: {setting}."), setting=setting.lower())
            return
        criteria = FilterExpression()
        if step is not None:
            found = _find_step(system, step)
            criteria = FilterExpression(
                conditions=(ConditionExpression.make("pluginstepid", "eq", found.id),)
            )
        entries = system.retrieve_multiple(_trace_query(criteria, limit)).entities
        if not entries:
            console.print("(no trace entries)")
        for entry in entries:
            header = (
                f"{entry['createdon']:%Y-%m-%d %H:%M:%S}  {entry['messagename']} "
                f"{entry['primaryentity'] or ''} stage {entry['stage']} depth {entry['depth']}  "
                f"{entry['typename']}  {entry['performanceexecutionduration']} ms"
            )
            console.print(header, style="bold red" if entry["exceptiondetails"] else "bold")
            if entry["messageblock"]:
                console.print(entry["messageblock"], soft_wrap=True)
            if entry["exceptiondetails"]:
                console.print(entry["exceptiondetails"], soft_wrap=True, style="red")


def _trace_query(criteria: FilterExpression, limit: int) -> QueryExpression:
    return QueryExpression(
        "plugintracelog",
        criteria=criteria,
        orders=(OrderExpression("createdon", descending=True),),
        top_count=limit,
    )


def startup_report(organization: Organization, reader: Language) -> list[str]:
    """What ``leadgate serve`` says about plug-ins when it starts: where they are imported
    from, and each enabled step that cannot be loaded (step, handler, why, the fix). The
    server serves all the same: only the messages a broken synchronous step runs on are
    refused (a broken asynchronous step fails its jobs)."""
    folder = organization.steps.home.folder
    lines = [translate(N_("Plug-ins folder: {folder}"), reader).format(folder=folder)]
    for found in broken_steps(organization):
        step, error = found.step, found.error
        lines.append(
            translate(N_("Warning {code}: {problem}"), reader).format(
                code=error.code, problem=error.message(reader)
            )
        )
        until = (
            # An asynchronous step's operation runs; the jobs it queues fail.
            N_("Until then its system jobs after {message} on {table} fail with {code}.")
            if step.mode is StepMode.ASYNCHRONOUS
            else N_("Until then {message} on {table} is refused with {code}; the rest is served.")
        )
        lines.append(
            translate(until, reader).format(
                message=step.message,
                table=step.table or translate(N_("every table"), reader),
                code=error.code,
            )
        )
    return lines
