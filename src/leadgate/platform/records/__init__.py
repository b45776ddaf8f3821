"""Records: Create, Retrieve, RetrieveMultiple, Update, Upsert, Delete, SetState, Assign,
ExecuteTransaction, the *Multiple bulk messages and BulkDelete (a system job), and the checks
they share on values, lookups and owners."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]


def register(organization: Organization) -> None:
    from leadgate.platform.records import (
        bulk_delete,
        crud,
        multiple,
        retrieve,
        state,
        transaction,
    )

    for module in (crud, retrieve, state, transaction, multiple, bulk_delete):
        organization.register_messages(module.MESSAGES)
    bulk_delete.register_job(organization.jobs)
