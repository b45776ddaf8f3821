"""``leadgate process``: where a lead is in its business process flow, and moving it
(REFERENCE §4).

The lead's process is its active instance (the newest, if there were several). Moves are the
messages Dataverse names (NextStage, PreviousStage, SetProcessStage), sent as SYSTEM or, with
``--as EMAIL``, as that user: the rules (required steps, a record for the next stage, Write
on the instance and the records) are the platform's, these commands only show the outcome.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from leadgate.cli.leads import LeadArgument, lead_id
from leadgate.cli.output import (
    AsOption,
    DbOption,
    language,
    open_organization,
    print_table,
    say,
    service_for,
)
from leadgate.cli.processes import find_stage
from leadgate.platform import (
    Entity,
    EntityReference,
    Organization,
    OrganizationService,
)
from leadgate.platform.engine.i18n import N_, translate
from leadgate.platform.engine.metadata.model import ColumnMetadata
from leadgate.platform.engine.types import ColumnType
from leadgate.platform.processes.definitions import (
    Process,
    ProcessStage,
    empty_steps,
    stage_column,
)
from leadgate.platform.processes.errors import NO_PROCESS_INSTANCE
from leadgate.platform.processes.messages import (
    NextStageRequest,
    PreviousStageRequest,
    SetProcessStageRequest,
)
from leadgate.platform.processes.retrieve import RetrieveProcessInstancesRequest

__all__ = ["app"]

app = typer.Typer(
    help="A lead's business process flow: its stage and steps; move it on, back, or set it.",
    no_args_is_help=True,
)

StageArgument = Annotated[
    str,
    typer.Argument(
        help="The stage to make active: its name (English or French, any case) or its id."
    ),
]


@dataclass(frozen=True)
class LeadProcess:
    """The lead's active process instance and its process's definition."""

    process: Process
    row: Entity

    @property
    def reference(self) -> EntityReference:
        return self.row.to_reference()

    @property
    def active(self) -> ProcessStage | None:
        stage = self.row.get("activestageid")
        return self.process.stage(stage.id) if stage is not None else None

    def path(self) -> list[ProcessStage | str]:
        """The stages visited, in order (an id no stage has any more shown as it is)."""
        found: list[ProcessStage | str] = []
        for part in str(self.row.get("traversedpath") or "").split(","):
            try:
                found.append(self.process.stage(uuid.UUID(part.strip())) or part.strip())
            except ValueError:
                continue
        return found


def _instance(organization: Organization, lead: uuid.UUID) -> LeadProcess:
    """The newest active instance following the lead, of any process that starts on leads.

    Looked up as SYSTEM, like an id typed on the command line: the move itself runs as the
    user, so that a missing privilege is the platform's refusal, not "no process"."""
    found = organization.system_service().execute(
        RetrieveProcessInstancesRequest(EntityReference("lead", lead))
    )  # an unknown lead says so
    for instance in found.instances:
        if instance.is_active and instance.process.primary_table == "lead":
            return LeadProcess(instance.process, instance.row)
    raise NO_PROCESS_INSTANCE(table="lead", id=lead)


def _stage_name(found: LeadProcess, reference: EntityReference) -> str:
    stage = found.process.stage(reference.id)
    return stage.name.in_language(language()) if stage else reference.name or str(reference.id)


def _say_moved(found: LeadProcess, stage: EntityReference) -> None:
    say(N_("The process {process} is now on the stage {stage}."),
        process=found.process.name.in_language(language()),
        stage=_stage_name(found, stage))  # fmt: skip


def _shown(system: OrganizationService, column: ColumnMetadata | None, value: Any) -> str:
    """A step's value as a reader reads it: choice labels, Yes/No, a lookup's name."""
    lang = language()
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if column is None:
        return str(value)
    if column.type.is_choice:
        option = column.option(value)
        return option.label.in_language(lang) if option else str(value)
    if column.type is ColumnType.BOOLEAN:
        return translate(N_("Yes") if value else N_("No"), lang)
    if isinstance(value, EntityReference):
        table = system.organization.metadata().table(value.logical_name)
        name = system.retrieve(value.logical_name, value.id, [table.primary_name])
        return str(name.get(table.primary_name) or value.id)
    return str(value)


