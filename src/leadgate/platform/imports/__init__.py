"""CSV import of records (any table; leads first): a file streamed row by row, its columns
mapped by name or label, its values converted as a person wrote them, each row created (or
skipped, or updating its duplicate) in its own transaction, with a report of refused rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]


def register(organization: Organization) -> None:
    from leadgate.platform.imports import messages

    organization.register_messages(messages.MESSAGES)
