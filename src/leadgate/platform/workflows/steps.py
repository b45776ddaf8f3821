"""Where workflows meet the pipeline: a definition is checked when saved and when activated,
and activated real-time workflows run after the core operation of Create, Update and SetState,
in its transaction (a stop with an error rolls the whole operation back, the seed's case).

Activation is SetState on the workflow (0 Draft, 1 Activated), checked by a step registered on
it, as Dataverse does: no message of its own, so the Web API's generic routes activate too.
"""

from __future__ import annotations

import importlib
import uuid
from typing import TYPE_CHECKING, Any

from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.context import Caller, ExecutionContext
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.types import SYSTEM_USER_ID, Stage
from leadgate.platform.security.access import record_owner, units_below
from leadgate.platform.security.access import require as require_right
from leadgate.platform.security.privileges import privilege_name
from leadgate.platform.service import OrganizationService
from leadgate.platform.workflows.definition import (
    BUSINESS_UNIT,
    OWNER,
    PARENT_CHILD,
    REAL_TIME,
    USER,
    WORKFLOW,
    Workflow,
    check_definition,
    read_workflows,
    workflow_from_row,
)
from leadgate.platform.workflows.errors import WORKFLOW_RUN_AS_DENIED
from leadgate.platform.workflows.runner import run_workflow

if TYPE_CHECKING:
    from leadgate.platform.engine.unit_of_work import UnitOfWork
    from leadgate.platform.organization import Organization

__all__ = ["JOB_KIND", "queue_background", "register", "workflow_job"]

JOB_KIND = "workflow"
TRIGGERS = ("Create", "Update", "SetState")


# --- checked when saved and when activated ---------------------------------------------------


def check_saved_workflow(context: ExecutionContext) -> None:
    """Post-operation on Create/Update/SetState of a workflow: refuse a definition that could
    not run; on activation, also one whose owner (when it runs as its owner) may not do what
    its steps do. A process flow (category 4) is the processes package's business."""
    unit = context.unit_of_work
    assert unit.connection is not None and context.primary_entity_id is not None
    table = unit.metadata.table("workflow")
    row = rows.select_row(
        unit.connection, table, unit.tables["workflow"], context.primary_entity_id,
        list(table.columns),
    )  # fmt: skip
    unit.renew_derived()
    if row is None or row.get("category") != WORKFLOW:
        return
    workflow = workflow_from_row(row)
    needs = check_definition(unit.metadata, workflow)
    if not workflow.activated or workflow.run_as != OWNER:
        return
    owner = workflow.owner
    if owner is None or owner == SYSTEM_USER_ID:
        return
    principal = unit.principal(owner)
    for need in needs:
        checked = unit.metadata.table(need.table)
        try:
            require_right(unit.connection, unit.tables, principal, need.right, checked)
        except errors.LeadgateError as error:
            raise WORKFLOW_RUN_AS_DENIED(
                workflow=workflow.name, user=principal.name, path=need.path,
                privilege=privilege_name(need.right, checked),
            ) from error  # fmt: skip


# --- run ---------------------------------------------------------------------------------------


def _workflows(unit: UnitOfWork) -> tuple[Workflow, ...]:
    if "category" not in unit.tables["workflow"].c:
        return ()  # a database older than workflows, being upgraded
    return unit.derived("workflows", read_workflows)


def run_realtime(context: ExecutionContext) -> None:
    """Post-operation on Create/Update/SetState of any table: run the activated workflows
    the operation triggers, in scope, as their owner or the calling user."""
    table = context.primary_entity_name
    if table is None or context.primary_entity_id is None:
        return
    unit = context.unit_of_work
    chosen = [workflow for workflow in _workflows(unit) if workflow.table == table]
    if not chosen:
        return
    changed: frozenset[str] = frozenset()
    if context.message_name == "Update":
        changed = frozenset(context.input_parameters["Target"].keys())
    target = EntityReference(table, context.primary_entity_id)
    for workflow in chosen:
        if not workflow.triggered_by(context.message_name, changed):
            continue
        if not in_scope(unit, workflow, target):
            continue
        if workflow.mode != REAL_TIME:
            queue_background(context, workflow, target)
            continue
        dry_run = unit.dry_run
        if dry_run is not None and not dry_run.keeps(workflow.id):
            continue  # left out of this dry run, to see whether it alone makes the difference
        context.trace("workflow {0} on {1} {2}", workflow.name, table, target.id)
        service = service_for(context, workflow)
        if dry_run is None:
            run_workflow(service, workflow, target)
            continue
        with dry_run.recording("workflow", workflow.id, workflow.name, context, service.user_id):
            run_workflow(service, workflow, target)


