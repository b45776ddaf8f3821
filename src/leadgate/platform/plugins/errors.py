"""The plug-in registry's own errors (codes 0x8F4C4790-0x8F4C4797), and those of asynchronous
steps run as system jobs (0x8F4C47F4-0x8F4C47F7)."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["ASYNC_STEP_DATA_INVALID", "ASYNC_STEP_SKIPPED", "STEP_NOT_LOADABLE"]

# A message a broken step is registered on is refused, whole, with what to do; every other
# message runs. The Web API answers 503: the server, not the request, needs fixing.
STEP_NOT_LOADABLE = ErrorKind(
    "step_not_loadable",
    "0x8F4C4790",
    N_(
        "The plug-in step '{step}' cannot run because its handler {handler} cannot be loaded: "
        "{reason} {fix} Or disable the step: leadgate plugins disable {id}"
    ),
)

# Not a failure: what the trace log says of a job whose step no longer runs asynchronously,
# as Dataverse skips it. The job succeeds.
ASYNC_STEP_SKIPPED = ErrorKind(
    "async_step_skipped",
    "0x8F4C47F4",
    N_(
        "The asynchronous step '{step}' ({id}) was deleted, disabled or made synchronous "
        "after this system job was queued: nothing ran."
    ),
)

ASYNC_STEP_DATA_INVALID = ErrorKind(
    "async_step_data_invalid",
    "0x8F4C47F5",
    N_(
        "The system job's data is not that of an asynchronous plug-in step ({detail}): "
        "such jobs are queued by the platform when a message runs, not by hand."
    ),
)
