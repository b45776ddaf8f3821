"""Security's own steps: caches follow changes to roles, teams and units, and records follow
an owner who moves to another business unit.

They are ordinary code steps, so ``leadgate plugins list`` shows them like any other rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadgate.platform.engine.context import ExecutionContext
from leadgate.platform.engine.metadata import store
from leadgate.platform.engine.types import Ownership, Stage
from leadgate.platform.engine.versions import next_version

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]


# Changing these changes who may do what: every process's security cache is dropped.
SECURITY_TABLES = (
    "role", "roleprivileges", "systemuserroles", "teamroles", "teammembership", "businessunit",
    "privilege",
)  # fmt: skip
# Only these columns of users and teams matter to security.
SECURITY_COLUMNS = {"systemuser": ("businessunitid", "isdisabled"), "team": ("businessunitid",)}


def security_changed(context: ExecutionContext) -> None:
    """Post-operation on roles, teams, units and users: security is cached per generation."""
    target = context.input_parameters.get("Target") or {}
    watched = SECURITY_COLUMNS.get(context.primary_entity_name or "")
    if context.message_name == "Update" and watched and not any(c in target for c in watched):
        return
    unit = context.unit_of_work
    assert unit.connection is not None
    store.bump_generation(unit.connection, security=True)
    unit.forget_security()


def records_follow_their_owner(context: ExecutionContext) -> None:
    """Post-operation: a user or team moved to another unit takes their records along
    (their owning business unit changes), as in Dataverse."""
    target = context.input_parameters.get("Target") or {}
    unit_ref = target.get("businessunitid")
    if unit_ref is None or context.primary_entity_id is None:
        return
    unit = context.unit_of_work
    assert unit.connection is not None
    version = next_version(unit.connection)  # one move, one version: each row changes once
    for table in unit.metadata.tables.values():
        if table.ownership is not Ownership.USER:
            continue
        sql_table = unit.tables[table.name]
        unit.connection.execute(
            sql_table.update()
            .where(sql_table.c.ownerid == context.primary_entity_id)
            .values(owningbusinessunit=unit_ref.id, versionnumber=version)
        )


# What runs where: (handler, name, stage, tables, messages).
STEPS = (
    (security_changed, "Forget cached security", Stage.POST_OPERATION,
     ("systemuser", "team"), ("Update", "Delete")),
    (records_follow_their_owner, "Move the records of a moved owner", Stage.POST_OPERATION,
     ("systemuser", "team"), ("Update",)),
    (security_changed, "Forget cached security", Stage.POST_OPERATION,
     SECURITY_TABLES, ("Create", "Update", "Delete")),
)  # fmt: skip


def register(organization: Organization) -> None:
    organization.steps.add_code_steps(STEPS)
