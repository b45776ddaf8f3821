"""Running one workflow on one record: a pure function of a service, a definition and a
record, so the pipeline (real-time) and a job handler (background, after the commit) run the
same code. Every action is a message through the service, as the user the workflow runs as.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.types import ColumnType
from leadgate.platform.records.crud import CreateRequest, UpdateRequest
from leadgate.platform.records.state import AssignRequest, SetStateRequest
from leadgate.platform.workflows.definition import TARGET, Workflow, constant
from leadgate.platform.workflows.errors import WORKFLOW_STOPPED

if TYPE_CHECKING:
    from leadgate.platform.service import OrganizationService

__all__ = ["Outcome", "run_workflow"]


class Outcome(enum.Enum):
    """How a run ended (a stop with an error is an exception: it rolls back)."""

    COMPLETED = "completed"
    STOPPED = "stopped"


class _Stop(Exception):
    pass


class _Run:
    def __init__(
        self, service: OrganizationService, workflow: Workflow, target: Entity, table: TableMetadata
    ) -> None:
        self.service = service
        self.workflow = workflow
        self.target = target
        self.table = table
        self.metadata = _metadata(service)

    def steps(self, steps: list[Any]) -> None:
        for step in steps:
            self.step(step)

    def step(self, step: Mapping[str, Any]) -> None:
        if "if" in step:
            self.steps(step.get("then", []) if self.test(step["if"]) else step.get("else", []))
        elif "create" in step:
            table = self.metadata.table(step["create"])
            self.service.execute(CreateRequest(self.entity(table, None, step.get("values", {}))))
        elif "update" in step:
            reference = self.record(step["update"])
            if reference is not None:
                table = self.metadata.table(reference.logical_name)
                values = step.get("values", {})
                self.service.execute(UpdateRequest(self.entity(table, reference.id, values)))
                if reference.id == self.target.id:
                    self.target.update(self.entity(table, reference.id, values))
        elif "assign" in step:
            reference = self.record(step["assign"])
            if reference is None:
                return
            table = self.metadata.table(reference.logical_name)
            owner = self.value(table.column("ownerid"), step.get("owner"))
            if owner is not None:
                self.service.execute(AssignRequest(reference, owner))
        elif "set_state" in step:
            reference = self.record(step["set_state"])
            if reference is not None:
                self.service.execute(
                    SetStateRequest(reference, step["state"], step.get("status", -1))
                )
        elif step["stop"] == "error":
            raise WORKFLOW_STOPPED(
                workflow=self.workflow.name,
                message=Label(step["message"], step.get("message_fr") or None),
            )
        else:
            raise _Stop

    def record(self, name: str) -> EntityReference | None:
        if name == TARGET:
            assert self.target.id is not None
            return EntityReference(self.target.logical_name, self.target.id)
        found = self.target.get(name)
        return found if isinstance(found, EntityReference) else None

    def entity(self, table: TableMetadata, record_id: Any, values: Mapping[str, Any]) -> Entity:
        return Entity(
            table.name, record_id,
            {name: self.value(table.column(name), value) for name, value in values.items()},
        )  # fmt: skip

    def value(self, column: ColumnMetadata, value: Any) -> Any:
        if isinstance(value, dict) and "from" in value:
            found = self.target.get(value["from"])
            if found is not None and column.type in (ColumnType.STRING, ColumnType.MEMO):
                if not isinstance(found, str):
                    found = str(found)
                if column.max_length is not None:
                    found = found[: column.max_length]
            return found
        return constant(column, value)

    def test(self, condition: Mapping[str, Any]) -> bool:
        if "all" in condition:
            return all(self.test(item) for item in condition["all"])
        if "any" in condition:
            return any(self.test(item) for item in condition["any"])
        column = self.table.column(condition["column"])
        actual = _comparable(self.target.get(column.name))
        operator = condition.get("operator", "eq")
        if operator == "null":
            return actual is None
        if operator == "not-null":
            return actual is not None
        raw = condition.get("value")
        expected = (
            [_comparable(self.value(column, item)) for item in raw or ()]
            if operator == "in"
            else _comparable(self.value(column, raw))
        )
        if operator == "eq":
            return bool(actual == expected)
        if operator == "ne":
            return bool(actual != expected)
        if operator == "in":
            return actual in expected
        if actual is None or expected is None:
            return False
        if operator == "contains":
            return str(expected).casefold() in str(actual).casefold()
        return bool(actual > expected) if operator == "gt" else bool(actual < expected)


def _metadata(service: OrganizationService) -> MetadataSet:
    """The metadata of the running transaction (in the pipeline), or the organization's."""
    if service.parent is not None:
        return service.parent.unit_of_work.metadata
    return service.organization.metadata()


def _comparable(value: Any) -> Any:
    return value.id if isinstance(value, EntityReference) else value


def run_workflow(
    service: OrganizationService, workflow: Workflow, target_ref: EntityReference
) -> Outcome:
    """Run ``workflow``'s steps on the record ``target_ref`` as ``service``'s user.

    Raises the coded error of a stop with an error (or of a refused action): the caller's
    transaction rolls back. Returns how the run ended otherwise.
    """
    table = _metadata(service).table(target_ref.logical_name)
    target = service.retrieve(table.name, target_ref.id)
    try:
        _Run(service, workflow, target, table).steps(workflow.steps)
    except _Stop:
        return Outcome.STOPPED
    return Outcome.COMPLETED
