"""No-code workflows (issue 13): ``workflow`` records of category 0 whose JSON steps run when a
record is created, updated or changes state — real-time in the operation's transaction, or
as a background job — checked when saved and when activated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadgate.platform.workflows.definition import Workflow, check_definition, workflow_from_row
from leadgate.platform.workflows.runner import Outcome, run_workflow

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = [
    "Outcome",
    "Workflow",
    "check_definition",
    "register",
    "run_workflow",
    "workflow_from_row",
]


def register(organization: Organization) -> None:
    from leadgate.platform.workflows import steps

    steps.register(organization)
