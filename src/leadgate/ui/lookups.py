"""What a lookup field offers and shows: records of its target tables by primary name, and the
name of the record it points at, all read as the signed-in person (what they cannot read they
are not offered)."""

from __future__ import annotations

from dataclasses import dataclass

from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet
from leadgate.platform.engine.query import ColumnSet, OrderExpression, QueryExpression
from leadgate.platform.engine.types import Language
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

    def _list(self, table_name: str) -> list[EntityReference] | None:
        """Up to MAX_CHOICES records of the table by name, or None when it cannot be read."""
        if table_name not in self._lists:
            table = self._metadata.tables.get(table_name)
            found: list[EntityReference] | None = None
            if table is not None:
                query = QueryExpression(
                    table.name, ColumnSet((table.primary_name,)),
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
            if current is not None and current.logical_name == target and all(
                reference.id != current.id for reference in references
            ):
                references = [current, *references]
            table = self._metadata.tables.get(target)
            label = table.label.in_language(language) if table is not None else target
            options = tuple(
                Option(option_value(column, reference), self.display(reference))
                for reference in references
            )
            groups.append(OptionGroup(label, options))
        return tuple(groups)

    def display(self, reference: EntityReference) -> str:
        name = self.name(reference)
        return name if name else str(reference.id)
