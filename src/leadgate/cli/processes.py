"""``leadgate processes``: business process flow definitions (REFERENCE §4).

A process is a ``workflow`` record with ordered stages (``processstage``), each on one table
and holding steps (``processstep``) that name its columns. These commands read them, activate
or deactivate a process (SetState) and mark steps required or optional (Update), as SYSTEM:
the platform checks every change, so an activated process always stays valid.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from leadgate.cli.output import DbOption, language, open_organization, print_table, say
from leadgate.platform import (
    Entity,
    EntityReference,
    Organization,
    OrganizationService,
    SetStateRequest,
)
from leadgate.platform.engine.i18n import N_, Label, translate
from leadgate.platform.processes.definitions import Process, ProcessStage, ProcessStep

__all__ = ["app", "definitions", "find_process", "find_stage", "state_label"]

app = typer.Typer(
    help="Business process flows: their stages and steps, activation, required steps.",
    no_args_is_help=True,
)

ProcessArgument = Annotated[
    str,
    typer.Argument(
        help="The process: its name (English or French), its instance table or its id "
        "(see: leadgate processes list)."
    ),
]
StageArgument = Annotated[
    str, typer.Argument(help="The stage: its name (English or French) or its id.")
]
ColumnArgument = Annotated[
    str, typer.Argument(help="The column the step names, e.g. purchasetimeframe.")
]

DRAFT, ACTIVATED = 0, 1
DRAFT_STATUS, ACTIVATED_STATUS = 1, 2


# --- reading definitions --------------------------------------------------------------------


def _label(row: Entity, english: str, french: str) -> Label:
    return Label(str(row.get(english) or ""), row.get(french) or None)


def definitions(service: OrganizationService) -> list[Process]:
    """Every process with its stages and steps, read as records (so ``service``'s security
    applies), stages and steps in their order."""
    steps_of: dict[uuid.UUID, list[tuple[int, ProcessStep]]] = {}
    for row in service.retrieve_multiple_all(
        "processstep", columns=["processstageid", "attributename", "label", "label_fr",
                                "isrequired", "rank"],
    ):  # fmt: skip
        assert row.id is not None
        step = ProcessStep(
            row.id, str(row["attributename"]), _label(row, "label", "label_fr"),
            bool(row["isrequired"]),
        )  # fmt: skip
        steps_of.setdefault(row["processstageid"].id, []).append((int(row["rank"] or 0), step))
    stages_of: dict[uuid.UUID, list[ProcessStage]] = {}
    for row in service.retrieve_multiple_all(
        "processstage", columns=["processid", "stagename", "stagename_fr",
                                 "primaryentitytypecode", "rank", "entryhint", "entryhint_fr"],
    ):  # fmt: skip
        assert row.id is not None
        steps = [step for _, step in sorted(
            steps_of.get(row.id, []), key=lambda item: (item[0], item[1].column)
        )]  # fmt: skip
        hint = _label(row, "entryhint", "entryhint_fr") if row.get("entryhint") else None
        stages_of.setdefault(row["processid"].id, []).append(ProcessStage(
            row.id, _label(row, "stagename", "stagename_fr"), str(row["primaryentitytypecode"]),
            int(row["rank"]), tuple(steps), hint,
        ))  # fmt: skip
    found = []
    for row in service.retrieve_multiple_all(
        "workflow",
        columns=["name", "name_fr", "uniquename", "primaryentity", "statecode", "category"],
    ):
        assert row.id is not None
        if row.get("category") == 0:
            continue  # a no-code workflow: leadgate workflows
        stages = sorted(stages_of.get(row.id, []), key=lambda stage: (stage.rank, stage.name.en))
        found.append(Process(
            row.id, _label(row, "name", "name_fr"), str(row["uniquename"]),
            str(row["primaryentity"]), row["statecode"] == ACTIVATED, tuple(stages),
        ))  # fmt: skip
    return sorted(found, key=lambda process: process.name.en.casefold())


def _same(text: str, *names: str | None) -> bool:
    key = text.strip().casefold()
    return any(name is not None and name.strip().casefold() == key for name in names)


def _as_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip().strip("{}"))
    except ValueError:
        return None


def find_process(found: list[Process], text: str, hint: str = "PROCESS") -> Process:
    """The process an id, a name (either language, case does not matter) or its instance
    table names; an unknown one lists the known ones."""
    wanted = _as_id(text)
    for process in found:
        if process.id == wanted or _same(
            text, process.name.en, process.name.fr, process.instance_table
        ):
            return process
    known = ", ".join(process.name.en for process in found) or "none yet"
    raise typer.BadParameter(f"no process is '{text}' (known: {known})", param_hint=hint)


def find_stage(process: Process, text: str, hint: str = "STAGE") -> ProcessStage:
    """The stage of ``process`` an id or a name (either language, any case) names."""
    wanted = _as_id(text)
    for stage in process.stages:
        if stage.id == wanted or _same(text, stage.name.en, stage.name.fr):
            return stage
    known = ", ".join(stage.name.en for stage in process.stages) or "none"
    raise typer.BadParameter(
        f"'{text}' is not a stage of {process.name.en} (stages: {known})", param_hint=hint
    )


def _find_step(stage: ProcessStage, column: str) -> ProcessStep:
    for step in stage.steps:
        if _same(column, step.column):
            return step
    known = ", ".join(step.column for step in stage.steps) or "none"
    raise typer.BadParameter(
        f"the stage {stage.name.en} has no step on the column '{column}' (steps: {known})",
        param_hint="COLUMN",
    )


def state_label(organization: Organization, process: Process) -> str:
    """Draft or Activated, in the reader's language."""
    value = ACTIVATED if process.activated else DRAFT
    option = organization.metadata().table("workflow").column("statecode").option(value)
    return option.label.in_language(language()) if option else str(value)


