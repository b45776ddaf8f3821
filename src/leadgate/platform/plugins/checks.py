"""Which enabled steps cannot be loaded: what ``leadgate serve`` reports when it starts and
``leadgate plugins list`` marks as broken, in the words a refused message would use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.storage import translate_errors
from leadgate.platform.plugins.home import LoadFailure
from leadgate.platform.plugins.registry import Step

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["BrokenStep", "broken_steps"]


@dataclass(frozen=True)
class BrokenStep:
    step: Step
    failure: LoadFailure

    @property
    def error(self) -> LeadgateError:
        """The coded error the messages this step runs on are refused with."""
        return self.failure.step_error(self.step)


def broken_steps(organization: Organization) -> list[BrokenStep]:
    """Every enabled administrator step whose handler cannot be loaded, in running order.

    Loading imports the plug-in modules, as the first message each step runs on would."""
    with translate_errors(), organization.engine.connect() as connection:
        _, steps, _ = organization.current_caches(connection)
    found = []
    for step in steps.all:
        if step.enabled and not step.is_system:
            failure = steps.failure(step)
            if failure is not None:
                found.append(BrokenStep(step, failure))
    return found
