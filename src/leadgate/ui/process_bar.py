"""The process bar of a record's form: the business process flow the record follows.

``process_bar(ui, table, record)`` asks the platform (RetrieveProcessInstances, as the person)
which instance the record follows, and turns it into what ``templates/_process_bar.html``
shows: the process's name, its stages in order (active, completed or not yet reached), the
active stage's steps as fields of the record's form, and the moves (Next Stage, Back, Set
Active), each a form post the messages NextStage, PreviousStage and SetProcessStage decide.
None when the record follows no process (or the person may not read it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.types import ColumnType, Language
from leadgate.platform.processes.definitions import ProcessStage
from leadgate.platform.processes.messages import Instance
from leadgate.platform.processes.retrieve import RetrieveProcessInstancesRequest
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import record_url
from leadgate.ui.values import display, field_text

__all__ = ["FORM_ID", "ProcessBar", "StageView", "StepView", "active_instance", "process_bar"]

# The record form's id: the steps' inputs belong to it (``form=``), so its Save saves them.
FORM_ID = "record-form"
ACTIVE, COMPLETED, NOT_STARTED = "active", "completed", "upcoming"
_STATE_WORDS = {
    ACTIVE: N_("Active"),
    COMPLETED: N_("Completed"),
    NOT_STARTED: N_("Not started"),
}


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class StepView:
    """A step of the active stage: its column as a field of the record's form."""

    name: str  # the column
    label: str
    required: bool
    widget: str  # text | textarea | number | choice | boolean | date | datetime | readonly
    value: str = ""  # what the input holds
    display: str = ""  # what a read-only step reads
    options: tuple[Option, ...] = ()
    input_type: str = "text"
    max_length: int | None = None
    link: str | None = None  # where a read-only step is edited (the form's own field)


@dataclass(frozen=True)
class StageView:
    id: uuid.UUID
    name: str
    table: str  # the label of the table the stage is on
    state: str  # active | completed | upcoming
    state_word: str
    can_set_active: bool


@dataclass
class ProcessBar:
    name: str
    status: str  # "" while active; the instance's status reason (Finished…) otherwise
    stages: list[StageView]
    active: StageView
    steps: list[StepView] = field(default_factory=list)
    elsewhere: Text | None = None  # the active stage is on another record
    elsewhere_link: str | None = None
    can_move: bool = True
    has_next: bool = False
    has_previous: bool = False
    next_url: str = ""
    back_url: str = ""
    set_active_url: str = ""


def active_instance(ui: UiSession, table: TableMetadata, record_id: uuid.UUID) -> Instance | None:
    """The instance the record follows now, as the platform says (None: none it may read)."""
    found = ui.service.execute(
        RetrieveProcessInstancesRequest(EntityReference(table.name, record_id))
    )
    instance: Instance | None = found.active
    return instance


def process_bar(ui: UiSession, table: TableMetadata, record: Entity | None) -> ProcessBar | None:
    if record is None or record.id is None:
        return None
    instance = active_instance(ui, table, record.id)
    if instance is None:
        return None
    language = ui.language
    metadata = ui.metadata()
    visited = {stage.id for stage in instance.visited}
    moving = instance.is_active
    stages = []
    for stage in instance.process.stages:
        state = (
            ACTIVE if stage.id == instance.active.id
            else COMPLETED if stage.id in visited else NOT_STARTED
        )  # fmt: skip
        stages.append(StageView(
            stage.id, stage.name.in_language(language),
            metadata.table(stage.table).label.in_language(language), state,
            Text(_STATE_WORDS[state]).in_language(language),
            can_set_active=moving and state == COMPLETED,
        ))  # fmt: skip
    base = record_url(table.entity_set, record.id)
    bar = ProcessBar(
        name=instance.process.name.in_language(language),
        status="" if moving else _status(metadata, instance, language),
        stages=stages,
        active=next(stage for stage in stages if stage.state == ACTIVE),
        can_move=moving,
        has_next=instance.process.after(instance.active) is not None,
        has_previous=len(instance.path) > 1,
        next_url=f"{base}/process/next",
        back_url=f"{base}/process/back",
        set_active_url=f"{base}/process/set-active",
    )
    on = instance.record_of(metadata, instance.active)
    if on is not None and on.logical_name == table.name and on.id == record.id:
        bar.steps = _steps(ui, table, instance.active, record, editable=moving and _open(record))
    else:
        bar.steps, bar.elsewhere, bar.elsewhere_link = _elsewhere(ui, table, instance, on)
    return bar


