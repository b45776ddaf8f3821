"""The life of a process instance: started with its record, finished with the last one.

- Creating a record of an activated process's first table starts an instance, as the
  creating user, when that user may create instances (a user without the instance table's
  privileges works without the process, as in Dataverse where the process is not shown).
- An instance created directly starts on the first stage, with its path and start time.
- An instance finishes on its last stage, or when the record its last stage is on closes
  (an opportunity won or lost); an aborted or finished instance can be reactivated.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.context import ExecutionContext
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.types import ColumnType, Stage
from leadgate.platform.processes.definitions import (
    ABORTED,
    ACTIVE,
    FINISHED,
    INACTIVE,
    Process,
    is_instance_table,
    processes,
    stage_column,
)
from leadgate.platform.processes.errors import (
    FINISH_NOT_ON_LAST_STAGE,
    INVALID_PROCESS,
    STAGE_NOT_REACHABLE,
    STAGE_RECORD_REQUIRED,
)
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.security import access as security
from leadgate.platform.security.access import RecordOwner
from leadgate.platform.security.privileges import Depth, Right, privilege_name

if TYPE_CHECKING:
    from leadgate.platform.engine.unit_of_work import UnitOfWork
    from leadgate.platform.organization import Organization

__all__ = ["register"]


def _may_start(context: ExecutionContext, unit: UnitOfWork, instance_table: Any) -> bool:
    if context.caller.is_system:
        return True
    principal = unit.principal(context.user_id)
    return principal.depth(privilege_name(Right.CREATE, instance_table)) is not Depth.NONE


def _start(context: ExecutionContext, process: Process) -> None:
    unit = context.unit_of_work
    instance_table = unit.metadata.table(process.instance_table)
    column = stage_column(instance_table, process.primary_table)
    if column is None or not _may_start(context, unit, instance_table):
        return
    record_id = context.primary_entity_id
    assert record_id is not None
    first = process.stages[0]
    # The definitions are known to exist (they are cached with this unit's metadata): the
    # nested Create's lookup and Append To checks need not read them again.
    for table_name, definition in (("workflow", process.id), ("processstage", first.id)):
        unit.known_records.setdefault(
            (table_name, definition), RecordOwner(table_name, definition, None, None)
        )
    values: dict[str, Any] = {
        "name": process.name.en[:200],  # as Dataverse names its instances
        "processid": EntityReference("workflow", process.id),
        column: EntityReference(process.primary_table, record_id),
        "activestageid": first.reference(),
        "traversedpath": str(first.id),
        "activestagestartedon": _now(),
    }
    # The instance belongs to whoever owns the record, who works it: a record made for
    # someone else (giving it away was authorized on the record itself) brings its instance
    # along, made by the platform, as the record's own companion.
    target = context.input_parameters.get("Target")
    owner = target.get("ownerid") if isinstance(target, Entity) else None
    if isinstance(owner, EntityReference) and owner.id != context.user_id:
        values["ownerid"] = owner
        context.system_service.create(process.instance_table, values)
        return
    context.service.create(process.instance_table, values)


def _complete_new_instance(context: ExecutionContext) -> None:
    """An instance created by a client: it starts on the first stage of its process."""
    unit = context.unit_of_work
    assert unit.connection is not None
    table = unit.metadata.table(str(context.primary_entity_name))
    sql_table = unit.tables[table.name]
    target = context.input_parameters.get("Target")
    if isinstance(target, Entity) and _started_here(unit, target):
        return
    columns = [c.name for c in table.columns.values() if c.type is ColumnType.LOOKUP]
    row = rows.select_row(
        unit.connection, table, sql_table, context.primary_entity_id,  # type: ignore[arg-type]
        [table.primary_key, *columns, "traversedpath", "activestagestartedon"],
    )  # fmt: skip
    assert row is not None
    known = processes(unit)
    process = known.get(row["processid"].id) if row.get("processid") else None
    if process is None:
        process = next(
            (p for p in known.values() if p.instance_table == table.name and p.activated), None
        )
    if process is None or not process.stages:
        raise INVALID_PROCESS(reason=Label(
            f"no activated process keeps its instances in {table.name}.",
            f"aucun processus activé ne garde ses instances dans {table.name}.",
        ))  # fmt: skip
    first = process.stages[0]
    follows = stage_column(table, first.table)
    if follows is None or row.get(follows) is None:
        # An instance follows a record from its first stage on: without it, it could never
        # move (nor its record be qualified).
        column = table.columns[follows] if follows else table.columns["processid"]
        raise errors.REQUIRED_FIELD_MISSING(column=column.name, label=column.label,
                                            table=table.name)  # fmt: skip
    given = row.get("activestageid")
    if given is not None and given.id != first.id:
        raise STAGE_NOT_REACHABLE(stage=given.id, active="—", next=first.name)
    values = {
        "processid": EntityReference("workflow", process.id),
        "activestageid": first.reference(),
        "traversedpath": str(first.id),
        "activestagestartedon": row.get("activestagestartedon") or _now(),
    }
    if any(row.get(name) != value for name, value in values.items()):
        rows.update_row(unit.connection, table, sql_table, row.id, values)  # type: ignore[arg-type]


def _started_here(unit: UnitOfWork, target: Entity) -> bool:
    """Whether the new instance already starts on its process's first stage, as _start makes
    it (then there is nothing to read back)."""
    process_ref, stage_ref = target.get("processid"), target.get("activestageid")
    process = processes(unit).get(process_ref.id) if process_ref else None
    return (
        process is not None and bool(process.stages) and stage_ref is not None
        and stage_ref.id == process.stages[0].id
        and target.get("traversedpath") == str(stage_ref.id)
        and target.get("activestagestartedon") is not None
    )  # fmt: skip


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def after_create(context: ExecutionContext) -> None:
    """Post-operation on every Create: start processes, complete directly made instances."""
    unit = context.unit_of_work
    table = str(context.primary_entity_name)
    if is_instance_table(unit.metadata.table(table)):
        _complete_new_instance(context)
        return
    for process in processes(unit).values():
        if process.activated and process.primary_table == table and process.stages:
            _start(context, process)


def check_instance_state(context: ExecutionContext) -> None:
    """Pre-operation on SetState of an instance (finish, abandon, reactivate): the user needs
    Write on the record its active stage is on, as for a move; a process finishes on its last
    stage (the platform finishes it earlier when the record it ends on closes); and a process
    whose stage's record went while it was inactive comes back where it still has one."""
    unit = context.unit_of_work
    table = unit.metadata.table(str(context.primary_entity_name))
    if not is_instance_table(table):
        return
    assert unit.connection is not None and context.primary_entity_id is not None
    lookups = [c.name for c in table.columns.values() if c.type is ColumnType.LOOKUP]
    sql_table = unit.tables[table.name]
    columns = [table.primary_key, *lookups, "traversedpath"]
    row = rows.select_row(unit.connection, table, sql_table, context.primary_entity_id, columns)
    process = processes(unit).get(row["processid"].id) if row and row.get("processid") else None
    if row is None or process is None or not process.stages:
        return
    state, status = context.input_parameters.get("State"), context.input_parameters.get("Status")
    active = process.stage(row["activestageid"].id if row.get("activestageid") else None)
    column = stage_column(table, active.table) if active else None
    record = row.get(column) if column else None
    if state == ACTIVE and active is not None and column is not None and record is None:
        if not _back_to_a_linked_stage(unit, table, row, process):
            raise STAGE_RECORD_REQUIRED(
                stage=active.name, table=unit.metadata.table(active.table).label, column=column
            )
        row = rows.select_row(
            unit.connection, table, sql_table, context.primary_entity_id, columns
        )  # fmt: skip
        assert row is not None
        active = process.stage(row["activestageid"].id)
        column = stage_column(table, active.table) if active else None
        record = row.get(column) if column else None
    if context.caller.is_system:  # the platform finishes a process when its record closes
        return
    if record is not None:
        stage_table = unit.metadata.table(record.logical_name)
        owner = security.record_owner(
            unit.connection, stage_table, unit.tables[stage_table.name], record.id
        )
        if owner is not None:
            security.require(unit.connection, unit.tables, unit.principal(context.user_id),
                             Right.WRITE, stage_table, owner)  # fmt: skip
    last = process.stages[-1]
    if state != ACTIVE and status == FINISHED and (active is None or active.id != last.id):
        raise FINISH_NOT_ON_LAST_STAGE(
            process=process.name, last=last.name, stage=active.name if active else "—"
        )


