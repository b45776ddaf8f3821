"""Business process flows (REFERENCE §4) as the platform reads them: definitions and rules.

A process (``workflow``) has ordered stages (``processstage``); a stage belongs to one table
and holds steps (``processstep``), each naming a column of that table. The process's unique
name is the table of its instances, which has a lookup to each stage's table, plus
processid, activestageid, activestagestartedon, traversedpath and completedon. Definitions
are records, checked when saved, and read once per metadata generation.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.i18n import N_, Label, Text
from leadgate.platform.engine.metadata.model import MetadataSet, TableMetadata
from leadgate.platform.engine.schema import SqlTables
from leadgate.platform.engine.types import ColumnType, Stage
from leadgate.platform.processes.errors import INVALID_PROCESS

if TYPE_CHECKING:
    from leadgate.platform.engine.context import ExecutionContext
    from leadgate.platform.engine.unit_of_work import UnitOfWork
    from leadgate.platform.organization import Organization

__all__ = [
    "INSTANCE_COLUMNS",
    "Process",
    "ProcessStage",
    "ProcessStep",
    "empty_steps",
    "is_instance_table",
    "processes",
    "register",
    "stage_column",
]

# What every instance table has besides a lookup per stage table (REFERENCE §4).
INSTANCE_COLUMNS = ("processid", "activestageid", "traversedpath", "activestagestartedon")
ACTIVE, INACTIVE = 0, 1  # an instance's states, and its status reasons:
ACTIVE_STATUS, FINISHED, ABORTED = 1, 2, 3
DRAFT, ACTIVATED = 0, 1


@dataclass(frozen=True)
class ProcessStep:
    id: uuid.UUID
    column: str
    label: Label
    required: bool


@dataclass(frozen=True)
class ProcessStage:
    id: uuid.UUID
    name: Label
    table: str
    rank: int
    steps: tuple[ProcessStep, ...]
    entry_hint: Label | None

    def reference(self) -> EntityReference:
        return EntityReference("processstage", self.id, self.name.en)


@dataclass(frozen=True)
class Process:
    id: uuid.UUID
    name: Label
    instance_table: str
    primary_table: str
    activated: bool
    stages: tuple[ProcessStage, ...]

    def stage(self, stage_id: uuid.UUID | None) -> ProcessStage | None:
        return next((stage for stage in self.stages if stage.id == stage_id), None)

    def after(self, stage: ProcessStage) -> ProcessStage | None:
        """The stage that follows, in the process's order."""
        index = self.stages.index(stage)
        return self.stages[index + 1] if index + 1 < len(self.stages) else None


def _label(english: str | None, french: str | None) -> Label:
    return Label(english or "", french or None)


def read_processes(connection: sa.Connection, tables: SqlTables) -> dict[uuid.UUID, Process]:
    """Every process with its stages and steps, in three plain reads."""
    workflows, stages, steps = tables["workflow"], tables["processstage"], tables["processstep"]
    steps_of: dict[uuid.UUID, list[ProcessStep]] = {}
    for row in connection.execute(
        sa.select(steps).order_by(steps.c.rank, steps.c.attributename)
    ).mappings():
        steps_of.setdefault(row["processstageid"], []).append(
            ProcessStep(
                row["processstepid"], row["attributename"], _label(row["label"], row["label_fr"]),
                bool(row["isrequired"]),
            )
        )  # fmt: skip
    stages_of: dict[uuid.UUID, list[ProcessStage]] = {}
    for row in connection.execute(
        sa.select(stages).order_by(stages.c.rank, stages.c.stagename)
    ).mappings():
        hint = row["entryhint"]
        stages_of.setdefault(row["processid"], []).append(
            ProcessStage(
                row["processstageid"], _label(row["stagename"], row["stagename_fr"]),
                row["primaryentitytypecode"], row["rank"],
                tuple(steps_of.get(row["processstageid"], ())),
                _label(hint, row["entryhint_fr"]) if hint else None,
            )
        )  # fmt: skip
    return {
        row["workflowid"]: Process(
            row["workflowid"],
            _label(row["name"], row["name_fr"]),
            row["uniquename"],
            row["primaryentity"],
            row["statecode"] == ACTIVATED,
            tuple(stages_of.get(row["workflowid"], ())),
        )
        for row in connection.execute(_process_flows(workflows)).mappings()
    }


def _process_flows(workflows: sa.Table) -> sa.Select[Any]:
    """The workflow records that are process flows: no-code workflows (category 0) share the
    table, as in Dataverse; a database older than them has no category column."""
    query = sa.select(workflows)
    if "category" in workflows.c:
        category = workflows.c.category
        query = query.where(sa.or_(category.is_(None), category != 0))
    return query


def processes(unit: UnitOfWork) -> dict[uuid.UUID, Process]:
    """The process definitions, kept with the metadata snapshot (customizing renews it)."""
    return unit.derived("processes", read_processes)


def is_instance_table(table: TableMetadata) -> bool:
    return all(column in table.columns for column in INSTANCE_COLUMNS)


def stage_column(instance_table: TableMetadata, table: str) -> str | None:
    """The instance table's lookup to a stage's table (leadid, opportunityid)."""
    for column in instance_table.columns.values():
        if column.type is ColumnType.LOOKUP and column.targets == (table,):
            return column.name
    return None


