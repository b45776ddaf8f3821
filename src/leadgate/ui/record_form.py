"""A record's form as the page shows it: the table's Main ``systemform`` read as the person,
its tabs, sections and fields, each field a widget chosen from its column's metadata.

Nothing here knows a table: which columns show, in which order, comes from the form record;
labels, widgets, lengths and required markers from the metadata; whether a column can be
typed into from the metadata too (created/updated by the person, not computed, not a state —
state changes are commands).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.query import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    QueryExpression,
)
from leadgate.platform.engine.types import ColumnType, Language, RequiredLevel
from leadgate.platform.views import Form
from leadgate.platform.views.form import MAIN_FORM
from leadgate.ui.errors import NO_MAIN_FORM
from leadgate.ui.lookups import LookupChoices, Option, OptionGroup, option_value
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import record_url
from leadgate.ui.values import display, field_text

__all__ = [
    "FieldView",
    "MainForms",
    "SectionView",
    "TabView",
    "build_fields",
    "editable",
    "input_text",
]

_STRING_INPUTS = {"email": "email", "url": "url", "phone": "tel"}
_TEXT_TYPES = (ColumnType.STRING, ColumnType.MEMO)


class MainForms:
    """The Main forms the person may read, one query per page: the table's default one, and
    which tables have a form at all (a lookup links to a record only when it can be opened)."""

    def __init__(self, ui: UiSession, metadata: MetadataSet) -> None:
        query = QueryExpression(
            "systemform",
            ColumnSet(("name", "name_fr", "objecttypecode", "type", "isdefault", "formjson")),
            FilterExpression(conditions=(ConditionExpression.make("type", "eq", MAIN_FORM),)),
        )
        self._records = list(ui.service.retrieve_multiple(query))
        self._metadata = metadata
        self.tables = frozenset(str(record.get("objecttypecode")) for record in self._records)

    def default(self, table: TableMetadata) -> Form:
        """The table's default Main form (else its first by name); a coded error without one."""
        mine = [r for r in self._records if r.get("objecttypecode") == table.name]
        if not mine:
            raise NO_MAIN_FORM(table=table.label)
        mine.sort(key=lambda r: (not r.get("isdefault"), str(r.get("name") or "")))
        return Form.from_record(mine[0], self._metadata)


@dataclass
class FieldView:
    """One field: its label and required marker, and either an input or a read-only text."""

    name: str
    label: str
    widget: str  # text | textarea | number | boolean | choice | date | datetime | lookup
    input_type: str = "text"
    value: str = ""  # what the input holds
    display: str = ""  # what a read-only field reads
    required: bool = False
    editable: bool = True
    max_length: int | None = None
    options: tuple[Option, ...] = ()
    blank: bool = True  # whether "(none)" is a choice (a status reason always has a value)
    groups: tuple[OptionGroup, ...] = ()
    link: str | None = None  # the referenced record's form
    error: errors.LeadgateError | None = None


@dataclass
class SectionView:
    name: str
    label: str
    fields: list[FieldView] = field(default_factory=list)


@dataclass
class TabView:
    name: str
    label: str
    sections: list[SectionView] = field(default_factory=list)


def editable(column: ColumnMetadata, record_exists: bool) -> bool:
    """Whether the person types this column's value on the form (else it is shown as text)."""
    # The state changes by a command (Qualify, Reactivate…); its status reasons are chosen
    # on the form, among the current state's (a lead from New to Contacted, as Dynamics).
    if column.is_computed or column.type in (ColumnType.STATE, ColumnType.UNIQUEIDENTIFIER):
        return False
    return column.valid_for_update if record_exists else column.valid_for_create


def input_text(column: ColumnMetadata, value: Any, language: Language) -> str:
    """The value as the field's input holds it (what the page posts back when untouched)."""
    if isinstance(value, EntityReference):
        return option_value(column, value)
    return field_text(column, value, language)


