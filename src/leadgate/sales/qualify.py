"""QualifyLead (REFERENCE §3): a lead becomes an account, a contact and an opportunity.

One message, one transaction: each record is made by a nested Create (its own plug-ins,
validation and security run, as the qualifying user) from the lead's values through the
attribute maps, and the lead is closed as Qualified. Any refusal leaves nothing behind, and
a value a map copied says which map did it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from leadgate.platform.duplicates.messages import duplicate_error, find_duplicates
from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.validation import DEFAULT_STATUS, check_state_status
from leadgate.platform.maps.rules import AttributeMap, copied_values, explain, maps_from
from leadgate.platform.processes.definitions import stage_column
from leadgate.platform.processes.messages import (
    Instance,
    SetProcessStageRequest,
    active_instance,
    check_required_steps,
    load_instance,
)
from leadgate.platform.records.crud import CreateRequest, UpdateRequest
from leadgate.platform.records.fields import checked_reference, compose
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.security.access import Principal, RecordOwner
from leadgate.platform.security.privileges import Right
from leadgate.sales.errors import (
    ACTIVE_STAGE_NOT_ON_LEAD,
    CHOOSE_WHAT_TO_CREATE,
    DUPLICATE_ON_QUALIFY,
    NOT_A_CUSTOMER,
    NOT_A_LEAD,
    NOT_THIS_LEADS_PROCESS,
)
from leadgate.sales.lead_state import refuse_closed_lead

__all__ = [
    "MESSAGES",
    "SET_BY_QUALIFY",
    "Need",
    "QualifyLeadRequest",
    "QualifyLeadResponse",
    "active_stage_on_lead",
    "check_need",
    "lead_process",
    "qualify_needs",
    "records_to_make",
    "warn_of_duplicates",
]

QUALIFIED = 1  # the lead's Qualified state (REFERENCE §1); its status reasons are data
# What qualifying needs on each table, at a depth that reaches the lead's owner (the seed's
# "Insufficient permissions" section, in its order).
NEEDED_RIGHTS = (Right.CREATE, Right.READ, Right.APPEND, Right.APPEND_TO)
NEEDED_TABLES = ("account", "lead", "contact", "opportunity")
NEEDED_PRIVILEGES = ("prvReadEntity", "prvReadCustomizations")
# What QualifyLead sets itself on the records it makes, over what a map copies (qualify_lead).
SET_BY_QUALIFY = {
    "account": frozenset({"originatingleadid"}),
    "contact": frozenset({"originatingleadid", "parentcustomerid"}),
    "opportunity": frozenset({"originatingleadid", "customerid", "parentaccountid",
                              "parentcontactid", "transactioncurrencyid", "campaignid"}),
}  # fmt: skip


@dataclass(frozen=True)
class QualifyLeadRequest:
    """Dataverse's QualifyLead. A create flag left as None follows the organization setting."""

    lead_id: EntityReference
    status: int = DEFAULT_STATUS  # the Qualified state's default status reason
    create_account: bool | None = None
    create_contact: bool | None = None
    create_opportunity: bool | None = None
    opportunity_currency_id: EntityReference | None = None
    opportunity_customer_id: EntityReference | None = None
    source_campaign_id: EntityReference | None = None
    process_instance_id: EntityReference | None = None
    # False (the lead form's path): the account and contact about to be made are checked
    # against the published duplicate rules first. True (the grid's path, and the default
    # for programs, as for Create): they are made whatever exists.
    suppress_duplicate_detection: bool = True


@dataclass(frozen=True)
class QualifyLeadResponse:
    """The records made, in the order account, contact, opportunity."""

    created_entities: tuple[EntityReference, ...]


def _target(request: Any) -> tuple[str | None, uuid.UUID | None]:
    return request.lead_id.logical_name, request.lead_id.id


def validate_qualify(operation: Operation[QualifyLeadRequest]) -> None:
    request = operation.request
    if request.lead_id.logical_name != "lead":
        raise NOT_A_LEAD(table=request.lead_id.logical_name)
    changes: dict[str, Any] = {"lead_id": checked_reference(operation, request.lead_id)}
    for field, table in (
        ("opportunity_currency_id", ("transactioncurrency",)),
        ("opportunity_customer_id", ("account", "contact")),
        ("source_campaign_id", ("campaign",)),
    ):
        reference = getattr(request, field)
        if reference is None:
            continue
        if reference.logical_name not in table:
            if field == "opportunity_customer_id":
                raise NOT_A_CUSTOMER(table=reference.logical_name)
            raise errors.LOOKUP_WRONG_TARGET(
                column=field, table="QualifyLead", target=reference.logical_name,
                targets=", ".join(table),
            )  # fmt: skip
        changes[field] = checked_reference(operation, reference)
    operation.request = replace(request, **changes)


@dataclass(frozen=True)
class Need:
    """One thing qualifying asks of the user: a right on a table at a depth that reaches
    ``record``, or an organization-wide privilege."""

    right: Right | None
    table: TableMetadata | None
    record: RecordOwner | None = None
    privilege: str | None = None


