"""No-code workflows' refusals (issue 13; codes 0x8F4C47F0-0x8F4C47F9)."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["INVALID_WORKFLOW", "WORKFLOW_NOT_FOUND", "WORKFLOW_RUN_AS_DENIED", "WORKFLOW_STOPPED"]

INVALID_WORKFLOW = ErrorKind(
    "invalid_workflow",
    "0x8F4C47F0",
    N_("The workflow {workflow} is not valid: at {path}, {reason}"),
)
WORKFLOW_STOPPED = ErrorKind(
    "workflow_stopped",
    "0x8F4C47F1",
    N_(
        "The workflow {workflow} stopped the operation: {message} (Nothing was saved. If the "
        "workflow should not run here, deactivate it: leadgate workflows deactivate NAME.)"
    ),
)
WORKFLOW_RUN_AS_DENIED = ErrorKind(
    "workflow_run_as_denied",
    "0x8F4C47F2",
    N_(
        "The workflow {workflow} runs as {user}, who lacks the privilege {privilege} that the "
        "step at {path} needs. Give {user} a role with it, or make the workflow run as the "
        "calling user."
    ),
)
WORKFLOW_NOT_FOUND = ErrorKind(
    "workflow_not_found",
    "0x8F4C47F3",
    N_("No workflow is named {name}. (See: leadgate workflows list.)"),
)
