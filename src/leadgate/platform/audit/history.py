"""Reading the trail: RetrieveRecordChangeHistory for whoever may read the record, and
UpdateEntity to turn a table's auditing on or off (Dataverse's IsAuditEnabled)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from leadgate.platform.audit.errors import AUDIT_NOT_AUDITABLE, RECORD_HISTORY_DENIED
from leadgate.platform.audit.trail import AUDIT
from leadgate.platform.customization.tables import needs
from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.metadata import store
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.query import PagingInfo
from leadgate.platform.security.privileges import Right

__all__ = [
    "AUDIT_PROPERTY",
    "MESSAGES",
    "RetrieveRecordChangeHistoryRequest",
    "RetrieveRecordChangeHistoryResponse",
    "UpdateEntityRequest",
    "stored_properties",
]

READ_HISTORY = "prvReadRecordAuditHistory"
AUDIT_PROPERTY = "isauditenabled"


@dataclass(frozen=True)
class RetrieveRecordChangeHistoryRequest:
    target: EntityReference
    paging_info: PagingInfo | None = None


@dataclass(frozen=True)
class RetrieveRecordChangeHistoryResponse:
    """The record's audit rows, oldest first; ``userid`` carries the user's name."""

    audit_detail_collection: list[Entity] = field(default_factory=list)


def _authorize_history(operation: Operation[RetrieveRecordChangeHistoryRequest]) -> None:
    target = operation.request.target
    table = operation.table(target.logical_name)
    record = operation.record_owner(table, target.id)
    try:
        operation.require_privilege(READ_HISTORY)
        if record is not None:
            operation.require(Right.READ, table, record)
    except errors.LeadgateError as refusal:
        raise RECORD_HISTORY_DENIED(table=table.name, id=target.id) from refusal


def retrieve_history(
    operation: Operation[RetrieveRecordChangeHistoryRequest],
) -> RetrieveRecordChangeHistoryResponse:
    target = operation.request.target
    audit = operation.sql_table(AUDIT)
    users = operation.sql_table("systemuser")
    statement = (
        sa.select(audit, users.c.fullname)
        .select_from(audit.outerjoin(users, users.c.systemuserid == audit.c.userid))
        .where(audit.c.objectid == target.id, audit.c.objecttypecode == target.logical_name)
        .order_by(audit.c.createdon, audit.c.versionnumber)
    )
    paging = operation.request.paging_info
    if paging is not None and paging.count:
        skipped = (max(paging.page_number, 1) - 1) * paging.count
        statement = statement.limit(paging.count).offset(skipped)
    found = []
    for row in operation.connection.execute(statement).mappings():
        values = {
            "createdon": row["createdon"],
            "userid": EntityReference("systemuser", row["userid"], row["fullname"])
            if row["userid"]
            else None,
            "callinguserid": EntityReference("systemuser", row["callinguserid"])
            if row["callinguserid"]
            else None,
            "objectid": EntityReference(row["objecttypecode"], row["objectid"]),
            "objecttypecode": row["objecttypecode"],
            "action": row["action"],
            "operation": row["operation"],
            "changedata": json.loads(row["changedata"]) if row["changedata"] else {},
            "interface": row["interface"],
            "transactionid": row["transactionid"],
        }
        found.append(Entity(AUDIT, row["auditid"], values))
    return RetrieveRecordChangeHistoryResponse(found)


@dataclass(frozen=True)
class UpdateEntityRequest:
    """Dataverse's UpdateEntity, for the one table property leadgate lets change after
    install: IsAuditEnabled."""

    entity_name: str
    is_audit_enabled: bool


def update_entity(operation: Operation[UpdateEntityRequest]) -> None:
    request = operation.request
    table = operation.table(request.entity_name)
    if table.name == AUDIT and request.is_audit_enabled:
        raise AUDIT_NOT_AUDITABLE()
    meta = store.meta_tables
    found = stored_properties(operation, table.name)
    # Written even when off, so that an upgrade tells a table turned off from one never set.
    found[AUDIT_PROPERTY] = request.is_audit_enabled
    operation.connection.execute(
        meta.update()
        .where(meta.c.name == table.name)
        .values(properties=json.dumps(found, sort_keys=True))
    )
    store.bump_generation(operation.connection, metadata=True)


def stored_properties(operation: Operation, table: str) -> dict[str, Any]:
    """A table's stored properties as they are (a key absent: never set)."""
    meta = store.meta_tables
    text = operation.connection.execute(
        sa.select(meta.c.properties).where(meta.c.name == table)
    ).scalar()
    found: dict[str, Any] = json.loads(text or "{}")
    return found


def _target(request: RetrieveRecordChangeHistoryRequest) -> tuple[str | None, uuid.UUID | None]:
    return request.target.logical_name, request.target.id


MESSAGES = {
    RetrieveRecordChangeHistoryRequest: Message(
        "RetrieveRecordChangeHistory", retrieve_history, target=_target, writes=False,
        authorize=_authorize_history,
    ),
    UpdateEntityRequest: Message("UpdateEntity", update_entity, authorize=needs("prvWriteEntity")),
}  # fmt: skip
