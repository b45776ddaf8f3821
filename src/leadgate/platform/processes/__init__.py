"""Business process flows (REFERENCE §4): definitions, instances that follow their records,
and the messages that move an instance through its stages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]


def register(organization: Organization) -> None:
    from leadgate.platform.processes import definitions, instances, messages, retrieve

    organization.register_messages(messages.MESSAGES)
    organization.register_messages(retrieve.MESSAGES)
    definitions.register(organization)
    instances.register(organization)
