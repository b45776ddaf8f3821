"""The doctor's checks of the seeds' causes 1 to 6, read without changing anything.

Each check asks the rule QualifyLead itself asks (the same functions, so the same coded
error) but goes on after a refusal, so that every cause is found, not just the first.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from leadgate.platform import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    OrderExpression,
    PagingInfo,
    QueryExpression,
    RetrieveMultipleRequest,
)
from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.i18n import N_, Label, Text
from leadgate.platform.engine.pipeline import Operation
from leadgate.platform.engine.types import SYSTEM_USER_ID
from leadgate.platform.engine.validation import check_state_status, check_values, initial_state
from leadgate.platform.maps.rules import AttributeMap, copied_values, explain, maps_from
from leadgate.platform.processes.definitions import empty_steps
from leadgate.platform.processes.messages import Instance, check_required_steps
from leadgate.platform.security.access import Principal, RecordOwner
from leadgate.platform.security.privileges import Depth, Right, privilege_name
from leadgate.sales.diagnosis.findings import Check, Finding
from leadgate.sales.diagnosis.remedies import (
    add_choice,
    grant_privilege,
    make_optional,
    remove_map,
)
from leadgate.sales.errors import DUPLICATE_ON_QUALIFY
from leadgate.sales.lead_state import refuse_closed_lead
from leadgate.sales.qualify import (
    SET_BY_QUALIFY,
    Need,
    QualifyLeadRequest,
    active_stage_on_lead,
    check_need,
    lead_process,
    qualify_needs,
    records_to_make,
    warn_of_duplicates,
)

__all__ = ["STATIC_CHECKS", "Plan"]

# Dataverse's audit actions that close a lead: Qualify, Disqualify, Deactivate.
_CLOSING_ACTIONS = (24, 25, 5)
_EVERY_WRITER = Text(N_("Anyone who may write the lead: its owner, their manager, an "
                        "administrator."))  # fmt: skip
_ADMINISTRATOR = Text(N_("A System Administrator."))
_CUSTOMIZER = Text(
    N_(
        "A System Administrator or System Customizer (who edits mappings and tables); the "
        "value on the lead, anyone who may write the lead."
    )
)


@dataclass
class Plan:
    """What the checks share: the lead as QualifyLead reads it, the qualification asked for,
    and the user it is diagnosed for."""

    request: QualifyLeadRequest
    lead: Entity
    owner: RecordOwner
    principal: Principal | None  # None: SYSTEM, which may do anything
    makes: tuple[bool, bool, bool]  # account, contact, opportunity
    instance: Instance | None
    maps: dict[str, list[AttributeMap]]


def _closed_by(operation: Operation[Any], plan: Plan) -> dict[str, Any]:
    """Who closed the lead and when: the audit trail's last closing, else the last change."""
    query = QueryExpression(
        "audit", ColumnSet.of("userid", "createdon"),
        FilterExpression(conditions=(
            ConditionExpression.make("objectid", "eq", plan.lead.id),
            ConditionExpression("action", "in", _CLOSING_ACTIONS),
        )),
        (OrderExpression("createdon", descending=True),), page_info=PagingInfo(count=1),
    )  # fmt: skip
    found = operation.execute_as_system(RetrieveMultipleRequest(query)).entity_collection.entities
    who, when = (found[0].get("userid"), found[0].get("createdon")) if found else (
        plan.lead.get("modifiedby"), plan.lead.get("modifiedon"))  # fmt: skip
    name = None
    if who is not None:
        user = operation.retrieve("systemuser", who.id, ["fullname"])
        name = (user.get("fullname") if user is not None else None) or str(who.id)
    return {
        "closed_by": name,
        "closed_on": when.isoformat(timespec="seconds") if when is not None else None,
    }


def check_lead_open(operation: Operation[Any], plan: Plan) -> list[Finding]:
    leads = operation.table("lead")
    try:
        refuse_closed_lead(leads, plan.lead.id, plan.lead.get("statecode"))
    except errors.LeadgateError as error:
        evidence = {"lead": plan.lead.id, "state": error.params.get("state")}
        evidence.update(_closed_by(operation, plan))
        fix = Text(N_("Reactivate the lead (Reactivate on its form, or leadgate leads "
                      "reactivate {id}), then qualify it again."), id=plan.lead.id)  # fmt: skip
        return [Finding(Check.LEAD_OPEN, error, evidence, fix, _EVERY_WRITER)]
    return []


