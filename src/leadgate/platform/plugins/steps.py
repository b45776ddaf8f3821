"""The plug-in registry's own steps: check a step registration, and tell every process's
caches that steps changed.

They are ordinary code steps, so ``leadgate plugins list`` shows them like any other rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.context import ExecutionContext
from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata import store
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.types import Stage, StepMode
from leadgate.platform.plugins.asynchronous import MESSAGE_NAME, NOT_QUEUED_TABLES
from leadgate.platform.plugins.registry import (
    ALL_COLUMNS,
    STEP_TABLE,
    UNSTEPPABLE_TABLES,
    parse_columns,
)

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]

# A step on the message that runs asynchronous steps would run with every one of them.
UNSTEPPABLE_MESSAGES = frozenset({MESSAGE_NAME})


def _refuse(reason: Text) -> errors.LeadgateError:
    return errors.INVALID_STEP(reason=reason)


def check_step(context: ExecutionContext) -> None:
    """Pre-operation on Create/Update of a step: refuse a registration that could not run."""
    target: Entity = context.input_parameters["Target"]
    unit = context.unit_of_work
    current: dict[str, object] = {}
    if context.message_name == "Update":
        steps = unit.metadata.table(STEP_TABLE)
        assert unit.connection is not None and target.id is not None
        found = rows.select_row(
            unit.connection, steps, unit.tables[STEP_TABLE], target.id, list(steps.columns)
        )
        current = dict(found) if found is not None else {}
    values = {**current, **target}
    message = values.get("messagename")
    organization = context.unit_of_work.organization
    known = organization.pipeline.messages.names()
    if message not in known:
        raise errors.UNKNOWN_MESSAGE(message=message, known=", ".join(known))
    table_name = values.get("primaryentity") or None
    metadata = unit.metadata
    table: TableMetadata | None = None
    if table_name is not None:
        table = metadata.table(str(table_name))
        if table.name in UNSTEPPABLE_TABLES:
            raise _refuse(
                Text(N_("steps cannot be registered on the table '{table}'."), table=table.name)
            )
    if message in UNSTEPPABLE_MESSAGES:
        raise _refuse(Text(N_("steps cannot be registered on the message {message}."),
                           message=message))  # fmt: skip
    stage = values.get("stage")
    mode = values.get("mode") or 0
    if mode == StepMode.ASYNCHRONOUS:
        _check_asynchronous(organization, str(message), stage, table_name)
    # The CLI and the server import from the same plug-ins folder: what loads here loads there.
    organization.steps.home.resolve(str(values.get("plugintypename") or ""))
    filtering = parse_columns(str(values.get("filteringattributes") or ""))
    if filtering and message != "Update":
        raise _refuse(Text(N_("filtering columns apply to the Update message only.")))
    for setting in ("filteringattributes", "preimageattributes", "postimageattributes"):
        columns = parse_columns(str(values.get(setting) or ""))
        if not columns or columns == ALL_COLUMNS:
            continue
        if table is None:
            raise _refuse(
                Text(N_("name the table before naming its columns in {setting}."), setting=setting)
            )
        for column in columns:
            table.column(column)
    if values.get("preimageattributes") and message == "Create":
        raise _refuse(Text(N_("a Create has no pre-image: the record does not exist yet.")))
    if values.get("postimageattributes") and message in ("Delete", "Retrieve", "RetrieveMultiple"):
        raise _refuse(Text(N_("the message {message} has no post-image."), message=message))


def _check_asynchronous(
    organization: Organization, message: str, stage: object, table: object
) -> None:
    if stage != Stage.POST_OPERATION:
        raise _refuse(Text(N_("asynchronous steps run after the operation: use stage 40.")))
    if not any(m.name == message and m.writes for _, m in organization.pipeline.messages.items()):
        raise _refuse(Text(
            N_("asynchronous steps run after a change, and the message {message} changes "
               "nothing: register a synchronous step."), message=message,
        ))  # fmt: skip
    if table in NOT_QUEUED_TABLES:
        raise _refuse(Text(
            N_("asynchronous steps cannot run on the table '{table}': each would queue "
               "another system job."), table=table,
        ))  # fmt: skip


def refresh_steps(context: ExecutionContext) -> None:
    """Post-operation on any change to steps: every process reloads them on its next request."""
    unit = context.unit_of_work
    assert unit.connection is not None
    store.bump_generation(unit.connection, steps=True)
    unit.reload_steps()


# What runs where: (handler, name, stage, tables, messages).
STEPS = (
    (check_step, "Check a plug-in step registration", Stage.PRE_OPERATION,
     (STEP_TABLE,), ("Create", "Update")),
    (refresh_steps, "Reload plug-in steps", Stage.POST_OPERATION,
     (STEP_TABLE,), ("Create", "Update", "Delete", "SetState")),
)  # fmt: skip


def register(organization: Organization) -> None:
    organization.steps.add_code_steps(STEPS)
