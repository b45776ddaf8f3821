"""The audit trail (Dataverse's Audit): who changed which record, how, when and through which
interface, written in the change's transaction for tables whose IsAuditEnabled is on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadgate.platform.audit.history import (
    MESSAGES,
    RetrieveRecordChangeHistoryRequest,
    RetrieveRecordChangeHistoryResponse,
    UpdateEntityRequest,
)
from leadgate.platform.audit.trail import AuditAction, AuditOperation, register_steps

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = [
    "AuditAction",
    "AuditOperation",
    "RetrieveRecordChangeHistoryRequest",
    "RetrieveRecordChangeHistoryResponse",
    "UpdateEntityRequest",
    "register",
]


def register(organization: Organization) -> None:
    organization.register_messages(MESSAGES)
    register_steps(organization.steps)