def check_active_stage(operation: Operation[Any], plan: Plan) -> list[Finding]:
    if plan.instance is None:
        return []
    try:
        active_stage_on_lead(operation, plan.instance)
    except errors.LeadgateError as error:
        evidence = {
            "process": error.params["process"], "stage": error.params["stage"],
            "stage_table": error.params["table"], "lead_stage": error.params["lead_stage"],
        }  # fmt: skip
        fix = Text(N_("On the lead's process bar, select the stage {stage} and choose Set "
                      "Active (leadgate process set-active), then qualify again."),
                   stage=error.params["lead_stage"])  # fmt: skip
        return [Finding(Check.ACTIVE_STAGE, error, evidence, fix, _EVERY_WRITER)]
    return []


def check_required(operation: Operation[Any], plan: Plan) -> list[Finding]:
    """The active stage's required steps; when the active stage is not on the lead, those of
    the lead's stage, which Set Active brings back."""
    instance = plan.instance
    if instance is None:
        return []
    stage = instance.active
    if stage.table != "lead":
        stage = next(s for s in reversed(instance.process.stages) if s.table == "lead")
    try:
        check_required_steps(operation, instance, stage)
    except errors.LeadgateError as error:
        evidence = {"process": instance.process.name, "stage": stage.name,
                    "steps": error.params["steps"]}  # fmt: skip
        fix = Text(N_("Fill in {steps} on the lead (stage {stage} of the process bar), save, "
                      "and qualify again. An administrator can also make a step optional in "
                      "the process."), steps=error.params["steps"], stage=stage.name)  # fmt: skip
        remedies = (
            make_optional(operation, empty_steps(stage, plan.lead)) if stage.table == "lead" else ()
        )
        return [Finding(Check.REQUIRED_STEPS, error, evidence, fix, _EVERY_WRITER, remedies)]
    return []


def _match(match: dict[str, Any]) -> dict[str, Any]:
    """A duplicate match with its rule's name in both languages (one Label, not two keys)."""
    return {"table": match.get("table"), "id": match.get("id"), "name": match.get("name"),
            "rule": Label(str(match.get("rule")), match.get("rule_fr"))}  # fmt: skip


def check_duplicates(operation: Operation[Any], plan: Plan) -> list[Finding]:
    makes_account, makes_contact, _opportunity = plan.makes
    try:
        warn_of_duplicates(operation, plan.lead, makes_account, makes_contact, plan.maps)
    except errors.LeadgateError as error:
        if error.kind is not DUPLICATE_ON_QUALIFY:
            raise
        evidence = {"matches": [_match(match) for match in error.details.get("matches", [])]}
        fix = Text(N_("Pick the existing record: set it as the lead's Existing Account or "
                      "Existing Contact and qualify again (it is linked, not created). Or, if "
                      "the records are different, choose Continue in the Duplicates Detected "
                      "dialog."))  # fmt: skip
        return [Finding(Check.DUPLICATES, error, evidence, fix,
                        Text(N_("The user who qualifies the lead.")))]  # fmt: skip
    return []


def _map_fix(error: errors.LeadgateError, attribute_map: AttributeMap, value: Any) -> Text:
    params = {"source": f"lead.{attribute_map.source_column}",
              "target": f"{attribute_map.target_table}.{attribute_map.target_column}",
              "map_id": attribute_map.id, "value": value}  # fmt: skip
    if error.kind is errors.STRING_TOO_LONG:
        return Text(N_("Shorten {source} on this lead, make {target} longer, or remove the "
                       "map (leadgate maps remove {map_id})."), **params)  # fmt: skip
    if error.kind in (errors.PICKLIST_OUT_OF_RANGE, errors.INVALID_STATE_STATUS):
        return Text(N_("Add the value {value} to {target} (leadgate customize add-choice, then "
                       "publish), or remove the map (leadgate maps remove {map_id})."),
                    **params)  # fmt: skip
    return Text(N_("Correct {source} on this lead, or remove the map (leadgate maps remove "
                   "{map_id})."), **params)  # fmt: skip


