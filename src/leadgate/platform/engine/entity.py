"""Records as plug-ins and callers see them: an Entity is a table name, an id and values."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["NO_ID", "Entity", "EntityCollection", "EntityReference", "KeyAttributes"]

# The id of a reference made from key values, until the platform resolves it (Dataverse's
# EntityReference built from a KeyAttributeCollection has Guid.Empty for its Id too).
NO_ID = uuid.UUID(int=0)

KeyAttributes = tuple[tuple[str, Any], ...]


def _key_attributes(keys: Mapping[str, Any] | None, more: Mapping[str, Any]) -> KeyAttributes:
    values = {**(keys or {}), **more}
    return tuple(sorted(values.items(), key=lambda item: item[0]))


@dataclass(frozen=True, slots=True)
class EntityReference:
    """A pointer to one record: what lookup columns hold. Made by :meth:`by_key`, it names
    the record by the values of an alternate key instead of its id."""

    logical_name: str
    id: uuid.UUID
    name: str | None = field(default=None, compare=False)
    key_attributes: KeyAttributes = ()

    @classmethod
    def by_key(
        cls, logical_name: str, keys: Mapping[str, Any] | None = None, /, **more: Any
    ) -> EntityReference:
        """``EntityReference.by_key("account", accountnumber="A-1")``: the record whose
        alternate key has these values (Dataverse's EntityReference(logicalName, keys))."""
        return cls(logical_name, NO_ID, key_attributes=_key_attributes(keys, more))

    @property
    def keys(self) -> dict[str, Any]:
        return dict(self.key_attributes)

    @property
    def needs_key_lookup(self) -> bool:
        return bool(self.key_attributes) and self.id == NO_ID

    def __str__(self) -> str:
        if self.needs_key_lookup:
            values = ",".join(f"{name}={value!r}" for name, value in self.key_attributes)
            return f"{self.logical_name}({values})"
        return f"{self.logical_name}({self.id})"


class Entity(MutableMapping[str, Any]):
    """A record's values by column name; plug-ins may change them before the save."""

    __slots__ = ("_values", "id", "key_attributes", "logical_name", "row_version")

    def __init__(
        self,
        logical_name: str,
        id: uuid.UUID | None = None,
        values: Mapping[str, Any] | None = None,
        *,
        row_version: int | None = None,
        key_attributes: Mapping[str, Any] | None = None,
        **more: Any,
    ) -> None:
        self.logical_name = logical_name
        self.id = id
        self.row_version = row_version
        # The values of an alternate key naming the record, when its id is not known
        # (Dataverse's Entity.KeyAttributes): Update and Upsert find the record by them.
        self.key_attributes: dict[str, Any] = dict(key_attributes or {})
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
            if self.key_attributes:
                return EntityReference.by_key(self.logical_name, self.key_attributes)
            raise ValueError("an entity without an id cannot be referenced")
        return EntityReference(self.logical_name, self.id)

    def copy(self) -> Entity:
        return Entity(
            self.logical_name, self.id, self._values, row_version=self.row_version,
            key_attributes=self.key_attributes,
        )  # fmt: skip


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
