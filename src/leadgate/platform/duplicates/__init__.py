"""Duplicate detection (REFERENCE §5): rules, their operators, the match codes that index them,
publishing (a system job), RetrieveDuplicates and BulkDetectDuplicates (a system job)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]


def register(organization: Organization) -> None:
    from leadgate.platform.duplicates import (
        bulk,
        job_kinds,
        messages,
        publishing,
        rule_messages,
    )

    organization.register_messages(messages.MESSAGES)
    organization.register_messages(rule_messages.MESSAGES)
    organization.register_messages(bulk.MESSAGES)
    publishing.register(organization)
    job_kinds.register(organization.jobs)
