"""Solution upgrades: what a newer version of a shipped solution does to the data already there.

ImportSolution adds what a version ships (tables, columns, choices, records, roles not there
yet). When the database held an older version, ImportSolution then runs UpgradeSolution,
which brings the existing data along, through nested messages like any other write:

- a role the solution ships gains the privileges granted since the installed version (a
  grant's ``since``), unless it holds them already at some depth. Nothing else is touched:
  what administrators granted, revoked or deepened on a shipped role stays as they left it.
- an activated process the solution ships starts on the open records of its first table
  that have none of its instances, as creating such a record starts it (on the first stage);
  each instance belongs to its record's owner, who works the record. A process an
  administrator deactivated is left alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from leadgate.platform.audit.history import AUDIT_PROPERTY, UpdateEntityRequest, stored_properties
from leadgate.platform.customization.solutions import SolutionDefinition, record_id
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import N_, Label, Text
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.processes.definitions import ACTIVE, Process, read_processes, stage_column
from leadgate.platform.records.crud import CreateRequest
from leadgate.platform.security.access import Depth
from leadgate.platform.security.messages import AddPrivilegesRoleRequest, RolePrivilege

__all__ = [
    "MESSAGES",
    "SolutionUpgrade",
    "UpgradePlan",
    "UpgradeSolutionRequest",
    "UpgradeSolutionResponse",
]


@dataclass(frozen=True)
class UpgradeSolutionRequest:
    """Bring the data of ``solution`` along from ``from_version`` (its installed version)."""

    solution: SolutionDefinition
    from_version: int
    dry_run: bool = False


@dataclass(frozen=True)
class UpgradeSolutionResponse:
    name: str
    from_version: int
    to_version: int
    # One line per step, as the plan shows it.
    steps: tuple[Text, ...]
    applied: bool


@dataclass(frozen=True)
class SolutionUpgrade:
    """A solution's part of an upgrade: its versions (None: not installed yet) and steps."""

    name: str
    installed: int | None
    shipped: int
    steps: tuple[Text, ...] = ()


@dataclass(frozen=True)
class UpgradePlan:
    """What ``leadgate upgrade`` runs: migrations of leadgate's tables, then solutions."""

    revision: str | None
    head: str
    migrations: tuple[str, ...] = ()  # revisions of leadgate's tables, oldest first
    solutions: tuple[SolutionUpgrade, ...] = field(default=())
    # Duplicate rules whose match codes a migration dropped: a system job publishes them again.
    republished: tuple[str, ...] = ()

    @property
    def up_to_date(self) -> bool:
        return not self.migrations and not self.solutions


@dataclass(frozen=True)
class _Step:
    """One line of the plan, and the messages that do it."""

    text: Text
    requests: tuple[Any, ...]


# --- roles --------------------------------------------------------------------------------


def _held(operation: Operation, role_id: uuid.UUID) -> tuple[str, set[str]] | None:
    """A role's name as it is now, and the privileges it holds by lower-case name; None when
    the role is gone."""
    roles = operation.sql_table("role")
    name = operation.connection.execute(
        sa.select(roles.c.name).where(roles.c.roleid == role_id)
    ).scalar()
    if name is None:
        return None
    grants, privileges = operation.sql_table("roleprivileges"), operation.sql_table("privilege")
    held = operation.connection.execute(
        sa.select(privileges.c.name)
        .join(grants, grants.c.privilegeid == privileges.c.privilegeid)
        .where(grants.c.roleid == role_id)
    ).scalars()
    return name, {privilege.lower() for privilege in held}


def _role_steps(operation: Operation, definition: SolutionDefinition, since: int) -> list[_Step]:
    def table(name: str) -> TableMetadata:
        found = definition.table(name)
        if found is None and name not in operation.metadata.tables:
            # A dry run comes before ImportSolution adds the tables of the other solutions'
            # new versions (the platform's savedquery, granted by sales 7): read them there.
            solutions = operation.pipeline.organization.solutions
            shipped = (solution.definition().table(name) for solution in solutions)
            found = next((t for t in shipped if t is not None), None)
        return found or operation.table(name)

    steps = []
    for role in definition.roles:
        role_id = record_id("role", role.key)  # as install_role made it
        found = _held(operation, role_id)
        if found is None:  # new: ImportSolution made it whole (or deleted, then made again)
            continue
        name, held = found
        new: dict[str, RolePrivilege] = {}
        for grant in role.grants:
            if grant.since <= since:
                continue
            for privilege in grant.privilege_names(table):
                if privilege.lower() not in held:
                    new.setdefault(privilege, RolePrivilege(privilege, grant.depth))
        if new:
            privileges = tuple(new.values())
            steps.append(_Step(_grant_text(name, privileges),
                               (AddPrivilegesRoleRequest(role_id, privileges),)))  # fmt: skip
    return steps