def record_state_changed(context: ExecutionContext) -> None:
    """Post-operation on SetState: an instance's completedon follows its state; closing the
    record a process's last stage is on finishes the active instances that reached it."""
    unit = context.unit_of_work
    assert unit.connection is not None
    table = unit.metadata.table(str(context.primary_entity_name))
    state = context.input_parameters.get("State")
    if is_instance_table(table):
        completed = None if state == ACTIVE else _now()
        rows.update_row(
            unit.connection, table, unit.tables[table.name], context.primary_entity_id,  # type: ignore[arg-type]
            {"completedon": completed},
        )  # fmt: skip
        return
    if state == ACTIVE:
        return
    for process in processes(unit).values():
        last = process.stages[-1] if process.stages else None
        if last is None or last.table != table.name:
            continue
        instance_table = unit.metadata.table(process.instance_table)
        column = stage_column(instance_table, table.name)
        sql_table = unit.tables[instance_table.name]
        if column is None:
            continue
        stage_ids = {stage.id for stage in process.stages if stage.table == table.name}
        # By the record's column alone, as active_instance reads (SQLite may otherwise take
        # the state's or the stage's index and scan every active instance).
        found = unit.connection.execute(
            sa.select(sql_table.c[instance_table.primary_key], sql_table.c.statecode,
                      sql_table.c.activestageid)
            .where(sql_table.c[column] == context.primary_entity_id)
        ).all()  # fmt: skip
        for instance_id in [row[0] for row in found if row[1] == ACTIVE and row[2] in stage_ids]:
            context.system_service.execute(SetStateRequest(
                EntityReference(instance_table.name, instance_id), INACTIVE, FINISHED
            ))  # fmt: skip


