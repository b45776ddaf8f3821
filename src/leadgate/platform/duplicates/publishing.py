"""The life of a duplicate detection rule: unpublished, publishing, published.

Publishing computes the match codes of every record of the rule's matching table: a system
job (PublishDuplicateRule) does it in batches, each its own transaction, and resumes after
the last record done (``publishcursor``); SetState to Published does what is left in one
transaction (a solution's rules, on tables still empty). A published rule cannot change what
it compares: its codes would lie. Steps here enforce that and keep the cached rules current.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from leadgate.platform.duplicates.errors import (
    DUPLICATE_RULE_PUBLISHED,
    INVALID_DUPLICATE_RULE,
    TOO_MANY_PUBLISHED_RULES,
)
from leadgate.platform.duplicates.matchcodes import (
    forget_codes,
    keep_codes,
    needed_columns,
    read_rows,
    store_codes,
)
from leadgate.platform.duplicates.rules import (
    MAX_PUBLISHED,
    PUBLISHED,
    UNPUBLISHED,
    Condition,
    Rule,
    check_condition,
    check_rule,
    read_rules,
)
from leadgate.platform.engine.context import ExecutionContext
from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.settings import organization_setting
from leadgate.platform.engine.types import Stage

if TYPE_CHECKING:
    from leadgate.platform.engine.unit_of_work import UnitOfWork
    from leadgate.platform.organization import Organization

__all__ = ["publish_batch", "register", "rule_row"]

# What a published rule may still change: its names and its description.
_FREE_COLUMNS = frozenset({"name", "name_fr", "description", "publishcursor"})
_ACTIVE, _INACTIVE = 1, 0


def _fresh(unit: UnitOfWork, rule_id: uuid.UUID) -> Rule | None:
    """The rule as stored now (the cached set may predate this transaction's changes)."""
    assert unit.connection is not None
    return next((r for r in read_rules(unit.connection, unit.tables).rules if r.id == rule_id),
                None)  # fmt: skip


def rule_row(unit: UnitOfWork, rule_id: uuid.UUID) -> dict[str, Any] | None:
    assert unit.connection is not None
    rules = unit.tables["duplicaterule"]
    row = unit.connection.execute(
        sa.select(rules).where(rules.c.duplicateruleid == rule_id)
    ).mappings().first()  # fmt: skip
    return dict(row) if row is not None else None


def _set_cursor(unit: UnitOfWork, rule_id: uuid.UUID, cursor: str | None) -> None:
    assert unit.connection is not None
    rules = unit.tables["duplicaterule"]
    unit.connection.execute(
        sa.update(rules).where(rules.c.duplicateruleid == rule_id).values(publishcursor=cursor)
    )


def publish_batch(unit: UnitOfWork, rule: Rule, limit: int | None) -> tuple[int, bool]:
    """Compute the codes of the next ``limit`` records (None: all the rest) after the cursor;
    how many were done, and whether the table is done.

    Codes already there stay ("fill"): the steps keep them current for a rule that is
    publishing. The rows read are held until commit (FOR SHARE on PostgreSQL), so that an
    update or delete of one of them waits for this batch, then replaces or drops the codes it
    wrote; a change that committed first is what the batch reads.
    """
    assert unit.connection is not None
    row = rule_row(unit, rule.id) or {}
    table = unit.metadata.table(rule.matching)
    sql_table = unit.tables[table.name]
    key = sql_table.c[table.primary_key]
    cursor = row.get("publishcursor")
    where = key > uuid.UUID(cursor) if cursor else sa.true()
    names = needed_columns([rule], table)
    rows = read_rows(unit.connection, table, sql_table, names, where, order=True, limit=limit,
                     share=True)  # fmt: skip
    if rows:
        # The region phone numbers are read in, as read_rules gives it, without every rule.
        region = str(organization_setting(unit.connection, unit.tables, "defaultcountrycode",
                                          "US")).upper()  # fmt: skip
        store_codes(unit.connection, [rule], table, rows, region, how="fill")
        _set_cursor(unit, rule.id, str(rows[-1][table.primary_key]))
    return len(rows), limit is None or len(rows) < limit


def _status_after(state: int, status: int) -> int:
    if status != -1:
        return status
    return PUBLISHED if state == _ACTIVE else UNPUBLISHED


def rule_state_changing(context: ExecutionContext) -> None:
    """Pre-operation on SetState of a rule: publishing checks the rule and the limit of five;
    Published computes what is left of the codes; Unpublished drops them."""
    unit = context.unit_of_work
    assert unit.connection is not None and context.primary_entity_id is not None
    rule = _fresh(unit, context.primary_entity_id)
    if rule is None:
        return
    state = int(context.input_parameters.get("State") or 0)
    status = _status_after(state, int(context.input_parameters.get("Status", -1)))
    if status == UNPUBLISHED:
        forget_codes(unit.connection, [rule.id], None)
        _set_cursor(unit, rule.id, None)
        return
    check_rule(unit.metadata, rule)
    others = [
        other for other in read_rules(unit.connection, unit.tables).rules
        if other.base == rule.base and other.maintained and other.id != rule.id
    ]  # fmt: skip
    if len(others) >= MAX_PUBLISHED:
        raise TOO_MANY_PUBLISHED_RULES(
            limit=MAX_PUBLISHED, table=unit.metadata.table(rule.base).label,
            rules=", ".join(other.name for other in others),
        )  # fmt: skip
    if rule.status == UNPUBLISHED:  # start afresh
        forget_codes(unit.connection, [rule.id], None)
        _set_cursor(unit, rule.id, None)
    if status == PUBLISHED:
        publish_batch(unit, rule, None)
        _set_cursor(unit, rule.id, None)


def _refuse_if_published(unit: UnitOfWork, rule_id: Any) -> None:
    rule = _fresh(unit, rule_id) if isinstance(rule_id, uuid.UUID) else None
    if rule is not None and rule.status != UNPUBLISHED:
        status = unit.metadata.table("duplicaterule").column("statuscode").option(rule.status)
        raise DUPLICATE_RULE_PUBLISHED(
            rule=rule.label, status=status.label if status else str(rule.status)
        )


def rule_changing(context: ExecutionContext) -> None:
    """Pre-operation on Update of a rule: what it compares is fixed while it is published."""
    target = context.input_parameters.get("Target")
    if not isinstance(target, Entity) or not set(target) - _FREE_COLUMNS - {"duplicateruleid"}:
        return
    _refuse_if_published(context.unit_of_work, context.primary_entity_id)


def _rule_of_condition(context: ExecutionContext) -> uuid.UUID | None:
    unit = context.unit_of_work
    target = context.input_parameters.get("Target")
    if isinstance(target, Entity) and target.get("regardingobjectid") is not None:
        return target["regardingobjectid"].id
    assert unit.connection is not None
    conditions = unit.tables["duplicaterulecondition"]
    return unit.connection.execute(
        sa.select(conditions.c.regardingobjectid).where(
            conditions.c.duplicateruleconditionid == context.primary_entity_id
        )
    ).scalar()


def condition_changing(context: ExecutionContext) -> None:
    """Pre-operation on any change of a condition: not while its rule is published (deleting
    the rule deletes its conditions: that is allowed)."""
    parent = context.parent_context
    if parent is not None and parent.message_name == "Delete" and context.caller.is_system:
        return
    _refuse_if_published(context.unit_of_work, _rule_of_condition(context))


def condition_saved(context: ExecutionContext) -> None:
    """Post-operation on Create/Update of a condition: refuse one that could never work."""
    unit = context.unit_of_work
    assert unit.connection is not None
    conditions = unit.tables["duplicaterulecondition"]
    row = unit.connection.execute(
        sa.select(conditions).where(
            conditions.c.duplicateruleconditionid == context.primary_entity_id
        )
    ).mappings().first()  # fmt: skip
    if row is None:
        return
    rule = _fresh(unit, row["regardingobjectid"])
    condition = Condition.from_row(row)
    if rule is not None and condition is not None:  # the choice column refuses unknown values
        check_condition(unit.metadata, rule, condition)


def rule_saved(context: ExecutionContext) -> None:
    """Post-operation on Create/Update of a rule: its tables exist."""
    unit = context.unit_of_work
    rule = _fresh(unit, context.primary_entity_id) if context.primary_entity_id else None
    if rule is None:
        return
    for table_name in (rule.base, rule.matching):
        if table_name not in unit.metadata.tables:
            raise INVALID_DUPLICATE_RULE(
                rule=rule.label,
                reason=Text(N_("there is no table '{table}'."), table=table_name),
            )


def rule_deleting(context: ExecutionContext) -> None:
    """Pre-operation on Delete of a rule: its codes go with it."""
    unit = context.unit_of_work
    assert unit.connection is not None and context.primary_entity_id is not None
    forget_codes(unit.connection, [context.primary_entity_id], None)


def rules_changed(context: ExecutionContext) -> None:
    """Post-operation: rules are cached with the metadata generation, so renew it."""
    context.unit_of_work.renew_derived()


def register(organization: Organization) -> None:
    for message in ("Create", "Update", "SetState", "Delete"):
        organization.steps.add_code_step(
            keep_codes, name=f"Keep duplicate match codes current ({message})",
            message=message, stage=Stage.POST_OPERATION, rank=0,
        )  # fmt: skip
        for table in ("duplicaterule", "duplicaterulecondition"):
            if message == "SetState" and table != "duplicaterule":
                continue
            organization.steps.add_code_step(
                rules_changed, name=f"Forget cached duplicate rules ({message} {table})",
                message=message, table=table, stage=Stage.POST_OPERATION, rank=1,
            )  # fmt: skip
    steps = (
        (rule_state_changing, "Publish or unpublish a duplicate rule", "SetState",
         "duplicaterule", Stage.PRE_OPERATION),
        (rule_changing, "A published duplicate rule keeps its definition", "Update",
         "duplicaterule", Stage.PRE_OPERATION),
        (rule_saved, "Check a duplicate rule (Create)", "Create", "duplicaterule",
         Stage.POST_OPERATION),
        (rule_saved, "Check a duplicate rule (Update)", "Update", "duplicaterule",
         Stage.POST_OPERATION),
        (rule_deleting, "Drop a deleted rule's match codes", "Delete", "duplicaterule",
         Stage.PRE_OPERATION),
        *(
            (condition_changing, f"A published duplicate rule keeps its conditions ({m})", m,
             "duplicaterulecondition", Stage.PRE_OPERATION)
            for m in ("Create", "Update", "Delete")
        ),
        *(
            (condition_saved, f"Check a duplicate rule condition ({m})", m,
             "duplicaterulecondition", Stage.POST_OPERATION)
            for m in ("Create", "Update")
        ),
    )  # fmt: skip
    for handler, name, message, table, stage in steps:
        organization.steps.add_code_step(
            handler, name=name, message=message, table=table, stage=stage, rank=0
        )
