"""The Web API application: a Dataverse-compatible front for one organization."""

from __future__ import annotations

from fastapi import FastAPI

from leadgate.platform import Organization
from leadgate.web import (
    actions,
    batch,
    bound_functions,
    bulk_delete,
    csdl,
    entity_definitions,
    entity_sets,
    functions,
    health,
    option_sets,
    relationship_definitions,
    sdk_messages,
)
from leadgate.web.body_limit import BodyLimit
from leadgate.web.errors import install_error_handlers
from leadgate.web.limits import DEFAULT_MAX_BATCH_BODY_SIZE, DEFAULT_MAX_BODY_SIZE
from leadgate.web.openapi import OPENAPI_URL, install_openapi
from leadgate.web.protection import ServiceProtection
from leadgate.web.protection_asgi import ProtectionMiddleware
from leadgate.web.read_route import read_first, spell_out
from leadgate.web.routes import router

__all__ = ["create_app"]


def create_app(
    organization: Organization,
    *,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    max_batch_body_size: int = DEFAULT_MAX_BATCH_BODY_SIZE,
    service_protection: ServiceProtection | None = None,
) -> FastAPI:
    """The ASGI application serving ``organization`` under /api/data/v9.2.

    Every request runs as the user its bearer token belongs to; the application holds no
    state of its own beyond the organization, so any number of processes can serve it.
    Request bodies over ``max_body_size`` bytes (``max_batch_body_size`` for $batch) are
    refused with 413 before they are read (docs/limits.md). ``service_protection`` counts
    each user's requests (Dataverse's default limits when not given), in this process.
    """
    app = FastAPI(
        title="leadgate Web API",
        description="Dataverse Web API (v9.2) for leadgate organizations.",
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_URL,
    )
    app.state.organization = organization
    install_error_handlers(app)
    install_openapi(app)
    app.state.service_protection = service_protection or ServiceProtection()
    app.add_middleware(ProtectionMiddleware, protection=app.state.service_protection)
    app.add_middleware(
        BodyLimit, max_body_size=max_body_size, max_batch_body_size=max_batch_body_size
    )
    first, read_route = read_first()
    app.include_router(first)  # the entity sets' GET, first where it answers: web/read_route.py
    routers = (
        health.router,
        csdl.router,  # $metadata: a fixed path, before the entity sets'
        batch.router,  # before the entity sets' POST /{segment}
        entity_definitions.router,  # fixed paths, before the entity sets'
        relationship_definitions.router,  # the same
        sdk_messages.router,  # the same
        option_sets.router,  # the same
        entity_sets.router,  # before bound functions' GET /{set}/{name}
        actions.router,  # before the catch-all of deeper paths in routes
        bound_functions.router,  # GET of the same paths, before it too
        functions.router,  # before the entity sets' single segments
        bulk_delete.router,  # POST /BulkDelete: the same
        router,
    )
    for each in routers:
        app.include_router(each)
    spell_out(read_route, (route for each in routers for route in each.routes))
    from leadgate.ui import install_ui  # the browser app: the same messages, as HTML pages

    install_ui(app, organization)
    return app
