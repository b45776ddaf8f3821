"""The names of the records lookups point at, for a grid's cells: read as the signed-in
person by the platform (platform/records/names.py); a name they may not read stays a key."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.records import names
from leadgate.ui.sessions import UiSession

__all__ = ["named", "names_of"]


def names_of(
    ui: UiSession, references: Iterable[EntityReference]
) -> dict[tuple[str, uuid.UUID], str]:
    """The primary names of the records ``references`` point at, as the signed-in person."""
    return names.primary_names(ui.service, ui.metadata(), references)


def named(ui: UiSession, entities: Sequence[Entity], columns: Sequence[str]) -> None:
    """Give the references in ``columns`` of ``entities`` their records' primary names."""
    names.named(ui.service, ui.metadata(), entities, columns)
