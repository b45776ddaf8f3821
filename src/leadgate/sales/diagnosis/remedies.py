"""One-click fixes: for the causes whose fix is one normal message, the message itself, with
the words of its button and of its confirmation. The diagnosis offers a remedy only to a
caller who holds the right it needs; applying it runs the message as them, through the
pipeline, like any other change (docs/doctor.md, "One-click fixes")."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from leadgate.platform import (
    ColumnSet,
    ConditionExpression,
    ExecuteTransactionRequest,
    FilterExpression,
    QueryExpression,
    RetrieveMultipleRequest,
)
from leadgate.platform.customization.messages import (
    InsertOptionValueRequest,
    PublishAllXmlRequest,
)
from leadgate.platform.engine import errors
from leadgate.platform.engine.dry_run import StepRun
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.pipeline import Operation
from leadgate.platform.engine.validation import initial_state
from leadgate.platform.maps.rules import AttributeMap
from leadgate.platform.processes.definitions import ProcessStep
from leadgate.platform.records.crud import DeleteRequest, UpdateRequest
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.security.messages import AddPrivilegesRoleRequest, RolePrivilege
from leadgate.platform.security.privileges import Depth, Right, privilege_name
from leadgate.sales.diagnosis.findings import DiagnoseQualifyRequest, Finding, Remedy
from leadgate.sales.errors import REMEDY_NOT_OFFERED

if TYPE_CHECKING:
    from leadgate.platform.service import OrganizationService

__all__ = [
    "add_choice",
    "apply_remedy",
    "disable_step",
    "grant_privilege",
    "make_optional",
    "offered",
    "remove_map",
]

_DISABLED_STEP = 1  # sdkmessageprocessingstep: Enabled 0, Disabled 1
_DRAFT_WORKFLOW = (0, 1)  # workflow: Draft


def _needs(operation: Operation[Any], right: Right, table: str) -> tuple[str, ...]:
    return (privilege_name(right, operation.table(table)),)


def _user_roles(operation: Operation[Any], user_id: uuid.UUID) -> list[Entity]:
    """The roles given to the user directly, by name (team roles are the team's business)."""
    links = operation.execute_as_system(RetrieveMultipleRequest(QueryExpression(
        "systemuserroles", ColumnSet.of("roleid"),
        FilterExpression(conditions=(ConditionExpression.make("systemuserid", "eq", user_id),)),
    ))).entity_collection.entities  # fmt: skip
    ids = tuple(link["roleid"].id for link in links if link.get("roleid") is not None)
    if not ids:
        return []
    roles = operation.execute_as_system(RetrieveMultipleRequest(QueryExpression(
        "role", ColumnSet.of("name"),
        FilterExpression(conditions=(ConditionExpression("roleid", "in", ids),)),
    ))).entity_collection.entities  # fmt: skip
    return sorted(roles, key=lambda role: str(role.get("name") or ""))


def grant_privilege(
    operation: Operation[Any], user_id: uuid.UUID, privilege: str, depth: Depth
) -> tuple[Remedy, ...]:
    """Add the privilege at the depth to each role the user holds (one remedy per role)."""
    found = []
    for role in _user_roles(operation, user_id):
        assert role.id is not None
        name = str(role.get("name") or role.id)
        params = {"privilege": privilege, "depth": depth.label, "role": name}
        found.append(Remedy(
            f"grant-{privilege}-{role.id}",
            Text(N_("Grant {privilege} at {depth} depth to the role {role}"), **params),
            Text(N_("Every user and team with the role {role} gets {privilege} at {depth} "
                    "depth. Grant it?"), **params),
            AddPrivilegesRoleRequest(role.id, (RolePrivilege(privilege, depth),)),
            _needs(operation, Right.WRITE, "role"),
        ))  # fmt: skip
    return tuple(found)


def remove_map(operation: Operation[Any], attribute_map: AttributeMap) -> tuple[Remedy, ...]:
    if attribute_map.id is None:
        return ()
    params = {"map": str(attribute_map)}
    return (Remedy(
        f"remove-map-{attribute_map.id}",
        Text(N_("Remove the map {map}"), **params),
        Text(N_("Qualifying leads will no longer copy this value ({map}). Remove the map?"),
             **params),
        DeleteRequest(EntityReference("attributemap", attribute_map.id)),
        _needs(operation, Right.DELETE, "attributemap"),
    ),)  # fmt: skip


def add_choice(
    operation: Operation[Any], error: errors.LeadgateError, attribute_map: AttributeMap,
    value: Any,
) -> tuple[Remedy, ...]:  # fmt: skip
    """Add the choice value the map copies to the target column, with the source's label
    (for a status reason, in the state new records start in), and publish it."""
    if error.kind not in (errors.PICKLIST_OUT_OF_RANGE, errors.INVALID_STATE_STATUS):
        return ()
    source = operation.table(attribute_map.source_table).column(attribute_map.source_column)
    option = source.option(value) if isinstance(value, int) else None
    if option is None:
        return ()
    target = operation.table(attribute_map.target_table)
    column = attribute_map.target_column
    if target.column(column).option(value) is not None:
        return ()  # there already, in another state: the fix says so (maps.rules.explain)
    state = initial_state(target) if column == "statuscode" else None
    params = {"value": value, "label": option.label, "target": f"{target.name}.{column}"}
    return (Remedy(
        f"add-choice-{target.name}-{column}-{value}",
        Text(N_("Add {value} ({label}) to {target} and publish"), **params),
        Text(N_("{target} gets the value {value} ({label}), published at once: every "
                "{target} record may hold it from now on. Add it?"), **params),
        ExecuteTransactionRequest((
            InsertOptionValueRequest(target.name, column, option.label, value=value,
                                     state=state),
            PublishAllXmlRequest(),
        )),
        ("prvWriteEntity", "prvPublishCustomizations"),
    ),)  # fmt: skip


def make_optional(operation: Operation[Any], steps: Iterable[ProcessStep]) -> tuple[Remedy, ...]:
    return tuple(
        Remedy(
            f"optional-{step.id}",
            Text(N_("Make the step {step} optional"), step=step.label),
            Text(N_("Every lead's process will let this stage go on without {step}. Make it "
                    "optional?"), step=step.label),
            UpdateRequest(Entity("processstep", step.id, isrequired=False)),
            _needs(operation, Right.WRITE, "processstep"),
        )
        for step in steps
    )  # fmt: skip


def disable_step(operation: Operation[Any], run: StepRun) -> tuple[Remedy, ...]:
    """Disable the plug-in step, or set the workflow back to Draft, until it is fixed."""
    if run.id is None:
        return ()
    if run.kind == "workflow":
        return (Remedy(
            f"deactivate-{run.id}",
            Text(N_("Deactivate the workflow {name}"), name=run.name),
            Text(N_("The workflow {name} will stop running everywhere until it is activated "
                    "again. Deactivate it?"), name=run.name),
            SetStateRequest(EntityReference("workflow", run.id), *_DRAFT_WORKFLOW),
            _needs(operation, Right.WRITE, "workflow"),
        ),)  # fmt: skip
    return (Remedy(
        f"disable-{run.id}",
        Text(N_("Disable the plug-in step {name}"), name=run.name),
        Text(N_("The step {name} will stop running on every {message} of {table} until it is "
                "enabled again. Disable it?"), name=run.name, message=run.message,
             table=run.table or "-"),
        SetStateRequest(EntityReference("sdkmessageprocessingstep", run.id), _DISABLED_STEP),
        _needs(operation, Right.WRITE, "sdkmessageprocessingstep"),
    ),)  # fmt: skip


def offered(operation: Operation[Any], findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings with only the remedies the caller holds every privilege of."""
    principal = operation.principal

    def allowed(remedy: Remedy) -> bool:
        return principal is None or all(
            principal.depth(name) is not Depth.NONE for name in remedy.privileges
        )

    return tuple(
        dataclasses.replace(finding, remedies=tuple(filter(allowed, finding.remedies)))
        for finding in findings
    )


def apply_remedy(service: OrganizationService, request: DiagnoseQualifyRequest, key: str) -> Remedy:
    """Apply the remedy ``key`` of the diagnosis ``request`` asks, as the service's user: the
    lead is diagnosed again first, so that only a fix still offered to them is applied."""
    diagnosis = service.execute(request)
    for finding in diagnosis.findings:
        for remedy in finding.remedies:
            if remedy.key == key:
                service.execute(remedy.request)
                return remedy
    raise REMEDY_NOT_OFFERED(key=key)
