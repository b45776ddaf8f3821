"""Organization settings: the columns of the one ``organization`` record.

Settings are read inside whatever transaction is open, so a change made earlier in the same
unit of work is seen; a column that a solution has not installed reads as its default.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine.schema import SqlTables
from leadgate.platform.engine.storage import HELD_ROWS, translate_errors

__all__ = ["organization_setting"]

ORGANIZATION = "organization"


def organization_setting(
    connection: sa.Connection, tables: SqlTables, column: str, default: Any = None
) -> Any:
    """The value of one organization setting, or ``default`` when it is unset or unknown."""
    if ORGANIZATION not in tables or column not in tables[ORGANIZATION].c:
        return default
    # Held by the unit of work like the rows it read (engine/rows.py), until the
    # organization is written: a message reads the same settings again and again.
    held = connection.info.get(HELD_ROWS)
    found = held.get(_HELD) if held is not None else None
    if found is not None and column in found:
        value = found[column]
    else:
        table = tables[ORGANIZATION]
        with translate_errors(ORGANIZATION):
            value = connection.execute(sa.select(table.c[column]).limit(1)).scalar()
        if held is not None:
            held.setdefault(_HELD, {})[column] = value
    return default if value is None else value


_HELD = (ORGANIZATION, "settings")