@app.command("show")
def show(lead: LeadArgument, db: DbOption = None) -> None:
    """Show the lead's process: its active stage, the path so far, and the active stage's
    steps with their values on the record (required ones left empty are listed)."""
    record = lead_id(lead, "LEAD_ID")
    lang = language()
    with open_organization(db) as organization:
        found = _instance(organization, record)
        system = organization.system_service()
        active = found.active
        status = organization.metadata().table(found.reference.logical_name).column("statuscode")
        say(N_("Process: {process} ({status})."), process=found.process.name.in_language(lang),
            status=_shown(system, status, found.row["statuscode"]))  # fmt: skip
        if active is None:  # the platform keeps this from happening; shown, not hidden
            say(N_("Active stage: none (the instance names no stage of its process)."))
            return
        say(N_("Active stage: {stage} (on {table}), since {started}."),
            stage=active.name.in_language(lang), table=active.table,
            started=_shown(system, None, found.row.get("activestagestartedon")))  # fmt: skip
        say(N_("Traversed path: {path}."), path=" > ".join(
            stage.name.in_language(lang) if isinstance(stage, ProcessStage) else stage
            for stage in found.path()
        ))  # fmt: skip
        column = stage_column(organization.metadata().table(found.process.instance_table),
                              active.table)  # fmt: skip
        on = found.row.get(column) if column else None
        values: Entity | dict[str, Any] = {}
        if on is not None and active.steps:
            values = system.retrieve(active.table, on.id, [step.column for step in active.steps])
        elif on is None:
            say(N_("No {table} belongs to this process yet."), table=active.table)
        table = organization.metadata().table(active.table)
        required = translate(N_("required"), lang)
        print_table(
            ["step", "column", "required", "value"],
            (
                (step.label.in_language(lang), step.column, required if step.required else "",
                 _shown(system, table.columns.get(step.column), values.get(step.column)))
                for step in active.steps
            ),
        )  # fmt: skip
        empty = empty_steps(active, values)
        if empty:
            say(N_("Required steps still empty: {steps}. The process cannot move on until "
                   "they are filled in."),
                steps=", ".join(step.label.in_language(lang) for step in empty))  # fmt: skip


@app.command("next")
def next_stage(lead: LeadArgument, as_user: AsOption = None, db: DbOption = None) -> None:
    """Move the lead's process to its next stage (NextStage). When the next stage has no
    record yet (before the lead is qualified), the stage stays and the notice says why."""
    record = lead_id(lead, "LEAD_ID")
    with open_organization(db) as organization:
        found = _instance(organization, record)
        response = service_for(organization, as_user).execute(NextStageRequest(found.reference))
        if response.moved:
            _say_moved(found, response.active_stage)
            return
        if response.notice is not None:
            say(N_("Notice: {message}"), message=response.notice.message(language()))
        say(N_("The process {process} stays on the stage {stage}."),
            process=found.process.name.in_language(language()),
            stage=_stage_name(found, response.active_stage))  # fmt: skip


@app.command("previous")
def previous_stage(lead: LeadArgument, as_user: AsOption = None, db: DbOption = None) -> None:
    """Move the lead's process back to the stage before (PreviousStage)."""
    record = lead_id(lead, "LEAD_ID")
    with open_organization(db) as organization:
        found = _instance(organization, record)
        response = service_for(organization, as_user).execute(PreviousStageRequest(found.reference))
        _say_moved(found, response.active_stage)


@app.command("set-active")
def set_active(
    lead: LeadArgument, stage: StageArgument, as_user: AsOption = None, db: DbOption = None
) -> None:
    """Make a stage active (SetProcessStage): the next stage, or one already visited."""
    record = lead_id(lead, "LEAD_ID")
    with open_organization(db) as organization:
        found = _instance(organization, record)
        chosen = find_stage(found.process, stage)
        response = service_for(organization, as_user).execute(
            SetProcessStageRequest(found.reference, chosen.reference())
        )
        _say_moved(found, response.active_stage)
