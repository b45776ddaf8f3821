"""RetrieveProcessInstances: the business process flow instances that follow a record.

As Dataverse's message of that name: given a record (a lead, the opportunity it produced),
the instances of every process that has a stage on its table and whose instance names it,
the active ones first, newest first, each with its process definition, active stage and
traversed path. Interfaces show a record's process bar from it instead of reading instance
tables with rules of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.processes.definitions import Process, processes, stage_column
from leadgate.platform.processes.messages import Instance, load_instance
from leadgate.platform.security.privileges import Depth, Right, privilege_name

__all__ = [
    "MESSAGES",
    "RetrieveProcessInstancesRequest",
    "RetrieveProcessInstancesResponse",
]


@dataclass(frozen=True)
class RetrieveProcessInstancesRequest:
    """The process instances that follow ``target``."""

    target: EntityReference


@dataclass(frozen=True)
class RetrieveProcessInstancesResponse:
    """Active instances first (newest first), then finished or abandoned ones."""

    instances: tuple[Instance, ...]

    @property
    def active(self) -> Instance | None:
        """The instance the record follows now (the newest active one), or None."""
        return next((instance for instance in self.instances if instance.is_active), None)


def _target(request: RetrieveProcessInstancesRequest) -> tuple[str | None, object]:
    return request.target.logical_name, request.target.id


def authorize_retrieve_instances(operation: Operation[RetrieveProcessInstancesRequest]) -> None:
    """Read on the record; the instances are those the caller may read (checked below)."""
    target = operation.request.target
    table = operation.table(target.logical_name)
    record = operation.record_owner(table, target.id)
    if record is not None:  # a missing record is reported as missing by the core operation
        operation.require(Right.READ, table, record)


def _readable(operation: Operation, process: Process) -> sa.ColumnElement[bool] | bool | None:
    """The caller's read filter on the process's instances; False when they may read none
    (a user without the process's privileges works without it, as Dataverse hides it)."""
    table = operation.table(process.instance_table)
    principal = operation.principal
    if principal is not None and principal.depth(privilege_name(Right.READ, table)) is Depth.NONE:
        return False
    filtered: sa.ColumnElement[bool] | None = operation.read_filter(
        table, operation.sql_table(table.name)
    )
    return filtered


def retrieve_process_instances(
    operation: Operation[RetrieveProcessInstancesRequest],
) -> RetrieveProcessInstancesResponse:
    target = operation.request.target
    table = operation.table(target.logical_name)
    if operation.retrieve(table.name, target.id, [table.primary_key]) is None:
        raise errors.RECORD_NOT_FOUND(table=table.name, id=target.id)
    found: list[Instance] = []
    for process in processes(operation.unit_of_work).values():
        if process.instance_table not in operation.metadata.tables or not any(
            stage.table == table.name for stage in process.stages
        ):
            continue
        instances = operation.table(process.instance_table)
        column = stage_column(instances, table.name)
        readable = _readable(operation, process)
        if column is None or readable is False:
            continue
        sql_table = operation.sql_table(instances.name)
        query = sa.select(sql_table.c[instances.primary_key]).where(
            sql_table.c[column] == target.id, sql_table.c.processid == process.id
        )
        if readable is not None and readable is not True:
            query = query.where(readable)
        for instance_id in operation.connection.execute(query).scalars():
            found.append(load_instance(operation, EntityReference(instances.name, instance_id)))
    found.sort(key=lambda instance: instance.row["createdon"], reverse=True)
    found.sort(key=lambda instance: not instance.is_active)  # stable: newest first in each
    return RetrieveProcessInstancesResponse(tuple(found))


MESSAGES: dict[type, Message] = {
    RetrieveProcessInstancesRequest: Message(
        "RetrieveProcessInstances", retrieve_process_instances, None, _target,  # type: ignore[arg-type]
        writes=False, authorize=authorize_retrieve_instances,
    ),
}  # fmt: skip