def record_assigned(context: ExecutionContext) -> None:
    """Post-operation on Assign: an instance whose active stage is on the record follows the
    record's owner (as Dataverse cascades Assign to it), so whoever works the record sees
    its process; one that moved on to another record stays with that one's owner."""
    unit = context.unit_of_work
    assert unit.connection is not None
    table = unit.metadata.table(str(context.primary_entity_name))
    owner = context.input_parameters.get("Assignee")
    if is_instance_table(table) or not isinstance(owner, EntityReference):
        return
    for process in processes(unit).values():
        instance_table = unit.metadata.tables.get(process.instance_table)
        column = stage_column(instance_table, table.name) if instance_table else None
        stage_ids = [stage.id for stage in process.stages if stage.table == table.name]
        if instance_table is None or column is None or not stage_ids:
            continue
        sql_table = unit.tables[instance_table.name]
        found = unit.connection.execute(
            sa.select(sql_table.c[instance_table.primary_key]).where(
                sql_table.c[column] == context.primary_entity_id,
                sql_table.c.activestageid.in_(stage_ids),
                sql_table.c.ownerid != owner.id,
            )
        ).scalars()
        for instance_id in list(found):
            context.system_service.assign(instance_table.name, instance_id, owner)


def instance_updated(context: ExecutionContext) -> None:
    """Post-operation on every Update: an active instance keeps the record of its active
    stage. Emptying that link is refused, unless the record itself was deleted (the
    relationship's remove-link cascade): then the process goes back to the last stage it
    visited whose record is still there, or is aborted when none is."""
    unit = context.unit_of_work
    table = unit.metadata.table(str(context.primary_entity_name))
    target = context.input_parameters.get("Target")
    if not is_instance_table(table) or not isinstance(target, Entity):
        return
    if not any(value is None for value in target.values()):
        return
    assert unit.connection is not None and context.primary_entity_id is not None
    lookups = [c.name for c in table.columns.values() if c.type is ColumnType.LOOKUP]
    sql_table = unit.tables[table.name]
    row = rows.select_row(
        unit.connection, table, sql_table, context.primary_entity_id,
        [table.primary_key, *lookups, "traversedpath", "statecode"],
    )  # fmt: skip
    process = processes(unit).get(row["processid"].id) if row and row.get("processid") else None
    if row is None or process is None or row["statecode"] != ACTIVE:
        return
    active = process.stage(row["activestageid"].id if row.get("activestageid") else None)
    column = stage_column(table, active.table) if active else None
    if active is None or column is None or row.get(column) is not None:
        return
    parent = context.parent_context
    if not (context.caller.is_system and parent is not None and parent.message_name == "Delete"):
        raise STAGE_RECORD_REQUIRED(
            stage=active.name, table=unit.metadata.table(active.table).label, column=column
        )
    if not _back_to_a_linked_stage(unit, table, row, process):
        context.system_service.execute(SetStateRequest(
            EntityReference(table.name, context.primary_entity_id), INACTIVE, ABORTED
        ))  # fmt: skip


def _back_to_a_linked_stage(unit: UnitOfWork, table: Any, row: Any, process: Process) -> bool:
    """Move an instance back to the last stage of its path whose record it still has (its
    active stage's record is gone); False when no stage of the path has one."""
    assert unit.connection is not None
    path = [uuid.UUID(part) for part in str(row.get("traversedpath") or "").split(",") if part]
    while path:
        stage = process.stage(path[-1])
        linked = stage_column(table, stage.table) if stage else None
        if stage is not None and linked is not None and row.get(linked) is not None:
            rows.update_row(unit.connection, table, unit.tables[table.name], row.id, {
                "activestageid": stage.reference(),
                "traversedpath": ",".join(str(part) for part in path),
                "activestagestartedon": _now(),
            })  # fmt: skip
            return True
        path.pop()
    return False


def register(organization: Organization) -> None:
    organization.steps.add_code_step(
        instance_updated, name="A process keeps the record of its active stage (Update)",
        message="Update", stage=Stage.POST_OPERATION, rank=0,
    )  # fmt: skip
    organization.steps.add_code_step(
        after_create, name="Start business process flows (Create)",
        message="Create", stage=Stage.POST_OPERATION, rank=0,
    )  # fmt: skip
    organization.steps.add_code_step(
        check_instance_state, name="A process finishes on its last stage (SetState)",
        message="SetState", stage=Stage.PRE_OPERATION, rank=0,
    )  # fmt: skip
    organization.steps.add_code_step(
        record_assigned, name="Process instances follow their record's owner (Assign)",
        message="Assign", stage=Stage.POST_OPERATION, rank=0,
    )  # fmt: skip
    organization.steps.add_code_step(
        record_state_changed, name="Finish processes whose record closed (SetState)",
        message="SetState", stage=Stage.POST_OPERATION, rank=0,
    )  # fmt: skip