# --- commands -------------------------------------------------------------------------------


@app.command("list")
def list_processes(db: DbOption = None) -> None:
    """List the processes: name, state, the table of their instances, stage count and id."""
    lang = language()
    with open_organization(db) as organization:
        found = definitions(organization.system_service())
        if not found:
            say(N_("(no processes)"))
            return
        print_table(
            ["name", "state", "instance table", "stages", "id"],
            (
                (process.name.in_language(lang), state_label(organization, process),
                 process.instance_table, len(process.stages), process.id)
                for process in found
            ),
        )  # fmt: skip


@app.command("show")
def show(process: ProcessArgument, db: DbOption = None) -> None:
    """Show a process's stages in order, each with its table and steps (required ones marked)."""
    lang = language()
    required = translate(N_("required"), lang)
    with open_organization(db) as organization:
        found = find_process(definitions(organization.system_service()), process)
        say(
            N_("{process} ({state}): {count} stage(s), starting with each new {table}; "
               "instances in {instances}."),
            process=found.name.in_language(lang), state=state_label(organization, found),
            count=len(found.stages), table=found.primary_table, instances=found.instance_table,
        )  # fmt: skip
        lines: list[tuple[object, ...]] = []
        for number, stage in enumerate(found.stages, start=1):
            head = (number, stage.name.in_language(lang), stage.table)
            if not stage.steps:
                lines.append((*head, "", "", ""))
            for step in stage.steps:
                lines.append((*head, step.label.in_language(lang), step.column,
                              required if step.required else ""))  # fmt: skip
        print_table(["#", "stage", "table", "step", "column", "required"], lines)


@app.command("activate")
def activate(process: ProcessArgument, db: DbOption = None) -> None:
    """Activate a process (checked first): creating a record of its table then starts it."""
    _set_state(process, ACTIVATED, ACTIVATED_STATUS, db)


@app.command("deactivate")
def deactivate(process: ProcessArgument, db: DbOption = None) -> None:
    """Set a process back to Draft: new records no longer start it (running ones go on)."""
    _set_state(process, DRAFT, DRAFT_STATUS, db)


def _set_state(text: str, state: int, status: int, db: str | None) -> None:
    with open_organization(db) as organization:
        system = organization.system_service()
        found = find_process(definitions(system), text)
        system.execute(SetStateRequest(EntityReference("workflow", found.id), state, status))
        name = found.name.in_language(language())
        if state == ACTIVATED:
            say(N_("Activated the process {process}: each new {table} starts it."),
                process=name, table=found.primary_table)  # fmt: skip
        else:
            say(N_("Deactivated the process {process}: new records no longer start it."),
                process=name)  # fmt: skip


@app.command("require")
def require(
    process: ProcessArgument, stage: StageArgument, column: ColumnArgument, db: DbOption = None
) -> None:
    """Make a step required: moving on from its stage, or qualifying, needs it filled in."""
    _set_required(process, stage, column, True, db)


@app.command("optional")
def optional(
    process: ProcessArgument, stage: StageArgument, column: ColumnArgument, db: DbOption = None
) -> None:
    """Make a step optional again."""
    _set_required(process, stage, column, False, db)


def _set_required(text: str, stage_text: str, column: str, required: bool, db: str | None) -> None:
    lang = language()
    with open_organization(db) as organization:
        system = organization.system_service()
        stage = find_stage(find_process(definitions(system), text), stage_text)
        step = _find_step(stage, column)
        system.update(Entity("processstep", step.id, isrequired=required))
        params = {"step": step.label.in_language(lang), "column": step.column,
                  "stage": stage.name.in_language(lang)}  # fmt: skip
        if required:
            say(N_("The step {step} ({column}) of the stage {stage} is now required."), **params)
        else:
            say(N_("The step {step} ({column}) of the stage {stage} is now optional."), **params)