def qualify_needs(operation: Operation[Any], lead: RecordOwner) -> list[Need]:
    """Every right qualifying ``lead`` needs, in the seed's order: Read on the lead; Create,
    Read, Append and Append To on each table at a depth reaching the lead's owner; then the
    organization privileges."""
    leads = operation.table("lead")
    needs = [Need(Right.READ, leads, lead)]
    for table_name in NEEDED_TABLES:
        table = operation.table(table_name)
        reach = lead if table_name == "lead" else RecordOwner(
            table_name, None, lead.owner, lead.business_unit
        )  # fmt: skip
        needs.extend(Need(right, table, reach) for right in NEEDED_RIGHTS)
    needs.extend(Need(None, None, privilege=name) for name in NEEDED_PRIVILEGES)
    return needs


def check_need(operation: Operation[Any], need: Need, principal: Principal | None = None) -> None:
    """Refuse unless the caller (or ``principal``) meets ``need``."""
    if need.privilege is not None:
        operation.require_privilege(need.privilege, principal=principal)
        return
    assert need.right is not None and need.table is not None
    operation.require(need.right, need.table, need.record, principal=principal)


def authorize_qualify(operation: Operation[QualifyLeadRequest]) -> None:
    lead = operation.record_owner(operation.table("lead"), operation.request.lead_id.id)
    if lead is None:
        return  # reported as missing by the core operation
    for need in qualify_needs(operation, lead):
        check_need(operation, need)


def _choices(operation: Operation[Any], request: QualifyLeadRequest) -> tuple[bool, bool, bool]:
    """A flag left out follows the organization setting: all three, or none may be left out."""
    given = {
        "CreateAccount": request.create_account,
        "CreateContact": request.create_contact,
        "CreateOpportunity": request.create_opportunity,
    }
    missing = [name for name, value in given.items() if value is None]
    if missing and not operation.setting("qualifyleadcreateall", True):
        raise CHOOSE_WHAT_TO_CREATE(missing=", ".join(missing))
    account, contact, opportunity = (True if value is None else value for value in given.values())
    return account, contact, opportunity


def records_to_make(
    operation: Operation[Any], request: QualifyLeadRequest, lead: Entity
) -> tuple[bool, bool, bool]:
    """Whether qualifying ``lead`` makes an account, a contact and an opportunity."""
    create_account, create_contact, create_opportunity = _choices(operation, request)
    # As in Dynamics 365, a lead without a company name makes no account.
    makes_account = (
        lead.get("parentaccountid") is None and create_account
        and bool(str(lead.get("companyname") or "").strip())
    )  # fmt: skip
    makes_contact = lead.get("parentcontactid") is None and create_contact
    return makes_account, makes_contact, create_opportunity


def _base_currency(operation: Operation[Any]) -> EntityReference | None:
    currency = operation.setting("basecurrencyid")
    return EntityReference("transactioncurrency", currency) if currency else None


def _create_from_lead(
    operation: Operation[QualifyLeadRequest],
    target: str,
    lead: Entity,
    extra: dict[str, Any],
    maps: dict[str, list[AttributeMap]],
) -> EntityReference:
    """A record made from the lead through the maps, by a nested Create as the caller."""
    if not maps:  # read once, and only when a record is made
        maps.update(maps_from(operation, "lead", ("account", "contact", "opportunity")))
    values, origin = copied_values(lead, maps[target])
    assert set(extra) <= SET_BY_QUALIFY[target]
    for column in extra:
        origin.pop(column, None)
    values.update({column: value for column, value in extra.items() if value is not None})
    record_id = uuid.uuid4()
    try:
        operation.execute(CreateRequest(Entity(target, record_id, values)))
    except errors.LeadgateError as error:
        raise explain(error, origin, operation.metadata) from None
    return EntityReference(target, record_id)


def warn_of_duplicates(
    operation: Operation[Any],
    lead: Entity,
    makes_account: bool,
    makes_contact: bool,
    maps: dict[str, list[AttributeMap]],
) -> None:
    """The seed's duplicate warning: the account and contact qualifying would make, built
    from the maps, checked before anything is written (0x80040333 with the matches)."""
    matches = []
    for table_name, made in (("account", makes_account), ("contact", makes_contact)):
        if not made:
            continue
        if not maps:
            maps.update(maps_from(operation, "lead", ("account", "contact", "opportunity")))
        values, _origin = copied_values(lead, maps[table_name])
        compose(operation.table(table_name), values)
        matches.extend(find_duplicates(operation, table_name, values))
    if matches:
        raise duplicate_error(operation, matches, DUPLICATE_ON_QUALIFY, fix=Text(N_(
            "To use an existing record, set it as the lead's Existing Account "
            "(parentaccountid) or Existing Contact (parentcontactid) and qualify again: it is "
            "linked, not created. To create new records anyway, qualify again with duplicate "
            "detection suppressed (Continue)."
        )))  # fmt: skip


