"""The audit steps: post-operation, in the change's own transaction, so a refused or failed
operation leaves no audit row. Rows are inserted by the platform, not through Create, so
nothing audits the audit."""

from __future__ import annotations

import datetime as dt
import enum
import json
import uuid
from collections.abc import Mapping
from typing import Any

from leadgate.platform.audit.errors import AUDIT_READ_ONLY
from leadgate.platform.engine.context import ExecutionContext
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.types import Stage
from leadgate.platform.plugins.registry import ALL_COLUMNS, StepRegistry

__all__ = ["AuditAction", "AuditOperation", "register_steps"]

AUDIT = "audit"
# Columns every write stamps: their change is the row's createdon/userid, not news.
UNTRACKED = frozenset({"modifiedon", "modifiedby", "versionnumber", "createdon", "createdby"})


class AuditAction(enum.IntEnum):
    """Dataverse's audit ``action`` values."""

    CREATE = 1
    UPDATE = 2
    DELETE = 3
    ACTIVATE = 4
    DEACTIVATE = 5
    ASSIGN = 13
    SHARE = 14
    QUALIFY = 24
    DISQUALIFY = 25
    MODIFY_SHARE = 48
    UNSHARE = 49


class AuditOperation(enum.IntEnum):
    CREATE = 1
    UPDATE = 2
    DELETE = 3
    ACCESS = 4


# A lead's states 1 and 2 are Qualify and Disqualify in Dataverse's trail, not Deactivate.
STATE_ACTIONS = {("lead", 1): AuditAction.QUALIFY, ("lead", 2): AuditAction.DISQUALIFY}


def _plain(value: Any) -> Any:
    """A value as JSON holds it; lookups as table:id and their name."""
    if isinstance(value, EntityReference):
        found = {"id": f"{value.logical_name}:{value.id}"}
        if value.name:
            found["name"] = value.name
        return found
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _changes(
    old: Mapping[str, Any], new: Mapping[str, Any], skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    return {
        name: {"old": _plain(old.get(name)), "new": _plain(value)}
        for name, value in new.items()
        if name not in UNTRACKED and name not in skip and old.get(name) != value
    }


def _audited(context: ExecutionContext) -> bool:
    name = context.primary_entity_name
    if name is None or name == AUDIT or context.primary_entity_id is None:
        return False
    table = context.unit_of_work.metadata.tables.get(name)
    return table is not None and table.is_audit_enabled


def write(
    context: ExecutionContext,
    action: AuditAction,
    operation: AuditOperation,
    changes: Mapping[str, Any] | None,
) -> None:
    """Insert one audit row for the context's record, as the platform."""
    unit = context.unit_of_work
    assert unit.connection is not None and context.primary_entity_id is not None
    caller = context.caller
    user = caller.initiating_user_id if caller.is_system else caller.user_id
    table = unit.metadata.table(AUDIT)
    now = dt.datetime.now(dt.UTC)
    author = EntityReference("systemuser", user)
    values: dict[str, Any] = {
        table.primary_key: uuid.uuid4(),
        "createdon": now,
        "createdby": author,
        "modifiedon": now,
        "modifiedby": author,
        "userid": author,
        "callinguserid": EntityReference("systemuser", caller.user_id)
        if caller.user_id != user
        else None,
        "objectid": context.primary_entity_id,
        "objecttypecode": context.primary_entity_name,
        "action": int(action),
        "operation": int(operation),
        "changedata": json.dumps(changes, sort_keys=True, ensure_ascii=False) if changes else None,
        "interface": int(caller.interface),
        "transactionid": context.correlation_id,
    }
    kept = {name: value for name, value in values.items() if name in table.columns}
    unit.defer_insert(AUDIT, kept)


NO_VALUES: Mapping[str, Any] = {}


def _image(context: ExecutionContext, name: str = "PreImage") -> Mapping[str, Any]:
    images = context.pre_entity_images if name == "PreImage" else context.post_entity_images
    found: Entity | None = images.get(name)
    return found if found is not None else NO_VALUES


def on_create(context: ExecutionContext) -> None:
    if not _audited(context):
        return
    # The values the caller gave (after pre-operation steps), not every default and computed
    # column: they are what someone chose, and a row half the size keeps Create's cost low.
    given = context.input_parameters.get("Target") or {}
    key = context.unit_of_work.metadata.table(context.primary_entity_name or "").primary_key
    changes = _changes({}, given, frozenset({key}))
    write(context, AuditAction.CREATE, AuditOperation.CREATE, changes)


def on_update(context: ExecutionContext) -> None:
    if not _audited(context):
        return
    target = context.input_parameters.get("Target") or {}
    before = _image(context)
    changes = _changes(before, target)
    if changes:
        write(context, AuditAction.UPDATE, AuditOperation.UPDATE, changes)


def on_delete(context: ExecutionContext) -> None:
    if _audited(context):
        write(context, AuditAction.DELETE, AuditOperation.DELETE, None)


def on_set_state(context: ExecutionContext) -> None:
    if not _audited(context):
        return
    state = int(context.input_parameters["State"])
    status = context.input_parameters.get("Status")
    before = _image(context)
    after = _image(context, "PostImage")
    new = {"statecode": state, "statuscode": after.get("statuscode", status)}
    action = STATE_ACTIONS.get((context.primary_entity_name or "", state)) or (
        AuditAction.ACTIVATE if state == 0 else AuditAction.DEACTIVATE
    )
    write(context, action, AuditOperation.UPDATE, _changes(before, new))


def on_assign(context: ExecutionContext) -> None:
    if not _audited(context):
        return
    before = _image(context)
    new = {"ownerid": context.input_parameters.get("Assignee")}
    write(context, AuditAction.ASSIGN, AuditOperation.UPDATE, _changes(before, new))


SHARE_ACTIONS = {
    "GrantAccess": AuditAction.SHARE,
    "ModifyAccess": AuditAction.MODIFY_SHARE,
    "RevokeAccess": AuditAction.UNSHARE,
}


def on_sharing(context: ExecutionContext) -> None:
    if not _audited(context):
        return
    parameters = context.input_parameters
    access = parameters.get("PrincipalAccess")
    if access is not None:
        change = {"principal": _plain(access.principal), "accessmask": int(access.access_mask)}
    else:
        change = {"principal": _plain(parameters.get("Revokee"))}
    action = SHARE_ACTIONS[context.message_name]
    write(context, action, AuditOperation.UPDATE, {"sharing": {"old": None, "new": change}})


def refuse_writes(_context: ExecutionContext) -> None:
    raise AUDIT_READ_ONLY()


def register_steps(steps: StepRegistry) -> None:
    """One step per message on every table; each checks the table's IsAuditEnabled."""
    for handler, message, image in (
        (on_create, "Create", ()),
        (on_update, "Update", ALL_COLUMNS),
        (on_delete, "Delete", ()),
        (on_set_state, "SetState", ("statecode", "statuscode")),
        (on_assign, "Assign", ("ownerid",)),
        (on_sharing, "GrantAccess", ()),
        (on_sharing, "ModifyAccess", ()),
        (on_sharing, "RevokeAccess", ()),
    ):
        steps.add_code_step(
            handler, name=f"Audit ({message})", message=message,
            stage=Stage.POST_OPERATION, rank=1000, pre_image=image,
        )  # fmt: skip
    for message in ("Create", "Update", "Delete"):
        steps.add_code_step(
            refuse_writes, name=f"The audit table is read-only ({message})", message=message,
            stage=Stage.PRE_VALIDATION, table=AUDIT, rank=0,
        )  # fmt: skip
