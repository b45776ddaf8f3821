"""Users' credentials: argon2 passwords and opaque API tokens, written by messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]


def register(organization: Organization) -> None:
    from leadgate.platform.users import messages

    organization.register_messages(messages.MESSAGES)
