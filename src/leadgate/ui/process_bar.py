"""The process bar of a record's form: the business process flow the record follows.

``process_bar(ui, table, record)`` asks the platform (RetrieveProcessInstances, as the person)
which instance the record follows, and turns it into what ``templates/_process_bar.html``
shows: the process's name, its stages in order (active, completed or not yet reached), the
active stage's steps as fields of the record's form, and the moves (Next Stage, Back, Set
Active), each a form post the messages NextStage, PreviousStage and SetProcessStage decide.
A finished or abandoned instance still shows, read-only, with its status reason; a closed
record's bar is read-only too (its process moves on the record its active stage is on). None
when the record has no process (or the person may not read it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.types import ColumnType, Language
from leadgate.platform.processes.definitions import ProcessStage, empty_steps
from leadgate.platform.processes.errors import REQUIRED_STEPS_EMPTY
from leadgate.platform.processes.messages import Instance
from leadgate.platform.processes.retrieve import RetrieveProcessInstancesRequest
from leadgate.ui.lookup_names import named
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import record_url
from leadgate.ui.values import display, field_text

__all__ = [
    "FORM_ID", "ProcessBar", "StageView", "StepView", "active_instance", "process_bar",
    "shown_instance",
]  # fmt: skip

# The record form's id: the steps' inputs belong to it (``form=``), so its Save saves them.
FORM_ID = "record-form"
ACTIVE, COMPLETED, NOT_STARTED = "active", "completed", "upcoming"
ENDED = "ended"  # the stage a finished or abandoned instance stopped at
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
    record_link: str | None = None  # the form of the record a lookup step names
    error: Text | None = None  # why the step stopped the move (a required step left empty)


@dataclass(frozen=True)
class StageView:
    id: uuid.UUID
    name: str
    table: str  # the label of the table the stage is on
    state: str  # active | completed | upcoming | ended
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


def shown_instance(ui: UiSession, table: TableMetadata, record_id: uuid.UUID) -> Instance | None:
    """The instance the bar shows: the active one, else the newest finished or abandoned."""
    found = ui.service.execute(
        RetrieveProcessInstancesRequest(EntityReference(table.name, record_id))
    ).instances
    return found[0] if found else None  # the active ones come first


def process_bar(
    ui: UiSession, table: TableMetadata, record: Entity | None,
    *, error: LeadgateError | None = None,
) -> ProcessBar | None:  # fmt: skip
    """The bar of ``record``'s form; ``error`` is the refusal the page shows, whose required
    steps left empty (as the message names them) are marked."""
    if record is None or record.id is None:
        return None
    instance = shown_instance(ui, table, record.id)
    if instance is None:
        return None
    language = ui.language
    metadata = ui.metadata()
    visited = {stage.id for stage in instance.visited}
    status = "" if instance.is_active else _status(metadata, instance, language)
    moving = instance.is_active and _open(record)
    stages = []
    for stage in instance.process.stages:
        state = (
            (ACTIVE if instance.is_active else ENDED) if stage.id == instance.active.id
            else COMPLETED if stage.id in visited else NOT_STARTED
        )  # fmt: skip
        word = status if state == ENDED else Text(_STATE_WORDS[state]).in_language(language)
        stages.append(StageView(
            stage.id, stage.name.in_language(language),
            metadata.table(stage.table).label.in_language(language), state, word,
            can_set_active=moving and state == COMPLETED,
        ))  # fmt: skip
    base = record_url(table.entity_set, record.id)
    bar = ProcessBar(
        name=instance.process.name.in_language(language),
        status=status,
        stages=stages,
        active=next(stage for stage in stages if stage.id == instance.active.id),
        can_move=moving,
        has_next=instance.process.after(instance.active) is not None,
        has_previous=len(instance.path) > 1,
        next_url=f"{base}/process/next",
        back_url=f"{base}/process/back",
        set_active_url=f"{base}/process/set-active",
    )
    on = instance.record_of(metadata, instance.active)
    refused = _refused_for_steps(instance, error)
    if on is not None and on.logical_name == table.name and on.id == record.id:
        bar.steps = _steps(ui, table, instance.active, record, editable=moving, refused=refused)
        if instance.is_active and not moving:
            bar.elsewhere = Text(
                N_("This {record} is closed: reactivate it to move its process."),
                record=table.label.in_language(language).lower(),
            )
    else:
        bar.steps, bar.elsewhere, bar.elsewhere_link = _elsewhere(
            ui, table, instance, on, closed=not _open(record), refused=refused
        )
    return bar


def _refused_for_steps(instance: Instance, error: LeadgateError | None) -> bool:
    """The refusal is the active stage's required steps left empty (0x8006041a): the bar
    marks the steps the step list says are empty, as the message that refused found them."""
    return (
        error is not None and error.code == REQUIRED_STEPS_EMPTY.code
        and error.params.get("stage") == instance.active.name
    )  # fmt: skip


def _open(record: Entity) -> bool:
    """A closed record is not edited on its form (its state changes through commands)."""
    return record.get("statecode") in (None, 0)


def _status(metadata: MetadataSet, instance: Instance, language: Language) -> str:
    column = metadata.table(instance.table).columns.get("statuscode")
    status = instance.row.get("statuscode")
    option = column.option(status) if column is not None and status is not None else None
    return option.label.in_language(language) if option is not None else ""


def _elsewhere(
    ui: UiSession, table: TableMetadata, instance: Instance, on: EntityReference | None,
    *, closed: bool, refused: bool,
) -> tuple[list[StepView], Text, str | None]:  # fmt: skip
    """The active stage is on another record (the opportunity a lead produced): its steps
    read-only, where the process goes on, and the way back to a stage on this record (Set
    Active) while this record is open."""
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
    steps = _steps(ui, stage_table, active, values, editable=False, refused=refused)
    params: dict[str, Any] = {"stage": active.name, "table": stage_table.label}
    if not instance.is_active:
        message = Text(
            N_("The process is {status}: it stopped at the stage {stage}, on the {table} record."),
            status=_status(metadata, instance, ui.language).lower(), **params,
        )  # fmt: skip
    elif closed:
        message = Text(
            N_(
                "This {record} is closed: the process continues on the {table} record, at "
                "its stage {stage}, where it can be moved."
            ),
            record=table.label.in_language(ui.language).lower(), **params,
        )  # fmt: skip
    elif mine:
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
    *, editable: bool, refused: bool = False,
) -> list[StepView]:  # fmt: skip
    found = Entity(table.name, record.id if record is not None else None, record or {})
    missing = [s.column for s in stage.steps if s.column not in found and s.column in table.columns]
    if record is not None and record.id is not None and missing:
        found.update(ui.service.retrieve(table.name, record.id, missing))
    # Retrieve answers a lookup with its key: the names are read as the person.
    named(ui, [found], [step.column for step in stage.steps])
    refused = refused and record is not None  # no values read: nothing to mark
    empty = {step.column for step in empty_steps(stage, found)} if refused else set()
    metadata = ui.metadata()
    views = []
    for step in stage.steps:
        if step.column not in table.columns:
            continue
        value = found.get(step.column)
        label = step.label.in_language(ui.language)
        view = _step(
            table.columns[step.column], label, step.required, value, ui.language, editable=editable
        )
        if isinstance(value, EntityReference) and value.logical_name in metadata.tables:
            target = metadata.table(value.logical_name)
            view = replace(view, record_link=record_url(target.entity_set, value.id))
        if step.column in empty:
            view = replace(view, error=Text(N_("Required to move to the next stage.")))
        views.append(view)
    return views


def _step(
    column: ColumnMetadata, label: str, required: bool, value: Any, language: Language,
    *, editable: bool,
) -> StepView:  # fmt: skip
    shown = value.name or str(value.id) if isinstance(value, EntityReference) else display(
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
    if kind.is_number:
        return StepView(widget="number", **common)
    if kind is ColumnType.DATETIME:
        dateonly = column.format == "dateonly"
        return StepView(
            widget="date" if dateonly else "datetime",
            input_type="date" if dateonly else "datetime-local", **common,
        )  # fmt: skip
    return StepView(widget="text", max_length=column.max_length, **common)
