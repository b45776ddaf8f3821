"""Messages that move a business process flow instance through its stages (REFERENCE §4).

SetProcessStage is the one move: an Update of an instance's activestageid runs it, as a
Dataverse client's PATCH of ``activestageid@odata.bind`` does, and NextStage / PreviousStage
choose its stage. Its rules: a process moves on to its next stage with the required steps of
the stage it leaves filled in and a record for the next stage's table, or back to a stage it
has visited; it checks Write on the instance and on the records of both stages.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa

from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.driver_statements import DriverStatement
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.pipeline import Message, Operation, checked_by_nested_messages
from leadgate.platform.processes.definitions import (
    ABORTED,
    ACTIVE,
    ACTIVE_STATUS,
    FINISHED,
    INACTIVE,
    Process,
    ProcessStage,
    empty_steps,
    is_instance_table,
    processes,
    stage_column,
    step_names,
)
from leadgate.platform.processes.errors import (
    INVALID_PROCESS,
    NO_NEXT_STAGE,
    NO_PREVIOUS_STAGE,
    NOT_A_PROCESS_INSTANCE,
    PROCESS_NOT_ACTIVE,
    REQUIRED_STEPS_EMPTY,
    STAGE_HAS_NO_RECORD,
    STAGE_NOT_IN_PROCESS,
    STAGE_NOT_REACHABLE,
    TRAVERSED_PATH_MISMATCH,
)
from leadgate.platform.records.fields import audit
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.security.privileges import Right

__all__ = [
    "MESSAGES",
    "AbandonProcessRequest",
    "FinishProcessRequest",
    "Instance",
    "NextStageRequest",
    "NextStageResponse",
    "PreviousStageRequest",
    "ReactivateProcessRequest",
    "SetProcessStageRequest",
    "SetProcessStageResponse",
    "active_instance",
    "check_required_steps",
    "load_instance",
]


@dataclass(frozen=True)
class SetProcessStageRequest:
    """Make ``stage`` the active stage of the instance ``target``.

    ``traversed_path`` (stage ids, comma separated), when given, must be the path the move
    leads to; left out, it is computed.
    """

    target: EntityReference
    stage: EntityReference
    traversed_path: str | None = None


@dataclass(frozen=True)
class SetProcessStageResponse:
    active_stage: EntityReference
    traversed_path: str


@dataclass(frozen=True)
class NextStageRequest:
    target: EntityReference


@dataclass(frozen=True)
class NextStageResponse:
    """``moved`` False, with ``notice``, when the next stage has no record yet (by design)."""

    moved: bool
    active_stage: EntityReference
    notice: errors.LeadgateError | None = None


@dataclass(frozen=True)
class PreviousStageRequest:
    target: EntityReference


@dataclass(frozen=True)
class FinishProcessRequest:
    """Finish the instance (on its last stage): SetState Inactive / Finished."""

    target: EntityReference


@dataclass(frozen=True)
class AbandonProcessRequest:
    """Abandon the instance: SetState Inactive / Aborted."""

    target: EntityReference


@dataclass(frozen=True)
class ReactivateProcessRequest:
    """Reactivate a finished or abandoned instance on the stage it was on."""

    target: EntityReference


class _Tables(Protocol):
    """What knows the tables: an Operation in a handler, a MetadataSet in an interface."""

    def table(self, name: str) -> TableMetadata: ...


@dataclass(frozen=True)
class Instance:
    """A process instance as the rules read it."""

    table: str
    id: uuid.UUID
    process: Process
    row: Entity
    active: ProcessStage
    path: tuple[uuid.UUID, ...]

    @property
    def is_active(self) -> bool:
        return self.row["statecode"] == ACTIVE

    @property
    def visited(self) -> tuple[ProcessStage, ...]:
        """The stages of the traversed path, in order (an id no stage has any more left out)."""
        found = (self.process.stage(stage_id) for stage_id in self.path)
        return tuple(stage for stage in found if stage is not None)

    def record_of(self, tables: _Tables, stage: ProcessStage) -> EntityReference | None:
        """The record the stage is on (the lead, the opportunity), if the instance has one."""
        column = stage_column(tables.table(self.table), stage.table)
        value = self.row.get(column) if column else None
        return EntityReference(stage.table, value.id) if value is not None else None


def _path(text: str | None) -> tuple[uuid.UUID, ...]:
    found = []
    for part in (text or "").split(","):
        try:
            found.append(uuid.UUID(part.strip()))
        except ValueError:
            continue
    return tuple(found)


def path_text(path: tuple[uuid.UUID, ...]) -> str:
    return ",".join(str(stage) for stage in path)


def load_instance(operation: Operation, target: EntityReference) -> Instance:
    """The instance and its process; refuses what is not an instance of a known process."""
    table = operation.table(target.logical_name)
    if not is_instance_table(table):
        raise NOT_A_PROCESS_INSTANCE(table=table.name)
    row = rows.select_row(
        operation.connection, table, operation.sql_table(table.name), target.id,
        list(table.columns),
    )  # fmt: skip
    if row is None:
        raise errors.RECORD_NOT_FOUND(table=table.name, id=target.id)
    process_ref = row.get("processid")
    process = processes(operation.unit_of_work).get(process_ref.id) if process_ref else None
    active_ref = row.get("activestageid")
    active = process.stage(active_ref.id) if process and active_ref else None
    if process is None or active is None:
        raise INVALID_PROCESS(reason=Label(
            f"{table.name} {target.id} names no stage of a known process.",
            f"{table.name} {target.id} ne désigne aucune étape d'un processus connu.",
        ))  # fmt: skip
    path = _path(row.get("traversedpath")) or (active.id,)
    return Instance(table.name, target.id, process, row, active, path)


def _instances_of(
    sql_table: sa.Table, primary_key: str, column: str, dialect: sa.Dialect
) -> DriverStatement:
    """A record's instances, newest first, with their state (parameter: ``record``)."""
    statement = (
        sa.select(sql_table.c[primary_key].label("id"), sql_table.c.statecode)
        .where(sql_table.c[column] == sa.bindparam("record"))
        .order_by(sql_table.c.createdon.desc())
    )
    return DriverStatement(statement, dialect)


