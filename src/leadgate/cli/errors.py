"""The command line's own refusals: what it reads from what people type."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["LEAD_ID_UNREADABLE", "UNKNOWN_STATUS_REASON"]

UNKNOWN_STATUS_REASON = ErrorKind(
    "unknown_status_reason",
    "0x8F4C47A1",
    N_(
        "'{reason}' is not a status reason of {table} records in the state {state}. Valid "
        "reasons: {valid}."
    ),
)

LEAD_ID_UNREADABLE = ErrorKind(
    "lead_id_unreadable",
    "0x8F4C47D5",
    N_("Line {line} of {file}: '{text}' is not a lead id (a GUID). Nothing was queued."),
)
