"""Disqualify and reactivate (REFERENCE §3): a closed lead stays closed until reactivated.

A rule on the lead's SetState (which an Update of statecode/statuscode also runs), so the
Web API's PATCH, the CLI and plug-ins all meet it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from leadgate.platform.engine.context import ExecutionContext
from leadgate.platform.engine.types import Stage
from leadgate.platform.engine.validation import state_label
from leadgate.sales.errors import LEAD_CLOSED

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["keep_closed_leads_closed", "register"]

OPEN = 0


def keep_closed_leads_closed(context: ExecutionContext) -> None:
    """Pre-operation on SetState of a lead: only an open lead can be qualified or
    disqualified (the seed's "Lead is already closed"); reactivating is always allowed."""
    if context.input_parameters.get("State") == OPEN:
        return
    unit = context.unit_of_work
    assert unit.connection is not None
    leads = unit.tables["lead"]
    current = unit.connection.execute(
        sa.select(leads.c.statecode).where(leads.c.leadid == context.primary_entity_id)
    ).scalar()
    if current is not None and current != OPEN:
        raise LEAD_CLOSED(
            id=context.primary_entity_id, state=state_label(unit.metadata.table("lead"), current)
        )


def register(organization: Organization) -> None:
    organization.steps.add_code_step(
        keep_closed_leads_closed,
        name="A closed lead stays closed (SetState lead)",
        message="SetState",
        table="lead",
        stage=Stage.PRE_OPERATION,
        rank=0,
    )
