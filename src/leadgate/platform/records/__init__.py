"""Records: Create, Retrieve, RetrieveMultiple, Update, Upsert, Delete, SetState, Assign and
ExecuteTransaction, and the checks they share on values, lookups and owners."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]


def register(organization: Organization) -> None:
    from leadgate.platform.records import crud, retrieve, state, transaction

    for messages in (crud.MESSAGES, retrieve.MESSAGES, state.MESSAGES, transaction.MESSAGES):
        organization.register_messages(messages)
