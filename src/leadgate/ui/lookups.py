"""What a lookup field offers and shows: records of its target tables by primary name, grouped
by table, and the name of the record it points at, all read as the signed-in person (what they
cannot read they are not offered).

Two records of one name are told apart by the first text column after the name in the table's
Lookup view (else its default main view) — the e-mail, a phone, a city, as the view's record
says — or, without one, by the first characters of their ids: never by a column named here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.query import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    OrderExpression,
    QueryExpression,
)
from leadgate.platform.engine.types import ColumnType, Language
from leadgate.platform.views import LOOKUP_VIEW, MAIN_VIEW, View
from leadgate.ui.sessions import UiSession

__all__ = ["MAX_CHOICES", "LookupChoices", "Option", "OptionGroup", "option_value"]

MAX_CHOICES = 250  # records a lookup lists; the current value is added when not among them
# Refusals that mean "not for you to read": the lookup then offers what it can.
_NOT_READABLE = frozenset(
    {errors.PRIVILEGE_DENIED.code, errors.RECORD_ACCESS_DENIED.code, errors.RECORD_NOT_FOUND.code}
)


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class OptionGroup:
    """The options of one target table (a polymorphic lookup has several groups)."""

    label: str
    options: tuple[Option, ...]


def option_value(column: ColumnMetadata, reference: EntityReference) -> str:
    """How a select holds a reference: ``table:id`` when the column may point at several
    tables (what ``values.parse_field`` reads back), the id alone otherwise."""
    if column.type.is_polymorphic:
        return f"{reference.logical_name}:{reference.id}"
    return str(reference.id)


class LookupChoices:
    """Names and choices of one page's lookups, each table read once."""

    def __init__(self, ui: UiSession, metadata: MetadataSet) -> None:
        self._ui = ui
        self._metadata = metadata
        self._lists: dict[str, list[EntityReference] | None] = {}
        self._names: dict[EntityReference, str | None] = {}
        self._hints: dict[EntityReference, str] = {}

    def _hint_columns(self, table: TableMetadata) -> tuple[str, ...]:
        """The text columns after the name in the table's Lookup view, else its default main
        view (none when no view can be read)."""
        query = QueryExpression(
            "savedquery",
            ColumnSet(("name", "returnedtypecode", "querytype", "isdefault", "fetchxml",
                       "layoutxml")),
            FilterExpression(conditions=(
                ConditionExpression.make("returnedtypecode", "eq", table.name),
                ConditionExpression("querytype", "in", (LOOKUP_VIEW, MAIN_VIEW)),
            )),
        )  # fmt: skip
        try:
            records = list(self._ui.service.retrieve_multiple(query))
        except errors.LeadgateError as refusal:
            if refusal.code not in _NOT_READABLE:
                raise
            return ()
        records.sort(key=lambda r: (r.get("querytype") != LOOKUP_VIEW, not r.get("isdefault")))
        for record in records:
            try:
                view = View.from_record(record, self._metadata)
            except errors.LeadgateError:  # a view that cannot be read tells nothing apart
                continue
            return tuple(
                column.name for column in view.columns
                if column.name != table.primary_name and column.name in table.columns
                and table.columns[column.name].type is ColumnType.STRING
            )  # fmt: skip
        return ()

    def _list(self, table_name: str) -> list[EntityReference] | None:
        """Up to MAX_CHOICES records of the table by name, or None when it cannot be read."""
        if table_name not in self._lists:
            table = self._metadata.tables.get(table_name)
            found: list[EntityReference] | None = None
            if table is not None:
                hints = self._hint_columns(table)
                query = QueryExpression(
                    table.name, ColumnSet((table.primary_name, *hints)),
                    orders=(OrderExpression(table.primary_name),), top_count=MAX_CHOICES,
                )  # fmt: skip
                try:
                    page = self._ui.service.retrieve_multiple(query)
                except errors.LeadgateError as refusal:
                    if refusal.code not in _NOT_READABLE:
                        raise
                else:
                    found = []
                    for entity in page:
                        assert entity.id is not None
                        reference = EntityReference(
                            table.name, entity.id, str(entity.get(table.primary_name) or "")
                        )
                        self._names[reference] = reference.name
                        self._hints[reference] = next(
                            (str(entity.get(h)) for h in hints if entity.get(h)), ""
                        )
                        found.append(reference)
            self._lists[table_name] = found
        return self._lists[table_name]

    def name(self, reference: EntityReference) -> str | None:
        """The referenced record's primary name, or None when the person cannot read it."""
        if reference not in self._names:
            table = self._metadata.tables.get(reference.logical_name)
            name: str | None = None
            if table is not None:
                try:
                    entity = self._ui.service.retrieve(
                        table.name, reference.id, [table.primary_name]
                    )
                except errors.LeadgateError as refusal:
                    if refusal.code not in _NOT_READABLE:
                        raise
                else:
                    name = str(entity.get(table.primary_name) or "")
            self._names[reference] = name
        return self._names[reference]

    def groups(
        self, column: ColumnMetadata, current: EntityReference | None, language: Language
    ) -> tuple[OptionGroup, ...]:
        """The records the column may point at, by target table; the current value always."""
        groups = []
        for target in column.targets:
            references = self._list(target) or []
            if (
                current is not None
                and current.logical_name == target
                and all(reference.id != current.id for reference in references)
            ):
                references = [current, *references]
            table = self._metadata.tables.get(target)
            label = table.label.in_language(language) if table is not None else target
            labels = self._labels(references)
            options = tuple(
                Option(option_value(column, reference), text)
                for reference, text in zip(references, labels, strict=True)
            )
            groups.append(OptionGroup(label, options))
        return tuple(groups)

    def _labels(self, references: list[EntityReference]) -> list[str]:
        """Each record's name; a repeated name with its hint, else its id's first characters."""
        names = [self.display(reference) for reference in references]
        repeated = Counter(names)
        hinted = [
            f"{name} ({self._hints.get(reference) or str(reference.id)[:8]})"
            if repeated[name] > 1 else name
            for name, reference in zip(names, references, strict=True)
        ]  # fmt: skip
        still = Counter(hinted)
        return [
            f"{name} ({str(reference.id)[:8]})" if still[text] > 1 else text
            for name, text, reference in zip(names, hinted, references, strict=True)
        ]

    def display(self, reference: EntityReference) -> str:
        name = self.name(reference)
        return name if name else str(reference.id)
