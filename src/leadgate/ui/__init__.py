"""The browser app a salesperson uses: sign-in, grids, forms, the process bar, Qualify.

Server-rendered pages over the same messages as the Web API and the CLI, run as the
signed-in person; views and forms are records (savedquery, systemform) rendered generically.
``install_ui(app, organization)`` adds it to the Web API's application.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from leadgate.platform import Organization

__all__ = ["install_ui"]


def install_ui(app: FastAPI, organization: Organization) -> None:
    from leadgate.ui import signin
    from leadgate.ui.app import create_ui_app
    from leadgate.ui.sitemap import APP_ROOT

    app.include_router(signin.router)
    app.mount("/static", StaticFiles(packages=[("leadgate.ui", "static")]), name="static")
    app.mount(APP_ROOT, create_ui_app(organization))
    api_not_found = app.exception_handlers[HTTPException]
    app.add_exception_handler(HTTPException, _pages_not_found(api_not_found))


def _pages_not_found(api_handler: Any) -> Any:
    """A browser asking for a page that does not exist (outside the Web API's /api) gets the
    app's error page, not the API's JSON; programs keep their JSON."""

    async def handler(request: Request, error: Exception) -> Response:
        from leadgate.ui.app import session_or_none
        from leadgate.ui.errors import PAGE_NOT_FOUND
        from leadgate.ui.pages import page

        wants_page = "text/html" in request.headers.get("accept", "")
        if (
            isinstance(error, HTTPException)
            and error.status_code == 404
            and wants_page
            and not request.url.path.startswith("/api/")
        ):
            refusal = PAGE_NOT_FOUND(path=request.url.path[:200])
            return page(request, session_or_none(request), "error.html", status_code=404,
                        error=refusal)  # fmt: skip
        return await api_handler(request, error)

    return handler
