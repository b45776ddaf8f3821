"""Reading the trail: RetrieveRecordChangeHistory for whoever may read the record, and
UpdateEntity to turn a table's auditing on or off (Dataverse's IsAuditEnabled)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, replace

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
    "MESSAGES",
    "RetrieveRecordChangeHistoryRequest",
    "RetrieveRecordChangeHistoryResponse",
    "UpdateEntityRequest",
]

READ_HISTORY = "prvReadRecordAuditHistory"


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
    changed = replace(table, is_audit_enabled=request.is_audit_enabled)
    meta = store.meta_tables
    operation.connection.execute(
        meta.update()
        .where(meta.c.name == table.name)
        .values(properties=store.table_properties(changed))
    )
    store.bump_generation(operation.connection, metadata=True)


def _target(request: RetrieveRecordChangeHistoryRequest) -> tuple[str | None, uuid.UUID | None]:
    return request.target.logical_name, request.target.id


MESSAGES = {
    RetrieveRecordChangeHistoryRequest: Message(
        "RetrieveRecordChangeHistory", retrieve_history, target=_target, writes=False,
        authorize=_authorize_history,
    ),
    UpdateEntityRequest: Message("UpdateEntity", update_entity, authorize=needs("prvWriteEntity")),
}  # fmt: skip