def active_instance(operation: Operation, table: str, record_id: uuid.UUID) -> Instance | None:
    """The newest active instance of a process whose first stage is on ``table`` and on this
    record (the process a lead follows), or None."""
    for process in processes(operation.unit_of_work).values():
        if not process.stages or process.stages[0].table != table:
            continue
        instances = operation.table(process.instance_table)
        column = stage_column(instances, table)
        if column is None:
            continue
        sql_table = operation.sql_table(instances.name)
        # By the record's column alone, the state read here: given both, SQLite (no
        # statistics) may take the state's index, scanning every active instance of every
        # record (23 ms a QualifyLead at 100,000 leads, and growing with them).
        connection = operation.connection
        build = functools.partial(
            _instances_of, sql_table, instances.primary_key, column, connection.dialect
        )
        statement = rows.kept_statement(sql_table, ("active instance", column), build)
        found = statement.all(connection, {"record": record_id})
        active = next((row["id"] for row in found if row["statecode"] == ACTIVE), None)
        if active is not None:
            return load_instance(operation, EntityReference(instances.name, active))
    return None


def _read(operation: Operation, reference: EntityReference, columns: list[str]) -> Entity:
    table = operation.table(reference.logical_name)
    row = rows.select_row(
        operation.connection, table, operation.sql_table(table.name), reference.id, columns
    )
    if row is None:
        raise errors.RECORD_NOT_FOUND(table=table.name, id=reference.id)
    return row


def check_required_steps(operation: Operation, instance: Instance, stage: ProcessStage) -> None:
    """0x8006041a when a required step of ``stage`` is empty on the record it is on."""
    required = [step.column for step in stage.steps if step.required]
    record = instance.record_of(operation, stage)
    if not required or record is None:
        return
    empty = empty_steps(stage, _read(operation, record, required))
    if empty:
        raise REQUIRED_STEPS_EMPTY(stage=stage.name, steps=step_names(empty))


def _destination(
    operation: Operation, instance: Instance, stage: ProcessStage
) -> tuple[uuid.UUID, ...]:
    """The traversed path after moving to ``stage``, or the refusal that says why not."""
    if stage.id in instance.path:
        return instance.path[: instance.path.index(stage.id) + 1]  # back to a visited stage
    following = instance.process.after(instance.active)
    if following is None or following.id != stage.id:
        raise STAGE_NOT_REACHABLE(
            stage=stage.name, active=instance.active.name,
            next=following.name if following else "—",
        )  # fmt: skip
    if instance.record_of(operation, stage) is None:
        raise no_record_yet(operation, instance, stage)
    check_required_steps(operation, instance, instance.active)
    return (*instance.path, stage.id)


def no_record_yet(
    operation: Operation, instance: Instance, stage: ProcessStage
) -> errors.LeadgateError:
    table = operation.table(stage.table)
    return STAGE_HAS_NO_RECORD(
        stage=stage.name, table=table.label,
        hint=stage.entry_hint or Label(
            f"Link a {table.label.en} to the process first.",
            f"Liez d'abord un enregistrement {table.label.in_language('fr')} au processus.",
        ),
    )  # fmt: skip


def validate_set_stage(operation: Operation[SetProcessStageRequest]) -> None:
    request = operation.request
    if request.stage.logical_name != "processstage":
        raise errors.LOOKUP_WRONG_TARGET(
            column="activestageid", table=request.target.logical_name,
            target=request.stage.logical_name, targets="processstage",
        )  # fmt: skip


