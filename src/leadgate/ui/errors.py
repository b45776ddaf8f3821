"""Refusals of the browser app itself (0x8F4C47C8-CF): the rest are the messages' own."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["CSRF_REFUSED", "GRID_HAS_NO_VIEW", "PAGE_NOT_FOUND", "VIEW_NOT_FOUND"]

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
