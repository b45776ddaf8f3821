"""The command line's own refusals: what it reads from what people type."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["UNKNOWN_STATUS_REASON"]

UNKNOWN_STATUS_REASON = ErrorKind(
    "unknown_status_reason",
    "0x8F4C47A1",
    N_(
        "'{reason}' is not a status reason of {table} records in the state {state}. Valid "
        "reasons: {valid}."
    ),
)
