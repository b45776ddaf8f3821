"""The record form (STUB: the form helper replaces this module; keep record_page's signature).

``record_page`` renders a record's form: header, command bar (``commands.record_commands``),
process bar (``process_bar.process_bar``), the tabs/sections/fields of the table's default
Main ``systemform``, and an optional dialog. Commands that fail re-render it with the coded
error and status; the user's typed values are kept through ``values``/``field_errors``.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.ui.pages import page
from leadgate.ui.sessions import UiSession

__all__ = ["Dialog", "record_page"]


class Dialog:
    """A dialog the page opens at once (after a post, or a link without JavaScript):
    ``template`` is the dialog's partial, ``context`` what it needs."""

    def __init__(self, template: str, **context: Any) -> None:
        self.template = template
        self.context = context


def record_page(
    request: Request,
    ui: UiSession,
    table: TableMetadata,
    record_id: uuid.UUID | None,
    *,
    status_code: int = 200,
    error: LeadgateError | None = None,
    dialog: Dialog | None = None,
    values: dict[str, str] | None = None,
    field_errors: dict[str, LeadgateError] | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    return page(request, ui, "error.html", status_code=status_code, error=error, notice=notice)
