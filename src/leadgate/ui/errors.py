"""Refusals of the browser app itself (0x8F4C47C8-CF, record commands 0x8F4C47D0-D1): the
rest are the messages' own."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["CSRF_REFUSED", "NOTHING_SELECTED", "PAGE_NOT_FOUND"]

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
NOTHING_SELECTED = ErrorKind(
    "duplicate_nothing_selected",
    "0x8F4C47D0",
    N_(
        "No record was selected: select an existing record in the list to link it to the "
        "lead, or press Continue to create new records."
    ),
)
