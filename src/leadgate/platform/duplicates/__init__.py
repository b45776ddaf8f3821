"""Duplicate detection (REFERENCE §5): rules, their operators, the match codes that index them,
publishing, and RetrieveDuplicates."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]


def register(organization: Organization) -> None:
    from leadgate.platform.duplicates import messages, publishing

    organization.register_messages(messages.MESSAGES)
    publishing.register(organization)
