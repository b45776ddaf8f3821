"""Workflow definitions: the ``workflow`` record (category 0) read as a value, and the checks a
definition passes when saved and when activated.

The steps are JSON in ``clientdata`` (Dataverse stores XAML there). A step is one of:
``{"if": CONDITION, "then": [...], "else": [...]}``, ``{"create": TABLE, "values": {...}}``,
``{"update": "target" | LOOKUP, "values": {...}}``, ``{"assign": "target" | LOOKUP, "owner":
VALUE}``, ``{"set_state": "target" | LOOKUP, "state": N, "status": N}``, ``{"stop": "success"}``
or ``{"stop": "error", "message": "...", "message_fr": "..."}``. A condition is
``{"column": C, "operator": OP, "value": V}`` or ``{"all": [...]}`` / ``{"any": [...]}``; a
value is a constant or ``{"from": COLUMN}`` of the triggering record. docs/workflows.md.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.i18n import N_, Label, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.schema import SqlTables
from leadgate.platform.engine.types import ColumnType
from leadgate.platform.engine.values import coerce, parse_uuid
from leadgate.platform.plugins.registry import parse_columns
from leadgate.platform.security.privileges import Right
from leadgate.platform.workflows.errors import INVALID_WORKFLOW

__all__ = [
    "ACTIONS",
    "OPERATORS",
    "Need",
    "Workflow",
    "check_definition",
    "read_workflows",
    "workflow_from_row",
]

WORKFLOW, PROCESS_FLOW = 0, 4  # Dataverse's workflow categories
DRAFT, ACTIVATED = 0, 1
BACKGROUND, REAL_TIME = 0, 1
USER, BUSINESS_UNIT, PARENT_CHILD, ORGANIZATION = 1, 2, 3, 4
OWNER, CALLING_USER = 0, 1
TARGET = "target"
OPERATORS = ("eq", "ne", "gt", "lt", "null", "not-null", "contains", "in")
ACTIONS = ("if", "create", "update", "assign", "set_state", "stop")
_ORDERED = (
    ColumnType.INTEGER, ColumnType.DECIMAL, ColumnType.MONEY, ColumnType.DATETIME,
    ColumnType.STRING, ColumnType.MEMO,
)  # fmt: skip
_TEXT = (ColumnType.STRING, ColumnType.MEMO)


@dataclass(frozen=True)
class Workflow:
    """One workflow definition as the runner reads it."""

    id: uuid.UUID
    name: Label
    table: str
    activated: bool
    mode: int
    scope: int
    run_as: int
    owner: uuid.UUID | None
    on_create: bool
    on_update: frozenset[str]
    on_state_change: bool
    clientdata: str | None

    @property
    def steps(self) -> list[Any]:
        """The parsed steps (the definition was checked when saved)."""
        return list(_parse(self).get("steps", []))

    def triggered_by(self, message: str, changed: frozenset[str]) -> bool:
        if message == "Create":
            return self.on_create
        if message == "Update":
            return not self.on_update.isdisjoint(changed)
        return message == "SetState" and self.on_state_change


def workflow_from_row(row: Mapping[str, Any] | sa.RowMapping) -> Workflow:
    owner = row.get("owninguser") or row.get("createdby")
    if isinstance(owner, EntityReference):
        owner = owner.id
    return Workflow(
        id=row["workflowid"],
        name=Label(row["name"] or "", row.get("name_fr") or None),
        table=row["primaryentity"],
        activated=row["statecode"] == ACTIVATED,
        mode=row.get("mode") or BACKGROUND,
        scope=row.get("scope") or USER,
        run_as=CALLING_USER if row.get("runas") is None else row["runas"],
        owner=owner,
        on_create=bool(row.get("triggeroncreate")),
        on_update=frozenset(parse_columns(row.get("triggeronupdateattributelist"))),
        on_state_change=bool(row.get("triggeronstatechange")),
        clientdata=row.get("clientdata"),
    )


def read_workflows(connection: sa.Connection, tables: SqlTables) -> tuple[Workflow, ...]:
    """The activated workflows (category 0), read once per metadata generation."""
    table = tables["workflow"]
    query = sa.select(table).where(table.c.category == WORKFLOW, table.c.statecode == ACTIVATED)
    return tuple(workflow_from_row(row) for row in connection.execute(query).mappings())


# --- checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """A privilege a step needs of the user the workflow runs as."""

    path: str
    right: Right
    table: str


class _Checker:
    def __init__(self, metadata: MetadataSet, workflow: Workflow) -> None:
        self.metadata = metadata
        self.workflow = workflow
        self.needs: list[Need] = []

    def refuse(self, path: str, reason: str, **params: Any) -> errors.LeadgateError:
        return INVALID_WORKFLOW(
            workflow=self.workflow.name, path=path, reason=Text(reason, **params)
        )

    def table(self, path: str, name: Any) -> TableMetadata:
        found = self.metadata.tables.get(str(name))
        if found is None:
            raise self.refuse(path, N_("the table {table} does not exist."), table=name)
        return found

    def column(self, path: str, table: TableMetadata, name: Any) -> ColumnMetadata:
        found = table.columns.get(str(name))
        if found is None:
            raise self.refuse(
                path, N_("the table {table} has no column {column}."), table=table.name,
                column=name,
            )  # fmt: skip
        return found

    def check(self) -> list[Need]:
        workflow = self.workflow
        trigger = self.table("primaryentity", workflow.table)
        for column in sorted(workflow.on_update):
            self.column("triggeronupdateattributelist", trigger, column)
        if (workflow.on_create or workflow.on_update or workflow.on_state_change) is False:
            raise self.refuse("trigger", N_("choose at least one trigger (create, update, state)."))
        definition = _parse(workflow, self.refuse)
        self.needs.append(Need("primaryentity", Right.READ, trigger.name))
        self.steps("steps", trigger, definition.get("steps"))
        return self.needs

    def steps(self, path: str, trigger: TableMetadata, steps: Any) -> None:
        if not isinstance(steps, list):
            raise self.refuse(path, N_("expected a list of steps."))
        for index, step in enumerate(steps):
            self.step(f"{path}[{index}]", trigger, step)

    def step(self, path: str, trigger: TableMetadata, step: Any) -> None:
        kinds = [key for key in ACTIONS if isinstance(step, dict) and key in step]
        if len(kinds) != 1:
            raise self.refuse(
                path, N_("a step is exactly one of {actions}."), actions=", ".join(ACTIONS)
            )
        kind = kinds[0]
        if kind == "if":
            self.condition(f"{path}.if", trigger, step["if"])
            self.steps(f"{path}.then", trigger, step.get("then", []))
            self.steps(f"{path}.else", trigger, step.get("else", []))
        elif kind == "create":
            table = self.table(f"{path}.create", step["create"])
            self.values(f"{path}.values", trigger, table, step.get("values", {}))
            self.needs.append(Need(path, Right.CREATE, table.name))
        elif kind == "stop":
            self.stop(path, step)
        else:
            table = self.record(f"{path}.{kind}", trigger, step[kind])
            if kind == "update":
                self.values(f"{path}.values", trigger, table, step.get("values", {}))
                self.needs.append(Need(path, Right.WRITE, table.name))
            elif kind == "assign":
                self.values(f"{path}.owner", trigger, table, {"ownerid": step.get("owner")})
                self.needs.append(Need(path, Right.ASSIGN, table.name))
            else:
                self.state(path, table, step)
                self.needs.append(Need(path, Right.WRITE, table.name))

    def record(self, path: str, trigger: TableMetadata, name: Any) -> TableMetadata:
        """The table of the record a step changes: the triggering one, or one a lookup names."""
        if name == TARGET:
            return trigger
        column = self.column(path, trigger, name)
        if not column.type.is_reference or len(column.targets) != 1:
            raise self.refuse(
                path, N_("{column} is not a lookup to one table."), column=column.name
            )
        self.needs.append(Need(path, Right.READ, column.targets[0]))
        return self.table(path, column.targets[0])

    def state(self, path: str, table: TableMetadata, step: Mapping[str, Any]) -> None:
        if not table.has_state:
            raise self.refuse(path, N_("the table {table} has no state."), table=table.name)
        state = table.column("statecode").option(step.get("state"))  # type: ignore[arg-type]
        if state is None or isinstance(step.get("state"), bool):
            raise self.refuse(
                f"{path}.state", N_("{value} is not a state of {table}."),
                value=step.get("state"), table=table.name,
            )  # fmt: skip
        status = step.get("status", -1)
        if status != -1:
            option = table.column("statuscode").option(status)
            if option is None or option.state != state.value:
                raise self.refuse(
                    f"{path}.status", N_("{value} is not a status reason of the state {state}."),
                    value=status, state=state.label,
                )  # fmt: skip

    def stop(self, path: str, step: Mapping[str, Any]) -> None:
        if step["stop"] == "success":
            return
        if step["stop"] != "error":
            raise self.refuse(f"{path}.stop", N_("stop is 'success' or 'error'."))
        if not isinstance(step.get("message"), str) or not step["message"].strip():
            raise self.refuse(f"{path}.message", N_("a stop with an error needs its message."))

    def values(self, path: str, trigger: TableMetadata, table: TableMetadata, values: Any) -> None:
        if not isinstance(values, dict):
            raise self.refuse(path, N_("expected column: value pairs."))
        for name, value in values.items():
            self.value(f"{path}.{name}", trigger, self.column(path, table, name), value)

    def value(self, path: str, trigger: TableMetadata, column: ColumnMetadata, value: Any) -> None:
        if isinstance(value, dict) and "from" in value:
            source = self.column(path, trigger, value["from"])
            if not _fits(source, column):
                raise self.refuse(
                    path, N_("{source} ({source_type}) does not fit {column} ({column_type})."),
                    source=source.name, source_type=source.type, column=column.name,
                    column_type=column.type,
                )  # fmt: skip
            return
        try:
            constant(column, value)
        except errors.LeadgateError as error:
            raise self.refuse(path, N_("{problem}"), problem=ErrorText(error)) from error
        except ValueError as error:
            raise self.refuse(
                path, N_("{value} is not a value of {column}."), value=value, column=column.name
            ) from error

    def condition(self, path: str, trigger: TableMetadata, condition: Any) -> None:
        if isinstance(condition, dict) and ("all" in condition or "any" in condition):
            group = condition.get("all", condition.get("any"))
            if not isinstance(group, list) or not group:
                raise self.refuse(path, N_("a group needs a list of conditions."))
            for index, item in enumerate(group):
                self.condition(f"{path}[{index}]", trigger, item)
            return
        if not isinstance(condition, dict) or "column" not in condition:
            raise self.refuse(path, N_("a condition names a column, or groups conditions."))
        column = self.column(path, trigger, condition["column"])
        operator = condition.get("operator", "eq")
        if operator not in OPERATORS:
            raise self.refuse(
                path, N_("unknown operator {operator} (known: {known})."), operator=operator,
                known=", ".join(OPERATORS),
            )  # fmt: skip
        if operator in ("null", "not-null"):
            return
        if operator in ("gt", "lt") and column.type not in _ORDERED:
            raise self.refuse(path, N_("{column} cannot be compared with {operator}."),
                              column=column.name, operator=operator)  # fmt: skip
        if operator == "contains" and column.type not in _TEXT:
            raise self.refuse(path, N_("contains applies to text columns."))
        value = condition.get("value")
        if operator == "in":
            if not isinstance(value, list):
                raise self.refuse(path, N_("the operator in needs a list of values."))
            for item in value:
                self.value(f"{path}.value", trigger, column, item)
        else:
            self.value(f"{path}.value", trigger, column, value)


class ErrorText(Text):
    """Another error's sentence as a parameter, rendered in the reader's language."""

    __slots__ = ("error",)

    def __init__(self, error: errors.LeadgateError) -> None:
        super().__init__(error.kind.text, **error.params)
        self.error = error

    def in_language(self, language: Any) -> str:
        return self.error.message(language)


def _fits(source: ColumnMetadata, column: ColumnMetadata) -> bool:
    """Whether a value of ``source`` may be written into ``column``."""
    if column.type in _TEXT:
        return source.type in _TEXT or not source.type.is_reference
    if column.type.is_reference:
        return source.type.is_reference and bool(set(source.targets) & set(column.targets))
    if column.type.is_choice:
        return source.type.is_choice and {o.value for o in source.options} <= {
            o.value for o in column.options
        }
    if column.type.is_number:
        return source.type.is_number
    return source.type is column.type


def constant(column: ColumnMetadata, value: Any) -> Any:
    """A constant of a definition as the column stores it (a lookup: {"table", "id"})."""
    if column.type.is_reference and isinstance(value, dict):
        identifier = parse_uuid(value.get("id"))
        if identifier is None:
            raise ValueError(value)
        return coerce(column, EntityReference(str(value.get("table")), identifier))
    value = coerce(column, value)
    if column.type.is_choice and value is not None and column.option(value) is None:
        raise ValueError(value)
    return value


def _parse(workflow: Workflow, refuse: Any = None) -> dict[str, Any]:
    try:
        found = json.loads(workflow.clientdata or "{}")
    except json.JSONDecodeError as error:
        if refuse is None:
            raise
        raise refuse("clientdata", N_("the definition is not JSON ({problem})."),
                     problem=str(error)) from error  # fmt: skip
    if not isinstance(found, dict):
        if refuse is None:
            return {}
        raise refuse("clientdata", N_("the definition is a JSON object with its steps."))
    return found


def check_definition(metadata: MetadataSet, workflow: Workflow) -> list[Need]:
    """Refuse a definition that could not run (naming the step's path); return what the user
    it runs as must be allowed to do."""
    return _Checker(metadata, workflow).check()


def walk(steps: list[Any]) -> Iterator[dict[str, Any]]:
    for step in steps:
        yield step
        if "if" in step:
            yield from walk(step.get("then", []))
            yield from walk(step.get("else", []))