def _widget(column: ColumnMetadata) -> tuple[str, str]:
    kind = column.type
    if kind is ColumnType.MEMO:
        return "textarea", "text"
    if kind.is_number:
        return "number", "text"
    if kind is ColumnType.BOOLEAN:
        return "boolean", "text"
    if kind.is_choice:
        return "choice", "text"
    if kind is ColumnType.DATETIME:
        return ("date", "date") if column.format == "dateonly" else ("datetime", "datetime-local")
    if kind.is_reference:
        return "lookup", "text"
    return "text", _STRING_INPUTS.get(column.format or "", "text")


class _Builder:
    def __init__(
        self, ui: UiSession, metadata: MetadataSet, forms: MainForms, table: TableMetadata
    ) -> None:
        self.ui, self.metadata, self.forms, self.table = ui, metadata, forms, table
        self.language: Language = ui.language
        self.lookups = LookupChoices(ui, metadata)

    def link(self, reference: EntityReference) -> str | None:
        target = self.metadata.tables.get(reference.logical_name)
        if target is None or target.name not in self.forms.tables:
            return None
        return record_url(target.entity_set, reference.id)

    def field(
        self,
        column: ColumnMetadata,
        record: Entity | None,
        *,
        can_edit: bool,
        values: dict[str, str],
        field_errors: dict[str, errors.LeadgateError],
    ) -> FieldView:
        current = record.get(column.name) if record is not None else column.default
        widget, input_type = _widget(column)
        view = FieldView(
            name=column.name,
            label=column.label.in_language(self.language),
            widget=widget,
            input_type=input_type,
            required=column.required is RequiredLevel.REQUIRED,
            editable=can_edit and editable(column, record is not None),
            max_length=column.max_length if column.type in _TEXT_TYPES else None,
            error=field_errors.get(column.name),
        )
        view.value = (
            values[column.name] if column.name in values
            else input_text(column, current, self.language)
        )  # fmt: skip
        if isinstance(current, EntityReference):
            view.display = self.lookups.display(current)
            view.link = self.link(current)
        else:
            view.display = display(column, current, self.language)
        if not view.editable:
            return view
        if widget == "choice":
            state = record.get("statecode") if record is not None else None
            view.options = tuple(
                Option(str(option.value), option.label.in_language(self.language))
                for option in column.options_by_value.values()
                if column.type is not ColumnType.STATUS or option.state == (state or 0)
            )
            view.blank = column.type is not ColumnType.STATUS
        elif widget == "boolean":
            view.options = tuple(
                Option(text, display(column, flag, self.language))
                for text, flag in (("true", True), ("false", False))
            )
        elif widget == "lookup":
            reference = current if isinstance(current, EntityReference) else None
            view.groups = self.lookups.groups(column, reference, self.language)
        return view


def build_fields(
    ui: UiSession,
    metadata: MetadataSet,
    forms: MainForms,
    form: Form,
    record: Entity | None,
    *,
    can_edit: bool,
    values: dict[str, str],
    field_errors: dict[str, errors.LeadgateError],
) -> tuple[list[FieldView], list[TabView]]:
    """The header's fields (always read-only) and the tabs of the form, for this record; a
    new record's header shows only the fields that have a default (the rest are not yet)."""
    table = metadata.table(form.table)
    builder = _Builder(ui, metadata, forms, table)
    header = [
        builder.field(table.column(name), record, can_edit=False, values={}, field_errors={})
        for name in form.header
        if record is not None or table.column(name).default is not None
    ]
    tabs = []
    for tab in form.tabs:
        tab_view = TabView(tab.name, tab.label.in_language(ui.language))
        for section in tab.sections:
            section_view = SectionView(section.name, section.label.in_language(ui.language))
            for name in section.fields:
                section_view.fields.append(builder.field(
                    table.column(name), record, can_edit=can_edit, values=values,
                    field_errors=field_errors,
                ))  # fmt: skip
            tab_view.sections.append(section_view)
        tabs.append(tab_view)
    return header, tabs
