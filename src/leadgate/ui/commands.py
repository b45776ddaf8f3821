"""The command bar of a record's form (STUB: the lifecycle helper fills it).

``record_commands(ui, table, record)`` lists the commands the form offers for this record
(lead: Qualify, Disqualify, Reactivate; opportunity: Close as Won, Close as Lost…), each a
button posting to the record's URL or opening a dialog. Which commands a table has is this
module's business; whether they succeed is the messages'.
"""

from __future__ import annotations

from dataclasses import dataclass

from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.i18n import Text
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.ui.sessions import UiSession

__all__ = ["Command", "record_commands"]


@dataclass(frozen=True)
class Command:
    label: Text
    action: str  # the URL a form posts to, or "" for a dialog opener
    dialog: str | None = None  # the id of the dialog it opens (a link ?dialog=<id> without JS)
    primary: bool = False


def record_commands(ui: UiSession, table: TableMetadata, record: Entity | None) -> list[Command]:
    return []
