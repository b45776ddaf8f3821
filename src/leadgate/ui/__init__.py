"""The browser app a salesperson uses: sign-in, grids, forms, the process bar, Qualify.

Server-rendered pages over the same messages as the Web API and the CLI, run as the
signed-in person; views and forms are records (savedquery, systemform) rendered generically.
``install_ui(app, organization)`` adds it to the Web API's application.
"""

from __future__ import annotations

from fastapi import FastAPI
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