def check_maps(operation: Operation[Any], plan: Plan) -> list[Finding]:
    """Every value a map would copy into a record qualifying makes, checked as Create checks
    it; each refusal names its map, as QualifyLead's does."""
    found: list[Finding] = []
    targets = [name for name, made in zip(("account", "contact", "opportunity"), plan.makes,
                                          strict=True) if made]  # fmt: skip
    if not targets:
        return found
    if not plan.maps:
        plan.maps.update(maps_from(operation, "lead", ("account", "contact", "opportunity")))
    for target in targets:
        table = operation.table(target)
        values, origin = copied_values(plan.lead, plan.maps[target])
        for column, value in values.items():
            if column in SET_BY_QUALIFY[target]:
                continue
            try:
                checked = check_values(table, {column: value}, creating=True)[column]
                if column == "statuscode" and table.has_state:
                    check_state_status(table, initial_state(table), checked, Text(N_("(new)")))
            except errors.LeadgateError as error:
                attribute_map = origin[column]
                evidence = {"map": str(attribute_map), "map_id": attribute_map.id,
                            "column": f"{target}.{column}", "value": value}  # fmt: skip
                remedies = (*add_choice(operation, error, attribute_map, value),
                            *remove_map(operation, attribute_map))  # fmt: skip
                found.append(Finding(Check.MAPS, explain(error, origin, operation.metadata),
                                     evidence, _map_fix(error, attribute_map, value),
                                     _CUSTOMIZER, remedies))  # fmt: skip
    return found


def _depth_name(depth: Depth) -> str:
    return depth.name.lower().replace("_", "")


def check_privileges(operation: Operation[Any], plan: Plan) -> list[Finding]:
    """Every privilege qualifying needs that the user lacks at the depth the lead's owner
    needs — for the user's own checks and for the nested creates — each once."""
    principal = plan.principal
    if principal is None:
        return []
    needs = list(qualify_needs(operation, plan.owner))
    if any(plan.makes):  # reading the mappings is reading customizations
        needs += [Need(Right.READ, operation.table(name)) for name in ("entitymap",
                                                                       "attributemap")]  # fmt: skip
    found: list[Finding] = []
    seen: set[str] = set()
    for need in needs:
        name = need.privilege or privilege_name(need.right, need.table)  # type: ignore[arg-type]
        if name in seen:
            continue
        try:
            check_need(operation, need, principal)
        except errors.LeadgateError as error:
            seen.add(name)
            needed = Depth.ORGANIZATION if need.privilege else principal.depth_needed(need.record)
            table = need.table.name if need.table is not None else None
            evidence = {"user": principal.name, "privilege": name, "table": table,
                        "depth": needed.label, "held": principal.depth(name).label,
                        "roles": list(principal.roles)}  # fmt: skip
            fix = Text(N_("Add {privilege} at {depth} depth or more to one of {user}'s roles "
                          "(leadgate roles grant <role> {privilege} --depth {depth_name}), or "
                          "give them a role that has it."), privilege=name, depth=needed.label,
                       user=principal.name, depth_name=_depth_name(needed))  # fmt: skip
            remedies = grant_privilege(operation, principal.user_id, name, needed)
            found.append(Finding(Check.PRIVILEGES, error, evidence, fix, _ADMINISTRATOR, remedies))
    return found


STATIC_CHECKS: tuple[tuple[Check, Callable[[Operation[Any], Plan], list[Finding]]], ...] = (
    (Check.LEAD_OPEN, check_lead_open),
    (Check.REQUIRED_STEPS, check_required),
    (Check.ACTIVE_STAGE, check_active_stage),
    (Check.DUPLICATES, check_duplicates),
    (Check.MAPS, check_maps),
    (Check.PRIVILEGES, check_privileges),
)


def plan_for(
    operation: Operation[Any], request: QualifyLeadRequest, user_id: uuid.UUID
) -> Plan | None:
    """Read what the checks need; None when the lead does not exist."""
    lead = operation.retrieve("lead", request.lead_id.id)
    owner = operation.record_owner(operation.table("lead"), request.lead_id.id)
    if lead is None or owner is None:
        return None
    principal = None if user_id == SYSTEM_USER_ID else operation.unit_of_work.principal(user_id)
    try:
        makes = records_to_make(operation, request, lead)
    except errors.LeadgateError:
        makes = (False, False, False)  # the dry run reports the refusal
    try:
        instance = lead_process(operation, request)
    except errors.LeadgateError:
        instance = None  # a process instance named that is not the lead's: the dry run says
    return Plan(request, lead, owner, principal, makes, instance, {})