def in_scope(unit: UnitOfWork, workflow: Workflow, target: EntityReference) -> bool:
    """Dataverse's scope: User — records the workflow's owner owns; Business Unit — owned in
    the owner's unit; Parent: Child — in it or below; Organization — every record."""
    if workflow.scope not in (USER, BUSINESS_UNIT, PARENT_CHILD) or workflow.owner is None:
        return True
    assert unit.connection is not None and target.id is not None
    table = unit.metadata.table(target.logical_name)
    found = record_owner(unit.connection, table, unit.tables[table.name], target.id)
    if found is None or (found.owner is None and found.business_unit is None):
        return True  # organization-owned records have no owner to compare
    if workflow.scope == USER:
        return found.owner is not None and found.owner.id == workflow.owner
    owner_unit = unit.business_unit_of("systemuser", workflow.owner)
    if workflow.scope == BUSINESS_UNIT:
        return found.business_unit == owner_unit
    if owner_unit is None:
        return False
    below = units_below(unit.connection, unit.tables, unit.security, owner_unit)
    return found.business_unit in below


def service_for(context: ExecutionContext, workflow: Workflow) -> OrganizationService:
    """The workflow's user: its owner (runas 0) or the user whose operation triggered it."""
    caller = context.caller
    if workflow.run_as == OWNER and workflow.owner is not None:
        caller = Caller(workflow.owner, caller.initiating_user_id, caller.language)
    return OrganizationService(context.unit_of_work.organization, caller, parent=context)


# --- background: the hook the jobs capability fills ---------------------------------------------


def queue_background(
    context: ExecutionContext, workflow: Workflow, target: EntityReference
) -> None:
    """A background workflow becomes a job of kind "workflow", run after the commit by
    :func:`workflow_job`; without the jobs capability it is skipped with a trace line."""
    organization = context.unit_of_work.organization
    if getattr(organization, "jobs", None) is None:
        context.trace("workflow {0}: background mode needs the jobs capability; skipped",
                      workflow.name)  # fmt: skip
        return
    jobs = importlib.import_module("leadgate.platform.jobs")
    run_as = workflow.owner if workflow.run_as == OWNER else context.user_id
    data = {"workflowid": str(workflow.id), "runas": str(run_as), "language": str(context.language)}
    context.system_service.execute(jobs.QueueJobRequest(JOB_KIND, data, target))


def workflow_job(service: OrganizationService, data: dict[str, Any], regarding: Any) -> None:
    """A job handler for background workflows: ``service`` runs as SYSTEM; the workflow runs as
    the user ``data`` names, on the job's regarding record, in the job's own transaction."""
    workflow_id = uuid.UUID(str(data["workflowid"]))
    row = service.retrieve("workflow", workflow_id)
    workflow = workflow_from_row({**row, "workflowid": workflow_id})
    if not workflow.activated:
        return  # deactivated since it was queued, as Dataverse skips it
    caller = Caller(uuid.UUID(str(data["runas"])), service.caller.initiating_user_id)
    run_workflow(OrganizationService(service.organization, caller), workflow, regarding)


def run_background_job(context: Any) -> None:
    """The "workflow" job kind: the job (queued as SYSTEM) runs its workflow on its record."""
    workflow_job(context.service, dict(context.data), context.regarding)


STEPS = (
    (check_saved_workflow, "Check a workflow definition", Stage.POST_OPERATION,
     ("workflow",), ("Create", "Update", "SetState")),
)  # fmt: skip


def register(organization: Organization) -> None:
    organization.steps.add_code_steps(STEPS)
    for message in TRIGGERS:
        organization.steps.add_code_step(
            run_realtime, name=f"Run real-time workflows ({message})", message=message,
            stage=Stage.POST_OPERATION, rank=50,
        )  # fmt: skip
    jobs = getattr(organization, "jobs", None)
    if jobs is not None:  # the jobs capability registers before this one (CAPABILITIES)
        jobs.register(JOB_KIND, run_background_job)
