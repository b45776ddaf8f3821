"""Security (REFERENCE §6): privileges and depths, roles, teams, sharing, and the checks the
pipeline runs for every message."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]


def register(organization: Organization) -> None:
    from leadgate.platform.security import messages, sharing, steps

    organization.register_messages(messages.MESSAGES)
    organization.register_messages(sharing.MESSAGES)
    steps.register(organization)
