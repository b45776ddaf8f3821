"""The grid pages (/app/leads, /app/accounts…): a table's views, searched, sorted and paged,
and the commands its selected rows take (lead: Qualify, Disqualify).

A bulk command is a plain form post that handles every selected record and renders the grid
with a summary; with JavaScript (static/grid.js) the page posts one record at a time to the
same address with ``Accept: application/json`` and shows progress.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.ui.app import SignedIn, check_csrf
from leadgate.ui.errors import GRID_HAS_NO_VIEW, VIEW_NOT_FOUND
from leadgate.ui.forms_data import Form, read_form
from leadgate.ui.grid_commands import BULK_COMMANDS, BulkCommand, BulkSummary, run_on
from leadgate.ui.grid_views import GridRequest, read_grid
from leadgate.ui.pages import page
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import table_url

__all__ = ["router"]

router = APIRouter()
_STATE_FIELDS = ("view", "q", "sort", "desc", "page")  # the grid's address, kept by a post


def _table(ui: UiSession, entity_set: str) -> TableMetadata:
    table = ui.metadata().table_for_entity_set(entity_set)
    if table is None:
        raise HTTPException(404)
    return table


def _page_number(text: str | None) -> int:
    if text and text.isascii() and text.isdigit() and len(text) <= 7:
        return max(1, int(text))
    return 1  # a page number that is no number: the first page


def _grid_request(values: dict[str, str]) -> GridRequest | None:
    """The grid's state from the address (or a post's copy of it); None: no such view."""
    view = None
    if values.get("view"):
        try:
            view = uuid.UUID(values["view"])
        except ValueError:
            return None
    return GridRequest(
        view=view,
        search=values.get("q", "").strip()[:200],
        sort=values.get("sort") or None,
        descending=values.get("desc") == "1",
        page=_page_number(values.get("page")),
    )


def _grid_response(
    request: Request,
    ui: UiSession,
    table: TableMetadata,
    values: dict[str, str],
    *,
    summary: BulkSummary | None = None,
    error: LeadgateError | None = None,
    status_code: int = 200,
) -> Response:
    asked = _grid_request(values)
    commands = BULK_COMMANDS.get(table.name, ())
    try:
        if asked is None:
            raise VIEW_NOT_FOUND(view=values.get("view", "")[:80], table=table.plural_label)
        grid = read_grid(ui, table, asked)
    except LeadgateError as refusal:
        if refusal.code == GRID_HAS_NO_VIEW.code:
            return page(request, ui, "grid.html", table=table, grid=None, commands=commands,
                        summary=None, error=refusal)  # fmt: skip
        status = 404 if refusal.code == VIEW_NOT_FOUND.code else None
        if status is None:
            raise
        return page(request, ui, "error.html", status_code=status, error=refusal)
    return page(
        request, ui, "grid.html", status_code=status_code, table=table, grid=grid,
        commands=commands, summary=summary, error=error, url=_url_for(table, grid.request),
    )  # fmt: skip


def _url_for(table: TableMetadata, asked: GridRequest) -> Any:
    """``url(sort=…, page=…)``: this grid's address with some of its state changed."""
    from urllib.parse import urlencode

    def url(**changes: Any) -> str:
        state: dict[str, Any] = {
            "view": str(asked.view) if asked.view else None,
            "q": asked.search or None,
            "sort": asked.sort,
            "desc": "1" if asked.descending else None,
            "page": asked.page if asked.page > 1 else None,
        }
        state.update(changes)
        query = urlencode({k: v for k, v in state.items() if v not in (None, "", 1)})
        return table_url(table.entity_set) + (f"?{query}" if query else "")

    return url


@router.get("/{entity_set}")
def grid_page(request: Request, entity_set: str, ui: SignedIn) -> Response:
    table = _table(ui, entity_set)
    values = {name: request.query_params.get(name, "") for name in _STATE_FIELDS}
    return _grid_response(request, ui, table, values)


def _command(table: TableMetadata, name: str) -> BulkCommand:
    for command in BULK_COMMANDS.get(table.name, ()):
        if command.name == name:
            return command
    raise HTTPException(404)


def _wants_json(request: Request) -> bool:
    return request.headers.get("accept", "").split(",")[0].strip() == "application/json"


def _json_summary(ui: UiSession, summary: BulkSummary) -> Response:
    answers = [
        {"id": outcome.id, "ok": True}
        if outcome.error is None
        else {"id": outcome.id, "ok": False, "name": outcome.name, "code": outcome.error.code,
              "message": outcome.error.message(ui.language)}
        for outcome in summary.outcomes
    ]  # fmt: skip
    return JSONResponse(answers[0] if len(answers) == 1 else answers)


@router.post("/{entity_set}/bulk/{command_name}")
async def bulk(request: Request, entity_set: str, command_name: str, ui: SignedIn) -> Response:
    table = _table(ui, entity_set)
    command = _command(table, command_name)
    form: Form = await read_form(request)
    if _wants_json(request):
        try:
            check_csrf(ui, form)
        except LeadgateError as refusal:
            body = {"ok": False, "code": refusal.code, "message": refusal.message(ui.language)}
            return JSONResponse(body, status_code=403)
        return _json_summary(ui, run_on(ui, table, command, form.getlist("ids"), form))
    check_csrf(ui, form)
    summary = run_on(ui, table, command, form.getlist("ids"), form)
    values = {name: form.get(name) for name in _STATE_FIELDS}
    return _grid_response(request, ui, table, values, summary=summary)
