"""The grid pages (/app/leads, /app/accounts…): a table's views, searched, sorted and paged,
and the commands its selected rows take (lead: Qualify, Disqualify).

A bulk command is a plain form post that handles every selected record and redirects to the
grid, which shows the summary once (a reload runs nothing again); with JavaScript
(static/grid.js) the page posts one record at a time to the same address with
``Accept: application/json`` and shows progress. Qualify on a large selection, or on every
lead of the view, runs as a system job instead (ui/grid_jobs.py): the person lands on the
job's page.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import Text
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.ui.app import SignedIn, check_csrf
from leadgate.ui.errors import GRID_HAS_NO_VIEW, NO_ROWS_SELECTED, VIEW_NOT_FOUND
from leadgate.ui.grid_commands import (
    BULK_COMMANDS,
    SUMMARY_COOKIE,
    BulkCommand,
    BulkSummary,
    ShownSummary,
    run_on,
    shown_summary,
    summary_cookie,
)
from leadgate.ui.grid_jobs import ALL_FIELD, JOB_COMMANDS, LARGE_SELECTION, queue_command
from leadgate.ui.grid_views import GridRequest, read_grid
from leadgate.ui.pages import page
from leadgate.ui.posted import PostedForm, read_form
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import table_of, table_url
from leadgate.web.errors import status_of

__all__ = ["router"]

router = APIRouter()
_STATE_FIELDS = ("view", "q", "sort", "desc", "page")  # the grid's address, kept by a post


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
    summary: ShownSummary | None = None,
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
    jobs = {name: job for (owner, name), job in JOB_COMMANDS.items() if owner == table.name}
    return page(
        request, ui, "grid.html", status_code=status_code, table=table, grid=grid,
        commands=commands, summary=summary, error=error, url=_url_for(table, grid.request),
        address=table_url(table.entity_set), job_commands=jobs, large_selection=LARGE_SELECTION,
        all_field=ALL_FIELD,
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
    table = table_of(ui, entity_set)
    values = {name: request.query_params.get(name, "") for name in _STATE_FIELDS}
    flashed = request.cookies.get(SUMMARY_COOKIE)
    summary = shown_summary(flashed, table.name, table.entity_set)
    response = _grid_response(request, ui, table, values, summary=summary)
    if flashed:  # shown once
        response.delete_cookie(SUMMARY_COOKIE, path=table_url(table.entity_set), httponly=True,
                               samesite="lax")  # fmt: skip
    return response


@router.get("/{entity_set}/bulk/{command_name}")
def after_bulk(entity_set: str, command_name: str, ui: SignedIn) -> Response:
    """A bulk command's address reloaded, or reached by Back: the grid (a GET runs nothing)."""
    table = table_of(ui, entity_set)
    _command(table, command_name)
    return RedirectResponse(table_url(table.entity_set), status_code=303)


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
    table = table_of(ui, entity_set)
    command = _command(table, command_name)
    form: PostedForm = await read_form(request)
    if _wants_json(request):
        try:
            check_csrf(ui, form)
        except LeadgateError as refusal:
            body = {"ok": False, "code": refusal.code, "message": refusal.message(ui.language)}
            return JSONResponse(body, status_code=403)
        if not form.getlist("ids"):
            nothing = _nothing_selected(command)
            body = {"ok": False, "code": nothing.code, "message": nothing.message(ui.language)}
            return JSONResponse(body, status_code=400)
        return _json_summary(ui, run_on(ui, table, command, form.getlist("ids"), form))
    check_csrf(ui, form)
    values = {name: form.get(name) for name in _STATE_FIELDS}
    job = JOB_COMMANDS.get((table.name, command.name))
    every = job is not None and form.get(ALL_FIELD) == "1"
    if not form.getlist("ids") and not every:
        return _grid_response(request, ui, table, values, error=_nothing_selected(command),
                              status_code=400)  # fmt: skip
    if job is not None and (every or len(set(form.getlist("ids"))) > LARGE_SELECTION):
        # Too many for one request: a system job, followed on its page.
        asked = _grid_request(values)
        try:
            if every and asked is None:
                raise VIEW_NOT_FOUND(view=values.get("view", "")[:80], table=table.plural_label)
            return queue_command(ui, table, job, form.getlist("ids"), asked if every else None)
        except LeadgateError as refusal:
            return _grid_response(request, ui, table, values, error=refusal,
                                  status_code=status_of(refusal))  # fmt: skip
    summary = run_on(ui, table, command, form.getlist("ids"), form)
    asked = _grid_request(values)
    url = _url_for(table, asked)() if asked is not None else table_url(table.entity_set)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(SUMMARY_COOKIE, summary_cookie(summary, table.entity_set, ui.language),
                        max_age=120, path=table_url(table.entity_set), httponly=True,
                        samesite="lax")  # fmt: skip
    return response


def _nothing_selected(command: BulkCommand) -> LeadgateError:
    return NO_ROWS_SELECTED(command=Text(command.label))
