"""Records as plug-ins and callers see them: an Entity is a table name, an id and values."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Entity", "EntityCollection", "EntityReference"]


@dataclass(frozen=True, slots=True)
class EntityReference:
    """A pointer to one record: what lookup columns hold."""

    logical_name: str
    id: uuid.UUID
    name: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.logical_name}({self.id})"


class Entity(MutableMapping[str, Any]):
    """A record's values by column name; plug-ins may change them before the save."""

    __slots__ = ("_values", "id", "logical_name", "row_version")

    def __init__(
        self,
        logical_name: str,
        id: uuid.UUID | None = None,
        values: Mapping[str, Any] | None = None,
        *,
        row_version: int | None = None,
        **more: Any,
    ) -> None:
        self.logical_name = logical_name
        self.id = id
        self.row_version = row_version
        self._values: dict[str, Any] = dict(values or {})
        self._values.update(more)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._values[key] = value

    def __delitem__(self, key: str) -> None:
        del self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entity):
            return NotImplemented
        return (self.logical_name, self.id, self._values) == (
            other.logical_name,
            other.id,
            other._values,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Entity({self.logical_name!r}, {self.id!s}, {self._values!r})"

    def to_reference(self) -> EntityReference:
        if self.id is None:
            raise ValueError("an entity without an id cannot be referenced")
        return EntityReference(self.logical_name, self.id)

    def copy(self) -> Entity:
        return Entity(self.logical_name, self.id, self._values, row_version=self.row_version)


@dataclass(slots=True)
class EntityCollection:
    """One page of a query's results."""

    entity_name: str
    entities: list[Entity]
    more_records: bool = False
    paging_cookie: str | None = None
    total_record_count: int | None = None

    def __iter__(self) -> Iterator[Entity]:
        return iter(self.entities)

    def __len__(self) -> int:
        return len(self.entities)

    def __getitem__(self, index: int) -> Entity:
        return self.entities[index]
