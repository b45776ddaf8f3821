"""Refusals of the browser app itself (0x8F4C47C8-CF): the rest are the messages' own."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["CSRF_REFUSED", "NO_MAIN_FORM", "PAGE_NOT_FOUND", "RECORD_CLOSED"]

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
