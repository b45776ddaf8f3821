"""The Web API application: a Dataverse-compatible front for one organization."""

from __future__ import annotations

from fastapi import FastAPI

from leadgate.platform import Organization
from leadgate.web import actions, functions
from leadgate.web.errors import install_error_handlers
from leadgate.web.routes import router

__all__ = ["create_app"]


def create_app(organization: Organization) -> FastAPI:
    """The ASGI application serving ``organization`` under /api/data/v9.2.

    Every request runs as the user its bearer token belongs to; the application holds no
    state of its own beyond the organization, so any number of processes can serve it.
    """
    app = FastAPI(
        title="leadgate Web API",
        description="Dataverse Web API (v9.2) for leadgate organizations.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.organization = organization
    install_error_handlers(app)
    app.include_router(actions.router)  # before the catch-all of deeper paths in routes
    app.include_router(functions.router)  # before the entity sets' single segments
    app.include_router(router)
    return app
