"""Record values as JSON and back, types kept: what a system job stores of a record (an
asynchronous step's target and images) is read later, by another process, as it was.

A JSON scalar stays itself; every other value becomes a one-key object naming its type:
``{"$decimal": "12.50"}``, ``{"$datetime": "2024-05-01T09:30:00+00:00"}``, ``{"$date": …}``,
``{"$uuid": …}``, ``{"$reference": [table, id, name]}``, ``{"$entity": {…}}``; lists stay lists.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from leadgate.platform.engine.entity import Entity, EntityReference

__all__ = ["NotPortable", "dump_items", "dump_value", "load_items", "load_value"]


class NotPortable(ValueError):
    """A value JSON cannot carry (an object a plug-in put in a parameter)."""


def dump_value(value: Any) -> Any:
    """``value`` as JSON values; NotPortable if it cannot be stored."""
    if value is None or isinstance(value, (bool, int, str)):
        return value  # an IntEnum or StrEnum is stored as its value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotPortable(f"{value} is not a finite number")
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NotPortable(f"{value} is not a finite number")
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, EntityReference):
        return {"$reference": [value.logical_name, str(value.id), value.name]}
    if isinstance(value, Entity):
        return {
            "$entity": {
                "table": value.logical_name,
                "id": str(value.id) if value.id is not None else None,
                "version": value.row_version,
                "values": {name: dump_value(item) for name, item in value.items()},
            }
        }
    if isinstance(value, (list, tuple)):
        return [dump_value(item) for item in value]
    raise NotPortable(f"a {type(value).__name__} cannot be stored as JSON")


def load_value(value: Any) -> Any:
    """What :func:`dump_value` stored, as it was (tuples come back as lists)."""
    if isinstance(value, list):
        return [load_value(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        raise NotPortable(f"{sorted(value)} is not a stored value")
    ((tag, body),) = value.items()
    if tag == "$decimal":
        return Decimal(body)
    if tag == "$datetime":
        return dt.datetime.fromisoformat(body)
    if tag == "$date":
        return dt.date.fromisoformat(body)
    if tag == "$uuid":
        return uuid.UUID(body)
    if tag == "$reference":
        table, record_id, name = body
        return EntityReference(table, uuid.UUID(record_id), name)
    if tag == "$entity":
        record_id = body.get("id")
        return Entity(
            body["table"],
            uuid.UUID(record_id) if record_id else None,
            {name: load_value(item) for name, item in body.get("values", {}).items()},
            row_version=body.get("version"),
        )
    raise NotPortable(f"{tag} is not a stored value's type")


def dump_items(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values JSON can carry, by name; an Entity keeps the columns it can carry. What
    cannot be stored (an object a plug-in put in a parameter) is left out."""
    kept: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, Entity):
            value = Entity(
                value.logical_name, value.id, _portable(value), row_version=value.row_version
            )
        try:
            kept[name] = dump_value(value)
        except NotPortable:
            continue
    return kept


def load_items(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: load_value(value) for name, value in values.items()}


def _portable(entity: Entity) -> dict[str, Any]:
    kept = {}
    for name, value in entity.items():
        try:
            dump_value(value)
        except NotPortable:
            continue
        kept[name] = value
    return kept
