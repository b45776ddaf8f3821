"""Entity and attribute maps (REFERENCE §2): checked when saved, applied when a record is made
from another."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]


def register(organization: Organization) -> None:
    from leadgate.platform.maps import rules

    rules.register(organization)
