"""The plug-in registry's own errors (codes 0x8F4C4790-0x8F4C4797)."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["STEP_NOT_LOADABLE"]

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