def _open(record: Entity) -> bool:
    """A closed record is not edited on its form (its state changes through commands)."""
    return record.get("statecode") in (None, 0)


def _status(metadata: MetadataSet, instance: Instance, language: Language) -> str:
    column = metadata.table(instance.table).columns.get("statuscode")
    status = instance.row.get("statuscode")
    option = column.option(status) if column is not None and status is not None else None
    return option.label.in_language(language) if option is not None else ""


def _elsewhere(
    ui: UiSession, table: TableMetadata, instance: Instance, on: EntityReference | None
) -> tuple[list[StepView], Text, str | None]:
    """The active stage is on another record (the opportunity a reactivated lead produced):
    its steps read-only, and the way back to a stage on this record (Set Active)."""
    metadata = ui.metadata()
    active = instance.active
    stage_table = metadata.table(active.table)
    mine = [stage for stage in instance.visited if stage.table == table.name]
    values: Entity | None = None
    if on is not None and active.steps:
        try:
            values = ui.service.retrieve(on.logical_name, on.id, [s.column for s in active.steps])
        except LeadgateError:  # not readable by this person: the steps show without values
            values = None
    steps = _steps(ui, stage_table, active, values, editable=False)
    params: dict[str, Any] = {"stage": active.name, "table": stage_table.label}
    if mine:
        message = Text(
            N_(
                "The active stage, {stage}, is on the {table} record, not on this {record}. "
                "To work on this {record} in the process, select Set Active on {back}."
            ),
            **params, record=table.label, back=mine[-1].name,
        )  # fmt: skip
    else:
        message = Text(N_("The active stage, {stage}, is on the {table} record."), **params)
    link = record_url(stage_table.entity_set, on.id) if on is not None else None
    return steps, message, link


def _steps(
    ui: UiSession, table: TableMetadata, stage: ProcessStage, record: Entity | None,
    *, editable: bool,
) -> list[StepView]:  # fmt: skip
    found = dict(record or {})
    missing = [s.column for s in stage.steps if s.column not in found and s.column in table.columns]
    if record is not None and record.id is not None and missing:
        found.update(ui.service.retrieve(table.name, record.id, missing))
    return [
        _step(table.columns[step.column], step.label.in_language(ui.language), step.required,
              found.get(step.column), ui.language, editable=editable)
        for step in stage.steps if step.column in table.columns
    ]  # fmt: skip


def _step(
    column: ColumnMetadata, label: str, required: bool, value: Any, language: Language,
    *, editable: bool,
) -> StepView:  # fmt: skip
    shown = value.name or "" if isinstance(value, EntityReference) else display(
        column, value, language
    )  # fmt: skip
    common: dict[str, Any] = {
        "name": column.name, "label": label, "required": required,
        "value": field_text(column, value, language), "display": shown,
    }  # fmt: skip
    kind = column.type
    if not editable or not column.valid_for_update or column.is_computed:
        return StepView(widget="readonly", **common)
    if kind.is_reference:  # chosen in the form's own field (its list of records)
        return StepView(widget="readonly", link=f"#field-{column.name}", **common)
    if kind.is_choice:
        options = tuple(
            Option(str(option.value), option.label.in_language(language))
            for option in column.options_by_value.values()
        )
        return StepView(widget="choice", options=options, **common)
    if kind is ColumnType.BOOLEAN:
        options = tuple(
            Option(text, display(column, flag, language))
            for text, flag in (("false", False), ("true", True))
        )
        return StepView(widget="boolean", options=options, **common)
    if kind is ColumnType.MEMO:
        return StepView(widget="textarea", max_length=column.max_length, **common)
    if kind in (ColumnType.INTEGER, ColumnType.DECIMAL, ColumnType.MONEY):
        return StepView(widget="number", **common)
    if kind is ColumnType.DATETIME:
        dateonly = column.format == "dateonly"
        return StepView(
            widget="date" if dateonly else "datetime",
            input_type="date" if dateonly else "datetime-local", **common,
        )  # fmt: skip
    return StepView(widget="text", max_length=column.max_length, **common)
