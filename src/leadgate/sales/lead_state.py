"""Disqualify and reactivate (REFERENCE §3): a closed lead stays closed until reactivated.

A rule on the lead's SetState (which an Update of statecode/statuscode also runs), so the
Web API's PATCH, the CLI and plug-ins all meet it; QualifyLead asks the same rule first.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from leadgate.platform.engine.context import ExecutionContext
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.types import Stage
from leadgate.platform.engine.validation import initial_state, state_label
from leadgate.sales.errors import LEAD_CLOSED

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["keep_closed_leads_closed", "refuse_closed_lead", "register"]


def refuse_closed_lead(leads: TableMetadata, lead_id: uuid.UUID | None, state: Any) -> None:
    """The seed's "Lead is already closed": only an open lead can be qualified or
    disqualified. Open is the lead table's first state, as the metadata says."""
    if state is not None and state != initial_state(leads):
        raise LEAD_CLOSED(id=lead_id, state=state_label(leads, state))


def keep_closed_leads_closed(context: ExecutionContext) -> None:
    """Pre-operation on SetState of a lead; reactivating (back to Open) is always allowed."""
    leads = context.unit_of_work.metadata.table("lead")
    if context.input_parameters.get("State") == initial_state(leads):
        return
    before = context.pre_entity_images.get("PreImage")
    if before is not None:
        refuse_closed_lead(leads, context.primary_entity_id, before.get("statecode"))


def register(organization: Organization) -> None:
    organization.steps.add_code_step(
        keep_closed_leads_closed,
        name="A closed lead stays closed (SetState lead)",
        message="SetState",
        table="lead",
        stage=Stage.PRE_OPERATION,
        rank=0,
        pre_image=("statecode",),
    )
