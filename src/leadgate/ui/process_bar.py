"""The process bar of a record's form (STUB: the lifecycle helper fills it).

``process_bar(ui, table, record)`` gives what ``templates/_process_bar.html`` shows for the
record's active business process flow (stages, the active one, its steps, the moves), or
None when the record follows no process.
"""

from __future__ import annotations

from typing import Any

from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.ui.sessions import UiSession

__all__ = ["process_bar"]


def process_bar(ui: UiSession, table: TableMetadata, record: Entity | None) -> Any | None:
    return None