def _grant_text(role: str, privileges: tuple[RolePrivilege, ...]) -> Text:
    def listed(language: str) -> str:
        return ", ".join(
            f"{p.privilege} ({Depth(p.depth).label.in_language(language)})" for p in privileges
        )

    joined = Label(listed("en"), listed("fr"))
    return Text(N_("grant {privileges} to the role {role}"), privileges=joined, role=role)


# --- processes ----------------------------------------------------------------------------


def _shipped_processes(operation: Operation, definition: SolutionDefinition) -> list[Process]:
    shipped = {record.id for record in definition.records if record.logical_name == "workflow"}
    tables = operation.unit_of_work.tables
    if not shipped or "workflow" not in tables:
        return []
    # Read afresh, not from the cache: ImportSolution may have just added a process.
    found = read_processes(operation.connection, tables)
    return [
        process for process_id, process in sorted(found.items(), key=lambda item: str(item[0]))
        if process_id in shipped and process.activated and process.stages
    ]  # fmt: skip


def _unstarted(operation: Operation, process: Process, column: str) -> list[uuid.UUID]:
    """Open records of the process's first table that have none of its instances."""
    table = operation.table(process.primary_table)
    records = operation.sql_table(table.name)
    started = operation.sql_table(process.instance_table)
    key = records.c[table.primary_key]
    has_instance = sa.exists().where(started.c[column] == key, started.c.processid == process.id)
    query = (
        sa.select(key)
        .where(records.c.statecode == ACTIVE, ~has_instance)
        .order_by(records.c.createdon, key)
    )
    return list(operation.connection.execute(query).scalars())


def _instance(operation: Operation, process: Process, column: str, record: uuid.UUID) -> Entity:
    table = operation.table(process.primary_table)
    values: dict[str, Any] = {
        "name": process.name.en[:200],  # as Dataverse names its instances
        "processid": EntityReference("workflow", process.id),
        column: EntityReference(table.name, record),
    }
    owner = operation.record_owner(table, record)
    owned = "ownerid" in operation.table(process.instance_table).columns
    if owned and owner is not None and owner.owner is not None:
        values["ownerid"] = owner.owner
    # No stage given: the platform's Create step puts a new instance on the first stage.
    return Entity(process.instance_table, None, values)


def _process_steps(operation: Operation, definition: SolutionDefinition) -> list[_Step]:
    steps = []
    for process in _shipped_processes(operation, definition):
        table = operation.table(process.primary_table)
        column = stage_column(operation.table(process.instance_table), table.name)
        if column is None or "statecode" not in table.columns:
            continue
        records = _unstarted(operation, process, column)
        if not records:
            continue
        text = Text(
            N_("start the process '{process}' on {count} open record(s) of the table {table} "
               "that have none"),
            process=process.name, count=len(records), table=table.label,
        )  # fmt: skip
        creates = tuple(
            CreateRequest(_instance(operation, process, column, record)) for record in records
        )
        steps.append(_Step(text, creates))
    return steps


def _audit_steps(operation: Operation, definition: SolutionDefinition) -> list[_Step]:
    """Tables the solution now ships audited, on a database that never set their auditing
    (an administrator's choice, on or off, is kept)."""
    steps = []
    for shipped in definition.tables:
        if not shipped.is_audit_enabled or shipped.name not in operation.metadata.tables:
            continue
        if AUDIT_PROPERTY in stored_properties(operation, shipped.name):
            continue
        table = operation.table(shipped.name)
        text = Text(N_("turn on auditing of the table {table}"), table=table.label)
        steps.append(_Step(text, (UpdateEntityRequest(table.name, is_audit_enabled=True),)))
    return steps


# --- UpgradeSolution ----------------------------------------------------------------------


def upgrade_solution(operation: Operation) -> UpgradeSolutionResponse:
    request: UpgradeSolutionRequest = operation.request
    definition = request.solution
    steps = [
        *_role_steps(operation, definition, request.from_version),
        *_process_steps(operation, definition),
        *_audit_steps(operation, definition),
    ]
    if not request.dry_run:
        for step in steps:
            for nested in step.requests:
                operation.execute(nested)
    return UpgradeSolutionResponse(
        definition.name, request.from_version, definition.version,
        tuple(step.text for step in steps), applied=not request.dry_run,
    )  # fmt: skip


def _authorize(operation: Operation) -> None:
    if operation.request.dry_run:
        operation.require_privilege("prvReadCustomizations")
        return
    operation.require_privilege("prvWriteCustomizations")
    operation.require_privilege("prvPublishCustomizations")


MESSAGES = {
    UpgradeSolutionRequest: Message("UpgradeSolution", upgrade_solution, authorize=_authorize),
}
