"""Refusals of the browser app itself (0x8F4C47C8-CF, record commands 0x8F4C47D0-D1): the
rest are the messages' own."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = [
    "CSRF_REFUSED",
    "GRID_HAS_NO_VIEW",
    "NOTHING_SELECTED",
    "NO_MAIN_FORM",
    "NO_ROWS_SELECTED",
    "PAGE_NOT_FOUND",
    "RECORD_CLOSED",
    "VIEW_NOT_FOUND",
]

CSRF_REFUSED = ErrorKind(
    "csrf_refused",
    "0x8F4C47C8",
    N_(
        "This form has expired or was not sent from this site, so nothing was changed. "
        "Reload the page and try again."
    ),
)
PAGE_NOT_FOUND = ErrorKind(
    "page_not_found",
    "0x8F4C47C9",
    N_("There is no page at {path}."),
)

# The record form (ui/record.py): 0x8F4C47CC-CD.
NO_MAIN_FORM = ErrorKind(
    "no_main_form",
    "0x8F4C47CC",
    N_(
        "The table {table} has no main form you can read, so its records cannot be shown. "
        "An administrator adds one: a Form (systemform) record of type Main for the table."
    ),
)
RECORD_CLOSED = ErrorKind(
    "record_closed",
    "0x8F4C47CD",
    N_("This {table} is closed ({state}): reactivate it to edit it."),
)

# The record commands (ui/lifecycle.py): 0x8F4C47D0-D1.
NOTHING_SELECTED = ErrorKind(
    "duplicate_nothing_selected",
    "0x8F4C47D0",
    N_(
        "No record was selected: select an existing record in the list to link it to the "
        "lead, or press Continue to create new records."
    ),
)
# A grid's bulk command with no row selected (ui/grid.py).
NO_ROWS_SELECTED = ErrorKind(
    "no_rows_selected",
    "0x8F4C47D1",
    N_("Select at least one row in the list, then press {command} again."),
)

# The grid (ui/grid.py): 0x8F4C47CA-CB.
GRID_HAS_NO_VIEW = ErrorKind(
    "grid_has_no_view",
    "0x8F4C47CA",
    N_(
        "{table} have no view to show them in. An administrator can add one: a view "
        "(savedquery) of this table, of the type Main Application View."
    ),
)
VIEW_NOT_FOUND = ErrorKind(
    "view_not_found",
    "0x8F4C47CB",
    N_("There is no view {view} of {table}: choose one of the list."),
)