def lead_process(operation: Operation[Any], request: QualifyLeadRequest) -> Instance | None:
    """The process the lead follows: the one named, else its active instance (if any)."""
    lead_id = request.lead_id.id
    if request.process_instance_id is not None:
        instance = load_instance(operation, request.process_instance_id)
        record = instance.record_of(operation, instance.process.stages[0])
        if not instance.is_active or record is None or record.id != lead_id:
            raise NOT_THIS_LEADS_PROCESS(id=request.process_instance_id.id, lead=lead_id)
        return instance
    return active_instance(operation, "lead", lead_id)


def _check_process(operation: Operation[QualifyLeadRequest], instance: Instance) -> None:
    """The seed's process failures: the active stage must be on the lead, its required
    steps filled in (0x80100002, 0x8006041a)."""
    active_stage_on_lead(operation, instance)
    check_required_steps(operation, instance, instance.active)


def active_stage_on_lead(operation: Operation[Any], instance: Instance) -> None:
    """0x80100002 unless the process's active stage is on the lead."""
    if instance.active.table != "lead":
        lead_stage = next(s for s in reversed(instance.process.stages) if s.table == "lead")
        raise ACTIVE_STAGE_NOT_ON_LEAD(
            process=instance.process.name, stage=instance.active.name,
            table=operation.table(instance.active.table).label, lead_stage=lead_stage.name,
        )  # fmt: skip


def _move_process(
    operation: Operation[QualifyLeadRequest], instance: Instance, opportunity: EntityReference
) -> None:
    """With an opportunity, the process follows it to its next stage (REFERENCE §3.5)."""
    following = instance.process.after(instance.active)
    column = stage_column(operation.table(instance.table), "opportunity")
    if following is None or following.table != "opportunity" or column is None:
        return
    reference = EntityReference(instance.table, instance.id)
    operation.execute_as_system(UpdateRequest(Entity(instance.table, instance.id,
                                                     {column: opportunity})))  # fmt: skip
    operation.execute_as_system(SetProcessStageRequest(reference, following.reference()))


def qualify_lead(operation: Operation[QualifyLeadRequest]) -> QualifyLeadResponse:
    request = operation.request
    leads = operation.table("lead")
    # Locked until commit: of concurrent qualifications of one lead, the later ones wait and
    # then find it closed (not a process already moved on by the first).
    lead = operation.retrieve("lead", request.lead_id.id, lock=True)
    if lead is None:
        raise errors.RECORD_NOT_FOUND(table="lead", id=request.lead_id.id)
    lead_ref = EntityReference("lead", request.lead_id.id)
    refuse_closed_lead(leads, lead_ref.id, lead["statecode"])
    status = check_state_status(leads, QUALIFIED, request.status, lead_ref.id)
    instance = lead_process(operation, request)
    if instance is not None:
        _check_process(operation, instance)
    makes_account, makes_contact, create_opportunity = records_to_make(operation, request, lead)
    created: list[EntityReference] = []
    maps: dict[str, list[AttributeMap]] = {}
    if not request.suppress_duplicate_detection:
        warn_of_duplicates(operation, lead, makes_account, makes_contact, maps)

    account = lead.get("parentaccountid")
    new_account = None
    if makes_account:
        new_account = account = _create_from_lead(
            operation, "account", lead, {"originatingleadid": lead_ref}, maps
        )
        created.append(new_account)

    contact = lead.get("parentcontactid")
    new_contact = None
    if makes_contact:
        new_contact = contact = _create_from_lead(
            operation, "contact", lead,
            {"originatingleadid": lead_ref, "parentcustomerid": new_account},
            maps,
        )  # fmt: skip
        created.append(new_contact)

    opportunity = None
    if create_opportunity:
        customer = request.opportunity_customer_id or new_account or new_contact or account or (
            contact
        )  # fmt: skip
        currency = (
            request.opportunity_currency_id
            or lead.get("transactioncurrencyid")
            or _base_currency(operation)
        )
        opportunity = _create_from_lead(
            operation,
            "opportunity",
            lead,
            {
                "originatingleadid": lead_ref,
                "customerid": customer,
                "parentaccountid": account,
                "parentcontactid": contact,
                "transactioncurrencyid": currency,
                "campaignid": request.source_campaign_id,
            },
            maps,
        )
        created.append(opportunity)

    # The lead is closed by the platform on the user's behalf: the seed asks Create, Read,
    # Append and Append To of the user, not Write (checked in authorize_qualify).
    links = {
        column: value
        for column, value in (
            ("parentaccountid", account),
            ("parentcontactid", contact),
            ("qualifyingopportunityid", opportunity),
        )
        if value is not None and lead.get(column) != value
    }
    if links:
        operation.execute_as_system(UpdateRequest(Entity("lead", lead_ref.id, links)))
    operation.execute_as_system(SetStateRequest(lead_ref, QUALIFIED, status))
    if instance is not None and opportunity is not None:
        _move_process(operation, instance, opportunity)
    return QualifyLeadResponse(tuple(created))


MESSAGES = {
    QualifyLeadRequest: Message(
        "QualifyLead",
        qualify_lead,
        validate_qualify,
        _target,
        has_pre_image=True,
        has_post_image=True,
        authorize=authorize_qualify,
    ),
}