def authorize_set_stage(operation: Operation[SetProcessStageRequest]) -> None:
    request = operation.request
    instance = load_instance(operation, request.target)
    table = operation.table(instance.table)
    operation.require(Right.WRITE, table, operation.record_owner(table, instance.id))
    stage = instance.process.stage(request.stage.id)
    for visited in {instance.active, stage} - {None}:
        assert visited is not None
        record = instance.record_of(operation, visited)
        if record is not None:
            stage_table = operation.table(record.logical_name)
            operation.require(
                Right.WRITE, stage_table, operation.record_owner(stage_table, record.id)
            )


def set_process_stage(operation: Operation[SetProcessStageRequest]) -> SetProcessStageResponse:
    request = operation.request
    instance = load_instance(operation, request.target)
    if not instance.is_active:
        raise PROCESS_NOT_ACTIVE(
            process=instance.process.name,
            status=operation.table(instance.table).columns["statuscode"].options_by_value[
                instance.row["statuscode"]
            ].label,
        )  # fmt: skip
    stage = instance.process.stage(request.stage.id)
    if stage is None:
        raise STAGE_NOT_IN_PROCESS(stage=request.stage.id, process=instance.process.name)
    path = _destination(operation, instance, stage)
    if request.traversed_path is not None and _path(request.traversed_path) != path:
        raise TRAVERSED_PATH_MISMATCH(
            given=request.traversed_path, stage=stage.name, expected=path_text(path)
        )
    table = operation.table(instance.table)
    if stage.id != instance.active.id or path != instance.path:
        values: dict[str, Any] = {
            "activestageid": stage.reference(),
            "traversedpath": path_text(path),
            "activestagestartedon": operation.now(),
            **audit(operation, creating=False),
        }
        rows.update_row(
            operation.connection, table, operation.sql_table(table.name), instance.id, values
        )
    return SetProcessStageResponse(stage.reference(), path_text(path))


def _instance_target(request: Any) -> tuple[str | None, uuid.UUID | None]:
    return request.target.logical_name, request.target.id


def authorize_read_instance(operation: Operation) -> None:
    """Next / previous only choose the stage; SetProcessStage checks the move itself."""
    target: EntityReference = operation.request.target
    table = operation.table(target.logical_name)
    operation.require(Right.READ, table, operation.record_owner(table, target.id))


def next_stage(operation: Operation) -> NextStageResponse:
    instance = load_instance(operation, operation.request.target)
    following = instance.process.after(instance.active)
    if following is None:
        raise NO_NEXT_STAGE(stage=instance.active.name, process=instance.process.name)
    if instance.is_active and instance.record_of(operation, following) is None:
        # By design (the seed's "Can't proceed to the next stage"): nothing moves, and the
        # caller is told how the process gets a record for the next stage.
        check_required_steps(operation, instance, instance.active)
        notice = no_record_yet(operation, instance, following)
        return NextStageResponse(False, instance.active.reference(), notice)
    moved = operation.execute(
        SetProcessStageRequest(operation.request.target, following.reference())
    )
    return NextStageResponse(True, moved.active_stage)


def previous_stage(operation: Operation) -> SetProcessStageResponse:
    instance = load_instance(operation, operation.request.target)
    if len(instance.path) < 2:
        raise NO_PREVIOUS_STAGE(stage=instance.active.name, process=instance.process.name)
    stage = instance.process.stage(instance.path[-2])
    assert stage is not None
    return operation.execute(SetProcessStageRequest(operation.request.target, stage.reference()))


_STATES: dict[type, tuple[int, int]] = {
    FinishProcessRequest: (INACTIVE, FINISHED),
    AbandonProcessRequest: (INACTIVE, ABORTED),
    ReactivateProcessRequest: (ACTIVE, ACTIVE_STATUS),
}


def change_process_state(operation: Operation) -> None:
    """Finish, abandon, reactivate: a SetState of the instance, where their rules live."""
    target: EntityReference = operation.request.target
    load_instance(operation, target)  # refuses what is not an instance
    state, status = _STATES[type(operation.request)]
    operation.execute(SetStateRequest(target, state, status))


MESSAGES: dict[type, Message] = {
    SetProcessStageRequest: Message(
        "SetProcessStage", set_process_stage, validate_set_stage, _instance_target,
        authorize=authorize_set_stage,
    ),
    NextStageRequest: Message(
        "NextStage", next_stage, None, _instance_target, authorize=authorize_read_instance,
    ),
    PreviousStageRequest: Message(
        "PreviousStage", previous_stage, None, _instance_target,
        authorize=authorize_read_instance,
    ),
    **{
        request: Message(
            name, change_process_state, None, _instance_target,
            authorize=checked_by_nested_messages,
        )
        for request, name in (
            (FinishProcessRequest, "FinishProcess"), (AbandonProcessRequest, "AbandonProcess"),
            (ReactivateProcessRequest, "ReactivateProcess"),
        )
    },
}  # fmt: skip