def empty_steps(stage: ProcessStage, record: Mapping[str, Any]) -> list[ProcessStep]:
    """The required steps of a stage that the record leaves empty (a yes/no step: not yes)."""
    return [
        step for step in stage.steps
        if step.required and (
            # `is`, not `in (None, False)`: 0 == False, and choice 0 or an amount of 0 is filled.
            record.get(step.column) is None or record.get(step.column) is False
            or not str(record.get(step.column)).strip()
        )
    ]  # fmt: skip


def step_names(steps: Iterable[ProcessStep]) -> Label:
    chosen = list(steps)
    return Label(
        ", ".join(step.label.en for step in chosen),
        ", ".join(step.label.in_language("fr") for step in chosen),
    )


# --- definitions are checked when saved ----------------------------------------------------


def _invalid(reason: Text) -> errors.LeadgateError:
    return INVALID_PROCESS(reason=reason)


def _linked(metadata: MetadataSet, first: str, second: str) -> bool:
    return first == second or any(
        {relationship.referenced_table, relationship.referencing_table} == {first, second}
        for relationship in metadata.relationships.values()
    )


def check_process(metadata: MetadataSet, process: Process) -> None:
    """What an activated process needs: stages, on tables its instance table can point at,
    each table linked to the next by a relationship, steps naming their table's columns."""
    instance = metadata.tables.get(process.instance_table)
    if instance is None or not is_instance_table(instance):
        raise _invalid(Text(
            N_(
                "the instance table {table} does not exist or lacks the process columns "
                "({columns})."
            ),
            table=process.instance_table, columns=", ".join(INSTANCE_COLUMNS),
        ))  # fmt: skip
    if not process.stages:
        raise _invalid(Text(N_("the process {process} has no stage."), process=process.name))
    if process.stages[0].table != process.primary_table:
        raise _invalid(Text(
            N_("the first stage, {stage}, is on {table}, not on the process's table {primary}."),
            stage=process.stages[0].name, table=process.stages[0].table,
            primary=process.primary_table,
        ))  # fmt: skip
    for stage in process.stages:
        _check_stage(metadata, instance, stage.name, stage.table)
        table = metadata.tables[stage.table]
        for step in stage.steps:
            if step.column not in table.columns:
                raise _invalid(Text(
                    N_("the step {step} of {stage} names {column}, which {table} does not have."),
                    step=step.label, stage=stage.name, column=step.column, table=stage.table,
                ))  # fmt: skip
    for before, after in zip(process.stages, process.stages[1:], strict=False):
        if not _linked(metadata, before.table, after.table):
            raise _invalid(Text(
                N_("no relationship links {first} (stage {stage}) to {second} (stage {next})."),
                first=before.table, stage=before.name, second=after.table, next=after.name,
            ))  # fmt: skip


def _check_stage(
    metadata: MetadataSet, instance: TableMetadata | None, name: Any, table: str
) -> None:
    if table not in metadata.tables:
        raise _invalid(Text(N_("the stage {stage} is on {table}, which does not exist."),
                            stage=name, table=table))  # fmt: skip
    if instance is not None and stage_column(instance, table) is None:
        raise _invalid(Text(
            N_("the instance table {instance} has no lookup to {table}, the table of {stage}."),
            instance=instance.name, table=table, stage=name,
        ))  # fmt: skip


def _process_of(unit: UnitOfWork, process_id: uuid.UUID) -> Process | None:
    assert unit.connection is not None
    return read_processes(unit.connection, unit.tables).get(process_id)


def check_saved_definition(context: ExecutionContext) -> None:
    """Post-operation on any change to a process, stage or step: an activated process must
    stay valid, a draft one is checked as far as it goes (columns, tables)."""
    unit = context.unit_of_work
    assert unit.connection is not None
    metadata = unit.metadata
    table = context.primary_entity_name
    record_id = context.primary_entity_id
    found = read_processes(unit.connection, unit.tables)
    if table == "workflow":
        process = found.get(record_id)  # type: ignore[arg-type]
    else:
        stage_id = record_id
        if table == "processstep":
            steps = unit.tables["processstep"]
            stage_id = unit.connection.execute(
                sa.select(steps.c.processstageid).where(steps.c.processstepid == record_id)
            ).scalar()
        process = next(
            (p for p in found.values() if p.stage(stage_id) is not None), None
        )  # fmt: skip
    if process is None:
        return  # deleted
    if process.activated:
        check_process(metadata, process)
        return
    instance = metadata.tables.get(process.instance_table)
    for stage in process.stages:
        _check_stage(metadata, instance, stage.name, stage.table)
        for step in stage.steps:
            if step.column not in metadata.tables[stage.table].columns:
                check_process(metadata, process)  # says which step


def definitions_changed(context: ExecutionContext) -> None:
    """Post-operation: definitions are cached with the metadata generation, so renew it."""
    context.unit_of_work.renew_derived()


def register(organization: Organization) -> None:
    for table in ("workflow", "processstage", "processstep"):
        for message in ("Create", "Update", "Delete", "SetState"):
            if message == "SetState" and table != "workflow":
                continue
            organization.steps.add_code_step(
                definitions_changed, name=f"Forget cached processes ({message} {table})",
                message=message, table=table, stage=Stage.POST_OPERATION, rank=0,
            )  # fmt: skip
            if message != "Delete":
                organization.steps.add_code_step(
                    check_saved_definition, name=f"Check a process definition ({message} {table})",
                    message=message, table=table, stage=Stage.POST_OPERATION, rank=1,
                )  # fmt: skip
